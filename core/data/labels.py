"""Labels on the image's pixel grid: polygons rasterized per window, or a label raster warped onto it.

Every label source yields, for any window of the image, a ``uint8`` array of class *indices*
(0..C-1, the model's output channels) with ``IGNORE_INDEX`` for unlabelled pixels. Class *values*
(what users see in their data and in prediction rasters) map to indices through the class table,
sorted by value.

Labels in another CRS than the image are reprojected onto the image grid, never relabelled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Protocol

import fiona
import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.features import bounds as geometry_bounds
from rasterio.features import rasterize
from rasterio.vrt import WarpedVRT
from rasterio.warp import transform_geom
from rasterio.windows import Window
from rasterio.windows import transform as window_transform

from ..common.classes import field_classes, whole_number
from ..common.colors import class_color
from ..common.config import IGNORE_INDEX, MAX_CLASS_VALUE, AssessConfig, ClassInfo, PredictConfig, TrainConfig
from ..common.errors import UserError
from ..common.schema import settings_of
from .handles import ProcessHandle
from .rasters import RasterInfo, open_raster

Log = Callable[[str], None]
MAX_CLASSES = 254  # indices 0..253 fit uint8 beside IGNORE_INDEX


class LabelSource(Protocol):
    classes: list[ClassInfo]

    def read(self, window: Window) -> np.ndarray:
        """Class indices for ``window`` of the image grid, ``IGNORE_INDEX`` where unlabelled."""


class OutsideRasterError(UserError):
    """Labels or an area that do not overlap the raster (one of several rasters may be left out for it)."""


def open_labels(config: TrainConfig, labels: str, image: RasterInfo, log: Log) -> LabelSource:
    """The label source of ``labels`` (one of ``config.labels``) on ``image``: a vector file (rasterized) or a
    raster (warped)."""
    if not Path(labels).exists():
        raise UserError(f"The label file {labels} does not exist.")
    if is_raster(labels):
        return RasterLabels(config, labels, image, log)
    return VectorLabels(config, labels, image, log)


def is_raster(path: str) -> bool:
    """Whether GDAL opens ``path`` as a raster (else it is read as a vector file)."""
    try:
        with rasterio.Env(CPL_LOG="/dev/null"), rasterio.open(path):
            return True
    except rasterio.errors.RasterioIOError:
        return False


def with_colors(classes: list[ClassInfo]) -> list[ClassInfo]:
    """The class table sorted by value, every class given a colour."""
    ordered = sorted(classes, key=lambda c: c.value)
    return [ClassInfo(c.value, c.name, c.color or class_color(i)) for i, c in enumerate(ordered)]


def binary_classes(given: list[ClassInfo]) -> list[ClassInfo]:
    """Binary mode's table: 0 background, 1 foreground, with names and colours from ``given`` if set."""
    by_value = {c.value: c for c in given}
    return with_colors([by_value.get(0, ClassInfo(0, "background")), by_value.get(1, ClassInfo(1, "foreground"))])


def check_class_count(classes: list[ClassInfo], source: str) -> None:
    if len(classes) > MAX_CLASSES:
        raise UserError(f"{source} has {len(classes)} classes; at most {MAX_CLASSES} are supported.")
    if len(classes) < 2:
        raise UserError(
            f"{source} has only {len(classes)} class(es): segmentation needs at least two "
            "(use binary mode with 'unlabelled as background' for a single foreground class)."
        )


# --- vector labels ------------------------------------------------------------------------------


@dataclass
class _Shape:
    geometry: dict[str, Any]
    bounds: tuple[float, float, float, float]
    value: int


