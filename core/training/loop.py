"""The training run: data from the raster and labels, the model, the loop, the saved model folder.

Protocol defaults (Swastika 2025, "Comparative analysis of loss functions for semantic
segmentation"): AdamW (lr 1e-4, weight decay 1e-4, betas 0.9/0.999), StepLR (step 20,
γ 0.5), batch 4, 20 epochs, bf16 autocast on GPU, gradient clipping at norm 1.0, seed 42. Losses
come from ``losses/``; their learnable parameters are optimised with the network's.
"""

from __future__ import annotations

import copy
import csv
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, DistributedSampler, Subset

from ...losses import build_loss
from ..common.config import IGNORE_INDEX, ClassInfo, TrainConfig, config_to_dict
from ..common.errors import UserError
from ..common.events import EventWriter
from ..common.files import (
    METADATA_FILE,
    METRICS_FILE,
    METRICS_TABLE,
    check_output_folder,
    replaced,
    write_text_atomic,
)
from ..data.dataset import TileDataset
from ..data.loading import EpochSampler, tile_loader, worker_count
from ..data.normalization import band_statistics
from ..data.rasters import RasterInfo, check_training_raster
from ..data.sampling import BalancedSampler, balanced_weights
from ..data.scenes import SceneStack, open_scenes
from ..data.tiling import Split
from ..data.training_tiles import tile_and_split
from ..models import pretrained
from ..models.checkpoint import load_checkpoint, save_checkpoint
from ..models.model_store import load_parent, save_model, update_metadata
from ..models.networks import build_model, output_channels, parameter_count
from ..runtime import distributed
from ..runtime.cancel import StopRequest
from ..runtime.device import autocast, autocast_dtype
from .divergence import (
    DivergedRunError,
    DivergenceError,
    check_step,
    check_validation_loss,
    check_weights,
    divergence_message,
)
from .fine_tuning import EncoderFreeze, continued_model, parameter_groups, with_network_of
from .metrics import boundary_counts, confusion_matrix, predicted_indices, run_summary, summarize
from .resume import check_resume
from .run_folder import keep_previous_run, tidy

GRAD_CLIP_NORM = 1.0
ADAMW_BETAS = (0.9, 0.999)
LR_STEP_EPOCHS, LR_GAMMA = 20, 0.5
CHECKPOINT_INTERVAL_S = 300.0  # also written before every better model, at the end and on a stop request
METRICS_COLUMNS = (
    "epoch",
    "train_loss",
    "val_loss",
    "miou",
    "pixel_accuracy",
    "mean_dice",
    "boundary_iou",
    "grad_norm",
    "learning_rate",
)
"""The per-epoch scalars of ``METRICS_TABLE``, in its column order (then ``iou_<class>`` per class)."""


@dataclass
class TrainingData:
    source: SceneStack  # the rasters, stacked in one tile grid
    classes: list[ClassInfo]
    stats: dict[str, Any]
    split: Split
    tile_size: int
    placement: str  # where the tiles were placed: "grid" or "labels"
    tile_counts: dict[str, np.ndarray]  # "train", "validation", "test": each tile's labelled pixels per class

    @property
    def class_counts(self) -> np.ndarray:
        """Labelled pixels per class over the training tiles."""
        return self.tile_counts["train"].sum(axis=0)

    @property
    def validation_counts(self) -> np.ndarray:
        """Labelled pixels per class over the validation tiles."""
        return self.tile_counts["validation"].sum(axis=0)

    @property
    def bands(self) -> list[int]:
        """The rasters' bands the network reads (1-based, in its input order)."""
        return self.source.bands

    @property
    def image(self) -> RasterInfo:
        """The first raster (the rasters share their band count)."""
        return self.source.scenes[0].image


def prepare_data(config: TrainConfig, events: EventWriter, test_fraction: float = 0.0) -> TrainingData:
    """Open the rasters, their labels and areas (``core/data/scenes.py``); tile and split (no pixel leaks);
    statistics over the training tiles of all the rasters.

    ``test_fraction``: also hold out that share of the training side's blocks as a test set (a loss
    comparison's verdict is computed on it)."""
    for raster in config.raster:
        check_training_raster(raster, config.bands)
    stack = open_scenes(config, events)
    tiles = tile_and_split(config, stack, test_fraction, events)
    stats = band_statistics(lambda w: stack.read_raw(w)[:2], tiles.split.train, config.normalization, config.seed)
    return TrainingData(stack, stack.classes, stats, tiles.split, tiles.tile_size, tiles.placement, tiles.counts)


