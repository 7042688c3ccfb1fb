"""Class polygons from a class raster: GDAL's polygonize on the band (streamed, not read whole),
optional Douglas-Peucker simplification (topology preserved per polygon), written to a GeoPackage
with the class value, its name and the polygon's area in hectares (projected CRSs in metres)."""

from __future__ import annotations

from pathlib import Path

import fiona
import rasterio
from rasterio.features import shapes
from shapely.geometry import mapping, shape

from ..common.config import ClassInfo

LAYER = "classes"


def vectorize(raster: str, output: str, classes: list[ClassInfo], tolerance: float = 0.0) -> int:
    """Write one polygon per connected patch of a class; returns the number of polygons."""
    names = {c.value: c.name for c in classes}
    Path(output).unlink(missing_ok=True)
    with rasterio.open(raster) as src:
        metric = (
            src.crs is not None
            and src.crs.is_projected
            and (src.crs.linear_units or "").lower() in ("metre", "meter", "m")
        )
        schema = {"geometry": "Polygon", "properties": {"class": "int", "name": "str", "area_ha": "float"}}
        count = 0
        with fiona.open(output, "w", driver="GPKG", layer=LAYER, schema=schema, crs_wkt=src.crs.to_wkt()) as dst:
            for geometry, value in shapes(rasterio.band(src, 1), connectivity=8, transform=src.transform):
                if value == src.nodata:
                    continue
                polygon = shape(geometry)
                if tolerance > 0:
                    polygon = polygon.simplify(tolerance, preserve_topology=True)
                if polygon.is_empty:
                    continue
                dst.write(
                    {
                        "geometry": mapping(polygon),
                        "properties": {
                            "class": int(value),
                            "name": names.get(int(value), str(int(value))),
                            "area_ha": polygon.area / 10_000.0 if metric else None,
                        },
                    }
                )
                count += 1
    return count
