"""One pass over the logits for every loss: one softmax, closed-form gradients.

Autograd through log-softmax, exp, gathers and per-class sums keeps several ``(N, K, H, W)``
tensors and runs as many passes over them. ``SoftmaxPass`` keeps one (the softmax p) and returns
what the pixel and region losses are made of:

- ``p_true``, ``log_p_true``: ``p_{i,y_i}`` and ``log p_{i,y_i}`` ``(N, H, W)`` (0 at ignored pixels);
- ``sums``: ``(N, K, M)`` per image and class, ``S_m[n, c] = Σ_i v_i f_m(i, c) p_ic^{e_m}`` over the
  valid pixels i of image n, one column per requested power ``e_m`` (``powers``, f = 1) and one more
  when a constant map ``f`` (``weights``, ``(N, K, H, W)``, e = 1) is given;
- ``focal`` (when a focal exponent γ is given): ``(1 - p_{i,y_i})^γ log p_{i,y_i}`` ``(N, H, W)``
  (0 at ignored pixels), the focal loss of each pixel but for its sign and α. Its gradient is closed
  form too: ``∂/∂log p = m - γ p (1 - p)^{γ-1} log p`` with ``m = (1 - p)^γ`` (``safe_pow``'s linear
  continuation below ``EPS`` for 0 < γ < 1), computed in the forward pass and folded into ``G_i``.

Everything else derives from these with ordinary autograd on tensors ``K`` times smaller: the soft
true positives ``TP_c = Σ_{y_i = c} p_{i,c}`` index-add ``p_true``, cross-entropy and focal terms
use ``log_p_true`` (focal terms ``focal``). Gradients: with ``G_i`` the incoming gradient of
``log p_{i,y_i}`` (that of ``p_{i,y_i}`` contributes ``p_{i,y_i}`` times its own, that of ``focal``
its derivative above times its own) and ``u_ik = Σ_m B_m[n, k] ∂S_m/∂p_ik``,
through the softmax ``∂L/∂z_ik = p_ik (u_ik - r_i - G_i) + [k = y_i] G_i`` with
``r_i = Σ_k p_ik u_ik`` (for powers 1 only, ``r`` is one batched matrix product). ``u - r - G`` is
formed on ``(N, 1, H, W)`` tensors where it can, so that the backward pass writes one
``(N, K, H, W)`` tensor and scales it by p in place; gradients of outputs that no loss used are
skipped.

Binary mode is the softmax of the two logits ``[0, z]``, whose probabilities are ``[1 - σ(z), σ(z)]``
and whose gradient with respect to the second is that with respect to z.
"""

from __future__ import annotations

from typing import NamedTuple

import torch

TINY = 1e-30  # below this a true-class probability is recomputed as z_y - logsumexp(z)
EPS = 1e-7


def safe_pow(base: torch.Tensor, exponent: float | torch.Tensor) -> torch.Tensor:
    """``base ** exponent`` for ``base >= 0``: exactly 0 at 0, continuous, finite gradients everywhere.

    A fixed exponent ≥ 1 is the plain power. A fractional (or learnable) exponent has an infinite
    derivative at 0 (and 0 ** γ has a NaN derivative in γ), so below ``EPS`` the power is continued
    linearly, ``base · EPS^(γ - 1)``, which meets ``EPS^γ`` at ``EPS``. (Clamping the base would leave a
    floor of ``EPS ** exponent`` at the optimum; zeroing it below ``EPS`` would make a step of that
    size.) For γ ≥ 1 the continuation stays between ``base^γ`` and ``base``.
    """
    if not torch.is_tensor(exponent) and exponent >= 1:
        return base.clamp_min(0.0) ** exponent
    positive = base > EPS
    safe = torch.where(positive, base, torch.ones_like(base))
    return torch.where(positive, safe**exponent, base * EPS ** (exponent - 1.0))


def safe_pow_derivative(base: torch.Tensor, exponent: float) -> torch.Tensor:
    """``d safe_pow(base, exponent) / d base`` for a fixed exponent (as autograd computes it)."""
    if exponent >= 1:
        return exponent * base.clamp_min(0.0) ** (exponent - 1.0)
    positive = base > EPS
    safe = torch.where(positive, base, torch.ones_like(base))
    return torch.where(positive, exponent * safe ** (exponent - 1.0), EPS ** (exponent - 1.0))


class PassResult(NamedTuple):
    p_true: torch.Tensor  # (N, H, W), 0 at ignored pixels
    log_p_true: torch.Tensor  # (N, H, W), 0 at ignored pixels
    sums: torch.Tensor  # (N, K, M)
    focal: torch.Tensor | None  # (N, H, W) (1 - p_true)^γ log p_true, 0 at ignored pixels; None without γ


