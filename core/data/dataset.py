"""Training tiles: normalized image windows and their labels, from the files or from memory."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import rasterio
import torch
from rasterio.windows import Window
from torch.utils.data import Dataset

from ..common.config import IGNORE_INDEX
from .augmentation import augment
from .handles import ProcessHandle
from .labels import LabelSource, PolygonLayer
from .normalization import normalize
from .rasters import pad_to_window, read_window

CACHE_LIMIT_BYTES = 512 * 2**20  # "auto" caching keeps rasters up to this size (as float32) in memory


class TileSource:
    """Raw image, validity and class indices for any window of the image grid.

    Only ``bands`` (1-based, in the network's order; default all) are read. Pixels that are nodata,
    outside the raster or outside the area of interest are unlabelled. With ``cache``, the whole raster,
    labels and mask are read once and windows are sliced from memory; otherwise every window is read
    from the files (rasters larger than memory train), through a handle of the reading process's own
    (``ProcessHandle``: DataLoader workers, forked or spawned, each open the raster).
    """

    def __init__(
        self,
        raster_path: str,
        labels: LabelSource,
        aoi: PolygonLayer | None,
        cache: bool,
        bands: list[int] | None = None,
    ) -> None:
        self.raster_path, self.labels, self.aoi, self.bands = raster_path, labels, aoi, bands
        self._src: ProcessHandle[rasterio.io.DatasetReader] = ProcessHandle(partial(rasterio.open, raster_path))
        self.cached: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if cache:
            with rasterio.open(raster_path) as src:
                full = Window(0, 0, src.width, src.height)
                image, valid = read_window(src, full, bands)
            self.cached = (image, valid, self._targets(full))

    @staticmethod
    def should_cache(mode: str, pixels: int, bands: int) -> bool:
        """Whether rasters of ``pixels`` pixels in all (``bands`` read) are kept in memory."""
        return mode == "always" or (mode == "auto" and pixels * bands * 4 <= CACHE_LIMIT_BYTES)

    def _targets(self, window: Window) -> np.ndarray:
        target = self.labels.read(window)
        if self.aoi is not None:
            target[self.aoi.read(window) == 0] = IGNORE_INDEX
        return target

    def read_raw(self, window: Window) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Image ``(bands, h, w)`` float32 (not normalized), valid mask, class indices (uint8)."""
        if self.cached is not None:
            image, valid, target = self.cached
            height, width = valid.shape
            inside = window.intersection(Window(0, 0, width, height))
            rows, cols = inside.toslices()
            data, ok = pad_to_window(image[:, rows, cols].copy(), valid[rows, cols], inside, window)
            labels = np.full(ok.shape, IGNORE_INDEX, dtype=np.uint8)
            r0, c0 = int(inside.row_off - window.row_off), int(inside.col_off - window.col_off)
            labels[r0 : r0 + int(inside.height), c0 : c0 + int(inside.width)] = target[rows, cols]
        else:
            data, ok = read_window(self._src.get(), window, self.bands)
            labels = self._targets(window)
        labels[~ok] = IGNORE_INDEX
        return data, ok, labels


class TileDataset(Dataset):
    """Normalized, optionally augmented tiles; augmentation is seeded by (seed, epoch, tile). A tile is asked for
    by its index (epoch 0), or by ``(epoch, index)`` (``loading.EpochSampler``: the epoch reaches DataLoader
    workers with the index).

    ``label_map``: a loss's map of the labels only (``losses``: a distance map, ``(1, H, W)`` labels
    to ``(1, ...)``), computed here once per tile and returned as a third tensor, so that the loss
    need not compute it at every step (and DataLoader workers compute it beside the network).
    """

    def __init__(
        self,
        source: TileSource,
        windows: list[Window],
        stats: dict,
        augmentation: str = "none",
        seed: int = 0,
        label_map: Callable[[torch.Tensor], torch.Tensor] | None = None,
    ) -> None:
        self.source, self.windows, self.stats = source, windows, stats
        self.augmentation, self.seed = augmentation, seed
        self.label_map = label_map

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, key: int | tuple[int, int]) -> tuple[torch.Tensor, ...]:
        epoch, index = key if isinstance(key, tuple) else (0, key)
        data, valid, target = self.source.read_raw(self.windows[index])
        image = normalize(data, valid, self.stats)
        rng = np.random.default_rng([self.seed, epoch, index])
        image, target = augment(image, target, valid, self.augmentation, rng)
        tile = torch.from_numpy(np.ascontiguousarray(image)), torch.from_numpy(np.ascontiguousarray(target)).long()
        if self.label_map is None:
            return tile
        return *tile, self.label_map(tile[1].unsqueeze(0)).squeeze(0)
