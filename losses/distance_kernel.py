"""Exact Euclidean distance transforms of 2-D masks, compiled (numba) and shared among PyTorch's CPU threads.

Each pixel of a mask gets its squared distance to the nearest pixel on the other side of the mask's boundary: an
inside pixel to the nearest outside pixel, an outside pixel to the nearest inside one (SciPy's
``distance_transform_edt(inside)`` inside and ``distance_transform_edt(outside)`` outside). A mask with one side
only (empty or full) gets 0 everywhere.

The algorithm is Felzenszwalb & Huttenlocher's ("Distance Transforms of Sampled Functions", Theory of Computing 8,
2012), separable:

- columns: ``g(x, y)``, the vertical distance from each pixel to the nearest pixel of each side in its column
  (inf where the column has none), in one sweep down and one up, row by row (the loops over a row vectorise);
- rows: ``D(x, y) = min_q (x - q)² + g(q, y)²`` (g to the other side of the pixel), the lower envelope of the
  parabolas of the row's pixels, built left to right (each parabola replacing those it hides; the intersection
  of the parabolas of q and v at ``s = ((g_q² + q²) - (g_v² + v²)) / (2 (q - v))``), then read at each pixel.
  The envelope is built for each run of pixels of one side over the run and its two neighbours: those are on
  the other side (g = 0), nearer to every pixel of the run than any pixel beyond them (as the ``edt`` library
  does for its labels).

The envelope is computed in integers (int64), exactly; the output is float32 (exact up to 2^24, a 2896 px
square). Each plane ``(H, W)`` is processed on its own, in buffers of one plane; the planes are shared among
threads (``compiled.in_chunks``, the kernel releasing the GIL). Measured against the ``edt`` library this replaces
(docs/benchmarks.md).
"""

from __future__ import annotations

import numpy as np

from .compiled import compiled, in_chunks

INF = np.inf


@compiled()
def _columns(mask: np.ndarray, to_inside: np.ndarray, to_outside: np.ndarray) -> None:
    """The vertical distance of each pixel to the nearest inside pixel and to the nearest outside pixel of its
    column (0 on that side, inf where the column has none)."""
    height, width = mask.shape
    for x in range(width):
        to_inside[0, x] = 0.0 if mask[0, x] else INF
        to_outside[0, x] = INF if mask[0, x] else 0.0
    for y in range(1, height):
        for x in range(width):
            inside = mask[y, x]
            to_inside[y, x] = 0.0 if inside else to_inside[y - 1, x] + 1.0
            to_outside[y, x] = to_outside[y - 1, x] + 1.0 if inside else 0.0
    for y in range(height - 2, -1, -1):
        for x in range(width):
            to_inside[y, x] = min(to_inside[y, x], to_inside[y + 1, x] + 1.0)
            to_outside[y, x] = min(to_outside[y, x], to_outside[y + 1, x] + 1.0)


@compiled(inline="always")
def _segment(g: np.ndarray, first: int, last: int, out: np.ndarray, v: np.ndarray, f: np.ndarray) -> None:
    """``out[x] = min_q (x - q)² + g[q]²`` for the pixels ``first`` to ``last`` of a row, one side's run, ``q``
    over the run and its neighbours on the other side (g = 0 there, and nearer than any pixel beyond them): the
    lower envelope of the parabolas (``v`` their apexes, ``f`` their heights plus ``v²``), then read pixel by
    pixel. The parabolas of v < q meet at ``s = (f_q - f_v) / (2 (q - v))``; comparisons of two such points are
    made multiplied out, in integers."""
    k = -1
    for q in range(max(first - 1, 0), min(last + 2, g.size)):
        if g[q] == INF:
            continue
        gq = np.int64(g[q])
        height = gq * gq + q * q
        # the new parabola hides the last one where it meets it before the last one meets the one before
        while k > 0 and (height - f[k]) * (v[k] - v[k - 1]) <= (f[k] - f[k - 1]) * (q - v[k]):
            k -= 1
        k += 1
        v[k], f[k] = q, height
    j = 0
    for x in range(first, last + 1):
        while j < k and f[j + 1] - f[j] < 2 * x * (v[j + 1] - v[j]):  # the next parabola is lower from here
            j += 1
        d = x - v[j]
        out[x] = d * d + (f[j] - v[j] * v[j])


@compiled(nogil=True)
def squared_distances(masks: np.ndarray, out: np.ndarray, start: int, stop: int) -> None:
    """The squared distance of each pixel of the masks ``start`` to ``stop`` of ``masks`` ``(P, H, W)`` (bool) to
    the other side of its mask's boundary, into ``out`` (float32); 0 for a mask with one side only."""
    height, width = masks.shape[1:]
    to_inside, to_outside = np.empty((height, width), np.float32), np.empty((height, width), np.float32)
    v, f = np.empty(width + 2, np.int64), np.empty(width + 2, np.int64)
    for p in range(start, stop):
        mask, plane = masks[p], out[p]
        inside = mask.sum()
        if inside == 0 or inside == mask.size:
            plane[:] = 0.0
            continue
        _columns(mask, to_inside, to_outside)
        for y in range(height):
            row, first = mask[y], 0
            for x in range(1, width + 1):  # each run of one side, with the distances to the other side
                if x == width or row[x] != row[first]:
                    g = to_outside[y] if row[first] else to_inside[y]
                    _segment(g, first, x - 1, plane[y], v, f)
                    first = x


def to_other_side(masks: np.ndarray, squared: bool = False) -> np.ndarray:
    """The distance (``squared`` or not) of each pixel of the boolean masks ``(..., H, W)`` to the nearest pixel on
    the other side of its mask's boundary, float32; 0 for a mask with one side only."""
    planes = np.ascontiguousarray(masks, dtype=np.bool_).reshape(-1, *masks.shape[-2:])
    out = np.empty(planes.shape, np.float32)
    in_chunks(squared_distances, len(planes), planes, out)
    if not squared:
        np.sqrt(out, out=out)
    return out.reshape(masks.shape)
