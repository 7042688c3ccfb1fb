"""Checks of the run settings that need no data: the class table, the extent, JSON settings, the losses named."""

from __future__ import annotations

import math

import pytest

from segmentation_trainer.core.common.config import (
    ClassInfo,
    PredictConfig,
    TrainConfig,
    check_class_table,
    config_from_dict,
    configurations_from_text,
)
from segmentation_trainer.core.common.errors import UserError


def test_class_colours_may_be_rrggbb_or_empty():
    check_class_table([ClassInfo(1, "water", "#1F78b4"), ClassInfo(2, "forest", "")])


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ([ClassInfo(1, "a"), ClassInfo(1, "b")], "value 1 is given to two classes, 'a' and 'b'"),
        ([ClassInfo(1, "water", "notacolor")], "class 'water' has colour 'notacolor': write colours as #rrggbb"),
        ([ClassInfo(1, "water", "#12345")], "class 'water' has colour '#12345'"),
        ([ClassInfo("1", "water")], "class 'water' has value '1': give a whole number from 0 to 65534"),
        ([ClassInfo(70000, "water")], "class 'water' has value 70000"),
    ],
)
def test_a_wrong_class_table_is_refused_naming_the_class(classes, message):
    with pytest.raises(UserError, match="Class table: " + message.replace("(", r"\(")):
        check_class_table(classes)
    with pytest.raises(UserError, match="Class table"):
        TrainConfig(raster="r", labels="l", output_dir="o", classes=[c.__dict__ for c in classes])


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_an_extent_must_be_finite(value):
    with pytest.raises(UserError, match="finite number"):
        PredictConfig(model_dir="m", raster="r.tif", output="p.tif", extent=(value, 0, 1, 1))


def test_loss_parameters_must_be_a_json_object():
    with pytest.raises(UserError, match=r'Loss parameters must be a JSON object such as \{"gamma": 2.0\}, got \[1\]'):
        TrainConfig(raster="r", labels="l", output_dir="o", loss_params=[1])


def test_losses_of_commas_only_are_refused_and_none_means_the_presets():
    with pytest.raises(UserError, match="Losses ' , ' names no loss"):
        configurations_from_text(" , ", "multiclass")
    assert configurations_from_text("", "multiclass") == []  # the comparison then runs the seven presets


@pytest.mark.parametrize(
    ("saved", "margin"),
    [
        ({"overlap": 0.25}, 128),
        ({"overlap": 0.0}, 0),
        ({"overlap": 0.9, "tile_size": 256}, 224),
        ({"overlap": 0.25, "margin": 32}, 32),
    ],
)
def test_a_configuration_saved_with_the_retired_overlap_gets_the_margin_the_old_tiles_shared(saved, margin, tmp_path):
    """Before tiles shared a fixed margin they overlapped by a share of the tile (0.25 of 512 px: 128 px)."""
    config = config_from_dict(PredictConfig, {"model_dir": str(tmp_path), "raster": "a.tif"} | saved)
    assert config.margin == margin


def test_a_retired_overlap_that_is_no_number_is_named():
    with pytest.raises(UserError, match="overlap 'a quarter' must be a share of the tile"):
        config_from_dict(PredictConfig, {"model_dir": "m", "raster": "a.tif", "overlap": "a quarter"})
