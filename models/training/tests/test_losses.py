"""Modularity loss against hand-computed graphs; discrete-time survival NLL; Cox partial likelihood."""
import math

import torch

from umeml.losses import (cox_partial_nll, modularity_loss, modularity_loss_from_assignments, modularity_matrix,
                          survival_nll, trace_sws)


def test_modularity_two_disconnected_edges():
    # x1 = x2 = e1, x3 = x4 = e2 -> A12 = A34 = 1, all other off-diagonal 0; k = 1, 2e = 4
    x = torch.tensor([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]])
    w, two_e = modularity_matrix(x, torch.ones(1, 4))
    assert float(two_e) == 4.0
    expected_w = torch.tensor([[-0.25, 0.75, -0.25, -0.25],
                               [0.75, -0.25, -0.25, -0.25],
                               [-0.25, -0.25, -0.25, 0.75],
                               [-0.25, -0.25, 0.75, -0.25]])
    torch.testing.assert_close(w[0], expected_w)
    s_good = torch.tensor([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0]]])
    s_uniform = torch.full((1, 4, 2), 0.5)
    # Tr(S^T W S): (-.25+.75+.75-.25) * 2 = 2 -> Q = 2 / 4 = 0.5 (Newman modularity of two separate edges)
    assert abs(float(trace_sws(s_good, w)) - 2.0) < 1e-6
    # uniform assignment: 1^T W 1 = 0 -> no modularity
    assert abs(float(trace_sws(s_uniform, w))) < 1e-6
    # L = -1/(2e) (alpha Tr_p + beta Tr_g) = -(0.7 * 2 + 0.3 * 0) / 4
    loss = modularity_loss_from_assignments(w, two_e, s_good, s_uniform, alpha=0.7, beta=0.3)
    assert abs(float(loss) - (-0.35)) < 1e-6


def test_modularity_weighted_path_graph():
    # x1 = e1, x2 = (e1 + e2)/sqrt2, x3 = e2: cos12 = cos23 = a = 1/sqrt2, cos13 = 0 -> a weighted path 1-2-3
    a = 1 / math.sqrt(2)
    x = torch.tensor([[[1.0, 0.0], [a, a], [0.0, 1.0]]])
    w, two_e = modularity_matrix(x, torch.ones(1, 3))
    assert abs(float(two_e) - 4 * a) < 1e-6
    # partition {1,2},{3}: Q = sum_c [L_c/e - (d_c/2e)^2] = a/(2a) - (3a/4a)^2 - (a/4a)^2 = 1/2 - 9/16 - 1/16 = -1/8
    s = torch.tensor([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]])
    q = float(trace_sws(s, w) / two_e)
    assert abs(q - (-0.125)) < 1e-6
    loss = modularity_loss_from_assignments(w, two_e, s, None, alpha=1.0, beta=1.0)
    assert abs(float(loss) - 0.125) < 1e-6


def test_modularity_ignores_padding_and_needs_edges():
    x = torch.tensor([[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [0.0, 1.0], [5.0, 5.0], [-1.0, 2.0]]])
    protos = torch.tensor([[[1.0, 0.0], [0.0, 1.0]]])
    mask = torch.tensor([[1.0, 1, 1, 1, 0, 0]])
    with_pad = modularity_loss(x, mask, protos, None, tau=0.01)
    without = modularity_loss(x[:, :4], torch.ones(1, 4), protos, None, tau=0.01)
    torch.testing.assert_close(with_pad, without)
    # near-hard assignment to the right prototypes recovers Q ~ 0.5
    assert abs(float(without) + 0.5) < 1e-3
    # a bag with a single patch has no edges and contributes nothing
    lone = modularity_loss(x[:, :1], torch.ones(1, 1), protos, None, tau=0.1)
    assert float(lone) == 0.0


def test_modularity_gradient_moves_prototypes_not_patches():
    x = torch.randn(1, 10, 8, requires_grad=True)
    protos = torch.randn(1, 3, 8, requires_grad=True)
    modularity_loss(x, torch.ones(1, 10), protos, None, tau=0.1).backward()
    assert x.grad is None or torch.all(x.grad == 0)
    assert protos.grad is not None and torch.any(protos.grad != 0)


def test_survival_nll_hand_computed():
    logits = torch.zeros(2, 4)                    # h = 0.5 in every bin
    bins = torch.tensor([1, 2])
    event = torch.tensor([1, 0])
    # death in bin 1: -log S_0 - log h_1 = 2 log 2; censored in bin 2: -log S_2 = 3 log 2
    loss = survival_nll(logits, bins, event)
    assert abs(float(loss) - 2.5 * math.log(2)) < 1e-6
    # alpha weights the uncensored term: (1-a)*2.5log2 + a*(2log2 + 0)/2
    loss_a = survival_nll(logits, bins, event, alpha=0.4)
    assert abs(float(loss_a) - (0.6 * 2.5 + 0.4 * 1.0) * math.log(2)) < 1e-6
    # death in bin 0 with hazard sigmoid(2): -log sigmoid(2)
    l0 = survival_nll(torch.tensor([[2.0, 0.0, 0.0, 0.0]]), torch.tensor([0]), torch.tensor([1]))
    assert abs(float(l0) + math.log(1 / (1 + math.exp(-2)))) < 1e-6


def test_survival_nll_prefers_correct_hazards():
    bins = torch.tensor([0, 3])
    event = torch.tensor([1, 0])
    good = torch.tensor([[3.0, 0, 0, 0], [-3.0, -3, -3, -3]])
    bad = -good
    assert float(survival_nll(good, bins, event)) < float(survival_nll(bad, bins, event))


def test_cox_partial_nll_hand_computed_with_ties():
    risk = torch.tensor([0.0, math.log(2.0), 0.0])
    time = torch.tensor([1.0, 1.0, 2.0])
    event = torch.tensor([1.0, 1.0, 0.0])
    # Breslow: both deaths at t=1 share risk set {1,2,3} with sum exp = 1 + 2 + 1 = 4
    expected = -((0.0 - math.log(4)) + (math.log(2) - math.log(4))) / 2
    assert abs(float(cox_partial_nll(risk, time, event)) - expected) < 1e-6
