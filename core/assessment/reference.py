"""The reference data on the map's grid, tallied against the map: an error matrix of counts and the map's pixels
per class.

The map is a class raster (a prediction): its classes are named by its ``CLASS_NAMES`` tag (what ``predict``
writes), by the class table given, or by their values. The reference is read as training labels are
(``core/data/labels.py``), reprojected onto the map's grid, never relabelled:

- **points** (a vector layer of points): each point is a unit, compared with the map pixel it falls in;
- **polygons**: each map pixel whose centre lies in a polygon is a unit (rasterized per window);
- **a class raster**: each map pixel is a unit, the reference warped onto the map's grid (nearest neighbour).

Vector classes come from a field, matched by value (whole numbers) or by name (text, compared without regard to
case or surrounding spaces) with the map's classes. Units on the map's nodata, outside it or without a reference
class are left out, and the log says how many.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.windows import Window

from ..common.classes import whole_number
from ..common.config import MAX_CLASS_VALUE, AssessConfig, ClassInfo
from ..common.errors import UserError
from ..data.labels import MAX_CLASSES, OutsideRasterError, PolygonLayer, is_raster, on_image_grid
from ..data.rasters import RasterInfo, open_raster

Log = Callable[[str], None]
BLOCK_PIXELS = 1 << 22  # a map is read in blocks of full rows, about this many pixels each
NO_CLASS = -1
POINT_TYPES, POLYGON_TYPES = ("Point", "MultiPoint"), ("Polygon", "MultiPolygon")
CLASS_NAMES_TAG = "CLASS_NAMES"  # "1=developed;2=agriculture", in the band metadata (core/inference/prediction.py)


def row_blocks(width: int, height: int) -> Iterator[Window]:
    """The raster in windows of whole rows, about ``BLOCK_PIXELS`` each."""
    rows = max(1, BLOCK_PIXELS // max(1, width))
    for row in range(0, height, rows):
        yield Window(0, row, width, min(rows, height - row))


def class_values(data: np.ndarray, nodata: float | None, what: str) -> np.ndarray:
    """Whole class values of a block of a class raster (``NO_CLASS`` on nodata and NaN); a UserError names ``what``
    when it holds fractions or values beyond the class range."""
    valid = np.isfinite(data) if data.dtype.kind == "f" else np.ones(data.shape, dtype=bool)
    if nodata is not None:
        valid &= data != nodata
    values = data[valid]
    if values.size and data.dtype.kind == "f" and np.any(values != np.round(values)):
        example = values[values != np.round(values)][0]
        raise UserError(f"The {what} holds non-integer values (e.g. {example:g}): give a raster of class values.")
    if values.size and (values.min() < 0 or values.max() > MAX_CLASS_VALUE):
        raise UserError(
            f"The {what} holds the value {values.min() if values.min() < 0 else values.max():g}: class values must "
            f"lie between 0 and {MAX_CLASS_VALUE}."
        )
    out = np.full(data.shape, NO_CLASS, dtype=np.int64)
    out[valid] = values.astype(np.int64)
    return out


def named_classes(src: rasterio.io.DatasetReader, given: list[ClassInfo]) -> list[ClassInfo]:
    """The map's class table: ``given``, else its ``CLASS_NAMES`` tag; empty when neither names the classes."""
    if given:
        return sorted(given, key=lambda c: c.value)
    tagged = []
    for item in (src.tags(1).get(CLASS_NAMES_TAG) or "").split(";"):
        value, _, name = item.partition("=")
        number = whole_number(value)
        if number is not None and name:
            tagged.append(ClassInfo(number, name))
    return sorted(tagged, key=lambda c: c.value)


@dataclass
class Tally:
    """The error matrix of counts (rows: map classes, columns: reference classes, both ``classes``) and the map's
    pixels per class."""

    classes: list[ClassInfo]
    counts: np.ndarray  # (K, K) int64
    mapped: np.ndarray  # (K,) int64
    kind: str  # points, polygons or raster
    pixel_area_ha: float | None  # None: the map's CRS has no linear unit (areas are then in pixels)
    left_out: dict[str, int] = field(default_factory=dict)  # units left out, by reason


