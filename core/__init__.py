"""Training and prediction engine: plain PyTorch, numpy and rasterio, no QGIS.

Import submodules explicitly. This package's ``__init__`` imports nothing heavy so that the QGIS
side can use its standard-library-only modules (``config``, ``events``, ``errors``) without
pulling torch or rasterio into the QGIS process.
"""
