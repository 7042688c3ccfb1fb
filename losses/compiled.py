"""``numba.njit`` for the compiled CPU kernels (``soft_skeleton_kernel``, ``softmax_pass_kernel``), cached on disk
where numba finds a writable folder (``NUMBA_CACHE_DIR``, else ``__pycache__`` beside the kernel's file, else the
user's cache folder, e.g. when the plugin is installed read-only); where there is none, compiled anew in each
process (seconds) instead of failing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba


def compiled(**options: Any) -> Callable[[Callable], Callable]:
    """A decorator: ``numba.njit(**options)`` with the on-disk cache where one can be written."""

    def decorate(function: Callable) -> Callable:
        try:
            return numba.njit(cache=True, **options)(function)
        except RuntimeError:  # numba: "cannot cache function ...: no locator available"
            return numba.njit(**options)(function)

    return decorate
