"""Output locations checked before a run reads its data, and the one conversion of a disk's refusal into a message
that says what to do (``disk_error``)."""

from __future__ import annotations

import errno
import os
import tempfile

import pytest

from segmentation_trainer.core.common.errors import UserError
from segmentation_trainer.core.common.files import check_output_file, check_output_folder, disk_error


def test_a_folder_to_create_is_accepted_and_not_created(tmp_path):
    folder = tmp_path / "new" / "model"
    check_output_folder(folder, "model folder")
    check_output_file(folder / "p.tif", "prediction")
    assert list(tmp_path.iterdir()) == []


def test_a_file_in_the_way_is_refused(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(UserError, match=r"The model folder .*file is a file\. Choose a folder"):
        check_output_folder(tmp_path / "file", "model folder")
    with pytest.raises(UserError, match=r"report folder .*sub cannot be created: .*file is a file"):
        check_output_folder(tmp_path / "file" / "sub", "report folder")
    with pytest.raises(UserError, match=r"The prediction .* is a folder: give a file name in it"):
        check_output_file(tmp_path, "prediction")


@pytest.mark.parametrize(
    ("code", "advice"),
    [(errno.EROFS, "writable disk"), (errno.EACCES, "ask for permission"), (errno.ENOSPC, "Free some space")],
)
def test_a_folder_that_cannot_be_written_is_refused_with_what_to_do(tmp_path, monkeypatch, code, advice):
    def refused(**_options):
        raise OSError(code, os.strerror(code), str(tmp_path / "tmpabc"))

    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    with pytest.raises(UserError) as caught:
        check_output_folder(tmp_path / "model", "model folder")
    message = str(caught.value)
    assert message.startswith(f"Cannot use the model folder {tmp_path / 'model'}: {os.strerror(code)}. ")
    assert advice in message


def test_only_errors_the_user_can_fix_become_messages():
    full = disk_error(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/data/model.safetensors"))
    assert str(full) == (
        "Cannot use /data/model.safetensors: No space left on device. Free some space on that disk, or choose a "
        "folder on another disk."
    )
    quoted = disk_error(RuntimeError("write failed: Read-only file system (os error 30)"))  # a library's error
    assert "Read-only file system" in str(quoted) and "a file the run writes" in str(quoted)
    for bug in (OSError(errno.ENOENT, "No such file or directory", "x"), ValueError("bad"), KeyError("k")):
        assert disk_error(bug) is None
