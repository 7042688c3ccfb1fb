"""Cooperative cancellation: the worker checks between batches whether it was asked to stop.

Two ways to ask: the plugin creates the *stop file* it passed with ``--stop-file`` (works on every
platform), and a terminal user presses Ctrl-C or sends SIGTERM.
"""

from __future__ import annotations

import signal
from pathlib import Path


class StopRequest:
    def __init__(self, stop_file: str | None = None) -> None:
        self.stop_file = Path(stop_file) if stop_file else None
        self._signalled = False

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self._signalled = True

    def requested(self) -> bool:
        return self._signalled or (self.stop_file is not None and self.stop_file.exists())
