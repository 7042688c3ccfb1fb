"""ONNX export for Deepness on the real land-cover sample: the metadata as Deepness parses it, Deepness's input
convention against PyTorch, prediction from the ONNX file through the worker without PyTorch against the model
folder's, and bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import rasterio
import torch
from rasterio.windows import Window
from worker_helpers import quiet, worker_args

from segmentation_trainer.core import cli
from segmentation_trainer.core.common.config import PredictConfig
from segmentation_trainer.core.common.files import METADATA_FILE, weights_file
from segmentation_trainer.core.data.normalization import normalize
from segmentation_trainer.core.data.rasters import valid_pixels
from segmentation_trainer.core.export import onnx_export
from segmentation_trainer.core.export.graph import DeepnessGraph
from segmentation_trainer.core.export.onnx_file import METADATA_KEY, MODEL_KEYS
from segmentation_trainer.core.inference.prediction import predict
from segmentation_trainer.core.models.model_store import load_model
from segmentation_trainer.core.models.networks import class_probabilities
from segmentation_trainer.core.runtime.cancel import StopRequest

TILE, MARGIN = 256, 64
AGREEMENT = 0.999
WITHOUT_TORCH = ("torch", "torchvision", "segmentation_models_pytorch", "safetensors")
NO_TORCH = (
    "import sys\n"
    f"sys.modules.update(dict.fromkeys({WITHOUT_TORCH!r}))  # importing any of them now fails\n"
    "from segmentation_trainer.core.cli import main\n"
    "code = main(sys.argv[1:])\n"
    f"assert not set({WITHOUT_TORCH!r}) & {{m for m, v in sys.modules.items() if v is not None}}\n"
    "sys.exit(code)\n"
)
"""The worker's command line in a Python where PyTorch cannot be imported (a machine without it)."""


@pytest.fixture(scope="module")
def exported(worker, small_model, tmp_path_factory):
    """``small_model`` exported by the worker with Deepness tiles of ``TILE`` px; the file and the result event."""
    path = tmp_path_factory.mktemp("onnx") / "landcover.onnx"
    code, events = worker(*worker_args("export-onnx", model=small_model, output=path, tile_size=TILE, margin=MARGIN))
    assert code == 0, events
    return path, events[-1]


def deepness_metadata(path) -> dict[str, object]:
    """The metadata as Deepness reads it (``model_base.py``): ONNX Runtime's custom map, each value JSON."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return {k: json.loads(v) for k, v in session.get_modelmeta().custom_metadata_map.items()}


def test_the_metadata_round_trips_as_deepness_parses_it(exported, small_model):
    path, result = exported
    model_json = json.loads((small_model / METADATA_FILE).read_text())
    meta = deepness_metadata(path)
    assert str(meta["model_type"]).capitalize() == "Segmentor"
    names = sorted(meta["class_names"].items(), key=lambda kv: int(kv[0]))  # Deepness's order, from 0
    assert [int(k) for k, _ in names] == list(range(len(model_json["classes"])))
    assert [name for _, name in names] == [c["name"] for c in model_json["classes"]]
    assert float(meta["resolution"]) == pytest.approx(2850.0)  # 28.5 m pixels (EPSG:32119, metres)
    assert int(meta["tile_size"]) == TILE and int(meta["tiles_overlap"]) == 25  # 64 px of 256
    assert meta["standardization_mean"] == [0.0] * 5 and meta["standardization_std"] == [1.0] * 5
    assert float(meta["seg_thresh"]) == 0.0 and int(meta["seg_small_segment"]) == 0
    assert meta[METADATA_KEY] == {key: model_json.get(key) for key in MODEL_KEYS}
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert session.get_inputs()[0].shape == ["batch", 5, TILE, TILE]  # Deepness takes its tile from the input
    assert session.get_outputs()[0].shape == ["batch", 7, TILE, TILE]
    model = onnx.load(str(path))
    assert model.ir_version <= 8 and max(o.version for o in model.opset_import if o.domain == "") <= 17
    assert result["onnx"] == str(path) and result["tile_size"] == TILE and result["resolution_cm"] == 2850.0


def test_deepness_input_gives_the_pytorch_probabilities(exported, small_model, landcover):
    """A tile with the image's nodata border, fed as Deepness feeds it (band values / 255, nodata included), to the
    file as it is: the probabilities of the model folder's network on the normalized tile."""
    path, _ = exported
    with rasterio.open(landcover["image"]) as src:
        raw = src.read(window=Window(0, 0, TILE, TILE), out_dtype="float32")
        nodata = src.nodata
    valid = valid_pixels(raw, nodata)
    assert 0 < valid.sum() < valid.size  # the tile holds nodata pixels
    deepness = np.float32(raw[None] * (1.0 / 255.0))  # Deepness's preprocessing_utils.normalize_values_to_01
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    onnx_probs = session.run(None, {"input": deepness})[0][0]
    network, metadata = load_model(small_model)
    x = torch.from_numpy(normalize(raw.copy(), valid, metadata["normalization"])[None])
    with torch.no_grad():
        torch_probs = class_probabilities(network.eval()(x), metadata["mode"])[0].numpy()
    assert np.abs(onnx_probs - torch_probs).max() < 1e-4
    assert (onnx_probs.argmax(0) == torch_probs.argmax(0)).mean() >= AGREEMENT


