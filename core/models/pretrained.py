"""Pretrained encoder weights: a local file, or the weights segmentation-models-pytorch publishes for
the encoder on the model hub, downloaded once into a cache and read from it afterwards.

``encoder_weights`` is ``auto`` (the encoder's ImageNet weights when it has some; random weights,
with a warning, when they cannot be had), ``none`` (random weights), a weights name of the encoder
(``imagenet``, ``advprop``, …: an error when they cannot be had) or a local ``.safetensors``/``.pth``
file. The cache is ``weights_cache``, else ``$SEGMENTATION_TRAINER_WEIGHTS`` (the plugin sets it to
a folder of the QGIS profile), else the hub's default cache. ``HF_ENDPOINT`` points at another hub
(the tests' stand-in); a hub that does not answer within ``CONNECT_TIMEOUT_S`` is reported, never
waited on.
"""

from __future__ import annotations

import io
import os
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from huggingface_hub import constants, hf_hub_download, hf_hub_url
from huggingface_hub.errors import HfHubHTTPError
from segmentation_models_pytorch.encoders import encoders as smp_encoders
from tqdm.auto import tqdm

from ..common.config import TrainConfig
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import WEIGHTS_CACHE_VARIABLE

AUTO, NONE = "auto", "none"
PREFERRED = "imagenet"
CONNECT_TIMEOUT_S = 10.0
WEIGHT_FILE_SUFFIXES = (".safetensors", ".pth", ".pt")
_NETWORK_ERRORS = (OSError, ValueError, HfHubHTTPError)  # offline, refused, timed out, not found


def weights_file(config: TrainConfig, events: EventWriter) -> str | None:
    """The file ``config.encoder_weights`` stands for (downloaded when needed), or None for random weights."""
    weights = config.encoder_weights or NONE
    if weights == NONE or (weights == AUTO and config.architecture == "attention_unet"):
        return None
    if weights != AUTO and (Path(weights).suffix in WEIGHT_FILE_SUFFIXES or os.sep in weights):
        return weights  # a local file: load_encoder_weights checks it
    available = smp_encoders.get(config.encoder, {}).get("pretrained_settings", {})
    name = (PREFERRED if PREFERRED in available else next(iter(available), None)) if weights == AUTO else weights
    if name not in available:
        if weights == AUTO:
            events.log(f"The encoder {config.encoder} has no pretrained weights: it starts from random weights.")
            return None
        offered = ", ".join(available) or "none"
        raise UserError(
            f"Encoder weights {weights!r} do not exist for {config.encoder} (it has: {offered}); "
            "give one of those, a local weights file, auto or none."
        )
    try:
        return str(_hub_file(config.encoder, name, available[name], cache_folder(config), events))
    except _NETWORK_ERRORS as exc:
        return _unavailable(config, name, weights, exc, events)


def cache_folder(config: TrainConfig) -> str:
    """Where downloaded weights are kept (see the module docstring)."""
    return config.weights_cache or os.environ.get(WEIGHTS_CACHE_VARIABLE) or constants.HF_HUB_CACHE


def _hub_file(encoder: str, name: str, settings: dict[str, Any], cache: str, events: EventWriter) -> Path:
    """The encoder's ``name`` weights from the cache, downloaded first when the cache lacks them."""
    where = {"repo_id": settings["repo_id"], "revision": settings["revision"], "cache_dir": cache}
    try:
        return Path(hf_hub_download(filename="model.safetensors", local_files_only=True, **where))
    except _NETWORK_ERRORS:
        pass  # not in the cache yet
    if constants.HF_HUB_OFFLINE:
        raise OSError("the hub is switched off")
    endpoint = os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
    _probe(hf_hub_url(settings["repo_id"], "config.json", revision=settings["revision"], endpoint=endpoint))
    events.log(f"Downloading the {name} weights of {encoder} from {endpoint} into {cache}…")
    started = time.monotonic()
    online = {"endpoint": endpoint, "etag_timeout": CONNECT_TIMEOUT_S, **where}
    hf_hub_download(filename="config.json", **online)
    path = hf_hub_download(filename="model.safetensors", tqdm_class=_progress(events, f"{encoder} {name}"), **online)
    events.log(f"Downloaded {Path(path).stat().st_size / 1e6:.1f} MB in {time.monotonic() - started:.0f} s.")
    return Path(path)


def _probe(url: str) -> None:
    """Raise OSError at once when the hub does not answer (the hub client would retry for 20 s or more)."""
    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=CONNECT_TIMEOUT_S).close()
    except urllib.error.HTTPError:
        pass  # it answered: the download reports what is wrong
    except ValueError as exc:  # a malformed endpoint
        raise OSError(str(exc)) from None


def _unavailable(config: TrainConfig, name: str, asked: str, exc: Exception, events: EventWriter) -> None:
    """What to do when the hub cannot be reached: random weights with a warning for ``auto``, else an error."""
    if constants.HF_HUB_OFFLINE:
        reason = "the hub is switched off (HF_HUB_OFFLINE=1)"
    else:
        endpoint = os.environ.get("HF_ENDPOINT") or constants.ENDPOINT
        reason = f"{endpoint} did not answer within {CONNECT_TIMEOUT_S:.0f} s or refused ({type(exc).__name__})"
    message = f"The {name} weights of {config.encoder} are not in the cache {cache_folder(config)} and {reason}."
    if asked == AUTO:
        events.log(message + " Training starts from random weights.", level="warning")
        return None
    raise UserError(
        message + " Connect to the internet and train again, give a local weights file, or set the encoder "
        "weights to none (random)."
    )


def _progress(events: EventWriter, what: str) -> type[tqdm]:
    """A progress bar class the hub client drives with the bytes received: progress events, nothing printed."""

    class DownloadProgress(tqdm):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **{**kwargs, "disable": False, "file": io.StringIO()})
            self.reported_at = 0.0

        def update(self, n: float | None = 1) -> bool | None:
            shown = super().update(n)
            now = time.monotonic()
            if self.total and (now - self.reported_at > 0.5 or self.n >= self.total):
                self.reported_at = now
                events.emit(
                    "progress", stage="download", what=what, fraction=min(1.0, self.n / self.total),
                    done_mb=round(self.n / 1e6, 1), total_mb=round(self.total / 1e6, 1),
                )  # fmt: skip
            return shown

    return DownloadProgress
