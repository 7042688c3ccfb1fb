"""Labels on the image grid: reprojection (not relabelling), raster labels, class tables, errors."""

from __future__ import annotations

import json

import fiona
import numpy as np
import pytest
import rasterio
from rasterio.warp import transform_geom
from rasterio.windows import Window
from worker_helpers import crop_raster, train_args, train_config, worker_args

from segmentation_trainer.core.common.classes import field_classes
from segmentation_trainer.core.common.config import IGNORE_INDEX, ClassInfo, TrainConfig
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.files import METADATA_FILE
from segmentation_trainer.core.data.labels import open_labels
from segmentation_trainer.core.data.rasters import raster_info
from segmentation_trainer.core.data.tiling import tile_windows


def _labels_of(config, image, log):
    """The label source of a one-raster run."""
    return open_labels(config, config.labels[0], image, log)


def reproject_vector(source, target, crs: str, shift: float = 0.0) -> None:
    """Write ``source``'s features reprojected to ``crs`` (optionally shifted east by ``shift`` units)."""
    with fiona.open(source) as src:
        schema, src_crs = src.schema, src.crs_wkt
        features = list(src)
    with fiona.open(target, "w", driver="GPKG", schema=schema, crs=crs) as dst:
        for feature in features:
            geometry = transform_geom(src_crs, crs, dict(feature.geometry))
            if shift:
                geometry["coordinates"] = [[(x + shift, y) for x, y in ring] for ring in geometry["coordinates"]]
            dst.write({"geometry": geometry, "properties": dict(feature.properties)})


def agreement_with_strata(label_path, strata_path) -> tuple[float, int]:
    with rasterio.open(label_path) as lab, rasterio.open(strata_path) as ref:
        labels, truth = lab.read(1), ref.read(1)
        labelled = labels != lab.nodata
        return float((labels[labelled] == truth[labelled]).mean()), int(labelled.sum())


def rasterize_args(landcover, polygons, output) -> list[str]:
    """The worker's ``rasterize`` of ``polygons`` (class field ``id``) onto the land-cover image."""
    return worker_args("rasterize", raster=landcover["image"], labels=polygons, class_field="id", output=output)


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:3857"])
def test_reprojected_polygons_are_rasterized_onto_the_image_grid(worker, landcover, tmp_path, crs):
    polygons = tmp_path / "polygons.gpkg"
    reproject_vector(landcover["polygons"], polygons, crs)
    output = tmp_path / "labels.tif"
    code, events = worker(*rasterize_args(landcover, polygons, output))
    assert code == 0, events
    assert any("reprojected" in e.get("message", "") for e in events if e["event"] == "log")
    agreement, labelled = agreement_with_strata(output, landcover["strata"])
    assert labelled > 2000  # the 34 polygons cover about 2,260 pixels
    assert agreement >= 0.95


def test_polygons_moved_away_are_reported_as_not_overlapping(worker, landcover, tmp_path):
    polygons = tmp_path / "far.gpkg"
    reproject_vector(landcover["polygons"], polygons, "EPSG:32119", shift=1e6)
    code, events = worker(*rasterize_args(landcover, polygons, tmp_path / "x.tif"))
    assert code == 2
    assert "do not overlap" in events[-1]["message"]


def _config(landcover, labels=None, **options) -> TrainConfig:
    """Settings on the land-cover image with its polygons (or ``labels``)."""
    return train_config(landcover["image"], labels or landcover["polygons"], "unused", **options)


def test_text_class_field_gets_ids_from_the_class_table(landcover):
    table = [
        ClassInfo(1, "developed"),
        ClassInfo(2, "agriculture"),
        ClassInfo(3, "herbaceous"),
        ClassInfo(4, "shrubland"),
        ClassInfo(5, "forest"),
        ClassInfo(6, "water"),
        ClassInfo(7, "sediment"),
    ]
    config = _config(landcover, class_field="label", classes=table)
    image = raster_info(config.raster[0])
    labels = _labels_of(config, image, lambda m: None)
    assert [c.value for c in labels.classes] == list(range(1, 8))
    assert [c.name for c in labels.classes] == [c.name for c in table]
    with rasterio.open(landcover["strata"]) as ref:
        truth = ref.read(1)
    full = labels.read(tile_windows(image.width, image.height, max(image.width, image.height), 1)[0])
    full = full[: image.height, : image.width]
    labelled = full != IGNORE_INDEX
    values = np.array([c.value for c in labels.classes])[full[labelled]]
    assert (values == truth[labelled]).mean() == 1.0


def test_text_class_field_without_table_is_numbered_in_sorted_order(landcover):
    logged = []
    labels = _labels_of(_config(landcover, class_field="label"), raster_info(str(landcover["image"])), logged.append)
    with fiona.open(landcover["polygons"]) as src:
        values = [f.properties["label"] for f in src]
    names = sorted(set(values))
    assert [(c.value, c.name) for c in labels.classes] == list(enumerate(names, start=1))
    assert [(c.value, c.name) for c in labels.classes] == [(c.value, c.name) for c in field_classes(values)[1]]
    assert names[:2] == ["agriculture", "developed"]
    assert "Classes from field 'label': 1 agriculture, 2 developed, 3 " in " ".join(logged)


def test_text_class_field_with_a_table_missing_a_name_is_refused(landcover):
    table = [ClassInfo(1, "developed"), ClassInfo(2, "agriculture")]
    with pytest.raises(UserError, match=r"value\(s\) 'forest', 'herbaceous'.*does not name \('developed', 'agri"):
        _labels_of(_config(landcover, class_field="label", classes=table), raster_info(str(landcover["image"])), print)


