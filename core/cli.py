"""The worker's command line: ``python -m segmentation_trainer {train,compare,predict,check,info,rasterize} …``.

The plugin runs it in a separate process with ``--events`` (JSON lines on stdout) and
``--stop-file``; users run the same commands headless, e.g. on a GPU server.
Exit status: 0 done (or stopped on request), 2 bad input (the message says what to fix), 1 a bug.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from typing import Any

from ..losses.catalog import DEFAULT_LOSS
from .common.config import (
    ARCHITECTURES,
    AUGMENTATIONS,
    BLENDINGS,
    CACHE_MODES,
    CLASS_WEIGHTINGS,
    MODES,
    NORMALIZATIONS,
    ClassInfo,
    CompareConfig,
    PredictConfig,
    TrainConfig,
    config_from_dict,
    configurations_from_text,
    read_config_json,
)
from .common.errors import UserError
from .common.events import EventWriter

_TRAIN_DEFAULTS = TrainConfig(raster="", labels="", output_dir="")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", action="store_true", help="print one JSON event per line (for the plugin)")
    parser.add_argument("--stop-file", help="stop cleanly as soon as this file exists")
    parser.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")


def _add_label_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--raster", help="image raster (GeoTIFF or any GDAL raster)")
    parser.add_argument("--labels", help="label file: polygons with a class field, or a class raster")
    parser.add_argument("--label-layer", help="layer name inside a multi-layer vector file (GeoPackage)")
    parser.add_argument("--class-field", help="vector labels: field holding the class (integer or text)")
    parser.add_argument(
        "--classes", help='class table JSON file: [{"value": 1, "name": "forest", "color": "#228b22"}, …]'
    )
    parser.add_argument("--mode", choices=MODES, help="binary or multiclass (default multiclass)")
    parser.add_argument(
        "--background",
        action=argparse.BooleanOptionalAction,
        default=None,
        dest="unlabelled_as_background",
        help="pixels outside every polygon are background (default: yes in binary mode, no otherwise)",
    )


def _add_train_args(parser: argparse.ArgumentParser, single_run: bool) -> None:
    """Training settings, shared by ``train`` and ``compare`` (which sets loss and schedule per run)."""
    _add_label_args(parser)
    d = _TRAIN_DEFAULTS
    if single_run:
        parser.add_argument(
            "--loss", help=f"loss name (default {DEFAULT_LOSS['multiclass']} / {DEFAULT_LOSS['binary']})"
        )
        parser.add_argument(
            "--loss-params", type=json.loads, help="loss parameters as JSON, e.g. '{\"dice_weight\": 1}'"
        )
        parser.add_argument(
            "--early-stopping-patience",
            type=int,
            help="epochs without a better validation mIoU before stopping (default 0: never)",
        )
        parser.add_argument(
            "--resume", action="store_true", default=None, help="continue from the output folder's checkpoint"
        )
    parser.add_argument("--architecture", choices=ARCHITECTURES, help=f"network (default {d.architecture})")
    parser.add_argument("--encoder", help=f"encoder (default {d.encoder})")
    parser.add_argument("--epochs", type=int, help=f"default {d.epochs}")
    parser.add_argument("--batch-size", type=int, help=f"default {d.batch_size}")
    parser.add_argument("--tile-size", type=int, help=f"tile side in pixels, a multiple of 32 (default {d.tile_size})")
    parser.add_argument("--stride", type=int, help="tile stride in pixels (default: the tile size)")
    parser.add_argument("--learning-rate", type=float, help=f"default {d.learning_rate}")
    parser.add_argument(
        "--val-fraction", type=float, help=f"share of spatial blocks held out (default {d.val_fraction})"
    )
    parser.add_argument(
        "--block-tiles", type=int, help=f"side of the split's spatial blocks, in tiles (default {d.block_tiles})"
    )
    parser.add_argument(
        "--min-labelled-fraction",
        type=float,
        help=f"skip tiles with fewer labelled pixels (default {d.min_labelled_fraction})",
    )
    parser.add_argument("--seed", type=int, help=f"default {d.seed}")
    parser.add_argument("--aoi", help="polygons limiting training (area of interest)")
    parser.add_argument("--aoi-layer", help="layer name inside the area-of-interest file")
    parser.add_argument("--validation-area", help="polygons holding the validation tiles (instead of random blocks)")
    parser.add_argument("--validation-area-layer", help="layer name inside the validation-area file")
    parser.add_argument("--encoder-weights", help="local encoder weights file, or 'imagenet' from the local cache")
    parser.add_argument("--normalization", choices=NORMALIZATIONS, help=f"default {d.normalization}")
    parser.add_argument("--augmentation", choices=AUGMENTATIONS, help=f"default {d.augmentation}")
    parser.add_argument("--class-weighting", choices=CLASS_WEIGHTINGS, help=f"default {d.class_weighting}")
    parser.add_argument("--deterministic", action="store_true", default=None, help="deterministic algorithms")
    parser.add_argument("--cache", choices=CACHE_MODES, help=f"keep the raster in memory (default {d.cache})")
    parser.add_argument("--output-dir", help="folder to write: the model (train), the report and runs (compare)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m segmentation_trainer", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model on a raster and labels")
    train.add_argument("--config", help="run configuration JSON (as exported by the dock); flags override it")
    train.add_argument(
        "--dry-run", action="store_true", help="only report the tiles and labelled pixels per class, do not train"
    )
    _add_train_args(train, single_run=True)
    _add_common(train)

    compare = sub.add_parser(
        "compare", help="train the same data with several losses and write a report saying which is best"
    )
    compare.add_argument(
        "--config",
        help='comparison JSON ({"train": {...}, "configurations": [...], ...}) or a run JSON exported by '
        "the dock; flags override it",
    )
    compare.add_argument(
        "--losses",
        help="comma-separated study presets (equal, ce_dominant, dice_dominant, focal_dominant, ce_only, dice_only, "
        "focal_only) and loss names (e.g. focal_tversky); default: the seven presets",
    )
    compare.add_argument("--baseline", help="configuration the gains are measured against (default ce_only)")
    compare.add_argument(
        "--second-architecture", choices=ARCHITECTURES, help="also train the best configuration with this network"
    )
    compare.add_argument(
        "--runs",
        type=int,
        help="training runs (seeds) per configuration: 1 is quick but leaves training variance out (default 3)",
    )
    compare.add_argument(
        "--test-fraction",
        type=float,
        help="share of the spatial blocks held out as the test set the verdict uses (default 0.25)",
    )
    _add_train_args(compare, single_run=False)
    _add_common(compare)

    predict = sub.add_parser("predict", help="predict a class raster with a trained model")
    predict.add_argument("--model", required=True, dest="model_dir", help="model folder written by train")
    predict.add_argument("--raster", required=True, help="image raster with the bands the model was trained on")
    predict.add_argument("--extent", help="xmin,ymin,xmax,ymax (write --extent=… when it starts with '-')")
    predict.add_argument("--extent-crs", help="CRS of --extent, e.g. EPSG:4326 (default: the raster's)")
    predict.add_argument("--output", required=True, help="class raster GeoTIFF to write")
    predict.add_argument("--batch-size", type=int, help="tiles per forward pass (default: 0.25 MP on CPU, 2 MP on GPU)")
    predict.add_argument("--mask", help="polygons: predict inside them only (outside is nodata)")
    predict.add_argument("--mask-layer", help="layer name inside the mask file")
    predict.add_argument("--overlap", type=float, help="share of a tile overlapping its neighbours (default 0.25)")
    predict.add_argument("--blending", choices=BLENDINGS, help="how overlapping tiles are blended (default gaussian)")
    predict.add_argument("--tile-size", type=int, help="tile size (default: 512, or the training tile if larger)")
    predict.add_argument("--confidence", action="store_true", default=None, help="also write <output>_confidence.tif")
    predict.add_argument(
        "--probabilities",
        action="store_true",
        default=None,
        help="also write <output>_probabilities.tif, one band per class",
    )
    predict.add_argument(
        "--resample-to-training",
        action="store_true",
        default=None,
        help="warp the raster to the training resolution first",
    )
    predict.add_argument(
        "--vectorize", action="store_true", default=None, help="also write <output>.gpkg, one polygon per class patch"
    )
    predict.add_argument("--simplify", type=float, help="simplification tolerance of the polygons, in CRS units")
    _add_common(predict)

    check = sub.add_parser("check", help="report the worker's package versions and the device it would use")
    _add_common(check)

    info = sub.add_parser("info", help="print a model folder's classes, bands, resolution and metrics")
    info.add_argument("--model", required=True, dest="model_dir", help="model folder written by train")
    _add_common(info)

    rasterize = sub.add_parser("rasterize", help="write the labels on the raster's grid, to check them")
    _add_label_args(rasterize)
    rasterize.add_argument("--output", required=True, help="label GeoTIFF to write")
    _add_common(rasterize)
    return parser


def _settings(args: argparse.Namespace, names: list[str]) -> dict[str, Any]:
    return {n: getattr(args, n) for n in names if getattr(args, n, None) is not None}


def _train_config(args: argparse.Namespace, base: dict[str, Any] | None = None) -> TrainConfig:
    """The training settings: ``base`` (default: the ``--config`` file) overridden by the flags."""
    if base is None:
        base = read_config_json(args.config) if getattr(args, "config", None) else {}
    names = [
        "raster",
        "labels",
        "label_layer",
        "class_field",
        "mode",
        "unlabelled_as_background",
        "loss",
        "loss_params",
        "architecture",
        "encoder",
        "epochs",
        "batch_size",
        "tile_size",
        "stride",
        "learning_rate",
        "val_fraction",
        "block_tiles",
        "min_labelled_fraction",
        "seed",
        "aoi",
        "aoi_layer",
        "validation_area",
        "validation_area_layer",
        "encoder_weights",
        "normalization",
        "augmentation",
        "class_weighting",
        "early_stopping_patience",
        "resume",
        "deterministic",
        "cache",
        "output_dir",
        "device",
    ]
    values = base | _settings(args, names)
    if args.classes:
        values["classes"] = _read_classes(args.classes)
    for required in ("raster", "labels", "output_dir"):
        values.setdefault(required, "")
        if not values[required] and not (args.command == "rasterize" and required == "output_dir"):
            raise UserError(f"--{required.replace('_', '-')} is required (or give it in --config).")
    return config_from_dict(TrainConfig, values)


def _compare_config(args: argparse.Namespace) -> CompareConfig:
    """A comparison from ``--config`` (a comparison JSON, or a dock's run JSON as its training
    settings) and the flags."""
    saved = read_config_json(args.config) if args.config else {}
    if "train" not in saved:
        saved = {"train": saved}
    values = {k: v for k, v in saved.items() if k != "train"}
    values["train"] = _train_config(args, saved["train"])
    if args.losses:
        values["configurations"] = configurations_from_text(args.losses, values["train"].mode)
    values |= _settings(args, ["baseline", "second_architecture", "runs", "test_fraction"])
    return config_from_dict(CompareConfig, values)


def _read_classes(path: str) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as f:
            rows = json.load(f)
        return [ClassInfo(**row).__dict__ for row in rows]
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise UserError(f"Cannot read the class table {path}: {exc}") from None


def _parse_extent(text: str | None) -> tuple[float, ...] | None:
    if text is None:
        return None
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 4:
        raise UserError(f"--extent {text!r} must be four numbers: xmin,ymin,xmax,ymax.")
    return values


def run(args: argparse.Namespace, events: EventWriter) -> None:
    from .runtime.cancel import StopRequest

    stop = StopRequest(args.stop_file)
    stop.install_signal_handlers()
    if args.command in ("train", "compare"):
        from .comparison.runner import compare
        from .runtime.distributed import finish
        from .training.loop import summarize_data, train

        try:
            if args.command == "compare":
                compare(_compare_config(args), events, stop)
            elif args.dry_run:
                summarize_data(_train_config(args), events)
            else:
                train(_train_config(args), events, stop)
        finally:
            finish()
    elif args.command == "predict":
        from .inference.prediction import predict

        names = [
            "model_dir",
            "raster",
            "output",
            "extent_crs",
            "batch_size",
            "device",
            "mask",
            "mask_layer",
            "overlap",
            "blending",
            "tile_size",
            "confidence",
            "probabilities",
            "resample_to_training",
            "vectorize",
            "simplify",
        ]
        values = _settings(args, names)
        values["extent"] = _parse_extent(args.extent)
        predict(config_from_dict(PredictConfig, values), events, stop)
    elif args.command == "check":
        from .runtime.environment import environment_report

        events.emit("result", **environment_report())
    elif args.command == "info":
        from .models.model_store import model_summary

        events.emit("result", **model_summary(args.model_dir))
    else:
        from .data.label_raster import write_label_raster

        write_label_raster(_train_config(args), args.output, events)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args = build_parser().parse_args(argv)
    events = EventWriter(sys.stdout, as_json=args.events)
    try:
        run(args, events)
    except UserError as exc:
        events.emit("error", message=str(exc))
        return 2
    except Exception as exc:  # a bug: say so plainly, with the traceback for the report
        events.emit("error", message=f"Unexpected error: {exc}", details=traceback.format_exc())
        return 1
    return 0
