"""Forward + backward time of every loss of the catalog against cross-entropy; the fused ``combo`` against references.

Usage: python benchmarks/losses.py [--device cpu|cuda] [--threads 2] [--repeats 5] [--shape 8 7 256 256]
       python benchmarks/losses.py --references [--device cpu|cuda] [--repeats 7] [--shape 8 19 256 512]

Default: every loss of the catalog (both modes), in one process, against its floor: multiclass
losses against ``F.cross_entropy`` on logits of the given shape, binary ones against
``F.binary_cross_entropy_with_logits`` on one channel of the same size. The targets are
land-cover-like: piecewise constant regions (the argmax of smooth noise, so that distance maps and
skeletons see realistic shapes), with a band of 5 % ignored pixels at the bottom. Each loss and its
floor run alternately, ``repeats`` times after a warm-up, and the ratio of their medians is printed
("× cross-entropy"), so that a load change on a shared machine affects both alike. Losses whose
distance maps depend on the labels only are timed as training runs them: with the maps computed
once per tile by the data pipeline (``TileDataset``), and also with the maps computed at every step
(the loss given labels only). PyTorch's idle threads spin as in the worker (``GOMP_SPINCOUNT`` 30,000,
``core.runtime.openmp``) unless ``GOMP_SPINCOUNT`` is set: ``GOMP_SPINCOUNT=300000`` measures libgomp's default.

``--references`` compares, on random logits of the given shape (default (8, 19, 256, 512), Cityscapes-like) with
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

from segmentation_trainer.core.runtime.openmp import limit_spinning

limit_spinning()  # as the worker, before PyTorch is imported (core.runtime.openmp)

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


def land_cover_batch(shape: list[int], binary: bool, device: str):
    """Logits ``(N, C, H, W)`` (C = 1 when ``binary``) and a target of piecewise constant regions (the
    argmax of bilinearly upsampled 16 x 16 noise), its bottom 5 % of rows ignored (255)."""
    import torch
    import torch.nn.functional as F

    generator = torch.Generator().manual_seed(0)
    n, c, h, w = shape
    classes = 2 if binary else c
    noise = torch.randn(n, classes, 16, 16, generator=generator)
    target = F.interpolate(noise, size=(h, w), mode="bilinear", align_corners=False).argmax(1)
    target[:, h - h // 20 :] = 255
    logits = torch.randn(n, 1 if binary else c, h, w, generator=generator)
    return logits.to(device).requires_grad_(), target.to(device)


def floor_fn(binary: bool):
    """``F.binary_cross_entropy_with_logits`` over the valid pixels, or ``F.cross_entropy``."""
    import torch.nn.functional as F

    if not binary:
        return lambda logits, target: F.cross_entropy(logits, target, ignore_index=255)

    def bce(logits, target):
        valid = target != 255
        return F.binary_cross_entropy_with_logits(logits[:, 0][valid], target[valid].to(logits.dtype))

    return bce


def time_against_floor(loss_fn, floor, logits, target, repeats: int, sync, clock=time.perf_counter):
    """Median seconds of one forward + backward of ``loss_fn`` and of ``floor``, run alternately, by
    ``clock`` (wall time, or the process's CPU time, less disturbed by other processes on a shared machine)."""
    times: dict[int, list[float]] = {0: [], 1: []}
    for i in range(repeats + 1):
        for which, fn in enumerate((floor, loss_fn)):
            logits.grad = None
            sync()
            start = clock()
            fn(logits, target).backward()
            sync()
            if i:  # the first round warms up
                times[which].append(clock() - start)
    return statistics.median(times[1]), statistics.median(times[0])


def catalog_table(
    shape: list[int], device: str, repeats: int, only: list[str] | None = None, clock=time.perf_counter
) -> list[dict]:
    """Every loss of the catalog (or those named in ``only``) against its floor (see the module's docstring)."""
    import torch

    from segmentation_trainer.losses import available_losses, build_loss

    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
    rows = []
    for mode in ("multiclass", "binary"):
        binary = mode == "binary"
        logits, target = land_cover_batch(shape, binary, device)
        floor = floor_fn(binary)
        for spec in available_losses(mode):
            if only and spec.name not in only:
                continue
            loss_fn = build_loss(spec.name, mode, 2 if binary else shape[1]).to(device)
            variants = {spec.name: loss_fn}
            if getattr(
                loss_fn, "uses_label_map", False
            ):  # as training runs it: the map from the tiles; and from labels only
                label_map = loss_fn.label_map(target.cpu()).to(device)
                variants = {
                    spec.name: lambda z, y, fn=loss_fn, m=label_map: fn(z, y, m),
                    f"{spec.name} (map at each step)": loss_fn,
                }
            for name, fn in variants.items():
                seconds, floor_seconds = time_against_floor(fn, floor, logits, target, repeats, sync, clock)
                rows.append({"loss": name, "mode": mode, "ms": seconds * 1e3, "ratio": seconds / floor_seconds})
                print(f"{name}: {rows[-1]['ratio']:.2f}x", file=sys.stderr, flush=True)
    return rows


def print_catalog(rows: list[dict], args: argparse.Namespace) -> None:
    import torch

    print(
        f"logits {tuple(args.shape)} (binary: one channel), device {args.device}, {args.threads} threads, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
        f"{args.clock} clock, median of {args.repeats}, {time.strftime('%Y-%m-%d')}, "
        f"load average {os.getloadavg()[0]:.1f}, GOMP_SPINCOUNT {os.environ['GOMP_SPINCOUNT']}\n"
    )
    print("| loss | mode | forward+backward (median) | × cross-entropy |")
    print("|---|---|---|---|")
    for r in sorted(rows, key=lambda r: -r["ratio"]):
        print(f"| `{r['loss']}` | {r['mode']} | {r['ms']:.0f} ms | {r['ratio']:.2f} |")
    losses = [r["ratio"] for r in rows if "(" not in r["loss"]]
    print(f"\nmedian of all {len(losses)}: {statistics.median(losses):.2f}x")
    print("\n" + json.dumps(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--references", action="store_true", help="the fused combo against smp and MONAI")
    parser.add_argument("--repeats", type=int, help="timed runs (default: 5, or 7 with --references)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads of the catalog table")
    parser.add_argument("--shape", type=int, nargs=4, help="default: 8 7 256 256, or 8 19 256 512 with --references")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall", help="cpu: the process's CPU time")
    parser.add_argument("--only", nargs="+", help="these losses of the catalog only")
    parser.add_argument("--single", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not args.references and not args.single:
        import torch

        torch.set_num_threads(args.threads)
        args.repeats, args.shape = args.repeats or 5, args.shape or [8, 7, 256, 256]
        clock = time.process_time if args.clock == "cpu" else time.perf_counter
        print_catalog(catalog_table(args.shape, args.device, args.repeats, args.only, clock), args)
        return
    args.repeats, args.shape = args.repeats or 7, args.shape or [8, 19, 256, 512]
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
                "--references",
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
