"""Probe 131 notes (a), (c): Ctrl-C while a script imports torch / Ray (sweep.py: ~4 s) was a
``KeyboardInterrupt`` traceback from the import machinery; curves.py refused the label 'λ' while
saying labels are "letters, digits, . _ + -"."""

from __future__ import annotations

import argparse
import signal
import sys

import pytest

from rambo_env import console
from rambo_env.run_io import tolerant_console
from tests.scripts import REPO, load_script, run_python

#: A script's first lines as the scripts have them; SIGINT arrives "while importing".
_CHILD = """
from rambo_env.requirements import interrupt_quietly_while_importing
interrupt_quietly_while_importing("sweep", __name__)
import os, signal
os.kill(os.getpid(), signal.SIGINT)
import time
time.sleep(5)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_while_importing_is_one_line():
    done = run_python(_CHILD, REPO, timeout=60)
    assert done.returncode == -signal.SIGINT  # by SIGINT, as before: 130 in a shell
    assert "[sweep] interrupted while starting" in done.stderr
    assert "Traceback" not in done.stderr


def test_the_window_ends_when_the_script_starts(monkeypatch):
    from rambo_env.requirements import end_import_window, interrupt_quietly_while_importing

    before = signal.getsignal(signal.SIGINT)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        interrupt_quietly_while_importing("sweep", "sweep_script")  # a test's load: nothing
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        interrupt_quietly_while_importing("sweep", "__main__")
        assert signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        monkeypatch.setattr(sys, "stdout", sys.stdout)  # tolerant_console wraps the streams
        monkeypatch.setattr(console, "_script_console", console._script_console)
        monkeypatch.setattr(sys, "stderr", sys.stderr)
        tolerant_console()
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # nohup: left alone
        interrupt_quietly_while_importing("sweep", "__main__")
        end_import_window()
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)


def test_a_curves_label_says_ascii_letters():
    curves = load_script("curves")
    with pytest.raises(argparse.ArgumentTypeError, match="ASCII letters"):
        curves._parse_run("\u03bb=a=b")
    assert curves._parse_run("lam=a=b")[0] == "lam"
