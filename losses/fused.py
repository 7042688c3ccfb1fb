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
  continuation below ``EPS`` for 0 < γ < 1), computed in the forward pass and folded into ``G_i``;
- ``label_counts`` (unless ``labels`` is off: losses without a region term): ``(N, K)`` per image and class,
  the valid pixels labelled c, ``G_c = Σ_i v_i [y_i = c]``;
- ``true_sums`` (idem): ``(N, K, T)`` per image and class, ``T_t[n, c] = Σ_{y_i = c} v_i b_t(p_{i,c})`` over the
  valid pixels labelled c, one column per declared true-class term ``b_t`` (``true_terms``, ``TrueTerm``):
  ``p^e`` or ``(1 - p)^e`` for a positive integer e. The default, ``p``, gives the soft true positives
  ``TP_c = Σ_{y_i = c} p_{i,c}``; the sensitivity-specificity loss asks for ``p²`` and ``(1 - p)²``, the latter
  computed as such (``G_c - 2 TP_c + Σ_{y_i = c} p_{i,c}²`` would cancel in float32 near the perfect prediction,
  where the loss must be exactly its minimum). The kernel sums them in its forward pass; the PyTorch path
  scatter-adds the mask and each term into ``LANES`` lanes of K bins (``lane_sums``).

Everything else derives from these with ordinary autograd on tensors ``K`` times smaller: the region terms
take G and TP from ``label_counts`` and ``true_sums`` (``base.region_stats``), cross-entropy and focal terms use
``log_p_true`` (focal terms ``focal``). Gradients: with ``G_i`` the incoming gradient of ``log p_{i,y_i}`` (that
of ``p_{i,y_i}`` contributes ``p_{i,y_i}`` times its own; that of ``true_sums[n, y_i, t]`` ``p_{i,y_i} b_t'(p_{i,y_i})``
times its own, ``b_t' = e p^{e-1}`` for ``p^e`` and ``-e (1 - p)^{e-1}`` for ``(1 - p)^e``; that of ``focal`` its
derivative above times its own) and ``u_ik = Σ_m B_m[n, k] ∂S_m/∂p_ik``,
through the softmax ``∂L/∂z_ik = p_ik (u_ik - r_i - G_i) + [k = y_i] G_i`` with
``r_i = Σ_k p_ik u_ik``; gradients of outputs that no loss used are skipped. Full ``(N, K, H, W)`` passes
are few:

- sums of p only (``powers = (1,)``, no map: the Dice, Tversky, Jaccard, MCC losses, CE): ``u_ik = u_nk`` is
  constant per image and class, so p is left unmasked; the sums over the valid pixels are one matrix
  product of the 0/1 mask m and p, ``r`` another, and the gradient ``(u_nk m_i - (r_i m_i + G_i)) p_ik`` is one
  broadcast tensor scaled by p in place;
- otherwise p is masked (0 at ignored pixels), ``p ⊙ u`` is formed once, ``r`` is its sum over k and the
  gradient ``p ⊙ u - p (r + G)``; Σ p² is a squared L2 norm (a reduction that writes nothing).

Binary mode is the softmax of the two logits ``[0, z]``, whose probabilities are ``[1 - σ(z), σ(z)]``
and whose gradient with respect to the second is that with respect to z.

Two implementations, the same outputs and gradients (tested against each other): ``softmax_pass`` runs, for
float32 and float64 CPU tensors when numba is installed, the compiled kernel of ``softmax_pass_kernel``
(``KernelSoftmaxPass``: one pass over the logits forward and one backward, row by row in the CPU's cache,
``log p_{i,y_i}`` always as ``z_y - logsumexp(z)``, the label sums in the same pass), and otherwise (CUDA, no
numba) ``SoftmaxPass`` below, made of PyTorch operators: the few full passes just described.
"""

from __future__ import annotations

import functools
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


class TrueTerm(NamedTuple):
    """A true-class term whose sum over the valid pixels labelled c the pass returns per image and class
    (``true_sums``): ``b(p) = p^e``, or ``(1 - p)^e`` when ``complement``, p the pixel's true-class probability,
    e a positive integer."""

    exponent: int = 1
    complement: bool = False

    def of(self, p_true: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        """``v_i b(p_i)`` ``(N, H, W)``; ``p_true`` is 0 at ignored pixels, ``mask`` v (None: every pixel valid)."""
        base = 1.0 - p_true if self.complement else p_true
        value = base if self.exponent == 1 else base**self.exponent
        return value * mask if self.complement and mask is not None else value

    def slope(self, p_true: torch.Tensor) -> torch.Tensor | float:
        """``b'(p)``: ``e p^{e-1}``, or ``-e (1 - p)^{e-1}``."""
        if self.exponent == 1:
            return -1.0 if self.complement else 1.0
        base = 1.0 - p_true if self.complement else p_true
        power = base if self.exponent == 2 else base ** (self.exponent - 1)
        return power * (-self.exponent if self.complement else self.exponent)


