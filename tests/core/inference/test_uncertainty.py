"""Uncertainty rasters: known answers of the measures, and the worker writing them on the real sample."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import rasterio
from rasterio.windows import Window
from scipy.stats import entropy as scipy_entropy
from worker_helpers import crop_raster, quiet, worker_args

from segmentation_trainer.core.common.colors import VIRIDIS, uncertainty_ramp
from segmentation_trainer.core.common.config import PredictConfig
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.inference.prediction import predict
from segmentation_trainer.core.inference.uncertainty import confidence, normalized_entropy, top_two_margin
from segmentation_trainer.core.runtime.cancel import StopRequest


def pixels(*columns: list[float]) -> np.ndarray:
    """Probabilities ``(K, 1, pixels)``, one pixel per column given."""
    return np.array(columns, dtype=np.float32).T[:, None, :]


def test_known_answers():
    """Uniform: entropy 1, margin 0; one-hot: entropy 0, margin 1 (whatever K); hand values in between."""
    for k in (2, 3, 7):
        uniform, one_hot = [1 / k] * k, [1.0] + [0.0] * (k - 1)
        probs = pixels(uniform, one_hot)
        assert normalized_entropy(probs)[0] == pytest.approx([1.0, 0.0], abs=1e-6)
        assert top_two_margin(probs)[0] == pytest.approx([0.0, 1.0], abs=1e-6)
        assert confidence(probs)[0] == pytest.approx([1 / k, 1.0])
    probs = pixels([0.5, 0.5, 0.0], [0.1, 0.2, 0.7])
    expected = [np.log(2) / np.log(3), -(0.1 * np.log(0.1) + 0.2 * np.log(0.2) + 0.7 * np.log(0.7)) / np.log(3)]
    assert normalized_entropy(probs)[0] == pytest.approx(expected, rel=1e-6)  # 0.6309, 0.7298
    assert top_two_margin(probs)[0] == pytest.approx([0.0, 0.5], abs=1e-6)


def test_entropy_and_margin_against_scipy_and_sorting():
    """Random probability maps: ``scipy.stats.entropy`` with base K, and the sorted top two."""
    rng = np.random.default_rng(1)
    for k in (2, 5):
        probs = rng.dirichlet(np.full(k, 0.3), size=(8, 9)).transpose(2, 0, 1).astype(np.float32)
        probs[:, 0, 0] = np.eye(k)[0]  # a pixel with zeros: 0 log 0 = 0
        assert np.allclose(normalized_entropy(probs), scipy_entropy(probs, base=k, axis=0), atol=1e-5)
        ordered = np.sort(probs, axis=0)
        assert np.allclose(top_two_margin(probs), ordered[-1] - ordered[-2])
        assert normalized_entropy(probs).min() >= 0 and normalized_entropy(probs).max() <= 1


def test_the_ramp_is_bright_where_unsure():
    assert uncertainty_ramp("entropy")[-1] == (1.0, VIRIDIS[-1]) and uncertainty_ramp("entropy")[0] == (0.0, VIRIDIS[0])
    assert uncertainty_ramp("margin")[0] == (0.0, VIRIDIS[-1]) and uncertainty_ramp("margin")[-1] == (1.0, VIRIDIS[0])


def test_an_uncertainty_raster_may_not_overwrite_an_input(landcover, tmp_path):
    image = crop_raster(landcover["image"], tmp_path / "out_margin.tif", Window(0, 0, 64, 64))
    with pytest.raises(UserError, match="margin would be written"):
        PredictConfig(model_dir=str(tmp_path), raster=str(image), output=str(tmp_path / "out.tif"), uncertainty="both")


def test_the_worker_writes_them_beside_the_confidence_raster(worker, small_model, landcover, tmp_path):
    """``predict --uncertainty both --tta flips`` in the worker: float32 rasters with nodata -1 where the class
    raster is nodata, tiled, compressed, with overviews, described, styled by a .qml, listed in the result; their
    values the measures of the probability raster; a partial file left by a killed run is removed first."""
    output = tmp_path / "pred.tif"
    leftover = tmp_path / "pred_entropy.tif.partial.tif"
    leftover.write_bytes(b"killed midway")
    args = worker_args(
        "predict", model=small_model, raster=landcover["image"], output=output, uncertainty="both", tta="flips"
    )
    code, events = worker(*args, "--confidence", "--probabilities")
    assert code == 0, events
    (result,) = next(e for e in events if e["event"] == "result")["predictions"]
    assert result["entropy"] == str(tmp_path / "pred_entropy.tif") and result["margin"] == str(
        tmp_path / "pred_margin.tif"
    )
    assert not leftover.exists() and any("left unfinished" in e.get("message", "") for e in events)
    assert any("Test-time augmentation (flips): each tile predicted 4 times" in e.get("message", "") for e in events)
    with rasterio.open(output) as c, rasterio.open(result["probabilities"]) as p:
        valid, probs = c.read(1) != 255, p.read()
    k = probs.shape[0]
    ordered = np.sort(probs[:, valid], axis=0)
    expected = {"entropy": scipy_entropy(probs[:, valid], base=k, axis=0), "margin": ordered[-1] - ordered[-2]}
    for name, description in (("entropy", "normalized entropy"), ("margin", "top-two margin")):
        with rasterio.open(result[name]) as src:
            values = src.read(1)
            assert src.dtypes[0] == "float32" and src.nodata == -1 and src.descriptions == (description,)
            assert src.profile["tiled"] and src.compression.value == "DEFLATE" and src.overviews(1) == [2]
            assert src.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert (values[~valid] == -1).all()
        assert np.allclose(values[valid], expected[name], atol=1e-5)
        assert 0 < values[valid].mean() < 1
        style = ET.parse(tmp_path / f"pred_{name}.qml").getroot()
        assert style.find(".//rasterrenderer").get("type") == "singlebandpseudocolor"
        items = [(float(i.get("value")), i.get("color")) for i in style.iter("item")]
        assert items == uncertainty_ramp(name)
    with rasterio.open(result["confidence"]) as f:
        assert np.allclose(f.read(1)[valid], ordered[-1])


def test_a_stop_request_removes_the_partial_uncertainty_rasters(small_model, landcover, tmp_path):
    stop_file = tmp_path / "stop"
    stop_file.touch()
    output = tmp_path / "out" / "x.tif"
    config = PredictConfig(
        model_dir=str(small_model), raster=str(landcover["image"]), output=str(output), uncertainty="both"
    )
    assert predict(config, quiet(), StopRequest(str(stop_file))) == {"cancelled": True, "predictions": []}
    assert list((tmp_path / "out").iterdir()) == []
