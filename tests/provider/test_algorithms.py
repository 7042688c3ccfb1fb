"""The Processing algorithms in real QGIS: processing.run, cancel through the feedback, errors, a
model chaining Train into Predict, and qgis_process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from qgis.core import QgsApplication, QgsProcessingException, QgsProcessingFeedback, QgsRasterLayer

from segmentation_trainer.provider.provider import SegmentationTrainerProvider
from segmentation_trainer.tasks.worker_env import _package_parent


@pytest.fixture(scope="module")
def processing(qgis_app):
    sys.path.append(str(Path(QgsApplication.pkgDataPath()) / "python" / "plugins"))  # QGIS's own plugins
    import processing
    from processing.core.Processing import Processing

    Processing.initialize()
    provider = SegmentationTrainerProvider()
    QgsApplication.processingRegistry().addProvider(provider)
    yield processing
    QgsApplication.processingRegistry().removeProvider(provider)


def train_parameters(crop, landcover, folder, **extra) -> dict:
    return {
        "RASTER": str(crop),
        "LABELS": str(landcover["strata"]),
        "EPOCHS": 1,
        "TILE_SIZE": 64,
        "ENCODER": "resnet18",
        "OUTPUT_DIR": str(folder),
        **extra,
    }


def test_train_then_predict_with_processing_run(processing, landcover, crop, tmp_path):
    from osgeo import gdal

    second = tmp_path / "second.tif"
    gdal.Translate(str(second), str(landcover["image"]), srcWin=[250, 200, 192, 192])
    parameters = train_parameters(crop, landcover, tmp_path / "model", BANDS="3,2,1")  # chosen, in that order
    trained = processing.run("segmentation_trainer:train", parameters | {"RASTER": [str(crop), str(second)]})
    assert trained["OUTPUT_DIR"] == str(tmp_path / "model") and 0.0 <= trained["BEST_MIOU"] <= 1.0
    meta = json.loads((tmp_path / "model" / "model.json").read_text())
    assert meta["encoder"] == "resnet18" and meta["tile_size"] == 64
    assert meta["train_config"]["raster"] == [str(crop), str(second)]  # two rasters, one label raster for both
    assert meta["bands"] == [3, 2, 1] and meta["in_channels"] == 3  # the 5-band crop predicts below as it is
    predicted = processing.run(
        "segmentation_trainer:predict",
        {
            "MODEL": trained["OUTPUT_DIR"],
            "RASTER": str(crop),
            "CONFIDENCE": True,
            "VECTORIZE": True,
            "OUTPUT": str(tmp_path / "prediction.tif"),
        },
    )
    assert predicted["OUTPUT"] == str(tmp_path / "prediction.tif")
    layer = QgsRasterLayer(predicted["OUTPUT"], "prediction")
    assert layer.isValid() and layer.width() == 192 and layer.height() == 192
    assert Path(predicted["CONFIDENCE_OUTPUT"]).is_file() and Path(predicted["POLYGONS"]).is_file()
    assert (tmp_path / "prediction.qml").is_file()  # QGIS styles the layer with class names and colours


def test_export_to_onnx_with_processing_run(processing, small_model, tmp_path):
    exported = processing.run(
        "segmentation_trainer:export_onnx",
        {"MODEL": str(small_model), "OUTPUT": str(tmp_path / "landcover.onnx"), "TILE_SIZE": 128},
    )
    assert exported["OUTPUT"] == str(tmp_path / "landcover.onnx") and Path(exported["OUTPUT"]).stat().st_size > 1e6
    with pytest.raises(QgsProcessingException, match="is not a model folder"):
        processing.run("segmentation_trainer:export_onnx", {"MODEL": str(tmp_path)})
    with pytest.raises(QgsProcessingException, match=r"ending in \.onnx"):
        processing.run(
            "segmentation_trainer:export_onnx", {"MODEL": str(small_model), "OUTPUT": str(tmp_path / "m.txt")}
        )


def test_predict_with_test_time_augmentation_and_uncertainty_rasters(processing, small_model, crop, tmp_path):
    """The choices by their index (Processing's enums): TTA "8 flips and rotations", uncertainty "entropy and
    margin"; both rasters are outputs of the algorithm, styled by their .qml."""
    from segmentation_trainer.core.common.config import TTA_MODES, UNCERTAINTIES

    predicted = processing.run(
        "segmentation_trainer:predict",
        {
            "MODEL": str(small_model),
            "RASTER": str(crop),
            "TTA": TTA_MODES.index("dihedral"),
            "UNCERTAINTY": UNCERTAINTIES.index("both"),
            "OUTPUT": str(tmp_path / "prediction.tif"),
        },
    )
    assert predicted["ENTROPY_OUTPUT"] == str(tmp_path / "prediction_entropy.tif")
    assert predicted["MARGIN_OUTPUT"] == str(tmp_path / "prediction_margin.tif")
    for name in ("entropy", "margin"):
        layer = QgsRasterLayer(predicted[f"{name.upper()}_OUTPUT"], name)
        assert layer.isValid() and layer.width() == 192 and layer.renderer().type() == "singlebandpseudocolor"
    assert predicted["CONFIDENCE_OUTPUT"] is None


def test_cancel_through_the_feedback_keeps_the_checkpoint(processing, landcover, crop, tmp_path):
    feedback = QgsProcessingFeedback()
    # cancelled at epoch 2's batch (one batch an epoch: 0.5 % each): the first epoch ended, its model is kept
    # (a cancel before the first epoch ends writes nothing)
    feedback.progressChanged.connect(lambda value: feedback.cancel() if value > 0.75 else None)
    with pytest.raises(QgsProcessingException, match="Training stopped after"):
        processing.run(
            "segmentation_trainer:train",
            train_parameters(crop, landcover, tmp_path / "model", EPOCHS=200),
            feedback=feedback,
        )
    assert json.loads((tmp_path / "model" / "model.json").read_text())["status"] == "cancelled"


def test_bad_settings_give_clear_errors(processing, landcover, crop, tmp_path):
    with pytest.raises(QgsProcessingException, match="LOSS_PARAMS is not valid JSON"):
        processing.run(
            "segmentation_trainer:train", train_parameters(crop, landcover, tmp_path / "a", LOSS_PARAMS="{gamma: 2")
        )
    with pytest.raises(QgsProcessingException, match="Unknown parameter"):
        processing.run(
            "segmentation_trainer:train",
            train_parameters(crop, landcover, tmp_path / "b", LOSS="focal", LOSS_PARAMS='{"delta": 2}'),
        )


def test_a_model_chains_train_into_predict(processing, landcover, crop, tmp_path):
    """The graphical modeler's wiring: Predict's MODEL is Train's OUTPUT_DIR output."""
    from qgis.core import (
        QgsProcessingModelAlgorithm,
        QgsProcessingModelChildAlgorithm,
        QgsProcessingModelChildParameterSource,
        QgsProcessingModelOutput,
    )

    model = QgsProcessingModelAlgorithm("train and predict", "tests")
    train = QgsProcessingModelChildAlgorithm("segmentation_trainer:train")
    train.setChildId("train")
    for name, value in train_parameters(crop, landcover, tmp_path / "model").items():
        train.addParameterSources(name, [QgsProcessingModelChildParameterSource.fromStaticValue(value)])
    model.addChildAlgorithm(train)
    predict = QgsProcessingModelChildAlgorithm("segmentation_trainer:predict")
    predict.setChildId("predict")
    predict.addParameterSources(
        "MODEL", [QgsProcessingModelChildParameterSource.fromChildOutput("train", "OUTPUT_DIR")]
    )
    predict.addParameterSources("RASTER", [QgsProcessingModelChildParameterSource.fromStaticValue(str(crop))])
    output = QgsProcessingModelOutput("prediction")
    output.setChildOutputName("OUTPUT")
    predict.setModelOutputs({"prediction": output})
    model.addChildAlgorithm(predict)
    assert model.dependsOnChildAlgorithms("predict") == {"train"}
    result = processing.run(model, {"predict:prediction": str(tmp_path / "chained.tif")})
    assert Path(result["predict:prediction"]).is_file()
    assert QgsRasterLayer(result["predict:prediction"], "p").isValid()


def test_qgis_process_runs_predict(small_model, landcover, tmp_path):
    """``qgis_process run segmentation_trainer:predict`` with the plugin found on QGIS_PLUGINPATH
    (Debian's ``qgis_process`` wrapper passes an option the 3.22 executable refuses: use the .bin)."""
    env = os.environ | {
        "QGIS_PLUGINPATH": _package_parent(),
        "XDG_DATA_HOME": str(tmp_path / "profile"),  # a profile of its own
        "QT_QPA_PLATFORM": "offscreen",
    }
    qgis_process = shutil.which("qgis_process.bin") or shutil.which("qgis_process")
    if qgis_process is None:
        pytest.skip("qgis_process is not on the PATH")
    enable = subprocess.run(
        [qgis_process, "plugins", "enable", "segmentation_trainer"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert enable.returncode == 0, enable.stdout + enable.stderr
    output = tmp_path / "qp.tif"
    run = subprocess.run(
        [
            qgis_process,
            "--json",
            "run",
            "segmentation_trainer:predict",
            "--",
            f"MODEL={small_model}",
            f"RASTER={landcover['image']}",
            f"OUTPUT={output}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert json.loads(run.stdout[run.stdout.index("{") :])["results"]["OUTPUT"] == str(output)
    assert QgsRasterLayer(str(output), "qp").isValid()


def test_compare_losses_writes_the_report_and_names_the_best(processing, landcover, crop, tmp_path):
    parameters = train_parameters(crop, landcover, tmp_path / "report", TILE_SIZE=32)
    parameters |= {"LOSSES": "ce_only, dice_dominant", "BASELINE": "dice_dominant", "RUNS": 2, "TEST_FRACTION": 0.3}
    result = processing.run("segmentation_trainer:compare", parameters)
    table = json.loads((tmp_path / "report" / "results.json").read_text())
    assert result["REPORT"] == str(tmp_path / "report" / "report.html") and Path(result["REPORT"]).is_file()
    assert (
        result["BEST_CONFIGURATION"] == table["best"] and result["BEST_MIOU"] == table["configurations"][0]["test_miou"]
    )
    assert table["settings"]["runs"] == 2 and table["settings"]["test_fraction"] == 0.3
    assert table["baseline"] == "dice_dominant" and {r["configuration"] for r in table["configurations"]} == {
        "ce_only",
        "dice_dominant",
    }
    assert json.loads(Path(result["BEST_RUN"]).read_text())["tile_size"] == 32
    with pytest.raises(QgsProcessingException, match="neither a study preset"):
        processing.run("segmentation_trainer:compare", parameters | {"LOSSES": "ce_only,dice_dominnat"})
    algorithm = QgsApplication.processingRegistry().algorithmById("segmentation_trainer:compare")
    assert algorithm.parameterDefinition("LOSS") is None and algorithm.parameterDefinition("EPOCHS") is not None


def test_sample_points_then_assess_them(processing, small_model, crop, tmp_path):
    """A stratified sample of a prediction, its points labelled in QGIS, then assessed."""
    from qgis.core import QgsPointXY, QgsVectorLayer

    predict = {"MODEL": str(small_model), "RASTER": str(crop), "OUTPUT": str(tmp_path / "p.tif")}
    prediction = processing.run("segmentation_trainer:predict", predict)["OUTPUT"]
    parameters = {"PREDICTION": prediction, "TARGET_STANDARD_ERROR": 0.05, "MIN_PER_CLASS": 5}
    sampled = processing.run("segmentation_trainer:sample", parameters | {"OUTPUT": str(tmp_path / "points.gpkg")})
    points = QgsVectorLayer(sampled["OUTPUT"], "points", "ogr")
    assert points.isValid() and points.featureCount() == sampled["POINTS"] >= 64  # (0.4 / 0.05)² points
    report = {"PREDICTION": prediction, "REFERENCE": sampled["OUTPUT"], "REFERENCE_FIELD": "reference"}
    with pytest.raises(QgsProcessingException, match=r"The reference field 'reference' of points\.gpkg is empty"):
        processing.run("segmentation_trainer:assess", report | {"OUTPUT_DIR": str(tmp_path / "unlabelled")})
    raster = QgsRasterLayer(prediction, "prediction")
    provider = raster.dataProvider()
    field = points.fields().indexOf("reference")
    assert points.startEditing()
    for feature in points.getFeatures():  # labelled with the map's own class: a perfect map
        value, found = provider.sample(QgsPointXY(feature.geometry().asPoint()), 1)
        assert found
        points.changeAttributeValue(feature.id(), field, str(int(value)))
    assert points.commitChanges()
    assessed = processing.run("segmentation_trainer:assess", report | {"OUTPUT_DIR": str(tmp_path / "report")})
    assert assessed["OVERALL_ACCURACY"] == 1.0 and assessed["KAPPA"] == 1.0
    assert Path(assessed["REPORT"]).is_file() and Path(assessed["MATRIX"]).is_file()
    figures = json.loads((tmp_path / "report" / "assessment.json").read_text())
    assert figures["sample"]["units"] == sampled["POINTS"] and figures["unit"] == "point"


@pytest.mark.parametrize(
    ("algorithm", "classes"),
    [
        ("train", ("TrainConfig",)),
        ("compare", ("TrainConfig", "CompareConfig")),
        ("predict", ("PredictConfig",)),
        ("sample", ("SampleConfig",)),
        ("assess", ("AssessConfig",)),
    ],
)
def test_parameters_follow_the_settings_declarations(processing, algorithm, classes):
    from qgis.core import QgsProcessingParameterDefinition

    from segmentation_trainer.core.common import config, schema

    definition = QgsApplication.processingRegistry().algorithmById(f"segmentation_trainer:{algorithm}")
    for cls in classes:
        for s in schema.settings_of(getattr(config, cls)).values():
            parameter = definition.parameterDefinition(s.processing_name)
            if s.source in schema.NOT_IN_FRONT_ENDS or (algorithm == "compare" and not s.in_comparison):
                assert parameter is None, s.name
                continue
            assert parameter is not None, s.name
            assert parameter.help(), s.name
            several = s.multiple and not s.processing_batch  # several layers per run, else one (batch mode)
            assert (parameter.type() == "multilayer") == several, s.name
            assert bool(parameter.flags() & QgsProcessingParameterDefinition.FlagAdvanced) == s.advanced, s.name
            if parameter.type() == "number":
                assert parameter.minimum() == (s.minimum if s.minimum is not None else parameter.minimum()), s.name
                assert parameter.defaultValue() == s.default, s.name
            if parameter.type() == "enum" and not s.optional:
                assert len(parameter.options()) == len(s.choices) and parameter.defaultValue() == s.choices.index(
                    s.default
                )