TRUE_POSITIVES = (TrueTerm(),)
"""The default true-class term: ``p``, whose sums are the soft true positives ``TP_c = Σ_{y_i = c} p_{i,c}``."""


class PassResult(NamedTuple):
    p_true: torch.Tensor  # (N, H, W), 0 at ignored pixels
    log_p_true: torch.Tensor  # (N, H, W), 0 at ignored pixels
    sums: torch.Tensor  # (N, K, M)
    focal: torch.Tensor | None  # (N, H, W) (1 - p_true)^γ log p_true, 0 at ignored pixels; None without γ
    label_counts: torch.Tensor | None  # (N, K) the valid pixels labelled c (no gradient); None unless asked for
    true_sums: torch.Tensor | None  # (N, K, T) Σ b_t(p_true) over the valid pixels labelled c; idem
    true_terms: tuple[TrueTerm, ...] = ()  # the terms b_t of the columns of ``true_sums``

    def true_sum(self, term: TrueTerm) -> torch.Tensor | None:
        """``(N, K)``: ``Σ_{y_i = c} v_i b(p_{i,c})`` of ``term`` per image and class; None when the pass did not sum
        it."""
        if self.true_sums is None or term not in self.true_terms:
            return None
        return self.true_sums[..., self.true_terms.index(term)]


LANES = 8
"""Pixel i of a row adds into lane ``i mod LANES`` of its class (``label_bins``): neighbouring pixels, mostly of one
class, then add into different bins, so that the additions do not wait for one another."""


def label_bins(target: torch.Tensor, classes: int) -> torch.Tensor:
    """``(N, H W)``: the bin ``(i mod LANES) K + y_i`` of every pixel i of ``target`` ``(N, H, W)``."""
    pixels = target.shape[1:].numel()
    lanes = torch.arange(pixels, device=target.device).remainder_(LANES).mul_(classes)
    return target.flatten(1) + lanes


def lane_sums(bins: torch.Tensor, values: torch.Tensor, classes: int) -> torch.Tensor:
    """``(N, K)``: ``Σ_{y_i = c} values_i`` per image of ``values`` ``(N, H, W)``, by one scatter-add into the
    ``LANES`` K bins of ``bins`` (``label_bins``), then the sum of the lanes; no one-hot."""
    sums = values.new_zeros(bins.shape[0], LANES * classes).scatter_add(1, bins, values.flatten(1))
    return sums.view(bins.shape[0], LANES, classes).sum(1)


def _true_log_probs(logits: torch.Tensor, target: torch.Tensor, p_true: torch.Tensor) -> torch.Tensor:
    """``log p_{i,y_i}``, recomputed exactly as ``z_y - logsumexp(z)`` where ``p_{i,y_i}`` underflowed (< TINY)."""
    log_p = p_true.clamp_min(TINY).log_()
    if p_true.numel() and bool(p_true.min() < TINY):  # min(): no new tensor; fails on an empty one
        small = p_true < TINY
        z = logits.permute(0, 2, 3, 1)[small]
        z_true = logits.gather(1, target.unsqueeze(1)).squeeze(1)[small]
        log_p[small] = z_true - torch.logsumexp(z, dim=1)
    return log_p


