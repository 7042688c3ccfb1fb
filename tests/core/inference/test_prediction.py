"""Prediction on the real sample: seams, masks, outputs, nodata, cancel, resolution, class counts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
import rasterio
import torch
from rasterio.enums import Resampling
from rasterio.windows import Window
from worker_helpers import crop_raster, quiet, train_config

from segmentation_trainer.core.common.config import PredictConfig
from segmentation_trainer.core.inference import prediction
from segmentation_trainer.core.inference.blending import blend_weights
from segmentation_trainer.core.inference.prediction import TileAxis, overview_factors, predict, prediction_tile
from segmentation_trainer.core.models.model_store import save_model
from segmentation_trainer.core.models.networks import build_model
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.training.loop import train


@pytest.fixture(scope="module")
def landcover_model(landcover, tmp_path_factory):
    folder = tmp_path_factory.mktemp("lc_model")
    train(
        train_config(
            landcover["image"],
            landcover["strata"],
            folder,
            epochs=4,
            tile_size=64,
            encoder="resnet18",
            learning_rate=1e-3,
        ),
        quiet(),
        StopRequest(),
    )
    return folder


def run(model_dir, raster, output, **options) -> dict:
    writer = quiet()
    result = predict(
        PredictConfig(model_dir=str(model_dir), raster=str(raster), output=str(output), **options),
        writer,
        StopRequest(),
    )["predictions"][0]
    result["events"] = [json.loads(line) for line in writer.stream.getvalue().splitlines()]
    return result


def test_blend_weights():
    gaussian = blend_weights(64, 64, 32, "gaussian")
    assert gaussian.shape == (64, 64) and gaussian.max() == pytest.approx(1.0) and gaussian.min() >= 1e-3
    assert gaussian[32, 32] > gaussian[32, 8] > gaussian[32, 0]
    linear = blend_weights(64, 96, 16, "linear")
    assert linear.shape == (64, 96) and linear[20, 20] == 1.0 and linear[0, 32] == pytest.approx(1 / 16)
    assert (blend_weights(64, 64, 16, "none") == 1).all()


@pytest.mark.parametrize(
    ("size", "factors"),
    [((1, 1), []), ((16, 16), []), ((256, 100), []), ((257, 10), [2]), ((489, 443), [2]), ((600, 600), [2, 4])],
)
def test_overviews_stop_at_256_pixels_and_small_outputs_have_none(size, factors):
    assert overview_factors(*size) == factors
    assert overview_factors(100_000, 100_000) == [2, 4, 8, 16, 32]


def test_tile_grid_fits_the_region():
    """As few tiles as cover the region, fitted to it, offsets on the 32 px phase of its start; chunks end where
    a tile starts."""
    assert prediction_tile(64) == 1024 and prediction_tile(2048) == 2048
    axis = TileAxis.over(100, 1956, 1024, 64)
    assert len(axis.starts) == 2 and axis.length == 1024 and axis.starts == [100, 1060]
    assert axis.starts[-1] + axis.length >= 100 + 1956
    rows = TileAxis.over(0, 2215, 1024, 64)
    assert len(rows.starts) == 3 and rows.length == 800 and all(s % 32 == 0 for s in rows.starts)
    assert TileAxis.over(0, 100, 1024, 64).starts == [0] and TileAxis.over(0, 100, 1024, 64).length == 128
    many = TileAxis.over(0, 10_000, 1024, 64)
    assert [c[0] for c in many.chunks] == [0, *(many.starts[g.start] for _, _, g in many.chunks[1:])]
    assert all(end - start <= 2048 for start, end, _ in many.chunks) and many.chunks[-1][1] == 10_000
    assert sum(len(g) for _, _, g in many.chunks) == len(many.starts)


def _border_band(shape, starts_r, starts_c, margin=64):
    """The pixels where neighbouring tiles meet: each tile's margin shared with the one before it, and 3 px on
    either side."""
    band = np.zeros(shape, dtype=bool)
    for r in starts_r:
        band[max(0, r - 3) : r + margin + 3, :] = True
    for c in starts_c:
        band[:, max(0, c - 3) : c + margin + 3] = True
    return band


def mosaic(image, path, copies=3):
    """The image repeated ``copies`` x ``copies`` (1467 x 1329 px): larger than the default prediction tile."""
    with rasterio.open(image) as src:
        bands, profile = src.read(), src.profile
    tiled = np.tile(bands, (1, copies, copies))
    profile.update(width=tiled.shape[2], height=tiled.shape[1], tiled=True, blockxsize=256, blockysize=256)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(tiled)
    return path


def _disagreement(one, many, margin, tile=1024):
    """Share of valid pixels where ``many`` differs from ``one``: everywhere, where tiles meet, elsewhere."""
    valid = one != 255
    assert (many[valid] != 255).all()
    disagree = (one != many) & valid
    rows, cols = TileAxis.over(0, one.shape[0], tile, margin), TileAxis.over(0, one.shape[1], tile, margin)
    border = _border_band(one.shape, rows.starts[1:], cols.starts[1:], margin) & valid
    assert border.sum() > 5000
    return disagree[valid].mean(), disagree[border].mean(), disagree[valid & ~border].mean()


def test_tiled_prediction_agrees_with_one_pass(landcover_model, landcover, tmp_path):
    """Against one pass over the whole raster (one tile): default tiles and margin agree on at least 99.5 % of the
    pixels; with a wide margin, pixels where tiles meet disagree little more often than pixels inside tiles.

    This 4-epoch model hesitates over much of the image and needs far context: with the default 64 px margin its
    meeting bands disagree on 3.5 % of their pixels, with 256 px on 0.5 % (0.0 % elsewhere); the land-cover
    ResNet-34 of docs/inference.md, on 0.12 % with 64 px (0.04 % elsewhere)."""
    raster = mosaic(landcover["image"], tmp_path / "mosaic.tif")
    single = run(landcover_model, raster, tmp_path / "single.tif", tile_size=1472, margin=0)
    assert single["tiles"] == 1
    with rasterio.open(single["prediction"]) as src:
        one = src.read(1)
    for margin, options in ((64, {}), (256, {"margin": 256})):
        tiled = run(landcover_model, raster, tmp_path / f"tiled{margin}.tif", **options)
        assert tiled["tiles"] == 4
        with rasterio.open(tiled["prediction"]) as src:
            overall, border, inside = _disagreement(one, src.read(1), margin)
        assert overall <= 0.005
    assert border <= inside + 0.01


@pytest.mark.parametrize(("margin", "tiles"), [(64, 12), (0, 9)])
def test_chunks_are_exact_pieces_of_the_whole(landcover_model, landcover, tmp_path, monkeypatch, margin, tiles):
    """Every tile runs once, what it adds past its chunk carried to the next chunks: one-tile chunks give the
    probabilities of a single chunk (with no margin, nothing is carried)."""
    options = {"tile_size": 192, "margin": margin, "probabilities": True}
    whole = run(landcover_model, landcover["image"], tmp_path / "whole.tif", **options)
    monkeypatch.setattr(prediction, "CHUNK", 128)
    pieces = run(landcover_model, landcover["image"], tmp_path / "pieces.tif", **options)
    assert whole["tiles"] == pieces["tiles"] == tiles
    assert sum(e["event"] == "progress" for e in pieces["events"]) == tiles
    with rasterio.open(whole["probabilities"]) as a, rasterio.open(pieces["probabilities"]) as b:
        assert np.allclose(a.read(), b.read(), atol=1e-5)


def test_mask_polygons_limit_the_prediction(landcover_model, landcover, tmp_path):
    import fiona
    from rasterio.features import rasterize

    result = run(landcover_model, landcover["image"], tmp_path / "masked.tif", mask=str(landcover["polygons"]))
    with rasterio.open(result["prediction"]) as pred, fiona.open(landcover["polygons"]) as polygons:
        values = pred.read(1)
        inside = rasterize(
            ((dict(f.geometry), 1) for f in polygons), out_shape=values.shape, transform=pred.transform, fill=0
        ).astype(bool)
        with rasterio.open(landcover["image"]) as src:
            window = rasterio.windows.from_bounds(*pred.bounds, transform=src.transform)
            image_valid = src.read(1, window=window.round_offsets().round_lengths()) != src.nodata
    assert values.shape[0] < 443 and values.shape[1] < 489  # cut to the polygons' extent
    assert inside.sum() > 2000 and (values[~inside] == 255).all()  # outside the polygons: nodata
    assert (values[inside & image_valid] != 255).all()  # inside: a class, except on image nodata
    assert (values[inside & ~image_valid] == 255).all()


def test_confidence_probabilities_style_and_areas(landcover_model, landcover, tmp_path):
    result = run(landcover_model, landcover["image"], tmp_path / "p.tif", confidence=True, probabilities=True)
    with (
        rasterio.open(result["prediction"]) as c,
        rasterio.open(result["confidence"]) as f,
        rasterio.open(result["probabilities"]) as p,
    ):
        classes, confidence, probs = c.read(1), f.read(1), p.read()
        assert c.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG" and c.overviews(1)
        assert c.colormap(1)[1][:3] != (0, 0, 0)
        assert [p.descriptions[i] for i in range(p.count)] == [x["name"] for x in result["classes"]]
    valid = classes != 255
    assert np.allclose(probs[:, valid].sum(axis=0), 1.0, atol=1e-4)
    assert np.allclose(confidence[valid], probs[:, valid].max(axis=0))
    values = np.array([x["value"] for x in result["classes"]])
    assert (values[probs[:, valid].argmax(axis=0)] == classes[valid]).all()
    assert (confidence[~valid] == -1).all()
    style = ET.parse(tmp_path / "p.qml").getroot()
    assert [e.get("label") for e in style.iter("paletteEntry")] == [x["name"] for x in result["classes"]]
    pixel_ha = 28.5 * 28.5 / 10_000
    assert sum(result["areas_ha"].values()) == pytest.approx(valid.sum() * pixel_ha)


def test_class_zero_is_never_nodata(buildings, tmp_path):
    """Binary buildings: background is class 0; nodata (255) only where the image is nodata (0)."""
    model_dir = tmp_path / "m"
    train(
        train_config(
            buildings["image"],
            buildings["footprints"],
            model_dir,
            mode="binary",
            epochs=1,
            tile_size=128,
            encoder="resnet18",
        ),
        quiet(),
        StopRequest(),
    )
    crop = crop_raster(buildings["image"], tmp_path / "crop.tif", Window(0, 0, 300, 300))
    with rasterio.open(crop, "r+") as dst:  # a nodata patch in the corner
        data = dst.read()
        data[:, :20, :20] = 0
        dst.write(data)
    result = run(model_dir, crop, tmp_path / "b.tif")
    with rasterio.open(result["prediction"]) as pred:
        values = pred.read(1)
    assert (values[:20, :20] == 255).all()
    rest = values.copy()
    rest[:20, :20] = 0
    assert set(np.unique(rest)) <= {0, 1} and (rest == 0).any()


def test_more_than_254_classes_write_uint16(landcover, tmp_path):
    model = build_model("unet", "resnet18", 5, 300)
    classes = [{"value": v, "name": f"c{v}", "color": "#102030"} for v in range(300)]
    save_model(
        tmp_path / "m",
        model,
        {
            "architecture": "unet",
            "encoder": "resnet18",
            "in_channels": 5,
            "mode": "multiclass",
            "classes": classes,
            "tile_size": 64,
            "normalization": {"method": "mean_std", "mean": [0] * 5, "std": [1] * 5},
        },
    )
    crop = crop_raster(landcover["image"], tmp_path / "crop.tif", Window(0, 0, 96, 96))
    result = run(tmp_path / "m", crop, tmp_path / "u.tif")
    with rasterio.open(result["prediction"]) as pred:
        assert pred.dtypes[0] == "uint16" and pred.nodata == 65535


def test_a_stop_request_removes_every_partial_output(landcover_model, landcover, tmp_path):
    stop_file = tmp_path / "stop"
    stop_file.touch()
    writer = quiet()
    config = PredictConfig(
        model_dir=str(landcover_model),
        raster=str(landcover["image"]),
        output=str(tmp_path / "out" / "x.tif"),
        confidence=True,
    )
    assert predict(config, writer, StopRequest(str(stop_file))) == {"cancelled": True, "predictions": []}
    assert list((tmp_path / "out").iterdir()) == []


def test_resolution_far_from_training_warns_and_can_be_resampled(landcover_model, landcover, tmp_path):
    coarse = tmp_path / "coarse.tif"
    with rasterio.open(landcover["image"]) as src:
        profile = src.profile | {
            "width": src.width // 3,
            "height": src.height // 3,
            "transform": src.transform * src.transform.scale(3, 3),
        }
        data = src.read(out_shape=(src.count, src.height // 3, src.width // 3), resampling=Resampling.average)
    with rasterio.open(coarse, "w", **profile) as dst:
        dst.write(data)
    warned = run(landcover_model, coarse, tmp_path / "w.tif")
    assert any(e.get("level") == "warning" and "trained at 28.5" in e["message"] for e in warned["events"])
    resampled = run(landcover_model, coarse, tmp_path / "r.tif", resample_to_training=True)
    with rasterio.open(resampled["prediction"]) as pred:
        assert pred.res == pytest.approx((28.5, 28.5))
    assert not any(e.get("level") == "warning" for e in resampled["events"])


def test_probabilities_are_blended_in_probability_space(landcover_model, landcover, tmp_path):
    """Overlap without weights is the plain mean of the tiles' probabilities: still sums to one."""
    result = run(
        landcover_model, landcover["image"], tmp_path / "n.tif", tile_size=192, blending="none", probabilities=True
    )
    with rasterio.open(result["probabilities"]) as p:
        probs = p.read()
    valid = probs[0] >= 0
    assert np.allclose(probs[:, valid].sum(axis=0), 1.0, atol=1e-4)
    assert torch.tensor(probs[:, valid]).max() <= 1.0 + 1e-6


def test_vectorized_polygons_match_the_class_raster(landcover_model, landcover, tmp_path):
    import fiona

    exact = run(landcover_model, landcover["image"], tmp_path / "v.tif", vectorize=True)
    with fiona.open(exact["polygons"]) as polygons:
        features = list(polygons)
        assert polygons.crs.to_epsg() == 32119
    by_class = {}
    for feature in features:
        props = feature.properties
        by_class[props["name"]] = by_class.get(props["name"], 0.0) + props["area_ha"]
    assert by_class == pytest.approx({k: v for k, v in exact["areas_ha"].items() if v > 0}, rel=1e-6)
    simplified = run(landcover_model, landcover["image"], tmp_path / "s.tif", vectorize=True, simplify=60.0)
    with fiona.open(simplified["polygons"]) as polygons:
        vertices = sum(len(f.geometry["coordinates"][0]) for f in polygons)
    assert vertices < sum(len(f.geometry["coordinates"][0]) for f in features)
