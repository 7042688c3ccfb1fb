"""Training on several rasters (core/data/scenes.py): labels shared or one per raster, classes matched across
label files, tiles and split blocks inside one raster, and the bad-input cases, on crops of the real land-cover
sample."""

from __future__ import annotations

import fiona
import numpy as np
import pytest
import rasterio
from rasterio.warp import Resampling, calculate_default_transform, reproject
from rasterio.windows import Window
from worker_helpers import crop_raster, quiet, train_args, train_config

from segmentation_trainer.core.common.config import IGNORE_INDEX, TrainConfig
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.data.scenes import open_scenes
from segmentation_trainer.core.training.loop import prepare_data

LEFT, RIGHT = Window(0, 0, 256, 443), Window(233, 0, 256, 443)


@pytest.fixture(scope="module")
def halves(landcover, tmp_path_factory) -> dict[str, object]:
    """The land-cover image and its class raster cut into two overlapping halves (two scenes of one area)."""
    folder = tmp_path_factory.mktemp("halves")
    return {
        "images": [
            crop_raster(landcover["image"], folder / f"{n}.tif", w) for n, w in (("left", LEFT), ("right", RIGHT))
        ],
        "strata": [
            crop_raster(landcover["strata"], folder / f"{n}_strata.tif", w) for n, w in (("l", LEFT), ("r", RIGHT))
        ],
        "folder": folder,
    }


def _warped(source, target, crs: str, scale: float = 1.0):
    """``source`` reprojected to ``crs``, its pixels ``scale`` times larger."""
    with rasterio.open(source) as src:
        transform, width, height = calculate_default_transform(src.crs, crs, src.width, src.height, *src.bounds)
        transform = transform * transform.scale(scale)
        width, height = int(width / scale), int(height / scale)
        profile = src.profile | {"crs": crs, "transform": transform, "width": width, "height": height}
        with rasterio.open(target, "w", **profile) as dst:
            for band in range(1, src.count + 1):
                reproject(
                    rasterio.band(src, band),
                    rasterio.band(dst, band),
                    dst_transform=transform,
                    dst_crs=crs,
                    resampling=Resampling.nearest,
                    src_nodata=src.nodata,
                    dst_nodata=src.nodata,
                )
    return target


def test_shared_labels_are_clipped_to_each_raster_and_tiles_stay_inside_one(halves, landcover, tmp_path):
    config = train_config(halves["images"][0], landcover["strata"], tmp_path / "m", tile_size=64)
    config.raster.append(str(halves["images"][1]))
    data = prepare_data(config, quiet(), test_fraction=0.2)
    scenes = data.source.scenes
    assert [s.image.path for s in scenes] == [str(p) for p in halves["images"]]
    with rasterio.open(landcover["strata"]) as src:
        present = sorted(set(np.unique(src.read(1)).tolist()) - {src.nodata})
    assert [c.value for c in data.classes] == present
    used = {"train": data.split.train, "validation": data.split.validation, "test": data.split.test}
    for side, windows in used.items():
        assert windows, side
        for window in windows:
            scene, local = data.source.locate(window)
            assert 0 <= local.row_off < scene.image.height and 0 <= local.col_off < scene.image.width
    # every scene gives training tiles; a tile's labels are those of its own raster's part of the class raster
    assert {data.source.locate(w)[0].name for w in data.split.train} == {"left.tif", "right.tif"}
    window = next(w for w in data.split.train if data.source.locate(w)[0].name == "right.tif")
    _, local = data.source.locate(window)
    with rasterio.open(landcover["strata"]) as src:
        expected = src.read(1, window=Window(RIGHT.col_off + local.col_off, local.row_off, 64, 64), boundless=True)
    target = data.source.read_raw(window)[2]
    values = np.array([c.value for c in data.classes])
    labelled = target != IGNORE_INDEX
    assert labelled.any() and (values[target[labelled]] == expected[labelled]).all()


def test_label_rasters_with_different_classes_share_one_table(halves, landcover, tmp_path):
    """Each raster's class raster holds a class the other lacks: the table is their union and each raster's
    labels keep their class."""
    strata = []
    for path, drop in zip(halves["strata"], (7, 3)):
        with rasterio.open(path) as src:
            profile, data = src.profile, src.read(1)
        data[data == drop] = profile["nodata"]
        strata.append(tmp_path / f"without_{drop}.tif")
        with rasterio.open(strata[-1], "w", **profile) as dst:
            dst.write(data, 1)
    config = train_config(halves["images"][0], strata[0], tmp_path / "m", tile_size=64)
    config.raster.append(str(halves["images"][1]))
    config.labels.append(str(strata[1]))
    stack = open_scenes(config, quiet())
    values = [c.value for c in stack.classes]
    assert 3 in values and 7 in values
    for scene, path in zip(stack.scenes, strata):
        with rasterio.open(path) as src:
            expected = src.read(1)
        target = scene.targets(Window(0, 0, scene.image.width, scene.image.height))
        labelled = target != IGNORE_INDEX
        assert (np.array(values)[target[labelled]] == expected[labelled]).all()


def test_text_class_fields_are_matched_by_name_across_label_files(halves, landcover, tmp_path):
    """Each label file's text classes alone would be numbered 1, 2, … differently: the classes are matched by
    name and numbered over all the files, in sorted order."""
    files = []
    with fiona.open(landcover["polygons"]) as src:
        features = list(src)
        names = sorted({f.properties["label"] for f in features})
        for i, keep in enumerate((names[::2], names[1::2])):
            files.append(tmp_path / f"labels{i}.gpkg")
            with fiona.open(files[-1], "w", driver="GPKG", schema=src.schema, crs=src.crs) as dst:
                dst.writerecords(f for f in features if f.properties["label"] in keep)
    config = train_config(landcover["image"], files[0], tmp_path / "m", class_field="label", tile_size=64)
    config.raster.append(str(halves["images"][1]))
    config.labels.append(str(files[1]))
    stack = open_scenes(config, quiet())
    assert [(c.value, c.name) for c in stack.classes] == list(enumerate(names, start=1))
    scene = stack.scenes[1]
    target = scene.targets(Window(0, 0, scene.image.width, scene.image.height))
    found = {stack.classes[i].name for i in np.unique(target[target != IGNORE_INDEX])}
    assert found and found <= set(names[1::2])