def summarize_data(config: TrainConfig, events: EventWriter) -> dict[str, Any]:
    """What a training run would use, without training: tiles, classes, labelled pixels and tiles per class."""
    data = prepare_data(config, events)
    train_tiles, validation_tiles = ((data.tile_counts[s] > 0).sum(axis=0) for s in ("train", "validation"))
    summary = {
        "rasters": [
            {"path": s.image.path, "width": s.image.width, "height": s.image.height, "bands": s.image.count}
            for s in data.source.scenes
        ],
        "tile_size": data.tile_size,
        "tiles": {
            "train": len(data.split.train),
            "validation": len(data.split.validation),
            "placement": data.placement,
        },
        "classes": [
            {
                **c.__dict__,
                "train_pixels": int(t),
                "validation_pixels": int(v),
                "train_tiles": int(tt),
                "validation_tiles": int(vt),
            }
            for c, t, v, tt, vt in zip(
                data.classes, data.class_counts, data.validation_counts, train_tiles, validation_tiles
            )
        ],
    }
    events.emit("result", summary=summary)
    return summary


def class_weights(counts: np.ndarray, method: str) -> list[float] | None:
    """Per-class loss weights from training pixel counts: ``inverse`` frequency (mean 1 over present
    classes) or ``median`` frequency balancing (Eigen & Fergus, ICCV 2015: median f / f_c)."""
    if method == "none":
        return None
    present = counts > 0
    freq = counts / max(counts.sum(), 1)
    weights = np.ones(len(counts))
    if method == "inverse":
        weights[present] = 1.0 / freq[present]
        weights[present] /= weights[present].mean()
    else:
        weights[present] = np.median(freq[present]) / freq[present]
    return weights.tolist()


def seed_everything(seed: int, deterministic: bool) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(deterministic, warn_only=True)
    torch.backends.cudnn.benchmark = not deterministic


def train(
    config: TrainConfig, events: EventWriter, stop: StopRequest, data: TrainingData | None = None
) -> dict[str, Any]:
    """Train, keeping the best model (validation mIoU) in ``config.output_dir``; returns the result.

    ``data``: tiles and split already prepared from ``config`` (a loss comparison shares them).
    """
    check_output_folder(config.output_dir, "model folder")
    processes = distributed.start(config.device)
    if processes.main:
        tidy(Path(config.output_dir))
    distributed.barrier(processes)
    events = processes.reporter(events)
    continued = continued_model(config)
    if continued:
        config = with_network_of(config, continued, events.log)
    if config.resume:
        check_resume(config, events.log)
    data = data or prepare_data(config, events)
    seed_everything(config.seed, config.deterministic)
    parts = _optimisation(config, data, processes.device, events)
    step = distributed.wrap(_TrainingStep(parts.model, parts.loss_fn), processes)
    loaders = _loaders(config, data, processes, parts.loss_fn)
    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    run = _Run(config, output, parts, events, processes.main)
    parent = parts.parent or (continued or {}).get("parent")  # a resumed fine-tuning run keeps its parent
    metadata = _metadata(config, data, parts.model, processes.device) | {"parent": parent}
    if config.resume:
        run.restore(metadata)
    processes_text = f" x {processes.world_size} processes" if processes.distributed else ""
    events.log(
        f"Training {config.architecture}/{config.encoder} ({parameter_count(parts.model) / 1e6:.1f} M parameters) "
        f"with loss {config.loss} on {processes.device}{processes_text}, epochs {run.epoch + 1} to {config.epochs}."
    )
    progress = _Progress(events, (config.epochs - run.epoch) * len(loaders.train))
    epochs = _Epochs(config, processes, parts, step, loaders, [c.name for c in data.classes], progress)
    while run.epoch < config.epochs and not run.early_stopped():
        try:
            record = epochs.run(run.epoch + 1, stop)
        except DivergenceError as exc:
            raise run.diverged(exc) from None
        if record is None:
            return run.stop(metadata)
        events.emit("epoch", epochs=config.epochs, **record)
        run.finish_epoch(record, metadata)
    return run.finish(metadata)


