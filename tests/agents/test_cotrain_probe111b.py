"""Probe 111: another user's run folder this user may not enter (umask 077 made it drwx------, or
it lies under a 0700 home) is one error naming that folder, its owner and mode and what its owner
can do, from cotrain.py --resume, diagnose.py, ledger.py and load_session (was: a raw
``[Errno 13]``, a traceback, or diagnose's "not writable; copy it"); a compiled run checks torch's
compile cache before it starts."""

from __future__ import annotations

import pytest

import agents.cotrain_setup as cotrain_setup
import rambo_env.compile as rambo_compile
from agents.cotrain import CotrainConfig, load_session
from tests.other_user import closed_folder
from tests.scripts import load_script

ENTERED = "cannot be entered by this user (mode drwx------, owner uid"


@pytest.mark.parametrize("closed_home", [True, False])
def test_cotrain_resume_names_the_folder_it_cannot_enter(
    tmp_path, monkeypatch, capsys, closed_home
):
    # probe 111 row 3a (under a 0700 home), 3b (a 0700 run folder: was "… config.json")
    run = tmp_path / "home" / "u1" / "runs" / "r1"
    run.mkdir(parents=True)
    (run / "config.json").write_text("{}")
    closed = closed_folder(tmp_path / "home" / "u1" if closed_home else run, monkeypatch)
    cli = load_script("cotrain")
    assert cli.main(["--resume", str(run)]) == 2
    err = capsys.readouterr().err
    assert f"error: run_dir: {closed} {ENTERED}" in err and "Errno" not in err
    assert f"chmod -R a+rX {run}" in err


def test_load_session_names_the_closed_run_folder(tmp_path, monkeypatch):
    # probe 111 row 3f: was a raw PermissionError naming config.json
    run = closed_folder(tmp_path / "runs" / "u1a", monkeypatch)
    with pytest.raises(ValueError) as caught:
        load_session(run)
    assert f"{run} {ENTERED}" in str(caught.value)


def test_diagnose_says_cannot_be_entered_not_copy_it(tmp_path, monkeypatch, capsys):
    # probe 111 row 3c: a traceback (closed home), or "is not writable …; copy the run folder
    # somewhere writable" for a folder that cannot be read (nor copied) either
    diagnose = load_script("diagnose")
    run = closed_folder(tmp_path / "runs" / "u1a", monkeypatch)
    assert diagnose.main([str(run)]) == 2
    err = capsys.readouterr().err
    assert ENTERED in err and "not writable" not in err
    home = closed_folder(tmp_path / "home" / "u1", monkeypatch)
    assert diagnose.main([str(home / "runs" / "r1")]) == 2
    err = capsys.readouterr().err
    assert ENTERED in err and "Traceback" not in err


def test_ledger_names_the_closed_run_folder(tmp_path, monkeypatch, capsys):
    # probe 111 row 3d: a PermissionError traceback from runs_below, within ledger.py's error
    home = closed_folder(tmp_path / "home" / "u1", monkeypatch)
    with pytest.raises(SystemExit) as stop:
        load_script("ledger").main([str(home / "runs" / "r1"), "--ledger", str(tmp_path / "l")])
    assert stop.value.code == 2
    assert ENTERED in capsys.readouterr().err


class _Stop(Exception):
    """Raised where the setup goes on past the compile-cache check."""


@pytest.mark.parametrize("compile_flag", [True, None])
def test_a_compiled_run_checks_torchs_compile_cache_first(monkeypatch, capsys, compile_flag):
    # probe 111 row 8: another user's compile cache made each compile fail, eagerly, silently
    monkeypatch.setattr(
        rambo_compile, "compile_cache_problem", lambda: "torch's compile cache /x ..."
    )

    def stop(*args, **kwargs):
        raise _Stop

    monkeypatch.setattr(cotrain_setup, "check_run_memory", stop)
    cfg = CotrainConfig(dataset="hopper-random", compile=compile_flag, n_iterations=10**6)
    if compile_flag:  # --compile: refused before any work
        with pytest.raises(ValueError, match=r"torch's compile cache /x .*--no-compile"):
            cotrain_setup.build_session(cfg)
    else:  # compile by default (a long run): one warning, and the run goes on
        with pytest.raises(_Stop):
            cotrain_setup.build_session(cfg)
        assert "WARNING: torch's compile cache /x" in capsys.readouterr().out
    with pytest.raises(_Stop):  # --no-compile: not checked
        cotrain_setup.build_session(CotrainConfig(dataset="hopper-random", compile=False))
