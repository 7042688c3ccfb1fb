"""The loss comparison lab: seed 003's study run on the user's own layers.

Every configuration trains with the identical data, split, tiles, seed, schedule and epochs (the
tiles are prepared once and shared); one after another, with overall progress. A stop request ends
the current run and keeps the finished ones, which the report then covers. Optionally the best
configuration trains again with a second architecture (the study's cross-architecture check).
A finished run is reused when the comparison is started again with the same settings.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

from ..losses import build_loss
from . import distributed
from .cancel import StopRequest
from .comparison_report import RunResult, write_report
from .config import CompareConfig, LossConfiguration, TrainConfig, config_to_dict
from .errors import UserError
from .events import EventWriter
from .model_store import METADATA_FILE
from .training import VALIDATION_TILES_FILE, TrainingData, prepare_data, train

RUNS_FOLDER = "runs"


def compare(config: CompareConfig, events: EventWriter, stop: StopRequest) -> dict[str, Any]:
    """Train every configuration, then write the report; returns (and emits) its summary."""
    base = config.train
    processes = distributed.start(base.device)
    events = processes.reporter(events)
    data = prepare_data(base, events)
    _check_losses(config.configurations, base.mode, len(data.classes))
    plan = [(entry, base.architecture) for entry in config.configurations]
    total = len(plan) + (1 if config.second_architecture else 0)
    runs: list[RunResult] = []
    start = time.monotonic()
    for index, (entry, architecture) in enumerate(plan):
        child = _RunEvents(events, entry.name, index, total, start)
        run = _train_configuration(base, entry, architecture, data, child, stop, processes)
        if run is None:
            break
        runs.append(run)
    second = None
    if (
        config.second_architecture
        and len(runs) == len(plan)
        and not distributed.any_process(processes, stop.requested())
    ):
        best = max(runs, key=RunResult.score)
        entry = LossConfiguration(f"{best.name}_{config.second_architecture}", best.loss, best.params)
        child = _RunEvents(events, entry.name, len(plan), total, start)
        second = _train_configuration(base, entry, config.second_architecture, data, child, stop, processes)
    cancelled = len(runs) < len(plan) or (config.second_architecture is not None and second is None)
    if not processes.main:  # under torchrun, rank 0 writes the report
        return {}
    if not runs:
        message = "The loss comparison was stopped before its first run finished: nothing to report."
        events.emit("cancelled", message=message)
        return {"cancelled": True}
    summary = write_report(Path(base.output_dir), config, runs, second, cancelled)
    if cancelled:
        message = (
            f"The loss comparison was stopped after {len(runs)} of {len(plan)} configuration(s); "
            f"the report covers them: {summary['report']}"
        )
        events.emit("cancelled", message=message, **summary)
    else:
        events.emit("result", **summary)
    return summary


def _check_losses(configurations: list[LossConfiguration], mode: str, num_classes: int) -> None:
    """Every configuration's loss builds before the first run starts (not hours later)."""
    for entry in configurations:
        try:
            build_loss(entry.loss, mode, num_classes, **entry.params)
        except ValueError as exc:
            raise UserError(f"Configuration {entry.name!r}: {exc}") from None


def run_config(base: TrainConfig, entry: LossConfiguration, architecture: str) -> TrainConfig:
    """The training settings of one configuration: the comparison's, with its loss and folder."""
    folder = Path(base.output_dir) / RUNS_FOLDER / entry.name
    return dataclasses.replace(
        base,
        loss=entry.loss,
        loss_params=dict(entry.params),
        architecture=architecture,
        output_dir=str(folder),
        resume=False,
        early_stopping_patience=0,  # the study's protocol: every configuration runs every epoch
    )


def _train_configuration(
    base: TrainConfig,
    entry: LossConfiguration,
    architecture: str,
    data: TrainingData,
    events: _RunEvents,
    stop: StopRequest,
    processes: distributed.Processes,
) -> RunResult | None:
    """Train one configuration (or reuse its finished run); None when stopped midway."""
    config = run_config(base, entry, architecture)
    folder = Path(config.output_dir)
    if _finished_with(folder, config):
        events.log(f"{entry.name}: reusing the finished run in {folder}.")
    else:
        events.log(f"{entry.name}: training with {entry.loss} {json.dumps(entry.params)} on {architecture}.")
        cancelled = train(config, events, stop, data).get("cancelled")
        distributed.barrier(processes)  # rank 0 has written the run's files
        if cancelled:
            return None
    run = RunResult.load(entry, architecture, folder)
    events.log(f"{entry.name}: best mIoU {run.summary['best_miou']:.4f} (run {events.index + 1} of {events.total}).")
    return run


def _finished_with(folder: Path, config: TrainConfig) -> bool:
    """True when ``folder`` holds a complete run of exactly ``config``."""
    try:
        saved = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        saved.get("status") == "complete"
        and saved.get("train_config") == config_to_dict(config)
        and (folder / VALIDATION_TILES_FILE).is_file()
    )


class _RunEvents(EventWriter):
    """One run's events inside a comparison: progress scaled to the whole comparison, epochs tagged
    with the configuration's name; the run's own result and cancelled events are left to the
    comparison, which reports once at the end."""

    def __init__(self, events: EventWriter, name: str, index: int, total: int, start: float) -> None:
        super().__init__(events.stream, events.as_json)
        self.name, self.index, self.total, self.start = name, index, total, start

    def emit(self, event: str, **fields: Any) -> None:
        if event in ("result", "cancelled"):
            return
        if event == "progress":
            fraction = (self.index + float(fields.get("fraction", 0.0))) / self.total
            elapsed = time.monotonic() - self.start
            fields |= {
                "fraction": fraction,
                "eta_s": round(elapsed / fraction * (1.0 - fraction), 1) if fraction > 0 else None,
                "run": self.index + 1,
                "runs": self.total,
            }
        if event in ("progress", "epoch"):
            fields["configuration"] = self.name
        super().emit(event, **fields)
