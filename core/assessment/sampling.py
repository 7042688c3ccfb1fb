"""The ``sample`` command: a stratified random sample of the map's pixels, the strata being its classes, written as
points for the user to label, then ``assess``.

The size and the points per class are ``sample_size.py``'s. Within each class the pixels are drawn at random
without replacement (every pixel of the class equally likely), in two passes over the map so that memory does not
grow with it: the first counts each class's pixels, the second finds the drawn ones. Each point lies at its
pixel's centre, in the map's CRS. The points are written in random order with an ``id`` and an empty text field
for the reference class, and no map class: whoever labels them should not see what the map says (Olofsson et al.
2014, Section 4.3, on blind interpretation); ``assess`` reads the map class from the map itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fiona
import numpy as np
import rasterio

from ..common.config import ClassInfo, SampleConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import check_output_file, replaced
from ..data.rasters import RasterInfo, open_raster
from .reference import NO_CLASS, class_values, named_classes, row_blocks
from .sample_size import allocate, sample_size


def draw_sample(config: SampleConfig, events: EventWriter) -> dict[str, Any]:
    """Draw and write ``config``'s sample; the result event's fields."""
    check_output_file(config.output, "sample points")
    with open_raster(config.prediction) as src:
        RasterInfo.of(src, config.prediction)  # the map needs a CRS: the points are placed in it
        pixels = _pixels_per_class(src)
        table = {c.value: c for c in named_classes(src, config.classes)}
        classes = [table.get(v, ClassInfo(v, str(v))) for v in pixels]
        counts = np.array(list(pixels.values()), dtype=np.int64)
        size = _size(config, classes, counts, list(table.values()), events)
        points = allocate(size, counts, config.min_per_class)
        rng = np.random.default_rng(config.seed)
        drawn = {
            c.value: np.sort(rng.choice(n_pixels, n, replace=False)) for c, n_pixels, n in zip(classes, counts, points)
        }
        xy = _locate(src, drawn)
        crs_wkt = src.crs.to_wkt()
    order = rng.permutation(len(xy))
    _write_points(Path(config.output), xy[order], config.reference_field, crs_wkt)
    per_class = {c.name: int(n) for c, n in zip(classes, points)}
    events.log(
        f"{len(xy):,} points drawn at random in the map's classes: "
        + ", ".join(f"{name} {n:,}" for name, n in per_class.items())
        + f". Fill in their field {config.reference_field!r} with the true class (name or value), then assess."
    )
    result = {
        "sample": config.output,
        "points": len(xy),
        "per_class": per_class,
        "reference_field": config.reference_field,
    }
    events.emit("result", **result)
    return result


def _pixels_per_class(src: rasterio.io.DatasetReader) -> dict[int, int]:
    """The map's classified pixels per class value, in value order; a UserError when it has none."""
    found: dict[int, int] = {}
    for window in row_blocks(src.width, src.height):
        values = class_values(src.read(1, window=window), src.nodata, f"class raster {Path(src.name).name}")
        for value, count in zip(*np.unique(values[values != NO_CLASS], return_counts=True)):
            found[int(value)] = found.get(int(value), 0) + int(count)
    if not found:
        raise UserError(f"Every pixel of the class raster {src.name} is nodata: there is nothing to sample.")
    return dict(sorted(found.items()))


def _size(
    config: SampleConfig, classes: list[ClassInfo], pixels: np.ndarray, named: list[ClassInfo], events: EventWriter
) -> int:
    """The sample size: the one given, or eq. 13 from the target standard error and the expected accuracies of the
    mapped ``classes`` (``named``: every class the map names, mapped or not)."""
    if config.sample_size:
        return config.sample_size
    expected = _expected_accuracies(config, classes, named)
    size = sample_size(pixels / pixels.sum(), expected, config.target_standard_error)
    events.log(
        f"Sample size {size:,} for a standard error of {config.target_standard_error:g} on the overall accuracy, with "
        "expected user's accuracies " + ", ".join(f"{c.name} {u:g}" for c, u in zip(classes, expected)) + "."
    )
    return size


def _expected_accuracies(config: SampleConfig, classes: list[ClassInfo], named: list[ClassInfo]) -> np.ndarray:
    """U_i per mapped class: ``class_accuracies`` by name (any case) or value, else ``expected_accuracy``; a
    UserError names a key that is no class of the map (a class it names but does not show is left aside)."""
    known = [*classes, *named]
    keys = {c.name.strip().casefold(): c.value for c in known} | {str(c.value): c.value for c in known}
    given = {}
    for key, accuracy in config.class_accuracies.items():
        value = keys.get(str(key).strip().casefold())
        if value is None:
            listed = ", ".join(
                f"{c.value} {c.name}" for c in sorted({c.value: c for c in known}.values(), key=lambda c: c.value)
            )
            raise UserError(f"Expected accuracy per class: {key!r} is not a class of the map (its classes: {listed}).")
        given[value] = float(accuracy)
    return np.array([given.get(c.value, config.expected_accuracy) for c in classes], dtype=np.float64)


def _locate(src: rasterio.io.DatasetReader, drawn: dict[int, np.ndarray]) -> np.ndarray:
    """The pixel centres ``(n, 2)`` of the drawn pixels: ``drawn[value]`` holds sorted ranks among the class's
    pixels in row-major order."""
    seen = dict.fromkeys(drawn, 0)
    rows, cols = [], []
    for window in row_blocks(src.width, src.height):
        values = class_values(src.read(1, window=window), src.nodata, "class raster")
        for value, ranks in drawn.items():
            positions = np.flatnonzero(values == value)
            wanted = ranks[(ranks >= seen[value]) & (ranks < seen[value] + len(positions))] - seen[value]
            seen[value] += len(positions)
            block_rows, block_cols = np.divmod(positions[wanted], values.shape[1])
            rows.append(block_rows + window.row_off)
            cols.append(block_cols)
    xs, ys = src.transform * (np.concatenate(cols) + 0.5, np.concatenate(rows) + 0.5)
    return np.column_stack([xs, ys])


def _write_points(path: Path, xy: np.ndarray, field: str, crs_wkt: str) -> None:
    """A GeoPackage of points (one layer named after the file): ``id`` and the empty text field ``field``."""
    schema = {"geometry": "Point", "properties": {"id": "int", field: "str"}}
    path.parent.mkdir(parents=True, exist_ok=True)
    with replaced(path, keep_suffix=True) as tmp:
        with fiona.open(tmp, "w", driver="GPKG", layer=path.stem, schema=schema, crs_wkt=crs_wkt) as dst:
            dst.writerecords(
                {
                    "geometry": {"type": "Point", "coordinates": (float(x), float(y))},
                    "properties": {"id": i, field: None},
                }
                for i, (x, y) in enumerate(xy, start=1)
            )
