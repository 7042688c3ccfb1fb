"""Stage 4, inference: windowed, blended prediction of a class raster, its style and its polygons."""
