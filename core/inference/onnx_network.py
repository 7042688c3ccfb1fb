"""An ONNX file written by ``export-onnx`` run by ONNX Runtime for prediction (``network.Network``), without PyTorch.

Its input is Deepness's (``core/export/onnx_file.py``): the band values divided by 255, here with nodata pixels as
NaN, which the graph sets to 0 after its normalization as ``normalize`` does; its output, class probabilities. The
file declares Deepness's tile side; the graph computes with any multiple of 32, so the side is made symbolic here
and the tiles are those of a prediction with the model folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..common.errors import UserError
from ..export.onnx_file import INPUT_SCALE, declare_tile, import_onnx, model_description
from .network import CPU_BATCH_PIXELS, GPU_BATCH_PIXELS, NumpyArrays

CPU, CUDA = "CPUExecutionProvider", "CUDAExecutionProvider"


class OnnxNetwork:
    """The exported model in the file ``path``, on ``device`` (auto, cpu, cuda[:N]: ONNX Runtime's providers)."""

    def __init__(self, path: str, device: str) -> None:
        ort = _import_onnxruntime()
        model = _read(path)
        self.metadata = model_description(model, path)
        declare_tile(model, None)
        try:
            self.session = ort.InferenceSession(model.SerializeToString(), providers=_providers(device, ort))
        except Exception as exc:  # ONNX Runtime's own error types (Fail, InvalidGraph, …)
            raise UserError(f"ONNX Runtime cannot run {path} ({exc}): export the model folder again.") from None
        self.input = self.session.get_inputs()[0].name
        provider = self.session.get_providers()[0]
        self.arrays = NumpyArrays()
        self.description = f"ONNX Runtime ({provider})"
        self.batch_pixels = GPU_BATCH_PIXELS if provider == CUDA else CPU_BATCH_PIXELS

    def prepare(self, data: np.ndarray, valid: np.ndarray) -> np.ndarray:
        data *= np.float32(1.0 / INPUT_SCALE)
        data[:, ~valid] = np.nan
        return data

    def probabilities(self, images: list[np.ndarray]) -> np.ndarray:
        return self.session.run(None, {self.input: np.stack(images)})[0]


def _import_onnxruntime() -> Any:
    try:
        import onnxruntime
    except ImportError:
        raise UserError(
            "Predicting with an ONNX file needs the onnxruntime package: install requirements/worker.txt into the "
            "worker's Python (or pip install onnxruntime)."
        ) from None
    return onnxruntime


def _read(path: str) -> Any:
    """The ``onnx.ModelProto`` in ``path``; a UserError when there is none or it cannot be read."""
    onnx = import_onnx()
    from google.protobuf.message import DecodeError  # installed with onnx

    if not Path(path).is_file():
        raise UserError(f"The ONNX model {path} does not exist: give a file written by export-onnx, or a model folder.")
    try:
        return onnx.load(path)
    except (DecodeError, OSError) as exc:
        raise UserError(
            f"The ONNX model {path} cannot be read ({exc}): it is truncated or not an ONNX file. Export the model "
            "folder again."
        ) from None


def _providers(device: str, ort: Any) -> list[Any]:
    """ONNX Runtime's execution providers for the ``device`` setting; a UserError for a device it does not have."""
    available = ort.get_available_providers()
    if device == "auto":
        return [CUDA, CPU] if CUDA in available else [CPU]
    if device == "cpu":
        return [CPU]
    kind, _, index = device.partition(":")
    if kind != "cuda" or not (index or "0").isdigit():
        raise UserError(f"Unknown device {device!r}: use auto, cpu, cuda or cuda:N.")
    if CUDA not in available:
        raise UserError(
            f"Device {device!r} was asked for but this ONNX Runtime has no CUDA provider (it has "
            f"{', '.join(available)}): install onnxruntime-gpu, or use auto or cpu."
        )
    return [(CUDA, {"device_id": int(index or 0)}), CPU]