@dataclass
class _Optimisation:
    """The network, its loss (which may learn parameters too) and what optimises both."""

    model: torch.nn.Module
    loss_fn: torch.nn.Module
    parameters: list[torch.nn.Parameter]  # the network's and the loss's
    optimizer: torch.optim.Optimizer
    scheduler: torch.optim.lr_scheduler.LRScheduler
    scaler: torch.amp.GradScaler
    freeze: EncoderFreeze
    parent: dict[str, Any] | None  # the model a fine-tuning run starts from (model.json's record of it)


def _optimisation(config: TrainConfig, data: TrainingData, device: torch.device, events: EventWriter) -> _Optimisation:
    """The network and the loss on ``device``, AdamW over both (the encoder in a group of its own) with its step
    schedule, the fp16 scaler and the encoder's freezing."""
    model, parent = _network(config, data, events)
    model = model.to(device)
    loss_fn = _loss(config, data, events).to(device)
    parameters = list(model.parameters()) + list(loss_fn.parameters())
    optimizer = torch.optim.AdamW(
        parameter_groups(model, loss_fn, config),
        lr=config.learning_rate,
        weight_decay=config.weight_decay,
        betas=ADAMW_BETAS,
    )
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, LR_STEP_EPOCHS, LR_GAMMA)
    scaler = torch.amp.GradScaler(device.type, enabled=autocast_dtype(device) == torch.float16)
    freeze = EncoderFreeze(model.encoder, config.freeze_encoder_epochs, events.log)
    return _Optimisation(model, loss_fn, parameters, optimizer, scheduler, scaler, freeze, parent)


def _network(
    config: TrainConfig, data: TrainingData, events: EventWriter
) -> tuple[torch.nn.Module, dict[str, Any] | None]:
    """The network (on the CPU) and, when fine-tuning, the record of the model it starts from."""
    out_channels = output_channels(config.mode, len(data.classes))
    if config.init_model:
        if config.encoder_weights not in (None, pretrained.AUTO, pretrained.NONE):
            events.log(f"Encoder weights {config.encoder_weights} are not used: the weights come from the model.")
        return load_parent(config.init_model, data.bands, data.image.count, config.mode, data.classes, events.log)
    weights = pretrained.weights_file(config, events)
    network = build_model(config.architecture, config.encoder, len(data.bands), out_channels, weights, events.log)
    return network, None


def _loss(config: TrainConfig, data: TrainingData, events: EventWriter) -> torch.nn.Module:
    """The configured loss, with per-class weights (logged) when class weighting is asked for."""
    weights = class_weights(data.class_counts, config.class_weighting)
    if weights:
        events.log("Class weights: " + ", ".join(f"{c.name} {w:.2f}" for c, w in zip(data.classes, weights)))
    try:
        params = config.loss_params | ({"class_weights": weights} if weights else {})
        return build_loss(config.loss, config.mode, len(data.classes), **params)
    except ValueError as exc:
        raise UserError(str(exc)) from None


@dataclass
class _Loaders:
    """The training tiles (shuffled or drawn per epoch, dealt out to the processes) and this process's validation
    shard."""

    sampler: EpochSampler
    train: DataLoader
    validation: DataLoader

    def set_epoch(self, epoch: int) -> None:
        """Seed the epoch's shuffle and, through the indices it yields, its augmentation."""
        self.sampler.set_epoch(epoch)


def _loaders(
    config: TrainConfig, data: TrainingData, processes: distributed.Processes, loss_fn: torch.nn.Module
) -> _Loaders:
    """The training and validation loaders of this process (``core/data/loading.py``: workers, pinned memory);
    the training tiles come with the loss's label map when it needs one (computed once per tile instead of at
    every step, in the workers)."""
    label_map = _label_map(loss_fn)
    train_set = TileDataset(data.source, data.split.train, data.stats, config.augmentation, config.seed, label_map)
    # each epoch's order is randperm(seed * 1000 + epoch) (class balanced: draws seeded so), as a single process
    # always shuffled: the processes deal out that order, so every global batch holds one process's batch
    if config.sampling == "class_balanced":
        weights = balanced_weights(data.tile_counts["train"])
        sampler = BalancedSampler(weights, processes.world_size, processes.rank, config.seed * 1000)
    else:
        sampler = DistributedSampler(
            train_set, num_replicas=processes.world_size, rank=processes.rank, shuffle=True, seed=config.seed * 1000
        )
    workers = worker_count(config.loader_workers, processes.device, distributed.cores_per_process())
    epochs = EpochSampler(sampler)
    loader = tile_loader(train_set, config.batch_size, workers, processes.device, config.seed, epochs)
    validation_set = TileDataset(data.source, data.split.validation, data.stats)
    validation_shard = Subset(validation_set, distributed.shard(processes, len(validation_set)))
    val_loader = tile_loader(validation_shard, config.batch_size, workers, processes.device, config.seed)
    return _Loaders(epochs, loader, val_loader)


