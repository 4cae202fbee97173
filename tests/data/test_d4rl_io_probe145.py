"""Probe 145 R9: advice of the form ``VAR=<path>`` was printed unquoted, so pasted with a path
holding a space it set the part before the space (``MINARI_DATASETS_PATH=/my``)."""

from __future__ import annotations

import shlex

from rambo_env.data.d4rl_io import _minari_guess


def test_the_guessed_minari_root_is_shell_quoted(tmp_path):
    root = tmp_path / "my data é"
    path = root / "ns" / "hopper" / "mine-v0" / "data" / "main_data.hdf5"
    guess = _minari_guess(path)
    assert "here probably ns/hopper/mine-v0 with MINARI_DATASETS_PATH=" in guess
    (setting,) = shlex.split(guess.split(" with ", 1)[1])  # was: split at the space
    assert setting == f"MINARI_DATASETS_PATH={root.resolve()}"
