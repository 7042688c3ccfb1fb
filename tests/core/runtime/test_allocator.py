"""The prediction's C heap gives large blocks back to the system (glibc), so memory stays flat over large rasters."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from segmentation_trainer.core.runtime.allocator import return_large_blocks

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

# A child process: blocks of 9 MiB allocated and freed in turn (as tiles' activations are, across tiles), 40 of them
# alive at the end, each followed by a small object that stays (so that the heap cannot shrink from its top); prints
# the resident growth in MiB left once all the blocks are freed.
CHILD = """
import sys
import numpy as np
from segmentation_trainer.core.runtime.allocator import return_large_blocks
if sys.argv[1] == "tuned":
    assert return_large_blocks()
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 2**20
start = rss()
blocks, pins = [], []
for _ in range(40):
    blocks.append(np.ones(9 * 2**20, dtype=np.uint8))
    pins.append(np.ones(1000, dtype=np.uint8))
    del blocks[0]  # the oldest freed before the next is allocated
    blocks.append(np.ones(9 * 2**20, dtype=np.uint8))
del blocks
print(rss() - start)
"""


@pytest.mark.skipif(not GLIBC, reason="the mmap threshold is glibc's")
def test_freed_large_blocks_go_back_to_the_system():
    env = dict(os.environ)
    env.pop("MALLOC_MMAP_THRESHOLD_", None)
    tuned = subprocess.run([sys.executable, "-c", CHILD, "tuned"], env=env, capture_output=True, text=True, check=True)
    assert float(tuned.stdout) < 9, f"{tuned.stdout} MiB still resident after freeing 9 MiB blocks"


def test_set_on_glibc_only_and_never_over_the_users_setting(monkeypatch):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert return_large_blocks() == GLIBC
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "131072")
    assert not return_large_blocks()
