"""Which bands of a raster feed a trained model: one rule for the worker's prediction and the dock's Predict tab.

Standard library only: the QGIS process imports this module (``ui/dock.py`` warns before a run), the worker
too (``core/inference/prediction.py`` reads the bands), so that both judge a raster the same way.
"""

from __future__ import annotations

from typing import Any

from .errors import UserError


def bands_to_read(model: dict[str, Any], count: int, name: str) -> list[int] | None:
    """The 1-based bands of the raster ``name`` (``count`` bands) that feed the model ``model`` (its
    model.json), in the network's order; None: all of them, as they are. A UserError says why the raster
    does not fit.

    A model trained on all bands needs a raster with as many. A model trained on chosen bands (``bands``)
    of a raster of ``raster_bands`` bands reads them from a raster laid out like that one or from any raster
    that has them; a raster with exactly as many bands as were chosen, and not as many as the training
    raster, holds the chosen bands already (extracted beforehand, in the network's order): it is read as it is.
    """
    bands, channels = model.get("bands"), model["in_channels"]
    if not bands:
        if count != channels:
            raise UserError(
                f"The raster {name} has {count} band(s) but the model was trained on {channels}: "
                "predict on a raster with the same bands as the training raster."
            )
        return None
    if count == channels and count != model.get("raster_bands"):
        return None
    missing = [b for b in bands if b > count]
    if missing:
        raise UserError(
            f"The raster {name} has {count} band(s) but the model reads bands {', '.join(map(str, bands))}: "
            f"band {', '.join(map(str, missing))} is missing. Predict on a raster with the training raster's "
            f"bands, or on one holding just the {channels} chosen bands in that order."
        )
    return list(bands)
