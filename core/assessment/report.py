"""The assessment's files, written into the report folder:

- ``confusion_matrix.csv``: the error matrix of counts, map classes as rows, reference classes as columns, with
  totals;
- ``assessment.json``: every figure (``runner.assessment``'s results);
- ``confusion_matrix.png``: the matrix drawn, each cell coloured by its share of the map class's row (the user's
  view: where the units mapped as a class truly belong) and labelled with its count;
- ``report.html`` (``templates/assessment_report.html``): the key figures, the tables, the picture and the method.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import numpy as np

from ..common.files import replaced, write_text_atomic
from ..reporting import new_figure, render_page, save_figure

CSV_FILE, JSON_FILE, PICTURE_FILE, REPORT_FILE = (
    "confusion_matrix.csv",
    "assessment.json",
    "confusion_matrix.png",
    "report.html",
)
CELL_INCHES, MIN_INCHES = 0.7, 4.0


def write_report(folder: Path, results: dict[str, Any]) -> dict[str, str]:
    """Write the files of the module docstring; their paths by kind."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [c["name"] for c in results["classes"]]
    counts = np.array(results["counts"], dtype=np.int64)
    write_text_atomic(folder / JSON_FILE, json.dumps(results, indent=2))
    _write_csv(folder / CSV_FILE, names, counts)
    _draw_matrix(folder / PICTURE_FILE, names, counts, results["unit"])
    page = render_page(
        Path(__file__).parent / "templates",
        "assessment_report.html",
        {"pct": lambda v: "–" if v is None else f"{100 * v:.1f}", "area": _area},
        results=results,
        rows=list(zip(results["classes"], counts.tolist())),
        files={"csv": CSV_FILE, "json": JSON_FILE, "picture": PICTURE_FILE},
    )
    write_text_atomic(folder / REPORT_FILE, page)
    return {"report": str(folder / REPORT_FILE), "matrix": str(folder / CSV_FILE), "figures": str(folder / JSON_FILE)}


def _area(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _write_csv(path: Path, names: list[str], counts: np.ndarray) -> None:
    with replaced(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["map \\ reference", *names, "total"])
        for name, row in zip(names, counts.tolist()):
            writer.writerow([name, *row, sum(row)])
        writer.writerow(["total", *counts.sum(axis=0).tolist(), int(counts.sum())])


def _draw_matrix(path: Path, names: list[str], counts: np.ndarray, unit: str) -> None:
    side = max(MIN_INCHES, CELL_INCHES * len(names) + 2.5)
    figure = new_figure(side + 1.0, side)
    axes = figure.add_subplot()
    rows = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, rows, out=np.zeros(counts.shape), where=rows > 0)
    image = axes.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
    for (i, j), count in np.ndenumerate(counts):
        if count:
            axes.text(j, i, f"{count:,}", ha="center", va="center", fontsize="small",
                      color="white" if shares[i, j] > 0.6 else "black")  # fmt: skip
    ticks = range(len(names))
    axes.set_xticks(ticks, names, rotation=45, ha="right")
    axes.set_yticks(ticks, names)
    axes.set_xlabel("reference class")
    axes.set_ylabel("map class")
    axes.set_title(f"Error matrix ({unit}s; colour: share of the map class)")
    figure.colorbar(image, ax=axes, fraction=0.046, pad=0.04)
    save_figure(figure, path)