def _true_log_probs(logits: torch.Tensor, target: torch.Tensor, p_true: torch.Tensor, valid: torch.Tensor):
    log_p = torch.log(p_true.clamp_min(TINY))
    small = valid & (p_true < TINY)
    if small.any():  # underflowed probabilities: exact log-softmax for those pixels only
        z = logits.permute(0, 2, 3, 1)[small]
        z_true = logits.gather(1, target.unsqueeze(1)).squeeze(1)[small]
        log_p[small] = z_true - torch.logsumexp(z, dim=1)
    return log_p.masked_fill_(~valid, 0.0)


class SoftmaxPass(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target, valid, powers: tuple[int, ...], weights, gamma: float | None):
        ctx.set_materialize_grads(False)  # outputs no loss used get None: their gradients are skipped
        probs = torch.softmax(logits, dim=1)
        ctx.all_valid = bool(valid.all())
        if not ctx.all_valid:
            probs.mul_(valid.unsqueeze(1))
        p_true = probs.gather(1, target.unsqueeze(1)).squeeze(1)
        log_p = _true_log_probs(logits, target, p_true, valid)
        columns = [(probs if e == 1 else probs**e).sum(dim=(2, 3)) for e in powers]
        if weights is not None:
            columns.append((probs * weights).sum(dim=(2, 3)))
        sums = torch.stack(columns, dim=-1) if columns else probs.new_zeros(*probs.shape[:2], 0)
        focal = focal_slope = None
        if gamma is not None:
            one_minus = 1.0 - p_true
            modulation = safe_pow(one_minus, gamma) if gamma else torch.ones_like(p_true)
            focal = modulation * log_p
            if gamma:  # d focal / d log p = m - p log p dm/d(1 - p), in place; then 0 at ignored pixels
                focal_slope = safe_pow_derivative(one_minus, gamma).mul_(p_true).mul_(log_p).neg_().add_(modulation)
            else:
                focal_slope = modulation
            if not ctx.all_valid:
                focal_slope = focal_slope * valid
        ctx.save_for_backward(probs, p_true, target, valid, weights, focal_slope)
        ctx.powers = powers
        return p_true, log_p, sums, focal

    @staticmethod
    def backward(ctx, grad_p_true, grad_log_p, grad_sums, grad_focal):
        probs, p_true, target, valid, weights, focal_slope = ctx.saved_tensors
        g = None  # the whole gradient of log p_{i,y_i}, 0 at ignored pixels (where p_true is 0)
        if grad_log_p is not None:
            g = grad_log_p if ctx.all_valid else grad_log_p * valid
        if grad_p_true is not None:
            g = _add(g, grad_p_true * p_true)
        if grad_focal is not None:
            g = _add(g, grad_focal * focal_slope)
        u, r = _sums_gradient(probs, grad_sums, ctx.powers, weights)
        shift = _add(r, None if g is None else g.unsqueeze(1))  # r_i + G_i, (N, 1, H, W)
        if u is None:
            grad = probs * -shift if shift is not None else torch.zeros_like(probs)
        else:
            grad = u - shift if shift is not None else u.expand_as(probs).clone()
            grad.mul_(probs)
        if g is not None:
            grad.scatter_add_(1, target.unsqueeze(1), g.unsqueeze(1))
        return grad, None, None, None, None, None


def _add(a: torch.Tensor | None, b: torch.Tensor | None) -> torch.Tensor | None:
    return b if a is None else a if b is None else a + b


def _sums_gradient(probs, grad_sums, powers, weights) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """``u`` (broadcastable to ``probs``) and ``r`` ``(N, 1, H, W)`` (see the module's docstring), or
    ``None, None`` when the sums took no part in the loss (CE, Focal)."""
    if grad_sums is None or not bool(grad_sums.any()):
        return None, None
    n, k = probs.shape[:2]
    columns = grad_sums.unbind(-1)
    if weights is None and all(e == 1 for e in powers):  # u_ik = b_nk: r = b·p, one matrix product
        b = grad_sums.sum(-1)
        r = torch.bmm(b.view(n, 1, k), probs.view(n, k, -1)).view(n, 1, *probs.shape[2:])
        return b.view(n, k, 1, 1), r
    u = sum(e * b.view(n, k, 1, 1) * probs ** (e - 1) for e, b in zip(powers, columns))
    if weights is not None:
        u = u + columns[-1].view(n, k, 1, 1) * weights
    return u, (probs * u).sum(dim=1, keepdim=True)


def softmax_pass(
    logits: torch.Tensor,
    target: torch.Tensor,
    valid: torch.Tensor,
    binary: bool,
    powers: tuple[int, ...] = (1,),
    weights: torch.Tensor | None = None,
    gamma: float | None = None,
) -> PassResult:
    """``SoftmaxPass`` of ``logits`` ``(N, C, H, W)`` (binary: C = 1, the probabilities [1 - σ(z), σ(z)]);
    ``gamma``: the focal exponent of the ``focal`` output (None: no focal output)."""
    if binary:
        logits = torch.cat([torch.zeros_like(logits), logits], dim=1)
    return PassResult(*SoftmaxPass.apply(logits, target, valid, tuple(powers), weights, gamma))
