"""What the QGIS side may import from ``core``: standard library only (no torch, rasterio, numpy).

``config`` (the settings, declared once in ``schema``), ``events`` (the worker's JSON lines and the
text they show), ``errors``, ``colors`` and ``files`` (the names of the files a run writes).
"""