class _Pairs:
    """(map value, reference value) counts and the map's pixels per value, accumulated block by block."""

    def __init__(self) -> None:
        self.pairs: Counter[tuple[int, int]] = Counter()
        self.mapped: Counter[int] = Counter()

    def add_map(self, values: np.ndarray) -> None:
        found, counts = np.unique(values[values != NO_CLASS], return_counts=True)
        self.mapped.update(dict(zip(found.tolist(), counts.tolist())))

    def add_pairs(self, mapped: np.ndarray, reference: np.ndarray) -> None:
        both = (mapped != NO_CLASS) & (reference != NO_CLASS)
        codes = mapped[both] * (MAX_CLASS_VALUE + 1) + reference[both]
        found, counts = np.unique(codes, return_counts=True)
        for code, count in zip(found.tolist(), counts.tolist()):
            self.pairs[divmod(code, MAX_CLASS_VALUE + 1)] += count


def tally(config: AssessConfig, log: Log) -> Tally:
    """The reference of ``config`` tallied against its map (the module docstring)."""
    with open_raster(config.prediction) as src:
        image = RasterInfo.of(src, config.prediction)
        table = named_classes(src, config.classes)
        reference = _open_reference(config, image, table, log)
        pairs, left_out = reference.tally(src)
        kind = reference.kind
        area = pixel_area_ha(src)
    _check_matching(table, {true for _, true in pairs.pairs}, f"The reference {Path(config.reference).name}", log)
    if not sum(pairs.pairs.values()):
        raise OutsideRasterError(
            f"No unit of the reference {Path(config.reference).name} falls on a classified pixel of "
            f"{Path(config.prediction).name}: check that both cover the same area (the map's nodata does not count)."
        )
    classes = _classes(table, pairs)
    index = {c.value: i for i, c in enumerate(classes)}
    counts = np.zeros((len(classes), len(classes)), dtype=np.int64)
    for (mapped, true), count in pairs.pairs.items():
        counts[index[mapped], index[true]] += count
    mapped = np.zeros(len(classes), dtype=np.int64)
    for value, count in pairs.mapped.items():
        mapped[index[value]] += count
    return Tally(classes, counts, mapped, kind, area, left_out)


def pixel_area_ha(src: rasterio.io.DatasetReader) -> float | None:
    """The area of one pixel in hectares, for a projected CRS (its linear unit converted to metres); else None."""
    if src.crs is None or not src.crs.is_projected:
        return None
    _, metres = src.crs.linear_units_factor
    a, b, _, d, e, _ = tuple(src.transform)[:6]
    return abs(a * e - b * d) * metres**2 / 10_000.0


def _classes(table: list[ClassInfo], pairs: _Pairs) -> list[ClassInfo]:
    """The classes of the matrix: those mapped or in the reference, named by ``table`` (else by their value)."""
    named = {c.value: c for c in table}
    present = set(pairs.mapped) | {v for pair in pairs.pairs for v in pair}
    return [named.get(v, ClassInfo(v, str(v))) for v in sorted(present)]


def _open_reference(config: AssessConfig, image: RasterInfo, table: list[ClassInfo], log: Log) -> _Reference:
    if not Path(config.reference).exists():
        raise UserError(f"The reference file {config.reference} does not exist.")
    if is_raster(config.reference):
        return _RasterReference(config.reference, image, log)
    layer = PolygonLayer(config.reference, config.reference_layer, image, log, "reference")
    values = _field_values(layer, config.reference_field, table)
    types = {geometry["type"] for geometry, _ in layer.records}
    if types <= set(POINT_TYPES):
        return _PointReference(layer, values)
    if types <= set(POLYGON_TYPES):
        return _PolygonReference(layer, values, log)
    raise UserError(
        f"The reference layer {layer.name} holds {', '.join(sorted(types))} geometries: give points or polygons."
    )


