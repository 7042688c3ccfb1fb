"""``export-onnx``: a model folder written as one ONNX file that the Deepness QGIS plugin and ONNX Runtime run.

The graph (``graph.py``) takes Deepness's input (band values / 255) and gives class probabilities; its tile side
is declared (Deepness needs a number) and its batch is symbolic. The file carries Deepness's metadata
(``deepness.py``) and this plugin's model description (``onnx_file.py``), and is written atomically.

Exporter: PyTorch's TorchScript-based one (``dynamo=False``). It needs no package beyond ``onnx``, exports the
three architectures with symbolic batch and sides (2 to 7 s with a ResNet-18 traced at 128 px on a 2-core VM),
and writes opset 17 with IR version 8, which the ONNX Runtime versions Deepness installs (1.12 to 1.17) load.
PyTorch 2.14's default exporter (dynamo) also exports them, but needs onnxscript and onnx-ir, took 9 to 13 s, and
writes IR version 10, which ONNX Runtime 1.17 refuses. PyTorch marks the TorchScript exporter deprecated;
``requirements/worker.txt`` pins the PyTorch that has it.
"""

from __future__ import annotations

import io
import json
import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch

from ..common.config import ExportConfig, check_tiles
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import check_output_file, replaced
from ..models.model_store import load_model
from .deepness import deepness_metadata, resolution_cm
from .graph import DeepnessGraph
from .onnx_file import (
    INPUT_NAME,
    INPUT_SCALE,
    METADATA_KEY,
    MODEL_KEYS,
    OPSET,
    OUTPUT_NAME,
    SPATIAL_AXES,
    declare_tile,
    import_onnx,
)

DEEPNESS_TILE = 512
"""The default tile side of an export (or the training tile, when larger)."""
DESCRIPTION = (
    "Semantic segmentation exported by the Segmentation Trainer QGIS plugin. Input: float32 (batch, bands, {tile}, "
    "{tile}), the raster's band values as stored divided by {scale:g} (NaN, or the training nodata value, marks "
    "nodata); the normalization is in the graph. Output: class probabilities (batch, classes, {tile}, {tile})."
)


def export_onnx(config: ExportConfig, events: EventWriter) -> dict[str, Any]:
    """Write ``config``'s model folder as ONNX (``config.onnx_file()``); the result event's fields."""
    onnx = import_onnx()
    path = config.onnx_file()
    check_output_file(path, "ONNX file")
    network, metadata = load_model(config.model_dir)
    tile = config.tile_size or max(DEEPNESS_TILE, metadata["tile_size"])
    check_tiles(tile, config.margin)
    model = onnx.load_from_string(_exported(DeepnessGraph(network.eval(), metadata), metadata, tile, config))
    declare_tile(model, tile)
    description = {key: metadata.get(key) for key in MODEL_KEYS}
    props = deepness_metadata(metadata, tile, config.margin, events.log) | {METADATA_KEY: json.dumps(description)}
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    model.doc_string = DESCRIPTION.format(tile=tile, scale=INPUT_SCALE)
    onnx.checker.check_model(model)
    with replaced(path) as tmp:
        onnx.save(model, str(tmp))
    events.log(
        f"Exported {metadata['architecture']}/{metadata['encoder']} to {path} ({path.stat().st_size / 1e6:.1f} MB): "
        f"Deepness tiles of {tile} px overlapping {json.loads(props['tiles_overlap'])} %, input = band values / "
        f"{INPUT_SCALE:g}."
    )
    result = {
        "onnx": str(path),
        "tile_size": tile,
        "tiles_overlap": json.loads(props["tiles_overlap"]),
        "resolution_cm": resolution_cm(metadata),
        "classes": metadata["classes"],
    }
    events.emit("result", **result)
    return result


def _exported(graph: DeepnessGraph, metadata: dict[str, Any], tile: int, config: ExportConfig) -> bytes:
    """The serialized ONNX model of ``graph`` (symbolic batch and sides); a UserError when the exporter cannot
    handle the network."""
    buffer = io.BytesIO()
    axes = {0: "batch", **SPATIAL_AXES}
    try:
        with warnings.catch_warnings(), torch.no_grad(), _exporter_log_discarded():
            warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter's notice (docstring)
            torch.onnx.export(
                graph,
                (torch.zeros(1, metadata["in_channels"], tile, tile),),
                buffer,
                dynamo=False,
                opset_version=OPSET,
                input_names=[INPUT_NAME],
                output_names=[OUTPUT_NAME],
                dynamic_axes={INPUT_NAME: axes, OUTPUT_NAME: axes},
            )
    except (torch.onnx.errors.OnnxExporterError, RuntimeError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(
            f"The network of {Path(config.model_dir)} ({metadata['architecture']}/{metadata['encoder']}) cannot be "
            f"exported to ONNX: {reason}. Predict with the model folder instead, or train a U-Net, DeepLabV3+ or "
            "Attention U-Net with a ResNet encoder, which export."
        ) from None
    return buffer.getvalue()


@contextmanager
def _exporter_log_discarded() -> Iterator[None]:
    """The exporter's log sent to the process's standard error (file descriptor 2), discarded meanwhile: when it
    fails, PyTorch 2.14's TorchScript exporter logs its whole graph (its log is on whatever ``verbose`` says), by
    default on standard output, where it would break the worker's JSON events."""
    torch._C._jit_set_onnx_log_output_stream("stderr")
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
