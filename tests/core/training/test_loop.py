"""The training engine on the real sample data (CPU, a few small epochs)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from rasterio.windows import Window
from safetensors.torch import save_file
from worker_helpers import crop_raster, quiet, train_config

from segmentation_trainer.core.common.config import IGNORE_INDEX, TrainConfig
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.data.augmentation import augment
from segmentation_trainer.core.data.dataset import TileSource
from segmentation_trainer.core.data.labels import open_labels
from segmentation_trainer.core.data.rasters import raster_info
from segmentation_trainer.core.models.networks import build_model, output_channels, parameter_count
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.training.loop import class_weights, evaluate, prepare_data, seed_everything, train
from segmentation_trainer.core.training.metrics import run_summary

FAST = {"encoder": "resnet18", "learning_rate": 1e-3, "batch_size": 4}


def events_of(writer: EventWriter) -> list[dict]:
    return [json.loads(line) for line in writer.stream.getvalue().splitlines()]


def untrained_miou(config: TrainConfig) -> float:
    """Validation mIoU of the freshly initialised network the run starts from."""
    seed_everything(config.seed, False)
    data = prepare_data(config, quiet())
    model = build_model(
        config.architecture, config.encoder, data.image.count, output_channels(config.mode, len(data.classes))
    )
    loss = torch.nn.Identity()
    loss.forward = lambda logits, target: torch.tensor(0.0)
    from segmentation_trainer.core.data.dataset import TileDataset

    loader = torch.utils.data.DataLoader(TileDataset(data.source, data.split.validation, data.stats), batch_size=4)
    return evaluate(model, loss, loader, config.mode, [c.name for c in data.classes], StopRequest())["miou"]


def test_multiclass_training_improves_over_the_untrained_model(landcover, tmp_path):
    config = train_config(landcover["image"], landcover["strata"], tmp_path, epochs=4, tile_size=64, **FAST)
    before = untrained_miou(config)
    result = train(config, quiet(), StopRequest())
    assert result["best_miou"] > before + 0.1, (before, result["best_miou"])


def test_binary_buildings_training_improves_over_the_untrained_model(buildings, tmp_path):
    """Rare foreground (buildings, about 10 % of the pixels): the untrained network predicts almost no
    building (mIoU about 0.47, the background's IoU halved); training must find buildings."""
    config = train_config(
        buildings["image"], buildings["footprints"], tmp_path, mode="binary", epochs=5, tile_size=128, stride=64, **FAST
    )
    before = untrained_miou(config)
    result = train(config, quiet(), StopRequest())
    assert result["best_miou"] > before + 0.05, (before, result["best_miou"])
    assert result["best_per_class_iou"]["foreground"] > 0.15
    assert set(result["best_per_class_iou"]) == {"background", "foreground"}


def test_identical_seeds_give_identical_metrics(landcover_crop, landcover, tmp_path):
    histories = []
    for run in ("a", "b"):
        config = train_config(
            landcover_crop, landcover["strata"], tmp_path / run, epochs=2, tile_size=64, augmentation="advanced", **FAST
        )
        train(config, quiet(), StopRequest())
        histories.append(json.loads((tmp_path / run / "metrics.json").read_text()))
    assert histories[0] == histories[1]


def test_resume_continues_where_it_stopped(landcover_crop, landcover, tmp_path):
    data, common = (landcover_crop, landcover["strata"]), {"tile_size": 64, **FAST}
    train(train_config(*data, tmp_path / "straight", epochs=3, **common), quiet(), StopRequest())
    train(train_config(*data, tmp_path / "resumed", epochs=2, **common), quiet(), StopRequest())
    writer = quiet()
    train(train_config(*data, tmp_path / "resumed", epochs=3, resume=True, **common), writer, StopRequest())
    assert any("Resuming from the checkpoint after epoch 2" in e.get("message", "") for e in events_of(writer))
    assert [e["epoch"] for e in events_of(writer) if e["event"] == "epoch"] == [3]
    straight = json.loads((tmp_path / "straight" / "metrics.json").read_text())
    resumed = json.loads((tmp_path / "resumed" / "metrics.json").read_text())
    assert resumed == straight


def test_resume_without_a_checkpoint_is_a_clear_error(landcover_crop, landcover, tmp_path):
    config = train_config(landcover_crop, landcover["strata"], tmp_path, epochs=1, tile_size=64, resume=True, **FAST)
    with pytest.raises(Exception, match="no checkpoint to resume from"):
        train(config, quiet(), StopRequest())


def test_early_stopping_stops_when_miou_stalls(landcover_crop, landcover, tmp_path):
    config = train_config(
        landcover_crop,
        landcover["strata"],
        tmp_path,
        epochs=30,
        tile_size=64,
        learning_rate=1e-7,
        early_stopping_patience=2,
        encoder="resnet18",
    )
    writer = quiet()
    result = train(config, writer, StopRequest())
    assert result["epochs_completed"] < 30
    assert any("Early stopping" in e.get("message", "") for e in events_of(writer))


def test_class_weights():
    counts = np.array([800, 150, 50, 0])
    inverse = class_weights(counts, "inverse")
    assert inverse[3] == 1.0 and np.mean(inverse[:3]) == pytest.approx(1.0)
    assert inverse[2] / inverse[0] == pytest.approx(16.0)
    median = class_weights(counts, "median")
    assert median[:3] == pytest.approx([150 / 800, 1.0, 3.0])
    assert class_weights(counts, "none") is None


def test_run_summary_follows_the_study():
    history = [
        {
            "epoch": e,
            "train_loss": 1.0 - 0.1 * e,
            "val_loss": 0.9 - 0.05 * e,
            "miou": m,
            "pixel_accuracy": 0.5 + 0.01 * e,
            "grad_norm": 2.0,
            "per_class_iou": {},
        }
        for e, m in zip(range(1, 8), [0.1, 0.3, 0.5, 0.4, 0.45, 0.5, 0.48])
    ]
    summary = run_summary(history)
    assert summary["best_miou"] == 0.5 and summary["best_epoch"] == 3 and summary["final_miou"] == 0.48
    assert summary["loss_reduction_pct"] == pytest.approx(100 * (0.9 - 0.3) / 0.9)
    assert summary["stability"] == pytest.approx(np.std([0.5, 0.4, 0.45, 0.5, 0.48], ddof=1))
    # best_pixel_accuracy is the best-mIoU epoch's (epoch 3: 0.5 + 0.03), not the maximum (0.57)
    assert summary["min_val_loss"] == pytest.approx(0.55) and summary["best_pixel_accuracy"] == pytest.approx(0.53)


def pixel_box(path, image, columns: int, rows: int):
    """A GeoPackage with one rectangle covering the image's first ``columns`` x ``rows`` pixels."""
    import fiona

    x0, y0 = image.transform[2], image.transform[5]
    x1, y1 = x0 + columns * image.transform[0], y0 + rows * image.transform[4]
    box = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    schema = {"geometry": "Polygon", "properties": {}}
    with fiona.open(path, "w", driver="GPKG", crs_wkt=image.crs_wkt, schema=schema) as dst:
        dst.write({"geometry": {"type": "Polygon", "coordinates": [box]}, "properties": {}})
    return path


def test_area_of_interest_leaves_pixels_outside_unlabelled(landcover, tmp_path):
    image = raster_info(str(landcover["image"]))
    aoi = pixel_box(tmp_path / "aoi.gpkg", image, 100, 100)
    config = train_config(landcover["image"], landcover["strata"], "x", aoi=str(aoi), tile_size=64)
    from segmentation_trainer.core.data.labels import area_mask

    labels = open_labels(config, config.labels[0], image, print)
    source = TileSource(config.raster[0], labels, area_mask(str(aoi), None, image, print, "area of interest"), False)
    target = source.read_raw(Window(0, 0, 200, 200))[2]
    assert (target[100:, :] == IGNORE_INDEX).all() and (target[:, 100:] == IGNORE_INDEX).all()
    assert (target[:100, :100] != IGNORE_INDEX).mean() > 0.5


def test_validation_area_holds_exactly_the_validation_tiles(landcover, tmp_path):
    image = raster_info(str(landcover["image"]))
    area = pixel_box(tmp_path / "val.gpkg", image, 200, image.height)
    config = train_config(landcover["image"], landcover["strata"], "x", validation_area=str(area), tile_size=64)
    data = prepare_data(config, quiet())
    assert all(w.col_off + w.width <= 200 for w in data.split.validation)
    assert all(w.col_off >= 200 for w in data.split.train)
    assert data.split.validation and data.split.train


def test_a_raster_smaller_than_a_tile_trains_with_padded_smaller_tiles(landcover, tmp_path):
    small = crop_raster(landcover["image"], tmp_path / "small.tif", Window(150, 150, 100, 90))
    writer = quiet()
    config = train_config(small, landcover["strata"], tmp_path / "m", epochs=1, tile_size=256, **FAST)
    result = train(config, writer, StopRequest())
    assert result["epochs_completed"] == 1
    assert any(
        "too small" in e.get("message", "") and e["level"] == "warning"
        for e in events_of(writer)
        if e["event"] == "log"
    )
    assert json.loads((tmp_path / "m" / "model.json").read_text())["tile_size"] < 256


def test_cached_and_windowed_tiles_are_identical(landcover):
    image = raster_info(str(landcover["image"]))
    config = train_config(landcover["image"], landcover["polygons"], "x", class_field="id")
    labels = open_labels(config, config.labels[0], image, print)
    cached, windowed = (TileSource(config.raster[0], labels, None, cache) for cache in (True, False))
    for window in (Window(0, 0, 64, 64), Window(450, 400, 64, 64), Window(-10, 20, 64, 64)):
        for a, b in zip(cached.read_raw(window), windowed.read_raw(window)):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("bands", [1, 5, 12])
def test_augmentation_moves_image_and_label_together(bands):
    rng = np.random.default_rng(0)
    target = rng.integers(0, 4, (32, 32)).astype(np.uint8)
    image = np.repeat(target[None].astype(np.float32), bands, axis=0)  # the label written into every band
    valid = np.ones((32, 32), dtype=bool)
    for seed in range(8):
        out_image, out_target = augment(image.copy(), target.copy(), valid, "basic", np.random.default_rng(seed))
        assert out_image.shape == image.shape and np.array_equal(out_image[0], out_target.astype(np.float32))
    changed, _ = augment(image.copy(), target.copy(), valid, "advanced", np.random.default_rng(3))
    assert not np.array_equal(np.sort(changed.ravel()), np.sort(image.ravel()))


def test_percentile_normalization(landcover, tmp_path):
    config = train_config(landcover["image"], landcover["strata"], "x", tile_size=64, normalization="percentile")
    data = prepare_data(config, quiet())
    assert data.stats["method"] == "percentile" and len(data.stats["low"]) == 5
    from segmentation_trainer.core.data.dataset import TileDataset

    image, _ = TileDataset(data.source, data.split.train[:3], data.stats)[0]
    assert image.min() >= 0.0 and image.max() <= 1.0


def test_encoder_weights_from_a_local_file(tmp_path):  # hub weights: tests/core/models/test_pretrained.py
    donor = build_model("unet", "resnet18", 3, 2)
    path = tmp_path / "encoder.safetensors"
    save_file({k: v.contiguous() for k, v in donor.encoder.state_dict().items()}, str(path))
    model = build_model("unet", "resnet18", 5, 2, str(path))
    adapted = model.encoder.conv1.weight
    assert adapted.shape[1] == 5
    assert torch.allclose(adapted[:, 3], donor.encoder.conv1.weight[:, 0] * 3 / 5)
    assert torch.equal(model.encoder.layer1[0].conv1.weight, donor.encoder.layer1[0].conv1.weight)


def test_attention_unet_size_and_forward():
    model = build_model("attention_unet", "", 3, 19)
    assert parameter_count(model) == 34_872_895  # the study reports about 31.4 M
    assert build_model("attention_unet", "", 5, 7)(torch.randn(2, 5, 64, 64)).shape == (2, 7, 64, 64)


def test_the_tiles_bring_the_label_map_of_a_distance_loss(landcover_crop, landcover, tmp_path):
    """A loss whose distance map depends on the labels only gets it from the tiles (computed once per tile,
    of the augmented labels), and trains with it."""
    from segmentation_trainer.core.data.dataset import TileDataset
    from segmentation_trainer.losses import build_loss

    config = train_config(
        landcover_crop,
        landcover["strata"],
        tmp_path,
        epochs=1,
        tile_size=64,
        augmentation="basic",
        loss="boundary",
        **FAST,
    )
    data = prepare_data(config, quiet())
    loss = build_loss("boundary", "multiclass", len(data.classes))
    _, target, phi = TileDataset(data.source, data.split.train[:2], data.stats, "basic", 0, loss.label_map)[1]
    assert torch.equal(phi, loss.label_map(target.unsqueeze(0))[0]) and phi.shape == (len(data.classes), 64, 64)
    train(config, quiet(), StopRequest())
    assert json.loads((tmp_path / "metrics.json").read_text())
