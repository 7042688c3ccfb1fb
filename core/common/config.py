"""Run configurations: the one place where every default lives.

The dock, the Processing algorithms and the worker command line all build these dataclasses, and
the worker reads them back from JSON (``--config run.json``). Standard library only: the QGIS
process imports this module.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, Union

from ...losses.catalog import (  # noqa: F401 (IGNORE_INDEX, MODES: re-exported for core and the dock)
    DEFAULT_LOSS,
    IGNORE_INDEX,
    MODES,
    available_losses,
    convert_loss_name,
    loss_spec,
)
from ...losses.presets import LOSS_PRESETS
from .errors import UserError
from .files import (
    ONNX_FILE,
    ONNX_SUFFIX,
    PREDICTION_SUFFIX,
    RASTER_SUFFIXES,
    check_not_an_input,
    model_files,
    path_list,
    prediction_files,
    predictions_in_folder,
    write_text_atomic,
)
from .i18n import QT_TRANSLATE_NOOP
from .schema import (
    BANDS,
    CLASS_TABLE,
    EXTENT,
    EXTENT_CRS,
    FIELD,
    FOLDER,
    LABEL_LAYER,
    LOSS,
    OUTPUT_FILE,
    OUTPUT_FOLDER,
    OUTPUT_RASTER,
    OUTPUT_VECTOR,
    POLYGON_LAYER,
    RASTER_LAYER,
    REFERENCE_LAYER,
    SUBLAYER,
    check_settings,
    parse_bands,
    setting,
)

ARCHITECTURES = ("unet", "deeplabv3plus", "attention_unet")
ENCODERS = ("resnet18", "resnet34", "resnet50", "resnet101", "efficientnet-b0", "efficientnet-b4", "mobilenet_v2")
NORMALIZATIONS = ("mean_std", "percentile")
AUGMENTATIONS = ("none", "basic", "advanced")
CLASS_WEIGHTINGS = ("none", "inverse", "median")
TILE_PLACEMENTS = ("auto", "grid", "labels")
SAMPLINGS = ("uniform", "class_balanced")
CACHE_MODES = ("auto", "always", "never")
BLENDINGS = ("gaussian", "linear", "none")
TTA_MODES = ("none", "flips", "rotations", "dihedral")  # core/inference/augmentation.py has their transforms
UNCERTAINTIES = ("none", "entropy", "margin", "both")  # core/inference/uncertainty.py computes them
DEVICES = ("auto", "cpu", "cuda")  # "cuda:N" is accepted too
LOADER_WORKERS = ("auto", "0", "2", "4")  # any whole number from 0 to MAX_LOADER_WORKERS is accepted too
MAX_LOADER_WORKERS = 64
PREDICTION_NODATA = 255
"""Value written in prediction rasters where the input was nodata."""


@dataclass
class ClassInfo:
    """One row of the class table: the value written in label and prediction rasters."""

    value: int
    name: str
    color: str = ""  # "#rrggbb"; empty means "pick a distinct colour"


COLOR = re.compile(r"#[0-9a-fA-F]{6}")
"""A class colour: #rrggbb (empty: a distinct colour is picked)."""
MAX_CLASS_VALUE = 65534


def check_class_table(classes: list[ClassInfo]) -> None:
    """Each class a whole value from 0 to ``MAX_CLASS_VALUE`` of its own and a colour ``#rrggbb`` or none; a
    UserError names the class and the value."""
    names: dict[int, str] = {}
    for c in classes:
        if isinstance(c.value, bool) or not isinstance(c.value, int) or not 0 <= c.value <= MAX_CLASS_VALUE:
            raise UserError(
                f"Class table: class {c.name!r} has value {c.value!r}: give a whole number from 0 to {MAX_CLASS_VALUE}."
            )
        if c.value in names:
            raise UserError(
                f"Class table: value {c.value} is given to two classes, {names[c.value]!r} and {c.name!r}: give each "
                "class a value of its own."
            )
        names[c.value] = c.name
        if c.color and not (isinstance(c.color, str) and COLOR.fullmatch(c.color)):
            raise UserError(
                f"Class table: class {c.name!r} has colour {c.color!r}: write colours as #rrggbb (e.g. #1f78b4), or "
                "leave the colour empty for a distinct one."
            )


def _device() -> Any:
    return setting(
        "auto",
        QT_TRANSLATE_NOOP("settings", "Device"),
        QT_TRANSLATE_NOOP("settings", "Where the network runs: auto (the GPU when there is one), cpu, cuda or cuda:N."),
        suggestions=DEVICES,
    )