def test_onnx_prediction_without_pytorch_gives_the_model_folders(exported, small_model, landcover, tmp_path):
    """The worker predicts the sample from the ONNX file where PyTorch cannot be imported, with the model folder's
    tiling (tiles of 128 px sharing 64, blended), and agrees with the model folder's prediction."""
    path, _ = exported
    options = {"raster": str(landcover["image"]), "tile_size": 128, "margin": MARGIN, "probabilities": True}
    args = worker_args("predict", model=path, output=tmp_path / "onnx.tif", **options)
    completed = subprocess.run(
        [sys.executable, "-c", NO_TORCH, *args, "--events"],
        capture_output=True,
        text=True,
        timeout=600,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    events = [json.loads(line) for line in completed.stdout.splitlines()]
    assert any("ONNX Runtime" in e.get("message", "") for e in events)
    predict(
        PredictConfig(model_dir=str(small_model), output=str(tmp_path / "torch.tif"), device="cpu", **options),
        quiet(),
        StopRequest(),
    )
    with rasterio.open(tmp_path / "onnx.tif") as a, rasterio.open(tmp_path / "torch.tif") as b:
        onnx_classes, torch_classes = a.read(1), b.read(1)
        assert a.profile == b.profile and a.colormap(1) == b.colormap(1) and a.tags(1) == b.tags(1)
    probabilities = [tmp_path / f"{name}_probabilities.tif" for name in ("onnx", "torch")]
    with rasterio.open(probabilities[0]) as a, rasterio.open(probabilities[1]) as b:
        difference = np.abs(a.read() - b.read()).max()
    agreement = (onnx_classes == torch_classes).mean()
    print(f"ONNX Runtime and PyTorch: {agreement:.4%} of {onnx_classes.size} px agree, probabilities {difference:.1e}")
    assert agreement >= AGREEMENT and difference < 1e-4
    assert ((onnx_classes == 255) == (torch_classes == 255)).all()  # the same nodata
    assert (tmp_path / "onnx.qml").read_text() == (tmp_path / "torch.qml").read_text()


@pytest.mark.parametrize("method", ["mean_std", "percentile"])
def test_the_graph_normalizes_as_predict_does(method):
    """Band values / 255 with NaN and the nodata value in: the network sees ``normalize``'s input."""
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 300, (2, 3, 16, 16)).astype(np.float32)
    raw[0, 1, 2, 3], raw[1, :, 5, 5], raw[1, 2, 7, 1] = np.nan, -99999.0, -99999.0
    stats = {"method": "mean_std", "mean": [90.0, 80.0, 70.0], "std": [20.0, 30.0, 40.0]}
    if method == "percentile":
        stats = {"method": "percentile", "low": [10.0, 20.0, 30.0], "high": [200.0, 250.0, 220.0]}
    seen = []
    network = torch.nn.Identity()
    network.register_forward_hook(lambda _m, inputs, _out: seen.append(inputs[0]))
    graph = DeepnessGraph(network, {"normalization": stats, "nodata": -99999.0, "mode": "multiclass"})
    graph(torch.from_numpy(np.float32(raw * (1.0 / 255.0))))
    expected = np.stack([normalize(tile.copy(), valid_pixels(tile, -99999.0), stats) for tile in raw])
    assert np.abs(seen[0].numpy() - expected).max() < 1e-4


