"""The C heap of a long prediction: memory freed in one chunk given back to the system before the next, so that the
resident memory drifts up less with the number of chunks.

glibc's ``malloc`` serves blocks below its mmap threshold (which it raises, up to 32 MiB, each time a larger block
is freed) from per-thread heaps (arenas), and keeps them there when they are freed. A prediction allocates and frees
tens of MB per tile (the network's activations; tiles read in one thread, freed in another), so freed blocks linger
in the arenas, in amounts that vary from chunk to chunk with the threads' timing, and the highest peak creeps up
with the raster's size. ``malloc_trim(0)`` after each chunk hands every arena's free pages back to the system
(docs/benchmarks.md, "Peak memory": the figures with and without it). Sending every large block to ``mmap``
instead (a fixed mmap threshold of 8 MiB) flattens the peak more, but makes prediction about 20 % slower: the
network's blocks become fresh pages at every tile.

Other C libraries (musl, macOS, Windows) keep their own policy: nothing is done there.
"""

from __future__ import annotations

import ctypes
import functools
import platform
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None with another C library."""
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc":
        return None
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the process runs on
    except (OSError, AttributeError):
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


def give_back_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim(0)``, every arena); nothing off glibc."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
