"""Worker-side fixtures: crops of the real sample data, small file systems (a full disk, a read-only one)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rasterio.windows import Window
from worker_helpers import crop_raster


@pytest.fixture(scope="session")
def landcover_crop(landcover, tmp_path_factory) -> Path:
    """192 x 192 pixels of the land-cover image, including its nodata border (top-left corner)."""
    return crop_raster(landcover["image"], tmp_path_factory.mktemp("crop") / "landsat_crop.tif", Window(0, 0, 192, 192))


@pytest.fixture
def tmpfs(tmp_path) -> Iterator[Callable[..., Path]]:
    """``tmpfs(name, size="200k", read_only=False, content=None)``: a new folder ``name`` of ``tmp_path`` with a small
    file system of its own mounted on it (``size`` as mount takes it), holding a copy of the folder ``content`` when
    given (copied before it is made read-only), unmounted after the test; the test is skipped where this process may
    not mount file systems (not root, or in a container that forbids it)."""
    mounted: list[Path] = []

    def mount(name: str, size: str = "200k", read_only: bool = False, content: Path | None = None) -> Path:
        folder = tmp_path / name
        folder.mkdir()
        _mount(["-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)])
        mounted.append(folder)
        if content is not None:
            shutil.copytree(content, folder, dirs_exist_ok=True)
        if read_only:
            _mount(["-o", "remount,ro", str(folder)])
        return folder

    def _mount(args: list[str]) -> None:
        done = subprocess.run(["mount", *args], capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot mount a small file system here: {done.stderr.decode().strip()}")

    yield mount
    for folder in reversed(mounted):
        subprocess.run(["umount", str(folder)], check=False)


@pytest.fixture
def disks(tmpfs) -> dict[str, Path]:
    """A full disk (a 200 KiB tmpfs) and a read-only one, where this process may mount file systems."""
    return {"full": tmpfs("full"), "read_only": tmpfs("read_only", read_only=True)}
