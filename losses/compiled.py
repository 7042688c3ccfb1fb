"""Compiled CPU kernels (``distance_kernel``, ``lovasz_kernel``, ``soft_skeleton_kernel``, ``softmax_pass_kernel``):
``compiled``, their ``numba.njit``; ``in_chunks``, which shares a kernel's work among PyTorch's CPU threads; and
``reinterpret``, a float's bits as an integer (and back).

``compiled`` caches the machine code on disk where numba finds a writable folder (``NUMBA_CACHE_DIR``, else
``__pycache__`` beside the kernel's file, else the user's cache folder, e.g. when the plugin is installed read-only);
where there is none, the kernel is compiled anew in each process (seconds) instead of failing.

``in_chunks`` runs a kernel over ``[0, count)`` (rows of pixels, image planes, masks) in one contiguous chunk per
thread of ``torch.get_num_threads()``, on a pool of Python threads; the kernels are compiled with ``nogil=True`` so
that the threads run at once. Each item writes its own outputs: the results do not depend on the number of threads.
(numba's ``prange`` was tried first: with its OpenMP layer, the workers it leaves spinning after each parallel loop
made PyTorch's own operations 2.5 times slower on a 2-core machine, even with one numba thread; its other layers are
TBB, often absent, or one that must not be entered from two threads at once.)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numba
import torch
from numba.core import types
from numba.extending import intrinsic

_BITS = {types.float64: types.int64, types.int64: types.float64, types.float32: types.int32, types.int32: types.float32}


def compiled(**options: Any) -> Callable[[Callable], Callable]:
    """A decorator: ``numba.njit(**options)`` with the on-disk cache where one can be written."""

    def decorate(function: Callable) -> Callable:
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError:  # numba: "cannot cache function ...: no locator available"
            return numba.njit(**options)(function)

    return decorate


@intrinsic
def reinterpret(_typingctx, x):
    """Compiled code only: the number whose bits are those of ``x``: float64 ↔ int64, float32 ↔ int32."""
    target = _BITS[x]

    def codegen(context, builder, _signature, args):
        return builder.bitcast(args[0], context.get_value_type(target))

    return target(x), codegen


@functools.cache
def _pool(threads: int) -> ThreadPoolExecutor:
    """A pool of ``threads`` threads, kept for the process (idle threads wait without spinning); a forked child
    makes its own."""
    return ThreadPoolExecutor(threads, thread_name_prefix="compiled_kernel")


if hasattr(os, "register_at_fork"):  # the pool's threads do not exist in a forked child
    os.register_at_fork(after_in_child=_pool.cache_clear)


def in_chunks(function: Callable, count: int, *args: Any, smallest: int = 1) -> None:
    """``function(*args, start, stop)`` over ``[0, count)``: in one call, or in one chunk per thread of
    ``torch.get_num_threads()`` (each of at least ``smallest`` items) on a pool of threads, ``function`` releasing
    the GIL (``nogil=True``)."""
    threads = max(1, min(torch.get_num_threads(), count // smallest))
    if threads == 1:
        function(*args, 0, count)
        return
    bounds = [count * t // threads for t in range(threads + 1)]
    futures = [_pool(threads).submit(function, *args, start, stop) for start, stop in zip(bounds, bounds[1:])]
    for future in futures:
        future.result()
