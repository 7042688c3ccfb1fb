"""Pretrained encoder weights through the real download path, served by a stand-in hub on 127.0.0.1
(tests/hub_stub.py): download with progress into the cache, the cache reused without the hub, auto
falling back to random weights and an explicit name refused, promptly, when the hub is unreachable."""

from __future__ import annotations

import io
import json
import time

import pytest
import torch
from hub_stub import HubStub
from huggingface_hub import constants
from safetensors.torch import save
from segmentation_models_pytorch.encoders import encoders, get_encoder
from worker_helpers import train_args, train_config

from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.models import pretrained
from segmentation_trainer.core.models.networks import _adapt_first_conv, build_model

ENCODER = "resnet18"
SETTINGS = encoders[ENCODER]["pretrained_settings"]["imagenet"]
PREFIX = f"{SETTINGS['repo_id']}/resolve/{SETTINGS['revision']}"
PROMPT_S = 20  # an unreachable hub is reported well before the hub client's own ~25 s of retries


@pytest.fixture(scope="module")
def served_state():
    torch.manual_seed(0)
    return {k: v.contiguous() for k, v in get_encoder(ENCODER, weights=None).state_dict().items()}


@pytest.fixture
def hub(served_state, monkeypatch):
    files = {f"{PREFIX}/config.json": b"{}", f"{PREFIX}/model.safetensors": save(served_state)}
    with HubStub(files) as stub:
        monkeypatch.setenv("HF_ENDPOINT", stub.url)
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
        yield stub


def _config(tmp_path, weights: str, **options):
    return train_config("r.tif", "l.tif", tmp_path / "m", encoder=ENCODER, encoder_weights=weights,
                        weights_cache=str(tmp_path / "cache"), **options)  # fmt: skip


def _events():
    stream = io.StringIO()
    return EventWriter(stream, as_json=True), lambda: [json.loads(line) for line in stream.getvalue().splitlines()]


def test_weights_are_downloaded_with_progress_then_read_from_the_cache(hub, served_state, tmp_path):
    events, emitted = _events()
    path = pretrained.weights_file(_config(tmp_path, "imagenet"), events)
    assert path.startswith(str(tmp_path / "cache")) and hub.downloads == [
        f"{PREFIX}/config.json",
        f"{PREFIX}/model.safetensors",
    ]
    progress = [e for e in emitted() if e["event"] == "progress"]
    assert progress and progress[-1]["stage"] == "download" and progress[-1]["fraction"] == 1.0
    assert any("Downloading the imagenet weights of resnet18" in e.get("message", "") for e in emitted())
    model = build_model("unet", ENCODER, 5, 3, path)
    first = model.encoder.state_dict()["conv1.weight"]
    assert torch.equal(first, _adapt_first_conv(served_state["conv1.weight"], 5))  # 3 RGB filters → 5 bands
    assert torch.equal(model.encoder.state_dict()["layer4.1.bn2.weight"], served_state["layer4.1.bn2.weight"])
    hub.stop()
    again, _ = _events()
    assert pretrained.weights_file(_config(tmp_path, "auto"), again) == path  # from the cache, the hub gone


def test_auto_falls_back_to_random_weights_with_a_warning_when_the_hub_is_unreachable(hub, tmp_path):
    hub.stop()
    events, emitted = _events()
    started = time.monotonic()
    assert pretrained.weights_file(_config(tmp_path, "auto"), events) is None
    assert time.monotonic() - started < PROMPT_S
    warning = next(e for e in emitted() if e.get("level") == "warning")["message"]
    assert "imagenet weights of resnet18" in warning and hub.url in warning and "random weights" in warning


def test_an_explicit_name_is_refused_promptly_when_the_hub_is_unreachable(hub, tmp_path):
    hub.stop()
    started = time.monotonic()
    with pytest.raises(UserError, match=r"did not answer.*Connect to the internet.*local weights file"):
        pretrained.weights_file(_config(tmp_path, "imagenet"), _events()[0])
    assert time.monotonic() - started < PROMPT_S


def test_offline_mode_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(UserError, match="HF_HUB_OFFLINE=1"):
        pretrained.weights_file(_config(tmp_path, "imagenet"), _events()[0])


@pytest.mark.parametrize(
    ("weights", "options", "expected"),
    [("none", {}, None), ("auto", {"architecture": "attention_unet"}, None), ("w/encoder.pth", {}, "w/encoder.pth")],
)
def test_no_download_is_needed(tmp_path, weights, options, expected):
    assert pretrained.weights_file(_config(tmp_path, weights, **options), _events()[0]) == expected


def test_unknown_weights_name_lists_the_encoders_weights(tmp_path):
    with pytest.raises(UserError, match=r"'instagram' do not exist for resnet18 \(it has: imagenet, ssl, swsl\)"):
        pretrained.weights_file(_config(tmp_path, "instagram"), _events()[0])


def test_the_worker_downloads_the_weights_it_trains_from(hub, worker, landcover, landcover_crop, tmp_path):
    args = train_args(landcover_crop, landcover["strata"], tmp_path / "model", encoder=ENCODER, epochs=1,
                      tile_size=64, encoder_weights="imagenet", weights_cache=tmp_path / "cache")  # fmt: skip
    code, events = worker(*args, env={"HF_ENDPOINT": hub.url, "HF_HUB_OFFLINE": "0"})
    assert code == 0, events[-1]
    assert any(e["event"] == "progress" and e.get("stage") == "download" for e in events)
    assert f"{PREFIX}/model.safetensors" in hub.downloads
    assert any(str(tmp_path / "cache") in e.get("message", "") for e in events if e["event"] == "log")


def test_a_terminal_shows_the_download_progress(hub, tmp_path):
    stream = io.StringIO()
    pretrained.weights_file(_config(tmp_path, "imagenet"), EventWriter(stream))
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("Downloading the imagenet weights of resnet18 from http://127.0.0.1:")
    assert any(line.startswith("downloading resnet18 imagenet: ") and line.endswith(" MB") for line in lines)
