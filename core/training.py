"""The training run: data from the raster and labels, the model, the loop, the saved model folder."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import torch
from torch.utils.data import DataLoader

from ..losses import build_loss
from .cancel import StopRequest
from .config import IGNORE_INDEX, ClassInfo, TrainConfig, config_to_dict
from .dataset import TileDataset, labelled_fraction
from .device import resolve_device
from .errors import UserError
from .events import EventWriter
from .labels import LabelSource, open_labels
from .metrics import confusion_matrix, predicted_indices, summarize
from .model_store import save_model
from .models import build_model, output_channels
from .normalization import band_statistics
from .rasters import RasterInfo, raster_info
from .tiling import Split, spatial_split, tile_windows

GRAD_CLIP_NORM = 1.0
ADAMW_BETAS = (0.9, 0.999)
LR_STEP_EPOCHS, LR_GAMMA = 20, 0.5


@dataclass
class TrainingData:
    image: RasterInfo
    labels: LabelSource
    stats: dict[str, list[float]]
    split: Split

    @property
    def classes(self) -> list[ClassInfo]:
        return self.labels.classes


def prepare_data(config: TrainConfig, events: EventWriter) -> TrainingData:
    """Open the raster and labels, compute band statistics, tile and split (no pixel leaks)."""
    image = raster_info(config.raster)
    labels = open_labels(config, image, events.log)
    with rasterio.open(config.raster) as src:
        stats = band_statistics(src)
        windows = tile_windows(image.width, image.height, config.tile_size, config.stride)
        fractions = [labelled_fraction(labels, src, w) for w in windows]
    if max(fractions) == 0:
        raise UserError(
            f"No pixel of {Path(config.raster).name} is labelled: check that the labels cover the raster's "
            "valid (non-nodata) area."
        )
    kept = [w for w, f in zip(windows, fractions) if f >= config.min_labelled_fraction]
    if not kept:
        raise UserError(
            f"No {config.tile_size}-pixel tile has at least {config.min_labelled_fraction:.0%} labelled pixels "
            f"(the best has {max(fractions):.1%}): lower the minimum labelled fraction or the tile size."
        )
    split = spatial_split(kept, config.tile_size, config.val_fraction, config.seed)
    events.log(
        f"{len(windows)} tiles of {config.tile_size} px, {len(kept)} with enough labels: "
        f"{len(split.train)} for training, {len(split.validation)} for validation "
        f"({len(split.validation_blocks)} spatial blocks held out)."
    )
    return TrainingData(image, labels, stats, split)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def train(config: TrainConfig, events: EventWriter, stop: StopRequest) -> dict[str, Any]:
    """Train, saving the best model (validation mIoU) to ``config.output_dir``; returns the result."""
    seed_everything(config.seed)
    data = prepare_data(config, events)
    device = resolve_device(config.device)
    class_names = [c.name for c in data.classes]
    model = build_model(
        config.architecture, config.encoder, data.image.count, output_channels(config.mode, len(data.classes))
    ).to(device)
    try:
        loss_fn = build_loss(config.loss, config.mode, len(data.classes), **config.loss_params).to(device)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    parameters = list(model.parameters()) + list(loss_fn.parameters())
    optimizer = torch.optim.AdamW(
        parameters, lr=config.learning_rate, weight_decay=config.weight_decay, betas=ADAMW_BETAS
    )
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, LR_STEP_EPOCHS, LR_GAMMA)
    loader_seed = torch.Generator().manual_seed(config.seed)
    train_loader = DataLoader(
        TileDataset(config.raster, data.labels, data.split.train, data.stats, augment=True, seed=config.seed),
        batch_size=config.batch_size,
        shuffle=True,
        generator=loader_seed,
    )
    val_loader = DataLoader(
        TileDataset(config.raster, data.labels, data.split.validation, data.stats), batch_size=config.batch_size
    )
    events.log(f"Training {config.architecture}/{config.encoder} with loss {config.loss} on {device}.")
    metadata = _metadata(config, data)
    output = Path(config.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    history: list[dict[str, Any]] = []
    best_miou: float | None = None
    progress = _Progress(events, config.epochs * len(train_loader))
    for epoch in range(1, config.epochs + 1):
        model.train()
        losses = []
        for batch, (x, y) in enumerate(train_loader, start=1):
            if stop.requested():
                return _stop(output, model, metadata, history, best_miou is not None, events)
            loss = _train_step(model, loss_fn, optimizer, parameters, x.to(device), y.to(device))
            losses.append(loss)
            progress.step(epoch=epoch, epochs=config.epochs, batch=batch, batches=len(train_loader))
        scheduler.step()
        validation = evaluate(model, loss_fn, val_loader, device, config.mode, class_names, stop)
        if validation is None:
            return _stop(output, model, metadata, history, best_miou is not None, events)
        record = {"epoch": epoch, "train_loss": float(np.mean(losses)), **validation}
        history.append(record)
        events.emit("epoch", epochs=config.epochs, **record)
        if record["miou"] is not None and (best_miou is None or record["miou"] > best_miou):
            best_miou = record["miou"]
            save_model(output, model, metadata | _metrics_summary(history, "complete"))
    if best_miou is None:  # validation never had a labelled class: keep the last weights
        save_model(output, model, metadata | _metrics_summary(history, "complete"))
    else:
        _update_metrics(output, _metrics_summary(history, "complete"))
    _write_history(output, history)
    result = {"model_dir": str(output), **_metrics_summary(history, "complete")["metrics"]}
    events.emit("result", **result)
    return result


def _train_step(model, loss_fn, optimizer, parameters, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=x.device.type == "cuda"):
        logits = model(x)
    loss = loss_fn(logits.float(), y)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(parameters, GRAD_CLIP_NORM)
    optimizer.step()
    return float(loss.detach())


@torch.no_grad()
def evaluate(model, loss_fn, loader, device, mode: str, class_names: list[str], stop: StopRequest) -> dict | None:
    """Validation loss and metrics over ``loader``; None when a stop was requested midway."""
    model.eval()
    confusion = np.zeros((len(class_names), len(class_names)), dtype=np.int64)
    loss_sum, pixel_sum = 0.0, 0
    for x, y in loader:
        if stop.requested():
            return None
        x, y = x.to(device), y.to(device)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = model(x)
        logits = logits.float()
        pixels = int((y != IGNORE_INDEX).sum())
        loss_sum += float(loss_fn(logits, y)) * pixels
        pixel_sum += pixels
        confusion += confusion_matrix(predicted_indices(logits, mode), y, len(class_names))
    return {"val_loss": loss_sum / pixel_sum if pixel_sum else None, **summarize(confusion, class_names)}


class _Progress:
    """Batch progress events with an ETA from the mean time per batch so far."""

    def __init__(self, events: EventWriter, total: int) -> None:
        self.events, self.total, self.done, self.start = events, max(total, 1), 0, time.monotonic()

    def step(self, **fields: int) -> None:
        self.done += 1
        elapsed = time.monotonic() - self.start
        eta = elapsed / self.done * (self.total - self.done)
        self.events.emit("progress", stage="train", fraction=self.done / self.total, eta_s=round(eta, 1), **fields)


def _metadata(config: TrainConfig, data: TrainingData) -> dict[str, Any]:
    return {
        "architecture": config.architecture,
        "encoder": config.encoder,
        "in_channels": data.image.count,
        "mode": config.mode,
        "classes": [c.__dict__ for c in data.classes],
        "normalization": {"method": "mean_std", **data.stats},
        "nodata": data.image.nodata,
        "tile_size": config.tile_size,
        "crs": data.image.crs_wkt,
        "resolution": list(data.image.resolution),
        "loss": {"name": config.loss, "params": config.loss_params},
        "train_config": config_to_dict(config),
    }


def _metrics_summary(history: list[dict[str, Any]], status: str) -> dict[str, Any]:
    scored = [h for h in history if h["miou"] is not None]
    best = max(scored, key=lambda h: h["miou"]) if scored else None
    final = history[-1] if history else None
    return {
        "status": status,
        "epochs_completed": len(history),
        "metrics": {
            "best_epoch": best["epoch"] if best else None,
            "best_miou": best["miou"] if best else None,
            "best_per_class_iou": best["per_class_iou"] if best else None,
            "final_miou": final["miou"] if final else None,
            "final_pixel_accuracy": final["pixel_accuracy"] if final else None,
        },
    }


def _update_metrics(output: Path, summary: dict[str, Any]) -> None:
    path = output / "model.json"
    metadata = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(metadata | summary, indent=2), encoding="utf-8")


def _write_history(output: Path, history: list[dict[str, Any]]) -> None:
    (output / "metrics.json").write_text(json.dumps(history, indent=2), encoding="utf-8")


def _stop(output: Path, model, metadata: dict, history: list, saved: bool, events: EventWriter) -> dict[str, Any]:
    """Stop on request: keep the best checkpoint if one was saved, else save the current weights."""
    summary = _metrics_summary(history, "cancelled")
    if saved:
        _update_metrics(output, summary)
    else:
        save_model(output, model, metadata | summary)
    _write_history(output, history)
    message = f"Training stopped after {len(history)} complete epoch(s); the model is kept in {output}."
    events.emit("cancelled", message=message, model_dir=str(output))
    return {"model_dir": str(output), "cancelled": True}
