"""Colours: distinct class colours, shared by the worker (GeoTIFF colour table) and the QGIS renderer, and the
colour ramp of the uncertainty rasters' styles (.qml)."""

from __future__ import annotations

import colorsys

# Colours for the first classes: a qualitative palette that stays distinct on maps.
_PALETTE = (
    "#e41a1c",
    "#377eb8",
    "#4daf4a",
    "#984ea3",
    "#ff7f00",
    "#ffff33",
    "#a65628",
    "#f781bf",
    "#1b9e77",
    "#66a61e",
    "#e6ab02",
    "#7570b3",
    "#a6cee3",
    "#b2df8a",
)


def class_color(index: int) -> str:
    """A colour for the class at ``index`` (0-based): the palette, then golden-angle hues."""
    if index < len(_PALETTE):
        return _PALETTE[index]
    hue = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(hue, 0.75, 0.9)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


VIRIDIS = (
    "#440154",
    "#472d7b",
    "#3b528b",
    "#2c728e",
    "#21918c",
    "#28ae80",
    "#5ec962",
    "#addc30",
    "#fde725",
)
"""Matplotlib's viridis at 0, 1/8, …, 1 (Smith & van der Walt 2015, "A better default colormap for Matplotlib"):
perceptually uniform, readable in grey and by colour-blind readers; dark to bright."""

UNSURE_END = {"entropy": 1.0, "margin": 0.0}
"""The value at which each uncertainty raster (by its name in a prediction's result) is most unsure: normalized
entropy 1 (all classes equally likely), top-two margin 0 (a tie)."""


def uncertainty_ramp(name: str) -> list[tuple[float, str]]:
    """The colour stops ``(value, #rrggbb)``, values 0 to 1, of the uncertainty raster ``name``: viridis, bright
    where the prediction is unsure (``UNSURE_END``), so that entropy and margin read alike."""
    colors = VIRIDIS if UNSURE_END[name] == 1.0 else VIRIDIS[::-1]
    last = len(colors) - 1
    return [(i / last, color) for i, color in enumerate(colors)]
