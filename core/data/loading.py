"""DataLoaders of the tiles: worker processes, pinned memory, and epochs that reach the workers.

``loader_workers`` processes (``TrainConfig``) prepare the tiles (read, normalize, augment, the loss's label
map) while the network trains: ``auto`` is 0 on the CPU, where the network uses every core, and
min(4, cores per process - 1) on a GPU; 0 prepares them in the training process. What keeps a run the same
with any number of workers:

- the epoch: every index the sampler yields carries its epoch (``EpochSampler``), so a tile's augmentation is
  seeded by (seed, epoch, tile) in whichever process prepares it; persistent workers, which keep their copy of
  the dataset across epochs, never need to be told the epoch;
- the order: the sampler runs in the training process, and the DataLoader hands the batches over in its order;
- the workers' own seeds come from a generator of the run's seed, not from the training's random state (which
  would then depend on the number of workers);
- the files: each worker opens the rasters itself (``handles.ProcessHandle``);
- the start method: all the dataset holds is picklable, so spawned workers (Windows, macOS) work as forked ones.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import DataLoader, Dataset, Sampler

MAX_AUTO_WORKERS = 4
"""``auto``'s workers on a GPU at most (one process per batch of tiles in flight is enough at the batch sizes that
fit: issue 16's H100 measurement)."""


def worker_count(setting: str, device: torch.device, cores: int) -> int:
    """The data-loading workers of ``setting`` (``TrainConfig.loader_workers``: "auto" or a number) for a process
    training on ``device`` with ``cores`` CPU cores of its own."""
    if setting != "auto":
        return int(setting)
    return max(0, min(MAX_AUTO_WORKERS, cores - 1)) if device.type == "cuda" else 0


class EpochSampler(Sampler[tuple[int, int]]):
    """The indices of ``sampler`` as ``(epoch, index)``: the epoch travels with each index to the worker that
    prepares the tile (``TileDataset.__getitem__``). ``set_epoch`` sets it, and ``sampler``'s draws."""

    def __init__(self, sampler: Sampler[int]) -> None:
        self.sampler, self.epoch = sampler, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.sampler.set_epoch(epoch)

    def __iter__(self) -> Iterator[tuple[int, int]]:
        epoch = self.epoch
        return ((epoch, index) for index in self.sampler)

    def __len__(self) -> int:
        return len(self.sampler)


def tile_loader(
    dataset: Dataset,
    batch_size: int,
    workers: int,
    device: torch.device,
    seed: int,
    sampler: Sampler | None = None,
    persistent: bool = True,
) -> DataLoader:
    """The batches of ``dataset`` (in ``sampler``'s order, else in order) prepared by ``workers`` processes, kept
    across passes when ``persistent``; pinned for a fast copy to a GPU ``device``."""
    return DataLoader(
        dataset,
        batch_size=batch_size,
        sampler=sampler,
        num_workers=workers,
        pin_memory=device.type == "cuda",
        persistent_workers=persistent and workers > 0,
        generator=torch.Generator().manual_seed(seed),
    )
