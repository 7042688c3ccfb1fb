"""A trained model on disk: ``model.safetensors`` (weights, never pickle) + ``model.json`` (metadata).

``model.json`` holds everything needed to predict later without the training data: architecture,
encoder, band count and the bands chosen (``bands``: 1-based, in the network's order; null: all), mode,
class table, normalization, tile size, the CRS and resolution trained on, the loss configuration,
metrics and package versions.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from ..common.config import ClassInfo
from ..common.errors import UserError
from ..common.files import METADATA_FILE, WEIGHTS_FILE
from .networks import build_model, output_channels

FORMAT_VERSION = 1
REQUIRED_KEYS = ("architecture", "encoder", "in_channels", "mode", "classes", "normalization", "tile_size")


def package_versions() -> dict[str, str]:
    import rasterio
    import segmentation_models_pytorch as smp

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "segmentation_models_pytorch": smp.__version__,
        "rasterio": rasterio.__version__,
        "gdal": rasterio.__gdal_version__,
    }


def save_model(model_dir: str | Path, model: nn.Module, metadata: dict[str, Any]) -> None:
    """Write weights and metadata; the files are replaced atomically so a reader never sees half."""
    folder = Path(model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    tmp_weights = folder / (WEIGHTS_FILE + ".tmp")
    save_file(state, str(tmp_weights))
    tmp_weights.replace(folder / WEIGHTS_FILE)
    full = {"format_version": FORMAT_VERSION, **metadata, "versions": package_versions()}
    tmp_meta = folder / (METADATA_FILE + ".tmp")
    tmp_meta.write_text(json.dumps(full, indent=2), encoding="utf-8")
    tmp_meta.replace(folder / METADATA_FILE)


def read_metadata(model_dir: str | Path) -> dict[str, Any]:
    """The model folder's metadata, checked; a UserError says what is wrong with the folder."""
    folder = Path(model_dir)
    meta_path, weights_path = folder / METADATA_FILE, folder / WEIGHTS_FILE
    if not meta_path.is_file() or not weights_path.is_file():
        raise UserError(
            f"{folder} is not a model folder: it needs {METADATA_FILE} and {WEIGHTS_FILE} "
            "(the output folder of a training run)."
        )
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise UserError(f"The model metadata {meta_path} is not valid JSON: {exc}") from None
    missing = [k for k in REQUIRED_KEYS if k not in metadata]
    if missing:
        raise UserError(f"The model metadata {meta_path} lacks {', '.join(missing)}: the folder is incomplete.")
    if metadata.get("format_version", 0) > FORMAT_VERSION:
        raise UserError(f"The model in {folder} was saved by a newer version of the plugin: update the plugin.")
    return metadata


def model_summary(model_dir: str | Path) -> dict[str, Any]:
    """What a user needs to know before predicting with a model folder (no weights loaded)."""
    metadata = read_metadata(model_dir)
    keys = (
        "architecture",
        "encoder",
        "in_channels",
        "bands",
        "mode",
        "classes",
        "tile_size",
        "resolution",
        "loss",
        "status",
        "epochs_completed",
        "metrics",
    )
    return {"model_dir": str(model_dir), **{k: metadata.get(k) for k in keys}}


def model_classes(metadata: dict[str, Any]) -> list[ClassInfo]:
    return [ClassInfo(**c) for c in metadata["classes"]]


def load_model(model_dir: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild the network from ``model.json`` and load its weights (CPU tensors)."""
    metadata = read_metadata(model_dir)
    model = build_model(
        metadata["architecture"],
        metadata["encoder"],
        metadata["in_channels"],
        output_channels(metadata["mode"], len(metadata["classes"])),
    )
    try:
        model.load_state_dict(load_file(str(Path(model_dir) / WEIGHTS_FILE)))
    except (RuntimeError, OSError) as exc:
        raise UserError(f"The weights in {model_dir} do not fit the model its metadata describes: {exc}") from None
    return model, metadata
