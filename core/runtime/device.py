"""Choosing the torch device from the ``device`` setting."""

from __future__ import annotations

import torch

from ..common.errors import UserError


def resolve_device(name: str) -> torch.device:
    """``auto``: the first CUDA GPU if there is one, else the CPU; or an explicit ``cpu``/``cuda[:N]``."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise UserError(f"Unknown device {name!r}: use auto, cpu, cuda or cuda:N.") from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UserError(f"Device {name!r} was asked for but no CUDA GPU is available: use auto or cpu.")
    return device


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """Mixed precision on GPU: bf16 where the GPU supports it, else fp16; None (fp32) on CPU."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def autocast(device: torch.device):
    """The autocast context for ``device`` (a no-op in fp32)."""
    dtype = autocast_dtype(device)
    return torch.autocast(device.type, dtype=dtype or torch.float32, enabled=dtype is not None)
