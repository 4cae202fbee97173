"""Probe 108 (recheck of probe 106's fix): the hold around a run's related writes
(``run_io.interrupts_deferred``) leaves a calling program's own handler alone."""

import os
import signal

import pytest

from rambo_env import run_io


def _send_inside_hold(sig: int) -> None:
    with run_io.interrupts_deferred("test", "while written", reraise=True):
        os.kill(os.getpid(), sig)


def test_a_callers_own_sigterm_handler_gets_the_signal_inside_the_hold():
    # probe 108 row 8: run_cotrain leaves a caller's SIGTERM handler alone, except in the window
    # after each checkpoint, where the signal was held and raised as KeyboardInterrupt
    got: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: got.append(signum))
    try:
        _send_inside_hold(signal.SIGTERM)
        assert got == [signal.SIGTERM]
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_ctrl_c_and_the_projects_stop_handlers_are_still_held_and_raised(capsys):
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # CI may start ignoring it
    try:
        with pytest.raises(KeyboardInterrupt):
            _send_inside_hold(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)
    assert "[test] SIGINT while written" in capsys.readouterr().out
    with run_io.sigterm_as_keyboard_interrupt():
        with pytest.raises(KeyboardInterrupt):
            _send_inside_hold(signal.SIGTERM)
