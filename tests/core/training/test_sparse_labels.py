"""Sparse labels, the everyday case: a few small polygons per class on a 2000 x 1900 px scene (issue 15)."""

from __future__ import annotations

import io
import json

import fiona
import numpy as np
import pytest
import rasterio
from worker_helpers import train_args, train_config

from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.training.loop import summarize_data, train

WIDTH, HEIGHT, PIXEL = 2000, 1900, 10.0
ORIGIN = (500000.0, 5000000.0)  # UTM 33N
CLASSES = [{"value": v, "name": n} for v, n in ((1, "forest"), (2, "water"), (3, "urban"), (4, "crops"))]
SIDE = 20, 12  # px: a 128 px tile over one of these polygons is 1.5 % labelled
# (class, top-left pixel column, row) of the polygons: one per class, then a second one far away
# (each inside one 128 px grid tile and one 256 px split block, all in different blocks)
ONE_EACH = [(1, 300, 300), (2, 1500, 340), (3, 400, 1380), (4, 1600, 1560)]
SECOND = [(1, 1000, 900), (2, 200, 800), (3, 1100, 200), (4, 900, 1650)]


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    """A 4-band 2000 x 1900 px GeoTIFF whose pixel values depend on the class painted under the polygons."""
    folder = tmp_path_factory.mktemp("sparse")
    rng = np.random.default_rng(0)
    image = rng.integers(0, 60, (4, HEIGHT, WIDTH), dtype=np.uint8)
    for value, col, row in ONE_EACH + SECOND:
        image[:, row : row + SIDE[1], col : col + SIDE[0]] += np.uint8(40 * value)
    profile = {
        "driver": "GTiff",
        "width": WIDTH,
        "height": HEIGHT,
        "count": 4,
        "dtype": "uint8",
        "crs": "EPSG:32633",
        "transform": rasterio.Affine(PIXEL, 0, ORIGIN[0], 0, -PIXEL, ORIGIN[1]),
    }
    path = folder / "scene.tif"
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(image)
    return path


def polygons(path, rectangles) -> str:
    """A GeoPackage with one ``SIDE`` rectangle per (class, column, row) of ``rectangles``."""
    schema = {"geometry": "Polygon", "properties": {"class_id": "int"}}
    with fiona.open(path, "w", driver="GPKG", crs="EPSG:32633", schema=schema) as dst:
        for value, col, row in rectangles:
            x0, y0 = ORIGIN[0] + col * PIXEL, ORIGIN[1] - row * PIXEL
            x1, y1 = x0 + SIDE[0] * PIXEL, y0 - SIDE[1] * PIXEL
            ring = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
            dst.write({"geometry": {"type": "Polygon", "coordinates": [ring]}, "properties": {"class_id": value}})
    return str(path)


def dry_run(scene, labels, **options) -> tuple[dict, list[dict]]:
    """``summarize_data`` on the scene: its summary and the events it wrote."""
    writer = EventWriter(io.StringIO(), as_json=True)
    config = train_config(scene, labels, "unused", class_field="class_id", classes=CLASSES, tile_size=128, **options)
    summary = summarize_data(config, writer)
    return summary, [json.loads(line) for line in writer.stream.getvalue().splitlines()]


def warnings(events: list[dict]) -> list[str]:
    return [e["message"] for e in events if e["event"] == "log" and e["level"] == "warning"]


def by_name(summary: dict) -> dict[str, dict]:
    return {c["name"]: c for c in summary["classes"]}


def test_the_grid_refuses_four_small_polygons(scene, tmp_path):
    with pytest.raises(UserError, match=r"No 128-pixel tile has at least 5% labelled pixels \(the best has 1.5%\)"):
        dry_run(scene, polygons(tmp_path / "four.gpkg", ONE_EACH), tile_placement="grid")


