"""Reading image rasters window by window, with nodata and edge padding handled in one place."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import rasterio
from rasterio.windows import Window

from ..common.errors import UserError


@dataclass(frozen=True)
class RasterInfo:
    """What training and prediction need to know about an image raster."""

    path: str
    width: int
    height: int
    count: int
    crs_wkt: str
    transform: tuple[float, ...]  # affine coefficients a, b, c, d, e, f
    nodata: float | None
    dtype: str

    @property
    def resolution(self) -> tuple[float, float]:
        return abs(self.transform[0]), abs(self.transform[4])

    @classmethod
    def of(cls, src: rasterio.io.DatasetReader, path: str) -> RasterInfo:
        if src.crs is None:
            raise UserError(f"The raster {path} has no coordinate reference system: set one first.")
        return cls(
            path,
            src.width,
            src.height,
            src.count,
            src.crs.to_wkt(),
            tuple(src.transform)[:6],
            src.nodata,
            src.dtypes[0],
        )


def open_raster(path: str) -> rasterio.io.DatasetReader:
    """Open a raster for reading, or raise a UserError naming the file."""
    try:
        return rasterio.open(path)
    except rasterio.errors.RasterioIOError as exc:
        raise UserError(f"Cannot open the raster {path}: {exc}. Check the path and the file.") from None


def raster_info(path: str) -> RasterInfo:
    with open_raster(path) as src:
        return RasterInfo.of(src, path)


def band_indexes(bands: list[int] | None, image: RasterInfo) -> list[int]:
    """The 1-based bands to read from ``image``: ``bands`` in their order, or all of them; a UserError
    names a band the raster lacks."""
    if not bands:
        return list(range(1, image.count + 1))
    missing = [b for b in bands if not 1 <= b <= image.count]
    if missing:
        raise UserError(
            f"Bands: the raster {image.path} has {image.count} band(s), so band {', '.join(map(str, missing))} "
            f"does not exist: choose bands from 1 to {image.count}."
        )
    return list(bands)


def read_window(
    src: rasterio.io.DatasetReader, window: Window, bands: list[int] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read ``window`` of ``bands`` (1-based, in that order; default all) as float32 ``(bands, h, w)``
    plus a validity mask ``(h, w)``.

    Parts of the window outside the raster are zero-filled and marked invalid; a pixel is invalid
    where any band read equals the nodata value or is NaN.
    """
    inside = window.intersection(Window(0, 0, src.width, src.height))
    data = src.read(indexes=bands, window=inside, out_dtype="float32")
    valid = valid_pixels(data, src.nodata)
    data[:, ~valid] = 0.0
    return pad_to_window(data, valid, inside, window)


def valid_pixels(data: np.ndarray, nodata: float | None) -> np.ndarray:
    """``(h, w)``: pixels where no band is NaN or equal to the nodata value."""
    valid = np.isfinite(data).all(axis=0)
    if nodata is not None and np.isfinite(nodata):
        valid &= (data != np.float32(nodata)).all(axis=0)
    return valid


def pad_to_window(data: np.ndarray, valid: np.ndarray, inside: Window, window: Window) -> tuple[np.ndarray, np.ndarray]:
    """Place ``data`` read at ``inside`` into a zero array the size of ``window``."""
    if (inside.col_off, inside.row_off, inside.width, inside.height) == (
        window.col_off,
        window.row_off,
        window.width,
        window.height,
    ):
        return data, valid
    row0 = int(inside.row_off - window.row_off)
    col0 = int(inside.col_off - window.col_off)
    h, w = int(inside.height), int(inside.width)
    full = np.zeros((data.shape[0], int(window.height), int(window.width)), dtype=data.dtype)
    full_valid = np.zeros((int(window.height), int(window.width)), dtype=bool)
    full[:, row0 : row0 + h, col0 : col0 + w] = data
    full_valid[row0 : row0 + h, col0 : col0 + w] = valid
    return full, full_valid
