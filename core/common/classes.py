"""The classes a label field stands for: one rule for the dock's class table and the worker; a model's classes.

Standard library only: the QGIS process imports this module (``ui/class_table.py``), the worker too
(``core/data/labels.py``), so that both number a field's values the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from .config import ClassInfo


def whole_number(value: Any) -> int | None:
    """The whole number a field value stands for (3, 3.0, "3"), else None (text, 2.5, NaN, booleans)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if math.isfinite(number) and number == int(number) else None


def field_classes(values: Sequence[Any]) -> tuple[list[int], list[ClassInfo]]:
    """Each (non-empty) field value's class number and the class table, by one rule: when every value is
    a whole number, the values keep their number (named by it); otherwise every distinct value is a
    name, numbered 1, 2, … in sorted order of the names."""
    numbers = [whole_number(v) for v in values]
    if None not in numbers:
        return numbers, [ClassInfo(n, str(n)) for n in sorted(set(numbers))]
    number_of = {name: i for i, name in enumerate(sorted({str(v) for v in values}), start=1)}
    return [number_of[str(v)] for v in values], [ClassInfo(i, name) for name, i in number_of.items()]


def model_classes(metadata: dict[str, Any]) -> list[ClassInfo]:
    """The class table of a model's metadata (``model.json``, or the one an ONNX export carries)."""
    return [ClassInfo(**c) for c in metadata["classes"]]
