"""``fused.SoftmaxPass`` on the CPU as one compiled pass over the logits forward and one backward (numba).

The same function as the PyTorch path of ``fused`` (see its docstring for the outputs and the gradient),
computed row by row: the K × W logits of each row of pixels (image n, row h) are loaded into a buffer that stays
in the CPU's cache, and every quantity is formed there in loops over the row's pixels that compile to vector
instructions:

- forward: ``m_i = max_k z_ik``, ``e_ik = exp(z_ik - m_i)``, ``s_i = Σ_k e_ik``, ``p_ik = e_ik / s_i``;
  ``log p_{i,y_i} = z_{i,y_i} - m_i - log s_i`` (exact where ``p_{i,y_i}`` underflows: no special case); the
  focal term ``(1 - p)^γ log p`` and its slope ``d/dlog p = m - γ p (1 - p)^{γ-1} log p``; and the row's part of
  every per-class sum ``Σ_i (v_i p_ik)^e`` and ``Σ_i v_i f_ik p_ik`` (v: the 0/1 mask of valid pixels), and of
  the label counts ``Σ_{y_i = k} v_i`` and true-class sums ``Σ_{y_i = k} v_i b_t(p_{i,y_i})`` of each declared
  term ``b_t``, ``p^e`` or ``(1 - p)^e`` (``fused.TrueTerm``; ``1 - p`` formed as such, in float64);
- backward: ``G_i`` (the gradient of ``log p_{i,y_i}``, with that of the true-class sums:
  ``p_{i,y_i} Σ_t B_t[n, y_i] b_t'(p_{i,y_i})``, B their incoming gradient),
  ``p_ik u_ik = Σ_m e_m B_m[n, k] p̃_ik^{e_m} + B_f[n, k] f_ik p̃_ik`` (p̃ = v p, B the gradient of the sums),
  ``r_i = Σ_k p_ik u_ik`` and ``∂L/∂z_ik = p_ik u_ik - p̃_ik (r_i + G_i) + [k = y_i] G_i``, 0 at ignored pixels.

The softmax and the gradient are computed in the logits' dtype (as PyTorch's), the per-pixel log-sum-exp, the
focal term and the sums in float64; every output is in the logits' dtype. ``exp`` and ``log`` are written out
(``_exp``, ``_log``: a range reduction by the float's exponent bits and a polynomial, to about one ulp) so that
they vectorise: the libm calls numba would emit do not.

Threads: the rows are shared among PyTorch's CPU threads (``compiled.in_chunks``). Each row writes its own partial
sums, then added image by image in a fixed order (rows 0, 1, …): the results do not depend on the number of threads.

Binary mode (one logit channel z) is the softmax of ``[0, z]``; its gradient is that of the second column.
"""

from __future__ import annotations

import numpy as np
import torch
from numba.core import types
from numba.extending import overload

from .compiled import compiled, in_chunks, reinterpret
from .fused import EPS

CONTRACT = {"contract"}  # a * b + c as one fused multiply-add
SUMS = {"contract", "reassoc"}  # sums over a row's pixels vectorise (in any order)

SMALLEST = 2.2250738585072014e-308  # float64's smallest normal number
SQRT2, LN2_HI, LN2_LO = 1.4142135623730951, 6.93147180369123816490e-01, 1.90821492927058770002e-10
MANTISSA, ONE = (1 << 52) - 1, 1023 << 52  # a float64's mantissa bits; the exponent bits of 1.0
MIN_ROWS = 64  # the fewest rows of pixels a thread is given


def _compiled(fastmath: set[str] = CONTRACT, **options):
    """``compiled`` (``numba.njit``, cached on disk where it can be) with division by 0 as in NumPy (no exception) and
    fused multiply-adds."""
    return compiled(error_model="numpy", fastmath=fastmath, **options)


