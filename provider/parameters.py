"""Processing parameters derived from the settings' declarations (``core/common/schema.py``).

A setting ``tile_size`` becomes the parameter ``TILE_SIZE`` with the declaration's label, help,
default, bounds or choices, and the Advanced flag; layers become layer parameters and are read back
as file paths (``tasks/layers.py``). ``values`` reads the parameters into a config's settings.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from qgis.core import (
    QgsProcessing,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterExtent,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorLayer,
    QgsVectorLayer,
)
from qgis.PyQt.QtCore import QCoreApplication

from ..core.common import i18n, schema
from ..core.common.errors import UserError
from ..core.common.schema import Setting
from ..tasks.layers import layer_file


def tr(text: str) -> str:
    """A declared text in the user's language."""
    return QCoreApplication.translate(i18n.SETTINGS, text)


def parameters(settings: list[Setting]) -> list[QgsProcessingParameterDefinition]:
    """The Processing parameters of ``settings``, labelled, documented and flagged from their declaration."""
    made = []
    for s in settings:
        if s.source in schema.NOT_IN_FRONT_ENDS:
            continue
        parameter = _parameter(s, _parent_name(s, settings))
        parameter.setHelp(tr(s.help))
        if s.advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        made.append(parameter)
    return made


def _parameter(s: Setting, parent: str) -> QgsProcessingParameterDefinition:
    """``parent``: the parameter of the layer ``s`` depends on (a field's, a band's), if any."""
    name, label, optional = s.processing_name, tr(s.label), not s.required
    layers = {
        schema.RASTER_LAYER: lambda: QgsProcessingParameterRasterLayer(name, label, optional=optional),
        schema.LABEL_LAYER: lambda: QgsProcessingParameterMapLayer(
            name, label, optional=optional, types=[QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeRaster]
        ),
        schema.POLYGON_LAYER: lambda: QgsProcessingParameterVectorLayer(
            name, label, [QgsProcessing.TypeVectorPolygon], optional=True
        ),
        schema.FIELD: lambda: QgsProcessingParameterField(name, label, parentLayerParameterName=parent, optional=True),
        schema.CLASS_TABLE: lambda: QgsProcessingParameterFile(name, label, extension="json", optional=True),
        schema.FILE: lambda: QgsProcessingParameterFile(name, label, optional=True),
        schema.FOLDER: lambda: QgsProcessingParameterFile(
            name, label, behavior=QgsProcessingParameterFile.Folder, optional=optional
        ),
        schema.OUTPUT_FOLDER: lambda: QgsProcessingParameterFolderDestination(name, label),
        schema.OUTPUT_RASTER: lambda: QgsProcessingParameterRasterDestination(name, label),
        schema.EXTENT: lambda: QgsProcessingParameterExtent(name, label, optional=True),
        schema.BANDS: lambda: QgsProcessingParameterBand(
            name, label, parentLayerParameterName=parent, optional=True, allowMultiple=True
        ),
    }
    if s.source in layers:
        return layers[s.source]()
    if s.is_choice:
        options = schema.choice_options(s)
        labels = [tr(text) for _, text in options]
        default = [value for value, _ in options].index(s.default)
        return QgsProcessingParameterEnum(name, label, labels, defaultValue=default)
    if s.kind is bool:
        return QgsProcessingParameterBoolean(name, label, defaultValue=s.default)
    if s.kind in (int, float):
        kind = QgsProcessingParameterNumber.Integer if s.kind is int else QgsProcessingParameterNumber.Double
        bounds = {k: v for k, v in (("minValue", s.minimum), ("maxValue", s.maximum)) if v is not None}
        return QgsProcessingParameterNumber(name, label, kind, s.default, **bounds)
    default = json.dumps(s.default) if s.kind is dict and s.default else s.default
    return QgsProcessingParameterString(name, label, defaultValue=default or None, optional=True)


