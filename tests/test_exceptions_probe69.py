"""Probe 69: the project's exceptions survive copy / pickle (what Ray, multiprocessing and
concurrent.futures do to a worker's exception); a sweep folder's ``.lock`` on a full disk."""

from __future__ import annotations

import copy
import errno
import os
import pickle
from pathlib import Path

import pytest

from agents.cotrain import RunInterrupted
from agents.fused import ParametersMisfitError
from agents.sweep import RayStartError, _SameDataError
from rambo_env import run_io
from rambo_env.data.dataset import DatasetUnavailableError, DatasetValidationError
from rambo_env.data.generate import DatasetExistsError
from rambo_env.model import NonFiniteModelError
from rambo_env.requirements import MissingExtraError
from rambo_env.run_io import (
    FolderInUseError,
    RunDirMovedError,
    WriteFailedError,
    _Terminated,
    hold_folder,
)

#: One instance of every exception class of the project (grep 'class .*(Error|Interrupted)').
ERRORS = {
    "WriteFailedError": lambda: WriteFailedError(
        Path("/x/checkpoint.pt"), OSError(errno.ENOSPC, "No space left on device")
    ),
    "WriteFailedError-rerun": lambda: WriteFailedError(
        Path("/x/a.json"), OSError(errno.EACCES, "Permission denied"), "--out", "resume"
    ),
    "RunInterrupted": lambda: RunInterrupted({"message": "interrupted", "iteration": 1}),
    "ParametersMisfitError": lambda: ParametersMisfitError("keys missing"),
    "DatasetValidationError": lambda: DatasetValidationError("bad field", problem="shape"),
    "DatasetUnavailableError": lambda: DatasetUnavailableError("x.npz: not found"),
    "DatasetExistsError": lambda: DatasetExistsError("hopper-random exists"),
    "NonFiniteModelError": lambda: NonFiniteModelError("nan weights"),
    "RunDirMovedError": lambda: RunDirMovedError("run_dir moved"),
    "FolderInUseError": lambda: FolderInUseError("in use by 1"),
    "MissingExtraError": lambda: MissingExtraError("pip install -e '.[sweep]'"),
    "_Terminated": lambda: _Terminated(),
    "_SameDataError": lambda: _SameDataError("same data"),
    "RayStartError": lambda: RayStartError("ray did not start"),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_every_project_exception_survives_copy_and_pickle_with_its_message(name, how):
    # probe 69 rows 34-36: was AttributeError "'str' object has no attribute 'errno'"
    # (WriteFailedError), TypeError "string indices must be integers" (RunInterrupted),
    # "set_parameters: set_parameters: keys missing" (ParametersMisfitError)
    err = ERRORS[name]()
    round_trip = {
        "copy": copy.copy,
        "deepcopy": copy.deepcopy,
        "pickle": lambda e: pickle.loads(pickle.dumps(e)),
    }[how]
    back = round_trip(err)
    assert type(back) is type(err)
    assert str(back) == str(err)
    assert back.args == err.args
    assert vars(back) == vars(err)
    if isinstance(err, OSError):
        assert (back.errno, back.strerror, back.filename) == (
            err.errno,
            err.strerror,
            err.filename,
        )


def test_write_failed_error_keeps_its_message_made_where_it_was_raised(tmp_path):
    """Rebuilt from its fields, not made again (a path that is a folder on the receiving host
    would change its text)."""
    err = WriteFailedError(tmp_path / "f.json", OSError(errno.EIO, "I/O error"))
    (tmp_path / "f.json").mkdir()
    assert str(pickle.loads(pickle.dumps(err))) == str(err)


def test_a_full_disk_under_a_held_folders_lock_says_free_space_and_leaves_no_lock(
    tmp_path, monkeypatch
):
    # probe 69 row 32: was "cannot write …/.lock (No space left on device); make … writable"
    # (the folder is writable) and a 0-byte .lock left behind
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd):
            self.f = real_fdopen(fd, "w")

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, text):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(run_io.os, "fdopen", lambda fd, mode: Full(fd))
    with pytest.raises(WriteFailedError) as caught:
        with hold_folder(tmp_path, "in use by {pid}", elsewhere="--sweep-dir"):
            pass
    text = str(caught.value)
    assert f"the disk holding {tmp_path} is full" in text
    assert "write elsewhere: --sweep-dir" in text and "writable" not in text
    assert not (tmp_path / ".lock").exists()
    with pytest.raises(ValueError, match=r"make .* writable"):  # no elsewhere: as before
        with hold_folder(tmp_path, "in use by {pid}"):
            pass
    assert not (tmp_path / ".lock").exists()


def test_write_failed_error_takes_a_str_path():
    """Probe 70 row 5: ``WriteFailedError('/tmp/x', OSError(ENOSPC, …))`` was "'str' object has
    no attribute 'parent'"."""
    import errno

    from rambo_env.run_io import WriteFailedError

    err = WriteFailedError("/tmp/x", OSError(errno.ENOSPC, "No space left on device"))
    assert str(err).startswith("/tmp/x: not written: the disk holding /tmp is full")