@dataclass
class TrainConfig:
    """Everything a training run needs; paths are plain file paths (no QGIS layers)."""

    raster: list[str] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        [],
        QT_TRANSLATE_NOOP("settings", "Rasters"),
        QT_TRANSLATE_NOOP("settings", "The images to train on (GeoTIFF, VRT or any GDAL raster), with the same bands."),
        source=RASTER_LAYER,
        required=True,
        multiple=True,
    )
    bands: list[int] | None = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        None,
        QT_TRANSLATE_NOOP("settings", "Bands"),
        QT_TRANSLATE_NOOP(
            "settings", "The raster bands the network reads, in this order, e.g. 4,3,2 (from 1); empty: all."
        ),
        source=BANDS,
        of="raster",
    )
    labels: list[str] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        [],
        QT_TRANSLATE_NOOP("settings", "Labels"),
        QT_TRANSLATE_NOOP("settings", "Class polygons or a class raster: one for all the rasters, or one per raster."),
        source=LABEL_LAYER,
        required=True,
        multiple=True,
    )
    output_dir: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Model folder"),
        QT_TRANSLATE_NOOP("settings", "The folder to write: the model (train), the report and its runs (compare)."),
        source=OUTPUT_FOLDER,
        required=True,
    )
    label_layer: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Label layer name"),
        QT_TRANSLATE_NOOP("settings", "The layer inside a multi-layer vector file (GeoPackage)."),
        source=SUBLAYER,
        of="labels",
    )
    class_field: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Class field"),
        QT_TRANSLATE_NOOP("settings", "Vector labels: the field holding the class (integer or text)."),
        source=FIELD,
        of="labels",
    )
    classes: list[ClassInfo] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        [],
        QT_TRANSLATE_NOOP("settings", "Class table"),
        QT_TRANSLATE_NOOP("settings", "The classes' values, names and colours (JSON); empty: found in the labels."),
        source=CLASS_TABLE,
    )
    mode: str = setting(
        "multiclass",
        QT_TRANSLATE_NOOP("settings", "Mode"),
        QT_TRANSLATE_NOOP("settings", "Binary (one class against the rest) or multiclass."),
        choices=MODES,
        choice_labels=(QT_TRANSLATE_NOOP("settings", "binary"), QT_TRANSLATE_NOOP("settings", "multiclass")),
        source=LOSS,
    )
    unlabelled_as_background: bool | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Unlabelled pixels are background"),
        QT_TRANSLATE_NOOP(
            "settings", "Pixels outside every polygon are background (automatic: yes in binary mode, no otherwise)."
        ),
        flag="--background",
        advanced=True,
    )
    loss: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Loss"),
        QT_TRANSLATE_NOOP("settings", "A loss of the catalog (docs/losses.md); empty: the mode's default."),
        source=LOSS,
        in_comparison=False,
    )
    loss_params: dict[str, Any] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        {},
        QT_TRANSLATE_NOOP("settings", "Loss parameters"),
        QT_TRANSLATE_NOOP("settings", 'The loss parameters as JSON, e.g. {"gamma": 2.0}.'),
        source=LOSS,
        in_comparison=False,
    )
    aoi: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Training area"),
        QT_TRANSLATE_NOOP("settings", "Polygons limiting training: pixels outside them are unlabelled."),
        source=POLYGON_LAYER,
    )
    aoi_layer: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Training area layer name"),
        QT_TRANSLATE_NOOP("settings", "The layer inside a multi-layer training-area file."),
        source=SUBLAYER,
        of="aoi",
    )
    validation_area: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Validation area"),
        QT_TRANSLATE_NOOP("settings", "Polygons holding the validation tiles (instead of random spatial blocks)."),
        source=POLYGON_LAYER,
    )
    validation_area_layer: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Validation area layer name"),
        QT_TRANSLATE_NOOP("settings", "The layer inside a multi-layer validation-area file."),
        source=SUBLAYER,
        of="validation_area",
    )
    architecture: str = setting(
        "unet",
        QT_TRANSLATE_NOOP("settings", "Architecture"),
        QT_TRANSLATE_NOOP("settings", "The network: U-Net, DeepLabV3+ or Attention U-Net."),
        choices=ARCHITECTURES,
        choice_labels=("U-Net", "DeepLabV3+", QT_TRANSLATE_NOOP("settings", "Attention U-Net")),
    )
    encoder: str = setting(
        "resnet34",
        QT_TRANSLATE_NOOP("settings", "Encoder"),
        QT_TRANSLATE_NOOP("settings", "The network's encoder (any segmentation-models-pytorch encoder name)."),
        suggestions=ENCODERS,
    )
    encoder_weights: str | None = setting(
        "auto",
        QT_TRANSLATE_NOOP("settings", "Encoder weights"),
        QT_TRANSLATE_NOOP(
            "settings", "auto: the encoder's pretrained weights (downloaded once); none: random; a name or a file."
        ),
        suggestions=("auto", "none", "imagenet"),
    )
    weights_cache: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Weights cache"),
        QT_TRANSLATE_NOOP("settings", "Folder of downloaded weights; empty: the plugin's folder in the QGIS profile."),
        source=FOLDER,
        advanced=True,
    )
    init_model: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Start from model"),
        QT_TRANSLATE_NOOP(
            "settings", "Fine-tune this model folder: its network and weights (it needs the same bands); empty: none."
        ),
        source=FOLDER,
    )
    epochs: int = setting(
        20,
        QT_TRANSLATE_NOOP("settings", "Epochs"),
        QT_TRANSLATE_NOOP("settings", "Passes over the training tiles."),
        minimum=1,
        maximum=10000,
    )
    batch_size: int = setting(
        4,
        QT_TRANSLATE_NOOP("settings", "Batch size"),
        QT_TRANSLATE_NOOP("settings", "Tiles per training step."),
        minimum=1,
        maximum=1024,
    )
    tile_size: int = setting(
        256,
        QT_TRANSLATE_NOOP("settings", "Tile size"),
        QT_TRANSLATE_NOOP("settings", "Side of the training tiles, in pixels (a multiple of 32)."),
        minimum=32,
        maximum=4096,
        step=32,
    )
    stride: int = setting(
        0,
        QT_TRANSLATE_NOOP("settings", "Stride"),
        QT_TRANSLATE_NOOP("settings", "Distance between training tiles, in pixels; 0: the tile size (no overlap)."),
        minimum=0,
        maximum=4096,
        step=32,
        advanced=True,
    )
    learning_rate: float = setting(
        1e-4,
        QT_TRANSLATE_NOOP("settings", "Learning rate"),
        QT_TRANSLATE_NOOP("settings", "The optimizer's (AdamW) step size."),
        minimum=1e-7,
        maximum=1.0,
    )
    freeze_encoder_epochs: int = setting(
        0,
        QT_TRANSLATE_NOOP("settings", "Frozen encoder epochs"),
        QT_TRANSLATE_NOOP(
            "settings", "Keep the encoder's weights fixed for this many first epochs; 0: train it from the start."
        ),
        minimum=0,
        maximum=10000,
        advanced=True,
    )
    encoder_lr_factor: float = setting(
        1.0,
        QT_TRANSLATE_NOOP("settings", "Encoder learning rate factor"),
        QT_TRANSLATE_NOOP(
            "settings", "The encoder learns at the learning rate times this factor (e.g. 0.1 when fine-tuning)."
        ),
        minimum=0.001,
        maximum=1.0,
        step=0.05,
        advanced=True,
    )
    weight_decay: float = setting(
        1e-4,
        QT_TRANSLATE_NOOP("settings", "Weight decay"),
        QT_TRANSLATE_NOOP("settings", "AdamW's weight decay (regularization)."),
        minimum=0.0,
        maximum=1.0,
        advanced=True,
    )
    val_fraction: float = setting(
        0.2,
        QT_TRANSLATE_NOOP("settings", "Validation fraction"),
        QT_TRANSLATE_NOOP("settings", "Share of the spatial blocks held out for validation."),
        minimum=0.01,
        maximum=0.9,
        advanced=True,
    )
    block_tiles: int = setting(
        2,
        QT_TRANSLATE_NOOP("settings", "Split block side"),
        QT_TRANSLATE_NOOP(
            "settings", "Side of the split's spatial blocks, in tiles (the test set's unit in a comparison)."
        ),
        minimum=1,
        maximum=64,
        advanced=True,
    )
    min_labelled_fraction: float = setting(
        0.05,
        QT_TRANSLATE_NOOP("settings", "Minimum labelled share"),
        QT_TRANSLATE_NOOP("settings", "Grid tiles with a smaller share of labelled pixels are skipped."),
        minimum=0.0,
        maximum=1.0,
        advanced=True,
    )
    tile_placement: str = setting(
        "auto",
        QT_TRANSLATE_NOOP("settings", "Tile placement"),
        QT_TRANSLATE_NOOP(
            "settings", "grid: every stride pixels; labels: centred on labelled pixels; auto: labels for sparse labels."
        ),
        choices=TILE_PLACEMENTS,
        choice_labels=(
            QT_TRANSLATE_NOOP("settings", "automatic"),
            QT_TRANSLATE_NOOP("settings", "grid"),
            QT_TRANSLATE_NOOP("settings", "on the labels"),
        ),
        advanced=True,
    )
    normalization: str = setting(
        "mean_std",
        QT_TRANSLATE_NOOP("settings", "Normalization"),
        QT_TRANSLATE_NOOP("settings", "Per band: mean and standard deviation, or a 2–98 % percentile clip to [0, 1]."),
        choices=NORMALIZATIONS,
        choice_labels=(QT_TRANSLATE_NOOP("settings", "mean / std"), QT_TRANSLATE_NOOP("settings", "percentiles")),
        advanced=True,
    )
    augmentation: str = setting(
        "basic",
        QT_TRANSLATE_NOOP("settings", "Augmentation"),
        QT_TRANSLATE_NOOP(
            "settings", "none; basic: flips and 90° rotations; advanced: also brightness, contrast, gamma and noise."
        ),
        choices=AUGMENTATIONS,
        choice_labels=(
            QT_TRANSLATE_NOOP("settings", "none"),
            QT_TRANSLATE_NOOP("settings", "basic"),
            QT_TRANSLATE_NOOP("settings", "advanced"),
        ),
    )
    class_weighting: str = setting(
        "none",
        QT_TRANSLATE_NOOP("settings", "Class weighting"),
        QT_TRANSLATE_NOOP("settings", "Weights of the classes in the loss: none, inverse or median frequency."),
        choices=CLASS_WEIGHTINGS,
        choice_labels=(
            QT_TRANSLATE_NOOP("settings", "none"),
            QT_TRANSLATE_NOOP("settings", "inverse frequency"),
            QT_TRANSLATE_NOOP("settings", "median frequency"),
        ),
    )
    sampling: str = setting(
        "uniform",
        QT_TRANSLATE_NOOP("settings", "Tile sampling"),
        QT_TRANSLATE_NOOP(
            "settings", "uniform: each tile once per epoch; class balanced: rare classes drawn as often as others."
        ),
        choices=SAMPLINGS,
        choice_labels=(QT_TRANSLATE_NOOP("settings", "uniform"), QT_TRANSLATE_NOOP("settings", "class balanced")),
    )
    early_stopping_patience: int = setting(
        0,
        QT_TRANSLATE_NOOP("settings", "Early stopping patience"),
        QT_TRANSLATE_NOOP("settings", "Stop after this many epochs without a better validation mIoU; 0: never."),
        minimum=0,
        maximum=10000,
        advanced=True,
        in_comparison=False,
    )
    resume: bool = setting(
        False,
        QT_TRANSLATE_NOOP("settings", "Resume"),
        QT_TRANSLATE_NOOP("settings", "Continue from the checkpoint in the model folder."),
        advanced=True,
        in_comparison=False,
    )
    deterministic: bool = setting(
        False,
        QT_TRANSLATE_NOOP("settings", "Deterministic"),
        QT_TRANSLATE_NOOP("settings", "Deterministic algorithms: repeatable results, slower on a GPU."),
        advanced=True,
    )
    cache: str = setting(
        "auto",
        QT_TRANSLATE_NOOP("settings", "Keep the raster in memory"),
        QT_TRANSLATE_NOOP("settings", "auto: when it takes under 512 MiB; always; never (read tiles from disk)."),
        choices=CACHE_MODES,
        choice_labels=(
            QT_TRANSLATE_NOOP("settings", "auto"),
            QT_TRANSLATE_NOOP("settings", "always"),
            QT_TRANSLATE_NOOP("settings", "never"),
        ),
        advanced=True,
    )
    device: str = _device()
    loader_workers: str = setting(
        "auto",
        QT_TRANSLATE_NOOP("settings", "Data loading workers"),
        QT_TRANSLATE_NOOP(
            "settings",
            "Processes preparing the tiles while the network trains; 0: the training process; auto: 0 on the CPU, "
            "up to 4 with a GPU.",
        ),
        suggestions=LOADER_WORKERS,
        advanced=True,
    )
    seed: int = setting(
        42,
        QT_TRANSLATE_NOOP("settings", "Random seed"),
        QT_TRANSLATE_NOOP("settings", "Seed of the split, the tiles' order and the network's initial weights."),
        minimum=0,
        maximum=2**31 - 1,
        advanced=True,
    )

    def __post_init__(self) -> None:
        self.raster, self.labels = path_list(self.raster, "Rasters"), path_list(self.labels, "Labels")
        if self.raster and len(self.labels) > 1 and len(self.labels) != len(self.raster):
            raise UserError(
                f"Labels: give one label layer for all {len(self.raster)} rasters (clipped to each) or one per raster "
                f"in the same order, not {len(self.labels)}."
            )
        self.classes = [c if isinstance(c, ClassInfo) else ClassInfo(**c) for c in self.classes]
        check_class_table(self.classes)
        self.bands = parse_bands(self.bands) if isinstance(self.bands, str) else self.bands or None
        check_settings(self)
        if not self.loss:
            self.loss = DEFAULT_LOSS[self.mode]
        if not self.stride:
            self.stride = self.tile_size
        if self.unlabelled_as_background is None:
            self.unlabelled_as_background = self.mode == "binary"
        if self.tile_size % 32:
            raise UserError(f"Tile size {self.tile_size} must be a multiple of 32 (the U-Net depth).")
        self.loader_workers = _loader_workers(self.loader_workers)
        if self.resume and self.init_model:
            raise UserError(
                "Resume and Start from model exclude each other: resume continues the run in the model folder (a "
                "fine-tuning run resumes without Start from model), Start from model begins a new run from another "
                "model's weights."
            )


