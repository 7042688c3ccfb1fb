"""Cooperative cancellation: the worker checks between batches whether it was asked to stop.

Two ways to ask: the plugin creates the *stop file* it passed with ``--stop-file`` (works on every
platform), and a terminal user presses Ctrl-C or sends SIGTERM. The plugin creates the stop file only
after it started the worker, on Cancel: one that is already there when the worker starts was left by an
earlier run, and is removed (``discard_stale``) so that it does not stop this run at once.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from ..common.errors import UserError


class StopRequest:
    def __init__(self, stop_file: str | None = None) -> None:
        self.stop_file = Path(stop_file) if stop_file else None
        self._signalled = False

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, _signum: int, _frame: object) -> None:
        self._signalled = True

    def discard_stale(self, log: Callable[..., None]) -> None:
        """Remove a stop file left by an earlier run (call it as the worker starts), saying so with ``log``."""
        if self.stop_file is None or not self.stop_file.exists():
            return
        try:
            self.stop_file.unlink()
        except OSError as exc:
            raise UserError(
                f"The stop file {self.stop_file} is left from an earlier run and cannot be removed ({exc}): remove it "
                "or give another --stop-file."
            ) from None
        log(f"Removed the stop file {self.stop_file} left by an earlier run: it does not stop this one.")

    def requested(self) -> bool:
        return self._signalled or (self.stop_file is not None and self.stop_file.exists())
