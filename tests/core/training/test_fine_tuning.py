"""Fine-tuning a trained model (issue 15) on the real land-cover sample (CPU, one or two small epochs)."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
import rasterio
import torch
from safetensors.torch import load_file
from worker_helpers import quiet, train_args, train_config

from segmentation_trainer.core.common.config import ClassInfo, CompareConfig, TrainConfig
from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.common.files import weights_file
from segmentation_trainer.core.common.schema import settings_of
from segmentation_trainer.core.models.checkpoint import TENSORS, read_checkpoint_state
from segmentation_trainer.core.models.model_store import load_parent, model_classes, read_metadata
from segmentation_trainer.core.runtime.cancel import StopRequest
from segmentation_trainer.core.training.loop import train

FAST = {"encoder": "resnet18", "learning_rate": 1e-3, "batch_size": 4, "tile_size": 64}
HEAD = "segmentation_head."


class EventLog:
    """An event writer whose log messages a test reads (``writer``); also a ``log`` callable."""

    def __init__(self) -> None:
        self.writer = EventWriter(io.StringIO(), as_json=True)

    def __call__(self, message: str, level: str = "info") -> None:
        self.writer.log(message, level)

    @property
    def messages(self) -> list[str]:
        events = [json.loads(line) for line in self.writer.stream.getvalue().splitlines()]
        return [e["message"] for e in events if e["event"] == "log"]


@pytest.fixture(scope="module")
def parent(landcover_crop, landcover, tmp_path_factory) -> Path:
    """A model trained for one epoch on the land-cover crop (5 bands, the strata's classes)."""
    folder = tmp_path_factory.mktemp("parent")
    train(train_config(landcover_crop, landcover["strata"], folder, epochs=1, **FAST), quiet(), StopRequest())
    return folder


def parent_weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_file(str(weights_file(folder)))


def last_weights(folder: Path) -> dict[str, torch.Tensor]:
    """The network's weights after the run's last epoch (the checkpoint's, not the best epoch's)."""
    return {k.removeprefix("model."): v for k, v in load_file(str(folder / TENSORS)).items() if k.startswith("model.")}


def same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor], prefix: str) -> list[bool]:
    """For each tensor whose name starts with ``prefix``: whether ``a`` and ``b`` hold exactly the same values."""
    names = [k for k in b if k.startswith(prefix)]
    assert names, prefix
    return [torch.equal(a[k], b[k]) for k in names]


def test_a_frozen_encoder_keeps_the_parents_weights_then_learns_at_its_own_rate(
    parent, landcover_crop, landcover, tmp_path
):
    """The run starts from the parent: after an epoch with the encoder frozen, the encoder (weights and batch-norm
    statistics) is exactly the parent's while the decoder has learned. Resumed for a second epoch, the encoder
    learns too, in a parameter group at the learning rate times the factor; model.json keeps the parent."""
    options = {"init_model": str(parent), "freeze_encoder_epochs": 1, "encoder_lr_factor": 0.1, **FAST}
    train(train_config(landcover_crop, landcover["strata"], tmp_path, epochs=1, **options), quiet(), StopRequest())
    start, after_first = parent_weights(parent), last_weights(tmp_path)
    assert all(same(after_first, start, "encoder."))
    assert not all(same(after_first, start, "decoder."))

    options |= {"init_model": None, "resume": True}
    train(train_config(landcover_crop, landcover["strata"], tmp_path, epochs=2, **options), quiet(), StopRequest())
    assert not any(same(last_weights(tmp_path), start, "encoder.conv1.weight"))
    groups = read_checkpoint_state(tmp_path)["optimizer_groups"]
    assert [g["lr"] for g in groups] == pytest.approx([1e-3, 1e-4])
    record = read_metadata(tmp_path)["parent"]
    digest = hashlib.sha256(weights_file(parent).read_bytes()).hexdigest()
    assert (record["path"], record["weights_sha256"], record["head"]) == (str(parent.resolve()), digest, "kept")


def test_the_same_classes_keep_the_head_and_others_reinitialise_it(parent):
    """Same class table: the whole parent, head included. A class renamed or dropped: a new head (a log line
    says so), the encoder and decoder weights kept."""
    metadata, start = read_metadata(parent), parent_weights(parent)
    classes, log = model_classes(metadata), EventLog()
    bands = list(range(1, metadata["in_channels"] + 1))
    model, record = load_parent(parent, bands, len(bands), "multiclass", classes, log)
    assert all(same(model.state_dict(), start, "")) and record["head"] == "kept"
    renamed = [ClassInfo(c.value, "water" if i == 0 else c.name) for i, c in enumerate(classes)]
    for other in (renamed, classes[:-1]):
        model, record = load_parent(parent, bands, len(bands), "multiclass", other, log)
        state = model.state_dict()
        assert all(same(state, start, "encoder.")) and all(same(state, start, "decoder."))
        assert not any(
            state[k].shape == start[k].shape and torch.equal(state[k], start[k]) for k in start if k.startswith(HEAD)
        )
        assert record["head"] == "reinitialised"
        assert "the segmentation head is re-initialised" in log.messages[-1]


