"""The worker's command line: ``python -m segmentation_trainer COMMAND …``.

Commands: train, compare, predict, export-onnx, check, info, rasterize, sample (points to label) and assess
(accuracy).

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
from pathlib import Path
from typing import Any

from .common.config import (
    AssessConfig,
    ClassInfo,
    CompareConfig,
    ConfigT,
    ExportConfig,
    PredictConfig,
    SampleConfig,
    TrainConfig,
    config_from_dict,
    configurations_from_text,
    read_config_json,
)
from .common.errors import UserError
from .common.events import EventWriter
from .common.files import check_not_an_input, check_output_file, disk_error
from .common.schema import BANDS, CLASS_TABLE, EXTENT, JSON_EXAMPLE, Setting, parse_bands, settings_of

LABEL_SETTINGS = ("raster", "labels", "label_layer", "class_field", "classes", "mode", "unlabelled_as_background")
"""What ``rasterize`` reads: the labels on the raster's grid."""


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", action="store_true", help="print one JSON event per line (for the plugin)")
    parser.add_argument(
        "--stop-file",
        help="stop cleanly as soon as this file is created (one there at the start is from an earlier run: removed)",
    )


def _add_settings(parser: argparse.ArgumentParser, settings: list[Setting]) -> None:
    """One flag per declared setting: its type, choices and help (with default and range) from the
    declaration. Unset flags stay None, so a ``--config`` file's values are kept."""
    for s in settings:
        options: dict[str, Any] = {"dest": s.name, "help": _help(s), "default": None}
        if s.multiple:  # repeatable; a list file or a folder stands for the paths it holds
            options["action"] = "append"
        elif s.kind is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif s.kind in (int, float):
            options["type"] = s.kind
        if s.choices:
            options["choices"] = s.choices
        parser.add_argument(s.cli_flag, **options)


def _help(s: Setting) -> str:
    if s.source == CLASS_TABLE:
        return s.help + " Give a JSON file."
    if s.multiple:
        return s.help + f" Repeat {s.cli_flag} for several, or give a .txt file listing one per line (or a folder)."
    details = []
    if s.default not in (None, "", [], {}):
        details.append(f"default {s.default}")
    if s.minimum is not None or s.maximum is not None:
        low, high = ("" if bound is None else f"{bound:g}" for bound in (s.minimum, s.maximum))
        details.append(f"{low}…{high}")
    text = s.help + (f" ({'; '.join(details)})" if details else "")
    return text.replace("%", "%%")  # argparse formats help texts with %


def _json(text: str, s: Setting) -> Any:
    """The JSON value of a flag (checked by the config: ``check_settings``); a UserError when it is not JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(
            f"{s.cli_flag} {text!r} is not JSON ({exc.msg}, character {exc.pos + 1}): give a JSON object in single "
            f"quotes, e.g. {s.cli_flag} '{JSON_EXAMPLE}'."
        ) from None


def _train_settings(comparison: bool) -> list[Setting]:
    return [s for s in settings_of(TrainConfig).values() if s.in_comparison or not comparison]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m segmentation_trainer", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train a model on a raster and labels")
    train.add_argument("--config", help="run configuration JSON (as the dock exports it); flags override it")
    train.add_argument(
        "--dry-run", action="store_true", help="only report the tiles and labelled pixels per class, do not train"
    )
    _add_settings(train, _train_settings(comparison=False))
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
    _add_settings(compare, [*settings_of(CompareConfig).values(), *_train_settings(comparison=True)])
    predict = sub.add_parser("predict", help="predict a class raster with a trained model")
    predict.add_argument("--config", help="prediction JSON (PredictConfig's settings); flags override it")
    _add_settings(predict, list(settings_of(PredictConfig).values()))
    export = sub.add_parser("export-onnx", help="write a model folder as an ONNX file for Deepness and ONNX Runtime")
    export.add_argument("--config", help="export JSON (ExportConfig's settings); flags override it")
    _add_settings(export, list(settings_of(ExportConfig).values()))
    sub.add_parser("check", help="report the worker's package versions and the device it would use")
    info = sub.add_parser("info", help="print a model folder's classes, bands, resolution and metrics")
    info.add_argument("--model", required=True, dest="model_dir", help="model folder written by train")
    rasterize = sub.add_parser("rasterize", help="write the labels on the raster's grid, to check them")
    _add_settings(rasterize, [settings_of(TrainConfig)[name] for name in LABEL_SETTINGS])
    rasterize.add_argument("--output", required=True, help="label GeoTIFF to write")
    sample = sub.add_parser(
        "sample", help="draw a stratified random sample of points in a class raster's classes, to label for assess"
    )
    sample.add_argument("--config", help="sample JSON (SampleConfig's settings); flags override it")
    _add_settings(sample, list(settings_of(SampleConfig).values()))
    assess = sub.add_parser(
        "assess",
        help="compare a class raster with reference data: error matrix, accuracies, areas with confidence intervals",
    )
    assess.add_argument("--config", help="assessment JSON (AssessConfig's settings); flags override it")
    _add_settings(assess, list(settings_of(AssessConfig).values()))
    for command in sub.choices.values():
        _add_common(command)
    return parser


def _flags(args: argparse.Namespace, cls: type, base: dict[str, Any]) -> dict[str, Any]:
    """``base`` (a ``--config`` file's settings) overridden by the flags given, converted: a class
    table file read, an extent and band numbers parsed."""
    values = dict(base)
    for s in settings_of(cls).values():
        value = getattr(args, s.name, None)
        if value is None:
            continue
        if s.source == CLASS_TABLE:
            value = _read_classes(value)
        elif s.source == EXTENT:
            value = _parse_extent(value)
        elif s.source == BANDS:
            value = parse_bands(value)
        elif s.kind is dict:
            value = _json(value, s)
        values[s.name] = value
    return values


def _require(values: dict[str, Any], cls: type, skip: tuple[str, ...] = ()) -> None:
    for s in settings_of(cls).values():
        if s.required and s.name not in skip and not values.get(s.name):
            raise UserError(f"{s.cli_flag} is required (or give it in --config).")


def _config_file(args: argparse.Namespace) -> dict[str, Any]:
    return read_config_json(args.config) if getattr(args, "config", None) else {}


def _train_config(args: argparse.Namespace, base: dict[str, Any] | None = None) -> TrainConfig:
    """The training settings: ``base`` (default: the ``--config`` file) overridden by the flags."""
    values = _flags(args, TrainConfig, _config_file(args) if base is None else base)
    _require(values, TrainConfig, skip=("output_dir",) if args.command == "rasterize" else ())
    return config_from_dict(TrainConfig, values)


def _compare_config(args: argparse.Namespace) -> CompareConfig:
    """A comparison from ``--config`` (a comparison JSON, or a dock's run JSON as its training
    settings) and the flags."""
    saved = _config_file(args)
    if "train" not in saved:
        saved = {"train": saved}
    values = _flags(args, CompareConfig, {k: v for k, v in saved.items() if k != "train"})
    values["train"] = _train_config(args, saved["train"])
    if args.losses:
        values["configurations"] = configurations_from_text(args.losses, values["train"].mode)
    return config_from_dict(CompareConfig, values)


def _config(args: argparse.Namespace, cls: type[ConfigT]) -> ConfigT:
    """A command's settings of ``cls``: the ``--config`` file overridden by the flags."""
    values = _flags(args, cls, _config_file(args))
    _require(values, cls)
    return config_from_dict(cls, values)


def _read_classes(path: str) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as f:
            rows = json.load(f)
        return [ClassInfo(**row).__dict__ for row in rows]
    except (OSError, json.JSONDecodeError, TypeError) as exc:
        raise UserError(f"Cannot read the class table {path}: {exc}") from None


def _parse_extent(text: str) -> tuple[float, ...]:
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
    stop.discard_stale(events.log)
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

        predict(_config(args, PredictConfig), events, stop)
    elif args.command == "export-onnx":
        from .export.onnx_export import export_onnx

        export_onnx(_config(args, ExportConfig), events)
    elif args.command == "check":
        from .runtime.environment import environment_report

        events.emit("result", **environment_report())
    elif args.command == "info":
        from .models.model_store import model_summary

        events.emit("result", **model_summary(args.model_dir))
    elif args.command == "sample":
        from .assessment.sampling import draw_sample

        draw_sample(_config(args, SampleConfig), events)
    elif args.command == "assess":
        from .assessment.runner import assess

        assess(_config(args, AssessConfig), events)
    else:
        from .data.label_raster import write_label_raster

        config = _train_config(args)
        inputs = {"raster": config.raster[0], "labels": config.labels[0]} if config.raster and config.labels else {}
        check_not_an_input({"label raster": Path(args.output)}, inputs)
        check_output_file(args.output, "label raster")
        write_label_raster(config, args.output, events)


GDAL_CACHE_MB = {"predict": 64, None: 256}
"""GDAL's raster block cache in MB for the worker, by command (GDAL's default, 5 % of the memory, grows with the
rasters read); a GDAL_CACHEMAX set by the user wins. Training reads tiles again and again: its cache holds the
rasters' blocks. Prediction reads each block about once, and keeps in the cache the output blocks it writes where
they straddle two chunks: those would fill any cache, so a small one keeps its memory flat over the raster's size
(docs/benchmarks.md, "Peak memory")."""


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    cache = GDAL_CACHE_MB.get(args.command, GDAL_CACHE_MB[None])
    os.environ.setdefault("GDAL_CACHEMAX", str(cache))  # before rasterio is imported (lazily, in run)
    events = EventWriter(sys.stdout, as_json=args.events)
    try:
        run(args, events)
    except Exception as exc:
        error = exc if isinstance(exc, UserError) else _user_fixable(exc)
        if error is not None:
            events.emit("error", message=str(error))
            return 2
        # a bug: say so plainly, with the traceback for the report
        events.emit("error", message=f"Unexpected error: {exc}", details=traceback.format_exc())
        return 1
    return 0


def _user_fixable(exc: Exception) -> UserError | None:
    """What the user can fix behind an error raised deep in a run: a disk refusing a write (no permission,
    read-only, full), a raster file that cannot be read (truncated); None for a bug."""
    from .data.rasters import damaged_raster

    return disk_error(exc) or damaged_raster(exc)
