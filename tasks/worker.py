"""Running the worker process: ``WorkerRun`` (one run and its outcome), ``WorkerTask`` (a QgsTask for the
dock) and ``watch_worker`` (the loop over its JSON-line events).

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
import uuid
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

from qgis.core import Qgis, QgsMessageLog, QgsTask
from qgis.PyQt.QtCore import QCoreApplication, pyqtSignal

from ..core.common.config import Config, save_config
from ..core.common.events import parse_event
from . import progress
from .worker_env import worker_command, worker_environment

LOG_TAG = "Segmentation Trainer"
CANCEL_GRACE_S = 60.0  # after a cancel, how long the worker may take to stop cleanly before it is killed
TAIL_LINES = 20


class WorkerRun:
    """One run of ``python -m segmentation_trainer ARGS --events --stop-file F`` and its outcome.

    ``config`` (optional) is written as JSON into the run's temporary folder and given as
    ``--config``; the folder exists from the start of ``run`` to its end. ``run`` blocks until the worker exits; the
    dock's ``WorkerTask`` calls it in a task thread, the Processing algorithms in their own thread.
    """

    def __init__(self, args: list[str], config: Config | None = None, python: str | None = None) -> None:
        self.folder = Path(tempfile.gettempdir()) / f"segtrainer-{uuid.uuid4().hex}"  # made by run()
        self.stop_file = self.folder / "stop"
        self.config = config
        if config is not None:
            args = [*args, "--config", str(self.folder / "config.json")]
        self.command = worker_command([*args, "--events", "--stop-file", str(self.stop_file)], python)
        self.result_event: dict[str, Any] | None = None
        self.cancelled_event: dict[str, Any] | None = None
        self.error_message: str | None = None
        self.exit_code: int | None = None
        self.pid: int | None = None
        self.tail: deque[str] = deque(maxlen=TAIL_LINES)
        self.ended = False  # the worker has exited (and the temporary folder is gone)

    def run(self, on_event: Callable[[dict[str, Any]], None], cancelled: Callable[[], bool]) -> bool:
        """Run the worker to its end, each event to ``on_event`` after it is recorded here; True
        when it ended with a result."""
        try:
            self.folder.mkdir(exist_ok=True)
            if self.config is not None:
                save_config(self.config, self.folder / "config.json")
            record = self._recording(on_event)
            self.exit_code = watch_worker(self.command, self.stop_file, record, cancelled, self._started)
        except OSError as exc:
            self.error_message = QCoreApplication.translate(
                "WorkerTask", "Cannot start the worker with {0}: {1}. Set the worker's Python in the plugin settings."
            ).format(self.command[0], exc)
            return False
        finally:
            self.ended = True
            shutil.rmtree(self.folder, ignore_errors=True)
        if self.exit_code != 0 and self.error_message is None and not cancelled():
            self.error_message = QCoreApplication.translate(
                "WorkerTask", "The worker stopped unexpectedly (exit code {0}). Its last output:\n{1}"
            ).format(self.exit_code, "\n".join(self.tail))
        return self.exit_code == 0 and self.error_message is None and self.result_event is not None

    def request_stop(self) -> None:
        if not self.ended:
            request_stop(self.stop_file)

    def _started(self, pid: int) -> None:
        self.pid = pid

    def _recording(self, on_event: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
        def record(event: dict[str, Any]) -> None:
            kind = event["event"]
            if kind == "log":
                self.tail.append(event.get("message", ""))
            elif kind == "result":
                self.result_event = event
            elif kind == "cancelled":
                self.cancelled_event = event
            elif kind == "error":
                self.error_message = event.get("message", "")
            on_event(event)

        return record


class WorkerTask(QgsTask):
    """A ``WorkerRun`` as a QGIS task: progress on the task, log lines in the QGIS message log, every
    event re-emitted to main-thread slots, ``on_finished`` called on the main thread."""

    event_received = pyqtSignal(dict)

    def __init__(
        self,
        description: str,
        args: list[str],
        on_finished: Callable[[WorkerTask], None] | None = None,
        python: str | None = None,
        config: Config | None = None,
    ) -> None:
        super().__init__(description, QgsTask.CanCancel)
        self.worker = WorkerRun(args, config, python)
        self.on_finished = on_finished

    def __getattr__(self, name: str) -> Any:
        """The run's outcome and details (``result_event``, ``error_message``, ``pid``, …) read as the task's."""
        worker = self.__dict__.get("worker")
        if worker is None:
            raise AttributeError(name)
        return getattr(worker, name)

    def run(self) -> bool:
        return self.worker.run(self._handle, self.isCanceled)

    def _handle(self, event: dict[str, Any]) -> None:
        value = progress.percent(event)
        if value is not None:
            self.setProgress(value)
        line = progress.log_line(event)
        if line is not None and event["event"] != "epoch":
            QgsMessageLog.logMessage(line[0], LOG_TAG, Qgis.Warning if line[1] else Qgis.Info)
        if event.get("details"):
            QgsMessageLog.logMessage(event["details"], LOG_TAG, Qgis.Critical)
        self.event_received.emit(event)

    def cancel(self) -> None:
        self.worker.request_stop()
        super().cancel()

    def finished(self, result: bool) -> None:  # noqa: ARG002 (the outcome is in the run's fields)
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