def _exp_of(real: type, integer: type, bias: int, mantissa: int, ln2: tuple, bounds: tuple, degree: int):
    """``exp`` in the float type ``real``: ``exp(x) = 2^k exp(r)``, ``k = round(x / ln 2)``, ``r = x - k ln 2`` (ln 2
    in two parts ``ln2``, the first exact in few bits: Cody & Waite), ``|r| ≤ ln 2 / 2``, ``exp(r)`` by its Taylor
    polynomial of ``degree`` (remainder ``0.35^{d+1} / (d+1)!``: 5e-9 at 7 for float32, 4e-18 at 13 for float64),
    ``2^k`` built from its exponent bits (``bias``, ``mantissa`` bits); 0 below ``bounds[0]`` (the logarithm of the
    smallest normal number), inf above ``bounds[1]`` (where 2^k would overflow)."""
    factorials = np.cumprod(np.arange(1, degree + 1, dtype=np.float64))
    coefficients = (*(real(1.0 / f) for f in factorials[::-1]), real(1.0))
    log2e, ln2_hi, ln2_lo = real(1.4426950408889634), real(ln2[0]), real(ln2[1])
    low, high, half, zero, inf = real(bounds[0]), real(bounds[1]), real(0.5), real(0.0), real(np.inf)
    bias, shift = integer(bias), integer(mantissa)

    def exp(x):
        c = min(max(x, low), high)
        k = np.floor(c * log2e + half)
        r = (c - k * ln2_hi) - k * ln2_lo
        p = coefficients[0]
        for a in coefficients[1:]:
            p = p * r + a
        y = p * reinterpret(integer((integer(k) + bias) << shift))
        return zero if x < low else (inf if x > high else y)

    return exp


_EXP = {
    types.float32: _exp_of(np.float32, np.int32, 127, 23, (0.693359375, -2.12194440e-4), (-87.33654, 88.37), 7),
    types.float64: _exp_of(np.float64, np.int64, 1023, 52, (LN2_HI, LN2_LO), (-708.3964185322641, 709.43), 13),
}


def _exp(x):
    """``exp`` vectorisable (``_exp_of``), in the dtype of ``x`` (float32 or float64); compiled code only."""
    raise NotImplementedError


@overload(_exp, jit_options={"fastmath": CONTRACT})
def _exp_overload(x):
    return _EXP.get(x)


@_compiled(inline="always")
def _log(x: float) -> float:
    """``log x = k ln 2 + log m`` for a positive normal float64 x, ``x = 2^k m`` with ``m ∈ [√2/2, √2)`` from its
    bits, ``log m = 2 atanh t = 2 Σ_j t^{2j+1} / (2j + 1)``, ``t = (m - 1) / (m + 1)``, ``|t| ≤ 0.172``: 11 terms
    (remainder < 1e-18)."""
    bits = reinterpret(x)
    k = np.float64((bits >> 52) - 1023)
    m = reinterpret((bits & MANTISSA) | ONE)
    high = m > SQRT2
    m = m * 0.5 if high else m
    k = k + 1.0 if high else k
    t = (m - 1.0) / (m + 1.0)
    t2 = t * t
    s = 1.0 / 21.0
    for j in range(9, -1, -1):
        s = s * t2 + 1.0 / (2 * j + 1)
    return k * LN2_HI + (2.0 * t * s + k * LN2_LO)


@_compiled(inline="always")
def _pow(base: float, exponent: float) -> float:
    """``base^exponent`` for a float64 ``base ≥ 0``, ``exp(exponent log base)``: 1 when the exponent is 0, 0 at
    base 0 (exponent > 0; a subnormal base is taken as 0)."""
    positive = base >= SMALLEST
    y = _exp(exponent * _log(base if positive else 1.0))
    return 1.0 if exponent == 0.0 else (y if positive else 0.0)


@_compiled()
def _gather(z, y, out) -> None:
    """``out_i = z[y_i, i]`` over a row; a class out of ``[0, K)`` raises a ValueError."""
    outside = 0
    for j in range(out.size):
        c = y[j]
        inside = 0 <= c < z.shape[0]
        out[j] = z[c if inside else 0, j]
        outside += not inside
    if outside:
        raise ValueError("A target class is outside [0, number of classes).")


@_compiled()
def _row_softmax(logits, n: int, h: int, y, z, work, lse, probs) -> None:
    """The softmax of row h of image n, in the logits' dtype, into ``z`` ``(K, W)`` and ``probs[n, :, h]`` (binary:
    ``logits`` has one channel, the probabilities are those of ``[0, z]``); ``work`` ``(4, W)``: the maximum, then
    ``1 / s_i``; the sum of exponentials; ``z_{i,y_i}``; ``p_{i,y_i}``. ``lse`` (float64): the log-sum-exp
    ``m_i + log s_i``. (A loop that writes more rows than two is not vectorised: LLVM gives up checking that they
    do not overlap.)"""
    top, total, z_true, p_true = work[0], work[1], work[2], work[3]
    offset = z.shape[0] - logits.shape[1]
    z[:offset] = 0.0
    top[:] = -np.inf if offset == 0 else 0.0
    for k in range(offset, z.shape[0]):
        for j in range(z.shape[1]):
            x = logits[n, k - offset, h, j]
            z[k, j] = x
            top[j] = max(top[j], x)
    _gather(z, y, z_true)
    total[:] = 0.0
    for k in range(z.shape[0]):
        for j in range(z.shape[1]):
            e = _exp(z[k, j] - top[j])
            z[k, j] = e
            total[j] += e
    for j in range(z.shape[1]):
        lse[j] = top[j] + _log(np.float64(total[j]))
        top[j] = 1.0 / total[j]
    for k in range(z.shape[0]):
        for j in range(z.shape[1]):
            p = z[k, j] * top[j]
            z[k, j] = p
            probs[n, k, h, j] = p
    _gather(z, y, p_true)


