"""The metadata the Deepness QGIS plugin reads from an ONNX model, in its formats.

Read from Deepness 0.6.5's source (PUTvision/qgis-plugin-deepness: ``src/deepness/processing/models/
model_base.py``, ``segmentor.py``, ``preprocessing_utils.py``, ``processing_utils.py``,
``deepness_dockwidget.py``, ``map_processor_segmentation.py``):

- each value of ``metadata_props`` is JSON text: ``model_type`` "Segmentor"; ``class_names`` ``{"0": name, …}``,
  indices consecutive from 0, one per output channel; ``resolution`` in cm per pixel; ``tile_size`` in pixels
  (Deepness's docs and ``tools/add_model_metadata.py`` write ``tiles_size``, which the plugin never reads);
  ``tiles_overlap`` in percent of the tile; ``standardization_mean`` and ``standardization_std`` per input
  channel; ``seg_thresh`` (0: no threshold) and ``seg_small_segment`` (0: no removal of small areas).
- input: each tile's band values as stored (Byte, UInt16, Int16, Float32, …), times 1/255, as float32
  ``(batch, bands, tile, tile)``, then ``(x - mean) / std``; the tile side is the input's declared one.
- output: class probabilities ``(batch, classes, tile, tile)``; those below ``seg_thresh`` are set to 0, then
  each pixel takes the channel of the largest.

This plugin's graph takes Deepness's input as it is (``graph.py``), so the standardization written is the
identity, the threshold and the small-area removal are off (Deepness's map then matches ``predict``'s).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rasterio.crs import CRS
from rasterio.errors import CRSError

from ..common.classes import model_classes

MODEL_TYPE = "Segmentor"


def deepness_metadata(metadata: dict[str, Any], tile: int, margin: int, log: Callable[..., None]) -> dict[str, str]:
    """Deepness's metadata (key: JSON text) for the model ``metadata`` (``model.json``) exported with tiles of
    ``tile`` pixels sharing ``margin``; ``log`` tells what Deepness's user must set by hand."""
    channels = metadata["in_channels"]
    values: dict[str, Any] = {
        "model_type": MODEL_TYPE,
        "class_names": {str(i): c.name for i, c in enumerate(model_classes(metadata))},
        "tile_size": tile,
        "tiles_overlap": round(100 * margin / tile),
        "standardization_mean": [0.0] * channels,
        "standardization_std": [1.0] * channels,
        "seg_thresh": 0.0,
        "seg_small_segment": 0,
    }
    resolution = resolution_cm(metadata)
    if resolution is None:
        log(
            "The model was trained on a raster whose CRS is not in metres or feet, so Deepness's resolution (cm per "
            f"pixel) is not written: set it by hand in Deepness to the training raster's pixel size "
            f"({(metadata.get('resolution') or ['unknown'])[0]} CRS units).",
            level="warning",
        )
    else:
        values["resolution"] = resolution
    if metadata.get("bands"):
        log(
            f"The model reads bands {', '.join(map(str, metadata['bands']))} of its training raster, in that order: "
            "in Deepness's input channel mapping, give its inputs those bands.",
            level="warning",
        )
    return {key: json.dumps(value) for key, value in values.items()}


def resolution_cm(metadata: dict[str, Any]) -> float | None:
    """The training raster's pixel size in centimetres (its x side), when its CRS has linear units; else None."""
    if not metadata.get("resolution") or not metadata.get("crs"):
        return None
    try:
        _, metres_per_unit = CRS.from_wkt(metadata["crs"]).linear_units_factor
    except CRSError:  # geographic, or not a CRS rasterio knows
        return None
    return round(metadata["resolution"][0] * metres_per_unit * 100.0, 6)
