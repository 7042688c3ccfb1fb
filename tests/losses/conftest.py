"""Loss fixtures: every catalog entry, built."""

from __future__ import annotations

import pytest
from loss_helpers import ALL, classes_of

from segmentation_trainer.losses import build_loss


@pytest.fixture(params=ALL, ids=[f"{mode}:{name}" for name, mode in ALL])
def any_loss(request):
    name, mode = request.param
    return name, mode, build_loss(name, mode, classes_of(mode))
