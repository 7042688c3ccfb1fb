"""Stage 1, data: rasters, labels on the raster grid, tiles and the spatial split, normalization,
augmentation and the tile dataset."""
