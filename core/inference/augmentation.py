"""Test-time augmentation: a tile's class probabilities averaged over flipped and rotated copies of it.

Each copy is a transform ``g`` of the dihedral group of the square (the rotations by multiples of 90° and their
mirror images); the network predicts ``g(x)`` and its output is turned back with ``g⁻¹`` before averaging, in
probability space::

    p(x) = 1/|G| · Σ_{g ∈ G} g⁻¹( f(g(x)) )

as Krizhevsky, Sutskever & Hinton 2012 ("ImageNet classification with deep convolutional neural networks")
averaged the softmax outputs of five crops and their mirror images; here per pixel, over flips and rotations (as
for segmentation in Wang et al. 2019, "Aleatoric uncertainty estimation with test-time augmentation for medical
image segmentation with convolutional neural networks"). The sets ``G`` (``PredictConfig.tta``): ``flips``
(identity, left-right, up-down, both = 180°), ``rotations`` (0°, 90°, 180°, 270°), ``dihedral`` (all 8), ``none``
(the identity alone: the plain prediction).

- Rectangular tiles: a transform that transposes swaps a tile's height and width; the network takes the
  transposed tile as it is (prediction tiles have both sides multiples of 32) and its output is transposed back.
- Phase: flipping a tile whose sides are multiples of the network's 32 px stride maps its stride grid onto
  itself, so every copy sees the tile on the grid the tiling aligns (``TileAxis``).
- Blending: the average is taken per tile, in the tile's own orientation, before blending, so the blending
  weights and margins apply to it as to a single prediction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

Array = TypeVar("Array")  # a numpy array or a torch tensor, (..., height, width)


def _flip(array: Array, axis: int) -> Array:
    return np.flip(array, axis) if isinstance(array, np.ndarray) else array.flip(axis)


@dataclass(frozen=True)
class Transform:
    """An element of the dihedral group on the last two axes (rows, columns): transpose first if ``transpose``,
    then flip the rows (upside down) and/or the columns (left-right)."""

    transpose: bool = False
    flip_rows: bool = False
    flip_cols: bool = False

    def apply(self, array: Array) -> Array:
        """The transformed ``array`` (numpy or torch), ``(..., H, W)`` → ``(..., W, H)`` when it transposes."""
        if self.transpose:
            array = array.swapaxes(-2, -1)
        return self._flips(array)

    def undo(self, array: Array) -> Array:
        """``apply``'s inverse: the flips (their own inverses), then the transposition."""
        array = self._flips(array)
        return array.swapaxes(-2, -1) if self.transpose else array

    def _flips(self, array: Array) -> Array:
        if self.flip_rows:
            array = _flip(array, -2)
        if self.flip_cols:
            array = _flip(array, -1)
        return array


IDENTITY = Transform()
FLIP_LEFT_RIGHT = Transform(flip_cols=True)
FLIP_UP_DOWN = Transform(flip_rows=True)
ROTATE_180 = Transform(flip_rows=True, flip_cols=True)
ROTATE_90 = Transform(transpose=True, flip_rows=True)  # anticlockwise, as numpy's rot90
ROTATE_270 = Transform(transpose=True, flip_cols=True)
TRANSPOSE = Transform(transpose=True)  # the mirror image about the main diagonal
ANTITRANSPOSE = Transform(transpose=True, flip_rows=True, flip_cols=True)  # about the other diagonal

TRANSFORMS: dict[str, tuple[Transform, ...]] = {
    "none": (IDENTITY,),
    "flips": (IDENTITY, FLIP_LEFT_RIGHT, FLIP_UP_DOWN, ROTATE_180),
    "rotations": (IDENTITY, ROTATE_90, ROTATE_180, ROTATE_270),
    "dihedral": (IDENTITY, FLIP_LEFT_RIGHT, FLIP_UP_DOWN, ROTATE_180, ROTATE_90, ROTATE_270, TRANSPOSE, ANTITRANSPOSE),
}
"""The transforms of each ``PredictConfig.tta`` choice, the identity first."""


def averaged(
    probabilities: Callable[[list[np.ndarray]], Any], images: Sequence[np.ndarray], transforms: Sequence[Transform]
) -> Any:
    """The class probabilities ``(N, K, H, W)`` of ``images`` (``(C, H, W)`` tiles) averaged over ``transforms``:
    ``probabilities`` (a batch of tiles to a tensor or array of their probabilities) run once per transform on the
    transformed tiles, each output turned back (with the identity alone: ``probabilities(images)``, divided by 1).
    """
    total = None
    for transform in transforms:
        probs = transform.undo(probabilities([transform.apply(image) for image in images]))
        total = probs if total is None else total + probs
    return total / len(transforms)


def augmentation_warning(tta: str, metadata: dict[str, Any]) -> str | None:
    """A warning when ``tta`` shows the model orientations it was not trained on (its training augmentation was
    ``none``, as recorded in its metadata); None otherwise."""
    trained = metadata.get("train_config", {}).get("augmentation")
    if tta == "none" or trained != "none":
        return None
    return (
        f"Test-time augmentation {tta} shows the model flipped and rotated tiles, but it was trained without "
        "augmentation: its predictions of them may be worse. Train with augmentation basic, or predict without "
        "test-time augmentation."
    )
