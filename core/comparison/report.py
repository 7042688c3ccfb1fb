"""The loss comparison's report: what each configuration scored, whether the data can tell them apart.

Written into the comparison's folder:

- ``results.csv`` / ``results.json``: one row per configuration: its validation mIoU (what chose
  the winner), its test mIoU with a 95 % interval, the difference to the selected configuration with
  its interval, Holm-adjusted p-value and minimum detectable difference, per-class test IoU, and
  the training diagnostics of Swastika 2025's Table III (validation blocks, mean over runs);
- ``miou.png`` / ``loss.png``: validation mIoU and loss per epoch, every configuration (run 1);
- ``report.html`` (``templates/comparison_report.html``): the answer, the tables, the curves, the
  Table VI per-class gains over the baseline, Table IV when a second architecture ran, and the
  method in words;
- ``best_run.json``: the training settings with the selected configuration, for
  ``python -m segmentation_trainer train --config best_run.json``.

The statistics are ``comparison_statistics``'. Nothing here depends on time or on paths outside the
folder: the same seed and data give the same tables.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..common.config import CompareConfig, LossConfiguration, config_to_dict, save_config
from ..common.files import METADATA_FILE, METRICS_FILE, replaced, write_text_atomic
from ..reporting import new_figure, render_page, save_figure
from . import statistics as stats

TEST_FILE = "test_evaluation.json"  # a run's confusion matrix per test block (the verdict's data)
REPORT_FILE, CSV_FILE, JSON_FILE, BEST_RUN_FILE = "report.html", "results.csv", "results.json", "best_run.json"
CURVES = {"miou": ("miou.png", "Validation mIoU"), "val_loss": ("loss.png", "Validation loss")}
DIAGNOSTICS = (  # key, heading: Swastika 2025's Table III and its convergence statistics (validation)
    ("best_miou", "Best val. mIoU"),
    ("final_miou", "Final val. mIoU"),
    ("best_pixel_accuracy", "Pixel acc. (best epoch)"),
    ("min_val_loss", "Min val. loss"),
    ("average_grad_norm", "Avg grad norm"),
    ("best_boundary_iou", "Boundary IoU (best epoch)"),
    ("loss_reduction_pct", "Loss reduction %"),
    ("stability", "Stability (σ val. mIoU, last 5)"),
)


@dataclass
class RunResult:
    """One finished training run (one seed) of a configuration, read back from its folder."""

    seed: int
    parameters: int
    classes: list[str]
    history: list[dict[str, Any]]
    summary: dict[str, Any]  # metrics.run_summary on the validation blocks
    test_blocks: list[tuple[int, int]]
    test_confusion: np.ndarray  # (blocks, K, K)

    @classmethod
    def load(cls, folder: Path) -> RunResult:
        meta = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        test = json.loads((folder / TEST_FILE).read_text(encoding="utf-8"))
        history = json.loads((folder / METRICS_FILE).read_text(encoding="utf-8"))
        return cls(
            int(meta["train_config"]["seed"]),
            int(meta["parameters"]),
            [c["name"] for c in meta["classes"]],
            history,
            meta["metrics"],
            [tuple(b) for b in test["blocks"]],
            np.array(test["confusion"], dtype=np.int64),
        )


@dataclass
class ConfigurationResult:
    """A configuration's finished runs (one per seed), all scored on the same test blocks."""

    name: str
    loss: str
    params: dict[str, Any]
    architecture: str
    runs: list[RunResult]

    @classmethod
    def of(cls, entry: LossConfiguration, architecture: str, runs: list[RunResult]) -> ConfigurationResult:
        if len({tuple(r.test_blocks) for r in runs}) != 1:
            raise ValueError(f"The runs of {entry.name} were tested on different blocks")
        return cls(entry.name, entry.loss, dict(entry.params), architecture, runs)

    def validation_score(self) -> float:
        """What selects the winner: the mean over runs of each run's best validation mIoU."""
        values = [r.summary.get("best_miou") for r in self.runs]
        return -1.0 if None in values else float(np.mean(values))

    @functools.cached_property
    def confusion(self) -> np.ndarray:
        """Every run's test confusion matrices ``(runs, blocks, K, K)``."""
        return np.stack([r.test_confusion for r in self.runs])

    def per_class_iou(self) -> dict[str, float | None]:
        """Per-class IoU on all test blocks, mean over the runs in which the class occurs."""
        iou, occurs = stats.per_class_iou(self.confusion.sum(axis=1))
        classes = self.runs[0].classes
        return {c: float(iou[occurs[:, i], i].mean()) if occurs[:, i].any() else None for i, c in enumerate(classes)}

    def diagnostics(self) -> dict[str, float | None]:
        """Table III's training figures, mean over runs (None where a run has none)."""
        values = {}
        for key, _ in DIAGNOSTICS:
            numbers = [r.summary.get(key) for r in self.runs]
            values[key] = None if None in numbers else float(np.mean(numbers))
        return values


