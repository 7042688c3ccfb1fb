"""One pass over the logits for every loss: one softmax, closed-form gradients.

Autograd through log-softmax, exp, gathers and per-class sums keeps several ``(N, K, H, W)``
tensors and runs as many passes over them. ``SoftmaxPass`` keeps one (the softmax p) and returns
what the pixel and region losses are made of:

- ``p_true``, ``log_p_true``: ``p_{i,y_i}`` and ``log p_{i,y_i}`` ``(N, H, W)`` (0 at ignored pixels);
- ``sums``: ``(N, K, M)`` per image and class, ``S_m[n, c] = Σ_i v_i f_m(i, c) p_ic^{e_m}`` over the
  valid pixels i of image n, one column per requested power ``e_m`` (``powers``, f = 1) and one more
  when a constant map ``f`` (``weights``, ``(N, K, H, W)``, e = 1) is given.

Everything else derives from these with ordinary autograd on tensors ``K`` times smaller: the soft
true positives ``TP_c = Σ_{y_i = c} p_{i,c}`` index-add ``p_true``, cross-entropy and focal terms
use ``log_p_true``. Gradients: with ``G_i`` the incoming gradient of ``log p_{i,y_i}`` (that of
``p_{i,y_i}`` contributes ``p_{i,y_i}`` times its own) and ``u_ik = Σ_m B_m[n, k] ∂S_m/∂p_ik``,
through the softmax ``∂L/∂z_ik = p_ik (u_ik - r_i - G_i) + [k = y_i] G_i`` with
``r_i = Σ_k p_ik u_ik`` (for powers 1 only, ``r`` is one batched matrix product).

Binary mode is the softmax of the two logits ``[0, z]``, whose probabilities are ``[1 - σ(z), σ(z)]``
and whose gradient with respect to the second is that with respect to z.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

TINY = 1e-30  # below this a true-class probability is recomputed as z_y - logsumexp(z)


class PassResult(NamedTuple):
    p_true: torch.Tensor  # (N, H, W), 0 at ignored pixels
    log_p_true: torch.Tensor  # (N, H, W), 0 at ignored pixels
    sums: torch.Tensor  # (N, K, M)


def _true_log_probs(logits: torch.Tensor, target: torch.Tensor, p_true: torch.Tensor, valid: torch.Tensor):
    log_p = torch.log(p_true.clamp_min(TINY))
    small = valid & (p_true < TINY)
    if small.any():  # underflowed probabilities: exact log-softmax for those pixels only
        z = logits.permute(0, 2, 3, 1)[small]
        z_true = logits.gather(1, target.unsqueeze(1)).squeeze(1)[small]
        log_p[small] = z_true - torch.logsumexp(z, dim=1)
    return torch.where(valid, log_p, torch.zeros_like(log_p))


class SoftmaxPass(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target, valid, powers: tuple[int, ...], weights):
        probs = torch.softmax(logits, dim=1)
        if not bool(valid.all()):
            probs.mul_(valid.unsqueeze(1))
        p_true = probs.gather(1, target.unsqueeze(1)).squeeze(1)
        log_p = _true_log_probs(logits, target, p_true, valid)
        columns = [(probs if e == 1 else probs**e).sum(dim=(2, 3)) for e in powers]
        if weights is not None:
            columns.append((probs * weights).sum(dim=(2, 3)))
        sums = torch.stack(columns, dim=-1) if columns else probs.new_zeros(*probs.shape[:2], 0)
        ctx.save_for_backward(probs, p_true, target, valid, weights)
        ctx.powers = powers
        return p_true, log_p, sums

    @staticmethod
    def backward(ctx, grad_p_true, grad_log_p, grad_sums):
        probs, p_true, target, valid, weights = ctx.saved_tensors
        g = (grad_log_p + grad_p_true * p_true) * valid  # the whole gradient of log p_{i,y_i}
        grad = (_sums_gradient(probs, grad_sums, ctx.powers, weights) - g.unsqueeze(1)) * probs
        grad.scatter_add_(1, target.unsqueeze(1), g.unsqueeze(1))
        return grad, None, None, None, None


def _sums_gradient(probs, grad_sums, powers, weights) -> torch.Tensor:
    """``u_ik - r_i`` (see the module's docstring), broadcastable to ``probs``."""
    n, k = probs.shape[:2]
    columns = grad_sums.unbind(-1)
    if not bool(grad_sums.any()):  # the sums took no part in the loss (CE, Focal)
        return probs.new_zeros(())
    if weights is None and all(e == 1 for e in powers):  # u_ik = b_nk: r = b·p, one matrix product
        b = grad_sums.sum(-1)
        r = torch.bmm(b.view(n, 1, k), probs.view(n, k, -1)).view(n, 1, *probs.shape[2:])
        return b.view(n, k, 1, 1) - r
    u = sum(e * b.view(n, k, 1, 1) * probs ** (e - 1) for e, b in zip(powers, columns))
    if weights is not None:
        u = u + columns[-1].view(n, k, 1, 1) * weights
    return u - (probs * u).sum(dim=1, keepdim=True)


def softmax_pass(
    logits: torch.Tensor,
    target: torch.Tensor,
    valid: torch.Tensor,
    binary: bool,
    powers: tuple[int, ...] = (1,),
    weights: torch.Tensor | None = None,
) -> PassResult:
    """``SoftmaxPass`` of ``logits`` ``(N, C, H, W)`` (binary: C = 1, the probabilities [1 - σ(z), σ(z)])."""
    if binary:
        logits = torch.cat([torch.zeros_like(logits), logits], dim=1)
    return PassResult(*SoftmaxPass.apply(logits, target, valid, tuple(powers), weights))