def _loader_workers(value: str | int) -> str:
    """The ``loader_workers`` setting as written in run.json: "auto" or a whole number of processes (a UserError
    otherwise)."""
    text = str(value).strip().lower()
    if text == "auto" or (text.isdigit() and int(text) <= MAX_LOADER_WORKERS):
        return text if text == "auto" else str(int(text))
    raise UserError(
        f"Data loading workers {value!r}: write auto or a whole number of processes from 0 to {MAX_LOADER_WORKERS}."
    )


RESUME_SETTINGS = (
    "epochs",
    "early_stopping_patience",
    "batch_size",
    "device",
    "loader_workers",
    "deterministic",
    "cache",
    "weights_cache",
    "output_dir",  # the model folder may have been moved
)
"""The TrainConfig settings a resumed run may change: how long, where and how fast it trains, not the model,
the loss, the optimizer or the data. Any other setting that differs from the run being resumed is refused,
naming it with both values (``core/training/resume.py``)."""


RESULT_NEUTRAL_SETTINGS = ("loader_workers", "cache", "weights_cache")
"""The TrainConfig settings that change how a run reads its data, not what it computes (two data-loading workers
train bit for bit like none, ``tests/core/training/test_loader_workers.py``): a comparison reuses a finished run
whose settings differ in these only."""


