"""Data loaders: (a) the TCGA-GBMLGG tables of Pathomic Fusion, (b) generic patch-feature bags + a label CSV.

TCGA-GBMLGG facts this code relies on (../shared/data/README.md):
  * all_dataset.csv: 769 rows; `Survival months` is in DAYS; `censored` = 1 means alive (event = 1 - censored);
    80 genomic features = codeletion, idh mutation, 41 gene-level GISTIC calls, 37 arm-level values; 'NA' for
    72 patients' IDH/codeletion, blanks for 7 patients' CNVs.
  * grade_data.csv (CRLF): Histology, Grade (2/3/4/NA), Age at diagnosis, Molecular subtype; other row order,
    joined on `TCGA ID`.
  * pnas_splits.csv: 15 Train/Test randomisations, same row order as all_dataset.csv (checked on load).
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[3]

GRADE_LABELS = ["II", "III", "IV"]
CLASS_LABELS = ["GBM_IDHwt_G4", "A_IDHmut_G4", "A_IDHmut_G3", "A_IDHmut_G2", "O_IDHmut_codel_G3", "O_IDHmut_codel_G2"]
CLASS_DISPLAY = [
    "Glioblastoma, IDH-wildtype, CNS WHO grade 4",
    "Astrocytoma, IDH-mutant, CNS WHO grade 4",
    "Astrocytoma, IDH-mutant, CNS WHO grade 3",
    "Astrocytoma, IDH-mutant, CNS WHO grade 2",
    "Oligodendroglioma, IDH-mutant and 1p/19q-codeleted, CNS WHO grade 3",
    "Oligodendroglioma, IDH-mutant and 1p/19q-codeleted, CNS WHO grade 2",
]
MISSING = {"", "na", "nan", "null", "none"}


def default_data_root() -> Path:
    """../shared/data beside the repository; GLIOFUSE_SHARED_DATA overrides (same rule as the TS tests)."""
    env = os.environ.get("GLIOFUSE_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


def _num(v: str) -> float:
    v = (v or "").strip()
    return float("nan") if v.lower() in MISSING else float(v)


def class_label(subtype: str, grade: int) -> int:
    """WHO CNS 2021-style 6-class label from molecular subtype + histological grade; -1 = no class label.

    IDHwt + grade 4            -> GBM_IDHwt_G4
    IDHmut-non-codel + g 4/3/2 -> A_IDHmut_G4 / G3 / G2
    IDHmut-codel + grade 3/2   -> O_IDHmut_codel_G3 / G2
    No label: subtype or grade unknown; IDHwt grade 2/3 (WHO 2021 needs TERT / EGFR / +7-10 to call these
    glioblastoma, and TERT is not in the panel, so they are left out rather than guessed); IDHmut-codel grade 4
    (not a WHO 2021 entity). Histology is not used: under WHO 2021 the molecular subtype decides the family
    (e.g. codeleted 'oligoastrocytomas' are oligodendrogliomas, IDH-wt 'astrocytoma (glioblastoma)' is GBM).
    """
    if grade not in (2, 3, 4):
        return -1
    if subtype == "IDHwt":
        return 0 if grade == 4 else -1
    if subtype == "IDHmut-non-codel":
        return {4: 1, 3: 2, 2: 3}[grade]
    if subtype == "IDHmut-codel":
        return {3: 4, 2: 5}.get(grade, -1)
    return -1


@dataclass
class FeatureSpec:
    id: str
    display_name: str
    group: str
    type: str
    min: float
    max: float
    unit: Optional[str]
    aliases: List[str]

    def to_manifest(self, impute: float, mean: float, std: float) -> dict:
        return {"id": self.id, "displayName": self.display_name, "group": self.group, "type": self.type,
                "min": self.min, "max": self.max, "unit": self.unit, "impute": impute,
                "normalise": {"mean": mean, "std": std}, "aliases": self.aliases}


def feature_specs(columns: Sequence[str], with_age: bool = True) -> List[FeatureSpec]:
    """Specs for the 80 all_dataset.csv genomic columns (in file order) + age."""
    specs: List[FeatureSpec] = []
    for c in columns:
        if c == "codeletion":
            specs.append(FeatureSpec("codeletion_1p19q", "1p/19q codeletion", "marker", "binary", 0, 1, None,
                                     ["codeletion", "1p19q codeletion", "1p/19q codeletion"]))
        elif c == "idh mutation":
            specs.append(FeatureSpec("idh_mutation", "IDH mutation", "marker", "binary", 0, 1, None,
                                     ["idh mutation", "IDH", "IDH1/2 mutation"]))
        elif c[0].isdigit():
            specs.append(FeatureSpec(f"arm_{c.lower()}", f"{c} arm-level copy number", "arm_cnv", "number", -5, 5,
                                     "log2 ratio", [c]))
        else:
            specs.append(FeatureSpec(f"cnv_{c.lower()}", f"{c} copy number (GISTIC)", "gene_cnv", "integer", -2, 2,
                                     "GISTIC", [c]))
    if with_age:
        specs.append(FeatureSpec("age_at_diagnosis", "Age at diagnosis", "clinical", "number", 0, 120, "years",
                                 ["Age at diagnosis", "age"]))
    return specs


def group_sizes(specs: Sequence[FeatureSpec]) -> List[int]:
    """Contiguous group run lengths (the model builds one token per run)."""
    sizes: List[int] = []
    names: List[str] = []
    for s in specs:
        if names and names[-1] == s.group:
            sizes[-1] += 1
        else:
            if s.group in names:
                raise ValueError(f"feature group {s.group} is not contiguous")
            names.append(s.group)
            sizes.append(1)
    return sizes


def group_names(specs: Sequence[FeatureSpec]) -> List[str]:
    out: List[str] = []
    for s in specs:
        if not out or out[-1] != s.group:
            out.append(s.group)
    return out


@dataclass
class Cohort:
    ids: List[str]
    x: np.ndarray                 # [n, G] raw values, NaN = missing
    specs: List[FeatureSpec]
    time_days: np.ndarray         # [n]
    event: np.ndarray             # [n] 1 = death
    grade: np.ndarray             # [n] 0..2, -1 unknown
    klass: np.ndarray             # [n] 0..5, -1 no label
    subtype: List[str]
    histology: List[str]
    markers_known: np.ndarray     # [n] bool: IDH and 1p/19q known (the 697-patient protocol set)
    train_splits: np.ndarray      # [n, 15] bool, True = Train in randomisation k

    @property
    def n(self) -> int:
        return len(self.ids)

    def survival_eval_mask(self) -> np.ndarray:
        return self.markers_known.copy()

    def grade_eval_mask(self) -> np.ndarray:
        return self.markers_known & (self.grade >= 0)


def load_tcga(root: Optional[Path] = None, with_age: bool = True) -> Cohort:
    root = Path(root) if root else default_data_root()
    tcga = root / "tcga" if (root / "tcga").is_dir() else root
    with open(tcga / "all_dataset.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    with open(tcga / "grade_data.csv", newline="") as f:
        grade_rows = {r["TCGA ID"].strip(): r for r in csv.DictReader(f)}
    with open(tcga / "pnas_splits.csv", newline="") as f:
        split_rows = list(csv.reader(f))

    header = list(rows[0].keys())
    gen_cols = header[header.index("codeletion"):]
    if len(gen_cols) != 80:
        raise ValueError(f"all_dataset.csv: expected 80 genomic columns, found {len(gen_cols)}")
    specs = feature_specs(gen_cols, with_age)

    ids = [r["TCGA ID"].strip() for r in rows]
    if len(split_rows) - 1 != len(ids) or any(split_rows[i + 1][0].strip() != ids[i] for i in range(len(ids))):
        raise ValueError("pnas_splits.csv rows are not in all_dataset.csv order")
    missing_grade_rows = [i for i in ids if i not in grade_rows]
    if missing_grade_rows:
        raise ValueError(f"grade_data.csv lacks {len(missing_grade_rows)} patients, e.g. {missing_grade_rows[0]}")

    x = np.array([[_num(r[c]) for c in gen_cols] for r in rows], dtype=np.float64)
    if with_age:
        age = np.array([_num(grade_rows[i]["Age at diagnosis"]) for i in ids])
        x = np.concatenate([x, age[:, None]], axis=1)
    time_days = np.array([_num(r["Survival months"]) for r in rows])   # the column is in days despite its name
    event = 1 - np.array([int(_num(r["censored"])) for r in rows])
    grade_raw = [_num(grade_rows[i]["Grade"]) for i in ids]
    grade = np.array([int(g) - 2 if not np.isnan(g) else -1 for g in grade_raw], dtype=np.int64)
    subtype = [grade_rows[i]["Molecular subtype"].strip() for i in ids]
    histology = [grade_rows[i]["Histology"].strip() for i in ids]
    klass = np.array([class_label(s, g + 2 if g >= 0 else -1) for s, g in zip(subtype, grade)], dtype=np.int64)
    markers_known = ~np.isnan(x[:, 0]) & ~np.isnan(x[:, 1])
    train = np.array([[v.strip() == "Train" for v in row[1:16]] for row in split_rows[1:]], dtype=bool)
    return Cohort(ids, x, specs, time_days, event, grade, klass, subtype, histology, markers_known, train)


@dataclass
class Normaliser:
    mean: np.ndarray
    std: np.ndarray

    @staticmethod
    def fit(x: np.ndarray) -> "Normaliser":
        mean = np.nanmean(x, axis=0)
        std = np.nanstd(x, axis=0)
        std = np.where(std > 1e-8, std, 1.0)
        return Normaliser(mean, std)

    def transform(self, x: np.ndarray):
        """-> (z float32 [n,G] with missing at 0 = the imputed mean, mask float32 [n,G] 1 = observed)."""
        mask = ~np.isnan(x)
        z = np.where(mask, (np.nan_to_num(x) - self.mean) / self.std, 0.0)
        return z.astype(np.float32), mask.astype(np.float32)


def survival_bin_edges(time_days: np.ndarray, event: np.ndarray, n_bins: int = 4) -> np.ndarray:
    """Interior edges = quantiles of the event times (MCAT convention) -> [0, q1, .., q_{J-1}, inf]."""
    q = np.quantile(time_days[event == 1], np.linspace(0, 1, n_bins + 1)[1:-1])
    return np.concatenate([[0.0], q, [np.inf]])


def survival_bins(time_days: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Bin index j such that edges[j] <= t < edges[j+1] (last bin open)."""
    return np.clip(np.searchsorted(edges, time_days, side="right") - 1, 0, len(edges) - 2).astype(np.int64)


