"""Distance maps of target masks (computed on the CPU, constants for the gradient).

Distances are exact Euclidean distance transforms (``distance_kernel``: each pixel's distance to the nearest pixel
on the other side of its mask's boundary, every mask of a batch in one call shared among the CPU threads).

The maps of the labels depend on the labels only: a loss's ``label_map`` computes them from a target
``(N, H, W)``, in the data pipeline once per tile (``TileDataset``) or, given labels only, at each step.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from .distance_kernel import to_other_side


def _class_edges(labels: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """``(N, H, W)``: the valid pixels with a valid 4-neighbour of another class."""
    edge = np.zeros(labels.shape, dtype=bool)
    for axis in (1, 2):
        a, v, e = (np.moveaxis(x, axis, 1) for x in (labels, valid, edge))
        differs = (a[:, 1:] != a[:, :-1]) & v[:, 1:] & v[:, :-1]
        e[:, 1:] |= differs
        e[:, :-1] |= differs
    return edge


def boundary_proximity(target: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """``(N, H, W)`` in [0, 1]: 1 on class boundaries, falling linearly to 0 at the valid pixel farthest
    from them (``1 - d / max d``, the max over the image's valid pixels, at least 1).

    A boundary pixel is a valid pixel with a valid 4-neighbour of another class. Images without a
    boundary get 0.
    """
    ok = valid.detach().cpu().numpy()
    edge = _class_edges(target.detach().cpu().numpy(), ok)
    distance = to_other_side(edge)  # off the boundary: the distance to its nearest pixel
    distance[edge] = 0.0
    out = np.zeros(edge.shape, dtype=np.float32)
    for n in np.flatnonzero(edge.any(axis=(1, 2))):
        out[n] = np.clip(1.0 - distance[n] / max(distance[n][ok[n]].max(), 1.0), 0.0, 1.0)
    return torch.from_numpy(out)


def scored_masks(target: torch.Tensor, num_classes: int, binary: bool, ignore_index: int) -> torch.Tensor:
    """``(N, K', H, W)`` 0/1 masks of the classes a region loss scores (binary mode: the foreground
    only), 0 at ignored pixels: each class's mask for the distance maps."""
    valid = target != ignore_index
    masks = F.one_hot(torch.where(valid, target, 0).long(), num_classes).permute(0, 3, 1, 2) * valid.unsqueeze(1)
    return masks[:, 1:] if binary else masks


def _masks(masks: torch.Tensor) -> np.ndarray:
    """``(N, K, H, W)`` masks as booleans (inside where > 0.5)."""
    m = masks.detach().cpu().numpy()
    return m if m.dtype == np.bool_ else m > 0.5


def signed_distance(masks: torch.Tensor) -> torch.Tensor:
    """Kervadec's signed distance of each ``(N, K, H, W)`` mask: negative inside, positive outside.

    ``φ = edt(outside) · outside - (edt(inside) - 1) · inside`` in pixels; 0 where a mask is empty or
    full (no boundary).
    """
    inside = _masks(masks)
    distance = to_other_side(inside)  # ≥ 1 in a mask with a boundary, 0 in one without
    return torch.from_numpy(np.where(inside & (distance > 0), 1.0 - distance, distance))


def distance_field(masks: torch.Tensor, power: float = 1.0) -> torch.Tensor:
    """``d^power`` for d the unsigned distance to the mask boundary, ``edt(inside) + edt(outside)``, of each
    ``(N, K, H, W)`` mask (boolean, or inside where > 0.5); 0 where a mask is empty or full (as MONAI's
    HausdorffDTLoss). A power of 2 comes from the squared transform, exact in integers."""
    out = to_other_side(_masks(masks), squared=power == 2.0)
    if power not in (1.0, 2.0):
        np.power(out, power, out=out)
    return torch.from_numpy(out)
