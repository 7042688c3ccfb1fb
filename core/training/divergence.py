"""A diverging run stops at once: a training loss or gradient norm that is NaN or infinite (checked at every
step), weights that are (checked after every epoch's training), or a validation loss that is (weights still finite
but so large that the network's outputs overflow). All are checked before the epoch can be saved, so the model kept
on disk is never a diverged one; the message names the likely causes (``divergence_message``).
"""

from __future__ import annotations

import json
import math

import torch

from ..common.config import TrainConfig
from ..common.errors import UserError
from ..common.schema import settings_of
from ..models.model_store import non_finite_values


class DivergenceError(Exception):
    """The training diverged; the text says what became non-finite, and where (epoch, batch)."""


class DivergedRunError(UserError):
    """What ends a diverged run for the user (exit 2): ``divergence_message``'s text. A loss comparison records the
    configuration as diverged and goes on with the next."""


def check_step(loss: float, norm: float, scaled: bool, epoch: int, batch: int) -> None:
    """Raise DivergenceError when a step's loss, or its gradient norm, is not finite. With fp16's gradient
    scaling (``scaled``) an infinite norm is expected now and then: the scaler skips that step."""
    if not math.isfinite(loss):
        raise DivergenceError(f"the training loss became {loss} at epoch {epoch}, batch {batch}")
    if not scaled and not math.isfinite(norm):
        raise DivergenceError(f"the gradients became {norm} at epoch {epoch}, batch {batch}")


def check_validation_loss(loss: float | None, epoch: int) -> None:
    """Raise DivergenceError when the epoch's validation loss (None: not computed) is not finite."""
    if loss is not None and not math.isfinite(loss):
        raise DivergenceError(f"the validation loss became {loss} at epoch {epoch}")


def check_weights(modules: list[torch.nn.Module], epoch: int) -> None:
    """Raise DivergenceError when any weight or buffer of ``modules`` (the network, the loss) is not finite."""
    bad, total = non_finite_values([t for m in modules for t in m.state_dict().values()])
    if bad:
        raise DivergenceError(f"{bad:,} of the {total:,} weights became NaN or infinite in epoch {epoch}")


def divergence_message(error: DivergenceError, config: TrainConfig, kept: str) -> str:
    """What the user reads: what diverged, the likely causes with their values, what to do, what is kept."""
    default = settings_of(TrainConfig)["learning_rate"].default
    causes = f"the learning rate {config.learning_rate:g} is too high (the default is {default:g})"
    if config.loss_params:
        causes += f", or the loss parameters {json.dumps(config.loss_params)} make the loss {config.loss} undefined"
    return (
        f"Training diverged: {error}. Likely cause: {causes}. Train again without resume, with a lower learning "
        f"rate or other loss parameters; {kept}."
    )
