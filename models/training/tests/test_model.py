"""UMEML network: shapes, masks, N = 0, padding invariance, absent modalities, calibration buffers."""
import numpy as np
import pytest
import torch

from umeml.model import UMEML, UMEMLConfig, ONNX_OUTPUTS

G = 81
D = 48   # small patch dim keeps the tests fast; the architecture does not depend on D


def make_model(**kw):
    torch.manual_seed(0)
    cfg = UMEMLConfig(patch_dim=D, dim=32, heads=4, **kw)
    return UMEML(cfg).eval()


def inputs(b=2, n=7, seed=0, present=(1.0, 1.0)):
    g = torch.Generator().manual_seed(seed)
    return (torch.rand(b, n, D, generator=g), torch.ones(b, n), torch.randn(b, G, generator=g), torch.ones(b, G),
            torch.tensor([list(present)] * b))


@torch.no_grad()
def test_output_shapes_and_invariants():
    m = make_model()
    out = m(*inputs(b=2, n=7))
    assert out["grade_probs"].shape == (2, 3)
    assert out["class_probs"].shape == (2, 6)
    assert out["hazards"].shape == (2, 4)
    assert out["survival"].shape == (2, 4)
    assert out["risk"].shape == (2,)
    assert out["patch_assignment"].shape == (2, 7, 5)
    assert out["patch_attention"].shape == (2, 7)
    assert out["modality_contributions"].shape == (2, 2)
    torch.testing.assert_close(out["grade_probs"].sum(1), torch.ones(2))
    torch.testing.assert_close(out["class_probs"].sum(1), torch.ones(2))
    torch.testing.assert_close(out["patch_assignment"].sum(2), torch.ones(2, 7))
    torch.testing.assert_close(out["patch_attention"].sum(1), torch.ones(2))
    torch.testing.assert_close(out["modality_contributions"].sum(1), torch.ones(2))
    s = out["survival"]
    assert torch.all(s[:, 1:] <= s[:, :-1]) and torch.all(s > 0) and torch.all(s < 1)
    h = out["hazards"]
    expected = torch.cumprod(1 - h, dim=1)
    torch.testing.assert_close(s, expected)
    torch.testing.assert_close(out["risk"], -s.sum(1))


@torch.no_grad()
def test_no_patches_n0_is_finite_and_well_formed():
    m = make_model()
    for present in ((1.0, 1.0), (0.0, 1.0)):
        out = m(*inputs(b=3, n=0, present=present))
        for k in ONNX_OUTPUTS:
            assert torch.all(torch.isfinite(out[k])), k
        assert out["patch_assignment"].shape == (3, 0, 5)
        assert out["patch_attention"].shape == (3, 0)
        torch.testing.assert_close(out["grade_probs"].sum(1), torch.ones(3))


