"""Probe 135: a script run by ``runpy.run_path`` (a user's Python process) that exits during its
import window (a check's SystemExit, an ImportError) left its import-window ``sys.excepthook`` in
the caller. A script started by another program now never replaces the caller's hook; one run
as ``python script.py`` still has it (its out-of-memory import line, probe 133)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CALLER = textwrap.dedent(
    """
    import runpy, sys
    sys.path.insert(0, {root!r})
    def mine(*args):
        pass
    sys.excepthook = mine
    try:
        runpy.run_path({script!r}, run_name="__main__")
    except BaseException as err:
        print("script ended:", type(err).__name__)
    print("caller's hook:", sys.excepthook is mine)
    """
)

WINDOW = (
    "from rambo_env.requirements import interrupt_quietly_while_importing\n"
    "interrupt_quietly_while_importing('s', __name__)\n"
)


@pytest.mark.parametrize("body", ["raise SystemExit(2)\n", "import no_such_module_probe137s\n"])
def test_a_runpy_caller_keeps_its_excepthook(tmp_path: Path, body: str) -> None:
    script = tmp_path / "s.py"
    script.write_text(WINDOW + body)
    code = CALLER.format(root=str(ROOT), script=str(script))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "script ended:" in done.stdout, done.stderr
    assert "caller's hook: True" in done.stdout, done.stdout + done.stderr


def test_a_script_run_by_python_still_has_the_import_window_hook(tmp_path: Path) -> None:
    script = tmp_path / "s.py"
    script.write_text(
        WINDOW + "import sys\nprint(getattr(sys.excepthook, 'rambo_import_window', None))\n"
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    assert "built-in function excepthook" in done.stdout, done.stdout + done.stderr
