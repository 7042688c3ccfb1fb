"""The one place that turns the worker's events into what users read on the QGIS side: a progress
percentage, a status line (epoch, batch, time left) and log lines, in the user's language.

The dock (``ui/dock.py``), the task (``tasks/worker.py``) and the Processing algorithms
(``provider/worker_algorithm.py``) all show events through these functions. The worker's own
terminal output is ``core/common/events.py: format_event``.
"""

from __future__ import annotations

from typing import Any

from qgis.PyQt.QtCore import QCoreApplication


def percent(event: dict[str, Any]) -> float | None:
    """A progress event's share of the run done, in percent; None for other events."""
    if event["event"] != "progress":
        return None
    return 100.0 * min(1.0, max(0.0, float(event.get("fraction", 0.0))))


def log_line(event: dict[str, Any]) -> tuple[str, bool] | None:
    """The line a log panel shows for ``event`` and whether it is a warning; None for events that
    only move the progress bar or carry a result."""
    kind = event["event"]
    if kind == "log":
        return event.get("message", ""), event.get("level") == "warning"
    if kind == "epoch":
        return epoch_line(event), False
    if kind in ("cancelled", "error"):
        return event.get("message", ""), kind == "error"
    return None


def epoch_line(event: dict[str, Any]) -> str:
    miou = event.get("miou")
    miou_text = QCoreApplication.translate("WorkerProgress", "n/a") if miou is None else f"{miou:.3f}"
    template = QCoreApplication.translate("WorkerProgress", "Epoch {0}/{1}: train loss {2:.4f}, validation mIoU {3}")
    text = template.format(event["epoch"], event["epochs"], event["train_loss"], miou_text)
    return f"{event['configuration']}: {text}" if event.get("configuration") else text


def status_line(event: dict[str, Any], elapsed_s: float) -> str:
    """A progress event as a status line: where the run is and the time left (the worker's estimate,
    else extrapolated from ``elapsed_s``)."""
    eta = event.get("eta_s")
    fraction = float(event.get("fraction", 0.0))
    if eta is None and fraction > 0:
        eta = elapsed_s / fraction * (1.0 - fraction)
    eta_text = QCoreApplication.translate("WorkerProgress", "ETA {0}").format(duration(eta)) if eta is not None else ""
    if event.get("stage") == "download":
        return QCoreApplication.translate("WorkerProgress", "Downloading {0}: {1} of {2} MB · {3}").format(
            event.get("what"), event.get("done_mb"), event.get("total_mb"), eta_text
        )
    if event.get("stage") != "train":
        return QCoreApplication.translate("WorkerProgress", "Chunk {0}/{1} · {2}").format(
            event.get("batch"), event.get("batches"), eta_text
        )
    text = QCoreApplication.translate("WorkerProgress", "Epoch {0}/{1} · batch {2}/{3} · {4}").format(
        event.get("epoch"), event.get("epochs"), event.get("batch"), event.get("batches"), eta_text
    )
    if event.get("configuration"):
        text = (
            QCoreApplication.translate("WorkerProgress", "Loss {0}/{1} ({2}) · ").format(
                event["run"], event["runs"], event["configuration"]
            )
            + text
        )
    return text


def duration(seconds: float) -> str:
    """``1 h 05 min``, ``3 min 07 s`` or ``42 s``."""
    seconds = round(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"
