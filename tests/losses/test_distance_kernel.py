"""The compiled distance transform (``distance_kernel``): hand-worked answers, every pixel against a brute-force
search on random masks, masks with one side only, and results that do not depend on the number of threads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from segmentation_trainer.losses.distance_kernel import to_other_side


def brute_force(mask: np.ndarray) -> np.ndarray:
    """The squared distance of each pixel to the nearest pixel on the other side, by trying every pixel."""
    rows, columns = np.indices(mask.shape)
    points = np.stack([rows.ravel(), columns.ravel()], axis=1)
    squared = ((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2)
    other_side = mask.ravel()[:, None] != mask.ravel()[None, :]
    return np.where(other_side, squared, np.iinfo(np.int64).max).min(axis=1).reshape(mask.shape)


def test_a_row_by_hand():
    mask = np.array([[False, True, True, True, False]])
    np.testing.assert_array_equal(to_other_side(mask), [[1, 1, 2, 1, 1]])


def test_a_pixel_by_hand():
    mask = np.zeros((3, 4), dtype=bool)
    mask[1, 1] = True
    expected = [[2, 1, 2, 5], [1, 1, 1, 4], [2, 1, 2, 5]]  # squared: the corners √2, two columns away √5, …
    np.testing.assert_array_equal(to_other_side(mask, squared=True), expected)
    np.testing.assert_allclose(to_other_side(mask), np.sqrt(expected), rtol=1e-7)


@pytest.mark.parametrize("shape", [(1, 9), (9, 1), (2, 2), (7, 5), (33, 40)])
@pytest.mark.parametrize("density", [0.03, 0.5, 0.97])
def test_every_pixel_against_a_brute_force_search(shape, density):
    rng = np.random.default_rng(sum(shape) + int(density * 100))
    masks = rng.random((6, *shape)) < density
    masks[:, 0, 0], masks[:, -1, -1] = True, False  # both sides in every mask
    got = to_other_side(masks, squared=True)
    assert got.dtype == np.float32 and got.shape == masks.shape
    for mask, distances in zip(masks, got):
        np.testing.assert_array_equal(distances, brute_force(mask))


def test_regions_and_thin_shapes_against_a_brute_force_search():
    """Shapes random speckle does not make: a disc, a one-pixel ring, a diagonal line, a mask one pixel off full."""
    rows, columns = np.indices((31, 37))
    radius = np.hypot(rows - 15, columns - 20)
    almost_full = np.ones((31, 37), dtype=bool)
    almost_full[30, 0] = False
    masks = np.stack([radius < 11, np.abs(radius - 9) < 0.5, rows == columns, almost_full])
    for mask, distances in zip(masks, to_other_side(masks, squared=True)):
        np.testing.assert_array_equal(distances, brute_force(mask))


def test_a_mask_with_one_side_only_is_zero():
    masks = np.zeros((2, 3, 4, 5), dtype=bool)
    masks[0, 1] = True
    masks[1, 2, 2, 2] = True
    got = to_other_side(masks)
    assert not got[0].any() and not got[1, :2].any()
    assert got[1, 2].all()


def test_takes_any_layout_and_keeps_the_leading_dimensions():
    masks = np.random.default_rng(0).random((4, 3, 12, 10)) < 0.4
    transposed = np.ascontiguousarray(masks.transpose(1, 0, 3, 2)).transpose(1, 0, 3, 2)  # not C-contiguous
    np.testing.assert_array_equal(to_other_side(transposed), to_other_side(masks))
    assert to_other_side(masks[0, 0]).shape == (12, 10)


def test_results_do_not_depend_on_the_number_of_threads():
    masks = np.random.default_rng(1).random((7, 64, 48)) < 0.3
    results = []
    for threads in (1, 2, 3):
        torch.set_num_threads(threads)  # the conftest fixture restores the number of threads
        results.append(to_other_side(masks, squared=True))
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])
