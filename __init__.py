"""Segmentation Trainer: a QGIS plugin that trains semantic segmentation models on map layers.

QGIS calls ``classFactory``; the plugin class is imported lazily so that importing this package
(for example by the worker process, ``python -m segmentation_trainer``) never needs QGIS.
"""


def classFactory(iface):  # noqa: N802 (name required by QGIS)
    from .plugin import SegmentationTrainerPlugin

    return SegmentationTrainerPlugin(iface)
