"""Probe 108 row 21 (probe 108's leftover): a signal the process ignores (SIGINT in a background
job of a script, ``setsid nohup``) stays ignored in the hold around a run's related writes
(``run_io.interrupts_deferred``), in the stop handlers (``run_io.stop_signals``) and in a
sweep's driver."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from rambo_env import run_io


def _send_inside_hold(sig: int) -> None:
    with run_io.interrupts_deferred("test", "while written", reraise=True):
        os.kill(os.getpid(), sig)


@pytest.mark.parametrize("name", ["SIGINT", "SIGTERM", "SIGHUP"])
def test_an_ignored_signal_stays_ignored_inside_the_hold(name, capsys):
    # was: "[cotrain] SIGINT right after iteration 1's checkpoint: … stopping now", rc 130, for
    # a SIGINT the run ignored everywhere else
    sig = getattr(signal, name)
    previous = signal.signal(sig, signal.SIG_IGN)
    try:
        _send_inside_hold(sig)  # no KeyboardInterrupt
        assert signal.getsignal(sig) is signal.SIG_IGN  # still ignored afterwards
    finally:
        signal.signal(sig, previous)
    assert capsys.readouterr().out == ""  # nothing was held


def test_an_ignored_sigterm_is_not_taken_over_by_the_stop_handlers():
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        assert signal.SIGTERM not in run_io.stop_signals()
        with run_io.sigterm_as_keyboard_interrupt():
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGTERM)  # no KeyboardInterrupt
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert signal.SIGTERM in run_io.stop_signals()  # its default action: taken as before


def test_ctrl_c_and_sigterm_are_still_held_and_raised(capsys):
    # the suite's conftest gives every test Python's Ctrl-C handler, whatever pytest inherited
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    for sig in (signal.SIGINT, signal.SIGTERM):
        with pytest.raises(KeyboardInterrupt):
            _send_inside_hold(sig)
        assert f"[test] {signal.Signals(sig).name} while written" in capsys.readouterr().out


def test_a_process_started_with_sigint_ignored_finishes_the_hold():
    # a script's `cmd &`: the child inherits SIGINT ignored; a SIGINT inside the hold leaves it
    # running to its end (was: KeyboardInterrupt, exit 1 here)
    code = textwrap.dedent(
        """
        import os, signal
        from rambo_env import run_io
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        with run_io.interrupts_deferred("child", "while written", reraise=True):
            os.kill(os.getpid(), signal.SIGINT)
        print("went on")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "went on"


def test_a_sweep_leaves_an_ignored_sigint_alone(tmp_path):
    sweep = pytest.importorskip("agents.sweep")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with sweep._stops_gracefully(tmp_path) as received:
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
            os.kill(os.getpid(), signal.SIGINT)
        assert received == []
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
