"""Probe 78 (recheck of probe 77's interrupt fixes): a rich bar the user shows is left alone, a
Ctrl-C the caller's own code caught does not stop a run, and a config of the reloaded class is
told which side is stale."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import sys
import types
import warnings

import pytest
from tqdm import tqdm

from agents.run_callbacks import RunMonitorCallback
from rambo_env import progress, run_io


def test_a_users_own_rich_bar_is_not_taken_for_a_stale_sb3_bar(capsys):
    # probe 78 row 16: was "note: stopped the rich progress bar of an interrupted agent.learn"
    # and the user's bar (their tqdm.rich loop around project calls) closed at the first project bar
    pytest.importorskip("rich")
    from tqdm.rich import tqdm_rich

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm's "rich is experimental"
        outer = tqdm_rich(range(3), desc="my sweep")
    try:
        for _ in outer:
            for _ in progress.progress_bar(range(2), progress=True, desc="project bar"):
                pass
            assert outer in tqdm._instances and not outer.disable
        assert outer.n == 3
    finally:
        outer.close()
    assert "stopped the rich progress bar" not in capsys.readouterr().out


def _on_step() -> bool:
    """One co-training step's check (RunMonitorCallback._on_step on a bare monitor)."""
    return RunMonitorCallback._on_step(types.SimpleNamespace(_stop=False))


def test_a_ctrl_c_the_callers_code_caught_does_not_stop_the_run(capfd):
    # probe 78 row 20: was "note: a Ctrl-C / Interrupt was swallowed inside torch …; stopping now"
    # then RunInterrupted, for an on_iteration that caught the KeyboardInterrupt itself
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    with contextlib.ExitStack() as stack:
        stack.callback(signal.signal, signal.SIGINT, previous)
        stack.enter_context(run_io.swallowed_interrupt_kept())
        try:
            os.kill(os.getpid(), signal.SIGINT)  # "plotting…", interrupted: the user skips it
        except KeyboardInterrupt:
            pass
        try:
            stepped = _on_step()
        except KeyboardInterrupt:  # (not pytest's own stop)
            stepped = "stopped"
        assert stepped is True  # the run goes on
    assert "swallowed" not in capfd.readouterr().out


def test_the_swallowed_interrupt_hook_chains_and_is_put_back():
    seen = []
    previous = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        with run_io.swallowed_interrupt_kept():
            assert sys.unraisablehook is not seen.append
            report = types.SimpleNamespace(
                exc_type=KeyboardInterrupt, exc_value=KeyboardInterrupt(), exc_traceback=None,
                err_msg=None, object=None,
            )  # fmt: skip
            sys.unraisablehook(report)  # what Python calls for "Exception ignored in: …"
            assert seen == [report]  # handed on
            with pytest.raises(KeyboardInterrupt):
                _on_step()
        assert sys.unraisablehook == seen.append
    finally:
        sys.unraisablehook = previous


def test_a_config_of_the_reloaded_class_names_the_stale_function(tmp_path, monkeypatch):
    # probe 78 row 29: was "got a CotrainConfig from an earlier import …; build it again with the
    # reloaded class" for a config of the NEWER class (agents.cotrain not reloaded)
    import agents.cotrain_setup as setup
    from agents.cotrain import CotrainConfig, run_cotrain

    # importlib.reload(agents.cotrain_setup): the module now holds another class of that name
    newer = dataclasses.make_dataclass("CotrainConfig", [("dataset", str)])
    newer.__module__ = CotrainConfig.__module__
    monkeypatch.setattr(setup, "CotrainConfig", newer)
    with pytest.raises(ValueError) as info:
        run_cotrain(newer(dataset="hopper-medium"), tmp_path / "run")
    said = str(info.value)
    assert "importlib.reload(agents.cotrain)" in said and "build it again" not in said
    assert f"before {CotrainConfig.__module__} was reloaded" in said
    assert not tmp_path.joinpath("run").exists()
