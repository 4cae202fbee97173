"""Probe 147 R3-R5: the refusal of a new run folder under a umask that takes the owner's own
permission away comes before "starting run"; every line naming cotrain.py's ``--resume``
pastes from the working folder."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from rambo_env.command_line import SCRIPTS_DIR
from rambo_env.ledger import killed_text
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


def _bare_resume_strings(path: Path) -> list[int]:
    """Lines of ``path`` whose code strings (not docstrings) name ``scripts/cotrain.py
    --resume`` themselves (was: agents/cotrain.py, ledger.py, curves.py, run_io.py)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docs
        and "scripts/cotrain.py --resume" in node.value
    ]


@pytest.mark.parametrize("module", ["agents", "rambo_env", "scripts"])
def test_no_library_line_names_the_script_bare(module):
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / module).rglob("*.py"))
        if (lines := _bare_resume_strings(path))
    }
    assert found == {}


def test_a_killed_run_is_continued_with_the_checkouts_script_from_elsewhere(tmp_path, monkeypatch):
    """R5: ``continue it with scripts/cotrain.py --resume …`` from a folder without scripts/."""
    monkeypatch.chdir(tmp_path)
    text = killed_text(tmp_path / "runs" / "r1", 123, "iteration 1 of 2")
    assert f"python {SCRIPTS_DIR / 'cotrain.py'} --resume" in text


def test_a_new_run_folder_under_umask_277_is_refused_before_the_start_line(tmp_path):
    """R3: the umask refusal came after ``[cotrain] starting run runs/v277``."""
    cotrain = load_script("cotrain")
    old = os.umask(0o277)
    try:
        with pytest.raises(ValueError, match=r"^run_dir: .*umask 277"):
            cotrain.check_session_umask(tmp_path / "runs" / "v277")
    finally:
        os.umask(old)
    assert not (tmp_path / "runs").exists()
    cotrain.check_session_umask(tmp_path)  # an existing folder: a resume's business
