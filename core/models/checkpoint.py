"""Resumable training state in one file, ``checkpoint.safetensors``: the model, optimizer and loss tensors,
and in its metadata the JSON state (epoch, history, best epoch, scheduler, counters, the run's settings).
One file written atomically, so tensors and state always belong to the same epoch. No pickle anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from ..common.errors import UserError
from ..common.files import PREVIOUS_RUNS, replaced

TENSORS = "checkpoint.safetensors"
LEGACY_STATE = "checkpoint.json"  # the state's own file before it moved into TENSORS' metadata
STATE_KEY = "state"  # TENSORS' metadata entry holding the JSON state
WITHOUT_RESUME = (
    f"train without resume: a model already in the folder is then moved to its '{PREVIOUS_RUNS}' subfolder, "
    "never overwritten."
)
"""What to do when a run cannot be resumed."""


def save_checkpoint(
    folder: Path, model: nn.Module, loss: nn.Module, optimizer: torch.optim.Optimizer, state: dict[str, Any]
) -> None:
    """Write the tensors and ``state`` (plus the optimizer's parameter groups) as one file, atomically."""
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors |= {f"loss.{k}": v for k, v in loss.state_dict().items()}
    optimizer_state = optimizer.state_dict()
    for index, values in optimizer_state["state"].items():
        for name, value in values.items():
            tensors[f"optimizer.{index}.{name}"] = torch.as_tensor(value)
    tensors = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    full_state = state | {"optimizer_groups": optimizer_state["param_groups"]}
    with replaced(folder / TENSORS) as tmp:
        save_file(tensors, str(tmp), metadata={STATE_KEY: json.dumps(full_state)})
    (folder / LEGACY_STATE).unlink(missing_ok=True)  # an earlier version's state: not this checkpoint's


def read_checkpoint_state(folder: Path) -> dict[str, Any]:
    """The JSON state of the checkpoint in ``folder`` (no tensors read); a UserError when there is none or it
    cannot be read, saying that the model kept in the folder is safe."""
    path = folder / TENSORS
    if not path.is_file():
        raise UserError(f"There is no checkpoint to resume from in {folder}: {WITHOUT_RESUME}")
    try:
        with safe_open(str(path), framework="pt") as f:
            text = (f.metadata() or {}).get(STATE_KEY)
    except (SafetensorError, OSError) as exc:
        raise UserError(f"The checkpoint {path} cannot be read ({exc}): {WITHOUT_RESUME}") from None
    if text is None:
        raise UserError(
            f"The checkpoint {path} was written by an earlier version of the plugin and cannot be resumed: "
            f"{WITHOUT_RESUME}"
        )
    return json.loads(text)


def load_checkpoint(
    folder: Path, model: nn.Module, loss: nn.Module, optimizer: torch.optim.Optimizer
) -> dict[str, Any]:
    """Restore the tensors in place; return the JSON state. A UserError if there is none or it does not fit."""
    state = read_checkpoint_state(folder)
    tensors = load_file(str(folder / TENSORS))
    try:
        model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        loss.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("loss.")})
    except RuntimeError as exc:
        raise UserError(f"The checkpoint in {folder} was made with other settings (model or loss): {exc}") from None
    optimizer_state: dict[str, Any] = {"state": {}, "param_groups": state.pop("optimizer_groups")}
    for key, value in tensors.items():
        if key.startswith("optimizer."):
            _, index, name = key.split(".", 2)
            optimizer_state["state"].setdefault(int(index), {})[name] = value
    try:
        optimizer.load_state_dict(optimizer_state)
    except ValueError as exc:  # other parameter groups: a checkpoint of an earlier version, or other settings
        raise UserError(f"The checkpoint in {folder} does not fit this run's optimizer: {exc}") from None
    return state