def _label_map(loss_fn: torch.nn.Module) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The loss's map of the labels when it uses one, from a copy of the loss on the CPU: what the data-loading
    workers receive holds no GPU tensor (a spawned worker could not take one)."""
    if not getattr(loss_fn, "uses_label_map", False):
        return None
    return copy.deepcopy(loss_fn).cpu().label_map


@dataclass
class _Epochs:
    """What every epoch of a run uses: the loaders, the network and its optimisation, the processes."""

    config: TrainConfig
    processes: distributed.Processes
    parts: _Optimisation
    step: torch.nn.Module  # the network and its loss as one module (in DDP under torchrun)
    loaders: _Loaders
    class_names: list[str]
    progress: _Progress

    def run(self, epoch: int, stop: StopRequest) -> dict[str, Any] | None:
        """Train one epoch, then validate; the epoch's record, or None when a stop was requested.
        DivergenceError when the loss or the weights became NaN or infinite."""
        trained = self._train(epoch, stop)
        if trained is None:
            return None
        check_weights([self.parts.model, self.parts.loss_fn], epoch)
        losses, norms = trained
        learning_rate = self.parts.optimizer.param_groups[0]["lr"]
        self.parts.scheduler.step()
        validation = self._validate(stop)
        if validation is None:
            return None
        check_validation_loss(validation["val_loss"], epoch)
        loss_total, batches = distributed.sum_arrays(self.processes, np.array([sum(losses), len(losses)]))[0]
        return {
            "epoch": epoch,
            "train_loss": float(loss_total / batches),
            **validation,
            "grad_norm": float(np.mean(norms)),
            "learning_rate": learning_rate,
        }

    def _train(self, epoch: int, stop: StopRequest) -> tuple[list[float], list[float]] | None:
        """The epoch's training batches: their losses and gradient norms, or None when a stop was requested."""
        self.loaders.set_epoch(epoch)
        self.parts.freeze.start_epoch(epoch)
        device, batches = self.processes.device, len(self.loaders.train)
        losses, norms = [], []
        for batch, (x, y, *label_map) in enumerate(self.loaders.train, start=1):
            if distributed.any_process(self.processes, stop.requested()):
                return None
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)  # pinned on a GPU
            loss, norm = _train_step(self.step, self.parts, x, y, *label_map)
            check_step(loss, norm, self.parts.scaler.is_enabled(), epoch, batch)
            losses.append(loss)
            norms.append(norm)
            self.progress.step(epoch=epoch, epochs=self.config.epochs, batch=batch, batches=batches)
        return losses, norms

    def _validate(self, stop: StopRequest) -> dict[str, Any] | None:
        """Validation metrics of rank 0's model over every process's shard; None on a stop request."""
        # a stop during validation is seen at the next batch when several processes must agree
        validation_stop = None if self.processes.distributed else stop
        distributed.share_buffers(self.processes, self.parts.model)
        return evaluate(
            self.parts.model,
            self.parts.loss_fn,
            self.loaders.validation,
            self.config.mode,
            self.class_names,
            validation_stop,
            self.processes,
        )


class _TrainingStep(torch.nn.Module):
    """The network and its loss as one module, so that DDP all-reduces the gradients of both (a loss
    may learn parameters, e.g. Dual Focal's scaling). The network runs under autocast, the loss in fp32."""

    def __init__(self, model: torch.nn.Module, loss_fn: torch.nn.Module) -> None:
        super().__init__()
        self.model, self.loss_fn = model, loss_fn

    def forward(self, x: torch.Tensor, y: torch.Tensor, *label_map: torch.Tensor) -> torch.Tensor:
        with autocast(x.device):
            logits = self.model(x)
        return self.loss_fn(logits.float(), y, *label_map)


