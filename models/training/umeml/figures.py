"""SVG figures drawn from evaluation/report.json (plain text, deterministic, no plotting library on the machine):
reliability diagrams with bootstrap bands, survival calibration at 2 years, Kaplan–Meier by out-of-fold risk group."""
from __future__ import annotations

from typing import Dict, List, Tuple

W, H, M = 400, 300, 48
LINE = 13
COLOURS = ["#1b7837", "#b8860b", "#b2182b", "#2166ac"]
RUO = "For Research Use Only. Not for use in diagnostic procedures."


def _xy(x: float, y: float, x0: float, x1: float, y0: float, y1: float) -> Tuple[float, float]:
    return (M + (x - x0) / (x1 - x0) * (W - 2 * M), H - M - (y - y0) / (y1 - y0) * (H - 2 * M))


def _frame(title: str, xlabel: str, ylabel: str, x0: float, x1: float, y0: float, y1: float, ticks: List[float],
           yticks: List[float], xfmt=lambda v: f"{v:g}", notes: List[Tuple[str, str]] = ()) -> List[str]:
    """Axes, labels, RUO line; `notes` = (text, colour) lines printed under the plot (legend, statistics)."""
    total = H + 16 + LINE * len(notes)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{total}" viewBox="0 0 {W} {total}" '
           'font-family="sans-serif" font-size="10">',
           f'<rect width="{W}" height="{total}" fill="white"/>',
           f'<text x="{W / 2}" y="16" text-anchor="middle" font-size="11">{title}</text>',
           f'<line x1="{M}" y1="{H - M}" x2="{W - M}" y2="{H - M}" stroke="black"/>',
           f'<line x1="{M}" y1="{M}" x2="{M}" y2="{H - M}" stroke="black"/>',
           f'<text x="{W / 2}" y="{H - 14}" text-anchor="middle">{xlabel}</text>',
           f'<text x="12" y="{H / 2}" text-anchor="middle" transform="rotate(-90 12 {H / 2})">{ylabel}</text>',
           f'<text x="{W / 2}" y="{total - 6}" text-anchor="middle" font-size="8" fill="#555">{RUO}</text>']
    for i, (text, colour) in enumerate(notes):
        out.append(f'<text x="16" y="{H + 4 + LINE * i}" fill="{colour}">{text}</text>')
    for v in ticks:
        x, _ = _xy(v, y0, x0, x1, y0, y1)
        out.append(f'<text x="{x:.1f}" y="{H - M + 12}" text-anchor="middle">{xfmt(v)}</text>')
    for v in yticks:
        _, y = _xy(x0, v, x0, x1, y0, y1)
        out.append(f'<text x="{M - 4}" y="{y + 3:.1f}" text-anchor="end">{v:g}</text>')
    return out


