"""The C heap of a long prediction: large blocks taken from and given back to the system, so that the resident
memory does not drift up with the number of tiles.

glibc's ``malloc`` serves blocks below its mmap threshold from per-thread heaps (arenas), and raises that threshold,
up to 32 MiB, each time a larger block is freed. A prediction allocates and frees tens of MB per tile (the network's
activations; tiles read in one thread, freed in another; the chunks' sums and outputs), so freed blocks linger in
the arenas, in amounts that vary from tile to tile with the threads' timing, and the peak resident set creeps up
with the raster's size. A fixed threshold of ``MMAP_THRESHOLD`` sends every larger block to ``mmap``, which gives it
back to the system when it is freed: the peak is then the same from chunk to chunk, and lower (figures in
docs/benchmarks.md, "Peak memory").

Other C libraries (musl, macOS, Windows) keep their own policy; a ``MALLOC_MMAP_THRESHOLD_`` set by the user wins.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter (malloc.h)
MMAP_THRESHOLD = 8 << 20  # bytes: blocks of 8 MiB and more come from, and go back to, the system


def return_large_blocks() -> bool:
    """Set glibc's mmap threshold to ``MMAP_THRESHOLD`` for this process (it also stops the threshold's growth);
    whether it was set (False off glibc, or when the user set ``MALLOC_MMAP_THRESHOLD_``)."""
    if not sys.platform.startswith("linux") or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the process runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
