"""Distinct class colours, shared by the worker (GeoTIFF colour table) and the QGIS renderer."""

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
