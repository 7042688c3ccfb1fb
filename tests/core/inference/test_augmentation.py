"""Test-time augmentation: the dihedral transforms, known answers of toy networks on rectangular tiles, and the
real pipeline against predictions of the transformed raster."""

from __future__ import annotations

import numpy as np
import pytest
import rasterio
import torch
from rasterio.windows import Window
from worker_helpers import crop_raster, quiet

from segmentation_trainer.core.common.config import TTA_MODES, PredictConfig
from segmentation_trainer.core.inference import prediction
from segmentation_trainer.core.inference.augmentation import (
    IDENTITY,
    ROTATE_90,
    ROTATE_180,
    ROTATE_270,
    TRANSFORMS,
    Transform,
    augmentation_warning,
    averaged,
)
from segmentation_trainer.core.inference.prediction import predict
from segmentation_trainer.core.inference.torch_network import TorchArrays
from segmentation_trainer.core.runtime.cancel import StopRequest

HEIGHT, WIDTH = 4, 6  # a rectangular tile: transposing transforms swap its sides


def test_each_choice_has_its_transforms_the_identity_first():
    assert set(TRANSFORMS) == set(TTA_MODES)
    assert {name: len(t) for name, t in TRANSFORMS.items()} == {"none": 1, "flips": 4, "rotations": 4, "dihedral": 8}
    assert all(t[0] == IDENTITY for t in TRANSFORMS.values())
    assert set(TRANSFORMS["dihedral"]) == set(TRANSFORMS["flips"]) | set(TRANSFORMS["rotations"]) | {
        Transform(transpose=True),
        Transform(True, True, True),
    }


def test_the_eight_transforms_are_the_dihedral_group():
    """Rotations as numpy's rot90; all eight distinct images of an asymmetric array; each undone exactly, on numpy
    arrays and torch tensors alike."""
    x = np.arange(2 * HEIGHT * WIDTH, dtype=np.float32).reshape(2, HEIGHT, WIDTH)
    for k, rotation in enumerate((IDENTITY, ROTATE_90, ROTATE_180, ROTATE_270)):
        assert np.array_equal(rotation.apply(x), np.rot90(x, k, axes=(-2, -1)))
    images = {t.apply(x).tobytes() + bytes(t.apply(x).shape) for t in TRANSFORMS["dihedral"]}
    assert len(images) == 8
    for t in TRANSFORMS["dihedral"]:
        assert np.array_equal(t.undo(t.apply(x)), x)
        assert torch.equal(t.undo(t.apply(torch.from_numpy(x))), torch.from_numpy(x))
        assert np.array_equal(t.apply(torch.from_numpy(x)).numpy(), t.apply(x))


def first_row_network(images: list[np.ndarray]) -> torch.Tensor:
    """A toy network that ignores its input: class 1 on the first row of whatever tile it is given, class 0
    elsewhere, as probabilities ``(N, 2, H, W)``."""
    height, width = images[0].shape[-2:]
    p1 = torch.zeros((len(images), height, width))
    p1[:, 0, :] = 1.0
    return torch.stack([1 - p1, p1], dim=1)


def sides(height: int, width: int) -> dict[str, np.ndarray]:
    masks = {name: np.zeros((height, width)) for name in ("top", "bottom", "left", "right")}
    masks["top"][0, :], masks["bottom"][-1, :] = 1, 1
    masks["left"][:, 0], masks["right"][:, -1] = 1, 1
    return masks


@pytest.mark.parametrize(
    ("tta", "expected"),
    [
        ("none", lambda s: s["top"]),
        ("flips", lambda s: (s["top"] + s["bottom"]) / 2),  # left-right keeps the first row, up-down makes it last
        ("rotations", lambda s: (s["top"] + s["bottom"] + s["left"] + s["right"]) / 4),  # one side each
        ("dihedral", lambda s: (s["top"] + s["bottom"] + s["left"] + s["right"]) / 4),  # each side twice out of 8
    ],
)
def test_known_answer_of_a_network_marking_its_first_row(tta, expected):
    """Averaging the undone outputs puts the first row of each transformed tile back where it lies in the tile:
    on a 4 x 6 tile the rotations' copies are 6 x 4 and their first rows come back as whole columns."""
    images = [np.zeros((3, HEIGHT, WIDTH), dtype=np.float32)] * 2
    probs = averaged(first_row_network, images, TRANSFORMS[tta])
    assert probs.shape == (2, 2, HEIGHT, WIDTH)
    want = expected(sides(HEIGHT, WIDTH))
    assert np.allclose(probs[:, 1].numpy(), want, atol=1e-7) and np.allclose(probs.sum(dim=1).numpy(), 1.0)
    if tta in ("rotations", "dihedral"):
        assert probs[0, 1, 0, 0] == pytest.approx(0.5) and probs[0, 1, 1, 1] == 0  # corners on two sides


def softmax_network(images: list[np.ndarray]) -> torch.Tensor:
    """A pixel-wise (hence equivariant) toy network: the softmax of each pixel's bands."""
    return torch.softmax(torch.from_numpy(np.stack(images)), dim=1)