@_compiled()
def _row_true(p, z_true, lse, v, p_true, log_p) -> None:
    """``p_true = v_i p_{i,y_i}`` and ``log_p = v_i (z_{i,y_i} - lse_i)`` of a row, in float64."""
    for j in range(p.size):
        p_true[j] = p[j] * v[j]
        log_p[j] = (z_true[j] - lse[j]) * v[j]


@_compiled()
def _row_focal(p_true, log_p, v, gamma: float, focal, slope) -> None:
    """``focal = m log p`` and ``slope = v (m - p log p dm/db)`` with ``m = b^γ``, ``b = 1 - p`` (p: the true-class
    probability, 0 at ignored pixels), through ``fused.safe_pow``: below ``EPS`` linear, ``m = b EPS^{γ-1}``, when
    γ < 1; γ = 0, 1 and 2 by products. ``focal`` and ``slope`` first hold m and dm/db."""
    if gamma == 0.0 or gamma == 1.0:
        focal[:] = 1.0
        slope[:] = gamma
        if gamma == 1.0:
            for j in range(p_true.size):
                focal[j] = max(1.0 - p_true[j], 0.0)
    elif gamma == 2.0:
        for j in range(p_true.size):
            b = max(1.0 - p_true[j], 0.0)
            focal[j], slope[j] = b * b, 2.0 * b
    else:
        scale = _pow(EPS, gamma - 1.0)
        for j in range(p_true.size):
            b = max(1.0 - p_true[j], 0.0)
            linear = gamma < 1.0 and b <= EPS
            focal[j] = b * scale if linear else _pow(b, gamma)
            slope[j] = scale if linear else gamma * _pow(b, gamma - 1.0)
    for j in range(p_true.size):
        m = focal[j]
        focal[j] = m * log_p[j]
        slope[j] = (m - slope[j] * p_true[j] * log_p[j]) * v[j]


@_compiled(fastmath=SUMS)
def _power_sum(p, v, exponent: float) -> float:
    """``Σ_j (v_j p_j)^e`` over a row, in float64."""
    total = 0.0
    if exponent == 1.0:
        for j in range(p.size):
            total += v[j] * p[j]
    elif exponent == 2.0:
        for j in range(p.size):
            total += np.float64(v[j] * p[j]) ** 2
    else:
        for j in range(p.size):
            total += _pow(np.float64(v[j] * p[j]), exponent)
    return total


@_compiled(inline="always")
def _int_power(base: float, exponent: int) -> float:
    """``base^e`` for an integer ``e ≥ 0``, by products (exact signs, as PyTorch's ``**``)."""
    value = 1.0
    for _ in range(exponent):
        value *= base
    return value


@_compiled(inline="always")
def _row_term(p_true, v, exponent: int, complement: bool, out) -> None:
    """``out_j = v_j b(p_j)`` over a row: ``b(p) = p^e``, or ``(1 - p)^e`` when ``complement`` (``fused.TrueTerm``;
    ``p_true``: the true-class probabilities, 0 at ignored pixels), ``e ≥ 0``."""
    if exponent == 1:
        for j in range(out.size):
            out[j] = (1.0 - p_true[j] if complement else p_true[j]) * v[j]
    elif exponent == 2:
        for j in range(out.size):
            b = 1.0 - p_true[j] if complement else p_true[j]
            out[j] = b * b * v[j]
    else:
        for j in range(out.size):
            out[j] = _int_power(1.0 - p_true[j] if complement else p_true[j], exponent) * v[j]