@torch.no_grad()
def test_masked_padding_does_not_change_outputs():
    m = make_model()
    pf, pm, z, zm, mp = inputs(b=1, n=6)
    ref = m(pf, pm, z, zm, mp)
    # append 5 padding rows with wild values, masked out
    pad = torch.full((1, 5, D), 1e4)
    pad[0, ::2] = -3e3
    pf2 = torch.cat([pf, pad], dim=1)
    pm2 = torch.cat([pm, torch.zeros(1, 5)], dim=1)
    out = m(pf2, pm2, z, zm, mp)
    for k in ("grade_probs", "class_probs", "hazards", "survival", "risk", "modality_contributions"):
        torch.testing.assert_close(out[k], ref[k], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(out["patch_attention"][:, :6], ref["patch_attention"], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(out["patch_assignment"][:, :6], ref["patch_assignment"], atol=1e-6, rtol=1e-5)
    assert torch.all(out["patch_attention"][:, 6:] == 0)
    assert torch.all(out["patch_assignment"][:, 6:] == 0)


@torch.no_grad()
def test_padded_batch_equals_individual_bags():
    m = make_model()
    a = inputs(b=1, n=4, seed=1)
    b = inputs(b=1, n=9, seed=2)
    pf = torch.zeros(2, 9, D)
    pf[0, :4] = a[0][0]
    pf[1] = b[0][0]
    pm = torch.zeros(2, 9)
    pm[0, :4] = 1
    pm[1] = 1
    out = m(pf, pm, torch.cat([a[2], b[2]]), torch.ones(2, G), torch.ones(2, 2))
    for i, single in enumerate((m(*a), m(*b))):
        torch.testing.assert_close(out["risk"][i], single["risk"][0], atol=1e-6, rtol=1e-5)
        torch.testing.assert_close(out["grade_probs"][i], single["grade_probs"][0], atol=1e-6, rtol=1e-5)


@torch.no_grad()
def test_absent_pathology_ignores_patches():
    m = make_model()
    pf, pm, z, zm, _ = inputs(b=2, n=5)
    absent = torch.tensor([[0.0, 1.0]] * 2)
    o1 = m(pf, pm, z, zm, absent)
    o2 = m(pf * 7 + 3, pm, z, zm, absent)
    o3 = m(torch.zeros(2, 0, D), torch.zeros(2, 0), z, zm, absent)
    for k in ("grade_probs", "class_probs", "hazards", "risk"):
        torch.testing.assert_close(o1[k], o2[k])
        torch.testing.assert_close(o1[k], o3[k], atol=1e-6, rtol=1e-5)
    torch.testing.assert_close(o1["modality_contributions"], torch.tensor([[0.0, 1.0]] * 2))
    assert torch.all(o1["patch_attention"] == 0)


@torch.no_grad()
def test_absent_genomics_ignores_genomic_values():
    m = make_model()
    pf, pm, z, zm, _ = inputs(b=2, n=5)
    absent = torch.tensor([[1.0, 0.0]] * 2)
    o1 = m(pf, pm, z, zm, absent)
    o2 = m(pf, pm, z * -4 + 1, zm * 0, absent)
    for k in ("grade_probs", "class_probs", "hazards", "risk", "patch_attention"):
        torch.testing.assert_close(o1[k], o2[k])
    torch.testing.assert_close(o1["modality_contributions"], torch.tensor([[1.0, 0.0]] * 2))


@torch.no_grad()
def test_genomics_mask_is_an_input():
    m = make_model()
    pf, pm, z, zm, mp = inputs(b=1, n=0, present=(0.0, 1.0))
    zm2 = zm.clone()
    zm2[0, :2] = 0.0
    assert not torch.allclose(m(pf, pm, z, zm, mp)["risk"], m(pf, pm, z, zm2, mp)["risk"])


@torch.no_grad()
def test_temperature_buffers_scale_logits():
    m = make_model()
    x = inputs(b=2, n=3)
    m.grade_temperature.fill_(2.5)
    m.class_temperature.fill_(0.7)
    out = m(*x)
    torch.testing.assert_close(out["grade_probs"], torch.softmax(out["grade_logits"] / 2.5, 1))
    torch.testing.assert_close(out["class_probs"], torch.softmax(out["class_logits"] / 0.7, 1))


def test_training_shortcut_matches_full_path_without_dropout():
    m = make_model(dropout=0.0, attn_dropout=0.0)
    x = inputs(b=3, n=0, present=(0.0, 1.0))
    with torch.no_grad():
        m.train()
        fast = m(*x)
        m.eval()
        full = m(*x)
    for k in ("grade_logits", "class_logits", "hazard_logits"):
        torch.testing.assert_close(fast[k], full[k], atol=1e-6, rtol=1e-5)


def test_gradients_reach_prototypes_through_cross_attention():
    m = make_model().train()
    out = m(*inputs(b=2, n=6))
    out["risk"].sum().backward()
    assert m.prototypes.grad is not None and torch.any(m.prototypes.grad != 0)
    assert m.path_proj[0].weight.grad is not None


def test_cross_attention_cost_is_linear_in_n():
    """The only [.., N] x [.., N] product would be a patch-to-patch attention: the pathology attention maps must be
    [B, heads, P, 1 + N] (prototypes x (null + patches)), never N x N."""
    m = make_model()
    probs = []
    hook = m.cross[0].attn.register_forward_hook(lambda mod, inp, out: probs.append(out[1].shape))
    with torch.no_grad():
        m(*inputs(b=1, n=50))
    hook.remove()
    assert probs == [torch.Size([1, 1, 5, 51])]
