"""The worker's output: one event per line, JSON for the plugin or plain text for a terminal.

Event kinds and their fields (every event has ``event``):

- ``log``: ``level`` (info, warning), ``message``
- ``progress``: ``fraction`` (0..1), ``stage`` (train, validate, predict, download), optional ``epoch``,
  ``epochs``, ``batch``, ``batches``, ``eta_s``; in a loss comparison also ``configuration``,
  ``run`` and ``runs`` (its place in the comparison), and ``fraction`` is the whole comparison's;
  a download has ``what``, ``done_mb`` and ``total_mb``
- ``epoch``: ``epoch``, ``epochs``, ``train_loss``, ``val_loss``, ``miou``, ``pixel_accuracy``,
  ``per_class_iou`` (class name -> IoU, or null where the class is absent from validation);
  in a loss comparison also ``configuration`` (its name)
- ``result``: what the run produced (``model_dir``, ``prediction``, ``metrics`` ...)
- ``cancelled``: ``message``; the run stopped on request, what it produced so far is kept
- ``error``: ``message`` (for the user), optional ``details`` (a traceback, for bug reports)

Standard library only: the QGIS process parses these lines.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, TextIO

EVENT_KINDS = ("log", "progress", "epoch", "result", "cancelled", "error")


class EventWriter:
    """Writes events to a stream: JSON lines (``as_json``) or human-readable lines."""

    def __init__(self, stream: TextIO | None = None, as_json: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.as_json = as_json

    def emit(self, event: str, **fields: Any) -> None:
        if event not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {event!r}")
        if self.as_json:
            line = json.dumps({"event": event, **_finite(fields)}, allow_nan=False)
        else:
            line = format_event({"event": event, **fields})
            if line is None:
                return
        self.stream.write(line + "\n")
        self.stream.flush()

    def log(self, message: str, level: str = "info") -> None:
        self.emit("log", level=level, message=message)


def _finite(value: Any) -> Any:
    """JSON has no NaN or infinity: they become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def parse_event(line: str) -> dict[str, Any]:
    """Turn one line of worker output into an event; stray text becomes a ``log`` event."""
    text = line.strip()
    try:
        event = json.loads(text)
    except json.JSONDecodeError:
        event = None
    if isinstance(event, dict) and event.get("event") in EVENT_KINDS:
        return event
    return {"event": "log", "level": "info", "message": text}


def format_event(event: dict[str, Any]) -> str | None:
    """A terminal line for an event; None for events too frequent to print (batch progress)."""
    kind = event["event"]
    if kind == "log":
        prefix = "warning: " if event.get("level") == "warning" else ""
        return prefix + event["message"]
    if kind == "progress":  # batches are too frequent to print; a download shows how far it is
        if event.get("stage") != "download":
            return None
        return f"downloading {event.get('what')}: {event.get('done_mb')} of {event.get('total_mb')} MB"
    if kind == "epoch":
        per_class = ", ".join(
            f"{name} {'absent' if iou is None else f'{iou:.3f}'}"
            for name, iou in event.get("per_class_iou", {}).items()
        )
        run = f"{event['configuration']}: " if event.get("configuration") else ""
        return (
            f"{run}epoch {event['epoch']}/{event['epochs']}: train loss {event['train_loss']:.4f}, "
            f"val loss {_fmt(event.get('val_loss'))}, val mIoU {_fmt(event.get('miou'))}, "
            f"pixel accuracy {_fmt(event.get('pixel_accuracy'))}\n  per-class IoU: {per_class}"
        )
    if kind == "result":
        return "result:" + _fmt_fields({k: v for k, v in event.items() if k != "event"}, "  ")
    if kind == "cancelled":
        return "cancelled: " + event.get("message", "")
    return "error: " + event.get("message", "")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _fmt_fields(fields: dict[str, Any], indent: str) -> str:
    """Indented ``key: value`` lines; nested dicts one level deeper, a list of them (several rasters' results)
    as ``-`` items."""
    return "".join(f"\n{indent}{key}:" + _fmt_nested(value, indent) for key, value in fields.items())


def _fmt_nested(value: Any, indent: str) -> str:
    if isinstance(value, dict) and value:
        return _fmt_fields(value, indent + "  ")
    if isinstance(value, list) and value and all(isinstance(v, dict) and "name" not in v for v in value):
        return "".join(f"\n{indent}  -" + _fmt_fields(item, indent + "    ") for item in value)
    return f" {_fmt_value(value)}"


def _fmt_value(value: Any) -> str:
    """Compact text for a value: numbers to 4 decimals, class tables as 'value name'."""
    if isinstance(value, float):
        return _fmt(value)
    if value is None or value == {}:
        return "n/a" if value is None else "-"
    if isinstance(value, list) and value and isinstance(value[0], dict) and "name" in value[0]:
        return ", ".join(f"{c.get('value')} {c['name']}" for c in value)
    return str(value)