def test_an_equivariant_network_gives_its_own_prediction_and_none_is_the_plain_prediction():
    rng = np.random.default_rng(0)
    images = [rng.normal(size=(3, HEIGHT, WIDTH)).astype(np.float32) for _ in range(3)]
    plain = softmax_network(images)
    for tta in TTA_MODES:
        assert torch.allclose(averaged(softmax_network, images, TRANSFORMS[tta]), plain, atol=1e-6)
    assert torch.equal(averaged(softmax_network, images, TRANSFORMS["none"]), plain)  # bit for bit


def test_a_model_trained_without_augmentation_is_warned_about():
    untrained = {"train_config": {"augmentation": "none"}}
    assert "trained without augmentation" in augmentation_warning("flips", untrained)
    assert augmentation_warning("none", untrained) is None
    assert augmentation_warning("dihedral", {"train_config": {"augmentation": "basic"}}) is None
    assert augmentation_warning("dihedral", {}) is None  # a model that does not record it


def _probabilities(model_dir, rasters, output, **options) -> list[np.ndarray]:
    """The probability rasters of ``rasters`` predicted in one run (the model loaded once)."""
    config = PredictConfig(model_dir=str(model_dir), raster=rasters, output=str(output), probabilities=True, **options)
    arrays = []
    for result in predict(config, quiet(), StopRequest())["predictions"]:
        with rasterio.open(result["probabilities"]) as src:
            arrays.append(src.read())
    return arrays


def _write_transformed(source, transform: Transform, path) -> str:
    with rasterio.open(source) as src:
        data, profile = transform.apply(src.read()), src.profile
    with rasterio.open(path, "w", **(profile | {"height": data.shape[1], "width": data.shape[2]})) as dst:
        dst.write(np.ascontiguousarray(data))
    return str(path)


def test_tta_is_the_mean_of_the_predictions_of_the_transformed_raster(small_model, landcover, tmp_path):
    """On a 256 x 192 crop (one tile, no padding, with the image's nodata border), TTA over the 8 transforms gives
    the mean of the 8 plain predictions of the transformed rasters, each turned back: the same transforms, the
    rectangular tile transposed, undone where they belong."""
    crop = crop_raster(landcover["image"], tmp_path / "crop.tif", Window(0, 0, 256, 192))
    (augmented,) = _probabilities(small_model, [str(crop)], tmp_path / "tta.tif", tta="dihedral")
    transforms = TRANSFORMS["dihedral"]
    rasters = [_write_transformed(crop, t, tmp_path / f"t{i}.tif") for i, t in enumerate(transforms)]
    copies = [t.undo(p) for t, p in zip(transforms, _probabilities(small_model, rasters, tmp_path / "plain"))]
    valid = augmented[0] >= 0
    assert 0.5 < valid.mean() < 1  # the nodata border is in the crop
    assert all(np.array_equal(c[0] >= 0, valid) for c in copies)
    expected = np.mean(copies, axis=0)
    assert np.abs(augmented[:, valid] - expected[:, valid]).max() < 1e-5
    plain = copies[0]
    assert np.abs(augmented[:, valid] - plain[:, valid]).max() > 0.01  # the copies differ: the test can fail


def test_rectangular_tiles_with_margins_give_an_equivariant_networks_prediction(
    small_model, landcover, tmp_path, monkeypatch
):
    """The whole pipeline (tiles of 224 x 256 px sharing 64 px, blended, in chunks) with a pixel-wise network in
    place of the model's: every transform's output goes back where it belongs, so TTA changes nothing."""
    weights = torch.from_numpy(np.random.default_rng(2).normal(size=(7, 5)).astype(np.float32))

    def pixelwise(self, images):
        return torch.softmax(torch.einsum("kc,nchw->nkhw", weights, torch.from_numpy(np.stack(images))), dim=1)

    monkeypatch.setattr(prediction._Prediction, "probabilities", pixelwise)
    monkeypatch.setattr(prediction, "CHUNK", 256)  # 2 x 3 chunks: what tiles add past theirs is carried
    image, options = str(landcover["image"]), {"tile_size": 256, "margin": 64}
    config = PredictConfig(model_dir=str(small_model), raster=image, output=str(tmp_path / "x.tif"), **options)
    grid = prediction._TileGrid.over(Window(0, 0, 489, 443), config, 128, TorchArrays(torch.device("cpu")))
    assert (grid.cols.length, grid.rows.length) == (224, 256) and (len(grid.cols.starts), len(grid.rows.starts)) == (
        3,
        2,
    )
    (plain,) = _probabilities(small_model, [image], tmp_path / "plain.tif", tta="none", **options)
    (augmented,) = _probabilities(small_model, [image], tmp_path / "tta.tif", tta="dihedral", **options)
    valid = plain[0] >= 0
    assert np.array_equal(augmented[0] >= 0, valid) and np.abs(augmented - plain)[:, valid].max() < 1e-5