def test_unknown_class_field_lists_the_fields(landcover):
    with pytest.raises(UserError, match=r"no field 'klass'.*label, id"):
        _labels_of(_config(landcover, class_field="klass"), raster_info(str(landcover["image"])), print)


def test_multiclass_vector_labels_need_a_class_field(landcover):
    with pytest.raises(UserError, match="needs a class field"):
        _labels_of(_config(landcover), raster_info(str(landcover["image"])), print)


def test_float_label_raster_with_nodata(landcover):
    """strata.tif: float32 classes 1-7, nodata -99999, tagged EPSG:3358 beside an EPSG:32119 image."""
    image = raster_info(str(landcover["image"]))
    labels = _labels_of(_config(landcover, labels=str(landcover["strata"])), image, print)
    assert [c.value for c in labels.classes] == list(range(1, 8))
    window = tile_windows(image.width, image.height, 512, 512)[0]
    indices = labels.read(window)
    assert indices.shape == (512, 512)
    assert (indices[image.height :, :] == IGNORE_INDEX).all()  # beyond the raster: unlabelled
    with rasterio.open(landcover["strata"]) as ref:
        truth = ref.read(1)
    inside = indices[: image.height, : image.width]
    assert ((inside == IGNORE_INDEX) == (truth == ref.nodata)).all()
    assert (inside[truth != ref.nodata] + 1 == truth[truth != ref.nodata]).all()


def test_binary_polygons_with_background(buildings):
    config = train_config(buildings["image"], buildings["footprints"], "x", mode="binary")
    image = raster_info(config.raster[0])
    labels = _labels_of(config, image, print)
    assert [c.value for c in labels.classes] == [0, 1]
    full = labels.read(tile_windows(image.width, image.height, image.width, 1)[0])
    assert set(np.unique(full)) == {0, 1}  # outside the footprints is background, not unlabelled
    assert 0.01 < (full == 1).mean() < 0.5  # buildings are a small share of the image


def test_a_label_raster_on_another_grid_is_resampled_and_says_so(landcover, tmp_path):
    """A label raster covering part of the image on its own grid: warped by nearest neighbour."""
    part = crop_raster(landcover["strata"], tmp_path / "part.tif", Window(100, 80, 200, 150))
    messages = []
    image = raster_info(str(landcover["image"]))
    labels = _labels_of(_config(landcover, labels=str(part)), image, messages.append)
    assert any("part.tif is not on the image's pixel grid" in m and "nearest neighbour" in m for m in messages)
    indices = labels.read(Window(0, 0, image.width, image.height))
    with rasterio.open(landcover["strata"]) as ref:
        truth = ref.read(1)[80:230, 100:300]
    inside = indices[80:230, 100:300]
    values = np.array([c.value for c in labels.classes])
    assert (values[inside[inside != IGNORE_INDEX]] == truth[inside != IGNORE_INDEX]).all()
    assert (indices[:80] == IGNORE_INDEX).all() and (indices[:, :100] == IGNORE_INDEX).all()


def test_an_empty_label_raster_is_a_clear_error(worker, landcover, tmp_path):
    empty = tmp_path / "empty.tif"
    with rasterio.open(landcover["strata"]) as src:
        profile = src.profile
        data = np.full((1, src.height, src.width), src.nodata, dtype=src.dtypes[0])
    with rasterio.open(empty, "w", **profile) as dst:
        dst.write(data)
    code, events = worker(*train_args(landcover["image"], empty, tmp_path / "m"))
    assert code == 2
    assert events[-1]["message"] == (
        "The label raster empty.tif has no labelled pixel over the raster landsat_multiband.tif: check that both "
        "cover the same area."
    )


def test_text_classes_train_on_the_command_line_without_a_class_table(worker, landcover, tmp_path):
    model_dir = tmp_path / "model"
    args = train_args(
        landcover["image"],
        landcover["polygons"],
        model_dir,
        class_field="label",
        epochs=1,
        tile_size=64,
        encoder="resnet18",
        min_labelled_fraction=0.01,
    )
    code, events = worker(*args)
    assert code == 0, events
    with fiona.open(landcover["polygons"]) as src:
        names = sorted({f.properties["label"] for f in src})
    meta = json.loads((model_dir / METADATA_FILE).read_text())
    assert [(c["value"], c["name"]) for c in meta["classes"]] == list(enumerate(names, start=1))
    logged = [e["message"] for e in events if e["event"] == "log"]
    assert f"Classes from field 'label': 1 {names[0]}, 2 {names[1]}" in " ".join(logged)


def test_binary_mode_refuses_a_multiclass_label_raster_and_names_the_foreground_of_a_two_value_one(landcover, tmp_path):
    with pytest.raises(UserError, match=r"holds 7 classes besides 0 \(1, 2, 3, 4, 5, 6, 7\): train in multiclass"):
        _labels_of(
            train_config(landcover["image"], landcover["strata"], "x", mode="binary"),
            raster_info(landcover["image"]),
            print,
        )
    with rasterio.open(landcover["strata"]) as src:
        profile, strata = src.profile, src.read(1)
    water = tmp_path / "water.tif"
    with rasterio.open(water, "w", **profile) as dst:
        dst.write(np.where(strata == 7, 255, np.where(strata == src.nodata, strata, 0)).astype(strata.dtype), 1)
    said = []
    labels = _labels_of(
        train_config(landcover["image"], water, "x", mode="binary"), raster_info(landcover["image"]), said.append
    )
    assert [c.value for c in labels.classes] == [0, 1]
    assert any(line.startswith("Binary mode: value 255 of ") and "is the foreground" in line for line in said)
