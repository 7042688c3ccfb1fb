"""The one rule by which the dock's class table and the worker number a label field's values (the dock's
test_class_table_is_filled_from_the_labels_and_checked and the worker's
test_text_class_field_without_table_is_numbered_in_sorted_order check that both follow it)."""

from __future__ import annotations

import math

import pytest

from segmentation_trainer.core.common.classes import field_classes, whole_number
from segmentation_trainer.core.common.config import ClassInfo


@pytest.mark.parametrize(
    ("value", "number"),
    [(3, 3), (3.0, 3), ("3", 3), (" 4 ", 4), ("2.5", None), (2.5, None), ("forest", None), (math.nan, None)],
)
def test_whole_numbers_are_recognised_whatever_their_type(value, number):
    assert whole_number(value) == number


@pytest.mark.parametrize("value", [True, False, None])
def test_booleans_and_empty_values_are_not_class_numbers(value):
    assert whole_number(value) is None


def test_whole_numbers_keep_their_value():
    values, classes = field_classes([5, 2.0, "5", 7])
    assert values == [5, 2, 5, 7]
    assert classes == [ClassInfo(2, "2"), ClassInfo(5, "5"), ClassInfo(7, "7")]


def test_text_is_numbered_from_one_in_sorted_order():
    values, classes = field_classes(["water", "forest", "water", "developed"])
    assert classes == [ClassInfo(1, "developed"), ClassInfo(2, "forest"), ClassInfo(3, "water")]
    assert values == [3, 2, 3, 1]


def test_a_field_mixing_numbers_and_text_is_numbered_as_text():
    values, classes = field_classes(["2", "forest", 10])
    assert [(c.value, c.name) for c in classes] == [(1, "10"), (2, "2"), (3, "forest")]
    assert values == [2, 3, 1]
