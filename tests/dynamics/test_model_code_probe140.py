"""Probe 140 rows 9 and 15: a model trained under uncommitted model-code edits whose record's
changed-file list came out empty (the user's ``diff.noprefix``) was reused without a note; and a
record that names the changed model files was still told "what those changes were is not
recorded"."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from rambo_env import requirements
from rambo_env.dynamics import io
from tests.dynamics.test_model_code_probe139 import NOW, at_commit_now  # noqa: F401 (fixture)

pytestmark = pytest.mark.usefixtures("at_commit_now")  # the running code: commit NOW, clean


def _dirty(changed=None):
    meta = {"rambo_env_commit": NOW, "rambo_env_dirty": "true", "rambo_env_diff": "0123456789ab"}
    return meta if changed is None else meta | {"rambo_env_changed": changed}


def test_a_dirty_record_with_an_empty_list_gets_the_note():
    said = io.model_code_note(_dirty(""), "m.pt")  # recorded under diff.noprefix before the fix
    assert said is not None and "is not recorded" in said


def test_the_note_names_the_changed_model_files():
    for changed in (
        "README.md rambo_env/normalization.py",
        "README.md\nrambo_env/normalization.py\n",
    ):
        said = io.model_code_note(_dirty(changed), "m.pt")
        assert said is not None and "not recorded" not in said, changed
        assert "uncommitted changes to rambo_env/normalization.py, so" in said
    assert "is not recorded" in io.model_code_note(_dirty(), "m.pt")  # no list: unknown


def test_a_record_made_under_diff_noprefix_gets_the_note(tmp_path, monkeypatch):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "gitconfig").write_text("[diff]\n\tnoprefix = true\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    root = tmp_path / "clone"
    (root / "rambo_env" / "dynamics").mkdir(parents=True)
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git, "init", "-q"], check=True)
    (root / "rambo_env/dynamics/ensemble.py").write_text("x = 1\n")
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "c"], check=True)
    (root / "rambo_env/dynamics/ensemble.py").write_text("x = 2\n")
    requirements._source_changes.cache_clear()
    try:
        record = requirements._source_changes(str(root))
    finally:
        requirements._source_changes.cache_clear()
    said = io.model_code_note({"rambo_env_commit": NOW, **dict(record)}, "m.pt")
    assert said is not None and "changes to rambo_env/dynamics/ensemble.py" in said
