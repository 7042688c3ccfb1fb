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
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterMapLayer,
    QgsProcessingParameterMultipleLayers,
    QgsProcessingParameterNumber,
    QgsProcessingParameterRasterDestination,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsProcessingParameterVectorDestination,
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
        parameter = _parameter(s, _parent(s, settings))
        parameter.setHelp(tr(s.help))
        if s.advanced:
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
        made.append(parameter)
    return made


def _parameter(s: Setting, parent_setting: Setting | None) -> QgsProcessingParameterDefinition:
    """``parent_setting``: the layer setting ``s`` depends on (a field's, a band's), if any. A field or bands of
    several layers are typed in (``class``; ``4,3,2``): Processing's pickers read one layer only."""
    name, label, optional = s.processing_name, tr(s.label), not s.required
    parent = parent_setting.processing_name if parent_setting else ""
    if s.source in (schema.FIELD, schema.BANDS) and _several_layers(parent_setting):
        return QgsProcessingParameterString(name, label, optional=True)
    if _several_layers(s):
        kind = QgsProcessing.TypeRaster if s.source == schema.RASTER_LAYER else QgsProcessing.TypeMapLayer
        return QgsProcessingParameterMultipleLayers(name, label, layerType=kind, optional=optional)
    layers = {
        schema.RASTER_LAYER: lambda: QgsProcessingParameterRasterLayer(name, label, optional=optional),
        schema.LABEL_LAYER: lambda: QgsProcessingParameterMapLayer(
            name, label, optional=optional, types=[QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeRaster]
        ),
        schema.POLYGON_LAYER: lambda: QgsProcessingParameterVectorLayer(
            name, label, [QgsProcessing.TypeVectorPolygon], optional=True
        ),
        schema.REFERENCE_LAYER: lambda: QgsProcessingParameterMapLayer(
            name,
            label,
            optional=optional,
            types=[QgsProcessing.TypeVectorPoint, QgsProcessing.TypeVectorPolygon, QgsProcessing.TypeRaster],
        ),
        schema.FIELD: lambda: QgsProcessingParameterField(name, label, parentLayerParameterName=parent, optional=True),
        schema.CLASS_TABLE: lambda: QgsProcessingParameterFile(name, label, extension="json", optional=True),
        schema.FILE: lambda: QgsProcessingParameterFile(name, label, optional=True),
        schema.FOLDER: lambda: QgsProcessingParameterFile(
            name, label, behavior=QgsProcessingParameterFile.Folder, optional=optional
        ),
        schema.OUTPUT_FOLDER: lambda: QgsProcessingParameterFolderDestination(name, label),
        schema.OUTPUT_RASTER: lambda: QgsProcessingParameterRasterDestination(name, label),
        schema.OUTPUT_FILE: lambda: QgsProcessingParameterFileDestination(
            name, label, fileFilter=s.file_filter, optional=True, createByDefault=False
        ),
        schema.OUTPUT_VECTOR: lambda: QgsProcessingParameterVectorDestination(
            name, label, QgsProcessing.TypeVectorPoint
        ),
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
            value = _read(algorithm, s, _parent(s, settings), parameters, context)
        if value is not None:
            out[s.name] = value
    return out


_DESTINATIONS = (schema.OUTPUT_FOLDER, schema.OUTPUT_RASTER, schema.OUTPUT_FILE, schema.OUTPUT_VECTOR)


def _read(algorithm, s: Setting, parent: Setting | None, parameters: dict, context) -> Any:
    name = s.processing_name
    if s.source == schema.FIELD:  # only for vector layers (the first of several)
        layers = _layers(algorithm, parent, parameters, context) if parent else []
        return (
            (algorithm.parameterAsString(parameters, name, context) or None)
            if layers and _is_vector(layers[0])
            else None
        )
    if s.source == schema.BANDS and _several_layers(parent):
        return schema.parse_bands(algorithm.parameterAsString(parameters, name, context))
    if s.source == schema.CLASS_TABLE:
        path = algorithm.parameterAsFile(parameters, name, context)
        return _json(Path(path).read_text(encoding="utf-8"), name) if path else None
    if s.source in (schema.FILE, schema.FOLDER):
        return algorithm.parameterAsFile(parameters, name, context) or None
    if s.source == schema.OUTPUT_FOLDER:
        return algorithm.parameterAsString(parameters, name, context)
    if s.source in (schema.OUTPUT_RASTER, schema.OUTPUT_VECTOR):
        return algorithm.parameterAsOutputLayer(parameters, name, context)
    if s.source == schema.OUTPUT_FILE:
        return algorithm.parameterAsFileOutput(parameters, name, context) or None
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
) -> str | list[str] | None:
    """A layer's file path (several layers' paths for a multiple setting); the layer's name inside a vector
    file goes to the SUBLAYER setting of it (one name for all: a UserError when several layers differ)."""
    layers = _layers(algorithm, s, parameters, context)
    if not layers:
        return None
    files = [layer_file(layer) for layer in layers]
    sublayers = {sublayer for (_, sublayer), layer in zip(files, layers) if _is_vector(layer)}
    if len(sublayers) > 1:
        raise UserError(
            f"{tr(s.label)}: the layers are named differently inside their files ({', '.join(sorted(sublayers))}): "
            "save them as files of one layer each, or under one name."
        )
    for other in settings:
        if other.of == s.name and other.source == schema.SUBLAYER:
            out[other.name] = next(iter(sublayers), None)
    paths = [path for path, _ in files]
    return paths if s.multiple else paths[0]


def _layers(algorithm, s: Setting, parameters: dict, context) -> list:
    """The layers given for the layer setting ``s``: several for a multiple setting, else one or none."""
    if _several_layers(s):
        return algorithm.parameterAsLayerList(parameters, s.processing_name, context)
    layer = algorithm.parameterAsLayer(parameters, s.processing_name, context)
    return [] if layer is None else [layer]


def _several_layers(s: Setting | None) -> bool:
    """Whether a Processing run takes several layers for ``s`` (not one per run, in batch mode)."""
    return s is not None and s.multiple and not s.processing_batch


def _parent(s: Setting, settings: list[Setting]) -> Setting | None:
    """The setting ``s`` depends on (``s.of``), if any."""
    return next((other for other in settings if s.of and other.name == s.of), None)


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
