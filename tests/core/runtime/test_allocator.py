"""Prediction hands the C heap's free memory back to the system after each chunk (glibc), so memory stays flat."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

# A child process: blocks of 9 MiB allocated and freed in turn (as tiles' activations are, across tiles), 40 of them
# alive at the end, each followed by a small object that stays (so that the heap cannot shrink from its top); then
# all the blocks freed; prints the resident growth in MiB left before and after ``give_back_free_memory``.
CHILD = """
import numpy as np
from segmentation_trainer.core.runtime.allocator import give_back_free_memory
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
kept = rss() - start
give_back_free_memory()
print(kept, rss() - start)
"""


@pytest.mark.skipif(not GLIBC, reason="malloc_trim is glibc's")
def test_freed_blocks_go_back_to_the_system():
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, check=True)
    kept, left = map(float, done.stdout.split())
    assert kept > 90, f"glibc kept {kept} MiB of freed blocks: the test no longer shows the problem"
    assert left < 9, f"{left} MiB still resident after giving the free memory back"
