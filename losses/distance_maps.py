"""Distance maps of target masks (computed on the CPU, constants for the gradient).

Distances are exact Euclidean distance transforms. The maps of a mask's inside and outside come from one pass of
the multi-label transform of the ``edt`` library (Silversmith, "euclidean-distance-transform-3d", seung-lab; the
Felzenszwalb & Huttenlocher 2012 algorithm): with the inside labelled 2 and the outside 1, each pixel gets its
distance to the nearest pixel of the other label, which is SciPy's ``distance_transform_edt(inside)`` inside and
``distance_transform_edt(outside)`` outside, at a quarter to a half of the cost of those two calls
(measured on 256 px masks: regions 1.2 ms against 4.7 ms, a speckle 2.1 ms against 4.9 ms).

The boundary proximity of the distance-weighted cross-entropy is ``edt``'s transform too (the distance to the nearest
boundary pixel).

The maps of the labels depend on the labels only: a loss's ``label_map`` computes them from a target
``(N, H, W)``, in the data pipeline once per tile (``TileDataset``) or, given labels only, at each step.
"""

from __future__ import annotations

import edt
import numpy as np
import torch
import torch.nn.functional as F


def _to_other_side(inside: np.ndarray, squared: bool = False) -> np.ndarray:
    """The distance of each pixel of a 2-D boolean mask to the nearest pixel on the other side of its boundary
    (float32; squared if ``squared``): ``edt(inside)`` inside, ``edt(outside)`` outside. The mask must hold both
    values."""
    transform = edt.edtsq if squared else edt.edt
    return transform(inside.view(np.uint8) + 1, black_border=False, parallel=torch.get_num_threads())


def boundary_proximity(target: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """``(N, H, W)`` in [0, 1]: 1 on class boundaries, falling linearly to 0 at the valid pixel farthest
    from them (``1 - d / max d``, the max over the image's valid pixels, at least 1).

    A boundary pixel is a valid pixel with a valid 4-neighbour of another class. Images without a
    boundary get 0.
    """
    labels = target.detach().cpu().numpy()
    ok = valid.detach().cpu().numpy()
    out = np.zeros(labels.shape, dtype=np.float32)
    for n in range(labels.shape[0]):
        edge = np.zeros(labels.shape[1:], dtype=bool)
        for axis in (0, 1):
            a = np.moveaxis(labels[n], axis, 0)
            v = np.moveaxis(ok[n], axis, 0)
            differs = (a[1:] != a[:-1]) & v[1:] & v[:-1]
            e = np.moveaxis(edge, axis, 0)
            e[1:] |= differs
            e[:-1] |= differs
        if edge.any():  # the distance of each pixel to the nearest boundary pixel (the transform's zeros)
            distance = edt.edt((~edge).view(np.uint8), black_border=False, parallel=torch.get_num_threads())
            out[n] = np.clip(1.0 - distance / max(distance[ok[n]].max(), 1.0), 0.0, 1.0)
    return torch.from_numpy(out)


def scored_masks(target: torch.Tensor, num_classes: int, binary: bool, ignore_index: int) -> torch.Tensor:
    """``(N, K', H, W)`` 0/1 masks of the classes a region loss scores (binary mode: the foreground
    only), 0 at ignored pixels: each class's mask for the distance maps."""
    valid = target != ignore_index
    masks = F.one_hot(torch.where(valid, target, 0).long(), num_classes).permute(0, 3, 1, 2) * valid.unsqueeze(1)
    return masks[:, 1:] if binary else masks


def signed_distance(masks: torch.Tensor) -> torch.Tensor:
    """Kervadec's signed distance of each ``(N, K, H, W)`` mask: negative inside, positive outside.

    ``φ = edt(outside) · outside - (edt(inside) - 1) · inside`` in pixels; 0 where a mask is empty or
    full (no boundary).
    """
    m = masks.detach().cpu().numpy() > 0.5
    out = np.zeros(m.shape, dtype=np.float32)
    for index in np.ndindex(*m.shape[:2]):
        inside = m[index]
        if inside.any() and not inside.all():
            distance = _to_other_side(inside)
            out[index] = np.where(inside, 1.0 - distance, distance)
    return torch.from_numpy(out)


def distance_field(masks: torch.Tensor, power: float = 1.0) -> torch.Tensor:
    """``d^power`` for d the unsigned distance to the mask boundary, ``edt(inside) + edt(outside)``, of each
    ``(N, K, H, W)`` mask (boolean, or inside where > 0.5); 0 where a mask is empty or full (as MONAI's
    HausdorffDTLoss). A power of 2 comes from the squared transform, exact in integers."""
    m = masks.detach().cpu().numpy()
    m = m if m.dtype == np.bool_ else m > 0.5
    out = np.zeros(m.shape, dtype=np.float32)
    for index in np.ndindex(*m.shape[:2]):
        inside = m[index]
        if inside.any() and not inside.all():
            out[index] = _to_other_side(inside, squared=power == 2.0)
            if power not in (1.0, 2.0):
                np.power(out[index], power, out=out[index])
    return torch.from_numpy(out)