class PolygonLayer:
    """The polygons of a vector file in the image's CRS, burnt into any window of the image grid.

    Used for labels (burning class indices), the area of interest and the validation area (1s).
    """

    def __init__(self, path: str, layer: str | None, image: RasterInfo, log: Log, what: str) -> None:
        if not Path(path).exists():
            raise UserError(f"The {what} file {path} does not exist.")
        self.image = image
        self.transform = rasterio.Affine(*image.transform)
        self.name = Path(path).name + (f" (layer {layer})" if layer else "")
        self.records, self.fields, crs_wkt = _read_features(path, layer, what)
        if not self.records:
            raise UserError(f"The {what} layer {self.name} has no features with a geometry.")
        if not crs_wkt:
            raise UserError(f"The {what} layer {self.name} has no coordinate reference system: set one first.")
        self.crs = CRS.from_wkt(crs_wkt)
        image_crs = CRS.from_wkt(image.crs_wkt)
        self.reproject = self.crs != image_crs
        if self.reproject:
            log(
                f"The {what} layer {self.name} is reprojected from {_crs_name(self.crs)} to the raster's "
                f"{_crs_name(image_crs)}."
            )
        self.shapes: list[_Shape] = []

    def burn(self, values: list[int]) -> None:
        """Set the value burnt for each feature (in feature order), reprojecting the geometries."""
        image_crs = CRS.from_wkt(self.image.crs_wkt)
        self.shapes = []
        for (geometry, _), value in zip(self.records, values):
            if self.reproject:
                geometry = transform_geom(self.crs, image_crs, geometry)
            self.shapes.append(_Shape(geometry, geometry_bounds(geometry), value))

    def overlaps_image(self) -> bool:
        xmin, ymin, xmax, ymax = self._window_bounds(Window(0, 0, self.image.width, self.image.height))
        return any(b[0] < xmax and b[2] > xmin and b[1] < ymax and b[3] > ymin for b in (s.bounds for s in self.shapes))

    def _window_bounds(self, window: Window) -> tuple[float, float, float, float]:
        transform = window_transform(window, self.transform)
        x0, y0 = transform * (0, 0)
        x1, y1 = transform * (int(window.width), int(window.height))
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    def read(self, window: Window, fill: int = 0) -> np.ndarray:
        """``uint8`` ``(h, w)``: each pixel centre inside a polygon gets its value, others ``fill``."""
        height, width = int(window.height), int(window.width)
        xmin, ymin, xmax, ymax = self._window_bounds(window)
        shapes = [
            (s.geometry, s.value)
            for s in self.shapes
            if s.bounds[0] < xmax and s.bounds[2] > xmin and s.bounds[1] < ymax and s.bounds[3] > ymin
        ]
        if not shapes:
            return np.full((height, width), fill, dtype=np.uint8)
        return rasterize(
            shapes,
            out_shape=(height, width),
            transform=window_transform(window, self.transform),
            fill=fill,
            dtype="uint8",
        )


def area_mask(path: str, layer: str | None, image: RasterInfo, log: Log, what: str) -> PolygonLayer:
    """Polygons as a 0/1 mask on the image grid (area of interest, validation area)."""
    polygons = PolygonLayer(path, layer, image, log, what)
    polygons.burn([1] * len(polygons.records))
    if not polygons.overlaps_image():
        raise OutsideRasterError(
            f"The {what} layer {polygons.name} does not overlap the raster {Path(image.path).name}: "
            "check that both cover the same area."
        )
    return polygons


class VectorLabels:
    """Polygons with a class field, reprojected to the image CRS and rasterized per window."""

    def __init__(self, config: TrainConfig, labels: str, image: RasterInfo, log: Log) -> None:
        self.polygons = PolygonLayer(labels, config.label_layer, image, log, "label")
        name = self.polygons.name
        values, table = self._class_values(self.polygons.records, self.polygons.fields, config, name, log)
        # classes numbered from a text field's sorted names (no class table given): other files may number them
        # otherwise, so several label files are matched by name (core/data/scenes.py)
        self.by_name = config.mode != "binary" and not config.classes and any(c.name != str(c.value) for c in table)
        self.classes = self._class_table(values, table, config, name)
        index_of = {c.value: i for i, c in enumerate(self.classes)}
        self.fill = index_of[0] if config.unlabelled_as_background else IGNORE_INDEX
        self.polygons.burn([index_of[v] for v in values])
        if not self.polygons.overlaps_image():
            raise OutsideRasterError(
                f"The labels of {name} do not overlap the raster {Path(image.path).name} "
                "(after reprojection to the raster's CRS): check that both cover the same area."
            )

    def read(self, window: Window) -> np.ndarray:
        return self.polygons.read(window, self.fill)

    @staticmethod
    def _class_values(
        records: list, fields: dict[str, str], config: TrainConfig, name: str, log: Log
    ) -> tuple[list[int], list[ClassInfo]]:
        """Each feature's class value and the class table naming them (the given one, or the field's)."""
        field = config.class_field
        if field is None:
            if config.mode == "binary":
                return [1] * len(records), config.classes
            raise UserError(
                f"Multiclass training needs a class field on the label layer {name}; "
                f"its fields are: {', '.join(fields) or 'none'}."
            )
        if field not in fields:
            raise UserError(f"The label layer {name} has no field {field!r}; its fields are: {', '.join(fields)}.")
        raw = [r[1].get(field) for r in records]
        if any(v is None for v in raw):
            raise UserError(f"Field {field!r} of {name} is empty on some features: fill it or delete them.")
        if config.mode == "binary":
            return [_binary_value(v, field, name) for v in raw], config.classes
        text = any(whole_number(v) is None for v in raw)
        if text and config.classes:
            return _values_by_name(raw, config.classes, field, name), config.classes
        values, table = field_classes(raw)
        if text:
            log(f"Classes from field {field!r}: {', '.join(f'{c.value} {c.name}' for c in table)}.")
        return values, table if text else config.classes

    @staticmethod
    def _class_table(values: list[int], table: list[ClassInfo], config: TrainConfig, name: str) -> list[ClassInfo]:
        present = sorted(set(values))
        if config.mode == "binary":
            return binary_classes(config.classes)
        known = {c.value: c for c in table}
        table = [known.get(v, ClassInfo(v, str(v))) for v in present]
        if config.unlabelled_as_background and 0 not in present:
            table.append(known.get(0, ClassInfo(0, "background")))
        outside = sorted(c.value for c in table if not 0 <= c.value <= MAX_CLASS_VALUE)
        if outside:
            raise UserError(
                f"Field {config.class_field!r} of {name} holds the class value {outside[0]}: class values must lie "
                f"between 0 and {MAX_CLASS_VALUE}. Renumber the classes."
            )
        check_class_count(table, f"The label layer {name}")
        return with_colors(table)


