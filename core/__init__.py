"""Training and prediction engine: plain PyTorch, numpy and rasterio, no QGIS; one folder per
pipeline stage.

- ``common/``  standard library only: the settings schema and configs, events, errors, file names.
  The only part of ``core`` the QGIS side may import (an import-linter contract checks it).
- ``data/`` → ``models/`` → ``training/`` → ``inference/``; ``export/`` writes a model as ONNX (which
  ``inference/`` can predict with, without PyTorch); ``comparison/`` runs training per loss;
  ``runtime/`` holds the device, stop requests and torchrun set-up they share.
- ``cli.py``  the worker's command line (``python -m segmentation_trainer``).

Import submodules explicitly: this ``__init__`` imports nothing, so the QGIS side can import
``core.common`` without pulling torch or rasterio into the QGIS process.
"""