def _field_values(layer: PolygonLayer, name: str | None, table: list[ClassInfo]) -> list[int | None]:
    """Each feature's reference class value (None where the field is empty); a UserError names a missing field, an
    empty one, or a class the map does not have."""
    fields = ", ".join(layer.fields) or "none"
    if not name:
        raise UserError(
            f"Give the reference class field of {layer.name} (Reference class field); its fields: {fields}."
        )
    if name not in layer.fields:
        raise UserError(f"The reference layer {layer.name} has no field {name!r}; its fields are: {fields}.")
    raw = [None if _empty(p.get(name)) else p.get(name) for _, p in layer.records]
    if all(v is None for v in raw):
        raise UserError(
            f"The reference field {name!r} of {layer.name} is empty on every feature: fill in the true class of each "
            "(in QGIS: open the layer's attribute table, toggle editing, type a class name or value per feature), "
            "then assess."
        )
    by_name = {c.name.strip().casefold(): c.value for c in table}
    values = [None if v is None else whole_number(v) for v in raw]
    values = [by_name.get(str(v).strip().casefold()) if n is None and v is not None else n for v, n in zip(raw, values)]
    unknown = sorted({str(v) for v, n in zip(raw, values) if v is not None and n is None})
    if unknown:
        known = ", ".join(f"{c.value} {c.name}" for c in table) or "none: the map names no class"
        raise UserError(
            f"Field {name!r} of {layer.name} holds {', '.join(map(repr, unknown[:8]))}, which no class of the map is "
            f"named (its classes: {known}): use the map's class names or values, or give a class table naming them."
        )
    return values


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _check_matching(table: list[ClassInfo], values: set[int], what: str, log: Log) -> None:
    """With a class table, the reference must share classes with the map: none shared means it is numbered
    otherwise (a UserError listing both); values the map lacks are errors of the map, said in the log."""
    known = {c.value for c in table}
    if not table or not values:
        return
    listed = ", ".join(f"{c.value} {c.name}" for c in table)
    if not values & known:
        raise UserError(
            f"{what} holds the class values {', '.join(map(str, sorted(values)[:8]))}, none of which is a class of the "
            f"map (its classes: {listed}): renumber the reference as the map, or give a class table naming both."
        )
    stray = sorted(values - known)
    if stray:
        log(
            f"{what} holds the class value(s) {', '.join(map(str, stray))}, which the map does not have (its classes: "
            f"{listed}): their units count as errors of the map."
        )


class _Reference:
    kind = ""

    def tally(self, src: rasterio.io.DatasetReader) -> tuple[_Pairs, dict[str, int]]:
        """The pairs and the map's pixels per value, and the units left out by reason."""
        raise NotImplementedError


def _read_map(src: rasterio.io.DatasetReader, window: Window) -> np.ndarray:
    return class_values(src.read(1, window=window), src.nodata, f"class raster {Path(src.name).name}")


class _DenseReference(_Reference):
    """A reference with a class (or none) on every pixel of the map's grid: polygons or a raster."""

    def read(self, window: Window) -> np.ndarray:
        """Reference class values of ``window`` of the map's grid, ``NO_CLASS`` where there is none."""
        raise NotImplementedError

    def tally(self, src: rasterio.io.DatasetReader) -> tuple[_Pairs, dict[str, int]]:
        pairs, on_nodata = _Pairs(), 0
        for window in row_blocks(src.width, src.height):
            mapped, reference = _read_map(src, window), self.read(window)
            pairs.add_map(mapped)
            pairs.add_pairs(mapped, reference)
            on_nodata += int(np.count_nonzero((reference != NO_CLASS) & (mapped == NO_CLASS)))
        return pairs, {"on the map's nodata": on_nodata} if on_nodata else {}


