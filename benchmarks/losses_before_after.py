"""Losses of two versions of the package timed side by side in one process, each against its floor.

Usage: python benchmarks/losses_before_after.py BEFORE_DIR [--only combo focal ce] [--rounds 21] [--threads 1]
       [--clock cpu|wall]

BEFORE_DIR holds an older copy of the package under the name ``before``, e.g. for commit e93c05e:
``mkdir -p /tmp/b/before && git archive e93c05e losses core | tar -x -C /tmp/b/before &&
touch /tmp/b/before/__init__.py``. On one thread (``--threads``), by the process's CPU time (the least
disturbed figure on a shared machine; ``--clock wall`` for more than one thread), each round runs the floor
(``F.cross_entropy``, or BCE for the binary losses), then every loss of both versions, on the batch of
``benchmarks/losses.py``; the median of ``rounds`` rounds after a warm-up is printed, in ms and × the floor. The
binary counterpart of a loss is ``binary_<name>`` (``ce``: ``bce``, ``lovasz_softmax``: ``lovasz_hinge``) where
the catalog has one. A loss with a label map (``uses_label_map``: distance maps, clDice's target skeleton) gets it
computed once, as training runs it (``benchmarks/losses.py`` also times it computed at each step). PyTorch's idle
threads spin as in the worker (``core.runtime.openmp``) unless ``GOMP_SPINCOUNT`` is set.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from segmentation_trainer.core.runtime.openmp import limit_spinning

limit_spinning()  # as the worker, before PyTorch is imported (core.runtime.openmp)

if TYPE_CHECKING:
    import torch

BINARY = {"ce": "bce", "lovasz_softmax": "lovasz_hinge"}


def binary_counterparts(names: list[str]) -> list[str]:
    """The binary losses of the catalog that correspond to the multiclass ``names``."""
    from segmentation_trainer.losses import available_losses

    binary = {spec.name for spec in available_losses("binary")}
    return [b for b in (BINARY.get(n, f"binary_{n}") for n in names) if b in binary]


def with_label_map(loss: Callable, target: torch.Tensor) -> Callable:
    """``loss``, given its label map of ``target`` computed once, as training runs it, when it uses one."""
    if not getattr(loss, "uses_label_map", False):
        return loss
    label_map = loss.label_map(target)
    return lambda logits, y: loss(logits, y, label_map)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before_dir")
    parser.add_argument("--only", nargs="+", default=["combo", "focal", "ce"])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--shape", type=int, nargs=4, default=[8, 7, 256, 256])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--clock", choices=("cpu", "wall"), default="cpu", help="wall: for more than one thread")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    import torch

    sys.path.insert(0, args.before_dir)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from before.losses import build_loss as build_before

    from losses import floor_fn, land_cover_batch
    from segmentation_trainer.losses import build_loss as build_after

    torch.set_num_threads(args.threads)
    print(
        f"{args.threads} thread(s), {args.clock} clock, median of {args.rounds}, {time.strftime('%Y-%m-%d')}, "
        f"load {os.getloadavg()[0]:.1f}, GOMP_SPINCOUNT {os.environ['GOMP_SPINCOUNT']}"
    )
    print("| loss | before (ms) | after (ms) | before × floor | after × floor |\n|---|---|---|---|---|")
    for mode in ("multiclass", "binary"):
        binary = mode == "binary"
        logits, target = land_cover_batch(args.shape, binary, "cpu")
        k = 2 if binary else args.shape[1]
        fns = {"floor": floor_fn(binary)}
        names = binary_counterparts(args.only) if binary else args.only
        for name in names:
            fns[("before", name)] = with_label_map(build_before(name, mode, k), target)
            fns[("after", name)] = with_label_map(build_after(name, mode, k), target)
        times = {key: [] for key in fns}
        for i in range(args.rounds + 1):
            for key, fn in fns.items():
                logits.grad = None
                start = clock()
                fn(logits, target).backward()
                if i:  # the first round warms up
                    times[key].append(clock() - start)
        median = {key: statistics.median(t) for key, t in times.items()}
        for name in names:
            b, a, floor = median[("before", name)], median[("after", name)], median["floor"]
            print(f"| `{name}` | {b * 1e3:.1f} | {a * 1e3:.1f} | {b / floor:.2f} | {a / floor:.2f} |")


if __name__ == "__main__":
    main()
