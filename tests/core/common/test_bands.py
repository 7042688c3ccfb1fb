"""The one rule by which the worker's prediction and the dock's Predict tab take a model's bands from a raster."""

from __future__ import annotations

import pytest

from segmentation_trainer.core.common.bands import bands_to_read
from segmentation_trainer.core.common.errors import UserError

CHOSEN = {"bands": [3, 2, 1], "in_channels": 3, "raster_bands": 5}


def test_a_model_of_all_bands_reads_a_raster_of_as_many_as_it_is():
    assert bands_to_read({"bands": None, "in_channels": 5}, 5, "a.tif") is None
    with pytest.raises(UserError, match=r"a\.tif has 4 band\(s\) but the model was trained on 5"):
        bands_to_read({"in_channels": 5}, 4, "a.tif")  # a model.json from before band choice


@pytest.mark.parametrize("count", [5, 4, 8])
def test_chosen_bands_are_taken_from_any_raster_that_has_them(count):
    assert bands_to_read(CHOSEN, count, "a.tif") == [3, 2, 1]


def test_a_raster_of_just_the_chosen_bands_is_read_as_it_is():
    assert bands_to_read(CHOSEN, 3, "extracted.tif") is None


def test_a_reordering_of_the_training_raster_itself_is_applied():
    """Bands 3,2,1 of a 3-band raster: the same raster at prediction is reordered too, not read as it is."""
    assert bands_to_read({"bands": [3, 2, 1], "in_channels": 3, "raster_bands": 3}, 3, "rgb.tif") == [3, 2, 1]


def test_a_raster_lacking_a_chosen_band_is_refused_naming_it():
    message = r"two\.tif has 2 band\(s\) but the model reads bands 3, 2, 1: band 3 is missing"
    with pytest.raises(UserError, match=message):
        bands_to_read(CHOSEN, 2, "two.tif")
