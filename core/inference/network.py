"""What turns a batch of tiles into class probabilities during prediction, behind one protocol: a model folder run
by PyTorch (``torch_network.py``) or an exported ONNX file run by ONNX Runtime, without PyTorch
(``onnx_network.py``). Tiling, blending and outputs (``prediction.py``) are the same for both.

Each network sums its tiles' probabilities where its arrays live (``Arrays``): tensors on the PyTorch device, or
NumPy arrays for ONNX Runtime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ..common.files import ONNX_SUFFIX

CPU_BATCH_PIXELS = 512 * 512
GPU_BATCH_PIXELS = 8 * 512 * 512


class Arrays(Protocol):
    """Where the blending sums live: arrays made, copied and read back as NumPy."""

    def zeros(self, shape: tuple[int, ...]) -> Any: ...

    def array(self, values: np.ndarray) -> Any:
        """``values`` where the sums live."""

    def copy(self, values: Any) -> Any: ...

    def numpy(self, values: Any) -> np.ndarray: ...


class Network(Protocol):
    """A trained network ready to predict tiles."""

    metadata: dict[str, Any]  # model.json's (or what an ONNX export carries of it): mode, classes, tile size, …
    arrays: Arrays
    description: str  # where it runs, for the log ("cpu", "cuda:0", "ONNX Runtime on CPUExecutionProvider")
    batch_pixels: int  # pixels per forward pass by default

    def prepare(self, data: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """The network's input for a tile's band values ``(bands, h, w)`` float32 (changed in place) and its valid
        pixels ``(h, w)``."""

    def probabilities(self, images: list[np.ndarray]) -> Any:
        """Class probabilities ``(tiles, K, h, w)`` of a batch of prepared tiles, as ``arrays``."""


class NumpyArrays:
    """The sums as NumPy arrays (float32)."""

    def zeros(self, shape: tuple[int, ...]) -> np.ndarray:
        return np.zeros(shape, dtype=np.float32)

    def array(self, values: np.ndarray) -> np.ndarray:
        return values

    def copy(self, values: np.ndarray) -> np.ndarray:
        return values.copy()

    def numpy(self, values: np.ndarray) -> np.ndarray:
        return values


def load_network(model: str, device: str) -> Network:
    """The network of ``model``: an exported ``.onnx`` file (ONNX Runtime), else a model folder (PyTorch), on
    ``device`` (the ``device`` setting)."""
    if Path(model).suffix.lower() == ONNX_SUFFIX:
        from .onnx_network import OnnxNetwork

        return OnnxNetwork(model, device)
    from .torch_network import TorchNetwork

    return TorchNetwork(model, device)
