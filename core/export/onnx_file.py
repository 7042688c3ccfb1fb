"""The conventions of the ONNX files ``export-onnx`` writes, shared by the export and by prediction from ONNX
(``core/inference/onnx_network.py``, which runs without PyTorch: no torch here).

- One input ``(batch, bands, tile, tile)`` float32: the raster's band values as stored, divided by
  ``INPUT_SCALE`` (Deepness's convention); NaN marks a nodata pixel. The batch is symbolic; the tile side is
  declared as a number (Deepness reads its tile size from it), while the graph computes with any side that is a
  multiple of 32, so prediction declares it symbolic again (``declare_tile``).
- One output ``(batch, classes, tile, tile)``: class probabilities (a binary model's two: background, foreground).
- ``metadata_props``: Deepness's keys (``deepness.py``) and ``METADATA_KEY``, this plugin's model description
  (``model.json``'s classes with their values and colours, mode, bands, nodata, CRS, resolution, tile size).
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

from ..common.errors import UserError

INPUT_NAME, OUTPUT_NAME = "input", "probabilities"
INPUT_SCALE = 255.0
"""Deepness divides the band values by 255 whatever their data type; the graph multiplies them back."""
METADATA_KEY = "segmentation_trainer"
OPSET = 17
"""ONNX Runtime 1.12 to 1.17 (those Deepness 0.6.5 installs) run opset 17 and IR version 8, the legacy exporter's."""
SPATIAL_AXES = {2: "height", 3: "width"}
MODEL_KEYS = (
    "architecture",
    "encoder",
    "mode",
    "classes",
    "in_channels",
    "bands",
    "raster_bands",
    "nodata",
    "crs",
    "resolution",
    "tile_size",
)
"""What ``METADATA_KEY`` holds of ``model.json``: what prediction from the ONNX file needs (the normalization is in
the graph) and the network's name."""


def import_onnx() -> ModuleType:
    """The ``onnx`` package, or a UserError saying how to install it."""
    try:
        import onnx
    except ImportError:
        raise UserError(
            "The worker's Python lacks the onnx package: install requirements/worker.txt into it (or use Set up… in "
            "the dock)."
        ) from None
    return onnx


def declare_tile(model: Any, tile: int | None) -> None:
    """Declare the spatial sides of ``model``'s input and output (an ``onnx.ModelProto``, changed in place): ``tile``
    pixels, or symbolic (None)."""
    for value in (model.graph.input[0], model.graph.output[0]):
        dims = value.type.tensor_type.shape.dim
        for axis, name in SPATIAL_AXES.items():
            if tile is None:
                dims[axis].dim_param = name
            else:
                dims[axis].dim_value = tile


def model_description(model: Any, path: str | Path) -> dict[str, Any]:
    """The model description ``export-onnx`` stored in ``model``'s metadata; a UserError when there is none."""
    props = {prop.key: prop.value for prop in model.metadata_props}
    if METADATA_KEY not in props:
        raise UserError(
            f"{path} was not written by this plugin's Export to ONNX (its metadata has no {METADATA_KEY!r} entry), "
            "so its classes and input convention are unknown: export the model folder with export-onnx, or predict "
            "with the model folder."
        )
    return json.loads(props[METADATA_KEY])