@dataclass
class FailedConfiguration:
    """A configuration left out of the verdict: one of its runs diverged (NaN or infinite loss or weights)."""

    name: str
    loss: str
    params: dict[str, Any]
    architecture: str
    seed: int  # the run that diverged
    reason: str  # the worker's divergence message

    def row(self) -> dict[str, Any]:
        """Its entry in results.json and in the worker's result."""
        return {
            "configuration": self.name,
            "loss": self.loss,
            "loss_params": self.params,
            "architecture": self.architecture,
            "seed": self.seed,
            "status": "diverged",
            "reason": self.reason,
        }


def left_out(failed: list[FailedConfiguration]) -> str:
    """The sentence naming the configurations that diverged ("" when none did)."""
    if not failed:
        return ""
    names = ", ".join(f"{f.name} (seed {f.seed})" for f in failed)
    return (
        f" Left out of the verdict because their training diverged (NaN or infinite loss or weights): {names}; the "
        "report lists why."
    )


def analyse(configurations: list[ConfigurationResult], best: ConfigurationResult, seed: int) -> dict[str, Any]:
    """Test mIoU with intervals for every configuration; best - other differences, Holm-adjusted."""
    blocks = best.confusion.shape[1]
    draws = stats.block_draws(blocks, seed)
    per_run = np.array([stats.run_scores(c.confusion) for c in configurations])
    seeds = stats.seed_variances(per_run)
    others = [c for c in configurations if c is not best]
    tests = {
        c.name: _difference(stats.compare_to(best.confusion, c.confusion, draws, seeds["residual"])) for c in others
    }
    enough = blocks >= stats.MIN_TEST_BLOCKS
    for test, adjusted in zip(tests.values(), stats.holm([t["p_value"] for t in tests.values()])):
        test["p_holm"] = adjusted
        test["significant"] = enough and adjusted < stats.ALPHA
        test["detectable"] = stats.minimum_detectable_difference(test, len(tests))
    scores = {}
    for c in configurations:
        e = stats.configuration_estimate(c.confusion, draws, seeds["within"])
        scores[c.name] = {"test_miou": e["value"], "interval": e["interval"], "standard_error": e["standard_error"]}
    return {
        "scores": scores,
        "tests": tests,
        "blocks": blocks,
        "runs": len(best.runs),
        "enough_blocks": enough,
        "training_df": seeds["residual"][1],
        "seed_sd": {c.name: float(np.std(r, ddof=1)) if len(r) > 1 else None for c, r in zip(configurations, per_run)},
        "equal_seed_variance_p": stats.equal_seed_variance(per_run),
        "autocorrelation": stats.morans_i(stats.error_rates(best.confusion), best.runs[0].test_blocks, seed),
    }


def _difference(estimate: dict[str, Any]) -> dict[str, Any]:
    return {"difference": estimate.pop("value"), **estimate}