@_compiled(fastmath=SUMS)
def _row_sums(probs, v, y, terms, powers, weights, labels: bool, n: int, h: int, out) -> None:
    """``out[k, m] = Σ_j (v_j p_kj)^{e_m}`` for each power, then ``Σ_j v_j f_kj p_kj`` when a map f (``weights``)
    is given, then with ``labels`` the label counts ``Σ_{y_j = k} v_j`` and the true-class sums
    ``Σ_{y_j = k} terms[t, j]`` of each term t (``_row_term``), over row h of image n (float64)."""
    first = out.shape[1] - (1 + terms.shape[0] if labels else 0)  # the label sums' first column
    for k in range(probs.shape[0]):
        for m in range(powers.size):
            out[k, m] = _power_sum(probs[k], v, powers[m])
        if first > powers.size:
            total = 0.0
            for j in range(probs.shape[1]):
                total += v[j] * weights[n, k, h, j] * probs[k, j]
            out[k, powers.size] = total
        if labels:
            count = 0.0
            for j in range(probs.shape[1]):
                count += v[j] if y[j] == k else 0.0
            out[k, first] = count
            for t in range(terms.shape[0]):
                total = 0.0
                for j in range(probs.shape[1]):
                    total += terms[t, j] if y[j] == k else 0.0
                out[k, first + 1 + t] = total


@_compiled()
def _reduce_rows(partial, images: int, sums) -> None:
    """``sums`` ``(N, K, M)``: the rows' partial sums ``(N H, K, M)`` added image by image, rows in order."""
    rows = partial.shape[0] // images if images else 0
    for n in range(images):
        total = np.zeros(partial.shape[1:])
        for h in range(rows):
            total += partial[n * rows + h]
        sums[n] = total


@_compiled(nogil=True)
def forward_rows(
    logits, target, valid, powers, weights, gamma: float, labels: bool, terms, outputs, partial, start, stop
):
    """The forward pass of rows ``start`` to ``stop`` (row = n H + h): into ``outputs`` = ``(probs, p_true, log_p,
    focal, slope)`` (``(N, K, H, W)``, then ``(N, H, W)``; ``focal`` and ``slope`` empty when ``gamma`` is negative:
    no focal term) and ``partial`` ``(N H, K, M)`` (float64), their per-class sums (``_row_sums``: the last
    ``1 + T`` columns the label counts and true-class sums when ``labels``); ``powers``: the e_m (float64);
    ``weights``: the map f ``(N, K, H, W)`` when there is one more column than powers and label sums; ``terms``: the
    true-class terms' exponents (int64) and whether each is of ``1 - p`` (bool)."""
    probs, p_true, log_p, focal, slope = outputs
    exponents, complements = terms
    classes, height, width = probs.shape[1:]
    z, work, wide = np.empty((classes, width), probs.dtype), np.empty((4, width), probs.dtype), np.empty((5, width))
    lse, p, lp, f, s = wide[0], wide[1], wide[2], wide[3], wide[4]
    values = np.empty((exponents.size if labels else 0, width))
    for row in range(start, stop):
        n, h = row // height, row % height
        y, v = target[n, h], valid[n, h]
        _row_softmax(logits, n, h, y, z, work, lse, probs)
        _row_true(work[3], work[2], lse, v, p, lp)
        for j in range(width):
            p_true[n, h, j], log_p[n, h, j] = p[j], lp[j]
        if gamma >= 0.0:
            _row_focal(p, lp, v, gamma, f, s)
            for j in range(width):
                focal[n, h, j], slope[n, h, j] = f[j], s[j]
        if labels:
            for t in range(exponents.size):
                _row_term(p, v, exponents[t], complements[t], values[t])
        _row_sums(z, v, y, values, powers, weights, labels, n, h, partial[row])


