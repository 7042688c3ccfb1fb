"""A trained model on disk: its weights (safetensors, never pickle) + ``model.json`` (metadata), which names the
weights file (``model-<digest>.safetensors``; ``model.safetensors`` in folders of earlier versions: ``weights_file``).

``model.json`` holds everything needed to predict later without the training data: architecture,
encoder, band count and the bands chosen (``bands``: 1-based, in the network's order; null: all), mode,
class table, normalization, tile size, the CRS and resolution trained on, the loss configuration,
metrics and package versions.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import platform
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save
from torch import nn

from ..common.classes import model_classes
from ..common.config import MODES, ClassInfo, check_class_table
from ..common.errors import UserError
from ..common.files import (
    METADATA_FILE,
    TEMPORARY_SUFFIX,
    VERSIONED_WEIGHTS,
    WEIGHTS_KEY,
    replaced,
    weights_file,
    weights_files,
    write_text_atomic,
)
from .networks import build_model, output_channels

FORMAT_VERSION = 1
REQUIRED_KEYS = ("architecture", "encoder", "in_channels", "mode", "classes", "normalization", "tile_size")
KEY_TYPES: dict[str, tuple[type, str]] = {
    "architecture": (str, "a name"),
    "encoder": (str, "a name"),
    "in_channels": (int, "a whole number"),
    "mode": (str, "binary or multiclass"),
    "classes": (list, "a list of classes"),
    "normalization": (dict, "an object of band statistics"),
    "tile_size": (int, "a whole number"),
    "bands": (list, "a list of band numbers"),
    "resolution": (list, "a list of two numbers"),
    WEIGHTS_KEY: (str, "a file name"),
}
"""What each entry of ``model.json`` holds (``bands``, ``resolution`` and ``weights`` may be null or absent)."""
HEAD_PREFIXES = ("segmentation_head.", "head.")
"""The state-dict prefixes of the segmentation heads (segmentation-models-pytorch's, the Attention U-Net's)."""


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
    """Write the weights under a name of their own (``VERSIONED_WEIGHTS``: the start of their SHA-256), then
    model.json naming them: replacing model.json is the one rename that makes them the folder's model, so a reader,
    or a run killed at any moment, finds the earlier weights with their metadata or the new ones with theirs. The
    weights model.json no longer names are then removed (also the new ones when model.json could not be written)."""
    folder = Path(model_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data = save({k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()})
    name = VERSIONED_WEIGHTS.replace("*", hashlib.sha256(data).hexdigest()[:16])
    with replaced(folder / name) as tmp:
        tmp.write_bytes(data)
    full = {"format_version": FORMAT_VERSION, **metadata, WEIGHTS_KEY: name, "versions": package_versions()}
    try:
        write_text_atomic(folder / METADATA_FILE, json.dumps(full, indent=2))
    finally:
        remove_unused_weights(folder)


def remove_unused_weights(model_dir: str | Path) -> None:
    """Remove the weights files of the model folder ``model_dir`` that its model.json does not name (an earlier
    epoch's, or those of an epoch a kill kept from being saved), and unfinished ones. Beside a model.json that
    cannot be read (``read_metadata``), which weights it names is unknown: nothing is removed."""
    folder = Path(model_dir)
    if (folder / METADATA_FILE).is_file():
        try:
            read_metadata(folder)
        except UserError:
            return
    unused = [path for path in weights_files(folder) if path != weights_file(folder)]
    for path in [*unused, *folder.glob(VERSIONED_WEIGHTS + TEMPORARY_SUFFIX)]:
        path.unlink(missing_ok=True)


def update_metadata(model_dir: str | Path, fields: dict[str, Any]) -> None:
    """Replace ``fields`` of the model folder's metadata (atomically), the weights untouched."""
    path = Path(model_dir) / METADATA_FILE
    saved = json.loads(path.read_text(encoding="utf-8"))
    write_text_atomic(path, json.dumps(saved | fields, indent=2))


def non_finite_values(tensors: Iterable[torch.Tensor]) -> tuple[int, int]:
    """How many of the floating-point values in ``tensors`` are NaN or infinite, and how many there are.

    A tensor whose sum is finite has none (a NaN or an infinity makes the sum one); only the others are counted
    value by value: summing is several times faster than ``isfinite`` over every weight (2.2 s against 0.3 s for
    a ResNet-34 U-Net on CPU, paid by every prediction)."""
    floats = [t.detach() for t in tensors if t.is_floating_point()]
    suspect = [t for t in floats if not math.isfinite(float(t.sum()))]
    bad = sum(int((~torch.isfinite(t)).sum()) for t in suspect)
    return bad, sum(t.numel() for t in floats)


def read_metadata(model_dir: str | Path) -> dict[str, Any]:
    """The model folder's metadata, checked; a UserError says what is wrong with the folder."""
    folder = Path(model_dir)
    meta_path = folder / METADATA_FILE
    try:
        metadata = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else None
    except json.JSONDecodeError as exc:
        raise UserError(f"The model metadata {meta_path} is not valid JSON: {exc}") from None
    weights_path = weights_file(folder)
    if metadata is None or not weights_path.is_file():
        raise UserError(
            f"{folder} is not a model folder: it needs {METADATA_FILE} and {weights_path.name} "
            "(the output folder of a training run)."
        )
    missing = [k for k in REQUIRED_KEYS if k not in metadata]
    if missing:
        raise UserError(f"The model metadata {meta_path} lacks {', '.join(missing)}: the folder is incomplete.")
    if metadata.get("format_version", 0) > FORMAT_VERSION:
        raise UserError(f"The model in {folder} was saved by a newer version of the plugin: update the plugin.")
    _check_types(metadata, meta_path)
    return metadata


def _check_types(metadata: dict[str, Any], meta_path: Path) -> None:
    """A UserError naming the first entry of ``model.json`` that does not hold what it should (``KEY_TYPES``)."""
    for key, (kind, description) in KEY_TYPES.items():
        value = metadata.get(key)
        if value is None and key not in REQUIRED_KEYS:
            continue
        if not isinstance(value, kind) or isinstance(value, bool) or (key == "mode" and value not in MODES):
            raise UserError(
                f"The model metadata {meta_path} is damaged: {key} is {value!r}, not {description}. Copy the model "
                "folder again, or train the model again."
            )
    try:
        check_class_table(model_classes(metadata))
    except (TypeError, UserError) as exc:
        raise UserError(f"The model metadata {meta_path} is damaged: its classes are wrong ({exc}).") from None


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


def load_model(model_dir: str | Path) -> tuple[nn.Module, dict[str, Any]]:
    """Rebuild the network from ``model.json`` and load its weights (CPU tensors)."""
    metadata = read_metadata(model_dir)
    path = weights_file(model_dir)
    try:
        weights = load_file(str(path))
    except (SafetensorError, OSError) as exc:
        raise _damaged_weights(path, exc) from None
    try:
        model = _network_holding(metadata, weights)
    except RuntimeError as exc:
        raise UserError(f"The weights in {model_dir} do not fit the model its metadata describes: {exc}") from None
    bad, total = non_finite_values(weights.values())
    if bad:
        raise UserError(
            f"The weights in {model_dir} hold {bad:,} NaN or infinite values (of {total:,}): the training that wrote "
            "them diverged, and this model would predict one class everywhere. Train it again with a lower learning "
            "rate or other loss parameters."
        )
    return model, metadata


def _network_holding(metadata: dict[str, Any], weights: dict[str, torch.Tensor]) -> nn.Module:
    """The network ``metadata`` describes, holding ``weights`` (a RuntimeError when they do not fit it).

    Built on PyTorch's meta device (tensors with a shape and no storage), so that its weights are not first drawn at
    random (0.2 s for a U-Net/ResNet-34, 0.4 s for a ResNet-101, of CPU time), then given the loaded tensors
    themselves; built the ordinary way when the network holds a tensor that the weights do not (a buffer that is not
    saved)."""
    shape = (
        metadata["architecture"],
        metadata["encoder"],
        metadata["in_channels"],
        output_channels(metadata["mode"], len(metadata["classes"])),
    )
    with torch.device("meta"):
        model = build_model(*shape)
    model.load_state_dict(weights, assign=True)
    if any(t.is_meta for t in itertools.chain(model.parameters(), model.buffers())):
        model = build_model(*shape)
        model.load_state_dict(weights)
    return model


def check_weights_file(model_dir: str | Path) -> None:
    """Before a run reads any data: the weights file of the model folder ``model_dir`` is whole. Its header lists
    every tensor with its place in the file, so a truncated or damaged file is found without reading the weights
    (a UserError naming it)."""
    path = weights_file(model_dir)
    try:
        with safe_open(str(path), framework="pt"):
            pass
    except (SafetensorError, OSError) as exc:
        raise _damaged_weights(path, exc) from None


def _damaged_weights(path: Path, exc: Exception) -> UserError:
    return UserError(
        f"The weights file {path} cannot be read ({exc}): it is truncated or damaged. Copy the model folder again, "
        "or train the model again."
    )


def weights_digest(model_dir: str | Path) -> str:
    """The SHA-256 of a model folder's weights file: which weights exactly a fine-tuned model started from."""
    with weights_file(model_dir).open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def load_parent(
    model_dir: str | Path,
    bands: list[int],
    raster_bands: int,
    mode: str,
    classes: list[ClassInfo],
    log: Callable[..., None],
) -> tuple[nn.Module, dict[str, Any]]:
    """The network a fine-tuning run starts from: the model in ``model_dir`` with its weights, its segmentation
    head re-initialised when ``mode`` and ``classes`` differ from the model's; and the parent's record for
    ``model.json`` (path, weights digest, network, classes, metrics, whether the head was kept).

    ``bands``: the bands the run reads from its raster of ``raster_bands`` bands (checked by ``check_bands``)."""
    metadata = read_metadata(model_dir)
    check_bands(metadata, bands, raster_bands, model_dir)
    in_channels = len(bands)
    parent, _ = load_model(model_dir)
    same_classes = metadata["mode"] == mode and _class_keys(model_classes(metadata)) == _class_keys(classes)
    if same_classes:
        log(f"Fine-tuning the model in {model_dir}: its weights, its segmentation head included (same classes).")
        model = parent
    else:
        model = _with_new_head(parent, metadata, in_channels, output_channels(mode, len(classes)))
        log(
            f"Fine-tuning the model in {model_dir}: the class table differs from the model's "
            f"({metadata['mode']}: {_class_text(model_classes(metadata))}; now {mode}: {_class_text(classes)}), so "
            "the segmentation head is re-initialised; the encoder and decoder weights are kept."
        )
    record = {
        "path": str(Path(model_dir).resolve()),
        "weights_sha256": weights_digest(model_dir),
        **{key: metadata.get(key) for key in ("architecture", "encoder", "mode", "classes", "metrics")},
        "head": "kept" if same_classes else "reinitialised",
    }
    return model, record


def check_bands(metadata: dict[str, Any], bands: list[int], raster_bands: int, model_dir: str | Path) -> None:
    """Refuse to fine-tune the model ``metadata`` on other bands: another band count, or, from a raster laid out
    like the model's training raster (as many bands), other bands or another order (the message names both)."""
    channels = metadata["in_channels"]
    if len(bands) != channels:
        raise UserError(
            f"The model in {model_dir} was trained on {channels} band(s) and this run reads {len(bands)}: "
            "fine-tuning needs the bands the model was trained on."
        )
    trained = metadata.get("bands") or list(range(1, channels + 1))
    if raster_bands == metadata.get("raster_bands", channels) and list(bands) != trained:
        raise UserError(
            f"The model in {model_dir} was trained on bands {', '.join(map(str, trained))} and this run reads bands "
            f"{', '.join(map(str, bands))}: fine-tuning needs the bands the model was trained on, in that order."
        )


def _class_keys(classes: list[ClassInfo]) -> list[tuple[int, str]]:
    """What the head's outputs mean: each class's value and name, in order (colours do not matter)."""
    return [(c.value, c.name) for c in classes]


def _class_text(classes: list[ClassInfo]) -> str:
    return ", ".join(f"{c.value} {c.name}" for c in classes)


def _with_new_head(parent: nn.Module, metadata: dict[str, Any], in_channels: int, out_channels: int) -> nn.Module:
    """The parent's network with a freshly initialised segmentation head of ``out_channels`` outputs."""
    model = build_model(metadata["architecture"], metadata["encoder"], in_channels, out_channels)
    kept = {k: v for k, v in parent.state_dict().items() if not k.startswith(HEAD_PREFIXES)}
    missing = model.load_state_dict(kept, strict=False).missing_keys
    if not missing or any(not key.startswith(HEAD_PREFIXES) for key in missing):
        raise RuntimeError(f"The head of {metadata['architecture']} is not where expected: {missing}")
    return model