def test_a_fine_tuning_run_with_a_renamed_class_says_the_head_is_new(parent, landcover_crop, landcover, tmp_path):
    classes = [c.__dict__ for c in model_classes(read_metadata(parent))]
    classes[0]["name"] = "water"
    events, options = EventLog(), {"init_model": str(parent), "classes": classes, **FAST}
    train(
        train_config(landcover_crop, landcover["strata"], tmp_path, epochs=1, **options), events.writer, StopRequest()
    )
    assert any("the segmentation head is re-initialised" in m for m in events.messages)
    assert read_metadata(tmp_path)["parent"]["head"] == "reinitialised"
    assert read_metadata(tmp_path)["classes"][0]["name"] == "water"


def test_a_model_with_other_bands_is_refused(worker, landcover_crop, landcover, tmp_path):
    """A model trained on 3 of the 5 bands: fine-tuning on the 5-band raster stops with both band counts."""
    three_bands = tmp_path / "three_bands.tif"
    with rasterio.open(landcover_crop) as src, rasterio.open(three_bands, "w", **(src.profile | {"count": 3})) as dst:
        dst.write(src.read([1, 2, 3]))
    train(train_config(three_bands, landcover["strata"], tmp_path / "rgb", epochs=1, **FAST), quiet(), StopRequest())
    args = train_args(landcover_crop, landcover["strata"], tmp_path / "out", init_model=tmp_path / "rgb", **FAST)
    code, events = worker(*args)
    assert code == 2
    assert "trained on 3 band(s) and this run reads 5" in events[-1]["message"]


def test_the_parents_bands_in_another_order_are_refused(parent, landcover_crop, landcover, tmp_path):
    """The parent read the crop's 5 bands in order: the same raster's bands reordered are refused, naming both."""
    options = FAST | {"init_model": str(parent), "bands": [5, 4, 3, 2, 1]}
    config = train_config(landcover_crop, landcover["strata"], tmp_path, epochs=1, **options)
    with pytest.raises(UserError, match="trained on bands 1, 2, 3, 4, 5 and this run reads bands 5, 4, 3, 2, 1"):
        train(config, quiet(), StopRequest())


def test_a_folder_without_a_model_is_refused(worker, landcover_crop, landcover, tmp_path):
    args = train_args(landcover_crop, landcover["strata"], tmp_path / "out", init_model=tmp_path, **FAST)
    code, events = worker(*args)
    assert code == 2
    assert f"{tmp_path} is not a model folder" in events[-1]["message"]


def test_another_network_than_the_parents_is_refused(parent, landcover_crop, landcover, tmp_path):
    """The architecture and encoder come from the parent; another one given explicitly is refused, naming both."""
    for name, value, parents in (("architecture", "deeplabv3plus", "unet"), ("encoder", "resnet50", "resnet18")):
        options = FAST | {name: value, "init_model": str(parent)}
        config = train_config(landcover_crop, landcover["strata"], tmp_path, epochs=1, **options)
        with pytest.raises(UserError, match=f"{value!r} differs from the model in .*'s {parents!r}"):
            train(config, quiet(), StopRequest())


def test_a_default_encoder_is_taken_from_the_parent(parent, landcover_crop, landcover, tmp_path):
    options = FAST | {"encoder": settings_of(TrainConfig)["encoder"].default, "init_model": str(parent)}
    events = EventLog()
    train(
        train_config(landcover_crop, landcover["strata"], tmp_path, epochs=1, **options), events.writer, StopRequest()
    )
    assert read_metadata(tmp_path)["encoder"] == "resnet18"
    assert any("unet/resnet18" in m for m in events.messages)


def test_fine_tuning_excludes_resuming_and_a_second_architecture(parent):
    with pytest.raises(UserError, match="Resume and Start from model exclude each other"):
        train_config("r.tif", "l.gpkg", "out", init_model=str(parent), resume=True)
    config = train_config("r.tif", "l.gpkg", "out", init_model=str(parent))
    with pytest.raises(UserError, match="Second architecture and Start from model exclude each other"):
        CompareConfig(train=config, second_architecture="deeplabv3plus")
