"""The ``assess`` command: tally the reference against the map, compute the figures, write the report, and tell the
key figures as log lines (the dock's log, Processing's feedback, the terminal)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common.config import AssessConfig
from ..common.events import EventWriter
from ..common.files import check_not_an_input, check_output_folder
from .agreement import agreement
from .reference import Tally, tally
from .report import CSV_FILE, JSON_FILE, PICTURE_FILE, REPORT_FILE, write_report
from .stratified import MIN_UNITS_PER_STRATUM, stratified_estimates, unsampled_strata

SAMPLING_NOTES = {
    "points": (
        "The weighted figures hold for points drawn at random: a stratified random sample by map class (as Sample "
        "points draws) or a simple random sample. Points placed by hand make them biased."
    ),
    "polygons": (
        "Polygons drawn by hand are not a random sample, and neighbouring pixels are alike: the weighted figures "
        "treat every pixel as an independent random unit, so their intervals are too narrow. Draw a stratified "
        "random sample of points (Sample points) for figures to report."
    ),
    "raster": (
        "A reference raster covering the whole map is a census (the counts' figures are the map's own); one covering "
        "a part is not a random sample, and neighbouring pixels are alike, so the weighted intervals are too narrow. "
        "Draw a stratified random sample of points (Sample points) for figures to report."
    ),
}


def assess(config: AssessConfig, events: EventWriter) -> dict[str, Any]:
    """Assess ``config``'s map against its reference; the result event's fields."""
    folder = Path(config.output_dir)
    check_output_folder(folder, "report folder")
    check_not_an_input(
        {"report": folder / REPORT_FILE, "matrix": folder / CSV_FILE, "figures": folder / JSON_FILE},
        {"class raster": config.prediction, "reference data": config.reference},
    )
    counted = tally(config, events.log)
    results = assessment(config, counted)
    files = write_report(folder, results)
    _log_key_figures(results, events)
    sample, weighted = results["sample"], results["stratified"]
    result = {
        **files,
        "picture": str(folder / PICTURE_FILE),
        "units": sample["units"],
        "overall_accuracy": sample["overall_accuracy"],
        "kappa": sample["kappa"],
        "weighted_overall_accuracy": weighted["overall_accuracy"] if weighted else None,
        "weighted_overall_accuracy_ci": weighted["overall_accuracy_ci"] if weighted else None,
    }
    events.emit("result", **result)
    return result


def assessment(config: AssessConfig, counted: Tally) -> dict[str, Any]:
    """Every figure of the assessment, as ``assessment.json`` holds them."""
    unit = "point" if counted.kind == "points" else "pixel"
    area = counted.pixel_area_ha or 1.0
    missing = unsampled_strata(counted.counts, counted.mapped)
    weighted = None if missing else stratified_estimates(counted.counts, counted.mapped, area * counted.mapped.sum())
    return {
        "prediction": config.prediction,
        "prediction_name": Path(config.prediction).name,
        "reference": config.reference,
        "reference_kind": counted.kind,
        "unit": unit,
        "left_out": counted.left_out,
        "classes": [c.__dict__ for c in counted.classes],
        "counts": counted.counts.tolist(),
        "reference_totals": counted.counts.sum(axis=0).tolist(),
        "mapped_pixels": counted.mapped.tolist(),
        "mapped_units": f"{int(counted.mapped.sum()):,}",
        "area_unit": "ha" if counted.pixel_area_ha else "pixels",
        "pixel_area": area,
        "sample": agreement(counted.counts),
        "stratified": weighted,
        "stratified_missing": _missing_text(missing, counted, unit),
        "sampling_note": SAMPLING_NOTES[counted.kind],
    }


def _missing_text(missing: list[int], counted: Tally, unit: str) -> str | None:
    if not missing:
        return None
    names = ", ".join(counted.classes[i].name for i in missing)
    return (
        f"No weighted figures: they need at least {MIN_UNITS_PER_STRATUM} reference {unit}s in every class of the map "
        f"(or all its pixels), and these classes have fewer: {names}. Add reference {unit}s where the map shows "
        "them (Sample points draws enough in every class)."
    )


def _log_key_figures(results: dict[str, Any], events: EventWriter) -> None:
    sample, weighted, unit = results["sample"], results["stratified"], results["unit"]
    left_out = ", ".join(f"{count:,} {reason}" for reason, count in results["left_out"].items())
    events.log(f"Reference: {sample['units']:,} {unit}s" + (f" ({left_out}: left out)." if left_out else "."))
    events.log(f"Overall accuracy {sample['overall_accuracy']:.3f}, kappa {_figure(sample['kappa'])}.")
    if weighted is None:
        events.log(results["stratified_missing"], level="warning")
        return
    events.log(
        f"Weighted by the class areas (Olofsson et al. 2014): overall accuracy {weighted['overall_accuracy']:.3f} "
        f"± {weighted['overall_accuracy_ci']:.3f} (95 %)."
    )
    for i, c in enumerate(results["classes"]):
        users, producers = (_with_ci(weighted, f"{kind}_accuracy", i) for kind in ("users", "producers"))
        events.log(
            f"{c['name']}: user's {users}, producer's {producers}, F1 {_figure(weighted['f1'][i])}, IoU "
            f"{_figure(weighted['iou'][i])}; area {weighted['area'][i]:,.1f} ± {weighted['area_ci'][i]:,.1f} "
            f"{results['area_unit']} (mapped {weighted['mapped_area'][i]:,.1f})."
        )


def _with_ci(figures: dict[str, Any], key: str, i: int) -> str:
    value = figures[key][i]
    return "n/a" if value is None else f"{value:.3f} ± {figures[key + '_ci'][i]:.3f}"


def _figure(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