# ---- (b) generic patch-feature bags ----------------------------------------------------------------------------

def read_bag(path: Path, expected_dim: Optional[int] = None) -> np.ndarray:
    """Read one bag: a folder with features.f32 + coords.json, or an .npz with `features` (docs/model-package.md)."""
    path = Path(path)
    if path.suffix == ".npz":
        with np.load(path) as z:
            if "features" not in z:
                raise ValueError(f"{path}: no 'features' array")
            feats = np.asarray(z["features"], dtype=np.float32)
        if feats.ndim != 2:
            raise ValueError(f"{path}: features must be 2-D [N, D], got shape {feats.shape}")
    elif path.is_dir():
        meta = json.loads((path / "coords.json").read_text())
        n, d = int(meta["count"]), int(meta["featureDim"])
        raw = (path / "features.f32").read_bytes()
        if len(raw) != n * d * 4:
            raise ValueError(f"{path}: features.f32 has {len(raw)} bytes, expected count*featureDim*4 = {n * d * 4}")
        feats = np.frombuffer(raw, dtype="<f4").reshape(n, d).astype(np.float32)
        if "coords" in meta and len(meta["coords"]) != n:
            raise ValueError(f"{path}: coords.json has {len(meta['coords'])} coords for {n} rows")
    else:
        raise ValueError(f"{path}: not a bag folder or .npz file")
    if expected_dim is not None and feats.shape[1] != expected_dim:
        raise ValueError(f"{path}: feature dim {feats.shape[1]} != expected {expected_dim}")
    if not np.all(np.isfinite(feats)):
        raise ValueError(f"{path}: non-finite feature values")
    return feats


