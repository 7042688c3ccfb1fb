"""Fine-tuning and continued runs: the network of the model a run continues, the encoder's learning rate
and its freezing for the first epochs.

A fine-tuning run (``init_model``) starts a new run from another model's weights; a resumed run
(``resume``) continues its own. Either way the network (architecture and encoder) is that of the model
continued: a setting left at its default takes the model's value, a different one set explicitly is
refused. The encoder's parameter group learns at ``learning_rate × encoder_lr_factor``; for the first
``freeze_encoder_epochs`` epochs it is not stepped (gradients still flow through it, so that DDP's
all-reduce sees the same parameters every step) and its batch-norm statistics are kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

from torch import nn

from ..common.config import TrainConfig
from ..common.errors import UserError
from ..common.files import METADATA_FILE
from ..common.schema import settings_of
from ..models.model_store import check_weights_file, read_metadata

NETWORK_SETTINGS = ("architecture", "encoder")


def continued_model(config: TrainConfig) -> dict[str, Any] | None:
    """The metadata of the model ``config`` continues: the parent (``init_model``), the run being resumed
    (the model folder's own model, when one was written), or None. Checked before any data is read: a model
    folder whose ``model.json`` or weights file is truncated or damaged is a UserError naming the file."""
    if config.init_model:
        folder = config.init_model
    elif config.resume and (Path(config.output_dir) / METADATA_FILE).is_file():
        folder = config.output_dir
    else:
        return None
    metadata = read_metadata(folder)
    check_weights_file(folder)
    return metadata


def with_network_of(config: TrainConfig, metadata: dict[str, Any], log: Callable[..., None]) -> TrainConfig:
    """``config`` with the architecture and encoder of the model it continues (``metadata``); one set to
    another value than its default and the model's is refused, naming both."""
    source = f"the model in {config.init_model}" if config.init_model else f"the run in {config.output_dir}"
    declared = settings_of(TrainConfig)
    taken = {}
    for name in NETWORK_SETTINGS:
        given, model_value = getattr(config, name), metadata[name]
        if given == model_value:
            continue
        if given != declared[name].default:
            raise UserError(
                f"{declared[name].label} {given!r} differs from {source}'s {model_value!r}: a continued run keeps "
                f"the network it starts from; choose {model_value!r}."
            )
        taken[name] = model_value
    if taken:
        log(f"Architecture and encoder of {source}: {metadata['architecture']}/{metadata['encoder']}.")
    return dataclasses.replace(config, **taken)


def parameter_groups(model: nn.Module, loss_fn: nn.Module, config: TrainConfig) -> list[dict[str, Any]]:
    """The optimizer's groups: the decoder, head and loss at the learning rate, then the encoder at the
    learning rate times ``encoder_lr_factor`` (the first group's rate is the one reported per epoch)."""
    encoder = list(model.encoder.parameters())
    own = {id(p) for p in encoder}
    others = [p for p in model.parameters() if id(p) not in own] + list(loss_fn.parameters())
    return [{"params": others}, {"params": encoder, "lr": config.learning_rate * config.encoder_lr_factor}]


@dataclasses.dataclass
class EncoderFreeze:
    """The encoder held fixed during the first ``epochs`` epochs: its weights are not stepped and its
    batch-norm layers use (and keep) their running statistics."""

    encoder: nn.Module
    epochs: int
    log: Callable[..., None]
    active: bool = False

    def start_epoch(self, epoch: int) -> None:
        """Freeze or unfreeze for ``epoch`` (counted from 1; a resumed run picks up where it stopped)."""
        active = epoch <= self.epochs
        if active and not self.active:
            epochs = f"Epoch {epoch}" if epoch == self.epochs else f"Epochs {epoch} to {self.epochs}"
            self.log(f"{epochs}: the encoder is frozen.")
        elif self.active and not active:
            self.log(f"Epoch {epoch}: the encoder is unfrozen.")
        self.active = active

    def hold(self) -> None:
        """After the network is set to training mode: the frozen encoder's batch norm stays in inference mode."""
        if self.active:
            self.encoder.eval()

    def drop_gradients(self) -> None:
        """Before clipping and the optimizer's step: a frozen encoder has no gradient, so it is not stepped."""
        if self.active:
            for parameter in self.encoder.parameters():
                parameter.grad = None