class SoftmaxPass(torch.autograd.Function):
    @staticmethod
    def forward(ctx, logits, target, valid, powers: tuple[int, ...], weights, gamma, labels: bool, true_terms):
        ctx.set_materialize_grads(False)  # outputs no loss used get None: their gradients are skipped
        probs = torch.softmax(logits, dim=1)
        p_true = probs.gather(1, target.unsqueeze(1)).squeeze(1)
        log_p = _true_log_probs(logits, target, p_true)
        mask = None if _all_valid(valid) else valid.to(probs.dtype)
        # Sums of p only: p stays unmasked, the sums and the gradient take the mask instead (no (N, K, H, W) pass).
        ctx.linear = weights is None and all(e == 1 for e in powers)
        if mask is not None:  # a float mask multiplies faster than a bool one
            p_true.mul_(mask)
            log_p.mul_(mask)
            if not ctx.linear:
                probs.mul_(mask.unsqueeze(1))
        sums = _class_sums(probs, powers, weights, mask if ctx.linear else None)
        focal = focal_slope = None
        if gamma is not None:
            one_minus = 1.0 - p_true
            modulation = safe_pow(one_minus, gamma) if gamma else torch.ones_like(p_true)
            focal = modulation * log_p
            if gamma:  # d focal / d log p = m - p log p dm/d(1 - p), in place; then 0 at ignored pixels
                focal_slope = safe_pow_derivative(one_minus, gamma).mul_(p_true).mul_(log_p).neg_().add_(modulation)
            else:
                focal_slope = modulation
            if mask is not None:
                focal_slope = focal_slope * mask
        counts = true_sums = None
        if labels:
            n, k = probs.shape[:2]
            bins = label_bins(target, k)
            counts = lane_sums(bins, valid.to(probs.dtype), k)
            columns = [lane_sums(bins, term.of(p_true, mask), k) for term in true_terms]
            true_sums = torch.stack(columns, dim=-1) if columns else probs.new_zeros(n, k, 0)
            ctx.mark_non_differentiable(counts)
        ctx.save_for_backward(probs, p_true, target, mask, weights, focal_slope)
        ctx.powers, ctx.true_terms = powers, true_terms
        return p_true, log_p, sums, focal, counts, true_sums

    @staticmethod
    def backward(ctx, grad_p_true, grad_log_p, grad_sums, grad_focal, _grad_counts, grad_true_sums):
        probs, p_true, target, mask, weights, focal_slope = ctx.saved_tensors
        g = None  # the whole gradient of log p_{i,y_i}, 0 at ignored pixels (where p_true is 0)
        if grad_log_p is not None:
            g = grad_log_p if mask is None else grad_log_p * mask
        if grad_true_sums is not None:  # each pixel's class's gradient of each term, times the term's slope
            classes = target.flatten(1)
            for t, term in enumerate(ctx.true_terms):
                factor = grad_true_sums[..., t].gather(1, classes).view_as(p_true)
                grad_p_true = _add(grad_p_true, factor if term == TrueTerm() else factor * term.slope(p_true))
        if grad_p_true is not None:
            g = _add(g, grad_p_true * p_true)
        if grad_focal is not None:
            g = _add(g, grad_focal * focal_slope)
        if g is not None:
            g = g.unsqueeze(1)
        grad = _softmax_gradient(probs, g, grad_sums, ctx.powers, weights, mask if ctx.linear else None)
        if g is not None:
            grad.scatter_add_(1, target.unsqueeze(1), g)
        return grad, None, None, None, None, None, None, None


def _all_valid(valid: torch.Tensor) -> bool:
    """Whether every pixel is valid: ``min()`` (a vectorised reduction, unlike ``all()``), True when there is none."""
    return valid.numel() == 0 or bool(valid.min())


def _add(a: torch.Tensor | None, b: torch.Tensor | None) -> torch.Tensor | None:
    return b if a is None else a if b is None else a + b


def _class_sums(probs, powers: tuple[int, ...], weights, mask) -> torch.Tensor:
    """``(N, K, M)``: ``Σ_i p_ik^e`` per power e, then ``Σ_i f_ik p_ik`` when a map f is given, over the valid
    pixels: those of ``mask`` ``(N, H, W)`` (0/1) when p is not masked (powers 1 only, no map), else every
    pixel (p is 0 at the ignored ones)."""
    columns = [_power_sum(probs, e, mask) for e in powers]
    if weights is not None:
        columns.append((probs * weights).sum(dim=(2, 3)))
    return torch.stack(columns, dim=-1) if columns else probs.new_zeros(*probs.shape[:2], 0)


def _power_sum(probs: torch.Tensor, exponent: int, mask: torch.Tensor | None) -> torch.Tensor:
    """``Σ_i p_ik^e``; with a mask (e = 1) the product of the mask and p, and Σ p² the squared L2 norm:
    reductions that write no ``(N, K, H, W)`` tensor."""
    if mask is not None:
        n, k = probs.shape[:2]
        return torch.bmm(mask.view(n, 1, -1), probs.view(n, k, -1).transpose(1, 2)).view(n, k)
    if exponent == 1:
        return probs.sum(dim=(2, 3))
    if exponent == 2:
        return torch.linalg.vector_norm(probs, dim=(2, 3)).square()
    return (probs**exponent).sum(dim=(2, 3))


