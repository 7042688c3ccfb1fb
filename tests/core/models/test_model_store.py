"""A model folder's weights (issue 18): each save writes them under a name of their own and makes them the folder's
model by replacing model.json, which names them; weights model.json does not name are removed; folders written by
earlier versions (``model.safetensors``, named by no model.json entry) still load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.files import (
    METADATA_FILE,
    WEIGHTS_FILE,
    WEIGHTS_KEY,
    model_files,
    weights_file,
)
from segmentation_trainer.core.models.model_store import (
    load_model,
    remove_unused_weights,
    save_model,
    weights_digest,
)
from segmentation_trainer.core.models.networks import build_model

CLASSES = [{"value": v, "name": f"c{v}", "color": "#102030"} for v in (1, 2, 3)]
METADATA = {
    "architecture": "unet",
    "encoder": "resnet18",
    "in_channels": 3,
    "mode": "multiclass",
    "classes": CLASSES,
    "tile_size": 64,
    "normalization": {"method": "mean_std", "mean": [0] * 3, "std": [1] * 3},
}


@pytest.fixture(scope="module")
def network() -> torch.nn.Module:
    return build_model("unet", "resnet18", 3, len(CLASSES))


def weights_files(folder: Path) -> list[str]:
    """The names of every weights file in ``folder``, finished or not."""
    return sorted(p.name for p in folder.glob("model*.safetensors*"))


def test_each_save_names_its_weights_in_model_json_and_removes_the_earlier_ones(network, tmp_path):
    save_model(tmp_path, network, METADATA)
    first = weights_file(tmp_path)
    assert json.loads((tmp_path / METADATA_FILE).read_text())[WEIGHTS_KEY] == first.name
    assert first.name.startswith("model-") and weights_digest(tmp_path).startswith(first.name[6:-12])
    with torch.no_grad():
        next(network.parameters()).add_(1.0)
    save_model(tmp_path, network, METADATA)
    second = weights_file(tmp_path)
    assert second != first and weights_files(tmp_path) == [second.name]
    model, _ = load_model(tmp_path)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), network.state_dict().values()))


def test_weights_a_kill_kept_from_being_saved_are_not_the_model_and_are_removed(network, tmp_path):
    save_model(tmp_path, network, METADATA)
    named = weights_file(tmp_path)
    (tmp_path / "model-0123456789abcdef.safetensors").write_bytes(b"weights written, model.json not yet replaced")
    (tmp_path / "model-fedcba9876543210.safetensors.tmp").write_bytes(b"weights being written")
    load_model(tmp_path)
    remove_unused_weights(tmp_path)
    assert weights_files(tmp_path) == [named.name]


def test_a_model_folder_of_an_earlier_version_loads_then_gets_a_named_weights_file(network, tmp_path):
    save_model(tmp_path, network, METADATA)
    weights_file(tmp_path).rename(tmp_path / WEIGHTS_FILE)
    metadata = json.loads((tmp_path / METADATA_FILE).read_text())
    del metadata[WEIGHTS_KEY]
    (tmp_path / METADATA_FILE).write_text(json.dumps(metadata))
    assert weights_file(tmp_path) == model_files(tmp_path)["model weights"] == tmp_path / WEIGHTS_FILE
    load_model(tmp_path)
    save_model(tmp_path, network, METADATA)  # a resumed run saving a better epoch
    assert weights_files(tmp_path) == [weights_file(tmp_path).name] != [WEIGHTS_FILE]


def test_beside_a_damaged_model_json_no_weights_file_is_removed(network, tmp_path):
    save_model(tmp_path, network, METADATA)
    (tmp_path / "model-0123456789abcdef.safetensors").write_bytes(b"other weights")
    before = weights_files(tmp_path)
    text = (tmp_path / METADATA_FILE).read_text()
    (tmp_path / METADATA_FILE).write_text(text[: len(text) // 2])
    remove_unused_weights(tmp_path)
    assert weights_files(tmp_path) == before


@pytest.mark.parametrize("name", ["../other.safetensors", "sub/model.safetensors", "model.json", 3])
def test_model_json_names_only_a_weights_file_of_its_folder(name, tmp_path):
    (tmp_path / METADATA_FILE).write_text(json.dumps({WEIGHTS_KEY: name}))
    assert weights_file(tmp_path) == tmp_path / WEIGHTS_FILE


def test_a_loaded_model_holds_the_saved_weights_and_predicts_as_the_saved_one(network, tmp_path):
    """Built on the meta device and given the loaded tensors: every tensor is real, trainable and equal to the
    saved one, and the network's output is the same."""
    save_model(tmp_path, network, METADATA)
    model, _ = load_model(tmp_path)
    tensors = dict(model.named_parameters()) | dict(model.named_buffers())
    assert not any(t.is_meta for t in tensors.values())
    assert all(p.requires_grad for p in model.parameters())
    assert all(torch.equal(tensors[name], value) for name, value in network.state_dict().items())
    x = torch.randn(2, 3, 64, 64)
    with torch.no_grad():
        assert torch.equal(model.eval()(x), network.eval()(x))


class _WithUnsavedBuffer(torch.nn.Module):
    """A network holding a tensor its weights do not: a buffer that is not saved."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(3, 3, 1)
        self.register_buffer("scale", torch.full((1,), 2.0), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.conv(x) * self.scale


def test_a_network_with_an_unsaved_buffer_is_built_the_ordinary_way(tmp_path, monkeypatch):
    from segmentation_trainer.core.models import model_store

    monkeypatch.setattr(model_store, "build_model", lambda *shape: _WithUnsavedBuffer())
    save_model(tmp_path, _WithUnsavedBuffer(), METADATA)
    model, _ = load_model(tmp_path)
    assert not model.scale.is_meta and model.scale.item() == 2.0


def test_weights_that_do_not_fit_the_metadata_are_refused_by_name(network, tmp_path):
    save_model(tmp_path, network, METADATA)
    metadata = json.loads((tmp_path / METADATA_FILE).read_text())
    (tmp_path / METADATA_FILE).write_text(json.dumps(metadata | {"encoder": "resnet34"}))
    with pytest.raises(UserError, match="do not fit the model its metadata describes"):
        load_model(tmp_path)
