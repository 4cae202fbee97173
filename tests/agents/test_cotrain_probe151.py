"""Probe 151 row 2: ``cotrain.py --resume RUN`` whose tb/ event file this user may not read
(``chmod 000`` / ``0200``, non-root) said ``error: [Errno 13] Permission denied: '…/tb/events…'``
(for a finished run after its "already finished … to extend it" line, the path as bytes
``b'…'``); README promises ``run_dir: RUN/tb/… is not readable by this user …; make it readable
(chmod u+r …)``, as curves.py and ledger.py say. We run as root: the reader is made to refuse."""

from __future__ import annotations

import builtins

import pytest

from agents.cotrain import run_cotrain
from rambo_env import curves, path_checks
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script


@pytest.fixture
def finished_run(tiny_hopper, tmp_path):  # noqa: F811
    run_dir = tmp_path / "runs" / "r"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    return run_dir


def _deny_event_files(monkeypatch):
    def denied(path, *args, **kwargs):
        if "events.out.tfevents" in str(path):
            raise PermissionError(13, "Permission denied", str(path))
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr(path_checks, "open", denied, raising=False)  # check_readable's
    monkeypatch.setattr(curves, "open", denied, raising=False)  # the damage check's (old path)


@pytest.mark.parametrize("extend", [[], ["--n-iterations", "2"]])
def test_a_resume_with_an_unreadable_event_file_names_it(finished_run, monkeypatch, capsys, extend):
    (events,) = (finished_run / "tb").glob("events.out.tfevents.*")
    cli = load_script("cotrain")
    capsys.readouterr()
    _deny_event_files(monkeypatch)
    code = cli.main(["--resume", str(finished_run), *extend])
    out, err = capsys.readouterr()
    assert code == 2, out + err
    assert f"error: run_dir: {events} is not readable by this user (Permission denied;" in err
    assert f"make it readable (chmod u+r {events})" in err
    assert "Errno" not in err and "b'" not in err
    assert "already finished" not in out + err  # said before the "to extend it" line