def test_four_polygons_train_with_tiles_on_the_labels_and_a_warning(scene, tmp_path):
    summary, events = dry_run(scene, polygons(tmp_path / "four.gpkg", ONE_EACH))
    assert summary["tiles"]["placement"] == "labels"
    assert summary["tiles"]["train"] > 0 and summary["tiles"]["validation"] > 0
    classes = by_name(summary)
    trained = [n for n, c in classes.items() if c["train_tiles"] > 0]
    validated = [n for n, c in classes.items() if c["validation_tiles"] > 0]
    # one polygon per class: one class must be held out whole for validation, and both warnings say which
    assert len(trained) == 3 and len(validated) == 1 and not set(trained) & set(validated)
    messages = warnings(events)
    assert len(messages) == 2
    assert messages[0].startswith("No validation pixel for ")
    for name in trained:
        assert f"{name} (all its labelled pixels are in one polygon or patch)" in messages[0]
    assert messages[1].startswith(f"No training pixel for {validated[0]} (")


def test_two_polygons_per_class_keep_every_class_in_training_and_validation(scene, tmp_path):
    summary, events = dry_run(scene, polygons(tmp_path / "eight.gpkg", ONE_EACH + SECOND))
    assert summary["tiles"]["placement"] == "labels"
    for name, c in by_name(summary).items():
        assert c["train_tiles"] > 0 and c["validation_tiles"] > 0, name
        assert c["train_pixels"] + c["validation_pixels"] == 2 * SIDE[0] * SIDE[1], name  # every labelled pixel is used
    assert not warnings(events)


def test_the_warning_names_only_the_class_that_cannot_be_validated(scene, tmp_path):
    labels = polygons(tmp_path / "seven.gpkg", ONE_EACH + SECOND[1:])  # forest has one polygon only
    summary, events = dry_run(scene, labels)
    classes = by_name(summary)
    assert classes["forest"]["train_tiles"] > 0 and classes["forest"]["validation_tiles"] == 0
    assert all(classes[n]["validation_tiles"] > 0 for n in ("water", "urban", "crops"))
    assert warnings(events) == [
        "No validation pixel for forest (all its labelled pixels are in one polygon or patch). Its IoU cannot be "
        "measured: label it in places further apart than a split block (256 px), use a smaller split block side "
        "or tile size, or draw a validation area."
    ]


def test_a_lower_threshold_keeps_the_grid_and_its_split_keeps_every_class(scene, tmp_path):
    labels = polygons(tmp_path / "eight.gpkg", ONE_EACH + SECOND)
    summary, events = dry_run(scene, labels, tile_placement="grid", min_labelled_fraction=0.01)
    assert summary["tiles"]["placement"] == "grid"
    assert all(c["train_tiles"] > 0 and c["validation_tiles"] > 0 for c in summary["classes"])
    assert not warnings(events)


def test_training_starts_on_sparse_polygons_with_class_balanced_sampling(scene, tmp_path):
    config = train_config(
        scene,
        polygons(tmp_path / "eight.gpkg", ONE_EACH + SECOND),
        tmp_path / "model",
        class_field="class_id",
        classes=CLASSES,
        tile_size=128,
        epochs=1,
        batch_size=4,
        encoder="resnet18",
        encoder_weights=None,
        sampling="class_balanced",
    )
    result = train(config, EventWriter(io.StringIO(), as_json=True), StopRequest())
    assert result["epochs_completed"] == 1
    assert set(result["best_per_class_iou"]) == {"forest", "water", "urban", "crops"}


def test_the_command_line_dry_run_reports_the_placement_and_the_tiles_per_class(worker, scene, tmp_path):
    labels = polygons(tmp_path / "four.gpkg", ONE_EACH)
    code, events = worker(*train_args(scene, labels, tmp_path / "model", class_field="class_id", dry_run=True))
    assert code == 0, events[-1]
    summary = events[-1]["summary"]
    assert summary["tiles"]["placement"] == "labels" and summary["tile_size"] == 256
    assert sum(c["train_tiles"] > 0 for c in summary["classes"]) == 3
    assert sum(c["validation_tiles"] > 0 for c in summary["classes"]) == 1
    validated = next(c["name"] for c in summary["classes"] if c["validation_tiles"])
    messages = [e["message"] for e in events if e.get("level") == "warning"]
    assert len(messages) == 2 and messages[0].startswith("No validation pixel for ")
    assert messages[1].startswith(f"No training pixel for {validated} (")
    assert not (tmp_path / "model").exists()
