"""Loss fixtures: every catalog entry, built; this folder importable (``paper_reference``)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch
from loss_helpers import ALL, classes_of

from segmentation_trainer.losses import build_loss

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(params=ALL, ids=[f"{mode}:{name}" for name, mode in ALL])
def any_loss(request):
    name, mode = request.param
    return name, mode, build_loss(name, mode, classes_of(mode))


@pytest.fixture(autouse=True)
def one_thread():
    """Loss tests use tiny tensors: one intra-op thread (a thread pool's wake-ups would dominate)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
