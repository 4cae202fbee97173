"""Probe 129 row 5: make_dataset.py (no --force) generated a dataset anew although another
host's trash folder held it (a load said so: probe 127)."""

from __future__ import annotations

import pytest

import rambo_env.data.generate as generate
from rambo_env.data import minari_io
from rambo_env.data.dataset import DatasetUnavailableError
from tests.data.test_minari_io_probe127 import _dead_pid, _trash
from tests.scripts import load_script

ID = "rambo/hopper/random-v0"


def _other_hosts_trash(root):
    (root / "rambo" / "hopper").mkdir(parents=True)
    return _trash(root, f".rambo-trash-oldcontainer-{_dead_pid()}-abc", ID)


def test_make_dataset_refuses_to_make_anew_what_another_hosts_trash_holds(tmp_path, monkeypatch):
    make_dataset = load_script("make_dataset")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    trash = _other_hosts_trash(tmp_path)
    monkeypatch.setattr(generate, "_level_episodes", lambda *a, **k: pytest.fail("generated"))
    with pytest.raises(DatasetUnavailableError) as refused:
        make_dataset.check_args(make_dataset.parse_args(["--env", "hopper", "--level", "random"]))
    said = str(refused.value)
    assert str(trash / "old") in said and "--force" in said
    with pytest.raises(DatasetUnavailableError):  # the library's generation too
        generate.generate_dataset("hopper", "random", n_transitions=1000)
    assert trash.is_dir()


def test_with_force_the_other_hosts_trash_is_left_alone_and_said_once(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    trash = _other_hosts_trash(tmp_path)
    minari_io.check_trash_elsewhere(ID, force=True)
    minari_io.check_trash_elsewhere(ID, force=True)
    said = capsys.readouterr()
    text = said.out + said.err
    assert text.count("left alone") == 1 and str(trash / "old") in text
    assert trash.is_dir() and not (tmp_path / "rambo" / "hopper" / "random-v0").exists()