def values(algorithm, settings: list[Setting], parameters: dict, context) -> dict[str, Any]:
    """The settings given in ``parameters``, as a config's values (layers as file paths)."""
    out: dict[str, Any] = {}
    for s in settings:
        if s.source in schema.NOT_IN_FRONT_ENDS or (
            s.processing_name not in parameters and s.source not in _DESTINATIONS
        ):
            continue  # not given: the config's default
        if s.source in schema.LAYER_SOURCES:
            value = _layer_path(algorithm, s, settings, parameters, context, out)
        else:
            value = _read(algorithm, s, _parent_name(s, settings), parameters, context)
        if value is not None:
            out[s.name] = value
    return out


_DESTINATIONS = (schema.OUTPUT_FOLDER, schema.OUTPUT_RASTER)


def _read(algorithm, s: Setting, parent: str, parameters: dict, context) -> Any:
    name = s.processing_name
    if s.source == schema.FIELD:
        layer = algorithm.parameterAsLayer(parameters, parent, context)  # the layer the field belongs to
        return (algorithm.parameterAsString(parameters, name, context) or None) if _is_vector(layer) else None
    if s.source == schema.CLASS_TABLE:
        path = algorithm.parameterAsFile(parameters, name, context)
        return _json(Path(path).read_text(encoding="utf-8"), name) if path else None
    if s.source in (schema.FILE, schema.FOLDER):
        return algorithm.parameterAsFile(parameters, name, context) or None
    if s.source == schema.OUTPUT_FOLDER:
        return algorithm.parameterAsString(parameters, name, context)
    if s.source == schema.OUTPUT_RASTER:
        return algorithm.parameterAsOutputLayer(parameters, name, context)
    if s.source == schema.EXTENT:
        return _extent(algorithm, parameters, context)
    if s.source == schema.BANDS:
        return algorithm.parameterAsInts(parameters, name, context) or None  # in the order chosen
    return _plain(algorithm, s, parameters, context)


def _plain(algorithm, s: Setting, parameters: dict, context) -> Any:
    name = s.processing_name
    if s.is_choice:
        return schema.choice_options(s)[algorithm.parameterAsEnum(parameters, name, context)][0]
    if s.kind is bool:
        return algorithm.parameterAsBoolean(parameters, name, context)
    if s.kind is int:
        return algorithm.parameterAsInt(parameters, name, context)
    if s.kind is float:
        return algorithm.parameterAsDouble(parameters, name, context)
    text = algorithm.parameterAsString(parameters, name, context).strip()
    return _json(text, name) if s.kind is dict else (text or None)


def _layer_path(
    algorithm, s: Setting, settings: list[Setting], parameters: dict, context, out: dict[str, Any]
) -> str | None:
    """A layer's file path; the layer's name inside a vector file goes to the SUBLAYER setting of it."""
    layer = algorithm.parameterAsLayer(parameters, s.processing_name, context)
    if layer is None:
        return None
    path, sublayer = layer_file(layer)
    for other in settings:
        if other.of == s.name and other.source == schema.SUBLAYER:
            out[other.name] = sublayer if _is_vector(layer) else None
    return path


def _parent_name(s: Setting, settings: list[Setting]) -> str:
    """The parameter name of the setting ``s`` depends on (``s.of``), or "" when none."""
    return next((other.processing_name for other in settings if s.of and other.name == s.of), "")


def _is_vector(layer) -> bool:
    return isinstance(layer, QgsVectorLayer)


def _extent(algorithm, parameters: dict, context) -> tuple[float, float, float, float] | None:
    """The extent in the raster layer's CRS (the worker's ``extent`` without ``extent_crs``)."""
    if not parameters.get("EXTENT"):
        return None
    raster = algorithm.parameterAsRasterLayer(parameters, "RASTER", context)
    extent = algorithm.parameterAsExtent(parameters, "EXTENT", context, raster.crs() if raster else None)
    return (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum())


def _json(text: str, parameter: str) -> Any:
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{parameter} is not valid JSON: {exc}") from None
