"""Resumable training state: ``checkpoint.safetensors`` (model, optimizer and loss tensors) and
``checkpoint.json`` (epoch, history, scheduler, counters). No pickle anywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from ..common.errors import UserError

TENSORS = "checkpoint.safetensors"
STATE = "checkpoint.json"


def save_checkpoint(
    folder: Path, model: nn.Module, loss: nn.Module, optimizer: torch.optim.Optimizer, state: dict[str, Any]
) -> None:
    tensors = {f"model.{k}": v for k, v in model.state_dict().items()}
    tensors |= {f"loss.{k}": v for k, v in loss.state_dict().items()}
    optimizer_state = optimizer.state_dict()
    for index, values in optimizer_state["state"].items():
        for name, value in values.items():
            tensors[f"optimizer.{index}.{name}"] = torch.as_tensor(value)
    tensors = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    save_file(tensors, str(folder / (TENSORS + ".tmp")))
    (folder / (TENSORS + ".tmp")).replace(folder / TENSORS)
    full_state = state | {"optimizer_groups": optimizer_state["param_groups"]}
    (folder / (STATE + ".tmp")).write_text(json.dumps(full_state, indent=1), encoding="utf-8")
    (folder / (STATE + ".tmp")).replace(folder / STATE)


def load_checkpoint(
    folder: Path, model: nn.Module, loss: nn.Module, optimizer: torch.optim.Optimizer
) -> dict[str, Any]:
    """Restore the tensors in place; return the JSON state. A UserError if there is none or it does not fit."""
    if not (folder / TENSORS).is_file() or not (folder / STATE).is_file():
        raise UserError(f"There is no checkpoint to resume from in {folder}: train without resume first.")
    tensors = load_file(str(folder / TENSORS))
    state = json.loads((folder / STATE).read_text(encoding="utf-8"))
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
