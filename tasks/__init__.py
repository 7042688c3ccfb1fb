"""QGIS side of the worker: the QgsTask that runs it and the layer helpers (no torch, no rasterio)."""
