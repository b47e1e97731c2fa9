"""Loaders: the real TCGA-GBMLGG tables (counts from ../shared/data/README.md) and patch-feature bags."""
import json

import numpy as np
import pytest

from umeml.data import (CLASS_LABELS, Normaliser, class_label, genomics_from_columns, group_names, group_sizes,
                        load_bag_dataset, read_bag, survival_bin_edges, survival_bins)
from umeml.protocol import prepare


def test_tcga_counts(cohort):
    c = cohort
    assert c.n == 769
    assert c.x.shape == (769, 81)
    assert int(c.markers_known.sum()) == 697          # IDH and 1p/19q known (72 missing)
    assert int((c.grade >= 0).sum()) == 736           # 33 lack grade
    assert int(c.grade_eval_mask().sum()) == 664
    assert int(np.isnan(c.x[:, 2]).sum()) == 7        # blank CNVs
    assert int(np.isnan(c.x[:, -1]).sum()) == 33      # age missing
    # survival is in days (0..6423), censored = 1 means alive
    assert c.time_days.max() == 6423
    assert int(c.event.sum()) == 388
    assert c.train_splits.shape == (769, 15)
    assert np.all((~c.train_splits).sum(axis=0) == 153)
    assert c.ids[0] == "TCGA-02-0001"


def test_tcga_feature_schema(cohort):
    specs = cohort.specs
    assert [s.id for s in specs[:3]] == ["codeletion_1p19q", "idh_mutation", "cnv_egfr"]
    assert specs[-1].id == "age_at_diagnosis" and specs[-1].group == "clinical" and specs[-1].unit == "years"
    assert group_sizes(specs) == [2, 41, 37, 1]
    assert group_names(specs) == ["marker", "gene_cnv", "arm_cnv", "clinical"]
    assert len({s.id for s in specs}) == 81
    # every observed value lies within its declared range
    for j, s in enumerate(specs):
        v = cohort.x[:, j]
        v = v[~np.isnan(v)]
        assert v.min() >= s.min and v.max() <= s.max, s.id
    # all_dataset.csv column names are accepted aliases
    assert "idh mutation" in specs[1].aliases and "1q" in specs[43].aliases and "Age at diagnosis" in specs[-1].aliases


def test_class_labels(cohort):
    counts = np.bincount(cohort.klass[cohort.klass >= 0], minlength=6)
    assert counts.tolist() == [262, 17, 88, 96, 60, 69]
    assert class_label("IDHwt", 3) == -1
    assert class_label("IDHmut-codel", 4) == -1
    assert class_label("IDHmut-non-codel", 2) == CLASS_LABELS.index("A_IDHmut_G2")
    assert class_label("NA", 4) == -1
    # every class-labelled patient has its markers known
    assert np.all(cohort.markers_known[cohort.klass >= 0])


def test_normaliser_and_prepare(cohort):
    fd = prepare(cohort, cohort.train_splits[:, 0])
    tr = fd.train_rows
    assert np.all(cohort.train_splits[tr, 0]) and np.all(cohort.markers_known[tr])
    z, mask = fd.data.z, fd.data.mask
    assert np.all(z[mask == 0] == 0.0)
    assert np.allclose(z[tr][mask[tr] == 1].reshape(-1).mean(), 0.0, atol=0.05)
    # populations: survival labels only for the protocol set
    assert np.all(fd.data.event[~cohort.markers_known] == -1)
    n = Normaliser.fit(np.array([[1.0, np.nan], [3.0, 5.0]]))
    zz, mm = n.transform(np.array([[np.nan, 5.0]]))
    assert zz.tolist() == [[0.0, 0.0]] and mm.tolist() == [[0.0, 1.0]]


def test_survival_bins():
    t = np.array([10.0, 20, 30, 40, 50, 60, 70, 80])
    e = np.array([1, 1, 1, 1, 1, 1, 1, 1])
    edges = survival_bin_edges(t, e, 4)
    assert edges[0] == 0 and np.isinf(edges[-1]) and len(edges) == 5
    # quartiles 27.5, 45, 62.5; a time equal to an edge belongs to the later bin
    assert survival_bins(np.array([0.0, 27.4, 27.5, 1e6]), edges).tolist() == [0, 0, 1, 3]


def test_read_bag_formats(tmp_path):
    feats = np.arange(12, dtype=np.float32).reshape(3, 4)
    d = tmp_path / "slideA"
    d.mkdir()
    (d / "features.f32").write_bytes(feats.astype("<f4").tobytes())
    (d / "coords.json").write_text(json.dumps({"featureDim": 4, "count": 3, "coords": [[0, 0], [224, 0], [0, 224]]}))
    assert np.array_equal(read_bag(d, 4), feats)
    np.savez(tmp_path / "slideB.npz", features=feats * 2)
    assert np.array_equal(read_bag(tmp_path / "slideB.npz"), feats * 2)
    (d / "coords.json").write_text(json.dumps({"featureDim": 4, "count": 4}))
    with pytest.raises(ValueError, match="expected count"):
        read_bag(d)
    with pytest.raises(ValueError, match="feature dim"):
        read_bag(tmp_path / "slideB.npz", expected_dim=5)


def test_load_bag_dataset(tmp_path):
    for name, n in (("a", 2), ("b", 3)):
        np.savez(tmp_path / f"{name}.npz", features=np.ones((n, 4), np.float32) * n)
    (tmp_path / "labels.csv").write_text(
        "patient_id,bags,grade,class,time_days,event,IDH mutation,EGFR\n"
        "P1,a.npz;b.npz,III,A_IDHmut_G3,400,1,1,0\n"
        "P2,,II,,,,NA,2\n")
    recs = load_bag_dataset(tmp_path / "labels.csv", expected_dim=4)
    assert recs[0].features.shape == (5, 4) and recs[0].grade == 1 and recs[0].klass == 2 and recs[0].event == 1
    assert recs[1].features.shape == (0, 4) and recs[1].event == -1 and np.isnan(recs[1].time_days)
    from umeml.data import feature_specs
    specs = feature_specs(["codeletion", "idh mutation", "EGFR"], with_age=True)
    g = genomics_from_columns(recs[0].genomics, specs)
    assert np.isnan(g[0]) and g[1] == 1 and g[2] == 0 and np.isnan(g[3])
    (tmp_path / "bad.csv").write_text("patient_id,bags,grade\nP1,a.npz,V\n")
    with pytest.raises(ValueError, match="grade 'V'"):
        load_bag_dataset(tmp_path / "bad.csv")
