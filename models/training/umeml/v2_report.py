"""The generated "protocol v2: what was tried" block of docs/model.md, rendered from the committed raw results
(models/training/results/reference_v2_selection.json, written by train_reference.py). A test re-renders it and
fails when the doc drifts from the file."""
from __future__ import annotations

from collections import Counter
from typing import Dict, List

BEGIN = "<!-- generated:protocol-v2:begin -->"
END = "<!-- generated:protocol-v2:end -->"


def _ms(d: Dict) -> str:
    return f"{d['mean']:.4f} ± {d['sd']:.4f}"


def _counts(values) -> str:
    return ", ".join(f"{k}: {n}" for k, n in sorted(Counter(values).items()))


def render(res: Dict) -> str:
    s = res["summary"]
    n = s["splits"]
    per = res["perSplit"]
    splits = [res["selections"][str(i + 1)]["selected"] for i in range(n)]
    lines: List[str] = [
        f"Source: `models/training/results/reference_v2_selection.json` ({n} pnas splits; test patients scored once, "
        "after every choice was made inside the split's training patients).",
        "",
        "| variant (per split, fitted on its training patients) | survival c-index | ahead of 3-variable Cox | "
        "grade AUC micro | grade accuracy |",
        "|---|---|---|---|---|",
        f"| UMEML v2: deep path + linear clinical path, nested selection | {_ms(s['umeml']['cIndex'])} | "
        f"{s['umemlAheadOfCox3']} of {n} | {_ms(s['umeml']['gradeAucMicro'])} | {_ms(s['umeml']['gradeAccuracy'])} |",
        f"| the linear clinical path alone (ridge initialisation, before training) | "
        f"{_ms(s['clinicalPathAlone']['cIndex'])} | {s['clinicalPathAheadOfCox3']} of {n} | "
        f"{_ms(s['clinicalPathAlone']['gradeAucMicro'])} | {_ms(s['clinicalPathAlone']['gradeAccuracy'])} |",
        f"| ridge Cox on IDH + 1p/19q + age (this script's check) | {_ms(s['cox3']['cIndex'])} | – | – | – |",
        "",
        f"Nested choices over the {n} splits — epochs: {_counts(x['epochs'] for x in splits)}; weights: "
        f"{_counts(x['weights'] for x in splits)}; survival feature set of the clinical path: "
        f"{_counts(p['ridge']['survSubset'] for p in per)}. Final model (all patients): "
        f"{res['selections']['final']['selected']['epochs']} epochs, {res['selections']['final']['selected']['weights']} "
        "weights.",
        "",
        "Inner-CV scores of every candidate (training patients only; mean over the splits of each split's mean over "
        "its 3 inner folds):",
        "",
        "| epochs | weights | inner c-index | inner grade AUC micro | selected in |",
        "|---|---|---|---|---|",
    ]
    cands = {}
    for i in range(n):
        for row in res["selections"][str(i + 1)]["candidates"]:
            cands.setdefault((row["epochs"], row["weights"]), []).append(row)
    chosen = Counter((x["epochs"], x["weights"]) for x in splits)
    for (ep, w), rows in sorted(cands.items()):
        c = sum(r["innerCIndex"] for r in rows) / len(rows)
        a = sum(r["innerGradeAucMicro"] for r in rows) / len(rows)
        lines.append(f"| {ep} | {w} | {c:.4f} | {a:.4f} | {chosen.get((ep, w), 0)} of {n} |")
    return "\n".join(lines) + "\n"


P_BEGIN = "<!-- generated:porpoise-v2:begin -->"
P_END = "<!-- generated:porpoise-v2:end -->"


def render_porpoise(res: Dict) -> str:
    s = res["summary"]
    n = s["folds"]
    lines = [
        f"Source: `models/training/results/porpoise_v2.json` (`train_porpoise.py`; {n} folds, validation patients "
        "scored once).",
        "",
        "| model (per fold, fitted on its training patients) | c-index | ahead of ridge Cox (all inputs) |",
        "|---|---|---|",
        f"| UMEML v2 (deep + linear clinical path, nested selection) | {_ms(s['umeml'])} | "
        f"{s['umemlAheadOfRidgeCox']} of {n} |",
        f"| the linear clinical path alone | {_ms(s['clinicalPathAlone'])} | – |",
        f"| ridge Cox on 30 CNV + 16 mutations + age (measured here) | {_ms(s['ridgeCoxAll'])} | – |",
        "",
        f"Goal ≥ {s['goal']}: {'met' if s['umeml']['mean'] >= s['goal'] else '**missed**'}. Selected epochs per fold: "
        + ", ".join(str(p["selected"]["epochs"]) for p in res["perFold"]) + ".",
    ]
    return "\n".join(lines) + "\n"


def replace_block(doc: str, block: str, begin: str = BEGIN, end: str = END) -> str:
    a, b = doc.index(begin) + len(begin), doc.index(end)
    return doc[:a] + "\n" + block + doc[b:]


def update_docs(results_path, docs_path) -> bool:
    """Rewrite the generated block of docs_path from results_path; -> True if the file changed."""
    import json
    from pathlib import Path
    doc = Path(docs_path).read_text()
    new = replace_block(doc, render(json.loads(Path(results_path).read_text())))
    porpoise = Path(results_path).parent / "porpoise_v2.json"
    if porpoise.exists() and P_BEGIN in new:
        new = replace_block(new, render_porpoise(json.loads(porpoise.read_text())), P_BEGIN, P_END)
    if new != doc:
        Path(docs_path).write_text(new)
    return new != doc


if __name__ == "__main__":
    # /usr/bin/python3 models/training/umeml/v2_report.py [RESULTS_JSON] [DOCS_MD]
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[3]
    argv = sys.argv[1:]
    res = argv[0] if argv else root / "models" / "training" / "results" / "reference_v2_selection.json"
    doc = argv[1] if len(argv) > 1 else root / "docs" / "model.md"
    print("updated" if update_docs(res, doc) else "unchanged", doc)