def _softmax_gradient(probs, g, grad_sums, powers, weights, mask) -> torch.Tensor:
    """``p_ik (u_ik - r_i - G_i)`` ``(N, K, H, W)``, the gradient in the logits but for ``G_i`` at the target
    (``g``: G ``(N, 1, H, W)``, or None), 0 at ignored pixels; see the module's docstring. ``mask``: the
    valid pixels ``(N, H, W)`` when p is not masked (then G is 0 at ignored pixels, u = u_k is constant per
    image and class: ``u_k mask_i - (r_i mask_i + G_i)``)."""
    if grad_sums is None or not bool(grad_sums.any()):  # the sums took no part in the loss (CE, Focal): u = 0
        return probs * -g if g is not None else torch.zeros_like(probs)
    n, k = probs.shape[:2]
    columns = [column.view(n, k, 1, 1) for column in grad_sums.unbind(-1)]
    linear = [b for e, b in zip(powers, columns) if e == 1]
    factor = sum(linear[1:], linear[0]) if linear else None  # u's part that is constant per image and class
    if weights is None and len(linear) == len(powers):  # u = factor: r = Σ_k u_k p_ik, one matrix product
        r = torch.bmm(factor.view(n, 1, k), probs.view(n, k, -1)).view(n, 1, *probs.shape[2:])
        if mask is None:
            return (factor - _add(r, g)).mul_(probs)
        mask = mask.unsqueeze(1)
        return torch.addcmul(_add(r.mul_(mask), g).neg_(), factor, mask).mul_(probs)
    scaled = _scaled_probs(probs, columns, powers, weights, factor)
    return scaled.addcmul_(probs, _add(scaled.sum(dim=1, keepdim=True), g), value=-1.0)  # p u - p (r + G)


def _scaled_probs(probs, columns, powers, weights, factor) -> torch.Tensor:
    """``p_ik u_ik = factor[n, k] p_ik + B_f[n, k] f_ik p_ik + Σ_{e_m ≠ 1} e_m B_m[n, k] p_ik^{e_m}``, a new
    ``(N, K, H, W)`` tensor; ``columns``: the gradients of the sums' columns ``(N, K, 1, 1)``."""
    scaled = None
    if weights is not None:
        scaled = (weights * columns[-1] if factor is None else torch.addcmul(factor, weights, columns[-1])).mul_(probs)
    elif factor is not None:
        scaled = probs * factor
    for e, b in zip(powers, columns):
        if e != 1:
            term = (probs**e).mul_(e * b)
            scaled = term if scaled is None else scaled.add_(term)
    return scaled


KERNEL = True
"""Whether CPU tensors take the compiled kernel (``softmax_pass_kernel``); tests switch it."""


@functools.cache
def _kernel() -> type[torch.autograd.Function]:
    """``softmax_pass_kernel.KernelSoftmaxPass`` (imported on first use: it imports this module)."""
    from .softmax_pass_kernel import KernelSoftmaxPass

    return KernelSoftmaxPass


def softmax_pass(
    logits: torch.Tensor,
    target: torch.Tensor,
    valid: torch.Tensor,
    binary: bool,
    powers: tuple[int, ...] = (1,),
    weights: torch.Tensor | None = None,
    gamma: float | None = None,
    labels: bool = True,
    true_terms: tuple[TrueTerm, ...] = TRUE_POSITIVES,
    kernel: bool | None = None,
) -> PassResult:
    """``SoftmaxPass`` of ``logits`` ``(N, C, H, W)`` (binary: C = 1, the probabilities [1 - σ(z), σ(z)]);
    ``valid``: the pixels that count ``(N, H, W)``, bool or a 0/1 mask in the logits' dtype (``target`` is a
    class, say 0, at the others); ``gamma``: the focal exponent of the ``focal`` output (None: no focal output);
    ``labels``: whether to sum the labels and the true-class terms ``true_terms`` per class (``label_counts``,
    ``true_sums``: the region terms' G and, with the default term p, TP). ``kernel``: whether to run the compiled
    kernel (``KernelSoftmaxPass``); None: for float32 and float64 CPU tensors when numba is installed and
    ``KERNEL`` is set, else ``SoftmaxPass``."""
    if kernel is None:
        kernel = KERNEL and logits.device.type == "cpu" and logits.dtype in (torch.float32, torch.float64)
    terms = tuple(TrueTerm(*term) for term in true_terms) if labels else ()
    if any(int(term.exponent) != term.exponent or term.exponent < 1 for term in terms):
        raise ValueError(f"True-class terms take positive integer exponents, got {terms}.")
    terms = tuple(TrueTerm(int(term.exponent), bool(term.complement)) for term in terms)
    options = (tuple(powers), weights, gamma, labels, terms)
    if kernel:
        return PassResult(*_kernel().apply(logits, target, valid, *options, binary), true_terms=terms)
    if binary:
        logits = torch.cat([torch.zeros_like(logits), logits], dim=1)
    return PassResult(*SoftmaxPass.apply(logits, target, valid, *options), true_terms=terms)