def results_rows(configurations: list[ConfigurationResult], analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per configuration in selection order (validation mIoU): the first is the selected one."""
    rows = []
    for c in sorted(configurations, key=ConfigurationResult.validation_score, reverse=True):
        score = analysis["scores"][c.name]
        rows.append(
            {
                "configuration": c.name,
                "loss": c.loss,
                "loss_params": c.params,
                "architecture": c.architecture,
                "runs": len(c.runs),
                "validation_miou": c.validation_score(),
                "test_miou": score["test_miou"],
                "test_interval": score["interval"],
                "seed_sd": analysis["seed_sd"][c.name],
                "vs_best": analysis["tests"].get(c.name),
                "per_class_iou": c.per_class_iou(),
                **c.diagnostics(),
            }
        )
    return rows


def class_gains(best: ConfigurationResult, baseline: ConfigurationResult) -> list[dict[str, Any]]:
    """Table VI: per-class test IoU of the baseline and of the selected configuration, and the gain."""
    gains = []
    chosen = best.per_class_iou()
    for name, base_iou in baseline.per_class_iou().items():
        best_iou = chosen.get(name)
        gain = None if base_iou is None or best_iou is None else best_iou - base_iou
        gains.append({"class": name, "baseline_iou": base_iou, "best_iou": best_iou, "gain": gain})
    return gains


def recommendation(best: ConfigurationResult, baseline: ConfigurationResult, analysis: dict[str, Any]) -> str:
    """The answer in words: which configuration, how well, and what the data can and cannot tell."""
    blocks, runs = analysis["blocks"], analysis["runs"]
    score = analysis["scores"][best.name]
    low, high = score["interval"]
    text = (
        f"{best.name} scored best on the validation blocks (mIoU {best.validation_score():.3f}); on the {blocks} "
        f"held-out test blocks its mIoU is {score['test_miou']:.3f} (95 % interval {low:.3f} to {high:.3f})."
    )
    tests = analysis["tests"]
    if not tests:
        return (
            text + " It is the only finished configuration: there is nothing to compare it with." + _caveats(analysis)
        )
    if not analysis["enough_blocks"]:
        return (
            text + f" With only {blocks} test blocks (at least {stats.MIN_TEST_BLOCKS} are needed) the data cannot "
            "tell the configurations apart, and no difference is called significant: label a larger area, or use "
            "smaller tiles or blocks (block tiles), so that more blocks are held out." + _caveats(analysis)
        )
    tied = [name for name, t in tests.items() if not t["significant"]]
    beaten = [name for name, t in tests.items() if t["significant"]]
    if not tied:
        worst = max(t["p_holm"] for t in tests.values())
        text += f" It is significantly better than every other configuration (Holm-adjusted p ≤ {worst:.3g})."
    else:
        detectable = max(tests[name]["detectable"] for name in tied)
        text += (
            f" The data cannot separate it from {_listing(tied, tests)}: with {blocks} test blocks and {runs} "
            f"run(s) per configuration, differences smaller than about {100 * detectable:.1f} mIoU points could "
            "not have been detected. Any of these is a sound choice."
        )
        if beaten:
            text += f" It is significantly better than {_listing(beaten, tests)}."
    if baseline is not best:
        t = tests[baseline.name]
        text += (
            f" Over the baseline {baseline.name}: {100 * t['difference']:+.1f} mIoU points (95 % interval "
            f"{100 * t['interval'][0]:+.1f} to {100 * t['interval'][1]:+.1f})."
        )
    return text + _caveats(analysis)


def _listing(names: list[str], tests: dict[str, Any]) -> str:
    return ", ".join(
        f"{n} ({100 * tests[n]['difference']:+.1f} points, unadjusted 95 % interval "
        f"{100 * tests[n]['interval'][0]:+.1f} to {100 * tests[n]['interval'][1]:+.1f}; "
        f"Holm-adjusted p = {tests[n]['p_holm']:.3g})"
        for n in names
    )


def _caveats(analysis: dict[str, Any]) -> str:
    text = ""
    if analysis["runs"] == 1:
        text += (
            " One run per configuration: the intervals leave training variance (seeds) out; 3 or more runs "
            "per configuration include it."
        )
    elif analysis["training_df"] <= 2:
        text += (
            f" Training variance rests on {analysis['training_df']:.0f} degree(s) of freedom ({analysis['runs']} runs "
            "per configuration), hence wide intervals: more runs narrow them."
        )
    pooling = analysis["equal_seed_variance_p"]
    if pooling is not None and pooling < stats.ALPHA:
        sd = {name: value for name, value in analysis["seed_sd"].items() if value is not None}
        widest = max(sd, key=sd.get)
        text += (
            f" The configurations vary unlike from seed to seed (Brown–Forsythe p = {pooling:.3g}): the pooled "
            f"intervals may be too narrow for the most variable, {widest} (seed-to-seed SD "
            f"{100 * sd[widest]:.1f} points); more runs would tell."
        )
    moran = analysis["autocorrelation"]
    if moran is not None and moran["p_value"] < stats.ALPHA:
        text += (
            f" Neighbouring test blocks have alike error rates (Moran's I {moran['morans_i']:.2f}, p = "
            f"{moran['p_value']:.3g}): the blocks are smaller than the spatial dependence, so the intervals may "
            "be too narrow; larger blocks (block tiles) make them trustworthy."
        )
    return text


def write_report(
    folder: Path,
    config: CompareConfig,
    configurations: list[ConfigurationResult],
    second: ConfigurationResult | None,
    cancelled: bool,
    failed: list[FailedConfiguration] | None = None,
) -> dict[str, Any]:
    """Write every file of the report; returns the summary the worker reports as its result. ``failed``: the
    configurations that diverged, listed and left out of the verdict."""
    failed = failed or []
    folder.mkdir(parents=True, exist_ok=True)
    best = max(configurations, key=ConfigurationResult.validation_score)
    baseline = next((c for c in configurations if c.name == config.baseline), best)
    analysis = analyse(configurations, best, config.train.seed)
    rows = results_rows(configurations, analysis)
    best_run = dataclasses.replace(
        config.train, loss=best.loss, loss_params=best.params, output_dir=str(folder / "final_model")
    )
    save_config(best_run, folder / BEST_RUN_FILE)
    settings = {k: v for k, v in config_to_dict(config.train).items() if k not in ("output_dir", "loss", "loss_params")}
    results = {
        "best": best.name,
        "baseline": baseline.name,
        "recommendation": recommendation(best, baseline, analysis) + left_out(failed),
        "method": _method(config, analysis),
        "configurations": rows,
        "class_gains": class_gains(best, baseline),
        "second_architecture": _architecture_rows(best, second, config.train.seed),
        "failed": [f.row() for f in failed],
        "complete": not cancelled,
        "settings": settings | {"runs": config.runs, "test_fraction": config.test_fraction},
    }
    write_text_atomic(folder / JSON_FILE, json.dumps(results, indent=2))
    _write_csv(folder / CSV_FILE, rows)
    for key, (file, title) in CURVES.items():
        _write_curve(folder / file, configurations, key, title)
    write_text_atomic(folder / REPORT_FILE, _html(results, config, cancelled))
    return {
        "report": str(folder / REPORT_FILE),
        "best": best.name,
        "best_miou": analysis["scores"][best.name]["test_miou"],
        "baseline": baseline.name,
        "recommendation": results["recommendation"],
        "best_run": str(folder / BEST_RUN_FILE),
        "configurations": [
            {
                "configuration": r["configuration"],
                "validation_miou": r["validation_miou"],
                "test_miou": r["test_miou"],
                "test_interval": r["test_interval"],
                "p_holm_vs_best": (r["vs_best"] or {}).get("p_holm"),
            }
            for r in rows
        ],
        "failed": [{"configuration": f.name, "seed": f.seed, "reason": f.reason} for f in failed],
    }


def _method(config: CompareConfig, analysis: dict[str, Any]) -> dict[str, Any]:
    """The facts the report's method paragraph states."""
    tile = config.train.tile_size
    return {
        "runs": analysis["runs"],
        "seeds": [config.train.seed + i for i in range(analysis["runs"])],
        "test_blocks": analysis["blocks"],
        "block_px": config.train.block_tiles * tile,
        "test_fraction": config.test_fraction,
        "validation_fraction": config.train.val_fraction,
        "replicates": stats.BOOTSTRAP_REPLICATES,
        "alpha": stats.ALPHA,
        "power": stats.POWER,
        "min_test_blocks": stats.MIN_TEST_BLOCKS,
        "comparisons": len(analysis["tests"]),
        "autocorrelation": analysis["autocorrelation"],
        "equal_seed_variance_p": analysis["equal_seed_variance_p"],
    }


def _architecture_rows(best: ConfigurationResult, second: ConfigurationResult | None, seed: int) -> list[dict]:
    """Table IV: the selected configuration on each architecture, tested on the same blocks and seeds
    (the difference is one planned comparison, not adjusted)."""
    if second is None:
        return []
    analysis = analyse([best, second], best, seed)
    test = analysis["tests"][second.name]
    return [
        {
            "architecture": c.architecture,
            "configuration": c.name,
            "validation_miou": c.validation_score(),
            "test_miou": analysis["scores"][c.name]["test_miou"],
            "test_interval": analysis["scores"][c.name]["interval"],
            "parameters": c.runs[0].parameters,
            "difference_to_first": None if c is best else -test["difference"],
            "difference_interval": None if c is best else [-test["interval"][1], -test["interval"][0]],
            "p_value": None if c is best else test["p_value"],
        }
        for c in (best, second)
    ]


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    classes = list(rows[0]["per_class_iou"])
    scalars = [k for k in rows[0] if k not in ("per_class_iou", "vs_best", "test_interval")]
    tests = ("difference", "interval", "p_value", "p_holm", "significant", "detectable")
    with replaced(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(
            scalars + ["test_low", "test_high"] + [f"iou_{c}" for c in classes] + [f"vs_best_{t}" for t in tests]
        )
        for row in rows:
            test = row["vs_best"] or {}
            values = [json.dumps(row[k]) if isinstance(row[k], dict) else row[k] for k in scalars]
            values += row["test_interval"] + [row["per_class_iou"].get(c) for c in classes]
            values += [json.dumps(test[t]) if isinstance(test.get(t), list) else test.get(t) for t in tests]
            writer.writerow(["" if v is None else v for v in values])


def _write_curve(path: Path, configurations: list[ConfigurationResult], key: str, title: str) -> None:
    """One line per configuration (its first run) over the epochs."""
    figure = new_figure(7, 4)  # imports matplotlib
    from matplotlib.ticker import MaxNLocator

    axes = figure.add_subplot()
    for c in configurations:
        points = [(h["epoch"], h[key]) for h in c.runs[0].history if h.get(key) is not None]
        if points:
            axes.plot(*zip(*points), marker="o", markersize=3, label=c.name)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epoch")
    axes.set_title(f"{title} (seed {configurations[0].runs[0].seed})")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    save_figure(figure, path)


def _html(results: dict[str, Any], config: CompareConfig, cancelled: bool) -> str:
    """The report page from its Jinja2 template."""
    filters = {
        "points": lambda v: "–" if v is None else f"{100 * v:+.1f}",
        "names": lambda paths: ", ".join(Path(p).name for p in paths),
    }
    return render_page(
        Path(__file__).parent / "templates",
        "comparison_report.html",
        filters,
        results=results,
        settings=results["settings"],
        method=results["method"],
        mode=config.train.mode,
        cancelled=cancelled,
        diagnostics=DIAGNOSTICS,
        curves=CURVES,
        files={"csv": CSV_FILE, "json": JSON_FILE, "best_run": BEST_RUN_FILE},
    )