@dataclass
class BagRecord:
    patient_id: str
    features: np.ndarray                      # [N, D] (all bags of the patient concatenated)
    grade: int = -1
    klass: int = -1
    time_days: float = float("nan")
    event: int = -1
    genomics: Dict[str, float] = field(default_factory=dict)   # raw values by column name


def load_bag_dataset(label_csv: Path, expected_dim: Optional[int] = None) -> List[BagRecord]:
    """Label CSV: patient_id,bags,grade,class,time_days,event[,genomic columns...]; bags relative to the CSV."""
    label_csv = Path(label_csv)
    base = label_csv.parent
    out: List[BagRecord] = []
    with open(label_csv, newline="") as f:
        reader = csv.DictReader(f)
        required = {"patient_id", "bags"}
        if not required.issubset(reader.fieldnames or []):
            raise ValueError(f"{label_csv}: header must contain {sorted(required)}")
        known = {"patient_id", "bags", "grade", "class", "time_days", "event"}
        for line, r in enumerate(reader, start=2):
            pid = r["patient_id"].strip()
            paths = [p.strip() for p in (r.get("bags") or "").split(";") if p.strip()]
            feats = [read_bag(base / p, expected_dim) for p in paths]
            d = expected_dim or (feats[0].shape[1] if feats else 0)
            features = np.concatenate(feats, axis=0) if feats else np.zeros((0, d), np.float32)
            g = (r.get("grade") or "").strip()
            grade = {"II": 0, "2": 0, "III": 1, "3": 1, "IV": 2, "4": 2}.get(g.upper(), -1) if g else -1
            if g and grade < 0:
                raise ValueError(f"{label_csv}:{line}: grade '{g}' is not II/III/IV")
            c = (r.get("class") or "").strip()
            if c and c not in CLASS_LABELS:
                raise ValueError(f"{label_csv}:{line}: class '{c}' is not one of {CLASS_LABELS}")
            klass = CLASS_LABELS.index(c) if c else -1
            t, e = (r.get("time_days") or "").strip(), (r.get("event") or "").strip()
            if bool(t) != bool(e):
                raise ValueError(f"{label_csv}:{line}: time_days and event must both be set or both empty")
            if e and e not in ("0", "1"):
                raise ValueError(f"{label_csv}:{line}: event must be 0 or 1")
            genomics = {k: _num(v) for k, v in r.items() if k not in known and k is not None}
            out.append(BagRecord(pid, features, grade, klass, float(t) if t else float("nan"), int(e) if e else -1, genomics))
    return out


def genomics_from_columns(values: Dict[str, float], specs: Sequence[FeatureSpec]) -> np.ndarray:
    """Raw genomic vector [G] (NaN = missing) from a dict keyed by feature id or alias (case-insensitive)."""
    lookup = {k.strip().lower(): v for k, v in values.items()}
    out = np.full(len(specs), np.nan)
    for i, s in enumerate(specs):
        for key in [s.id] + s.aliases:
            if key.lower() in lookup:
                out[i] = lookup[key.lower()]
                break
    return out