def check_tiles(tile_size: int, margin: int) -> None:
    """A tile size (0: automatic) and the margin neighbouring tiles share: multiples of 32, the margin smaller than
    the tile (a UserError naming both otherwise)."""
    if tile_size % 32 or margin % 32:
        raise UserError(f"Tile size {tile_size} and margin {margin} must be multiples of 32.")
    if tile_size and margin >= tile_size:
        raise UserError(f"The tile margin {margin} must be smaller than the tile size {tile_size}.")


@dataclass
class PredictConfig:
    """A prediction: a trained model folder applied to a raster, optionally on an extent."""

    model_dir: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Model folder"),
        QT_TRANSLATE_NOOP(
            "settings", "A model folder written by training; on the command line also an .onnx file from export-onnx."
        ),
        source=FOLDER,
        flag="--model",
        required=True,
    )
    raster: list[str] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        [],
        QT_TRANSLATE_NOOP("settings", "Rasters"),
        QT_TRANSLATE_NOOP("settings", "The images to predict, with the bands the model was trained on."),
        source=RASTER_LAYER,
        required=True,
        multiple=True,
        processing_batch=True,
    )
    output: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Prediction"),
        QT_TRANSLATE_NOOP("settings", "The class raster (GeoTIFF) to write; several rasters: a folder for them."),
        source=OUTPUT_RASTER,
        required=True,
    )
    extent: tuple[float, float, float, float] | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Extent"),
        QT_TRANSLATE_NOOP("settings", "xmin,ymin,xmax,ymax to predict (empty: the whole raster)."),
        source=EXTENT,
    )
    extent_crs: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Extent CRS"),
        QT_TRANSLATE_NOOP("settings", "The CRS of the extent, e.g. EPSG:4326 (empty: the raster's)."),
        source=EXTENT_CRS,
        of="extent",
    )
    mask: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Only inside polygons"),
        QT_TRANSLATE_NOOP("settings", "Polygons: predict inside them only (outside is nodata)."),
        source=POLYGON_LAYER,
    )
    mask_layer: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Mask layer name"),
        QT_TRANSLATE_NOOP("settings", "The layer inside a multi-layer mask file."),
        source=SUBLAYER,
        of="mask",
    )
    confidence: bool = setting(
        False,
        QT_TRANSLATE_NOOP("settings", "Confidence raster"),
        QT_TRANSLATE_NOOP("settings", "Also write <output>_confidence.tif, the top class's probability."),
    )
    uncertainty: str = setting(
        "none",
        QT_TRANSLATE_NOOP("settings", "Uncertainty raster"),
        QT_TRANSLATE_NOOP(
            "settings", "Also write <output>_entropy.tif (0 sure, 1 unsure) and/or <output>_margin.tif (top-2 margin)."
        ),
        choices=UNCERTAINTIES,
        choice_labels=(
            QT_TRANSLATE_NOOP("settings", "none"),
            QT_TRANSLATE_NOOP("settings", "entropy"),
            QT_TRANSLATE_NOOP("settings", "top-two margin"),
            QT_TRANSLATE_NOOP("settings", "entropy and margin"),
        ),
    )
    vectorize: bool = setting(
        False,
        QT_TRANSLATE_NOOP("settings", "Class polygons"),
        QT_TRANSLATE_NOOP("settings", "Also write <output>.gpkg, one polygon per patch of a class."),
    )
    simplify: float = setting(
        0.0,
        QT_TRANSLATE_NOOP("settings", "Polygon simplification"),
        QT_TRANSLATE_NOOP("settings", "Simplification tolerance of the class polygons, in CRS units; 0: none."),
        minimum=0.0,
    )
    margin: int = setting(
        64,
        QT_TRANSLATE_NOOP("settings", "Tile margin"),
        QT_TRANSLATE_NOOP(
            "settings", "Pixels neighbouring tiles share (a multiple of 32), blended so that no seam shows; 0: none."
        ),
        minimum=0,
        maximum=512,
        step=32,
        advanced=True,
    )
    blending: str = setting(
        "linear",
        QT_TRANSLATE_NOOP("settings", "Blending"),
        QT_TRANSLATE_NOOP("settings", "How overlapping tiles are blended: gaussian, linear ramp or plain average."),
        choices=BLENDINGS,
        choice_labels=(
            QT_TRANSLATE_NOOP("settings", "gaussian"),
            QT_TRANSLATE_NOOP("settings", "linear"),
            QT_TRANSLATE_NOOP("settings", "none (average)"),
        ),
        advanced=True,
    )
    tta: str = setting(
        "none",
        QT_TRANSLATE_NOOP("settings", "Test-time augmentation"),
        QT_TRANSLATE_NOOP(
            "settings", "Average each tile's probabilities over flipped or rotated copies (one more pass per copy)."
        ),
        choices=TTA_MODES,
        choice_labels=(
            QT_TRANSLATE_NOOP("settings", "none"),
            QT_TRANSLATE_NOOP("settings", "4 flips"),
            QT_TRANSLATE_NOOP("settings", "4 rotations"),
            QT_TRANSLATE_NOOP("settings", "8 flips and rotations"),
        ),
        advanced=True,
    )
    tile_size: int = setting(
        0,
        QT_TRANSLATE_NOOP("settings", "Prediction tile size"),
        QT_TRANSLATE_NOOP(
            "settings", "Largest tile side in pixels (a multiple of 32); 0: 1024, or the training tile if larger."
        ),
        minimum=0,
        maximum=8192,
        step=32,
        advanced=True,
    )
    batch_size: int = setting(
        0,
        QT_TRANSLATE_NOOP("settings", "Prediction batch size"),
        QT_TRANSLATE_NOOP("settings", "Tiles per forward pass; 0: as many as make 0.25 MP (CPU) or 2 MP (GPU)."),
        minimum=0,
        maximum=1024,
        advanced=True,
    )
    probabilities: bool = setting(
        False,
        QT_TRANSLATE_NOOP("settings", "Probability raster"),
        QT_TRANSLATE_NOOP("settings", "Also write <output>_probabilities.tif, one band per class."),
        advanced=True,
    )
    resample_to_training: bool = setting(
        False,
        QT_TRANSLATE_NOOP("settings", "Resample to the training resolution"),
        QT_TRANSLATE_NOOP("settings", "Warp the raster to the resolution the model was trained on first."),
        advanced=True,
    )
    device: str = _device()

    def __post_init__(self) -> None:
        self.raster = path_list(self.raster, "Rasters")
        check_settings(self)
        inputs: dict[str, str | Path | None] = {"mask": self.mask, **model_files(self.model_dir)}
        inputs |= {f"raster {i}" if len(self.raster) > 1 else "raster": r for i, r in enumerate(self.raster, 1)}
        for _, output in self.predictions() if self.output else ():
            check_not_an_input(prediction_files(output), inputs)
        check_tiles(self.tile_size, self.margin)
        if self.extent is not None:
            self.extent = tuple(float(v) for v in self.extent)
            if not all(math.isfinite(v) for v in self.extent):
                raise UserError(f"Extent {self.extent}: every coordinate must be a finite number, not NaN or infinity.")
            if len(self.extent) != 4 or self.extent[0] >= self.extent[2] or self.extent[1] >= self.extent[3]:
                raise UserError(f"Extent {self.extent} is not xmin,ymin,xmax,ymax with xmin < xmax and ymin < ymax.")

    def uncertainty_rasters(self) -> tuple[str, ...]:
        """The uncertainty rasters to write, by name (``files.prediction_files``): entropy, margin, both or none."""
        return {"none": (), "both": ("entropy", "margin")}.get(self.uncertainty, (self.uncertainty,))

    def predictions(self) -> list[tuple[str, Path]]:
        """Each raster and its class raster: ``output`` for one raster; for several, ``output`` is a folder that
        gets ``<raster name>_prediction.tif`` each."""
        if len(self.raster) == 1:
            return [(self.raster[0], Path(self.output))]
        if Path(self.output).suffix.lower() in RASTER_SUFFIXES:
            raise UserError(
                f"Prediction: {len(self.raster)} rasters are predicted into a folder (one "
                f"<raster name>{PREDICTION_SUFFIX} each), and {self.output} names a file: give a folder."
            )
        return list(zip(self.raster, predictions_in_folder(self.raster, self.output)))

    def for_raster(self, raster: str, output: Path) -> PredictConfig:
        """This prediction for one of its rasters, into ``output``."""
        return dataclasses.replace(self, raster=[raster], output=str(output))


