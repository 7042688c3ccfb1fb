"""Every setting declared once: the fields of the config dataclasses carry their declaration.

A config field is written ``epochs: int = setting(20, "Epochs", "Passes over …", minimum=1)``:
default, human label and help text (both translatable), bounds, choices, where a QGIS front end takes
the value from, and whether it is an advanced setting. From that one declaration:

- the worker's command line builds its flags (``core/cli.py``: ``--epochs``, with range, choices and
  help),
- the Processing algorithms build their parameters (``provider/parameters.py``),
- the dock builds its setting widgets, ranges and tooltips (``ui/settings_form.py``) and saves them
  in the project by setting name,
- ``run.json`` is the dataclass as JSON (``config.save_config``),
- the config checks every value against its bounds and choices (``check_settings``).

Standard library only: the QGIS process imports this module.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from .errors import UserError
from .i18n import QT_TRANSLATE_NOOP

# Where a QGIS front end takes a setting from (``Setting.source``); "" is a plain value widget.
RASTER_LAYER = "raster_layer"  # a raster layer of the project (its file path)
LABEL_LAYER = "label_layer"  # polygons with a class field, or a class raster
REFERENCE_LAYER = "reference_layer"  # points or polygons with a class field, or a class raster
POLYGON_LAYER = "polygon_layer"  # polygons (areas, masks)
SUBLAYER = "sublayer"  # a layer name inside the file of the setting named by ``of`` (from the layer chosen)
FIELD = "field"  # a field of the layer setting named by ``of``
CLASS_TABLE = "class_table"  # the dock's class table; a class table JSON file elsewhere
LOSS = "loss"  # the dock's Loss tab (loss and its parameters)
FILE = "file"  # an existing file
FOLDER = "folder"  # an existing folder
OUTPUT_FOLDER = "output_folder"  # a folder to write
OUTPUT_RASTER = "output_raster"  # a raster file to write
OUTPUT_FILE = "output_file"  # another file to write (its kind: ``Setting.extension``)
OUTPUT_VECTOR = "output_vector"  # a vector file (GeoPackage) to write
EXTENT = "extent"  # xmin, ymin, xmax, ymax
EXTENT_CRS = "extent_crs"  # the CRS of the extent (QGIS front ends transform the extent to the raster's CRS)
BANDS = "bands"  # 1-based band numbers of the raster setting named by ``of``, in order ("4,3,2"); None: all
LAYER_SOURCES = (RASTER_LAYER, LABEL_LAYER, POLYGON_LAYER, REFERENCE_LAYER)
NOT_IN_FRONT_ENDS = (SUBLAYER, EXTENT_CRS)
AUTOMATIC, NONE = QT_TRANSLATE_NOOP("settings", "automatic"), QT_TRANSLATE_NOOP("settings", "none")
YES, NO = QT_TRANSLATE_NOOP("settings", "yes"), QT_TRANSLATE_NOOP("settings", "no")
"""Filled by QGIS front ends from another setting's widget (the layer's name inside its file; the extent,
transformed to the raster's CRS): no widget or Processing parameter of their own."""
JSON_EXAMPLE = '{"gamma": 2.0}'
"""An example of a JSON object setting's value (``loss_params``, the one there is), for messages."""


@dataclass(frozen=True)
class Setting:
    """One setting's declaration (see the module docstring for what is derived from it)."""

    name: str
    kind: type  # int, float, bool, str, dict (JSON), list (class table, bands), tuple (extent)
    default: Any
    label: str  # English; translated on the QGIS side in context i18n.SETTINGS
    help: str
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None  # the dock's spin step (e.g. 32 for tile sizes)
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()  # human names of ``choices``, in the same order (default: the choices)
    suggestions: tuple[str, ...] = ()  # values offered for a free text setting (encoders)
    optional: bool = False  # None is a valid value (meaning: automatic / not given)
    required: bool = False  # a run needs a value (a path)
    source: str = ""  # where a QGIS front end takes it from (constants above)
    extension: str = ""  # OUTPUT_FILE: the file's extension, without the dot ("onnx")
    of: str = ""  # SUBLAYER, FIELD: the setting whose layer this one depends on
    advanced: bool = False  # under "Advanced" in the dock and Processing
    flag: str = ""  # the command-line flag; default --name-with-dashes
    in_comparison: bool = True  # offered by compare (False: set per configuration, or per run only)
    multiple: bool = False  # several values (layers): a repeatable flag, a list file, several layers
    processing_batch: bool = False  # multiple, but one per Processing run (its batch mode runs several)

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def file_filter(self) -> str:
        """The file dialogs' filter of an OUTPUT_FILE setting, e.g. ``ONNX (*.onnx)``."""
        return f"{self.extension.upper()} (*.{self.extension})"

    @property
    def is_choice(self) -> bool:
        """Offered as a list of values (``choice_options``): declared choices, or yes/no/automatic."""
        return bool(self.choices) or (self.kind is bool and self.optional)

    @property
    def processing_name(self) -> str:
        """The Processing parameter's name: the flag's, e.g. ``--tile-size`` → ``TILE_SIZE``."""
        return self.cli_flag.lstrip("-").replace("-", "_").upper()

    def choice_label(self, value: str) -> str:
        labels = self.choice_labels or self.choices
        return labels[self.choices.index(value)] if value in self.choices else str(value)


