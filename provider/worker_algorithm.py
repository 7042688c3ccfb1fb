"""What the plugin's algorithms share: running a worker command with Processing's feedback."""

from __future__ import annotations

from typing import Any

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingFeedback
from qgis.PyQt.QtCore import QCoreApplication

from ..tasks.worker import WorkerTask


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

    def run_worker(self, args: list[str], feedback: QgsProcessingFeedback) -> dict[str, Any]:
        """Run ``python -m segmentation_trainer ARGS``: its progress and log go to ``feedback``,
        Processing's Cancel stops it cleanly; returns its result event or raises with its message."""
        task = WorkerTask(self.displayName(), args)  # run here, not through the task manager
        task.progressChanged.connect(feedback.setProgress)
        task.event_received.connect(lambda event: _report(event, feedback))
        feedback.canceled.connect(task.cancel)
        if feedback.isCanceled():
            task.cancel()
        task.run()
        if task.cancelled_event is not None or feedback.isCanceled():
            raise QgsProcessingException(
                (task.cancelled_event or {}).get("message")
                or QCoreApplication.translate("WorkerAlgorithm", "Cancelled.")
            )
        if task.error_message or task.result_event is None:
            raise QgsProcessingException(
                task.error_message
                or QCoreApplication.translate("WorkerAlgorithm", "The worker ended without a result.")
            )
        return task.result_event


def _report(event: dict[str, Any], feedback: QgsProcessingFeedback) -> None:
    kind = event["event"]
    if kind == "log":
        if event.get("level") == "warning":
            feedback.pushWarning(event.get("message", ""))
        else:
            feedback.pushInfo(event.get("message", ""))
    elif kind == "epoch":
        miou = event.get("miou")
        text = QCoreApplication.translate("WorkerAlgorithm", "Epoch {0}/{1}: train loss {2:.4f}, validation mIoU {3}")
        feedback.pushInfo(
            text.format(event["epoch"], event["epochs"], event["train_loss"], "n/a" if miou is None else f"{miou:.3f}")
        )
