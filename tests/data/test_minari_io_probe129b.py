"""Probe 129 row 7: a user's own folder in the Minari root named like a rambo trash folder
(``.rambo-trash-<pid>-<tag>``, its PID not running) was read as one and removed; it is now taken
as a trash folder only where it holds what save_minari puts there (``old``, ``dataset_id``)."""

import subprocess
import sys

from rambo_env.data.minari_io import _remove_stale_staging


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_a_users_folder_named_like_a_trash_folder_is_left(tmp_path):
    dead = _dead_pid()
    mine = tmp_path / f".rambo-trash-{dead}-notes"
    (mine / "thesis").mkdir(parents=True)
    (mine / "thesis" / "draft.txt").write_text("mine")
    _remove_stale_staging(tmp_path)
    assert (mine / "thesis" / "draft.txt").read_text() == "mine"


def test_a_dead_writers_empty_trash_folder_is_still_removed(tmp_path):
    dead = _dead_pid()
    trash = tmp_path / f".rambo-trash-{dead}-abcd1234"
    trash.mkdir()
    (trash / "dataset_id").write_text("rambo/hopper/medium-v0")  # its dataset already replaced
    _remove_stale_staging(tmp_path)
    assert not trash.exists()
