"""A model folder run by PyTorch for prediction (``network.Network``): normalized tiles in, on the ``device``
setting's device, mixed precision on a GPU."""

from __future__ import annotations

import numpy as np
import torch

from ..data.normalization import normalize
from ..models.model_store import load_model
from ..models.networks import class_probabilities
from ..runtime.device import autocast, resolve_device
from .network import CPU_BATCH_PIXELS, GPU_BATCH_PIXELS


class TorchArrays:
    """The sums as tensors on ``device``."""

    def __init__(self, device: torch.device) -> None:
        self.device = device

    def zeros(self, shape: tuple[int, ...]) -> torch.Tensor:
        return torch.zeros(shape, device=self.device)

    def array(self, values: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(values).to(self.device)

    def copy(self, values: torch.Tensor) -> torch.Tensor:
        return values.clone()

    def numpy(self, values: torch.Tensor) -> np.ndarray:
        return values.cpu().numpy()


class TorchNetwork:
    """The network of the model folder ``model_dir``, in eval mode on ``device`` (auto, cpu, cuda[:N])."""

    def __init__(self, model_dir: str, device: str) -> None:
        self.model, self.metadata = load_model(model_dir)
        self.device = resolve_device(device)
        self.model.to(self.device).eval()
        self.arrays = TorchArrays(self.device)
        self.description = str(self.device)
        self.batch_pixels = GPU_BATCH_PIXELS if self.device.type == "cuda" else CPU_BATCH_PIXELS

    def prepare(self, data: np.ndarray, valid: np.ndarray) -> np.ndarray:
        return normalize(data, valid, self.metadata["normalization"])

    def probabilities(self, images: list[np.ndarray]) -> torch.Tensor:
        x = torch.from_numpy(np.stack(images)).to(self.device)
        with torch.no_grad(), autocast(self.device):
            logits = self.model(x).float()
        return class_probabilities(logits, self.metadata["mode"])