@dataclass
class ExportConfig:
    """An ONNX export: a model folder's network, its normalization folded in, written as one file that the Deepness
    QGIS plugin and ONNX Runtime run (``core/export``, docs/export.md)."""

    model_dir: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Model folder"),
        QT_TRANSLATE_NOOP("settings", "A model folder written by training."),
        source=FOLDER,
        flag="--model",
        required=True,
    )
    output: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "ONNX file"),
        QT_TRANSLATE_NOOP("settings", "The .onnx file to write; empty: model.onnx in the model folder."),
        source=OUTPUT_FILE,
        extension="onnx",
    )
    tile_size: int = setting(
        0,
        QT_TRANSLATE_NOOP("settings", "Deepness tile size"),
        QT_TRANSLATE_NOOP(
            "settings", "Deepness's tile side in pixels (a multiple of 32); 0: 512, or the training tile if larger."
        ),
        minimum=0,
        maximum=8192,
        step=32,
    )
    margin: int = setting(
        64,
        QT_TRANSLATE_NOOP("settings", "Deepness tile overlap"),
        QT_TRANSLATE_NOOP(
            "settings", "Pixels neighbouring tiles share in Deepness (a multiple of 32), written as a share of a tile."
        ),
        minimum=0,
        maximum=512,
        step=32,
    )

    def __post_init__(self) -> None:
        check_settings(self)
        check_tiles(self.tile_size, self.margin)
        if self.output and Path(self.output).suffix.lower() != ONNX_SUFFIX:
            raise UserError(
                f"ONNX file {self.output}: give a file name ending in {ONNX_SUFFIX} (Deepness opens .onnx files)."
            )
        check_not_an_input({"ONNX file": self.onnx_file()}, dict(model_files(self.model_dir)))

    def onnx_file(self) -> Path:
        """Where the export is written: ``output``, or ``model.onnx`` in the model folder."""
        return Path(self.output) if self.output else Path(self.model_dir) / ONNX_FILE


