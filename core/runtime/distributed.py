"""Training on several processes (``torchrun``): DistributedDataParallel's set-up and reductions.

``torchrun --nproc_per_node N -m segmentation_trainer train …`` starts N copies of the worker;
torchrun sets ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE``. Each process trains on its share of
every global batch (``batch_size`` tiles per process: the global batch is N × ``batch_size``),
gradients are all-reduced by DDP, validation metrics are summed across processes, and only rank 0
writes events, checkpoints and the model. Without torchrun everything here is a no-op (world of 1).
Backend: NCCL on GPUs (one per process, ``cuda:LOCAL_RANK``), gloo on CPU.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from ..common.errors import UserError
from ..common.events import EventWriter
from .device import resolve_device

CPU = torch.device("cpu")


@dataclass(frozen=True)
class Processes:
    """This process's place among the training processes."""

    rank: int = 0
    world_size: int = 1
    device: torch.device = CPU

    @property
    def distributed(self) -> bool:
        return self.world_size > 1

    @property
    def main(self) -> bool:
        """Rank 0: the process that reports and writes files."""
        return self.rank == 0

    def reporter(self, events: EventWriter) -> EventWriter:
        """``events`` on rank 0; a writer to nowhere on the others (one report for all processes)."""
        return events if self.main else EventWriter(open(os.devnull, "w", encoding="utf-8"))


SINGLE = Processes()


def start(device: str) -> Processes:
    """The process group under torchrun (created once per process), else a single process."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    resolved = resolve_device(device)
    if world_size == 1:
        return Processes(device=resolved)
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = resolved.type == "cuda"  # one GPU per process: cuda:LOCAL_RANK, whatever index was asked
    if use_cuda:
        if local_rank >= torch.cuda.device_count():
            raise UserError(
                f"torchrun started {world_size} processes on this machine but it has "
                f"{torch.cuda.device_count()} GPU(s): use --nproc_per_node {torch.cuda.device_count()} at most."
            )
        torch.cuda.set_device(local_rank)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if use_cuda else "gloo")
    return Processes(rank, world_size, torch.device(f"cuda:{local_rank}") if use_cuda else CPU)


def cores_per_process() -> int:
    """The CPU cores this process may use, shared with the other training processes on this machine (torchrun's
    ``LOCAL_WORLD_SIZE``)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores // int(os.environ.get("LOCAL_WORLD_SIZE", "1")))


def wrap(module: torch.nn.Module, processes: Processes) -> torch.nn.Module:
    """``module`` in DistributedDataParallel (gradients all-reduced; batch norm synchronised on GPUs)."""
    if not processes.distributed:
        return module
    if processes.device.type == "cuda":
        module = torch.nn.SyncBatchNorm.convert_sync_batchnorm(module)
        return torch.nn.parallel.DistributedDataParallel(module, device_ids=[processes.device.index])
    return torch.nn.parallel.DistributedDataParallel(module)


def share_buffers(processes: Processes, module: torch.nn.Module) -> None:
    """Rank 0's buffers (batch-norm running statistics) on every process: each process's last
    training forward pass updated its own, and validation must score one model."""
    if processes.distributed:
        for buffer in module.buffers():
            dist.broadcast(buffer, src=0)


def barrier(processes: Processes) -> None:
    """Wait until every process gets here (e.g. until rank 0 has written a run's files)."""
    if processes.distributed:
        dist.barrier()


def finish() -> None:
    """Leave the process group at the end of the worker (nothing to do without torchrun)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def sum_arrays(processes: Processes, *arrays: np.ndarray) -> list[np.ndarray]:
    """Element-wise sums over every process (the arrays unchanged on a single process)."""
    if not processes.distributed:
        return list(arrays)
    summed = []
    for array in arrays:
        tensor = torch.as_tensor(np.asarray(array, dtype=np.float64), device=_reduction_device(processes))
        dist.all_reduce(tensor)
        summed.append(tensor.cpu().numpy().astype(np.asarray(array).dtype))
    return summed


def interleave(processes: Processes, items: list) -> list:
    """Rank r holds items r, r + N, r + 2N, … of a list: the whole list, in order, on every process."""
    if not processes.distributed:
        return items
    shares: list[list] = [[] for _ in range(processes.world_size)]
    dist.all_gather_object(shares, items)
    merged = [None] * sum(len(share) for share in shares)
    for rank, share in enumerate(shares):
        merged[rank :: processes.world_size] = share
    return merged


def any_process(processes: Processes, flag: bool) -> bool:
    """True on every process when ``flag`` is true on one (a stop request seen by one stops all)."""
    if not processes.distributed:
        return flag
    tensor = torch.tensor([1.0 if flag else 0.0], device=_reduction_device(processes))
    dist.all_reduce(tensor, op=dist.ReduceOp.MAX)
    return bool(tensor.item())


def shard(processes: Processes, count: int) -> range:
    """This process's share of ``count`` items (every N-th, no padding: nothing counted twice)."""
    return range(processes.rank, count, processes.world_size)


def _reduction_device(processes: Processes) -> torch.device:
    return processes.device if processes.device.type == "cuda" else CPU
