"""Probe 86 (p86a) rows 28, 29: save_resume_state, whose rename of resume.tmp into place failed,
left no resume/ (the last good save in resume.old, which nothing read and the next save
deleted); a save that raised mid-write left resume.tmp with a partial replay buffer."""

from __future__ import annotations

import contextlib
import errno
import json
import pathlib

import pytest
from stable_baselines3 import SAC

from agents.behaviour import save_resume_state

_RENAME = pathlib.Path.rename


def _model() -> SAC:
    return SAC("MlpPolicy", "Pendulum-v1", learning_starts=0, buffer_size=10, device="cpu")


def _saved_wall(out: pathlib.Path) -> float:
    return json.loads((out / "resume" / "state.json").read_text())["wall_s"]


@contextlib.contextmanager
def _fail_renames(names):
    def rename(self, target):
        if self.name in names:
            raise OSError(errno.EIO, "injected I/O error")
        return _RENAME(self, target)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pathlib.Path, "rename", rename)
        yield


def test_a_failed_rename_into_place_puts_the_previous_save_back(tmp_path) -> None:
    # probe 86 row 28: was no resume/ (resume.old and resume.tmp left): a rerun trained from 0
    model = _model()
    save_resume_state(model, [], 1.0, tmp_path, "Pendulum-v1")
    with _fail_renames({"resume.tmp"}), pytest.raises(OSError, match="injected"):
        save_resume_state(model, [], 2.0, tmp_path, "Pendulum-v1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resume"]
    assert _saved_wall(tmp_path) == 1.0


def test_a_resume_old_without_resume_is_put_back(tmp_path, capsys) -> None:
    # probe 86 row 28: putting it back failed too: the reader (and the next save, which deleted
    # resume.old) now put it back first, with a WARNING naming both
    from agents.behaviour import restore_resume

    model = _model()
    save_resume_state(model, [], 1.0, tmp_path, "Pendulum-v1")
    with _fail_renames({"resume.tmp", "resume.old"}), pytest.raises(OSError) as info:
        save_resume_state(model, [], 2.0, tmp_path, "Pendulum-v1")
    assert f"it is at {tmp_path / 'resume.old'}" in "\n".join(info.value.__notes__)
    assert not (tmp_path / "resume").exists()
    capsys.readouterr()
    restore_resume(tmp_path)
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1 and str(tmp_path / "resume.old") in out
    assert _saved_wall(tmp_path) == 1.0
    (tmp_path / "resume").rename(tmp_path / "resume.old")  # again: now the next save
    save_resume_state(model, [], 3.0, tmp_path, "Pendulum-v1")
    assert "was put back" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resume"]
    assert _saved_wall(tmp_path) == 3.0


def test_a_save_that_raises_mid_write_leaves_no_temp_folder(tmp_path, monkeypatch) -> None:
    # probe 86 row 29: was resume.tmp left with model.zip and a partial replay_buffer.pkl
    model = _model()
    save_resume_state(model, [], 1.0, tmp_path, "Pendulum-v1")

    def partial(self, path):
        pathlib.Path(path).write_bytes(b"\x80partial" * 100)
        raise MemoryError("injected MemoryError")

    monkeypatch.setattr(SAC, "save_replay_buffer", partial)
    with pytest.raises(MemoryError):
        save_resume_state(model, [], 2.0, tmp_path, "Pendulum-v1")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["resume"]
    assert _saved_wall(tmp_path) == 1.0
