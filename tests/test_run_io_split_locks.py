"""run_io split (session 50): the writers live in :mod:`rambo_env.atomic_files`, the locks in
:mod:`rambo_env.file_locks`; run_io still exports every name it had, as the same object, and
neither new module imports run_io (no import cycle: either can be imported first)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env import atomic_files, file_locks, run_io

ROOT = Path(__file__).resolve().parents[1]

MOVED = {
    atomic_files: [
        "atomic_write",
        "StagedFiles",
        "WriteFailedError",
        "staged_name_bytes",
        "check_name_room",
        "clear_stray_writes",
        "NAME_MAX",
        "PATH_MAX",
        "UmaskError",
        "safe_reason",
    ],
    file_locks: [
        "file_lock",
        "wait_for_lock",
        "try_flock",
        "flock_holder",
        "share_lock_file",
        "FlockUnsupportedError",
        "replace_folder",
        "restore_set_aside",
        "lock_text",
        "LOCK_NAME",
    ],
}


@pytest.mark.parametrize("module", list(MOVED), ids=lambda m: m.__name__)
def test_run_io_exports_the_moved_names_as_the_same_objects(module):
    for name in MOVED[module]:
        assert getattr(run_io, name) is getattr(module, name), name
    assert all(hasattr(run_io, name) for name in run_io.__all__)


@pytest.mark.parametrize("module", list(MOVED), ids=lambda m: m.__name__)
def test_a_split_module_imports_no_run_io_and_loads_first(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    assert "rambo_env.run_io" not in imported
    done = subprocess.run(
        [sys.executable, "-c", f"import {module.__name__}"], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr
