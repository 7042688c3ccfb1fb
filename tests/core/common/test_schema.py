"""The settings' declarations and what is derived from them on the worker side: checks with the
setting's label, one command-line flag per setting, --config files overridden by flags."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from segmentation_trainer.core import cli
from segmentation_trainer.core.common.config import (
    AssessConfig,
    CompareConfig,
    ExportConfig,
    PredictConfig,
    SampleConfig,
    TrainConfig,
    config_to_dict,
    save_config,
)
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.schema import settings_of

PATHS = {"raster": "image.tif", "labels": "labels.gpkg", "output_dir": "model"}


def _flags(command: str) -> set[str]:
    subparsers = next(a for a in cli.build_parser()._actions if a.dest == "command")
    return {flag for action in subparsers.choices[command]._actions for flag in action.option_strings}


@pytest.mark.parametrize(
    ("command", "settings"),
    [
        ("train", list(settings_of(TrainConfig).values())),
        ("predict", list(settings_of(PredictConfig).values())),
        ("sample", list(settings_of(SampleConfig).values())),
        ("assess", list(settings_of(AssessConfig).values())),
        (
            "compare",
            [*settings_of(CompareConfig).values(), *(s for s in settings_of(TrainConfig).values() if s.in_comparison)],
        ),
    ],
)
def test_every_setting_has_its_flag(command, settings):
    assert {s.cli_flag for s in settings} <= _flags(command)


def test_compare_leaves_out_the_per_run_settings():
    assert {"--loss", "--loss-params", "--resume", "--early-stopping-patience"}.isdisjoint(_flags("compare"))


def test_every_setting_has_a_label_help_and_a_default_within_its_bounds():
    for cls in (TrainConfig, PredictConfig, CompareConfig, SampleConfig, AssessConfig):
        for s in settings_of(cls).values():
            assert s.label and s.help.endswith("."), s.name
            if s.choices and s.default is not None:
                assert s.default in s.choices
            if isinstance(s.default, (int, float)) and not isinstance(s.default, bool):
                assert (s.minimum is None or s.default >= s.minimum) and (s.maximum is None or s.default <= s.maximum)


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"epochs": 0}, "Epochs must be at least 1 and at most 10000, got 0"),
        ({"epochs": 2.5}, "Epochs must be a whole number, got 2.5"),
        ({"learning_rate": math.nan}, "Learning rate must be at least 1e-07 and at most 1, got nan"),
        ({"val_fraction": 1.0}, "Validation fraction must be at least 0.01 and at most 0.9, got 1.0"),
        (
            {"architecture": "unet3"},
            "Architecture 'unet3' is not known: use one of unet, deeplabv3plus, attention_unet",
        ),
        ({"seed": "1"}, "Random seed must be a number, got '1'"),
    ],
)
def test_values_are_checked_against_their_declaration(values, message):
    with pytest.raises(UserError, match=message.replace("(", r"\(").replace(")", r"\)")):
        TrainConfig(**PATHS, **values)


def test_an_optional_setting_accepts_none():
    config = CompareConfig(TrainConfig(**PATHS), second_architecture=None)
    assert config.second_architecture is None
    with pytest.raises(UserError, match="Runs per configuration must be at least 1 and at most 20, got 21"):
        CompareConfig(TrainConfig(**PATHS), runs=21)


def test_flags_override_the_config_file(tmp_path):
    path = save_config(TrainConfig(**PATHS, epochs=3, tile_size=64), tmp_path / "run.json")
    args = cli.build_parser().parse_args(["train", "--config", str(path), "--epochs", "5", "--no-deterministic"])
    config = cli._train_config(args)
    assert (config.epochs, config.tile_size, config.deterministic) == (5, 64, False)


def test_predict_runs_from_a_config_file(tmp_path):
    saved = PredictConfig(model_dir="m", raster="r.tif", output="o.tif", extent=(0, 0, 10, 10), margin=128)
    args = cli.build_parser().parse_args(["predict", "--config", str(save_config(saved, tmp_path / "p.json"))])
    assert config_to_dict(cli._config(args, PredictConfig)) == config_to_dict(saved)


def test_an_export_runs_from_a_config_file_and_writes_into_the_model_folder_by_default(tmp_path):
    saved = ExportConfig(model_dir="m", tile_size=256)
    args = cli.build_parser().parse_args(["export-onnx", "--config", str(save_config(saved, tmp_path / "e.json"))])
    config = cli._config(args, ExportConfig)
    assert config_to_dict(config) == config_to_dict(saved) and config.onnx_file() == Path("m") / "model.onnx"
    with pytest.raises(UserError, match=r"ending in \.onnx"):
        ExportConfig(model_dir="m", output="m/model.tif")
    with pytest.raises(UserError, match="margin 256 must be smaller than the tile size 256"):
        ExportConfig(model_dir="m", tile_size=256, margin=256)
    with pytest.raises(UserError, match="which is the model"):  # an ONNX file predicted with is an input too
        PredictConfig(model_dir=str(tmp_path / "m.onnx"), raster="r.tif", output=str(tmp_path / "m.onnx"))


def test_a_missing_required_setting_names_its_flag():
    args = cli.build_parser().parse_args(["predict", "--raster", "r.tif", "--output", "o.tif"])
    with pytest.raises(UserError, match="--model is required"):
        cli._config(args, PredictConfig)


def test_no_output_may_be_an_input_under_any_spelling(tmp_path):
    raster = tmp_path / "image.tif"
    raster.write_bytes(b"pixels")
    (tmp_path / "link.tif").symlink_to(raster)
    for output in (raster, tmp_path / "sub" / ".." / "image.tif", tmp_path / "link.tif"):
        with pytest.raises(UserError, match=r"class raster would be written to .* which is the raster"):
            PredictConfig(model_dir=str(tmp_path / "m"), raster=str(raster), output=str(output))
    companion = tmp_path / "out_confidence.tif"  # the confidence raster of out.tif would overwrite the input
    with pytest.raises(UserError, match="confidence would be written"):
        PredictConfig(model_dir="m", raster=str(companion), output=str(tmp_path / "out.tif"))
    with pytest.raises(UserError, match="model weights"):
        PredictConfig(model_dir=str(tmp_path), raster="r.tif", output=str(tmp_path / "model.safetensors"))
    assert raster.read_bytes() == b"pixels"
    PredictConfig(model_dir="m", raster=str(raster), output=str(tmp_path / "prediction.tif"))  # another file is fine
