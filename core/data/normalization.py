"""Per-band normalization, computed once over the training tiles and stored with the model.

- ``mean_std``: ``(x - mean) / std`` per band over the valid pixels;
- ``percentile``: ``clip((x - p2) / (p98 - p2), 0, 1)`` per band (robust to outliers such as
  clouds, saturated pixels or uint16 sensor ranges).

Invalid (nodata) pixels become 0 after normalization.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from rasterio.windows import Window

from ..common.errors import UserError

MAX_TILES = 200  # statistics from at most this many training tiles (evenly spread)
MAX_PIXELS_PER_TILE = 20_000
PERCENTILES = (2.0, 98.0)


def band_statistics(
    read: Callable[[Window], tuple[np.ndarray, np.ndarray]], windows: Sequence[Window], method: str, seed: int = 0
) -> dict[str, object]:
    """Statistics of each band over the valid pixels of ``windows`` (``read`` returns raw data, valid mask)."""
    step = max(1, len(windows) // MAX_TILES)
    rng = np.random.default_rng(seed)
    samples = []
    for window in windows[::step]:
        data, valid = read(window)
        pixels = data[:, valid]
        if pixels.shape[1] > MAX_PIXELS_PER_TILE:
            pixels = pixels[:, rng.choice(pixels.shape[1], MAX_PIXELS_PER_TILE, replace=False)]
        samples.append(pixels.astype(np.float64))
    values = np.concatenate(samples, axis=1) if samples else np.zeros((0, 0))
    if values.size == 0:
        raise UserError("The training tiles have no valid pixel (every pixel is nodata).")
    if method == "percentile":
        low, high = np.percentile(values, PERCENTILES, axis=1)
        return {"method": method, "low": low.tolist(), "high": np.where(high > low, high, low + 1.0).tolist()}
    std = values.std(axis=1)
    return {"method": "mean_std", "mean": values.mean(axis=1).tolist(), "std": np.where(std > 0, std, 1.0).tolist()}


def normalize(data: np.ndarray, valid: np.ndarray, stats: dict) -> np.ndarray:
    """Normalize ``(bands, h, w)`` float32 in place with ``stats``; invalid pixels become 0."""
    if stats.get("method", "mean_std") == "percentile":
        low = np.asarray(stats["low"], dtype=np.float32)[:, None, None]
        high = np.asarray(stats["high"], dtype=np.float32)[:, None, None]
        data -= low
        data /= high - low
        np.clip(data, 0.0, 1.0, out=data)
    else:
        data -= np.asarray(stats["mean"], dtype=np.float32)[:, None, None]
        data /= np.asarray(stats["std"], dtype=np.float32)[:, None, None]
    data[:, ~valid] = 0.0
    return data
