"""Probe 125: the shared command-line checks every script's parser gets (stray words by position,
blank / carriage-return / en-dash words, rows 13-14, 27-28, 62-63) and gym.make's failure in
MuJoCo's renderer set-up (MUJOCO_GL=osmesa without OSMesa, row 46)."""

from __future__ import annotations

import argparse
import subprocess
import sys

import gymnasium as gym
import pytest

from rambo_env import evaluation, run_io
from rambo_env.data import loaders
from rambo_env.data.dataset import OfflineDataset
from tests.scripts import REPO, python_path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="x.py")
    parser.add_argument("--seed", type=int)
    parser.add_argument("--lam", type=float)
    parser.add_argument("--progress", action="store_true")
    return run_io.accept_negative_numbers(parser)


def test_stray_words_are_found_by_position():
    parser = _parser()
    argv = ["--seed", "0", "--lam", "3e-4", "0"]
    extra = parser.parse_known_args(argv)[1]
    assert extra == ["0"]
    (stray,) = run_io.stray_words(parser, argv, extra)
    assert (stray.at, stray.option, stray.action.dest) == (4, 2, "lam")  # not the 0 at 1
    argv = ["--progress", "0", "--seed=1", "2", "--bogus", "x", "--lam", "-1e3"]
    extra = parser.parse_known_args(argv)[1]
    strays = run_io.stray_words(parser, argv, extra)
    assert [(s.at, s.option) for s in strays] == [(1, 0), (3, 2), (4, None), (5, None)]
    assert run_io.stray_words(parser, argv, ["not", "these"]) is None


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--seed", "0", " "], "a stray blank argument ' ' after --seed 0 (a space after a '\\'"),
        (["--seed", "0", "\r"], "a stray carriage return after --seed 0: the shell script"),
        (["\r"], "a stray carriage return at the start:"),
        (["--seed", "1", "–-lam", "0"], "'–-lam' starts with an en dash (U+2013), not '--'"),
        (["--seed", "–-lam"], "'–-lam' starts with an en dash (U+2013), not '--'"),
        (["−−seed", "1"], "'−−seed' starts with a minus sign (U+2212), not '--'"),
    ],
)
def test_every_parser_names_a_slip_of_the_shell_or_a_paste(capsys, argv, said):
    with pytest.raises(SystemExit):
        _parser().parse_args(argv)
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert said in line
    assert "unrecognized" not in line and "\r" not in line


def test_a_crlf_script_run_by_bash(tmp_path):
    # the real thing: bash reads "\<CR><LF>" as an escaped carriage return word, not a join
    script = tmp_path / "run.sh"
    script.write_bytes(
        f"{sys.executable} {REPO / 'scripts' / 'make_dataset.py'} --seed 0 \\\r\n  --lam 0\r\n".encode()
    )
    done = subprocess.run(
        ["bash", str(script)], capture_output=True, text=True, timeout=120,
        env={"PYTHONPATH": python_path(), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert "make_dataset.py: error: a stray carriage return after --seed 0" in done.stderr
    assert "dos2unix" in done.stderr


def _glgeterror(*args, **kwargs):
    raise AttributeError("'NoneType' object has no attribute 'glGetError'")


def test_a_renderer_backend_that_cannot_start_is_named(monkeypatch):
    monkeypatch.setenv("MUJOCO_GL", "osmesa")
    monkeypatch.setattr(gym, "make", _glgeterror)
    monkeypatch.setattr(OfflineDataset, "validate", lambda self, *a: self)
    dataset = OfflineDataset.__new__(OfflineDataset)
    dataset.env_id = "Hopper-v5"
    dataset.metadata = {}
    with pytest.raises(ValueError) as err:
        loaders.validate_for_env(dataset)
    said = str(err.value)
    # was: "… is registered but cannot be made here (…); name an env this machine can run (e.g.
    # Hopper-v5 …)", naming the env that failed
    assert said.startswith(
        "env_id: 'Hopper-v5' cannot be made here: its MuJoCo renderer backend MUJOCO_GL=osmesa "
        "cannot start on this machine (AttributeError: 'NoneType' object has no attribute "
        "'glGetError'); training and evaluation never render: run without it (unset MUJOCO_GL"
    )
    assert "name an env" not in said
    with pytest.raises(ValueError, match="env: 'Hopper-v5' cannot be made here: its MuJoCo "):
        evaluation._make_env("Hopper-v5")
    monkeypatch.delenv("MUJOCO_GL")
    monkeypatch.delenv("PYOPENGL_PLATFORM", raising=False)
    assert "set MUJOCO_GL=egl" in run_io.renderer_failure(
        AttributeError("'NoneType' object has no attribute 'glGetError'"), "Hopper-v5"
    )
    assert run_io.renderer_failure(ImportError("No module named 'mujoco_py'"), "Hopper-v3") is None
