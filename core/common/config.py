"""Run configurations: the one place where every default lives.

The dock, the Processing algorithms and the worker command line all build these dataclasses, and
the worker reads them back from JSON (``--config run.json``). Standard library only: the QGIS
process imports this module.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from ...losses.catalog import (  # noqa: F401 (IGNORE_INDEX, MODES: re-exported for core and the dock)
    DEFAULT_LOSS,
    IGNORE_INDEX,
    MODES,
    available_losses,
    convert_loss_name,
)
from ...losses.presets import LOSS_PRESETS
from .errors import UserError

ARCHITECTURES = ("unet", "deeplabv3plus", "attention_unet")
NORMALIZATIONS = ("mean_std", "percentile")
AUGMENTATIONS = ("none", "basic", "advanced")
CLASS_WEIGHTINGS = ("none", "inverse", "median")
CACHE_MODES = ("auto", "always", "never")
BLENDINGS = ("gaussian", "linear", "none")
DEVICES = ("auto", "cpu", "cuda")  # "cuda:N" is accepted too
PREDICTION_NODATA = 255
"""Value written in prediction rasters where the input was nodata."""


@dataclass
class ClassInfo:
    """One row of the class table: the value written in label and prediction rasters."""

    value: int
    name: str
    color: str = ""  # "#rrggbb"; empty means "pick a distinct colour"


@dataclass
class TrainConfig:
    """Everything a training run needs; paths are plain file paths (no QGIS layers)."""

    raster: str
    labels: str
    output_dir: str
    label_layer: str | None = None  # layer name inside a multi-layer vector file (GeoPackage)
    aoi: str | None = None  # polygons limiting training: pixels outside are unlabelled
    aoi_layer: str | None = None
    validation_area: str | None = None  # polygons holding the validation tiles (instead of random blocks)
    validation_area_layer: str | None = None
    class_field: str | None = None  # vector labels: the field holding the class (int or text)
    classes: list[ClassInfo] = field(default_factory=list)  # empty: derived from the labels
    mode: str = "multiclass"
    unlabelled_as_background: bool | None = None  # None: True in binary mode, False otherwise
    loss: str = ""  # empty: DEFAULT_LOSS[mode]
    loss_params: dict[str, Any] = field(default_factory=dict)
    architecture: str = "unet"
    encoder: str = "resnet34"
    encoder_weights: str | None = None  # a local weights file, or "imagenet" from the local cache only
    epochs: int = 20
    batch_size: int = 4
    tile_size: int = 256
    stride: int = 0  # 0: equal to tile_size
    learning_rate: float = 1e-4
    weight_decay: float = 1e-4
    val_fraction: float = 0.2
    block_tiles: int = 2  # side of the split's spatial blocks, in tiles (the test set's unit in a comparison)
    min_labelled_fraction: float = 0.05
    normalization: str = "mean_std"  # or "percentile": 2-98 % clip to [0, 1]
    augmentation: str = "basic"  # none, basic (flips, 90° rotations), advanced (+ brightness, contrast, gamma, noise)
    class_weighting: str = "none"  # none, inverse or median frequency, from the training tiles
    early_stopping_patience: int = 0  # stop after this many epochs without a better validation mIoU; 0: never
    resume: bool = False  # continue from the checkpoint in output_dir
    deterministic: bool = False  # deterministic algorithms (slower on GPU)
    cache: str = "auto"  # keep the raster in memory: auto (when under 512 MiB), always, never
    device: str = "auto"  # auto, cpu, cuda, cuda:N
    seed: int = 42

    def __post_init__(self) -> None:
        self.classes = [c if isinstance(c, ClassInfo) else ClassInfo(**c) for c in self.classes]
        if self.mode not in MODES:
            raise UserError(f"Mode {self.mode!r} is not known: use one of {', '.join(MODES)}.")
        for name, allowed in (
            ("architecture", ARCHITECTURES),
            ("normalization", NORMALIZATIONS),
            ("augmentation", AUGMENTATIONS),
            ("class_weighting", CLASS_WEIGHTINGS),
            ("cache", CACHE_MODES),
        ):
            if getattr(self, name) not in allowed:
                raise UserError(
                    f"{name.replace('_', ' ').capitalize()} {getattr(self, name)!r} is not known: "
                    f"use one of {', '.join(allowed)}."
                )
        if not self.loss:
            self.loss = DEFAULT_LOSS[self.mode]
        if not self.stride:
            self.stride = self.tile_size
        if self.unlabelled_as_background is None:
            self.unlabelled_as_background = self.mode == "binary"
        _check_positive(self, ("epochs", "batch_size", "tile_size", "stride", "learning_rate", "block_tiles"))
        if self.tile_size % 32:
            raise UserError(f"Tile size {self.tile_size} must be a multiple of 32 (the U-Net depth).")
        if not 0.0 < self.val_fraction < 1.0:
            raise UserError(f"Validation fraction {self.val_fraction} must be between 0 and 1.")


@dataclass
class PredictConfig:
    """A prediction: a trained model folder applied to a raster, optionally on an extent."""

    model_dir: str
    raster: str
    output: str
    extent: tuple[float, float, float, float] | None = None  # xmin, ymin, xmax, ymax
    extent_crs: str | None = None  # CRS of the extent (any string rasterio understands); None: the raster's
    mask: str | None = None  # polygons: predict inside them only (outside is nodata)
    mask_layer: str | None = None
    overlap: float = 0.25  # share of a tile that overlaps its neighbours, blended
    blending: str = "gaussian"  # gaussian, linear (ramp) or none (plain average)
    tile_size: int = 0  # 0: 512, or the training tile if larger (inference.prediction_tile)
    confidence: bool = False  # also write <output>_confidence.tif (top-class probability)
    probabilities: bool = False  # also write <output>_probabilities.tif (one band per class)
    resample_to_training: bool = False  # warp the raster to the training resolution first
    vectorize: bool = False  # also write <output>.gpkg with one polygon per patch of a class
    simplify: float = 0.0  # simplification tolerance of the polygons, in CRS units (0: none)
    batch_size: int = 0  # tiles per forward pass; 0: as many as make 0.25 MP (CPU) or 2 MP (GPU)
    device: str = "auto"

    def __post_init__(self) -> None:
        if not 0.0 <= self.overlap < 1.0:
            raise UserError(f"Overlap {self.overlap} must be at least 0 and below 1 (a share of the tile).")
        if self.blending not in BLENDINGS:
            raise UserError(f"Blending {self.blending!r} is not known: use one of {', '.join(BLENDINGS)}.")
        if self.tile_size and self.tile_size % 32:
            raise UserError(f"Tile size {self.tile_size} must be a multiple of 32.")
        if self.extent is not None:
            self.extent = tuple(float(v) for v in self.extent)
            xmin, ymin, xmax, ymax = self.extent
            if len(self.extent) != 4 or xmin >= xmax or ymin >= ymax:
                raise UserError(f"Extent {self.extent} is not xmin,ymin,xmax,ymax with xmin < xmax and ymin < ymax.")
        if self.batch_size < 0:
            raise UserError(f"Batch size must be positive (or 0 for automatic), got {self.batch_size}.")


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
    """Configurations from a comma-separated list of names (``--losses``, Processing's LOSSES)."""
    return configurations_from_names([name.strip() for name in text.split(",") if name.strip()], mode)


def configurations_from_names(names: list[str], mode: str) -> list[LossConfiguration]:
    """Configurations from short names: a study preset (``dice_dominant``: ``combo`` with its
    weights) or any registered loss of either mode with its default parameters."""
    configurations = []
    for name in names:
        if name in LOSS_PRESETS:
            configurations.append(LossConfiguration(name, convert_loss_name("combo", mode), dict(LOSS_PRESETS[name])))
            continue
        try:
            configurations.append(LossConfiguration(name, convert_loss_name(name, mode)))
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
    baseline: str = ""  # the configuration gains are measured against; empty: ce_only, else the first
    second_architecture: str | None = None  # also train the best configuration with this network
    runs: int = 3  # training runs per configuration (seeds): 1 is quick but leaves training variance out
    test_fraction: float = 0.25  # share of the spatial blocks held out as the test set

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
        if not 1 <= self.runs <= MAX_RUNS:
            raise UserError(f"Runs per configuration must be between 1 and {MAX_RUNS}, got {self.runs}.")
        if not 0.0 < self.test_fraction < 1.0 or self.test_fraction + self.train.val_fraction >= 0.9:
            raise UserError(
                f"Test fraction {self.test_fraction} must be above 0 and leave at least 10 % of the blocks for "
                f"training beside the validation fraction {self.train.val_fraction}."
            )
        if self.second_architecture is not None and self.second_architecture not in ARCHITECTURES:
            raise UserError(
                f"Second architecture {self.second_architecture!r} is not known: use one of {', '.join(ARCHITECTURES)}."
            )


def default_of(cls: type, name: str) -> Any:
    """A setting's declared default (for front ends that show it before any config exists)."""
    return next(f.default for f in dataclasses.fields(cls) if f.name == name)


def _check_positive(config: object, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(config, name)
        if value <= 0:
            raise UserError(f"{name.replace('_', ' ').capitalize()} must be positive, got {value}.")


ConfigT = TypeVar("ConfigT", TrainConfig, PredictConfig, CompareConfig)


def config_from_dict(cls: type[ConfigT], values: dict[str, Any]) -> ConfigT:
    """Build a config from a dict, with a clear message for unknown or missing keys."""
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


def config_to_dict(config: TrainConfig | PredictConfig | CompareConfig) -> dict[str, Any]:
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


def save_config(config: TrainConfig | PredictConfig | CompareConfig, path: str | Path) -> Path:
    """Write a config as JSON, as ``--config`` and ``load_config`` read it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config_to_dict(config), indent=2), encoding="utf-8")
    return path
