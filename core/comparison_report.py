"""The loss comparison's report: seed 003's tables for the user's data, a paired test, curves, advice.

Written into the comparison's folder:

- ``results.csv`` / ``results.json``: one row per configuration (Table III's columns, boundary IoU,
  loss reduction, stability, per-class IoU at the best epoch, the paired test against the best);
- ``miou.png`` / ``loss.png``: validation mIoU and validation loss per epoch, every configuration;
- ``report.html``: the tables (Table III, per-class IoU, Table VI's gain over the baseline, the
  significance tests, Table IV when a second architecture ran), the curves and a recommendation;
- ``best_run.json``: the training settings with the best configuration, for
  ``python -m segmentation_trainer train --config best_run.json``.

The significance test is Wilcoxon's signed-rank test (two-sided) on the per-tile validation mIoU
of the two runs' best epochs, paired by tile: the same tiles, so the pairing removes the tiles'
own difficulty. Nothing here depends on time or paths outside the folder: the same seed and data
give the same tables.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .config import CompareConfig, LossConfiguration, config_to_dict, save_config
from .model_store import METADATA_FILE
from .training import VALIDATION_TILES_FILE

SIGNIFICANCE_LEVEL = 0.05
REPORT_FILE, CSV_FILE, JSON_FILE, BEST_RUN_FILE = "report.html", "results.csv", "results.json", "best_run.json"
CURVES = {"miou": ("miou.png", "Validation mIoU"), "val_loss": ("loss.png", "Validation loss")}
TABLE_COLUMNS = (  # key, heading: seed 003's Table III, then its convergence statistics
    ("configuration", "Configuration"),
    ("best_miou", "Best mIoU"),
    ("final_miou", "Final mIoU"),
    ("best_pixel_accuracy", "Best pixel acc."),
    ("min_val_loss", "Min val. loss"),
    ("average_grad_norm", "Avg grad norm"),
    ("boundary_iou", "Boundary IoU"),
    ("loss_reduction_pct", "Loss reduction %"),
    ("stability", "Stability (σ mIoU, last 5)"),
)


@dataclass
class RunResult:
    """One finished run of the comparison, read back from its folder."""

    name: str
    loss: str
    params: dict[str, Any]
    architecture: str
    parameters: int
    history: list[dict[str, Any]]
    summary: dict[str, Any]
    tiles: list[list[int]]  # validation tile offsets (column, row), the pairing of the test
    tile_miou: list[float | None]  # per tile, at the best epoch

    @classmethod
    def load(cls, entry: LossConfiguration, architecture: str, folder: Path) -> RunResult:
        meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        tiles = json.loads((folder / VALIDATION_TILES_FILE).read_text(encoding="utf-8"))
        history = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        return cls(
            entry.name,
            entry.loss,
            dict(entry.params),
            architecture,
            int(meta["parameters"]),
            history,
            meta["metrics"],
            tiles["tiles"],
            tiles["miou"],
        )

    def score(self) -> float:
        best = self.summary.get("best_miou")
        return -1.0 if best is None else best


def paired_test(best: RunResult, other: RunResult) -> dict[str, Any]:
    """Wilcoxon signed-rank test of per-tile mIoU, ``best`` against ``other``, paired by tile."""
    from scipy.stats import wilcoxon

    if best.tiles != other.tiles:
        raise ValueError(f"{best.name} and {other.name} were validated on different tiles")
    pairs = [(a, b) for a, b in zip(best.tile_miou, other.tile_miou) if a is not None and b is not None]
    differences = np.array([a - b for a, b in pairs])
    result: dict[str, Any] = {"tiles": len(pairs), "median_difference": None, "p_value": None, "significant": False}
    if not pairs:
        return result
    result["median_difference"] = float(np.median(differences))
    if not np.any(np.abs(differences) > 1e-12):
        result["p_value"] = 1.0  # identical on every tile
    elif len(pairs) >= 2:
        with warnings.catch_warnings():  # ties and small samples: scipy warns, the p-value stands
            warnings.simplefilter("ignore")
            a, b = zip(*pairs)
            result["p_value"] = float(wilcoxon(a, b).pvalue)
    result["significant"] = result["p_value"] is not None and result["p_value"] < SIGNIFICANCE_LEVEL
    return result


def results_rows(runs: list[RunResult], best: RunResult) -> list[dict[str, Any]]:
    """Table III's rows sorted by best mIoU, with per-class IoU and the test against the best."""
    rows = []
    for run in sorted(runs, key=RunResult.score, reverse=True):
        s = run.summary
        test = None if run is best else paired_test(best, run)
        rows.append(
            {
                "configuration": run.name,
                "loss": run.loss,
                "loss_params": run.params,
                "architecture": run.architecture,
                "best_epoch": s["best_epoch"],
                "best_miou": s["best_miou"],
                "final_miou": s["final_miou"],
                "best_pixel_accuracy": s["best_pixel_accuracy"],
                "min_val_loss": s["min_val_loss"],
                "average_grad_norm": s["average_grad_norm"],
                "boundary_iou": s.get("best_boundary_iou"),
                "loss_reduction_pct": s["loss_reduction_pct"],
                "stability": s["stability"],
                "per_class_iou": s["best_per_class_iou"],
                "vs_best": test,
            }
        )
    return rows


