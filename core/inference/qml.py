"""QGIS style files (.qml) beside a prediction's rasters, so that QGIS opens them styled: the class raster with
class names and colours, an uncertainty raster with a colour ramp.

QGIS loads ``<name>.qml`` as the default style of ``<name>.tif``; this writes the paletted and the single-band
pseudocolour renderers as plain XML (no QGIS needed in the worker).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..common.config import ClassInfo
from ..common.files import prediction_files, write_text_atomic


def write_paletted_style(raster: Path, classes: list[ClassInfo]) -> Path:
    """``<raster>.qml``: a paletted renderer of band 1, one entry per class (value, colour, name)."""
    entries = "\n".join(
        f'        <paletteEntry value={quoteattr(str(c.value))} color={quoteattr(c.color)} alpha="255" '
        f"label={quoteattr(c.name)}/>"
        for c in classes
    )
    style = f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Symbology">
  <pipe>
    <rasterrenderer type="paletted" band="1" opacity="1" alphaBand="-1" nodataColor="">
      <rasterTransparency/>
      <colorPalette>
{entries}
      </colorPalette>
    </rasterrenderer>
  </pipe>
</qgis>
"""
    path = prediction_files(raster)["style"]
    write_text_atomic(path, style)
    return path


def write_ramp_style(raster: Path, stops: list[tuple[float, str]]) -> Path:
    """``<raster>.qml``: a single-band pseudocolour renderer of band 1, colours interpolated between ``stops``
    (value, #rrggbb) from the first value to the last, values outside them clipped to the end colours."""
    low, high = stops[0][0], stops[-1][0]
    items = "\n".join(
        f'          <item value="{value:g}" color="{color}" alpha="255" label="{value:g}"/>' for value, color in stops
    )
    style = f"""<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Symbology">
  <pipe>
    <rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" alphaBand="-1" classificationMin="{low:g}"
        classificationMax="{high:g}" nodataColor="">
      <rasterTransparency/>
      <minMaxOrigin>
        <limits>None</limits>
        <extent>WholeRaster</extent>
        <statAccuracy>Estimated</statAccuracy>
        <cumulativeCutLower>0.02</cumulativeCutLower>
        <cumulativeCutUpper>0.98</cumulativeCutUpper>
        <stdDevFactor>2</stdDevFactor>
      </minMaxOrigin>
      <rastershader>
        <colorrampshader colorRampType="INTERPOLATED" classificationMode="1" clip="0" minimumValue="{low:g}"
            maximumValue="{high:g}">
{items}
        </colorrampshader>
      </rastershader>
    </rasterrenderer>
  </pipe>
</qgis>
"""
    path = raster.with_suffix(".qml")
    write_text_atomic(path, style)
    return path
