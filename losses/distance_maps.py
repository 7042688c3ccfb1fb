"""Distance maps of target masks (computed on the CPU with SciPy, constants for the gradient).

The maps of the labels depend on the labels only: a loss's ``label_map`` computes them from a target
``(N, H, W)``, in the data pipeline once per tile (``TileDataset``) or, given labels only, at each step.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from scipy.ndimage import distance_transform_edt


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
        if edge.any():
            distance = distance_transform_edt(~edge)
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
            outside = ~inside
            out[index] = distance_transform_edt(outside) * outside - (distance_transform_edt(inside) - 1) * inside
    return torch.from_numpy(out)


def distance_field(masks: torch.Tensor) -> torch.Tensor:
    """Unsigned distance to the mask boundary, ``edt(inside) + edt(outside)``, for each ``(N, K, H, W)``
    mask; 0 where a mask is empty or full (as MONAI's HausdorffDTLoss)."""
    m = masks.detach().cpu().numpy() > 0.5
    out = np.zeros(m.shape, dtype=np.float32)
    for index in np.ndindex(*m.shape[:2]):
        inside = m[index]
        if inside.any() and not inside.all():
            out[index] = distance_transform_edt(inside) + distance_transform_edt(~inside)
    return torch.from_numpy(out)
