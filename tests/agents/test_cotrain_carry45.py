"""Session 43 (carry45): a resumed session's new TensorBoard event file is no more open than the
run's earlier ones (was: the resuming process's umask, e.g. root's 0644 in a umask-077 run)."""

import os
import stat

import pytest

from agents.cotrain import TolerantTensorBoard


@pytest.fixture
def umask_022():
    was = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(was)


def _modes(tb):
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in tb.glob("events.out.tfevents.*")}


def test_a_resumed_sessions_event_file_keeps_the_earlier_files_mode(tmp_path, umask_022):
    tb = tmp_path / "run" / "tb"
    tb.mkdir(parents=True)
    earlier = tb / "events.out.tfevents.1000.host.1.0"  # session 1, under umask 077
    earlier.write_bytes(b"")
    earlier.chmod(0o600)
    if os.geteuid() == 0:  # the finding's case: root resumes a user's run
        for path in (tmp_path / "run", tb, earlier):
            os.chown(path, 4242, 4343)
    writer = TolerantTensorBoard(tb, purge_step=3)
    writer.write({"a": 1.0}, {"a": None}, 3)
    writer.close()
    modes = _modes(tb)
    assert len(modes) == 2 and set(modes.values()) == {0o600}, modes
    if os.geteuid() == 0:
        owners = {(p.stat().st_uid, p.stat().st_gid) for p in tb.iterdir()}
        assert owners == {(4242, 4343)}


def test_the_umask_narrows_it_further_and_a_first_session_follows_the_umask(tmp_path, umask_022):
    tb = tmp_path / "tb"
    writer = TolerantTensorBoard(tb)  # a first session: the umask's mode, as before
    writer.close()
    assert set(_modes(tb).values()) == {0o644}
    os.umask(0o077)  # a resume under a stricter umask: never widened to the earlier 0644
    writer = TolerantTensorBoard(tb, purge_step=3)
    writer.close()
    assert sorted(_modes(tb).values()) == [0o600, 0o644]
