"""Training losses: modularity (UMEML), discrete-time survival NLL, Cox partial likelihood (baselines).

Modularity loss, shapes for one bag with N patches, K centres (P prototypes or T genomic tokens), width d:
  X   [N,d]  patch embeddings (detached: the graph is a fixed target, only the centres move)
  A   [N,N]  affinity, A_ij = max(0, cos(x_i, x_j)) for i != j, A_ii = 0, rows/cols of padding = 0
  k   [N]    degrees, k = A 1;   2e = 1^T A 1 (scalar, twice the total edge weight)
  W   [N,N]  Newman modularity matrix, W = A - k k^T / (2e)
  S   [N,K]  soft assignment of patches to centres, rows sum to 1 (0 for padding)
  S^T W S [K,K]; Tr(S^T W S) / (2e) is the (soft) Newman modularity Q of the partition S
  L_mod = -1/(2e) * (alpha * Tr(S_p^T W S_p) + beta * Tr(S_g^T W S_g))
The paper writes Tr(W S^T S); with S [N,K] that product needs S S^T [N,N], and Tr(W S S^T) = Tr(S^T W S) by the
cyclic property, so the two are the same quantity. The loss is averaged over bags that have at least one edge.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from .model import cosine_assignment


def modularity_matrix(x: torch.Tensor, mask: torch.Tensor):
    """x [B,N,d], mask [B,N] -> (W [B,N,N], two_e [B])."""
    xn = F.normalize(x, dim=-1)
    a = torch.relu(torch.matmul(xn, xn.transpose(1, 2)))
    n = x.shape[1]
    a = a * (1.0 - torch.eye(n, dtype=x.dtype, device=x.device)).unsqueeze(0)
    a = a * mask.unsqueeze(2) * mask.unsqueeze(1)
    k = a.sum(dim=2)
    two_e = a.sum(dim=(1, 2))
    safe = torch.where(two_e > 0, two_e, torch.ones_like(two_e))
    w = a - k.unsqueeze(2) * k.unsqueeze(1) / safe[:, None, None]
    return w, two_e


def trace_sws(s: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Tr(S^T W S) per bag: s [B,N,K], w [B,N,N] -> [B]."""
    return (s * torch.matmul(w, s)).sum(dim=(1, 2))


def modularity_loss_from_assignments(w: torch.Tensor, two_e: torch.Tensor, s_p: torch.Tensor,
                                     s_g: torch.Tensor | None, alpha: float, beta: float,
                                     gen_weight: torch.Tensor | None = None) -> torch.Tensor:
    """L_mod averaged over bags with 2e > 0. gen_weight [B] switches the genomic term off per bag."""
    term = alpha * trace_sws(s_p, w)
    if s_g is not None and beta != 0.0:
        tg = beta * trace_sws(s_g, w)
        if gen_weight is not None:
            tg = tg * gen_weight
        term = term + tg
    valid = (two_e > 0).to(w.dtype)
    safe = torch.where(two_e > 0, two_e, torch.ones_like(two_e))
    per_bag = -term / safe * valid
    return per_bag.sum() / torch.clamp(valid.sum(), min=1.0)


def modularity_loss(patch_embeddings: torch.Tensor, mask: torch.Tensor, prototypes: torch.Tensor,
                    genomic_tokens: torch.Tensor | None, tau: float, alpha: float = 1.0, beta: float = 1.0,
                    gen_weight: torch.Tensor | None = None) -> torch.Tensor:
    """Full UMEML modularity loss from model internals. The caller subsamples huge bags (W is N x N)."""
    x = patch_embeddings.detach()
    w, two_e = modularity_matrix(x, mask)
    s_p = cosine_assignment(x, prototypes, tau) * mask.unsqueeze(2)
    s_g = None
    if genomic_tokens is not None:
        s_g = cosine_assignment(x, genomic_tokens, tau) * mask.unsqueeze(2)
    return modularity_loss_from_assignments(w, two_e, s_p, s_g, alpha, beta, gen_weight)


def survival_nll(hazard_logits: torch.Tensor, bins: torch.Tensor, event: torch.Tensor, alpha: float = 0.0) -> torch.Tensor:
    """Discrete-time survival negative log-likelihood with right censoring (MCAT/PORPOISE convention).

    hazard_logits [B,J]; bins [B] long, the bin containing the patient's time; event [B] (1 = death, 0 = censored).
    h_j = sigmoid(logit_j), S_j = prod_{i<=j} (1 - h_i), S_{-1} = 1.
      death in bin y:      -log S_{y-1} - log h_y
      censored in bin y:   -log S_y          (alive at the end of bin y)
    loss = (1 - alpha) * mean(all terms) + alpha * mean(death terms, censored rows count as 0).
    Computed in log space (log h = logsigmoid(l), log(1-h) = logsigmoid(-l)) for stability.
    """
    log_h = F.logsigmoid(hazard_logits)
    log_1mh = F.logsigmoid(-hazard_logits)
    log_s = torch.cumsum(log_1mh, dim=1)                                   # log S_j
    log_s_pad = torch.cat([torch.zeros_like(log_s[:, :1]), log_s], dim=1)  # index y -> log S_{y-1}
    y = bins.long().unsqueeze(1)
    ev = event.to(hazard_logits.dtype)
    uncensored = -(torch.gather(log_s_pad, 1, y).squeeze(1) + torch.gather(log_h, 1, y).squeeze(1)) * ev
    censored = -torch.gather(log_s_pad, 1, y + 1).squeeze(1) * (1.0 - ev)
    neg_l = uncensored + censored
    return (1.0 - alpha) * neg_l.mean() + alpha * uncensored.mean()


def cox_partial_nll(risk: torch.Tensor, time: torch.Tensor, event: torch.Tensor) -> torch.Tensor:
    """Negative Cox partial log-likelihood (Breslow ties), mean over events. risk = linear predictor."""
    order = torch.argsort(time, descending=True)
    r, t, e = risk[order], time[order], event[order].to(risk.dtype)
    # log-sum-exp over the risk set {j : t_j >= t_i}; with times sorted descending it is a running logcumsumexp,
    # and tied times must share the risk set of their last member
    lcse = torch.logcumsumexp(r, dim=0)
    # for ties, use the value at the last index with the same time
    uniq, inverse, counts = torch.unique_consecutive(t, return_inverse=True, return_counts=True)
    last_idx = torch.cumsum(counts, 0) - 1
    lcse = lcse[last_idx][inverse]
    n_ev = torch.clamp(e.sum(), min=1.0)
    return -((r - lcse) * e).sum() / n_ev
