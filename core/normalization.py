"""Per-band normalization statistics, computed once over the training raster and stored with the model."""

from __future__ import annotations

import numpy as np
import rasterio

from .errors import UserError

STATS_MAX_SIDE = 1024  # statistics come from an overview read at most this many pixels a side


def band_statistics(src: rasterio.io.DatasetReader) -> dict[str, list[float]]:
    """Mean and standard deviation of each band over valid (non-nodata, finite) pixels."""
    scale = max(1.0, max(src.width, src.height) / STATS_MAX_SIDE)
    shape = (src.count, max(1, int(src.height / scale)), max(1, int(src.width / scale)))
    data = src.read(out_shape=shape, out_dtype="float64", resampling=rasterio.enums.Resampling.nearest)
    valid = np.isfinite(data).all(axis=0)
    if src.nodata is not None and np.isfinite(src.nodata):
        valid &= (data != src.nodata).all(axis=0)
    if not valid.any():
        raise UserError(f"The raster {src.name} has no valid pixel (every pixel is nodata).")
    pixels = data[:, valid]
    std = pixels.std(axis=1)
    return {"mean": pixels.mean(axis=1).tolist(), "std": np.where(std > 0, std, 1.0).tolist()}


def normalize(data: np.ndarray, valid: np.ndarray, stats: dict[str, list[float]]) -> np.ndarray:
    """Standardize ``(bands, h, w)`` in place with ``stats``; invalid pixels become 0 (the mean)."""
    mean = np.asarray(stats["mean"], dtype=np.float32)[:, None, None]
    std = np.asarray(stats["std"], dtype=np.float32)[:, None, None]
    data -= mean
    data /= std
    data[:, ~valid] = 0.0
    return data