def _train_step(
    step: torch.nn.Module, parts: _Optimisation, x: torch.Tensor, y: torch.Tensor, *label_map: torch.Tensor
) -> tuple[float, float]:
    """One optimisation step (``label_map``: the loss's map of ``y``, when the tiles bring it); fp16
    gradients are scaled (GradScaler), bf16 and fp32 need not be."""
    step.train()
    parts.freeze.hold()
    loss = step(x, y, *label_map)
    parts.optimizer.zero_grad(set_to_none=True)
    parts.scaler.scale(loss).backward()
    parts.freeze.drop_gradients()
    parts.scaler.unscale_(parts.optimizer)
    norm = torch.nn.utils.clip_grad_norm_(parts.parameters, GRAD_CLIP_NORM)
    parts.scaler.step(parts.optimizer)
    parts.scaler.update()
    return float(loss.detach()), float(norm)


def _logits(model: torch.nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """The network's fp32 logits for a batch (run under autocast on ``device``)."""
    with autocast(device):
        logits = model(x.to(device))
    return logits.float()


@torch.no_grad()
def evaluate(
    model: torch.nn.Module,
    loss_fn: torch.nn.Module | None,
    loader: DataLoader,
    mode: str,
    class_names: list[str],
    stop: StopRequest | None,
    processes: distributed.Processes = distributed.SINGLE,
) -> dict | None:
    """Loss (when ``loss_fn`` is given) and metrics over ``loader`` on ``processes.device``; None when a
    stop was requested midway. With several processes each evaluates its shard (``distributed.shard``)
    and the sums are shared."""
    model.eval()
    k, device = len(class_names), processes.device
    confusion, boundary = np.zeros((k, k), dtype=np.int64), np.zeros((2, k), dtype=np.int64)
    loss_sum, pixel_sum = 0.0, 0
    for x, y in loader:
        if stop is not None and stop.requested():
            return None
        logits, y = _logits(model, x, device), y.to(device)
        pixels = int((y != IGNORE_INDEX).sum())
        if loss_fn is not None:
            loss_sum += float(loss_fn(logits, y)) * pixels
        pixel_sum += pixels
        predicted = predicted_indices(logits, mode)
        confusion += sum(confusion_matrix(p, t, k) for p, t in zip(predicted, y))
        boundary += boundary_counts(predicted, y, k)
    confusion, boundary, sums = distributed.sum_arrays(processes, confusion, boundary, np.array([loss_sum, pixel_sum]))
    loss_sum, pixel_sum = sums
    result = {"val_loss": loss_sum / pixel_sum if pixel_sum and loss_fn is not None else None}
    return result | summarize(confusion, class_names, boundary)


@torch.no_grad()
def tile_confusions(
    model: torch.nn.Module, loader: DataLoader, mode: str, num_classes: int, processes: distributed.Processes
) -> np.ndarray:
    """Each tile's own confusion matrix ``(tiles, K, K)`` in the dataset's order, on ``processes.device``
    (no loss, no boundary counts: the loss comparison sums a test set's tiles per spatial block). With
    several processes each scores its shard (``distributed.shard``) and every process gets all the tiles."""
    model.eval()
    tiles = []
    for x, y in loader:
        logits, y = _logits(model, x, processes.device), y.to(processes.device)
        tiles += [confusion_matrix(p, t, num_classes) for p, t in zip(predicted_indices(logits, mode), y)]
    merged = distributed.interleave(processes, tiles)
    return np.array(merged, dtype=np.int64).reshape(-1, num_classes, num_classes)


class _Run:
    """The run's state across epochs: history, best model, early stopping, checkpoints, outputs.

    What is on disk stays consistent after a kill at any moment: every file is replaced atomically; a new run
    moves the folder's earlier run away in one rename before its first write (``run_folder``); an epoch's metrics
    are written first, then its checkpoint, then (when it is better) its model, committed by the rename of
    model.json (``save_model``). So the metrics always hold the checkpoint's history, the checkpoint the best
    epoch's validation mIoU (a resume never lowers it) and, when a kill came before the model was saved, its
    weights (``restore`` saves them again); model.json always describes the weights it names."""

    def __init__(
        self, config: TrainConfig, output: Path, parts: _Optimisation, events: EventWriter, writes: bool
    ) -> None:
        self.config, self.output, self.events, self.writes = config, output, events, writes  # writes: rank 0
        self.model, self.loss_fn = parts.model, parts.loss_fn
        self.optimizer, self.scheduler = parts.optimizer, parts.scheduler
        self.epoch, self.history, self.best_miou, self.stale = 0, [], None, 0
        self.started_after = 0  # the epoch this run (or this resumption) started after
        self.claimed = config.resume  # whether the folder's run is this one's (a new run moves the earlier away)
        self.last_checkpoint = time.monotonic()

    def restore(self, metadata: dict[str, Any]) -> None:
        """Continue from the folder's checkpoint; model and metrics made consistent with it (``_reconcile``)."""
        state = load_checkpoint(self.output, self.model, self.loss_fn, self.optimizer)
        self.scheduler.load_state_dict(state["scheduler"])
        self.epoch, self.history = state["epoch"], state["history"]
        self.best_miou, self.stale = state["best_miou"], state["stale"]
        self.started_after = self.epoch
        self.events.log(f"Resuming from the checkpoint after epoch {self.epoch} in {self.output}.")
        if self.writes:
            self._reconcile(metadata)

    def _reconcile(self, metadata: dict[str, Any]) -> None:
        """After a kill: save the best epoch's model again when the kill interrupted its saving (the checkpoint
        of that epoch holds its weights), and say which recorded epochs, done after the checkpoint, train again."""
        best_epoch = self.summary()["best_epoch"]
        if best_epoch == self.epoch and _kept_epoch(self.output) != best_epoch:
            save_model(self.output, self.model, metadata | self._summary("running"))
            self.events.log(f"The model of epoch {best_epoch}, the best, was not completely saved: saved it again.")
        later = [r["epoch"] for r in _recorded_history(self.output) if r.get("epoch", 0) > self.epoch]
        if later:
            self.events.log(
                f"Epoch(s) {', '.join(map(str, later))} ended after the last checkpoint: they are trained again and "
                "their metrics replaced.",
                level="warning",
            )
        self._write_history()

    def early_stopped(self) -> bool:
        patience = self.config.early_stopping_patience
        if patience and self.stale >= patience:
            self.events.log(f"Early stopping: validation mIoU has not improved for {patience} epochs.")
            return True
        return False

    def finish_epoch(self, record: dict[str, Any], metadata: dict[str, Any]) -> None:
        """Record the epoch and write the history; when it is the best so far, checkpoint then save the model."""
        if not self.claimed and self.writes:
            keep_previous_run(self.output, self.events.log)
        self.claimed = True
        self.epoch = record["epoch"]
        self.history.append(record)
        better = record["miou"] is not None and (self.best_miou is None or record["miou"] > self.best_miou)
        self.best_miou, self.stale = (record["miou"], 0) if better else (self.best_miou, self.stale + 1)
        self._write_history()
        if better:
            self._checkpoint()
            if self.writes:
                save_model(self.output, self.model, metadata | self._summary("running"))
        elif time.monotonic() - self.last_checkpoint > CHECKPOINT_INTERVAL_S:
            self._checkpoint()

    def _summary(self, status: str) -> dict[str, Any]:
        return {"status": status, "epochs_completed": len(self.history), "metrics": self.summary()}

    def summary(self) -> dict[str, Any]:
        return run_summary(self.history, self.loss_fn.nonnegative)

    def _checkpoint(self) -> None:
        if not self.writes:
            return
        state = {
            "epoch": self.epoch,
            "history": self.history,
            "best_miou": self.best_miou,
            "stale": self.stale,
            "scheduler": self.scheduler.state_dict(),
            "train_config": config_to_dict(self.config),
        }
        save_checkpoint(self.output, self.model, self.loss_fn, self.optimizer, state)
        self.last_checkpoint = time.monotonic()

    def _write_history(self) -> None:
        if not self.writes:
            return
        write_text_atomic(self.output / METRICS_FILE, json.dumps(self.history, indent=2))
        write_metrics_csv(self.output / METRICS_TABLE, self.history)

    def _final_model(self, metadata: dict[str, Any], status: str) -> None:
        """Keep the best model's weights (or the current ones if none was scored); record the summary and the
        run's settings (a resumed run's, changed epochs included)."""
        if not self.writes:
            return
        if self.best_miou is None:
            save_model(self.output, self.model, metadata | self._summary(status))
        else:
            update_metadata(self.output, self._summary(status) | {"train_config": metadata["train_config"]})
        self._write_history()

    def _kept(self) -> str:
        """What the model folder holds now, for the user."""
        best = self.summary()
        if best["best_epoch"] is not None:
            score = f"epoch {best['best_epoch']}, validation mIoU {best['best_miou']:.4f}"
            return f"the best model ({score}) is kept in {self.output}"
        if (self.output / METADATA_FILE).is_file():
            done = "unchanged" if self.epoch == self.started_after else f"kept, from epoch {self.epoch}"
            return f"the model in {self.output} is {done}"
        return f"there is no model in {self.output}"

    def finish(self, metadata: dict[str, Any]) -> dict[str, Any]:
        self._checkpoint()
        self._final_model(metadata, "complete")
        result = {"model_dir": str(self.output), "epochs_completed": self.epoch, **self.summary()}
        self.events.emit("result", **result)
        return result

    def stop(self, metadata: dict[str, Any]) -> dict[str, Any]:
        """Stop on request: the best model and a checkpoint of the last complete epoch are kept. Before an epoch
        of this run ended nothing is written: the folder (an earlier run's model included) stays as it was."""
        if self.epoch == self.started_after:
            message = f"Training stopped before an epoch ended, so nothing was written: {self._kept()}."
        else:
            self._checkpoint()
            self._final_model(metadata, "cancelled")
            message = (
                f"Training stopped after {self.epoch} complete epoch(s): {self._kept()}; resume continues from "
                f"its checkpoint."
            )
        model_dir = {"model_dir": str(self.output)} if (self.output / METADATA_FILE).is_file() else {}
        self.events.emit("cancelled", message=message, **model_dir)
        return {"cancelled": True, **model_dir}

    def diverged(self, error: DivergenceError) -> DivergedRunError:
        """The error ending a diverged run; the model this run saved, if any, is marked ``diverged``."""
        if self.writes and self.claimed and (self.output / METADATA_FILE).is_file():
            update_metadata(self.output, self._summary("diverged"))
        return DivergedRunError(divergence_message(error, self.config, self._kept()))


def _kept_epoch(folder: Path) -> int | None:
    """The epoch of the model kept in ``folder`` (model.json's best epoch), None when there is none."""
    path = folder / METADATA_FILE
    return json.loads(path.read_text(encoding="utf-8")).get("metrics", {}).get("best_epoch") if path.is_file() else None


def _recorded_history(folder: Path) -> list[dict[str, Any]]:
    """The per-epoch records of ``folder``'s metrics.json (none when it is missing or unreadable)."""
    try:
        return json.loads((folder / METRICS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


def write_metrics_csv(path: Path, history: list[dict[str, Any]]) -> None:
    """One row per epoch; per-class IoU in ``iou_<class>`` columns (empty where absent); written atomically."""
    if not history:
        return
    classes = list(history[0]["per_class_iou"])
    with replaced(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*METRICS_COLUMNS, *(f"iou_{c}" for c in classes)])
        for record in history:
            values = [record.get(k) for k in METRICS_COLUMNS] + [record["per_class_iou"].get(c) for c in classes]
            writer.writerow(["" if v is None else v for v in values])


class _Progress:
    """Batch progress events with an ETA from the mean time per batch so far."""

    def __init__(self, events: EventWriter, total: int) -> None:
        self.events, self.total, self.done, self.start = events, max(total, 1), 0, time.monotonic()

    def step(self, **fields: int) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        self.events.emit(
            "progress", stage="train", fraction=min(1.0, self.done / self.total), eta_s=round(eta, 1), **fields
        )


def _metadata(config: TrainConfig, data: TrainingData, model, device) -> dict[str, Any]:
    """model.json's content; the nodata value, CRS and resolution are the first raster's."""
    return {
        "architecture": config.architecture,
        "encoder": config.encoder,
        "parameters": parameter_count(model),
        "in_channels": len(data.bands),
        "bands": config.bands,  # None: all the raster's bands
        "raster_bands": data.image.count,  # the training raster's band count (core/common/bands.py)
        "mode": config.mode,
        "classes": [c.__dict__ for c in data.classes],
        "normalization": data.stats,
        "nodata": data.image.nodata,
        "tile_size": data.tile_size,
        "crs": data.image.crs_wkt,
        "resolution": list(data.image.resolution),
        "loss": {"name": config.loss, "params": config.loss_params},
        "device": str(device),
        "train_config": config_to_dict(config),
    }