@dataclass
class LossConfiguration:
    """One entry of a loss comparison: a name for the report, a registered loss and its parameters."""

    name: str
    loss: str
    params: dict[str, Any] = field(default_factory=dict)


def study_configurations(mode: str) -> list[LossConfiguration]:
    """The seven CE:Dice:Focal weightings of the ``combo`` loss of Swastika 2025 ("Comparative analysis
    of loss functions for semantic segmentation"), in ``mode``."""
    return configurations_from_names(list(LOSS_PRESETS), mode)


def configurations_from_text(text: str, mode: str) -> list[LossConfiguration]:
    """Configurations from a comma-separated list of names (``--losses``, Processing's LOSSES); a UserError when
    the text holds no name but commas."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if text.strip() and not names:
        raise UserError(
            f"Losses {text!r} names no loss: give study presets or {mode} loss names separated by commas (e.g. "
            "ce_only,dice_only), or none for the seven presets."
        )
    return configurations_from_names(names, mode)


def configurations_from_names(names: list[str], mode: str) -> list[LossConfiguration]:
    """Configurations from short names: a study preset (``dice_dominant``: ``combo`` with its
    weights) or a loss of ``mode`` with its default parameters (the losses ``train`` takes in that mode)."""
    configurations = []
    for name in names:
        if name in LOSS_PRESETS:
            configurations.append(LossConfiguration(name, convert_loss_name("combo", mode), dict(LOSS_PRESETS[name])))
            continue
        try:
            configurations.append(LossConfiguration(name, loss_spec(name, mode).name))
        except ValueError:
            raise UserError(
                f"{name!r} is neither a study preset ({', '.join(LOSS_PRESETS)}) nor a {mode} loss "
                f"({', '.join(spec.name for spec in available_losses(mode))})."
            ) from None
    return configurations


STUDY_BASELINE = "ce_only"
MAX_RUNS = 20


@dataclass
class CompareConfig:
    """A loss comparison: every configuration trains with ``train``'s data, split and schedule, ``runs``
    times (seeds ``train.seed``, ``train.seed + 1``, …); a ``test_fraction`` of the spatial blocks is
    held out for the verdict (never trained on, never used to choose).

    ``train.output_dir`` is the report folder; each run goes to ``runs/<name>/seed<seed>`` inside it.
    """

    train: TrainConfig
    configurations: list[LossConfiguration] = field(default_factory=list)  # empty: the study's seven
    baseline: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Baseline"),
        QT_TRANSLATE_NOOP(
            "settings", "The configuration the gains are measured against; empty: ce_only, else the first."
        ),
        source=LOSS,
    )
    second_architecture: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Second architecture"),
        QT_TRANSLATE_NOOP(
            "settings", "Also train the best configuration with this network, to check the choice holds."
        ),
        choices=ARCHITECTURES,
        choice_labels=("U-Net", "DeepLabV3+", QT_TRANSLATE_NOOP("settings", "Attention U-Net")),
    )
    runs: int = setting(
        3,
        QT_TRANSLATE_NOOP("settings", "Runs per configuration"),
        QT_TRANSLATE_NOOP(
            "settings", "Training runs (seeds) per configuration: 1 is quick but leaves training variance out."
        ),
        minimum=1,
        maximum=MAX_RUNS,
    )
    test_fraction: float = setting(
        0.25,
        QT_TRANSLATE_NOOP("settings", "Test fraction"),
        QT_TRANSLATE_NOOP("settings", "Share of the spatial blocks held out as the test set the verdict uses."),
        minimum=0.05,
        maximum=0.8,
    )

    def __post_init__(self) -> None:
        if not isinstance(self.train, TrainConfig):
            self.train = config_from_dict(TrainConfig, self.train)
        self.configurations = [
            c if isinstance(c, LossConfiguration) else LossConfiguration(**c) for c in self.configurations
        ] or study_configurations(self.train.mode)
        names = [c.name for c in self.configurations]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise UserError(f"Configuration names must be unique: {', '.join(repeated)} appear more than once.")
        for name in names:
            if not name or any(ch in name for ch in '/\\:*?"<>|'):
                raise UserError(f"Configuration name {name!r} cannot be a folder name: use letters, digits, - and _.")
        if not self.baseline:
            self.baseline = STUDY_BASELINE if STUDY_BASELINE in names else names[0]
        if self.baseline not in names:
            raise UserError(f"Baseline {self.baseline!r} is not one of the configurations ({', '.join(names)}).")
        check_settings(self)
        if self.second_architecture and self.train.init_model:
            raise UserError(
                "Second architecture and Start from model exclude each other: a fine-tuning run keeps the "
                "architecture of the model it starts from."
            )
        if self.test_fraction + self.train.val_fraction >= 0.9:
            raise UserError(
                f"Test fraction {self.test_fraction} must be above 0 and leave at least 10 % of the blocks for "
                f"training beside the validation fraction {self.train.val_fraction}."
            )


@dataclass
class AssessConfig:
    """An accuracy assessment: a class raster (a prediction) compared with reference data the model never saw
    (``core/assessment``)."""

    prediction: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Class raster"),
        QT_TRANSLATE_NOOP("settings", "The map to assess: a prediction, or any raster of class values."),
        source=RASTER_LAYER,
        required=True,
    )
    reference: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Reference data"),
        QT_TRANSLATE_NOOP(
            "settings", "Points or polygons with a class field, or a class raster, that the model never saw."
        ),
        source=REFERENCE_LAYER,
        required=True,
    )
    reference_layer: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Reference layer name"),
        QT_TRANSLATE_NOOP("settings", "The layer inside a multi-layer reference file (GeoPackage)."),
        source=SUBLAYER,
        of="reference",
    )
    reference_field: str | None = setting(
        None,
        QT_TRANSLATE_NOOP("settings", "Reference class field"),
        QT_TRANSLATE_NOOP("settings", "Vector reference: the field holding the true class (value or name)."),
        source=FIELD,
        of="reference",
    )
    classes: list[ClassInfo] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        [],
        QT_TRANSLATE_NOOP("settings", "Class table"),
        QT_TRANSLATE_NOOP("settings", "The classes' values and names (JSON); empty: those the prediction holds."),
        source=CLASS_TABLE,
    )
    output_dir: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Report folder"),
        QT_TRANSLATE_NOOP("settings", "The folder to write: confusion matrix (CSV), figures (JSON), report (HTML)."),
        source=OUTPUT_FOLDER,
        required=True,
    )

    def __post_init__(self) -> None:
        self.classes = [c if isinstance(c, ClassInfo) else ClassInfo(**c) for c in self.classes]
        check_class_table(self.classes)
        check_settings(self)
        inputs = {"class raster": self.prediction, "reference data": self.reference}
        check_not_an_input({"report folder": Path(self.output_dir)} if self.output_dir else {}, inputs)


@dataclass
class SampleConfig:
    """A stratified random sample of points for an accuracy assessment: the strata are the map's classes, the size
    comes from a target standard error of the overall accuracy (Olofsson et al. 2014, ``core/assessment``)."""

    prediction: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Class raster"),
        QT_TRANSLATE_NOOP("settings", "The map to sample: a prediction, or any raster of class values."),
        source=RASTER_LAYER,
        required=True,
    )
    output: str = setting(
        "",
        QT_TRANSLATE_NOOP("settings", "Sample points"),
        QT_TRANSLATE_NOOP("settings", "The point GeoPackage to write, with an empty reference field to fill in."),
        source=OUTPUT_VECTOR,
        required=True,
    )
    target_standard_error: float = setting(
        0.01,
        QT_TRANSLATE_NOOP("settings", "Target standard error"),
        QT_TRANSLATE_NOOP("settings", "The standard error of the overall accuracy the sample should give."),
        minimum=0.001,
        maximum=0.2,
        step=0.005,
    )
    expected_accuracy: float = setting(
        0.8,
        QT_TRANSLATE_NOOP("settings", "Expected user's accuracy"),
        QT_TRANSLATE_NOOP("settings", "The user's accuracy expected of each class (0.5 gives the largest sample)."),
        minimum=0.01,
        maximum=0.99,
        step=0.05,
    )
    class_accuracies: dict[str, float] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        {},
        QT_TRANSLATE_NOOP("settings", "Expected accuracy per class"),
        QT_TRANSLATE_NOOP("settings", 'Classes expected to differ, by name or value, as JSON, e.g. {"water": 0.95}.'),
        advanced=True,
    )
    min_per_class: int = setting(
        50,
        QT_TRANSLATE_NOOP("settings", "Minimum points per class"),
        QT_TRANSLATE_NOOP("settings", "Each class gets at least this many; the rest follows the classes' areas."),
        minimum=1,
        maximum=10000,
    )
    sample_size: int = setting(
        0,
        QT_TRANSLATE_NOOP("settings", "Sample size"),
        QT_TRANSLATE_NOOP("settings", "The number of points; 0: from the target standard error."),
        minimum=0,
        maximum=100000,
        advanced=True,
    )
    reference_field: str = setting(
        "reference",
        QT_TRANSLATE_NOOP("settings", "Reference field name"),
        QT_TRANSLATE_NOOP("settings", "The empty text field the points get, for the true class of each."),
        advanced=True,
    )
    classes: list[ClassInfo] = setting(  # noqa: RUF009 (setting() returns a dataclasses.field)
        [],
        QT_TRANSLATE_NOOP("settings", "Class table"),
        QT_TRANSLATE_NOOP("settings", "The classes' values and names (JSON); empty: those the prediction holds."),
        source=CLASS_TABLE,
    )
    seed: int = setting(
        42,
        QT_TRANSLATE_NOOP("settings", "Random seed"),
        QT_TRANSLATE_NOOP("settings", "Seed of the random draw: the same seed and map give the same points."),
        minimum=0,
        maximum=2**31 - 1,
        advanced=True,
    )

    def __post_init__(self) -> None:
        self.classes = [c if isinstance(c, ClassInfo) else ClassInfo(**c) for c in self.classes]
        check_class_table(self.classes)
        check_settings(self)
        if self.output and Path(self.output).suffix.lower() != ".gpkg":
            raise UserError(f"Sample points: {self.output} must be a GeoPackage file, ending in .gpkg.")
        outputs = {"sample points": Path(self.output)} if self.output else {}
        check_not_an_input(outputs, {"class raster": self.prediction})
        if not self.reference_field.strip():
            raise UserError("Reference field name: give the name of the field to fill in, e.g. reference.")
        for name, accuracy in self.class_accuracies.items():
            if isinstance(accuracy, bool) or not isinstance(accuracy, (int, float)) or not 0 < accuracy < 1:
                raise UserError(
                    f"Expected accuracy per class: {name!r} has {accuracy!r}; give a share between 0 and 1 (e.g. 0.9)."
                )


ConfigT = TypeVar("ConfigT", TrainConfig, PredictConfig, CompareConfig, ExportConfig, AssessConfig, SampleConfig)
AnyConfig = Union[TrainConfig, PredictConfig, CompareConfig, ExportConfig, AssessConfig, SampleConfig]
"""Any run's settings, as the worker reads them from ``--config``."""


