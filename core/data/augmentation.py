"""Augmentation of normalized tiles, image and label together, for any number of bands.

- ``none``: tiles as they are.
- ``basic``: a random 90° rotation and a random horizontal flip (the 8 symmetries of the square:
  map imagery has no "up").
- ``advanced``: basic, plus per band a brightness shift (±0.2), a contrast factor (0.8–1.2) around
  the band's mean, a gamma (0.8–1.25) on the band rescaled to [0, 1], and Gaussian noise
  (σ = 0.03), each applied with probability 0.5, on valid pixels only.

Values are in normalized units (standard deviations, or [0, 1] for percentile normalization).
"""

from __future__ import annotations

import numpy as np


def augment(image: np.ndarray, target: np.ndarray, valid: np.ndarray, level: str, rng: np.random.Generator):
    """Augmented copies of ``image`` ``(bands, h, w)`` and ``target`` ``(h, w)`` (``valid``: the
    image's valid pixels, left at 0 by the radiometric changes)."""
    if level == "none":
        return image, target
    k = int(rng.integers(4))
    image, target, valid = np.rot90(image, k, axes=(1, 2)), np.rot90(target, k), np.rot90(valid, k)
    if rng.random() < 0.5:
        image, target, valid = image[:, :, ::-1], target[:, ::-1], valid[:, ::-1]
    image = np.ascontiguousarray(image)
    if level == "advanced":
        image = _radiometric(image, np.ascontiguousarray(valid), rng)
    return image, np.ascontiguousarray(target)


def _radiometric(image: np.ndarray, valid: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    for band in image:
        values = band[valid]
        if values.size == 0:
            continue
        if rng.random() < 0.5:
            values = values + rng.uniform(-0.2, 0.2)
        if rng.random() < 0.5:
            mean = values.mean()
            values = (values - mean) * rng.uniform(0.8, 1.2) + mean
        if rng.random() < 0.5:
            low, high = values.min(), values.max()
            if high > low:
                values = ((values - low) / (high - low)) ** rng.uniform(0.8, 1.25) * (high - low) + low
        if rng.random() < 0.5:
            values = values + rng.normal(0.0, 0.03, values.shape)
        band[valid] = values
    return image
