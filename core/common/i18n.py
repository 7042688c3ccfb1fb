"""Texts users read that are declared outside the QGIS side (settings, loss catalog): marked here,
translated there.

``QT_TRANSLATE_NOOP(context, text)`` returns ``text`` unchanged; its only job is to let
``pylupdate5`` (``make translations``) collect the text into ``i18n/*.ts`` under ``context``. The
QGIS side shows ``QCoreApplication.translate(context, text)``. Standard library only.
"""

SETTINGS = "settings"  # translation context of the settings' labels and help texts (core/common/config.py)
LOSSES = "losses"  # translation context of the loss catalog's names, descriptions and parameter labels


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 (the name pylupdate5 looks for)
    """Mark ``text`` for translation in ``context``; returns it unchanged."""
    del context
    return text