def _values_by_name(raw: list[Any], classes: list[ClassInfo], field: str, name: str) -> list[int]:
    """Text class values mapped through the class table (whole numbers stand for themselves)."""
    by_name = {c.name: c.value for c in classes}
    unknown = sorted({str(v) for v in raw if str(v) not in by_name and whole_number(v) is None})
    if unknown:
        raise UserError(
            f"Field {field!r} of {name} has value(s) {', '.join(map(repr, unknown))} that the "
            f"class table does not name ({', '.join(map(repr, by_name))}): add them to the class table, "
            "or empty the table to number the names 1, 2, … in sorted order."
        )
    return [by_name.get(str(v), whole_number(v)) for v in raw]


LAYER_SETTINGS = {
    "label": "label_layer",
    "area of interest": "aoi_layer",
    "validation area": "validation_area_layer",
    "mask": "mask_layer",
    "reference": "reference_layer",
}
"""The setting naming the layer inside a multi-layer file, per kind of polygons (``PolygonLayer``'s ``what``)."""


def _read_features(path: str, layer: str | None, what: str) -> tuple[list, dict[str, str], str]:
    """The features with a geometry (geometry, properties), the fields and the CRS of ``layer`` of ``path`` (the
    ``what`` layer); a UserError names a layer the file lacks, or the file's layers when it holds several and
    ``layer`` is None."""
    try:
        with fiona.open(path, layer=_layer_name(path, layer, what)) as src:
            fields = dict(src.schema["properties"])
            records = [(dict(f.geometry), dict(f.properties)) for f in src if f.geometry is not None]
            return records, fields, src.crs_wkt
    except (fiona.errors.DriverError, fiona.errors.DataIOError, ValueError) as exc:
        raise UserError(f"Cannot read the {what} file {path}: {exc}") from None


def _layer_name(path: str, layer: str | None, what: str) -> str | None:
    """``layer``, checked to be one of the file's layers; None for a file of one layer (that one is read)."""
    layers = fiona.listlayers(path)
    listed = ", ".join(layers)
    if layer is not None and layer not in layers:
        raise UserError(f"The {what} file {path} has no layer {layer!r}; its layers are: {listed}.")
    if layer is None and len(layers) > 1:
        setting = (settings_of(TrainConfig) | settings_of(PredictConfig) | settings_of(AssessConfig))[
            LAYER_SETTINGS[what]
        ]
        raise UserError(
            f"The {what} file {path} holds {len(layers)} layers ({listed}): say which one to use with "
            f"{setting.cli_flag} NAME (\"{setting.name}\" in a run JSON; in QGIS, choose that layer of the file)."
        )
    return layer


def _binary_value(value: Any, field: str, name: str) -> int:
    number = whole_number(value)
    if number not in (0, 1):
        raise UserError(
            f"Binary mode needs 0/1 values in field {field!r} of {name}, found {value!r}: "
            "leave the class field empty to use every polygon as foreground."
        )
    return number


def _check_binary_values(values: list[int], name: str, log: Log) -> None:
    """Binary mode reads a class raster as 0 background, anything else foreground: refuse one that holds
    several classes (it would merge them silently), and say which value is the foreground."""
    foreground = [v for v in values if v != 0]
    if len(foreground) > 1:
        listed = ", ".join(map(str, foreground[:8])) + (", …" if len(foreground) > 8 else "")
        raise UserError(
            f"Binary mode needs a label raster of 0 (background) and one foreground value, but {name} holds "
            f"{len(foreground)} classes besides 0 ({listed}): train in multiclass mode, or write a 0/1 raster of "
            "the class to detect (for example with QGIS's Raster calculator)."
        )
    if foreground:
        log(f"Binary mode: value {foreground[0]} of {name} is the foreground, 0 the background.")


