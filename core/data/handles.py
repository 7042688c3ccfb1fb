"""File handles opened in the process that reads through them.

The training tiles are read in DataLoader worker processes (``core/data/loading.py``). A GDAL dataset handle
must not be shared by two processes (a forked worker inherits the parent's, with its file offset and block
cache), and cannot be pickled (a spawned worker, the default on Windows and macOS, receives the dataset
pickled). ``ProcessHandle`` keeps how to open the file, and opens it again in any process that first reads
through it; pickling leaves the handle behind.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, Generic, TypeVar

Handle = TypeVar("Handle")


class ProcessHandle(Generic[Handle]):
    """A handle opened by ``opener`` (picklable: a module-level function, or a ``functools.partial`` of one) in
    each process that calls ``get``; ``first``: one already opened by this process."""

    def __init__(self, opener: Callable[[], Handle], first: Handle | None = None) -> None:
        self.opener = opener
        self._handle, self._pid = first, os.getpid() if first is not None else None

    def get(self) -> Handle:
        """This process's handle, opened on first use in it (a forked worker never reads through its parent's)."""
        if self._pid != os.getpid():
            self._handle, self._pid = self.opener(), os.getpid()
        return self._handle

    def __getstate__(self) -> dict[str, Any]:
        return {"opener": self.opener, "_handle": None, "_pid": None}
