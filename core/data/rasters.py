"""Reading image rasters window by window, with nodata and edge padding handled in one place."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import rasterio
from rasterio.windows import Window

from ..common.errors import UserError
from ..common.files import disk_error
from .tiling import MIN_TILE

SAMPLES, SAMPLE_SIDE = 8, 64
"""A raster's bands are first looked at in ``SAMPLES`` x ``SAMPLES`` windows of ``SAMPLE_SIDE`` pixels."""


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


def damaged_raster(exc: BaseException) -> UserError | None:
    """The UserError for a raster that opened but cannot be read (a truncated or damaged file), naming it as GDAL
    does; None for any other error."""
    if not isinstance(exc, rasterio.errors.RasterioIOError) or not str(exc).startswith("Read failed"):
        return None
    messages = _gdal_messages(exc)
    found = next(filter(None, (re.search(r"([^:]+), band \d+: ", m) for m in messages)), None)
    name = f"the raster {found.group(1).strip()}" if found else "a raster"
    return UserError(
        f"Cannot read {name}: the file is truncated or damaged (GDAL: {messages[-1]}). Copy or export the raster "
        "again."
    )


@contextmanager
def writing_raster(path: str | Path) -> Iterator[None]:
    """Around the writing of the raster ``path``: GDAL failing to write it, or the system a file written beside it
    (a prediction's carried tails), on a full or read-only disk is a UserError naming ``path`` and what to do."""
    try:
        yield
    except rasterio.errors.RasterioIOError as exc:
        error = disk_error(exc, path)
        if error is None and not str(exc).startswith("Write failed"):
            raise
        raise error or UserError(
            f"Cannot write {path} (GDAL: {_gdal_messages(exc)[-1]}): its disk may be full or read-only. Free some "
            "space, or choose a folder on another disk."
        ) from None
    except OSError as exc:
        error = disk_error(exc, path, verb="write")
        if error is None:
            raise
        raise error from None


def _gdal_messages(exc: BaseException) -> list[str]:
    """The messages of ``exc`` and the errors that caused it, GDAL's own last."""
    messages = []
    while exc is not None:
        messages.append(str(exc))
        exc = exc.__cause__ or exc.__context__
    return messages


def raster_info(path: str) -> RasterInfo:
    with open_raster(path) as src:
        return RasterInfo.of(src, path)


def check_training_raster(path: str, bands: list[int] | None) -> None:
    """Before the labels are read: the raster ``path`` is at least a tile (``MIN_TILE``) wide and high, and every
    band of ``bands`` it is read at (default all) holds a value somewhere, so that labels are not blamed for an
    empty raster; a UserError names the raster and the band."""
    with open_raster(path) as src:
        if min(src.width, src.height) < MIN_TILE:
            raise UserError(
                f"The raster {path} is {src.width} x {src.height} pixels: training needs rasters of at least "
                f"{MIN_TILE} x {MIN_TILE} pixels (the smallest tile)."
            )
        indexes = band_indexes(bands, RasterInfo.of(src, path))
        found = _bands_with_values(src, indexes, _sample_windows(src.width, src.height))
        empty = [b for b in indexes if b not in found]
        if empty:  # the samples may have missed a small valid area: look at the whole bands
            found |= _bands_with_values(src, empty, [w for _, w in src.block_windows(1)])
            empty = [b for b in indexes if b not in found]
        nodata = f"nodata (value {src.nodata:g}) or NaN" if src.nodata is not None else "NaN"
    if empty == indexes:
        raise UserError(
            f"Every pixel of the raster {path} is {nodata}: there is nothing to train on. Check the raster and its "
            "nodata value."
        )
    if empty:
        raise UserError(
            f"Band {', '.join(map(str, empty))} of the raster {path} is {nodata} everywhere, and a pixel is used only "
            "where every band read has a value: choose other bands (Bands setting), or fix the raster."
        )


def _sample_windows(width: int, height: int) -> list[Window]:
    """Up to ``SAMPLES`` x ``SAMPLES`` windows spread evenly over a raster (its whole when it is small)."""
    side_x, side_y = min(SAMPLE_SIDE, width), min(SAMPLE_SIDE, height)
    cols = sorted({round(i * (width - side_x) / max(1, SAMPLES - 1)) for i in range(SAMPLES)})
    rows = sorted({round(i * (height - side_y) / max(1, SAMPLES - 1)) for i in range(SAMPLES)})
    return [Window(c, r, side_x, side_y) for r in rows for c in cols]


def _bands_with_values(src: rasterio.io.DatasetReader, bands: list[int], windows: list[Window]) -> set[int]:
    """The bands of ``bands`` with a value (neither NaN nor nodata) in one of ``windows``."""
    found: set[int] = set()
    for window in windows:
        data = src.read(indexes=bands, window=window, out_dtype="float32")
        has_value = np.isfinite(data)
        if src.nodata is not None:
            has_value &= data != np.float32(src.nodata)
        found |= {b for b, band in zip(bands, has_value) if band.any()}
        if len(found) == len(bands):
            break
    return found


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
