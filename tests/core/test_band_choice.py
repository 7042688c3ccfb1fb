"""Band choice end to end on the land-cover sample: the chosen bands (in their order) feed the statistics,
the training tiles and the prediction, are recorded in model.json, and are taken from a raster with more
bands at prediction; bad band numbers are refused naming them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from worker_helpers import quiet, train_args, train_config, worker_args

from segmentation_trainer.core import cli
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.files import METADATA_FILE
from segmentation_trainer.core.training.loop import prepare_data

BANDS = [3, 2, 1]
TRAIN_FAST = {"epochs": 1, "tile_size": 64, "batch_size": 4, "encoder": "resnet18", "learning_rate": 0.001}


def write_bands(source: Path, target: Path, bands: list[int]) -> Path:
    """``bands`` of ``source`` (1-based, in that order) as a raster of their own, same grid and nodata."""
    with rasterio.open(source) as src:
        profile = src.profile | {"count": len(bands)}
        with rasterio.open(target, "w", **profile) as dst:
            dst.write(src.read(bands))
    return target


@pytest.fixture(scope="module")
def band_model(worker, landcover, landcover_crop, tmp_path_factory) -> Path:
    """A model trained by the command line on bands 3,2,1 of the 5-band crop."""
    model_dir = tmp_path_factory.mktemp("band_model")
    args = train_args(landcover_crop, landcover["strata"], model_dir, bands="3,2,1", **TRAIN_FAST)
    code, events = worker(*args)
    assert code == 0, events
    return model_dir


def test_the_model_records_its_bands(band_model):
    meta = json.loads((band_model / METADATA_FILE).read_text())
    assert meta["bands"] == BANDS and meta["in_channels"] == 3 and meta["raster_bands"] == 5
    assert len(meta["normalization"]["mean"]) == 3
    assert meta["train_config"]["bands"] == BANDS


def test_training_reads_the_chosen_bands_in_their_order(landcover, landcover_crop, tmp_path):
    chosen = prepare_data(train_config(landcover_crop, landcover["strata"], tmp_path, bands=BANDS), quiet())
    extracted = write_bands(landcover_crop, tmp_path / "crop_321.tif", BANDS)
    plain = prepare_data(train_config(extracted, landcover["strata"], tmp_path), quiet())
    assert chosen.bands == BANDS and plain.bands == [1, 2, 3]
    assert chosen.stats == plain.stats  # statistics over the chosen bands only, in the chosen order
    assert chosen.split.train == plain.split.train
    window = chosen.split.train[0]
    for got, expected in zip(chosen.source.read_raw(window), plain.source.read_raw(window)):
        np.testing.assert_array_equal(got, expected)


def test_a_raster_with_more_bands_predicts_as_the_extracted_bands(worker, band_model, landcover, tmp_path):
    extracted = write_bands(landcover["image"], tmp_path / "landsat_321.tif", BANDS)
    outputs = {}
    for name, raster in (("full", landcover["image"]), ("extracted", extracted)):
        outputs[name] = tmp_path / f"{name}.tif"
        code, events = worker(*worker_args("predict", model=band_model, raster=raster, output=outputs[name]))
        assert code == 0, events
        logged = " ".join(e["message"] for e in events if e["event"] == "log")
        assert ("reads bands 3, 2, 1 of landsat_multiband.tif" if name == "full" else "read as bands 3, 2, 1") in logged
    with rasterio.open(outputs["full"]) as full, rasterio.open(outputs["extracted"]) as expected:
        assert full.shape == expected.shape and full.transform == expected.transform
        np.testing.assert_array_equal(full.read(1), expected.read(1))


def test_a_raster_without_a_chosen_band_is_refused_naming_it(worker, band_model, landcover_crop, tmp_path):
    two_bands = write_bands(landcover_crop, tmp_path / "two_bands.tif", [1, 2])
    output = tmp_path / "p.tif"
    code, events = worker(*worker_args("predict", model=band_model, raster=two_bands, output=output))
    assert code == 2, events
    message = events[-1]["message"]
    assert "two_bands.tif has 2 band(s)" in message and "bands 3, 2, 1" in message and "band 3 is missing" in message
    assert not output.exists()


def test_a_band_beyond_the_raster_is_refused_at_training(worker, landcover, landcover_crop, tmp_path):
    code, events = worker(*train_args(landcover_crop, landcover["strata"], tmp_path / "m", bands="6,1", epochs=1))
    assert code == 2, events
    assert "has 5 band(s), so band 6 does not exist" in events[-1]["message"]
    assert not (tmp_path / "m" / METADATA_FILE).exists()


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ("3,3,1", "band 3 is chosen more than once"),
        ("0,1", "band 0 does not exist"),
        ("4,x", "'x' is not a band number"),
    ],
)
def test_bad_band_numbers_are_refused_naming_them(landcover, bands, message, tmp_path):
    args = cli.build_parser().parse_args(
        train_args(landcover["image"], landcover["strata"], tmp_path, bands=bands)  # as typed on the command line
    )
    with pytest.raises(UserError, match=message):
        cli._train_config(args)


def test_bands_from_a_run_file_may_be_written_as_text(landcover, tmp_path):
    config = train_config(landcover["image"], landcover["strata"], tmp_path, bands="4, 3,2")
    assert config.bands == [4, 3, 2]
    assert train_config(landcover["image"], landcover["strata"], tmp_path, bands=[]).bands is None