def reliability_svg(title: str, rel: Dict, x0: float) -> str:
    """Top-class confidence vs accuracy; grey band = 95 % bootstrap interval of each bin's accuracy."""
    b = rel["bins"]
    box = (x0, 1.0, 0.0, 1.0)
    notes = [(f"n = {rel['n']}, ECE {rel['ece']:.3f}; perfectly calibrated: {rel['eceIfCalibratedMean']:.3f} "
              f"(95th pct {rel['eceIfCalibrated95']:.3f})", "black"),
             ("band: 95 % bootstrap interval of the accuracy; dot size ∝ patients", "#555")]
    out = _frame(title, "predicted probability of the top class", "observed accuracy", *box,
                 [round(x0, 2), 0.5, 0.75, 1.0], [0, 0.25, 0.5, 0.75, 1.0], notes=notes)
    a, c = _xy(x0, x0, *box), _xy(1, 1, *box)
    out.append(f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{c[0]:.1f}" y2="{c[1]:.1f}" stroke="#888" stroke-dasharray="4 3"/>')
    if b:
        up = [_xy(x["confidence"], x["accuracyHi"], *box) for x in b]
        lo = [_xy(x["confidence"], x["accuracyLo"], *box) for x in reversed(b)]
        out.append('<polygon fill="#bbbbbb" fill-opacity="0.5" stroke="none" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in up + lo) + '"/>')
        pts = [_xy(x["confidence"], x["accuracy"], *box) for x in b]
        out.append('<polyline fill="none" stroke="#2166ac" stroke-width="1.5" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
        for (x, y), bin_ in zip(pts, b):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{2 + min(bin_["n"], 200) / 50:.1f}" fill="#2166ac"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def survival_calibration_svg(title: str, deciles: List[Dict]) -> str:
    hi = max(1e-6, max(max(d["predicted"], d["observedHi"]) for d in deciles))
    top = min(1.0, round(hi + 0.05, 1))
    box = (0.0, top, 0.0, top)
    ticks = [round(top * i / 4, 2) for i in range(5)]
    out = _frame(title, "predicted risk of death by t", "observed (Kaplan–Meier) risk by t", *box, ticks, ticks,
                 notes=[("one dot per tenth of predicted risk; bar: 95 % bootstrap interval", "#555")])
    a, c = _xy(0, 0, *box), _xy(top, top, *box)
    out.append(f'<line x1="{a[0]:.1f}" y1="{a[1]:.1f}" x2="{c[0]:.1f}" y2="{c[1]:.1f}" stroke="#888" stroke-dasharray="4 3"/>')
    for d in deciles:
        x, y = _xy(d["predicted"], d["observed"], *box)
        _, yl = _xy(d["predicted"], d["observedLo"], *box)
        _, yh = _xy(d["predicted"], d["observedHi"], *box)
        out.append(f'<line x1="{x:.1f}" y1="{yl:.1f}" x2="{x:.1f}" y2="{yh:.1f}" stroke="#999"/>')
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#b2182b"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def km_svg(title: str, groups: List[Dict], p: float) -> str:
    tmax = 365.25 * 10
    box = (0.0, tmax, 0.0, 1.0)
    notes = [(f'{g["name"]} risk (n = {g["n"]}, {g["events"]} deaths)', COLOURS[i]) for i, g in enumerate(groups)]
    notes.append((f"log-rank p = {p:.2g}", "black"))
    out = _frame(title, "years since diagnosis", "overall survival", *box, [0, 365.25 * 2.5, 365.25 * 5,
                 365.25 * 7.5, tmax], [0, 0.25, 0.5, 0.75, 1.0], xfmt=lambda v: f"{v / 365.25:g}", notes=notes)
    for gi, g in enumerate(groups):
        pts, prev = [], 1.0
        for t, s in zip(g["timesDays"], g["survival"]):
            if t > tmax:
                break
            pts += [_xy(t, prev, *box), _xy(t, s, *box)]
            prev = s
        pts.append(_xy(tmax, prev, *box))
        out.append(f'<polyline fill="none" stroke="{COLOURS[gi]}" stroke-width="1.5" points="'
                   + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts) + '"/>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def figures(report: Dict) -> Dict[str, str]:
    """file name → SVG text."""
    out: Dict[str, str] = {}
    g = report["grade"].get("umeml")
    if g:
        out["reliability_grade.svg"] = reliability_svg("UMEML grade (after temperature scaling)", g["reliability"], 1 / 3)
        if "reliabilityBefore" in g:
            out["reliability_grade_before.svg"] = reliability_svg("UMEML grade (before temperature scaling)",
                                                                  g["reliabilityBefore"], 1 / 3)
    k = report["class"].get("umeml")
    if k:
        out["reliability_class.svg"] = reliability_svg("UMEML 6-class diagnosis", k["reliability"], 1 / 6)
    for mid, s in report["survival"].items():
        out[f"km_{mid}.svg"] = km_svg(f"{report['labels'][mid]}: out-of-fold risk groups",
                                      s["riskGroups"]["groups"], s["riskGroups"]["logRankP"])
        for h, cal in s["calibration"].items():
            if cal:
                out[f"calibration_{h}_{mid}.svg"] = survival_calibration_svg(
                    f"{report['labels'][mid]}: calibration at {h[:-1]} years", cal["deciles"])
    return out
