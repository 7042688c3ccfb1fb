"""Training tiles as a torch Dataset: image windows read from the file, labels from the label source."""

from __future__ import annotations

import numpy as np
import rasterio
import torch
from rasterio.windows import Window
from torch.utils.data import Dataset

from .config import IGNORE_INDEX
from .labels import LabelSource
from .normalization import normalize
from .rasters import read_window


def read_tile(
    src: rasterio.io.DatasetReader, labels: LabelSource, window: Window, stats: dict[str, list[float]]
) -> tuple[np.ndarray, np.ndarray]:
    """Normalized image ``(bands, h, w)`` float32 and class indices ``(h, w)`` uint8 for one tile.

    Pixels where the image is nodata (or outside the raster) are unlabelled.
    """
    image, valid = read_window(src, window)
    target = labels.read(window)
    target[~valid] = IGNORE_INDEX
    return normalize(image, valid, stats), target


def labelled_fraction(labels: LabelSource, src: rasterio.io.DatasetReader, window: Window) -> float:
    _, valid = read_window(src, window)
    target = labels.read(window)
    return float(((target != IGNORE_INDEX) & valid).mean())


class TileDataset(Dataset):
    """Tiles of one raster; flips and 90° rotations when ``augment`` (image and label together)."""

    def __init__(
        self,
        raster_path: str,
        labels: LabelSource,
        windows: list[Window],
        stats: dict[str, list[float]],
        augment: bool = False,
        seed: int = 0,
    ) -> None:
        self.raster_path = raster_path
        self.labels = labels
        self.windows = windows
        self.stats = stats
        self.augment = augment
        self.rng = np.random.default_rng(seed)
        self._src: rasterio.io.DatasetReader | None = None

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        if self._src is None:  # opened lazily: one handle per DataLoader worker
            self._src = rasterio.open(self.raster_path)
        image, target = read_tile(self._src, self.labels, self.windows[index], self.stats)
        if self.augment:
            image, target = self._flip_rotate(image, target)
        return torch.from_numpy(np.ascontiguousarray(image)), torch.from_numpy(np.ascontiguousarray(target)).long()

    def _flip_rotate(self, image: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = int(self.rng.integers(4))
        image, target = np.rot90(image, k, axes=(1, 2)), np.rot90(target, k)
        if self.rng.random() < 0.5:
            image, target = image[:, :, ::-1], target[:, ::-1]
        return image, target