def _damaged(model, target, name: str, content: bytes | None):
    """A copy of the model folder ``model`` whose file ``name`` holds ``content`` (None: removed)."""
    shutil.copytree(model, target)
    if content is None:
        (target / name).unlink()
    else:
        (target / name).write_bytes(content)
    return target


@pytest.fixture
def cli_main(monkeypatch, capfd):
    """``cli.main`` in this process: the exit status and what it printed (standard error after a newline)."""
    monkeypatch.setattr(StopRequest, "install_signal_handlers", lambda _self: None)  # keep pytest's Ctrl-C

    def run(*args) -> tuple[int, str]:
        code = cli.main([str(a) for a in args])
        out, err = capfd.readouterr()
        return code, f"{out}\n{err}"

    return run


def test_a_model_folder_that_cannot_be_exported_exits_2(small_model, tmp_path, cli_main):
    weights = weights_file(small_model)
    cases = {
        "truncated weights": (
            _damaged(small_model, tmp_path / "a", weights.name, weights.read_bytes()[:1000]),
            "truncated",
        ),
        "no weights": (_damaged(small_model, tmp_path / "b", weights.name, None), "is not a model folder"),
        "unknown architecture": (
            _damaged(
                small_model,
                tmp_path / "c",
                METADATA_FILE,
                (small_model / METADATA_FILE).read_bytes().replace(b'"unet"', b'"segformer"'),
            ),
            "Unknown architecture 'segformer'",
        ),
    }
    for case, (folder, words) in cases.items():
        code, out = cli_main("export-onnx", "--model", folder)
        assert code == 2 and words in out and "Unexpected" not in out, (case, out)
        assert not (folder / "model.onnx").exists()
    code, out = cli_main("export-onnx", "--model", small_model, "--output", tmp_path / "model.pt")
    assert code == 2 and "ending in .onnx" in out


def test_a_network_the_exporter_cannot_handle_exits_2(small_model, tmp_path, cli_main, monkeypatch):
    """An operation ONNX opset 17 lacks (an FFT) in the network: exit 2, naming the model, the operation and what
    to do; nothing written."""

    class WithFft(torch.nn.Module):
        def __init__(self, network: torch.nn.Module) -> None:
            super().__init__()
            self.network = network

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.network(x) + torch.fft.fft2(x).abs().mean()

    def load(model_dir):
        network, metadata = load_model(model_dir)
        return WithFft(network), metadata

    monkeypatch.setattr(onnx_export, "load_model", load)
    code, out = cli_main("export-onnx", "--model", small_model, "--output", tmp_path / "m.onnx")
    assert code == 2 and "Unexpected" not in out
    assert len(out.splitlines()) < 5  # not the exporter's graph dump
    for words in (str(small_model), "unet/resnet18", "cannot be exported to ONNX", "fft_fft2", "Predict with"):
        assert words in out
    assert not list(tmp_path.iterdir())


def test_an_onnx_file_that_cannot_be_predicted_with_exits_2(landcover_crop, tmp_path, cli_main):
    garbage, foreign = tmp_path / "garbage.onnx", tmp_path / "foreign.onnx"
    garbage.write_bytes(b"\x08\x01\x12\xff" * 50)
    graph = onnx.helper.make_graph(
        [onnx.helper.make_node("Identity", ["x"], ["y"])],
        "foreign",
        [onnx.helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1, 5, 32, 32])],
        [onnx.helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1, 5, 32, 32])],
    )
    onnx.save(onnx.helper.make_model(graph), str(foreign))
    cases = {
        garbage: "cannot be read",
        foreign: "was not written by this plugin's Export to ONNX",
        tmp_path / "missing.onnx": "does not exist",
    }
    for model, words in cases.items():
        code, out = cli_main("predict", "--model", model, "--raster", landcover_crop, "--output", tmp_path / "p.tif")
        assert code == 2 and words in out and str(model) in out, out
    assert not (tmp_path / "p.tif").exists()