def class_gains(best: RunResult, baseline: RunResult) -> list[dict[str, Any]]:
    """Table VI: per-class IoU of the baseline and of the best configuration, and the gain."""
    gains = []
    for name, base_iou in baseline.summary["best_per_class_iou"].items():
        best_iou = best.summary["best_per_class_iou"].get(name)
        gain = None if base_iou is None or best_iou is None else best_iou - base_iou
        gains.append({"class": name, "baseline_iou": base_iou, "best_iou": best_iou, "gain": gain})
    return gains


def recommendation(best: RunResult, baseline: RunResult, runs: list[RunResult]) -> str:
    """The answer in one paragraph: which configuration, by how much, and whether it is significant."""
    best_miou = best.summary["best_miou"]
    if best is baseline:
        others = [r for r in runs if r is not best]
        if not others:
            return f"{best.name} is the only finished configuration: best mIoU {best_miou:.3f}."
        runner_up = max(others, key=RunResult.score)
        gap = 100 * (best_miou - runner_up.summary["best_miou"])
        return (
            f"{best.name} (the baseline) is best on this data: best mIoU {best_miou:.3f}, "
            f"{gap:.1f} mIoU points above the runner-up {runner_up.name}; "
            + _significance_words(paired_test(best, runner_up))
        )
    gain = 100 * (best_miou - baseline.summary["best_miou"])
    return (
        f"{best.name} is best on this data: best mIoU {best_miou:.3f}, {gain:+.1f} mIoU points over "
        f"{baseline.name} (the baseline); " + _significance_words(paired_test(best, baseline))
    )


def _significance_words(test: dict[str, Any]) -> str:
    p, n = test["p_value"], test["tiles"]
    if p is None:
        return f"too few validation tiles ({n}) to test whether the difference is significant."
    if test["significant"]:
        return f"the difference is significant (Wilcoxon signed-rank p = {p:.3g} over {n} validation tiles)."
    return (
        f"the difference is not significant (Wilcoxon signed-rank p = {p:.3g} over {n} validation tiles): "
        "on these tiles the two cannot be told apart; more validation data or epochs would settle it."
    )


