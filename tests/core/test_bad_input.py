"""Bad input, damaged files and unusable output locations, given to the real worker command line: each is refused
with exit status 2 and a message naming the file, setting or value (issue 18), never "Unexpected error"; inputs
that can still be predicted (no CRS, all nodata, a tiny extent) finish with a warning where one is due."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import fiona
import numpy as np
import pytest
import rasterio
from rasterio.windows import Window
from worker_helpers import crop_raster, train_args, worker_args

from segmentation_trainer.core import cli
from segmentation_trainer.core.common.files import METADATA_FILE, METRICS_FILE, METRICS_TABLE, weights_file
from segmentation_trainer.core.data import label_raster
from segmentation_trainer.core.runtime.cancel import StopRequest

FAST = {"tile_size": 64, "encoder": "resnet18", "epochs": 1}


@pytest.fixture(scope="module")
def model(worker, landcover, landcover_crop, tmp_path_factory) -> Path:
    """A model trained for one epoch on the land-cover crop."""
    folder = tmp_path_factory.mktemp("model")
    code, events = worker(*train_args(landcover_crop, landcover["strata"], folder, **FAST))
    assert code == 0, events
    return folder


def _write_like(source: Path, target: Path, data: np.ndarray | None = None, **profile: object) -> Path:
    """A copy of ``source`` with other ``data`` and ``profile`` entries."""
    with rasterio.open(source) as src:
        values = src.read() if data is None else data
        with rasterio.open(target, "w", **(src.profile | profile)) as dst:
            dst.write(values)
    return target


def _polygons(source: Path, target: Path, layers: tuple[str, ...], first_id: int | None = None) -> Path:
    """``source``'s polygons written to a GeoPackage once per layer of ``layers``; the first feature's ``id`` set
    to ``first_id`` when given."""
    with fiona.open(source) as src:
        schema, crs, features = src.schema, src.crs, list(src)
    for layer in layers:
        with fiona.open(target, "w", driver="GPKG", layer=layer, schema=schema, crs=crs) as dst:
            for number, feature in enumerate(features):
                properties = dict(feature.properties)
                if number == 0 and first_id is not None:
                    properties["id"] = first_id
                dst.write({"geometry": dict(feature.geometry), "properties": properties})
    return target


def _damaged_model(model: Path, target: Path, name: str, change) -> Path:
    """A copy of the model folder ``model`` whose file ``name`` is given ``change(bytes) -> bytes``."""
    shutil.copytree(model, target)
    (target / name).write_bytes(change((target / name).read_bytes()))
    return target


def _halved(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _wrong_types(text: bytes) -> bytes:
    return json.dumps(json.loads(text) | {"in_channels": "five"}).encode()


@pytest.fixture(scope="module")
def bad(landcover, landcover_crop, model, tmp_path_factory) -> dict[str, Path]:
    """Every bad input of the cases, by name, with the good ones they go with (``crop``, ``strata``, ``model``)."""
    folder = tmp_path_factory.mktemp("bad")
    crop, polygons = landcover_crop, landcover["polygons"]
    with rasterio.open(crop) as src:
        image, nodata = src.read(), src.nodata
    nan_band = image.copy()
    nan_band[2] = np.nan
    (folder / "duplicate.json").write_text(json.dumps([{"value": 1, "name": "a"}, {"value": 1, "name": "b"}]))
    (folder / "colour.json").write_text(json.dumps([{"value": 1, "name": "forest", "color": "notacolor"}]))
    (folder / "list.json").write_text(json.dumps({"loss_params": [1], "raster": [str(crop)]}))
    (folder / "a_file").write_text("")
    (folder / "a_folder").mkdir()
    truncated = crop.read_bytes()
    (folder / "truncated.tif").write_bytes(truncated[: len(truncated) // 2])
    return {
        "crop": crop,
        "strata": landcover["strata"],
        "model": model,
        "duplicate": folder / "duplicate.json",
        "colour": folder / "colour.json",
        "list_json": folder / "list.json",
        "layers": _polygons(polygons, folder / "layers.gpkg", ("first", "second")),
        "big_class": _polygons(polygons, folder / "big_class.gpkg", ("labels",), first_id=70000),
        "one_pixel": crop_raster(crop, folder / "one_pixel.tif", Window(100, 100, 1, 1)),
        "all_nodata": _write_like(crop, folder / "all_nodata.tif", np.full_like(image, nodata)),
        "nan_band": _write_like(crop, folder / "nan_band.tif", nan_band),
        "truncated": folder / "truncated.tif",
        "truncated_weights": _damaged_model(model, folder / "weights", weights_file(model).name, _halved),
        "wrong_types": _damaged_model(model, folder / "types", METADATA_FILE, _wrong_types),
        "a_file": folder / "a_file",
        "a_folder": folder / "a_folder",
    }


TRAIN = ("train", "--raster", "{crop}", "--labels", "{strata}", "--output-dir", "{out}")
PREDICT = ("predict", "--model", "{model}", "--raster", "{crop}", "--output", "{out}/p.tif")
FAST_FLAGS = ("--tile-size", "64", "--encoder", "resnet18", "--epochs", "1")  # train and compare only

CASES = {
    "duplicate class value": ((*TRAIN, "--classes", "{duplicate}"), ["value 1", "'a' and 'b'"]),
    "bad colour": ((*TRAIN, "--classes", "{colour}"), ["'forest'", "'notacolor'", "#rrggbb"]),
    "labels of several layers": (
        ("train", "--raster", "{crop}", "--labels", "{layers}", "--class-field", "id", "--output-dir", "{out}"),
        ["layers.gpkg", "2 layers (first, second)", "--label-layer"],
    ),
    "area of several layers": ((*TRAIN, "--aoi", "{layers}"), ["area of interest file", "first, second", "--aoi-"]),
    "mask of several layers": ((*PREDICT, "--mask", "{layers}"), ["mask file", "first, second", "--mask-layer"]),
    "missing layer": (
        (*PREDICT, "--mask", "{layers}", "--mask-layer", "nope"),
        ["mask file", "no layer 'nope'", "first, second"],
    ),
    "class value out of range": (
        ("train", "--raster", "{crop}", "--labels", "{big_class}", "--class-field", "id", "--output-dir", "{out}"),
        ["Field 'id' of big_class.gpkg", "70000", "65534"],
    ),
    "truncated raster, train": (
        ("train", "--raster", "{truncated}", "--labels", "{strata}", "--output-dir", "{out}"),
        ["truncated.tif", "truncated or damaged"],
    ),
    "truncated raster, predict": (
        ("predict", "--model", "{model}", "--raster", "{truncated}", "--output", "{out}/p.tif"),
        ["truncated.tif", "truncated or damaged"],
    ),
    "truncated labels": (
        ("train", "--raster", "{crop}", "--labels", "{truncated}", "--output-dir", "{out}"),
        ["truncated.tif", "truncated or damaged"],
    ),
    "truncated weights": (
        ("predict", "--model", "{truncated_weights}", "--raster", "{crop}", "--output", "{out}/p.tif"),
        ["The weights file", "truncated or damaged"],
    ),
    "model.json of wrong types": (
        ("predict", "--model", "{wrong_types}", "--raster", "{crop}", "--output", "{out}/p.tif"),
        [METADATA_FILE, "in_channels is 'five', not a whole number"],
    ),
    "model folder that is a file": (
        ("train", "--raster", "{crop}", "--labels", "{strata}", "--output-dir", "{a_file}"),
        ["model folder", "a_file is a file"],
    ),
    "report folder inside a file": (
        ("compare", "--raster", "{crop}", "--labels", "{strata}", "--output-dir", "{a_file}/report"),
        ["report folder", "cannot be created", "a_file is a file"],
    ),
    "prediction that is a folder": (
        ("predict", "--model", "{model}", "--raster", "{crop}", "--output", "{a_folder}"),
        ["prediction", "a_folder is a folder"],
    ),
    "label raster that is a folder": (
        ("rasterize", "--raster", "{crop}", "--labels", "{strata}", "--output", "{a_folder}"),
        ["label raster", "a_folder is a folder"],
    ),
    "extent with NaN": ((*PREDICT, "--extent", "nan,0,1,1"), ["Extent", "finite", "NaN"]),
    "extent with infinity": ((*PREDICT, "--extent=-inf,0,1,1"), ["Extent", "finite", "infinity"]),
    "loss parameters as a list": ((*TRAIN, "--loss-params", "[1, 2]"), ["Loss parameters", "JSON object", "[1, 2]"]),
    "loss parameters as a list in a run JSON": (
        ("train", "--config", "{list_json}", "--labels", "{strata}", "--output-dir", "{out}"),
        ["Loss parameters", "JSON object", "[1]"],
    ),
    "loss parameter of a wrong type": (
        (*TRAIN, "--loss", "focal", "--loss-params", '{"gamma": "two"}'),
        ["gamma", "focal", "'two'"],
    ),
    "loss parameters not JSON": (
        (*TRAIN, "--loss-params", "{not json}"),
        ["--loss-params '{not json}' is not JSON", """e.g. --loss-params '{"gamma": 2.0}'"""],
    ),
    "1 x 1 raster": (
        ("train", "--raster", "{one_pixel}", "--labels", "{strata}", "--output-dir", "{out}"),
        ["one_pixel.tif is 1 x 1 pixels", "at least 32 x 32"],
    ),
    "all-nodata raster": (
        ("train", "--raster", "{all_nodata}", "--labels", "{strata}", "--output-dir", "{out}"),
        ["Every pixel of the raster", "all_nodata.tif", "nodata (value -99999)"],
    ),
    "all-NaN band": (
        ("train", "--raster", "{nan_band}", "--labels", "{strata}", "--output-dir", "{out}"),
        ["Band 3 of the raster", "nan_band.tif", "NaN everywhere"],
    ),
    "no loss named": (
        ("compare", "--raster", "{crop}", "--labels", "{strata}", "--output-dir", "{out}", "--losses", ","),
        ["Losses ','", "names no loss"],
    ),
    "binary loss in a multiclass comparison": (
        ("compare", "--raster", "{crop}", "--labels", "{strata}", "--output-dir", "{out}", "--losses", "binary_focal"),
        ["'binary_focal'", "nor a multiclass loss"],
    ),
}


def _filled(arg: str, places: dict[str, str]) -> str:
    """``arg`` with each ``{name}`` of ``places`` replaced by its path (JSON braces left alone)."""
    for name, path in places.items():
        arg = arg.replace("{" + name + "}", path)
    return arg


@pytest.mark.parametrize("case", CASES)
def test_bad_input_exits_2_naming_what_to_fix(worker, bad, tmp_path, case):
    args, words = CASES[case]
    places = {name: str(path) for name, path in bad.items()} | {"out": str(tmp_path / "out")}
    flags = FAST_FLAGS if args[0] in ("train", "compare") else ()
    code, events = worker(*(_filled(arg, places) for arg in args), *flags)
    assert code == 2, events
    assert events[-1]["event"] == "error" and "details" not in events[-1]
    for word in words:
        assert word in events[-1]["message"]
    assert not [p for p in (tmp_path / "out").rglob("*") if p.is_file()]  # nothing written


def test_a_prediction_without_crs_or_valid_pixel_warns(worker, bad, tmp_path):
    """Predicting still works, and says that the result has no CRS, or is all nodata."""
    no_crs = _write_like(bad["crop"], tmp_path / "no_crs.tif", crs=None)
    warnings = {}
    for raster in (no_crs, bad["all_nodata"]):
        output = tmp_path / f"{raster.stem}_prediction.tif"
        code, events = worker(*worker_args("predict", model=bad["model"], raster=raster, output=output))
        assert code == 0 and output.is_file(), events
        warnings[raster.stem] = " ".join(e["message"] for e in events if e.get("level") == "warning")
    assert "no_crs.tif has no coordinate reference system, so neither has its prediction" in warnings["no_crs"]
    assert "all_nodata.tif predicted is nodata" in warnings["all_nodata"]
    assert "is all nodata" in warnings["all_nodata"] and "all nodata" not in warnings["no_crs"]


@pytest.mark.parametrize("pixels", [1, 11, 16])
def test_a_tiny_extent_is_predicted(worker, bad, tmp_path, pixels):
    """A few pixels (a small rectangle drawn in the dock): a class raster without overviews, not a GDAL error."""
    with rasterio.open(bad["crop"]) as src:
        left, top = src.transform * (50, 50)
        right, bottom = src.transform * (50 + pixels, 50 + pixels)
    output = tmp_path / "tiny.tif"
    args = worker_args("predict", model=bad["model"], raster=bad["crop"], output=output)
    code, events = worker(*args, f"--extent={left},{bottom},{right},{top}")
    assert code == 0, events
    with rasterio.open(output) as prediction:
        assert prediction.shape == (pixels, pixels) and prediction.overviews(1) == []
        assert (prediction.read(1) != prediction.nodata).all()


def test_a_full_or_read_only_disk_is_refused_naming_the_file(worker, bad, disks):
    """A read-only model folder is refused before any data is read; a disk that fills up while the model or the
    prediction is written gives exit 2 naming the file, and nothing half-written is left (the metrics of the epoch
    that ended, written whole before its checkpoint, may be)."""
    code, events = worker(*train_args(bad["crop"], bad["strata"], disks["read_only"] / "model", **FAST))
    assert code == 2 and events == [{"event": "error", "message": events[-1]["message"]}]
    assert events[-1]["message"] == (
        f"Cannot use the model folder {disks['read_only'] / 'model'}: Read-only file system. Choose a folder on a "
        "writable disk."
    )
    code, events = worker(*train_args(bad["crop"], bad["strata"], disks["full"] / "model", **FAST))
    assert code == 2 and "No space left on device. Free some space" in events[-1]["message"]
    assert f"{disks['full'] / 'model'}/" in events[-1]["message"]  # the file that could not be written
    output = disks["full"] / "p.tif"
    args = worker_args("predict", model=bad["model"], raster=bad["crop"], output=output, probabilities=True)
    code, events = worker(*args)
    assert code == 2 and f"Cannot write {output}" in events[-1]["message"]
    assert "Free some space" in events[-1]["message"]
    assert [p for p in disks["full"].rglob("*") if p.is_file() and p.name not in (METRICS_FILE, METRICS_TABLE)] == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_a_read_only_model_folder_is_refused_before_the_data_is_read(worker, bad, tmp_path):
    folder = tmp_path / "read_only"
    folder.mkdir(mode=0o555)
    code, events = worker(*train_args(bad["crop"], bad["strata"], folder / "model", **FAST))
    assert code == 2 and events == [{"event": "error", "message": events[-1]["message"]}]
    assert "model folder" in events[-1]["message"] and "Permission denied" in events[-1]["message"]


@pytest.mark.parametrize(
    ("error", "words"),
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "labels.tif"), ["labels.tif", "Free some space"]),
        (OSError(errno.EROFS, os.strerror(errno.EROFS), "labels.tif"), ["labels.tif", "writable disk"]),
        (OSError(errno.EACCES, os.strerror(errno.EACCES), "labels.tif"), ["labels.tif", "ask for permission"]),
        (rasterio.errors.RasterioIOError("labels.tif: No space left on device"), ["No space left", "Free some space"]),
    ],
    ids=["full", "read-only", "no permission", "GDAL's full disk"],
)
def test_a_disk_refusing_a_write_midway_exits_2(bad, tmp_path, monkeypatch, capsys, error, words):
    """The disk fills up (or turns read-only) after the checks, while a file is written: exit 2, and the message
    says what to do (the worker's one conversion, ``disk_error``)."""

    def write_fails(*_args) -> None:
        raise error

    monkeypatch.setattr(label_raster, "write_label_raster", write_fails)
    monkeypatch.setattr(StopRequest, "install_signal_handlers", lambda _self: None)  # keep pytest's Ctrl-C
    args = worker_args("rasterize", raster=bad["crop"], labels=bad["strata"], output=tmp_path / "labels.tif")
    code = cli.main(args)
    message = capsys.readouterr().out
    assert code == 2 and "Unexpected" not in message
    for word in words:
        assert word in message