@_compiled(inline="always")
def _row_true_gradient(n: int, h: int, v, y, grads, true_factors, slopes, values, g) -> None:
    """``G_i`` of row h of image n: the gradient of ``log p_{i,y_i}`` from those of the per-pixel outputs and of the
    true-class sums, ``v_i ∂L/∂log p + p_true_i (∂L/∂p_true + Σ_t ∂L/∂T_t[n, y_i] b_t'(p_true_i)) + slope_i
    ∂L/∂focal``; ``grads``: ``(p_true, slope, ∂L/∂p_true, ∂L/∂log p, ∂L/∂focal)`` ``(N, H, W)``. The terms'
    derivatives are terms themselves times a factor, ``b_t' = s_t p^{e_t - 1}`` or ``s_t (1 - p)^{e_t - 1}`` with
    ``s_t = ±e_t``: ``slopes`` holds their ``e_t - 1`` and complement flags (formed by ``_row_term`` into ``values``
    ``(W,)``, but for ``e_t - 1 = 0``) and ``true_factors`` ``s_t ∂L/∂T_t`` ``(N, K, T)``, empty when absent."""
    p_true, slope, grad_p_true, grad_log_p, grad_focal = grads
    g[:] = 0.0
    if grad_log_p.size:
        for j in range(g.size):
            g[j] += grad_log_p[n, h, j] * v[j]
    if grad_p_true.size:
        for j in range(g.size):
            g[j] += grad_p_true[n, h, j] * p_true[n, h, j]
    if true_factors.size:
        exponents, complements = slopes
        p, factors = p_true[n, h], true_factors[n]
        for t in range(factors.shape[1]):
            if exponents[t] == 0:  # b' constant: the term is p or 1 - p
                for j in range(g.size):
                    g[j] += factors[y[j], t] * p[j]
            else:
                _row_term(p, v, exponents[t], complements[t], values)
                for j in range(g.size):
                    g[j] += factors[y[j], t] * values[j] * p[j]
    if grad_focal.size:
        for j in range(g.size):
            g[j] += grad_focal[n, h, j] * slope[n, h, j]


@_compiled()
def _add_power(out, p, factor, exponent: float) -> None:
    """``out += factor p^e`` over a row."""
    if exponent == 1.0:
        for j in range(p.size):
            out[j] += factor * p[j]
    elif exponent == 2.0:
        for j in range(p.size):
            out[j] += factor * p[j] * p[j]
    else:
        for j in range(p.size):
            out[j] += factor * _pow(np.float64(p[j]), exponent)


@_compiled()
def _row_scaled(probs, n: int, h: int, factors, powers, weights, scaled, r) -> None:
    """``scaled[k] = p̃_k u_k = Σ_m e_m B_m[n, k] p̃_k^{e_m} + B_f[n, k] f_k p̃_k`` of row h of image n (``probs``:
    p̃ = v p), and ``r = Σ_k p̃_k u_k``; ``factors``: ``e_m B_m`` and ``B_f`` ``(N, K, M)``, the last column that of
    the map when there is one more column than powers."""
    r[:] = 0.0
    for k in range(probs.shape[0]):
        scaled[k] = 0.0
        for m in range(powers.size):
            if factors[n, k, m] != 0.0:
                _add_power(scaled[k], probs[k], factors[n, k, m], powers[m])
        if factors.shape[2] > powers.size and factors[n, k, -1] != 0.0:
            factor = factors[n, k, -1]
            for j in range(probs.shape[1]):
                scaled[k, j] += factor * weights[n, k, h, j] * probs[k, j]
        for j in range(probs.shape[1]):
            r[j] += scaled[k, j]


@_compiled(nogil=True)
def backward_rows(probs, target, valid, weights, grads, factors, powers, grad, start: int, stop: int) -> None:
    """The gradient in the logits of rows ``start`` to ``stop`` into ``grad`` ``(N, C, H, W)`` (C = K; binary:
    C = 1, the second of K = 2 columns): ``p̃_ik u_ik - p̃_ik (r_i + G_i) + [k = y_i] G_i``; ``grads``: the
    per-pixel arrays of ``_row_true_gradient``, its ``true_factors`` and ``slopes``; ``factors``: ``e_m B_m`` and
    ``B_f`` ``(N, K, M)`` (``_row_scaled``), empty when the sums took no part in the loss."""
    classes, height, width = probs.shape[1:]
    offset = classes - grad.shape[1]
    p, scaled = np.empty((classes, width), probs.dtype), np.zeros((classes, width), probs.dtype)
    work = np.zeros((2, width), probs.dtype)
    g, r = work[0], work[1]
    values = np.empty(width, probs.dtype)  # a true-class term's slope
    for row in range(start, stop):
        n, h = row // height, row % height
        v, y = valid[n, h], target[n, h]
        for k in range(classes):
            for j in range(width):
                p[k, j] = probs[n, k, h, j] * v[j]
        _row_true_gradient(n, h, v, y, grads[0], grads[1], grads[2], values, g)
        if factors.size:
            _row_scaled(p, n, h, factors, powers, weights, scaled, r)
        for k in range(offset, classes):
            for j in range(width):
                gk = scaled[k, j] - p[k, j] * (r[j] + g[j])
                grad[n, k - offset, h, j] = gk + g[j] if y[j] == k else gk


