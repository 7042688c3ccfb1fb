"""The loss comparison lab: the study of Swastika 2025 ("Comparative analysis of loss functions for
semantic segmentation") run on the user's own layers, with a verdict that can be trusted.

The tiles are prepared once and split by spatial blocks into training, validation and test sets.
Every configuration trains ``runs`` times (seeds ``seed``, ``seed + 1``, …) with the identical
data, split, schedule and epochs, one run after another, with overall progress. Each run keeps its
best-validation epoch; its kept model is then scored on the test blocks, block by block (the
verdict's data, see ``comparison_statistics``). A stop request ends the current run and keeps the
finished ones; the report covers the configurations whose runs all finished. A run that diverges (NaN or
infinite loss or weights) ends its configuration, which the report lists as diverged, and the comparison goes on
with the next one. Optionally the
selected configuration trains again with a second architecture (the study's cross-architecture
check). A finished run is reused when the comparison is started again with the same settings.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from torch.utils.data import Subset

from ...losses import build_loss
from ..common.config import RESULT_NEUTRAL_SETTINGS, CompareConfig, LossConfiguration, TrainConfig, config_to_dict
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import METADATA_FILE, check_output_folder, write_text_atomic
from ..data.dataset import TileDataset
from ..data.loading import tile_loader, worker_count
from ..models.model_store import load_model
from ..runtime import distributed
from ..runtime.cancel import StopRequest
from ..training.divergence import DivergedRunError
from ..training.loop import TrainingData, prepare_data, tile_confusions, train
from .report import TEST_FILE, ConfigurationResult, FailedConfiguration, RunResult, write_report
from .statistics import MIN_TEST_BLOCKS

RUNS_FOLDER = "runs"


@dataclasses.dataclass
class _Lab:
    """What every run of one comparison shares."""

    config: CompareConfig
    data: TrainingData
    events: EventWriter
    stop: StopRequest
    processes: distributed.Processes
    total: int
    start: float
    done: int = 0

    def seeds(self) -> list[int]:
        return [self.config.train.seed + i for i in range(self.config.runs)]


def compare(config: CompareConfig, events: EventWriter, stop: StopRequest) -> dict[str, Any]:
    """Train every configuration ``runs`` times, score them on the test blocks, write the report;
    returns (and emits) its summary."""
    check_output_folder(config.train.output_dir, "report folder")
    processes = distributed.start(config.train.device)
    events = processes.reporter(events)
    data = prepare_data(config.train, events, test_fraction=config.test_fraction)
    _check_losses(config.configurations, config.train.mode, len(data.classes))
    _check_test_set(data, events)
    total = (len(config.configurations) + (1 if config.second_architecture else 0)) * config.runs
    lab = _Lab(config, data, events, stop, processes, total, time.monotonic())
    outcome = _Outcome()
    for entry in config.configurations:
        result = _train_configuration(lab, entry, config.train.architecture)
        if result is None:
            break
        outcome.add(result)
    if (
        config.second_architecture
        and outcome.finished
        and outcome.count == len(config.configurations)
        and not distributed.any_process(processes, stop.requested())
    ):
        best = max(outcome.finished, key=ConfigurationResult.validation_score)
        entry = LossConfiguration(f"{best.name}_{config.second_architecture}", best.loss, best.params)
        outcome.second = _train_configuration(lab, entry, config.second_architecture)
    cancelled = outcome.count < len(config.configurations) or (
        config.second_architecture is not None and outcome.second is None and bool(outcome.finished)
    )
    if not processes.main:  # under torchrun, rank 0 writes the report
        return {}
    return _report(config, outcome, cancelled, events)


@dataclasses.dataclass
class _Outcome:
    """The configurations done so far: finished (in the verdict) or diverged (listed, left out of it), and the
    selected configuration's run on the second architecture (either, or None when it did not run)."""

    finished: list[ConfigurationResult] = dataclasses.field(default_factory=list)
    failed: list[FailedConfiguration] = dataclasses.field(default_factory=list)
    second: ConfigurationResult | FailedConfiguration | None = None

    @property
    def count(self) -> int:
        """How many of the comparison's configurations are done (finished or diverged)."""
        return len(self.finished) + len(self.failed)

    def add(self, result: ConfigurationResult | FailedConfiguration | None) -> None:
        """Record a configuration's result (None: stopped, nothing to record)."""
        if isinstance(result, FailedConfiguration):
            self.failed.append(result)
        elif result is not None:
            self.finished.append(result)

    def report_inputs(self) -> tuple[ConfigurationResult | None, list[FailedConfiguration]]:
        """The second architecture's finished result (None otherwise) and every diverged configuration."""
        if isinstance(self.second, FailedConfiguration):
            return None, [*self.failed, self.second]
        return self.second, self.failed