def _margin_from_overlap(values: dict[str, Any]) -> int:
    """The ``margin`` (px) of a configuration saved with the retired ``overlap`` (share of a tile): the pixels
    the old tiles shared, rounded to a multiple of 32 and kept below the tile."""
    try:
        tile, overlap = int(values.get("tile_size") or 512), float(values["overlap"])
    except (TypeError, ValueError):
        raise UserError(f"overlap {values['overlap']!r} must be a share of the tile such as 0.25.") from None
    shared = 32 * round(overlap * tile / 32)
    return max(0, min(shared, tile - 32, 512))


# Settings of earlier versions, per config class: old name -> (new name, the new value from the old settings).
# A configuration saved before a setting was replaced (a run.json, a Processing model) keeps working.
RETIRED_SETTINGS: dict[str, dict[str, tuple[str, Callable[[dict[str, Any]], Any]]]] = {
    "PredictConfig": {"overlap": ("margin", _margin_from_overlap)},
}


def _upgraded(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the retired settings of ``cls`` replaced by their successors (unless given too)."""
    values = dict(values)
    for old, (new, convert) in RETIRED_SETTINGS.get(cls.__name__, {}).items():
        if old in values:
            converted = convert(values)
            del values[old]
            values.setdefault(new, converted)
    return values


def config_from_dict(cls: type[ConfigT], values: dict[str, Any]) -> ConfigT:
    """Build a config from a dict (settings of earlier versions upgraded), with a clear message for unknown or
    missing keys."""
    values = _upgraded(cls, values)
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise UserError(
            f"Unknown setting(s) {', '.join(unknown)} for {cls.__name__}; valid settings: {', '.join(sorted(known))}."
        )
    try:
        return cls(**values)
    except TypeError as exc:  # a required setting is missing, or a nested entry has a wrong key
        raise UserError(f"{cls.__name__}: {exc}") from None


def config_to_dict(config: AnyConfig) -> dict[str, Any]:
    return dataclasses.asdict(config)


def read_config_json(path: str | Path) -> dict[str, Any]:
    """The settings object of a JSON configuration file, with a clear message when it is not one."""
    try:
        values = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise UserError(f"Cannot read the run configuration {path}: {exc}") from None
    if not isinstance(values, dict):
        raise UserError(f"The run configuration {path} must hold a JSON object of settings.")
    return values


def load_config(cls: type[ConfigT], path: str | Path) -> ConfigT:
    """Read a config from a JSON file (the dock's "Export run" writes the same format)."""
    return config_from_dict(cls, read_config_json(path))


def save_config(config: AnyConfig, path: str | Path) -> Path:
    """Write a config as JSON, as ``--config`` and ``load_config`` read it (atomically: ``write_text_atomic``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(config_to_dict(config), indent=2))
    return path
