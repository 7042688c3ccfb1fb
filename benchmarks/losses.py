"""Forward + backward time and peak memory of the fused ``combo`` loss against references.

Usage: python benchmarks/losses.py [--device cpu|cuda] [--repeats 7] [--shape 8 19 256 512]

Compares, on random logits of the given shape (default (8, 19, 256, 512), Cityscapes-like) with
5 % ignored pixels: ``F.cross_entropy`` (the floor), our ``combo`` (CE + Dice + Focal, dice_dominant
weights), segmentation-models-pytorch's ``DiceLoss + FocalLoss`` plus ``torch.nn.CrossEntropyLoss``,
and MONAI's ``DiceFocalLoss``. Each method runs in its own process so that its peak memory is its
own: on CPU the growth of the peak resident set over the inputs, on CUDA
``torch.cuda.max_memory_allocated`` above the inputs. Prints a Markdown table and JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

METHODS = ("F.cross_entropy", "combo (ours)", "smp Dice+Focal+CE", "MONAI DiceFocal")


def _loss_fn(method: str, num_classes: int):
    import torch
    import torch.nn.functional as F

    if method == "F.cross_entropy":
        return lambda logits, target: F.cross_entropy(logits, target, ignore_index=255)
    if method == "combo (ours)":
        from segmentation_trainer.losses import build_loss

        return build_loss("combo", "multiclass", num_classes)
    if method == "smp Dice+Focal+CE":
        import segmentation_models_pytorch.losses as smp

        dice, focal = smp.DiceLoss("multiclass", ignore_index=255), smp.FocalLoss("multiclass", ignore_index=255)
        ce = torch.nn.CrossEntropyLoss(ignore_index=255)
        return lambda logits, target: dice(logits, target) + focal(logits, target) + ce(logits, target)
    if method == "MONAI DiceFocal":
        from monai.losses import DiceFocalLoss

        loss = DiceFocalLoss(softmax=True, to_onehot_y=True, batch=True)
        # MONAI has no ignore_index: ignored pixels are given class 0.
        return lambda logits, target: loss(logits, torch.where(target == 255, 0, target).unsqueeze(1))
    raise ValueError(method)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_single(method: str, shape: list[int], device: str, repeats: int) -> dict:
    import torch

    torch.manual_seed(0)
    n, c, h, w = shape
    logits = torch.randn(n, c, h, w, device=device, requires_grad=True)
    target = torch.randint(0, c, (n, h, w), device=device)
    target[torch.rand(n, h, w, device=device) < 0.05] = 255
    loss_fn = _loss_fn(method, c)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    if device == "cuda":
        torch.cuda.reset_peak_memory_stats()
        base = torch.cuda.memory_allocated()
    else:
        base = _peak_rss_mb()
    times = []
    for i in range(repeats + 1):
        logits.grad = None
        sync()
        start = time.perf_counter()
        loss_fn(logits, target).backward()
        sync()
        if i:  # the first run warms up
            times.append(time.perf_counter() - start)
    peak = (torch.cuda.max_memory_allocated() - base) / 2**20 if device == "cuda" else _peak_rss_mb() - base
    return {"method": method, "median_s": statistics.median(times), "min_s": min(times), "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--shape", type=int, nargs=4, default=[8, 19, 256, 512])
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.single:
        print(json.dumps(run_single(args.single, args.shape, args.device, args.repeats)))
        return
    results = []
    for method in METHODS:
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--single",
                method,
                "--device",
                args.device,
                "--repeats",
                str(args.repeats),
                "--shape",
                *map(str, args.shape),
            ],
            capture_output=True,
            text=True,
            check=True,
            env=os.environ | {"HF_HUB_OFFLINE": "1"},
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    floor = results[0]["median_s"]
    ours = results[1]["median_s"]
    print(
        f"shape {tuple(args.shape)}, device {args.device}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, {args.repeats} repeats, {time.strftime('%Y-%m-%d')}\n"
    )
    print("| loss | forward+backward (median) | vs F.cross_entropy | ours faster by | peak memory |")
    print("|---|---|---|---|---|")
    for r in results:
        print(
            f"| {r['method']} | {r['median_s'] * 1000:.0f} ms | {r['median_s'] / floor:.2f}x | "
            f"{r['median_s'] / ours:.2f}x | {r['peak_mb']:.0f} MiB |"
        )
    print("\n" + json.dumps(results))


if __name__ == "__main__":
    main()
