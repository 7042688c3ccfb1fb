import numpy as np
import pytest

from segmentation_trainer.core.inference.top_class import top_class


def test_known_answer_with_ties_going_to_the_lowest_class():
    probs = np.array(
        [
            [[0.2, 0.5], [0.4, 0.1]],
            [[0.7, 0.5], [0.4, 0.3]],
            [[0.1, 0.0], [0.2, 0.6]],
        ],
        dtype=np.float32,
    )
    assert top_class(probs).tolist() == [[1, 0], [0, 2]]


@pytest.mark.parametrize("classes", [1, 2, 7, 300])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_as_argmax_including_ties(classes, dtype):
    rng = np.random.default_rng(classes)
    probs = (rng.integers(0, 4, size=(classes, 37, 53)) / 4).astype(dtype)  # few values: many ties
    index = top_class(probs)
    np.testing.assert_array_equal(index, probs.argmax(axis=0))
    assert index.dtype == (np.uint8 if classes <= 256 else np.uint16)