class _RasterReference(_DenseReference):
    kind = "raster"

    def __init__(self, path: str, image: RasterInfo, log: Log) -> None:
        self.name = Path(path).name
        self.src = open_raster(path)
        self.reader = on_image_grid(self.src, image, log, f"reference raster {self.name}")

    def read(self, window: Window) -> np.ndarray:
        return class_values(self.reader.read(1, window=window), self.src.nodata, f"reference raster {self.name}")


class _PolygonReference(_DenseReference):
    kind = "polygons"

    def __init__(self, layer: PolygonLayer, values: list[int | None], log: Log) -> None:
        self.layer = layer
        labelled = [v is not None for v in values]
        if not all(labelled):
            log(f"{labelled.count(False)} polygon(s) of {layer.name} have no reference class: they are left out.")
        layer.records = [r for r, keep in zip(layer.records, labelled) if keep]
        self.values = np.array(sorted({v for v in values if v is not None}), dtype=np.int64)
        if len(self.values) > MAX_CLASSES:
            raise UserError(f"The reference layer {layer.name} has {len(self.values)} classes; at most {MAX_CLASSES}.")
        index = {v: i for i, v in enumerate(self.values.tolist())}
        layer.burn([index[v] for v in values if v is not None])
        if not layer.overlaps_image():
            raise OutsideRasterError(
                f"The reference polygons of {layer.name} do not overlap the class raster (after reprojection to its "
                "CRS): check that both cover the same area."
            )

    def read(self, window: Window) -> np.ndarray:
        burnt = self.layer.read(window, fill=MAX_CLASSES)
        return np.where(burnt == MAX_CLASSES, NO_CLASS, self.values[np.minimum(burnt, len(self.values) - 1)])


class _PointReference(_Reference):
    """Each point compared with the map pixel it falls in."""

    kind = "points"

    def __init__(self, layer: PolygonLayer, values: list[int | None]) -> None:
        self.layer = layer
        self.unlabelled = values.count(None)
        layer.burn([NO_CLASS if v is None else v for v in values])  # reprojects the points to the map's CRS

    def _points(self) -> tuple[np.ndarray, np.ndarray]:
        """The (x, y) of every labelled point (the parts of multipoints) and its reference value."""
        xy, values = [], []
        for shape in self.layer.shapes:
            if shape.value == NO_CLASS:
                continue
            parts = [shape.geometry["coordinates"]]
            if shape.geometry["type"] == "MultiPoint":
                parts = list(shape.geometry["coordinates"])
            xy += [tuple(p[:2]) for p in parts]
            values += [shape.value] * len(parts)
        return np.array(xy, dtype=np.float64).reshape(-1, 2), np.array(values, dtype=np.int64)

    def tally(self, src: rasterio.io.DatasetReader) -> tuple[_Pairs, dict[str, int]]:
        xy, reference = self._points()
        cols, rows = ~src.transform * (xy[:, 0], xy[:, 1])
        cols, rows = np.floor(cols).astype(np.int64), np.floor(rows).astype(np.int64)
        inside = (cols >= 0) & (cols < src.width) & (rows >= 0) & (rows < src.height)
        if not inside.any():
            raise OutsideRasterError(
                f"No point of {self.layer.name} lies on the class raster {Path(src.name).name} (after reprojection to "
                "its CRS): check that both cover the same area."
            )
        pairs, mapped = _Pairs(), np.full(len(reference), NO_CLASS, dtype=np.int64)
        for window in row_blocks(src.width, src.height):
            block = _read_map(src, window)
            pairs.add_map(block)
            here = inside & (rows >= window.row_off) & (rows < window.row_off + window.height)
            mapped[here] = block[rows[here] - window.row_off, cols[here]]
        pairs.add_pairs(mapped[inside], reference[inside])
        left_out = {
            "without a reference class": self.unlabelled,
            "outside the map": int(np.count_nonzero(~inside)),
            "on the map's nodata": int(np.count_nonzero(inside & (mapped == NO_CLASS))),
        }
        return pairs, {reason: count for reason, count in left_out.items() if count}