def _crs_name(crs: CRS) -> str:
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg else crs.to_string()


# --- raster labels ------------------------------------------------------------------------------


def on_image_grid(src: rasterio.io.DatasetReader, image: RasterInfo, log: Log, what: str):
    """The class raster ``src`` (the ``what``, e.g. "label raster x.tif") on ``image``'s pixel grid: itself, or a
    nearest-neighbour warp of it (class values unchanged)."""
    same_grid = (
        src.crs is not None
        and src.crs == CRS.from_wkt(image.crs_wkt)
        and tuple(src.transform)[:6] == image.transform
        and (src.width, src.height) == (image.width, image.height)
    )
    if same_grid:
        return src
    if src.crs is None:
        raise UserError(f"The {what} has no coordinate reference system: set one first.")
    log(
        f"The {what} is not on the image's pixel grid: it is resampled onto it (nearest neighbour, class values "
        "unchanged)."
    )
    return WarpedVRT(
        src,
        crs=CRS.from_wkt(image.crs_wkt),
        transform=rasterio.Affine(*image.transform),
        width=image.width,
        height=image.height,
        resampling=Resampling.nearest,
        nodata=src.nodata,
    )


class RasterLabels:
    """A class raster of any numeric type, warped (nearest) onto the image grid when needed."""

    by_name = False  # class values are numbers: several label rasters are matched by value

    def __init__(self, config: TrainConfig, labels: str, image: RasterInfo, log: Log) -> None:
        src = open_raster(labels)
        name = Path(labels).name
        self.nodata = src.nodata
        first = on_image_grid(src, image, log, f"label raster {name}")
        self._reader = ProcessHandle(partial(_label_reader, labels, image), first)  # one per DataLoader worker
        self.binary = config.mode == "binary"
        if self.binary:
            self.classes = binary_classes(config.classes)
            _check_binary_values(self._scan_values(name), name, log)
        else:
            present = self._scan_values(name)
            if not present:
                raise OutsideRasterError(
                    f"The label raster {name} has no labelled pixel over the raster {Path(image.path).name}: check "
                    "that both cover the same area."
                )
            known = {c.value: c for c in config.classes}
            self.classes = with_colors([known.get(v, ClassInfo(v, str(v))) for v in present])
            check_class_count(self.classes, f"The label raster {name}")
        self.values = np.array([c.value for c in self.classes], dtype=np.float64)

    def _scan_values(self, name: str) -> list[int]:
        found: set[float] = set()
        reader = self._reader.get()
        for _, window in reader.block_windows(1):
            data = reader.read(1, window=window)
            data = data[self._labelled(data)]
            found.update(np.unique(data).tolist())
        fractional = [v for v in found if v != int(v)]
        if fractional:
            raise UserError(
                f"The label raster {name} holds non-integer values (e.g. {fractional[0]}): "
                "class rasters must hold whole class numbers."
            )
        values = sorted(int(v) for v in found)
        if values and not 0 <= values[0] <= values[-1] <= MAX_CLASS_VALUE:
            raise UserError(
                f"Class values of {name} must lie between 0 and {MAX_CLASS_VALUE}, found {values[0]}..{values[-1]}."
            )
        return values

    def _labelled(self, data: np.ndarray) -> np.ndarray:
        ok = np.isfinite(data) if data.dtype.kind == "f" else np.ones(data.shape, dtype=bool)
        if self.nodata is not None:
            ok &= data != self.nodata
        return ok

    def read(self, window: Window) -> np.ndarray:
        height, width = int(window.height), int(window.width)
        reader = self._reader.get()
        inside = window.intersection(Window(0, 0, reader.width, reader.height))
        data = reader.read(1, window=inside)
        labelled = self._labelled(data)
        if self.binary:
            indices = (data > 0).astype(np.uint8)
        else:
            safe = np.where(labelled, data, self.values[0]).astype(np.float64)
            pos = np.clip(np.searchsorted(self.values, safe), 0, len(self.values) - 1)
            labelled &= self.values[pos] == safe
            indices = pos.astype(np.uint8)
        indices[~labelled] = IGNORE_INDEX
        out = np.full((height, width), IGNORE_INDEX, dtype=np.uint8)
        r0, c0 = int(inside.row_off - window.row_off), int(inside.col_off - window.col_off)
        out[r0 : r0 + indices.shape[0], c0 : c0 + indices.shape[1]] = indices
        return out


def _label_reader(path: str, image: RasterInfo) -> rasterio.io.DatasetReader | WarpedVRT:
    """The class raster ``path`` on ``image``'s grid, opened again in a DataLoader worker (its warping was logged
    when the labels were first opened)."""
    return on_image_grid(open_raster(path), image, lambda *_args, **_kwargs: None, "")
