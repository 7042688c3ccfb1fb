"""The rows of the Lovász-softmax loss on the CPU as one compiled kernel (numba): ``lovasz._softmax_rows``'s
constant, slope and presence of each class, without its ``(K, P)`` temporaries.

A row is a class c over a set of pixels (the batch's, or one image's with ``per_image``). For each row:

- the errors ``e_i = |g_i - p_ic|`` of its valid pixels (``g_i = [y_i = c]``: ``1 - p`` or ``p``, in the
  probabilities' dtype), as sort keys: a non-negative float's bits order like the float, so ``bits(1) - bits(e)``
  sorts them in decreasing order;
- a stable least-significant-digit radix sort of the keys (10-bit digits, a pass skipped where every key has
  the same digit), carrying each pixel's place and truth;
- one walk in that order: ``TP_k`` (the targets among the first k), ``J_k = k / (G + k - TP_k)`` (in float64;
  G the row's targets), ``w_k = J_k - J_{k-1}``, the slope ``w_k (1 - 2 g)`` written at the pixel's place and
  the constant ``Σ_k w_k g_(k)`` summed;

ignored pixels get a slope of 0 (they sort after every valid pixel in ``_softmax_rows``, where ∇J is 0). The
rows are shared among PyTorch's CPU threads (``compiled.in_chunks``); each thread sorts in buffers of its own.
Ties between equal errors may be ordered differently from ``torch.sort``: that changes neither the sorted
errors nor the loss.
"""

from __future__ import annotations

import numpy as np
import torch
from numba.core import types
from numba.extending import overload

from .compiled import compiled, in_chunks, reinterpret

DIGIT = 10  # bits per radix pass: 1024 buckets
BUCKETS = 1 << DIGIT


def _complement(x):
    """``1 - x`` in the float type of ``x`` (float32 or float64); compiled code only."""
    raise NotImplementedError


@overload(_complement)
def _complement_overload(x):
    one = {types.float32: np.float32(1.0), types.float64: np.float64(1.0)}.get(x)
    return None if one is None else (lambda x: one - x)


@compiled()
def _radix_sort(keys, items, count: int, largest: int, spare_keys, spare_items, buckets) -> np.ndarray:
    """``keys[:count]`` (each ≤ ``largest``) sorted in increasing order, stably, with ``items`` carried along;
    returns the one of ``items`` and ``spare_items`` that holds them in the sorted order. The counts of every
    digit are taken in one pass over the keys, then one pass per digit moves the keys and items."""
    passes = 1
    while passes * DIGIT < 63 and largest >> (passes * DIGIT):
        passes += 1
    buckets[:passes] = 0
    for i in range(count):
        key = keys[i]
        for d in range(passes):
            buckets[d, (key >> (d * DIGIT)) & (BUCKETS - 1)] += 1
    for d in range(passes):
        if buckets[d].max() == count:  # every key has this digit
            continue
        start = 0
        for b in range(BUCKETS):
            start, buckets[d, b] = start + buckets[d, b], start
        places, shift = buckets[d], d * DIGIT
        for i in range(count):
            digit = (keys[i] >> shift) & (BUCKETS - 1)
            spare_keys[places[digit]], spare_items[places[digit]] = keys[i], items[i]
            places[digit] += 1
        keys, spare_keys, items, spare_items = spare_keys, keys, spare_items, items
    return items


@compiled(nogil=True)
def softmax_rows(probs, target, valid, per_image: bool, kinds, constant, slope, present, start: int, stop: int):
    """Rows ``start`` to ``stop`` of the loss: ``probs`` ``(N, K, P)``, ``target`` and ``valid`` ``(N, P)``; the
    rows are the classes over every image (``per_image`` False, K rows) or each image's classes (N K rows,
    image-major). Writes ``constant`` and ``present`` (one per row) and ``slope`` ``(N, K, P)``. Each pixel is
    sorted as its place in ``slope`` (flat) times 2 plus its truth; ``kinds``: empty arrays of the integer types of
    the keys and of those items (32 bits where they fit: less memory to move)."""
    images, classes, pixels = probs.shape
    size = pixels if per_image else images * pixels
    keys, spare_keys = np.empty(size, kinds[0].dtype), np.empty(size, kinds[0].dtype)
    items, spare_items = np.empty(size, kinds[1].dtype), np.empty(size, kinds[1].dtype)
    buckets = np.empty((64 // DIGIT + 1, BUCKETS), np.int64)
    flat = slope.reshape(-1)
    for row in range(start, stop):
        c = row % classes
        first = row // classes if per_image else 0
        count, targets, largest = 0, 0, 0
        for n in range(first, first + 1 if per_image else images):
            place = (n * classes + c) * pixels
            for j in range(pixels):
                if not valid[n, j]:
                    flat[place + j] = 0.0
                    continue
                p = probs[n, c, j]
                truth = target[n, j] == c
                top = reinterpret(_complement(p - p))  # the bits of 1, the largest error
                key = top - reinterpret(_complement(p) if truth else p)
                keys[count], items[count], largest = key, 2 * (place + j) + truth, max(largest, key)
                count += 1
                targets += truth
        ordered = _radix_sort(keys, items, count, largest, spare_keys, spare_items, buckets)
        hits, previous, total = 0, 0.0, 0.0
        for k in range(count):
            item = ordered[k]
            truth = item & 1
            hits += truth
            jaccard = (k + 1) / (targets + k + 1 - hits)
            weight = jaccard - previous
            previous = jaccard
            flat[item >> 1] = -weight if truth else weight
            total += weight if truth else 0.0
        constant[row], present[row] = total, targets > 0


def _integers(bound: int) -> np.ndarray:
    """An empty array of the narrowest of int32 and int64 that holds ``bound``."""
    return np.empty(0, np.int32 if bound < 2**31 else np.int64)


def kernel_softmax_rows(
    probs: torch.Tensor, target: torch.Tensor, valid: torch.Tensor, per_image: bool
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The constant ``(rows,)``, slope ``(N, K, H, W)`` and presence ``(rows,)`` of ``softmax_rows`` for CPU
    probabilities ``(N, K, H, W)`` (float32 or float64), ``target`` and ``valid`` ``(N, H, W)``."""
    n, k, h, w = probs.shape
    rows = n * k if per_image else k
    values = probs.detach().contiguous().view(n, k, h * w).numpy()
    slope = np.empty_like(values)
    constant, present = np.empty(rows), np.empty(rows, np.bool_)
    labels, mask = target.contiguous().view(n, h * w).numpy(), valid.contiguous().view(n, h * w).numpy()
    kinds = (np.empty(0, np.int32 if values.dtype == np.float32 else np.int64), _integers(2 * values.size))
    in_chunks(softmax_rows, rows, values, labels, mask, per_image, kinds, constant, slope, present)
    return torch.from_numpy(constant), torch.from_numpy(slope).view(probs.shape), torch.from_numpy(present)
