"""What the plugin's algorithms share: running a worker command with Processing's feedback."""

from __future__ import annotations

import time
from typing import Any

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingFeedback
from qgis.PyQt.QtCore import QCoreApplication

from ..core.common.config import AnyConfig
from ..tasks import progress
from ..tasks.worker import WorkerRun


class WorkerAlgorithm(QgsProcessingAlgorithm):
    """Base of the plugin's algorithms: ``run_worker`` runs the worker in the algorithm's thread."""

    def group(self) -> str:
        return ""

    def groupId(self) -> str:  # noqa: N802 (QGIS API)
        return ""

    def tr(self, text: str) -> str:
        return QCoreApplication.translate(type(self).__name__, text)

    def createInstance(self):  # noqa: N802 (QGIS API)
        return type(self)()

    def run_worker(self, args: list[str], feedback: QgsProcessingFeedback, config: AnyConfig | None = None) -> dict:
        """Run ``python -m segmentation_trainer ARGS`` (with ``config`` as ``--config``): its progress
        and log go to ``feedback`` (through ``tasks/progress.py``), Processing's Cancel stops it
        cleanly; returns its result event or raises with its message."""
        worker = WorkerRun(args, config)
        started = time.monotonic()
        worker.run(lambda event: _report(event, feedback, started), feedback.isCanceled)
        if worker.cancelled_event is not None or feedback.isCanceled():
            raise QgsProcessingException(
                (worker.cancelled_event or {}).get("message")
                or QCoreApplication.translate("WorkerAlgorithm", "Cancelled.")
            )
        if worker.error_message or worker.result_event is None:
            raise QgsProcessingException(
                worker.error_message
                or QCoreApplication.translate("WorkerAlgorithm", "The worker ended without a result.")
            )
        return worker.result_event


def _report(event: dict[str, Any], feedback: QgsProcessingFeedback, started: float) -> None:
    value = progress.percent(event)
    if value is not None:
        feedback.setProgress(value)
        feedback.setProgressText(progress.status_line(event, time.monotonic() - started))
    line = progress.log_line(event)
    if line is not None and event["event"] not in ("cancelled", "error"):  # those end the algorithm with their text
        (feedback.pushWarning if line[1] else feedback.pushInfo)(line[0])
