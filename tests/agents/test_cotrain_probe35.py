"""Probe 35 (issue 14): a batch scheduler's warning signals (SIGUSR2, SIGALRM) during a run."""

from __future__ import annotations

import os
import signal

import pytest

from rambo_env import run_io
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.scripts import run_python


@pytest.mark.skipif(not hasattr(signal, "SIGUSR2"), reason="POSIX signals")
def test_sigusr2_and_sigalrm_stop_a_run_like_sigterm(tiny_hopper, tmp_path):  # noqa: F811
    """Probe 35: SIGUSR2 / SIGALRM (Slurm --signal, a wrapper's alarm) killed a run by their
    default action (rc 140 / 142): no '--resume' line, the .lock left. Now as SIGTERM: the last
    checkpoint kept, results.json 'interrupted', the folder freed, the handlers restored."""
    code = (
        "import os, signal\n"
        "from agents.cotrain import RunInterrupted, run_cotrain\n"
        "from tests.agents.test_cotrain import tiny_config\n"
        "for name in ('SIGUSR2', 'SIGALRM'):\n"
        "    def on_iteration(metrics, sig=getattr(signal, name)):\n"
        "        if metrics['iteration'] == 1:\n"
        "            os.kill(os.getpid(), sig)\n"
        f"    cfg = tiny_config({tiny_hopper!r}, n_iterations=3, n_eval_episodes=1)\n"
        "    try:\n"
        "        run_cotrain(cfg, 'run-' + name, on_iteration=on_iteration)\n"
        "    except RunInterrupted as stop:\n"
        "        r = stop.results\n"
        "        print('STOPPED', name, r['status'], r['iterations_completed'])\n"
        "    print('LOCK', name, os.path.exists(os.path.join('run-' + name, '.lock')))\n"
        "    print('HANDLER', name, signal.getsignal(getattr(signal, name)) is signal.SIG_DFL)\n"
    )
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("SIGUSR2", "SIGALRM"):
        assert f"STOPPED {name} interrupted 1" in done.stdout, done.stdout + done.stderr[-2000:]
        assert f"LOCK {name} False" in done.stdout and f"HANDLER {name} True" in done.stdout
        assert (tmp_path / f"run-{name}" / run_io.CHECKPOINT_NAME).is_file()


@pytest.mark.skipif(not hasattr(signal, "SIGALRM"), reason="POSIX signals")
def test_a_foreign_alarm_handler_is_left_alone():
    """SIGUSR2 / SIGALRM are taken only from their default action (or a run's own handler): a
    test runner's timeout (pytest-timeout's SIGALRM) or a caller's handler stays in force."""

    def foreign(signum, frame):
        pass

    before = signal.signal(signal.SIGALRM, foreign)
    try:
        assert signal.SIGALRM not in run_io.stop_signals()
        with run_io.sigterm_as_keyboard_interrupt():
            assert signal.getsignal(signal.SIGALRM) is foreign
    finally:
        signal.signal(signal.SIGALRM, before)
    if signal.getsignal(signal.SIGUSR2) is signal.SIG_DFL:
        with run_io.sigterm_as_keyboard_interrupt():
            assert signal.SIGUSR2 in run_io.stop_signals()  # a nested one takes it over
            with run_io.interrupts_deferred("t", "held"):
                os.kill(os.getpid(), signal.SIGUSR2)  # held, not a KeyboardInterrupt
        assert signal.getsignal(signal.SIGUSR2) is signal.SIG_DFL
