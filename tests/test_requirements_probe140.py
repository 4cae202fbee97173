"""Probe 140 rows 9, 17, 18: ``source_changes`` read the changed files from ``git diff``'s
headers, so a user's ``diff.noprefix`` / ``diff.mnemonicPrefix`` left the list empty (a model
trained under uncommitted model-code edits was then reused without a note), a name with a space
was split, and a rename recorded only its new name; the diff's hash changed with the user's git
config (prefixes, colour, an external diff tool, quoted paths)."""

from __future__ import annotations

import pytest

from rambo_env import requirements
from tests.scripts import isolated_git
from tests.test_requirements_probe138 import _git

CONFIGS = {
    "none": "",
    "noprefix": "[diff]\n\tnoprefix = true\n",
    "mnemonic": "[diff]\n\tmnemonicPrefix = true\n",
    "colour": "[color]\n\tui = always\n",
    "external": "[diff]\n\texternal = {tool}\n",
    "quotepath": "[core]\n\tquotePath = false\n",
    "context": "[diff]\n\tcontext = 9\n\talgorithm = histogram\n\trenames = copies\n",
}


@pytest.fixture
def clone(tmp_path, monkeypatch):
    isolated_git(tmp_path, monkeypatch)
    root = tmp_path / "clone"
    (root / "rambo_env" / "dynamics").mkdir(parents=True)
    (root / "my notes").mkdir()
    _git(root, "init", "-q")
    files = {
        "rambo_env/dynamics/ensemble.py": "x = 1\n",
        "my notes/todo.md": "a\n",
        "old name.md": "r\n" * 20,
        "é.py": "y = 1\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "one")
    requirements._source_changes.cache_clear()
    yield root
    requirements._source_changes.cache_clear()


def _with_config(tmp_path, text):
    tool = tmp_path / "tool.sh"
    tool.write_text("#!/bin/sh\necho external tool output\n")
    tool.chmod(0o755)
    (tmp_path / "gitconfig").write_text(text.format(tool=tool))
    requirements._source_changes.cache_clear()
    return requirements.source_changes(tmp_path / "clone")


def test_the_user_git_config_changes_neither_the_list_nor_the_hash(clone, tmp_path):
    (clone / "rambo_env/dynamics/ensemble.py").write_text("x = 2\n")
    (clone / "é.py").write_text("y = 2\n")
    records = {name: _with_config(tmp_path, text) for name, text in CONFIGS.items()}
    for name, record in records.items():
        assert record == records["none"], name
        assert requirements.changed_files(record) == ["rambo_env/dynamics/ensemble.py", "é.py"]


def test_names_with_spaces_and_both_names_of_a_rename_survive(clone):
    (clone / "my notes/todo.md").write_text("b\n")
    _git(clone, "mv", "old name.md", "new name.md")
    record = requirements.source_changes(clone)
    assert requirements.changed_files(record) == ["my notes/todo.md", "new name.md", "old name.md"]


def test_old_space_joined_and_empty_lists_are_read_as_before():
    read = requirements.changed_files
    assert read({"rambo_env_changed": "README.md rambo_env/normalization.py"}) == [
        "README.md",
        "rambo_env/normalization.py",
    ]
    assert read({"rambo_env_changed": "my notes/todo.md\n"}) == ["my notes/todo.md"]
    for record in ({}, {"rambo_env_changed": ""}, {"rambo_env_changed": None}):
        assert read(record) is None  # not known which files changed