def _report(config: CompareConfig, outcome: _Outcome, cancelled: bool, events: EventWriter) -> dict[str, Any]:
    if not outcome.finished and outcome.failed and not cancelled:
        raise UserError(f"Every configuration diverged, so there is nothing to compare: {outcome.failed[0].reason}")
    if not outcome.finished:
        message = "The loss comparison was stopped before its first configuration finished: nothing to report."
        events.emit("cancelled", message=message)
        return {"cancelled": True}
    second, failed = outcome.report_inputs()
    summary = write_report(Path(config.train.output_dir), config, outcome.finished, second, cancelled, failed)
    if cancelled:
        message = (
            f"The loss comparison was stopped after {outcome.count} of {len(config.configurations)} "
            f"configuration(s); the report covers them: {summary['report']}"
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


def _check_test_set(data: TrainingData, events: EventWriter) -> None:
    """Say before training, not after, when the test set is too small for a verdict or misses a class."""
    trained, tested = (data.tile_counts[side].sum(axis=0) > 0 for side in ("train", "test"))
    untested = [c.name for c, t, u in zip(data.classes, trained, tested) if t and not u]
    if untested:
        them, its = ("it", "its") if len(untested) == 1 else ("them", "their")
        events.log(
            f"No test pixel for {', '.join(untested)}: the verdict cannot compare the configurations on {them} (the "
            f"test blocks hold none of {its} labels). Label {them} in more places, further apart than a split block, "
            "or use a smaller block or tile size.",
            level="warning",
        )
    blocks = len(_test_blocks(data))
    if blocks < MIN_TEST_BLOCKS:
        events.log(
            f"The test set holds {blocks} spatial block(s): at least {MIN_TEST_BLOCKS} are needed to tell "
            "configurations apart, so the report will call no difference significant. Label a larger area, or use "
            "smaller tiles or blocks (block tiles), to hold out more blocks.",
            level="warning",
        )


def run_config(base: TrainConfig, entry: LossConfiguration, architecture: str, seed: int) -> TrainConfig:
    """The training settings of one run: the comparison's, with its loss, seed and folder."""
    folder = Path(base.output_dir) / RUNS_FOLDER / entry.name / f"seed{seed}"
    return dataclasses.replace(
        base,
        loss=entry.loss,
        loss_params=dict(entry.params),
        architecture=architecture,
        seed=seed,
        output_dir=str(folder),
        resume=False,
        early_stopping_patience=0,  # the study's protocol: every configuration runs every epoch
    )


def _train_configuration(
    lab: _Lab, entry: LossConfiguration, architecture: str
) -> ConfigurationResult | FailedConfiguration | None:
    """Every run of one configuration (finished ones reused); None when stopped midway; a FailedConfiguration when
    a run diverged (the configuration's other runs are skipped: it is left out of the verdict)."""
    runs = []
    for repeat, seed in enumerate(lab.seeds()):
        config = run_config(lab.config.train, entry, architecture, seed)
        folder = Path(config.output_dir)
        child = _RunEvents(lab.events, entry.name, repeat, lab)
        if _finished_with(folder, config, lab.data):
            child.log(f"{entry.name}: reusing the finished run (seed {seed}) in {folder}.")
        else:
            child.log(
                f"{entry.name}: training with {entry.loss} {json.dumps(entry.params)} on {architecture}, seed {seed}."
            )
            try:
                cancelled = train(config, child, lab.stop, lab.data).get("cancelled")
            except DivergedRunError as exc:
                return _diverged(lab, entry, architecture, seed, str(exc), child)
            distributed.barrier(lab.processes)  # rank 0 has written the run's files
            if cancelled:
                return None
            _write_test_evaluation(config, lab.data, lab.processes)
            distributed.barrier(lab.processes)
        lab.done += 1
        runs.append(RunResult.load(folder))
        child.log(
            f"{entry.name}: best validation mIoU {runs[-1].summary['best_miou']:.4f} (run {lab.done} of {lab.total})."
        )
    return ConfigurationResult.of(entry, architecture, runs)


def _diverged(
    lab: _Lab, entry: LossConfiguration, architecture: str, seed: int, reason: str, events: EventWriter
) -> FailedConfiguration:
    """Record that a run of ``entry`` diverged (a warning says so); its remaining runs count as done."""
    lab.done += len(lab.seeds()) - lab.seeds().index(seed)
    events.log(
        f"{entry.name} diverged (seed {seed}): it is left out of the verdict, and the comparison goes on. {reason}",
        level="warning",
    )
    return FailedConfiguration(entry.name, entry.loss, dict(entry.params), architecture, seed, reason)


def _write_test_evaluation(config: TrainConfig, data: TrainingData, processes: distributed.Processes) -> None:
    """Score the run's kept (best-validation) model on the test tiles, confusion summed per block.
    Under torchrun every process scores its shard and rank 0 writes."""
    model, metadata = load_model(config.output_dir)
    model.to(processes.device)
    tiles = TileDataset(data.source, data.split.test, data.stats)
    shard = Subset(tiles, distributed.shard(processes, len(tiles)))
    workers = worker_count(config.loader_workers, processes.device, distributed.cores_per_process())
    loader = tile_loader(shard, config.batch_size, workers, processes.device, config.seed, persistent=False)
    confusions = tile_confusions(model, loader, config.mode, len(metadata["classes"]), processes)
    if not processes.main:
        return
    per_block: dict[tuple[int, int], np.ndarray] = defaultdict(lambda: np.zeros(confusions.shape[1:], np.int64))
    for window, confusion in zip(data.split.test, confusions):
        per_block[data.split.block_of(window)] += confusion
    blocks = sorted(per_block)
    test = {"blocks": blocks, "confusion": [per_block[b].tolist() for b in blocks]}
    write_text_atomic(Path(config.output_dir) / TEST_FILE, json.dumps(test))


def _finished_with(folder: Path, config: TrainConfig, data: TrainingData) -> bool:
    """True when ``folder`` holds a complete run of exactly ``config``, tested on this split's test blocks."""
    try:
        saved = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        tested = json.loads((folder / TEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        saved.get("status") == "complete"
        and _results_settings(saved.get("train_config") or {}) == _results_settings(config_to_dict(config))
        and [tuple(b) for b in tested.get("blocks", [])] == _test_blocks(data)
    )


def _results_settings(settings: dict) -> dict:
    """A run's settings but those that do not change its results (``RESULT_NEUTRAL_SETTINGS``)."""
    return {name: value for name, value in settings.items() if name not in RESULT_NEUTRAL_SETTINGS}


def _test_blocks(data: TrainingData) -> list[tuple[int, int]]:
    return sorted({data.split.block_of(w) for w in data.split.test})


class _RunEvents(EventWriter):
    """One run's events inside a comparison: progress scaled to the whole comparison, epochs tagged
    with the configuration's name and the run's repeat (0 for its first seed); the run's own result
    and cancelled events are left to the comparison, which reports once at the end."""

    def __init__(self, events: EventWriter, name: str, repeat: int, lab: _Lab) -> None:
        super().__init__(events.stream, events.as_json)
        self.name, self.repeat = name, repeat
        self.index, self.total, self.start = lab.done, lab.total, lab.start

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
            fields |= {"configuration": self.name, "repeat": self.repeat}
        super().emit(event, **fields)
