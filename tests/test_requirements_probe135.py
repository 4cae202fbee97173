"""Probe 135: a script run by runpy / IPython %run that exits during its import window gives
Ctrl-C back to its caller (was: the caller kept the script's handler and died on Ctrl-C)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CALLER = textwrap.dedent(
    """
    import os, runpy, signal, sys
    sys.path.insert(0, {root!r})
    try:
        runpy.run_path({script!r}, run_name="__main__")
    except {caught} as err:
        print("script ended:", type(err).__name__)
    try:
        os.kill(os.getpid(), signal.SIGINT)
    except KeyboardInterrupt:
        print("caller got KeyboardInterrupt")
    print("handler restored:", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
    """
)


def _run(tmp_path: Path, body: str, caught: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "s.py"
    script.write_text(
        "from rambo_env.requirements import interrupt_quietly_while_importing\n"
        "interrupt_quietly_while_importing('s', __name__)\n" + body
    )
    code = CALLER.format(root=str(ROOT), script=str(script), caught=caught)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_systemexit_in_window_gives_ctrl_c_back(tmp_path: Path) -> None:
    done = _run(tmp_path, "raise SystemExit(2)\n", "SystemExit")
    assert done.returncode == 0, done.stderr
    assert "caller got KeyboardInterrupt" in done.stdout
    assert "handler restored: True" in done.stdout
    assert "interrupted while starting" not in done.stderr


def test_import_error_in_window_gives_ctrl_c_back(tmp_path: Path) -> None:
    done = _run(tmp_path, "import no_such_module_probe135\n", "ImportError")
    assert done.returncode == 0, done.stderr
    assert "caller got KeyboardInterrupt" in done.stdout


def test_ctrl_c_inside_window_still_quiet(tmp_path: Path) -> None:
    body = "import os, signal\nos.kill(os.getpid(), signal.SIGINT)\nprint('not reached')\n"
    done = _run(tmp_path, body, "SystemExit")
    assert done.returncode == -2 or done.returncode == 130, (done.returncode, done.stderr)
    assert "[s] interrupted while starting" in done.stderr
    assert "not reached" not in done.stdout
