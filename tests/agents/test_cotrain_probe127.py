"""Probe 127 (N4): a resumed session's new TensorBoard event file keeps its owner's read / write
bits (was: ANDed with read-only earlier files, 0444, so a non-root writer's next append failed);
a permission error is not blamed on disk space; a directly built TolerantTensorBoard lets no
writer-thread traceback escape."""

import errno
import shutil
import stat
import threading

import pytest

import agents.cotrain as cotrain
from agents.cotrain import TolerantTensorBoard
from tests.agents.test_cotrain_carry45 import umask_022  # noqa: F401 (a fixture)


@pytest.fixture
def fresh_thread_hook(monkeypatch):
    monkeypatch.setattr(threading, "excepthook", threading.__excepthook__)
    monkeypatch.setattr(cotrain, "_THREAD_HOOK_SET", False)


def _modes(tb):
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in tb.glob("events.out.tfevents.*")}


def test_read_only_earlier_event_files_leave_the_new_one_writable_by_its_owner(tmp_path, umask_022):  # noqa: F811
    tb = tmp_path / "tb"
    tb.mkdir()
    earlier = tb / "events.out.tfevents.1000.host.1.0"
    earlier.write_bytes(b"")
    earlier.chmod(0o444)  # chmod a-w after the first session
    writer = TolerantTensorBoard(tb, purge_step=3)
    writer.write({"a": 1.0}, {"a": None}, 3)
    writer.close()
    modes = _modes(tb)
    assert modes.pop(earlier.name) == 0o444
    (new,) = modes.values()
    assert new == 0o644, oct(new)  # group / other narrowed to the earlier r--, owner keeps rw


def test_group_and_other_bits_are_still_narrowed(tmp_path, umask_022):  # noqa: F811
    tb = tmp_path / "tb"
    tb.mkdir()
    earlier = tb / "events.out.tfevents.1000.host.1.0"
    earlier.write_bytes(b"")
    earlier.chmod(0o400)
    writer = TolerantTensorBoard(tb, purge_step=3)
    writer.close()
    modes = _modes(tb)
    modes.pop(earlier.name)
    assert list(modes.values()) == [0o600]


def test_a_permission_error_is_not_blamed_on_disk_space(tmp_path, capsys):
    writer = TolerantTensorBoard(tmp_path / "tb")
    target = str(tmp_path / "tb" / "events.out.tfevents.1.h.1.0")
    # tensorboard's writer names the file as bytes
    writer._switch_off(PermissionError(errno.EACCES, "Permission denied", target.encode()), 3)
    err = "".join(capsys.readouterr())
    assert "not writable" in err and "free space" not in err, err
    assert f"make {target} writable" in err and "chmod u+w" in err
    writer = TolerantTensorBoard(tmp_path / "tb2")
    writer._switch_off(OSError(errno.ENOSPC, "No space left on device"), 3)
    assert "free space there" in "".join(capsys.readouterr())


def test_a_directly_built_writer_lets_no_thread_traceback_escape(
    tmp_path, capsys, fresh_thread_hook
):
    tb = tmp_path / "tb"
    writer = TolerantTensorBoard(tb)
    writer.write({"a": 1.0}, {"a": None}, 1)
    shutil.rmtree(tb)  # the writer thread's next append fails
    for step in range(2, 6):
        writer.write({"a": float(step)}, {"a": None}, step)
    writer.close()
    err = "".join(capsys.readouterr())
    assert "TensorBoard logs not written" in err, err
    assert "Exception in thread" not in err and "Traceback" not in err, err