def write_report(
    folder: Path, config: CompareConfig, runs: list[RunResult], second: RunResult | None, cancelled: bool
) -> dict[str, Any]:
    """Write every file of the report; returns the summary the worker reports as its result."""
    folder.mkdir(parents=True, exist_ok=True)
    best = max(runs, key=RunResult.score)
    baseline = next((r for r in runs if r.name == config.baseline), best)
    rows = results_rows(runs, best)
    best_run = dataclasses.replace(
        config.train,
        loss=best.loss,
        loss_params=best.params,
        output_dir=str(folder / "final_model"),
    )
    save_config(best_run, folder / BEST_RUN_FILE)
    settings = {k: v for k, v in config_to_dict(config.train).items() if k not in ("output_dir", "loss", "loss_params")}
    results = {
        "best": best.name,
        "baseline": baseline.name,
        "recommendation": recommendation(best, baseline, runs),
        "configurations": rows,
        "class_gains": class_gains(best, baseline),
        "second_architecture": _architecture_rows(best, baseline, second),
        "complete": not cancelled,
        "settings": settings,
    }
    (folder / JSON_FILE).write_text(json.dumps(results, indent=2), encoding="utf-8")
    _write_csv(folder / CSV_FILE, rows)
    for key, (file, title) in CURVES.items():
        _write_curve(folder / file, runs, key, title)
    (folder / REPORT_FILE).write_text(_html(results, config, cancelled), encoding="utf-8")
    return {
        "report": str(folder / REPORT_FILE),
        "best": best.name,
        "best_miou": best.summary["best_miou"],
        "baseline": baseline.name,
        "recommendation": results["recommendation"],
        "best_run": str(folder / BEST_RUN_FILE),
        "configurations": [
            {
                "configuration": r["configuration"],
                "best_miou": r["best_miou"],
                "final_miou": r["final_miou"],
                "p_value_vs_best": (r["vs_best"] or {}).get("p_value"),
            }
            for r in rows
        ],
    }


def _architecture_rows(best: RunResult, baseline: RunResult, second: RunResult | None) -> list[dict[str, Any]]:
    """Table IV: the best configuration on each architecture (empty without a second one)."""
    if second is None:
        return []
    gain = best.summary["best_miou"] - baseline.summary["best_miou"]
    return [
        {
            "architecture": run.architecture,
            "configuration": best.name,
            "best_miou": run.summary["best_miou"],
            "best_pixel_accuracy": run.summary["best_pixel_accuracy"],
            "parameters": run.parameters,
            "gain_over_baseline": gain if run is best else None,
        }
        for run in (best, second)
    ]


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    classes = list(rows[0]["per_class_iou"])
    scalars = [k for k in rows[0] if k not in ("per_class_iou", "vs_best")]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(scalars + [f"iou_{c}" for c in classes] + ["p_value_vs_best", "tiles", "significant"])
        for row in rows:
            test = row["vs_best"] or {}
            values = [json.dumps(row[k]) if isinstance(row[k], dict) else row[k] for k in scalars]
            values += [row["per_class_iou"].get(c) for c in classes]
            values += [test.get("p_value"), test.get("tiles"), test.get("significant")]
            writer.writerow(["" if v is None else v for v in values])


def _write_curve(path: Path, runs: list[RunResult], key: str, title: str) -> None:
    """One line per configuration over the epochs (matplotlib without pyplot: no GUI backend)."""
    with warnings.catch_warnings():  # a system matplotlib beside the venv's warns about its 3D toolkit
        warnings.simplefilter("ignore")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(7, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for run in runs:
        points = [(h["epoch"], h[key]) for h in run.history if h.get(key) is not None]
        if points:
            axes.plot(*zip(*points), marker="o", markersize=3, label=run.name)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path)


# --- HTML ---------------------------------------------------------------------------------------


def _fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return html.escape(str(value))