_KINDS = {"int": int, "float": float, "bool": bool, "str": str}


def setting(default: Any, label: str, help: str, **declaration: Any) -> Any:
    """A dataclass field carrying its declaration (``label``, ``help`` and ``Setting``'s keywords)."""
    metadata = {"label": label, "help": help, **declaration}
    if isinstance(default, (list, dict)):
        return field(default_factory=type(default), metadata=metadata)
    return field(default=default, metadata=metadata)


def choice_options(s: Setting) -> list[tuple[Any, str]]:
    """The (value, English label) pairs a choice offers, in order: automatic/yes/no for an optional
    yes/no setting; the declared choices, after "none" when the setting is optional. The dock's combo
    boxes and Processing's enums list these, translated."""
    if s.kind is bool:
        return [(None, AUTOMATIC), (True, YES), (False, NO)]
    offered = [(value, s.choice_label(value)) for value in s.choices]
    return [(None, NONE), *offered] if s.optional else offered


def settings_of(cls: type) -> dict[str, Setting]:
    """The declared settings of a config dataclass, by name, in declaration order."""
    declared = {}
    for f in dataclasses.fields(cls):
        if "label" not in f.metadata:
            continue
        default = f.default if f.default is not dataclasses.MISSING else None
        if f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        declared[f.name] = Setting(
            name=f.name, kind=_kind(str(f.type)), default=default, optional="None" in str(f.type), **f.metadata
        )
    return declared


def _kind(annotation: str) -> type:
    base = annotation.split("|")[0].strip()
    for prefix, kind in (("dict", dict), ("list", list), ("tuple", tuple)):
        if base.startswith(prefix):
            return kind
    return _KINDS.get(base, str)


def check_settings(config: object) -> None:
    """Check every declared setting of ``config`` against its choices and bounds (UserError)."""
    for s in settings_of(type(config)).values():
        value = getattr(config, s.name)
        if value is None and s.optional:
            continue
        if s.choices and value not in s.choices:
            raise UserError(f"{s.label} {value!r} is not known: use one of {', '.join(s.choices)}.")
        if s.kind in (int, float) and not isinstance(value, bool):
            _check_bounds(s, value)
        if s.kind is dict and not isinstance(value, dict):
            raise UserError(f"{s.label} must be a JSON object such as {JSON_EXAMPLE}, got {value!r}.")
        if s.source == BANDS:
            _check_bands(s, value)


def _check_bounds(s: Setting, value: Any) -> None:
    if not isinstance(value, (int, float)):
        raise UserError(f"{s.label} must be a number, got {value!r}.")
    if s.kind is int and value != int(value):
        raise UserError(f"{s.label} must be a whole number, got {value!r}.")
    below = s.minimum is not None and value < s.minimum
    above = s.maximum is not None and value > s.maximum
    if below or above or value != value:  # value != value: NaN
        bounds = [f"at least {s.minimum:g}" if s.minimum is not None else ""]
        bounds.append(f"at most {s.maximum:g}" if s.maximum is not None else "")
        raise UserError(f"{s.label} must be {' and '.join(b for b in bounds if b)}, got {value!r}.")


def parse_bands(text: str) -> list[int] | None:
    """Band numbers written ``4,3,2`` (or ``4 3 2``); None for an empty text. A UserError names a piece that
    is not a whole number."""
    numbers = []
    for piece in re.split(r"[,;\s]+", text.strip()):
        if not piece:
            continue
        if not piece.isdigit():
            raise UserError(f"Bands {text!r}: {piece!r} is not a band number (write them like 4,3,2).")
        numbers.append(int(piece))
    return numbers or None


def _check_bands(s: Setting, value: Any) -> None:
    if not isinstance(value, list) or any(isinstance(b, bool) or not isinstance(b, int) for b in value):
        raise UserError(f"{s.label} must be a list of band numbers such as [4, 3, 2], got {value!r}.")
    for band in value:
        if band < 1:
            raise UserError(f"{s.label}: band {band} does not exist (bands are numbered from 1).")
    repeated = sorted({b for b in value if value.count(b) > 1})
    if repeated:
        raise UserError(f"{s.label}: band {', '.join(map(str, repeated))} is chosen more than once.")
