"""Probe 143 (finding 8): the model-code note listed every model file when git found any of
them different; now only those that differ."""

from __future__ import annotations

import shutil

import pytest

import rambo_env
from rambo_env.dynamics import io
from tests.scripts import git_in


def test_the_note_names_only_the_model_files_that_differ(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    git = git_in(tmp_path)

    git("init", "-q")
    (tmp_path / "rambo_env" / "dynamics").mkdir(parents=True)
    for path in io.MODEL_CODE_PATHS:
        (tmp_path / path).write_text("a = 1\n")
    git("add", ".")
    git("commit", "-qm", "one")
    first = git("rev-parse", "HEAD")
    (tmp_path / io.MODEL_CODE_PATHS[1]).write_text("a = 2\n")
    git("commit", "-qam", "two")
    monkeypatch.setattr(rambo_env, "__file__", str(tmp_path / "rambo_env" / "__init__.py"))
    _, how = io._other_model_code({"rambo_env_commit": first}, git("rev-parse", "HEAD"), {})
    assert how == f"its model code ({io.MODEL_CODE_PATHS[1]}) differs from this code's"
    (tmp_path / io.MODEL_CODE_PATHS[2]).write_text("a = 3\n")  # uncommitted: counts too
    _, how = io._other_model_code({"rambo_env_commit": first}, git("rev-parse", "HEAD"), {})
    assert f"({io.MODEL_CODE_PATHS[1]}, {io.MODEL_CODE_PATHS[2]})" in how
    # git cannot list them (not in this clone): every model file, as before
    assert io._differing_model_files(tmp_path, "c" * 40) == list(io.MODEL_CODE_PATHS)