def test_rasters_in_other_crs_and_resolution_train_with_a_note_and_a_warning(halves, landcover, tmp_path, worker):
    other = _warped(halves["images"][1], tmp_path / "geographic.tif", "EPSG:4326", scale=3.0)
    listing = tmp_path / "rasters.txt"
    listing.write_text(f"# two scenes\n{halves['images'][0]}\n{other.name}\n", encoding="utf-8")
    code, events = worker(
        *train_args(listing, landcover["polygons"], tmp_path / "m", class_field="label", tile_size=64, dry_run=True)
    )
    assert code == 0, events[-1]
    said = " ".join(e["message"] for e in events if e["event"] == "log")
    assert "different coordinate reference systems" in said
    assert "differ by more than 2x" in said and "geographic.tif" in said
    rasters = events[-1]["summary"]["rasters"]
    assert [r["path"] for r in rasters] == [str(halves["images"][0]), str(other)]


def test_a_raster_the_labels_miss_is_left_out_and_all_missed_is_an_error(halves, landcover, tmp_path, worker):
    with rasterio.open(halves["images"][1]) as src:
        profile, data = src.profile, src.read()
    far = tmp_path / "far_away.tif"
    profile["transform"] = profile["transform"] * profile["transform"].translation(100_000, 0)
    with rasterio.open(far, "w", **profile) as dst:
        dst.write(data)
    args = dict(class_field="label", tile_size=64, dry_run=True)
    code, events = worker(
        *train_args(halves["images"][0], landcover["polygons"], tmp_path / "m", **args), "--raster", str(far)
    )
    assert code == 0, events[-1]
    warnings = [e["message"] for e in events if e.get("level") == "warning"]
    assert any("far_away.tif is left out" in w for w in warnings)
    assert [r["path"] for r in events[-1]["summary"]["rasters"]] == [str(halves["images"][0])]
    code, events = worker(*train_args(far, landcover["polygons"], tmp_path / "m", **args))
    assert code == 2 and "do not overlap the raster far_away.tif" in events[-1]["message"]


def test_rasters_with_different_band_counts_are_refused_naming_each(halves, landcover, tmp_path, worker):
    with rasterio.open(halves["images"][1]) as src:
        profile, data = src.profile, src.read()
    three = tmp_path / "three_bands.tif"
    with rasterio.open(three, "w", **(profile | {"count": 3})) as dst:
        dst.write(data[:3])
    args = train_args(halves["images"][0], landcover["strata"], tmp_path / "m", dry_run=True)
    code, events = worker(*args, "--raster", str(three))
    assert code == 2
    assert "different band counts (left.tif: 5, three_bands.tif: 3)" in events[-1]["message"]


def test_label_layers_must_be_one_or_one_per_raster(halves, landcover, tmp_path):
    rasters = [str(p) for p in halves["images"]] * 2
    with pytest.raises(
        UserError, match=r"one label layer for all 4 rasters .* or one per raster in the same order, not 2"
    ):
        TrainConfig(raster=rasters, labels=[str(p) for p in halves["strata"]], output_dir=str(tmp_path))


def test_several_rasters_are_predicted_into_a_folder_with_the_model_loaded_once(halves, small_model, tmp_path, worker):
    folder = tmp_path / "in"
    folder.mkdir()
    for path in halves["images"]:
        (folder / path.name).symlink_to(path)
    (folder / "notes.txt").write_text("not a raster", encoding="utf-8")
    code, events = worker(
        "predict", "--model", str(small_model), "--raster", str(folder), "--output", str(tmp_path / "out")
    )
    assert code == 0, events[-1]
    outputs = [tmp_path / "out" / "left_prediction.tif", tmp_path / "out" / "right_prediction.tif"]
    assert [p["prediction"] for p in events[-1]["predictions"]] == [str(p) for p in outputs]
    for output, image in zip(outputs, halves["images"]):
        with rasterio.open(output) as pred, rasterio.open(image) as src:
            assert pred.transform == src.transform and pred.shape == src.shape
    logs = [e["message"] for e in events if e["event"] == "log"]
    assert [m for m in logs if m.startswith("Raster ")] == [
        f"Raster {i} of 2: {folder / p.name}." for i, p in enumerate(halves["images"], 1)
    ]
    fractions = [e["fraction"] for e in events if e["event"] == "progress"]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    code, events = worker(
        "predict", "--model", str(small_model), "--raster", str(folder), "--output", str(tmp_path / "x.tif")
    )
    assert code == 2 and "give a folder" in events[-1]["message"]


def test_a_prediction_list_file_and_same_named_rasters(halves, small_model, tmp_path, worker):
    twin = tmp_path / "other"
    twin.mkdir()
    (twin / "left.tif").symlink_to(halves["images"][0])
    listing = tmp_path / "list.txt"
    listing.write_text(f"{halves['images'][0]}\nother/left.tif\n", encoding="utf-8")
    code, events = worker(
        "predict", "--model", str(small_model), "--raster", str(listing), "--output", str(tmp_path / "o")
    )
    assert code == 2 and "have the same name" in events[-1]["message"]
