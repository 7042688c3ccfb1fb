"""A QgsTask that runs the worker process and turns its JSON-line events into progress and log.

The task never touches project layers: it gets file paths and extents copied on the main thread,
and results are handed to a callback in ``finished()``, which QGIS calls on the main thread.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsMessageLog, QgsTask
from qgis.PyQt.QtCore import pyqtSignal

from ..core.events import parse_event
from .worker_env import worker_command, worker_environment

LOG_TAG = "Segmentation Trainer"
CANCEL_GRACE_S = 60.0  # after a cancel, how long the worker may take to stop cleanly before it is killed
TAIL_LINES = 20


class WorkerTask(QgsTask):
    """Runs ``python -m segmentation_trainer ARGS --events --stop-file F`` and watches it."""

    event_received = pyqtSignal(dict)  # every event, delivered to main-thread slots

    def __init__(
        self,
        description: str,
        args: list[str],
        on_finished: Callable[[WorkerTask], None] | None = None,
        python: str | None = None,
    ) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.stop_file = Path(tempfile.mkdtemp(prefix="segtrainer-")) / "stop"
        self.command = worker_command([*args, "--events", "--stop-file", str(self.stop_file)], python)
        self.on_finished = on_finished
        self.result_event: dict[str, Any] | None = None
        self.cancelled_event: dict[str, Any] | None = None
        self.error_message: str | None = None
        self.exit_code: int | None = None
        self.pid: int | None = None
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.ended = False  # the worker has exited (and the temporary folder is gone)

    # --- worker thread ---------------------------------------------------------------------------

    def run(self) -> bool:
        try:
            self.exit_code = watch_worker(self.command, self.stop_file, self._handle, self.isCanceled, self._started)
        except OSError as exc:
            self.error_message = self.tr(
                "Cannot start the worker with {0}: {1}. Set the worker's Python in the plugin settings."
            ).format(self.command[0], exc)
            return False
        finally:
            self.ended = True
            shutil.rmtree(self.stop_file.parent, ignore_errors=True)  # the task's temporary folder
        if self.isCanceled():
            return False
        if self.exit_code != 0 and self.error_message is None:
            self.error_message = self.tr(
                "The worker stopped unexpectedly (exit code {0}). Its last output:\n{1}"
            ).format(self.exit_code, "\n".join(self.tail))
        return self.exit_code == 0 and self.error_message is None

    def _started(self, pid: int) -> None:
        self.pid = pid

    def _handle(self, event: dict[str, Any]) -> None:
        kind = event["event"]
        if kind == "progress":
            self.setProgress(100.0 * float(event.get("fraction", 0.0)))
        elif kind == "log":
            level = Qgis.Warning if event.get("level") == "warning" else Qgis.Info
            QgsMessageLog.logMessage(event.get("message", ""), LOG_TAG, level)
            self.tail.append(event.get("message", ""))
        elif kind == "result":
            self.result_event = event
        elif kind == "cancelled":
            self.cancelled_event = event
        elif kind == "error":
            self.error_message = event.get("message", "")
            if event.get("details"):
                QgsMessageLog.logMessage(event["details"], LOG_TAG, Qgis.Critical)
        self.event_received.emit(event)

    def _request_stop(self) -> None:
        request_stop(self.stop_file)

    # --- main thread -----------------------------------------------------------------------------

    def cancel(self) -> None:
        if not self.ended:
            self._request_stop()
        super().cancel()

    def finished(self, result: bool) -> None:  # noqa: ARG002 (the outcome is in the task's fields)
        if self.on_finished is not None:
            self.on_finished(self)


def watch_worker(
    command: list[str],
    stop_file: Path,
    on_event: Callable[[dict[str, Any]], None],
    cancelled: Callable[[], bool],
    on_start: Callable[[int], None],
) -> int:
    """Run the worker ``command`` to its end: each output line goes to ``on_event`` as an event;
    once ``cancelled()`` turns true the stop file is created, and the worker is killed if it has
    not stopped ``CANCEL_GRACE_S`` later. Returns the exit code; OSError if it cannot start.

    The one loop behind the dock's ``WorkerTask`` and the Processing algorithms.
    """
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
        env=worker_environment(),
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
    )
    on_start(process.pid)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
    kill_at: float | None = None
    while True:
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            line = ""
        if line is None:
            break
        if line.strip():
            on_event(parse_event(line))
        if cancelled() and kill_at is None:
            request_stop(stop_file)
            kill_at = time.monotonic() + CANCEL_GRACE_S
        if kill_at is not None and time.monotonic() > kill_at and process.poll() is None:
            process.kill()
    code = process.wait()
    stop_file.unlink(missing_ok=True)
    return code


def request_stop(stop_file: Path) -> None:
    stop_file.parent.mkdir(parents=True, exist_ok=True)
    stop_file.touch()


def _pump(stream, lines: queue.Queue) -> None:
    """Reader thread: worker output lines into ``lines``, then None at the end of the stream."""
    for line in stream:
        lines.put(line)
    stream.close()
    lines.put(None)
