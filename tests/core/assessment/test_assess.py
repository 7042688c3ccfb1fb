"""The real worker on the land-cover sample: a prediction assessed against a class raster, polygons (by value, by
name, in another CRS) and a stratified random sample of points labelled from ``strata.tif``; every count checked
against an independent tally (scikit-learn); bad input refused with exit status 2 and a clear message."""

from __future__ import annotations

import json
from pathlib import Path

import fiona
import numpy as np
import pytest
import rasterio
from rasterio.warp import transform_geom
from rasterio.windows import Window
from sklearn.metrics import confusion_matrix
from worker_helpers import crop_raster, quiet, train_args, worker_args

from segmentation_trainer.core import cli
from segmentation_trainer.core.assessment.runner import assess
from segmentation_trainer.core.assessment.stratified import stratified_estimates
from segmentation_trainer.core.common.config import AssessConfig

ROOT = Path(__file__).resolve().parents[3]
CLASSES = ROOT / "docs" / "examples" / "landcover_classes.json"
CLASSES_TABLE = json.loads(CLASSES.read_text())
NAMES = {c["value"]: c["name"] for c in CLASSES_TABLE}


@pytest.fixture(scope="module")
def prediction(worker, landcover, landcover_crop, tmp_path_factory) -> Path:
    """The land-cover crop predicted by a model trained one epoch on it (classes named by the class table)."""
    folder = tmp_path_factory.mktemp("assess")
    options = {"tile_size": 64, "encoder": "resnet18", "epochs": 1, "classes": CLASSES}
    code, events = worker(*train_args(landcover_crop, landcover["strata"], folder / "model", **options))
    assert code == 0, events[-2:]
    output = folder / "prediction.tif"
    code, events = worker(
        "predict", "--model", str(folder / "model"), "--raster", str(landcover_crop), "--output", str(output)
    )
    assert code == 0, events[-2:]
    return output


@pytest.fixture(scope="module")
def truth(landcover, prediction, tmp_path_factory) -> Path:
    """``strata.tif`` cut to the prediction's grid and tagged with its CRS (the two differ by well under a pixel)."""
    path = crop_raster(landcover["strata"], tmp_path_factory.mktemp("truth") / "strata.tif", Window(0, 0, 192, 192))
    with rasterio.open(prediction) as src, rasterio.open(path, "r+") as dst:
        dst.crs = src.crs
    return path


