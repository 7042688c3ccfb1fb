"""A resumed run (``resume``) continues the run in its model folder with that run's settings, as its checkpoint
recorded them: the settings of ``RESUME_SETTINGS`` (epochs, early stopping, batch size, device…) may change and
the change applies; any other change (architecture, encoder, mode, loss and its parameters, learning rate, tile
size, bands, classes, the raster and labels…) is refused before the data are read, naming every changed setting
with its value in the run and the value given now."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..common.config import RESUME_SETTINGS, TrainConfig, config_to_dict
from ..common.errors import UserError
from ..common.schema import FILE, FOLDER, LAYER_SOURCES, OUTPUT_FOLDER, Setting, settings_of
from ..models.checkpoint import WITHOUT_RESUME, read_checkpoint_state

PATH_SOURCES = (*LAYER_SOURCES, FILE, FOLDER, OUTPUT_FOLDER)
"""Settings holding a path: another spelling of the same path is no change."""
STARTING = ("resume", "init_model")
"""How a run starts, not what it trains: never compared (a resumed fine-tuning run gives no init_model; its
parent stays recorded in model.json)."""


def check_resume(config: TrainConfig, log: Callable[..., None]) -> None:
    """Compare ``config`` with the settings of the run its checkpoint holds: log the changes that may apply,
    refuse the others (a UserError naming each, with both values)."""
    saved = read_checkpoint_state(Path(config.output_dir))["train_config"]
    changes = {k: v for k, v in changed_settings(saved, config_to_dict(config)).items() if k not in STARTING}
    refused = [text for name, text in changes.items() if name not in RESUME_SETTINGS]
    if refused:
        raise UserError(
            f"Resume continues the run in {config.output_dir} with its settings, and these differ from it: "
            f"{'; '.join(refused)}. Give the run's values (its settings are model.json's train_config), or "
            f"{WITHOUT_RESUME} Only these may change on resume: {_labels(RESUME_SETTINGS)}."
        )
    if changes:
        log(f"Resuming with changed settings: {'; '.join(changes.values())}.")


def changed_settings(saved: dict[str, Any], given: dict[str, Any]) -> dict[str, str]:
    """The declared settings whose value in ``given`` differs from ``saved`` (a run's ``train_config``), by name:
    a text naming the setting and both values. Settings the saved run did not record are not compared."""
    changes = {}
    for name, s in settings_of(TrainConfig).items():
        if name not in saved or _comparable(s, saved[name]) == _comparable(s, given[name]):
            continue
        changes[name] = f"{s.label} {saved[name]!r} in the run, {given[name]!r} now"
    return changes


def _comparable(s: Setting, value: Any) -> Any:
    """``value`` as compared: paths resolved (links, relative spellings); one path or a list of them alike."""
    if s.source not in PATH_SOURCES or not value:
        return value
    if s.multiple:
        return [os.path.realpath(v) for v in ([value] if isinstance(value, str) else value)]
    return os.path.realpath(value) if isinstance(value, str) else value


def _labels(names: tuple[str, ...]) -> str:
    declared = settings_of(TrainConfig)
    return ", ".join(declared[name].label.lower() for name in names)
