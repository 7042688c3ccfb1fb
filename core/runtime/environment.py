"""What the worker's Python can do: package versions and the device training would use."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from typing import Any

from ..common.errors import UserError

REQUIRED = ("torch", "segmentation_models_pytorch", "rasterio", "fiona", "safetensors", "scipy", "shapely", "numba")


def environment_report() -> dict[str, Any]:
    """Versions of the worker's packages and its device; a UserError lists what is missing."""
    versions, missing = {}, []
    for name in REQUIRED:
        try:
            versions[name] = getattr(importlib.import_module(name), "__version__", "?")
        except ImportError:
            missing.append(name)
    if missing:
        raise UserError(
            f"The worker's Python ({sys.executable}) lacks {', '.join(missing)}: use Set up… in the dock, "
            "or install requirements/worker.txt into it."
        )
    import torch

    cuda = torch.cuda.is_available()
    return {
        "python": sys.executable,
        "python_version": platform.python_version(),
        "versions": versions,
        "device": "cuda" if cuda else "cpu",
        "gpu": torch.cuda.get_device_name(0) if cuda else None,
        "cuda": torch.version.cuda,
        "openmp_spin_count": os.environ.get("GOMP_SPINCOUNT"),  # core.runtime.openmp
    }