def _array(tensor: torch.Tensor | None, dtype: torch.dtype, dims: int = 3) -> np.ndarray:
    """``tensor`` in ``dtype`` as a contiguous numpy array (a view when it can be); None: an empty one."""
    if tensor is None:
        return np.empty((0,) * dims, torch.empty(0, dtype=dtype).numpy().dtype)
    return tensor.detach().to(dtype).contiguous().numpy()


class KernelSoftmaxPass(torch.autograd.Function):
    """``fused.SoftmaxPass`` of a CPU tensor by ``forward_rows`` and ``backward_rows``; binary mode takes the one
    logit channel itself (``binary``), the probabilities being those of ``[0, z]``."""

    @staticmethod
    def forward(ctx, logits, target, valid, powers: tuple[int, ...], weights, gamma, labels: bool, true_terms, binary):
        ctx.set_materialize_grads(False)  # outputs no loss used get None: their gradients are skipped
        dtype, (n, c, h, w) = logits.dtype, logits.shape
        classes, columns = 2 if binary else c, len(powers) + (weights is not None)
        extra = 1 + len(true_terms) if labels else 0  # the label counts and true-class sums
        exponents = np.array([t.exponent for t in true_terms], np.int64)
        terms = (exponents, np.array([t.complement for t in true_terms], np.bool_))
        valid = valid.to(dtype)
        probs = logits.new_empty(n, classes, h, w)
        pixels = [logits.new_empty(n, h, w) for _ in range(2 if gamma is None else 4)]
        pixels += [logits.new_empty(0, 0, 0)] * (4 - len(pixels))  # no focal term: empty focal and slope
        partial, sums = np.empty((n * h, classes, columns + extra)), logits.new_empty(n, classes, columns + extra)
        inputs = (_array(logits, dtype), _array(target, torch.int64), _array(valid, dtype))
        settings = (np.array(powers, np.float64), _array(weights, dtype, 4), -1.0 if gamma is None else float(gamma))
        outputs = tuple(t.numpy() for t in [probs, *pixels])
        in_chunks(forward_rows, n * h, *inputs, *settings, labels, terms, outputs, partial, smallest=MIN_ROWS)
        _reduce_rows(partial, n, sums.numpy())
        p_true, log_p, focal, slope = pixels
        counts = true_sums = None
        if labels:
            counts, true_sums = sums[..., columns].clone(), sums[..., columns + 1 :].clone()
            ctx.mark_non_differentiable(counts)
        ctx.save_for_backward(probs, p_true, target, valid, weights, slope)
        exponents, complements = terms  # the terms' slopes b_t' = s_t b^{e_t - 1}, s_t = ±e_t: terms themselves
        ctx.slopes, ctx.scales = (exponents - 1, complements), np.where(complements, -exponents, exponents).tolist()
        ctx.powers, ctx.channels = powers, c
        return p_true, log_p, sums[..., :columns].clone(), focal if gamma is not None else None, counts, true_sums

    @staticmethod
    def backward(ctx, grad_p_true, grad_log_p, grad_sums, grad_focal, _grad_counts, grad_true_sums):
        probs, p_true, target, valid, weights, slope = ctx.saved_tensors
        dtype, (n, _, h, w) = probs.dtype, probs.shape
        factors = None  # e_m B_m and B_f: the gradients of the sums times the exponent of p in each
        if grad_sums is not None and bool(grad_sums.any()):  # else the sums took no part in the loss
            exponents = list(ctx.powers) + [1] * (grad_sums.shape[-1] - len(ctx.powers))
            factors = grad_sums * grad_sums.new_tensor(exponents)
        pixels = tuple(_array(t, dtype) for t in (p_true, slope, grad_p_true, grad_log_p, grad_focal))
        true_factors = None if grad_true_sums is None else grad_true_sums * grad_true_sums.new_tensor(ctx.scales)
        grads = (pixels, _array(true_factors, dtype), ctx.slopes)
        inputs = (_array(probs, dtype, 4), _array(target, torch.int64), _array(valid, dtype), _array(weights, dtype, 4))
        grad = probs.new_empty(n, ctx.channels, h, w)
        settings = (_array(factors, dtype), np.array(ctx.powers, np.float64))
        in_chunks(backward_rows, n * h, *inputs, grads, *settings, grad.numpy(), smallest=MIN_ROWS)
        return grad, None, None, None, None, None, None, None, None
