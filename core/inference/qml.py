"""A QGIS style file (.qml) beside a class raster, so that QGIS opens it with class names and colours.

QGIS loads ``<name>.qml`` as the default style of ``<name>.tif``; this writes the paletted renderer
as plain XML (no QGIS needed in the worker).
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..common.config import ClassInfo
from ..common.files import prediction_files, write_text_atomic


def write_paletted_style(raster: Path, classes: list[ClassInfo]) -> Path:
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
