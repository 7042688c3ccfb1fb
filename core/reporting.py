"""What the worker's HTML reports share: a Jinja2 page from a template folder, numbers written for people, and
pictures drawn with matplotlib (without pyplot: no display, no global state), each file written atomically."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from .common.files import replaced


def number(value: Any, digits: int = 3) -> str:
    """A figure for a table: ``–`` for none, yes/no, a float to ``digits`` decimals (two significant digits when
    smaller)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}f}" if abs(value) >= 10**-digits or value == 0 else f"{value:.2g}"
    return str(value)


def render_page(templates: Path, name: str, filters: dict[str, Any], **context: Any) -> str:
    """The template ``name`` of the folder ``templates`` rendered with ``context`` (autoescaped); ``num`` (``number``)
    and ``filters`` are its filters."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update({"num": number, **filters})
    return environment.get_template(name).render(**context)


def new_figure(width: float, height: float):
    """An empty matplotlib figure of ``width`` x ``height`` inches at 100 dpi, drawn by the Agg backend."""
    with warnings.catch_warnings():  # a system matplotlib beside the venv's warns about its 3D toolkit
        warnings.simplefilter("ignore")
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure, path: Path) -> None:
    """Write ``figure`` to ``path`` (its format from the suffix), atomically."""
    figure.tight_layout()
    with replaced(path) as tmp:
        figure.savefig(tmp, format=path.suffix.lstrip("."))
