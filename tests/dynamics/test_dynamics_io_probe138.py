"""Probe 138 row 33: a cached model trained by other MLE code (its meta's ``rambo_env_commit``)
was reused without a word, and config.json recorded only the running commit. The cache key still
leaves the code out (pretraining takes hours); one note names both commits when the model code
differs (or that cannot be told), with the way to retrain."""

from __future__ import annotations

import shutil

import pytest

from rambo_env import requirements
from rambo_env.dynamics import io
from tests.scripts import git_in

A, B = "a" * 40, "b" * 40


@pytest.fixture
def code(monkeypatch):
    """The running code: commit B, clean; ``differs`` what git would say of the model files."""
    state = {"commit": B, "changes": {"rambo_env_dirty": "false"}, "differs": True, "asked": []}
    monkeypatch.setattr(requirements, "source_commit", lambda root=None: state["commit"])
    monkeypatch.setattr(requirements, "source_changes", lambda root=None: state["changes"])

    def differs(root, commit):
        state["asked"].append(commit)
        return state["differs"]

    monkeypatch.setattr(io, "_model_code_differs", differs)
    return state


def test_a_model_of_other_model_code_gets_one_note_naming_both_commits(code):
    said = io.model_code_note({"rambo_env_commit": A}, "/c/dynamics-k.pt")
    assert said.startswith(
        f"note: the cached model /c/dynamics-k.pt was trained by rambo_env commit {A[:12]}, "
        f"this code is commit {B[:12]}: its model code (rambo_env/dynamics/ensemble.py"
    )
    assert "rm /c/dynamics-k.pt" in said and "RAMBO_ENV_CACHE" in said  # how to retrain
    code["differs"] = None  # git cannot tell (the commit not in this clone, no git)
    assert "may differ" in io.model_code_note({"rambo_env_commit": A}, "/c/m.pt")


def test_no_note_when_the_model_code_is_the_same_or_unknown(code):
    code["differs"] = False  # other commit, same ensemble / MLE / normaliser files
    assert io.model_code_note({"rambo_env_commit": A}, "/c/m.pt") is None
    code["differs"] = True
    assert io.model_code_note({"rambo_env_commit": B}, "/c/m.pt") is None  # this commit
    assert io.model_code_note({}, "/c/m.pt") is None  # saved before models recorded it
    assert io.model_code_note({"rambo_env_commit": "--output=x"}, "/c/m.pt") is not None
    assert "--output=x" not in code["asked"]  # never handed to git as an option
    code["commit"] = None  # an installed package: nothing to compare with
    assert io.model_code_note({"rambo_env_commit": A}, "/c/m.pt") is None


def test_uncommitted_changes_on_either_side(code):
    code["changes"] = {"rambo_env_dirty": "true", "rambo_env_diff": "d1"}
    meta = {"rambo_env_commit": B, "rambo_env_dirty": "true", "rambo_env_diff": "d1"}
    assert io.model_code_note(meta, "/c/m.pt") is None  # the same changes
    code["differs"] = False  # this code's changes leave the model files alone
    assert io.model_code_note({"rambo_env_commit": B, "rambo_env_dirty": "false"}, "m") is None
    other = {**meta, "rambo_env_diff": "d2"}  # the model's own changes are not known
    assert "with uncommitted changes" in io.model_code_note(other, "/c/m.pt")


def test_model_code_differs_asks_git_about_the_model_files(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")

    git = git_in(tmp_path)

    git("init", "-q")
    (tmp_path / "rambo_env" / "dynamics").mkdir(parents=True)
    ensemble = tmp_path / io.MODEL_CODE_PATHS[0]
    ensemble.write_text("penalty = 1\n")
    (tmp_path / "other.py").write_text("a = 1\n")
    git("add", ".")
    git("commit", "-qm", "one")
    first = git("rev-parse", "HEAD")
    (tmp_path / "other.py").write_text("a = 2\n")
    git("commit", "-qam", "two")
    assert io._model_code_differs(tmp_path, first) is False  # other code only
    ensemble.write_text("penalty = 2\n")  # an uncommitted change of the MLE counts
    assert io._model_code_differs(tmp_path, first) is True
    assert io._model_code_differs(tmp_path, "c" * 40) is None  # not in this clone