def _table(headings: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _html(results: dict[str, Any], config: CompareConfig, cancelled: bool) -> str:
    rows, best = results["configurations"], results["best"]
    classes = list(rows[0]["per_class_iou"])
    s = results["settings"]
    parts = [
        f"<h1>Loss comparison: {html.escape(Path(s['raster']).name)}</h1>",
        "<p class='settings'>"
        + html.escape(
            f"{s['mode']}, {s['architecture']}/{s['encoder']}, {s['epochs']} epochs, tiles {s['tile_size']} px "
            f"(stride {s['stride']}), batch {s['batch_size']}, learning rate {s['learning_rate']}, "
            f"seed {s['seed']}; labels {Path(s['labels']).name}. Every configuration trained with the same "
            "tiles, split, seed and schedule."
        )
        + "</p>",
    ]
    if cancelled:
        parts.append(
            "<p class='warning'>The comparison was stopped: this report covers the configurations that finished.</p>"
        )
    parts.append(f"<p class='answer'>{html.escape(results['recommendation'])}</p>")
    parts.append("<h2>Results (the study's Table III), sorted by best mIoU: the first row is the best</h2>")
    parts.append(
        _table(
            [h for _, h in TABLE_COLUMNS] + ["Loss and parameters"],
            [
                [_fmt(r[k]) for k, _ in TABLE_COLUMNS] + [html.escape(f"{r['loss']} {json.dumps(r['loss_params'])}")]
                for r in rows
            ],
        )
    )
    parts.append("<h2>Per-class IoU at each configuration's best epoch</h2>")
    parts.append(
        _table(
            ["Configuration", *classes],
            [[_fmt(r["configuration"])] + [_fmt(r["per_class_iou"].get(c)) for c in classes] for r in rows],
        )
    )
    parts.append(
        f"<h2>Per-class gain of {html.escape(best)} over {html.escape(results['baseline'])} (the study's Table VI)</h2>"
    )
    parts.append(
        _table(
            ["Class", f"{results['baseline']} IoU", f"{best} IoU", "Gain (points)"],
            [
                [_fmt(g["class"]), _fmt(g["baseline_iou"]), _fmt(g["best_iou"]), _points(g["gain"])]
                for g in results["class_gains"]
            ],
        )
    )
    parts.append(f"<h2>Is {html.escape(best)} really better? Wilcoxon signed-rank test on per-tile mIoU</h2>")
    parts.append(
        _table(
            [
                "Against",
                "Validation tiles",
                "Median per-tile difference",
                "p-value",
                f"Significant (p < {SIGNIFICANCE_LEVEL})",
            ],
            [
                [
                    _fmt(r["configuration"]),
                    _fmt(r["vs_best"]["tiles"]),
                    _fmt(r["vs_best"]["median_difference"]),
                    _fmt(r["vs_best"]["p_value"], 3),
                    _fmt(r["vs_best"]["significant"]),
                ]
                for r in rows
                if r["vs_best"] is not None
            ],
        )
    )
    parts.append("<h2>Curves</h2>")
    parts += [f"<img src='{file}' alt='{html.escape(title)}'>" for file, title in CURVES.values()]
    if results["second_architecture"]:
        parts.append("<h2>Second architecture (the study's Table IV)</h2>")
        parts.append(
            _table(
                ["Architecture", "Configuration", "Best mIoU", "Best pixel acc.", "Parameters", "Gain over baseline"],
                [
                    [
                        _fmt(a["architecture"]),
                        _fmt(a["configuration"]),
                        _fmt(a["best_miou"]),
                        _fmt(a["best_pixel_accuracy"]),
                        f"{a['parameters'] / 1e6:.1f} M",
                        _points(a["gain_over_baseline"]),
                    ]
                    for a in results["second_architecture"]
                ],
            )
        )
    parts.append(
        "<h2>Train the final model</h2><p>With the best configuration and the same settings: "
        f"<code>python -m segmentation_trainer train --config {BEST_RUN_FILE}</code> "
        "(or the dock's <i>Train with the best</i> button). Files: "
        f"<a href='{CSV_FILE}'>{CSV_FILE}</a>, <a href='{JSON_FILE}'>{JSON_FILE}</a>; each run's model and "
        "metrics are in <code>runs/</code>.</p>"
    )
    return _PAGE.format(title=html.escape(f"Loss comparison — {config.train.mode}"), body="\n".join(parts))


def _points(gain: float | None) -> str:
    return "–" if gain is None else f"{100 * gain:+.2f}"


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 75em; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
th, td {{ border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }}
th {{ background: #f0f0f0; }} td:first-child, th:first-child {{ text-align: left; }}
.answer {{ font-size: 1.15em; background: #eef6ee; border-left: 4px solid #4daf4a; padding: 0.6em; }}
.warning {{ background: #fff3e0; border-left: 4px solid #ff9800; padding: 0.6em; }}
.settings {{ color: #555; }} img {{ max-width: 48%; margin-right: 1%; }}
</style></head><body>
{body}
</body></html>
"""
