"""A model folder's weights (issue 18): each save writes them under a name of their own and makes them the folder's
model by replacing model.json, which names them; weights model.json does not name are removed; folders written by
earlier versions (``model.safetensors``, named by no model.json entry) still load."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

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
