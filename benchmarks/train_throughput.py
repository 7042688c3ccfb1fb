"""Training throughput: the real data pipeline against the model alone on tensors in memory.

Usage: python benchmarks/train_throughput.py [--device cpu|cuda] [--steps 6] [--tile-size 128]
       [--batch-size 4] [--architecture unet] [--encoder resnet34] [--cache never|always] [--workers auto|N]

Three figures, in tiles per second, after two warm-up steps:
- data only: iterating the training's DataLoader (``core/training/loop.py``'s, with ``--workers`` data-loading
  workers: the ``loader_workers`` setting; pinned memory on CUDA) over real tiles of the land-cover sample
  (windowed reads, normalization, basic augmentation);
- model only: forward + backward + AdamW step on random tensors already on the device;
- pipeline: the same training steps fed by the DataLoader.
The pipeline's cost is the data-only time per tile over the model's (goal: under 10 % of step time);
the end-to-end difference 1 - pipeline / model is printed too (it includes run-to-run noise).
On CUDA the model runs in bf16 autocast with channels_last.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from segmentation_trainer.core.common.config import TrainConfig
from segmentation_trainer.core.common.events import EventWriter
from segmentation_trainer.core.models.networks import build_model
from segmentation_trainer.core.runtime.distributed import Processes
from segmentation_trainer.core.training.loop import _loaders, prepare_data
from segmentation_trainer.losses import build_loss

DATA = Path(__file__).resolve().parent.parent / "data" / "landcover"


def _batches(loader, count):
    while True:
        for batch in loader:
            yield batch
            count -= 1
            if count == 0:
                return


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--tile-size", type=int, default=128)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--architecture", default="unet")
    parser.add_argument("--encoder", default="resnet34")
    parser.add_argument("--cache", default="never", choices=["never", "always"])
    parser.add_argument("--workers", default="0", help="data-loading workers: auto or a number (default 0)")
    return parser.parse_args()


def _training_step(args: argparse.Namespace, device: torch.device, bands: int, classes: int) -> Callable:
    """One optimizer step on a batch, as the training loop does it (bf16 and channels_last on a GPU)."""
    model = build_model(args.architecture, args.encoder, bands, classes).to(device)
    if device.type == "cuda":
        model = model.to(memory_format=torch.channels_last)
    loss_fn = build_loss("dice_ce", "multiclass", classes).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)

    def step(x, y):
        x = x.to(device, non_blocking=True)  # pinned by the loader on CUDA
        if device.type == "cuda":
            x = x.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            logits = model(x)
        loss = loss_fn(logits.float(), y.to(device, non_blocking=True))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    return step


def _tiles_per_second(batches, fn, args: argparse.Namespace, device: torch.device) -> float:
    """``fn`` on ``args.steps`` batches after two warm-up batches, in tiles per second."""
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    batches = iter(batches)
    for _ in range(2):
        fn(*next(batches))
    sync()
    start, tiles = time.perf_counter(), 0
    for _ in range(args.steps):
        batch = next(batches)
        fn(*batch)
        tiles += len(batch[0])  # an epoch's last batch may be smaller
    sync()
    return tiles / (time.perf_counter() - start)


def _report(args: argparse.Namespace, device: torch.device, tile: int, workers: int, rates: dict[str, float]) -> None:
    print(
        f"{platform.machine()}, {os.cpu_count()} CPUs, device {device}"
        f"{' ' + torch.cuda.get_device_name() if device.type == 'cuda' else ''}, torch {torch.__version__}, "
        f"{args.architecture}/{args.encoder}, tiles {tile} px, batch {args.batch_size}, "
        f"cache {args.cache}, loader workers {workers}, {time.strftime('%Y-%m-%d')}\n"
    )
    print("| measure | tiles/s |\n|---|---|")
    print("\n".join(f"| {name} | {rate:.2f} |" for name, rate in rates.items()))
    print(
        f"\ndata loading cost: {100 * rates['model only'] / rates['data only']:.1f} % of the model's step time "
        f"(time per tile, data only / model only)"
    )
    print(
        f"pipeline overhead measured end to end: {100 * (1 - rates['pipeline'] / rates['model only']):.1f} % "
        "(includes run-to-run noise)"
    )


def main() -> None:
    args = _arguments()
    device = torch.device(args.device)
    config = TrainConfig(
        raster=str(DATA / "landsat_multiband.tif"),
        labels=str(DATA / "strata.tif"),
        output_dir="unused",
        tile_size=args.tile_size,
        stride=args.tile_size // 4,
        cache=args.cache,
        augmentation="basic",
        batch_size=args.batch_size,
        loader_workers=args.workers,
    )
    data = prepare_data(config, EventWriter(io.StringIO()))
    loaders = _loaders(config, data, Processes(device=device), build_loss("dice_ce", "multiclass", len(data.classes)))
    loaders.set_epoch(1)
    loader = loaders.train
    step = _training_step(args, device, data.image.count, len(data.classes))
    tile = data.tile_size  # the size actually trained on (smaller when the raster is too small to split)
    x = torch.randn(args.batch_size, data.image.count, tile, tile)
    y = torch.randint(0, len(data.classes), (args.batch_size, tile, tile))
    synthetic = ((x, y) for _ in iter(int, 1))  # the same batch forever: the model alone
    data_only = _tiles_per_second(_batches(loader, args.steps + 2), lambda *_: None, args, device)
    model_first = _tiles_per_second(synthetic, step, args, device)
    pipeline = _tiles_per_second(_batches(loader, args.steps + 2), step, args, device)
    model_only = min(model_first, _tiles_per_second(synthetic, step, args, device))
    _report(
        args, device, tile, loader.num_workers, {"data only": data_only, "model only": model_only, "pipeline": pipeline}
    )


if __name__ == "__main__":
    main()