def _read(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """A class raster's values and where it has one."""
    with rasterio.open(path) as src:
        data = src.read(1).astype(np.float64)
        return data, np.isfinite(data) & (data != src.nodata)


def _matrix(reference: np.ndarray, mapped: np.ndarray, values: list[int]) -> np.ndarray:
    """The error matrix by scikit-learn, rows map, columns reference (scikit-learn's are the transpose)."""
    return confusion_matrix(reference, mapped, labels=values).T


def _assess(prediction: Path, reference: Path, folder: Path, **settings: object) -> dict:
    config = AssessConfig(prediction=str(prediction), reference=str(reference), output_dir=str(folder), **settings)
    assess(config, quiet())
    return json.loads((folder / "assessment.json").read_text())


def test_a_prediction_against_a_class_raster(worker, prediction, truth, tmp_path):
    code, events = worker(*worker_args("assess", prediction=prediction, reference=truth, output_dir=tmp_path))
    assert code == 0, events[-2:]
    figures = json.loads((tmp_path / "assessment.json").read_text())
    mapped, classified = _read(prediction)
    reference, labelled = _read(truth)
    values = [c["value"] for c in figures["classes"]]
    both = classified & labelled
    expected = _matrix(reference[both].astype(int), mapped[both].astype(int), values)
    assert np.array_equal(figures["counts"], expected)
    assert figures["mapped_pixels"] == [int(np.count_nonzero(mapped[classified] == v)) for v in values]
    assert [c["name"] for c in figures["classes"]] == [NAMES[v] for v in values]  # the prediction's class names
    assert figures["area_unit"] == "ha" and figures["pixel_area"] == pytest.approx(28.5**2 / 10_000)
    rows = (tmp_path / "confusion_matrix.csv").read_text().splitlines()
    assert rows[0].split(",") == ["map \\ reference", *[NAMES[v] for v in values], "total"]
    assert [int(n) for n in rows[1].split(",")[1:-1]] == expected[0].tolist()
    assert (tmp_path / "confusion_matrix.png").stat().st_size > 10_000 and "Olofsson" in (
        tmp_path / "report.html"
    ).read_text()
    logs = [e["message"] for e in events if e["event"] == "log"]
    assert any(m.startswith(f"Overall accuracy {figures['sample']['overall_accuracy']:.3f}, kappa") for m in logs)
    if figures["stratified"] is None:  # a class mapped on a single pixel (the one-epoch model's): said, not estimated
        assert (
            figures["stratified_missing"] in logs
            and "need at least 2 reference pixels" in figures["stratified_missing"]
        )
    else:
        assert any(m.startswith("Weighted by the class areas (Olofsson et al. 2014): overall accuracy") for m in logs)
    result = events[-1]
    assert result["event"] == "result" and result["report"] == str(tmp_path / "report.html")
    assert result["overall_accuracy"] == pytest.approx(figures["sample"]["overall_accuracy"])


def test_polygons_by_value_by_name_and_in_another_crs(landcover, prediction, tmp_path):
    by_value = _assess(prediction, landcover["polygons"], tmp_path / "value", reference_field="id")
    # text labels: "agriculture", a class the crop's model never saw, is named by the class table given
    by_name = _assess(
        prediction, landcover["polygons"], tmp_path / "name", reference_field="label", classes=CLASSES_TABLE
    )
    assert by_name["counts"] == by_value["counts"] and by_value["sample"]["units"] > 100
    with fiona.open(landcover["polygons"]) as src:
        schema, features, crs = src.schema, list(src), src.crs
    far = tmp_path / "polygons_4326.gpkg"
    with fiona.open(far, "w", driver="GPKG", schema=schema, crs="EPSG:4326") as dst:
        for f in features:
            dst.write(
                {"geometry": transform_geom(crs, "EPSG:4326", dict(f.geometry)), "properties": dict(f.properties)}
            )
    reprojected = _assess(prediction, far, tmp_path / "far", reference_field="id")
    difference = np.abs(np.array(reprojected["counts"]) - by_value["counts"]).sum()
    assert difference <= 0.02 * by_value["sample"]["units"]  # reprojected, not relabelled: a few edge pixels differ


def test_sample_then_assess_the_labelled_points(worker, prediction, truth, tmp_path):
    sample = tmp_path / "sample.gpkg"
    options = {"prediction": prediction, "output": sample, "target_standard_error": 0.05, "min_per_class": 5}
    code, events = worker(*worker_args("sample", **options))
    assert code == 0, events[-2:]
    drawn = events[-1]
    with fiona.open(sample) as src:
        assert src.schema["properties"] == {"id": "int", "reference": "str"}
        points = [f.geometry["coordinates"] for f in src]
        assert all(f.properties["reference"] is None for f in src)
    assert len(points) == drawn["points"] == sum(drawn["per_class"].values()) >= 64  # (0.4 / 0.05)² = 64
    with rasterio.open(prediction) as src:
        mapped = np.array([v[0] for v in src.sample(points)])
        pixels = {src.index(x, y) for x, y in points}
    assert len(pixels) == len(points)  # drawn without replacement
    assert {NAMES[v]: int(np.count_nonzero(mapped == v)) for v in np.unique(mapped)} == drawn["per_class"]
    with rasterio.open(truth) as src:
        true = np.array([v[0] for v in src.sample(points)]).astype(int)
    labelled = tmp_path / "labelled.gpkg"
    with fiona.open(sample) as src:
        schema, crs, features = src.schema, src.crs, list(src)
    with fiona.open(labelled, "w", driver="GPKG", schema=schema, crs=crs) as dst:  # filled in as a user would
        for f, value in zip(features, true):
            dst.write(
                {"geometry": dict(f.geometry), "properties": {"id": f.properties["id"], "reference": NAMES[value]}}
            )
    figures = _assess(prediction, labelled, tmp_path / "report", reference_field="reference")
    values = [c["value"] for c in figures["classes"]]
    counts = _matrix(true, mapped.astype(int), values)
    assert np.array_equal(figures["counts"], counts) and figures["unit"] == "point"
    mapped_pixels = np.array([int(np.count_nonzero(_read(prediction)[0] == v)) for v in values])
    weighted = stratified_estimates(counts, mapped_pixels, mapped_pixels.sum() * 28.5**2 / 10_000)
    assert figures["stratified"]["overall_accuracy"] == pytest.approx(weighted["overall_accuracy"])
    assert figures["stratified"]["area"] == pytest.approx(weighted["area"])
    assert figures["stratified"]["area_ci"] == pytest.approx(weighted["area_ci"])


def _run(capsys, *args: str) -> tuple[int, dict]:
    code = cli.main([*args, "--events"])
    return code, json.loads(capsys.readouterr().out.splitlines()[-1])


def test_bad_reference_is_refused_clearly(capsys, worker, prediction, truth, tmp_path):
    sample = tmp_path / "sample.gpkg"
    assert _run(capsys, *worker_args("sample", prediction=prediction, output=sample, sample_size=20))[0] == 0
    assess_args = {"prediction": prediction, "output_dir": tmp_path / "report", "reference_field": "reference"}
    code, error = _run(capsys, *worker_args("assess", reference=sample, **assess_args))
    assert code == 2 and "The reference field 'reference' of sample.gpkg is empty on every feature" in error["message"]

    with fiona.open(sample) as src:
        schema, crs, features = src.schema, src.crs, list(src)

    def labelled(name: str, reference: str, shift: float = 0.0) -> Path:
        path = tmp_path / name
        with fiona.open(path, "w", driver="GPKG", schema=schema, crs=crs) as dst:
            for f in features:
                x, y = f.geometry["coordinates"]
                point = {"type": "Point", "coordinates": (x + shift, y)}
                dst.write({"geometry": point, "properties": {"id": f.properties["id"], "reference": reference}})
        return path

    code, error = _run(capsys, *worker_args("assess", reference=labelled("far.gpkg", "forest", 1e5), **assess_args))
    assert code == 2 and "No point of far.gpkg lies on the class raster prediction.tif" in error["message"]
    code, error = _run(capsys, *worker_args("assess", reference=labelled("urban.gpkg", "urban"), **assess_args))
    assert (
        code == 2
        and "Field 'reference' of urban.gpkg holds 'urban', which no class of the map is named" in error["message"]
    )
    assert "(its classes: 1 developed, 3 herbaceous," in error["message"]
    tens = tmp_path / "tens.tif"  # numbered 10, 20, … instead of 1, 2, …
    data, labelled_pixels = _read(truth)
    with rasterio.open(truth) as src, rasterio.open(tens, "w", **src.profile) as dst:
        dst.write(np.where(labelled_pixels, data * 10, src.nodata).astype(src.dtypes[0]), 1)
    code, error = _run(capsys, *worker_args("assess", prediction=prediction, reference=tens, output_dir=tmp_path / "r"))
    assert code == 2 and "The reference tens.tif holds the class values 10, 30, 40" in error["message"]
    assert "none of which is a class of the map (its classes: 1 developed, 3 herbaceous" in error["message"]
