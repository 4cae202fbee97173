"""Probe 150 (1022f46 residual): lines printed to paste were hard-coded ``python scripts/…``
where every --resume / ledger / curves line goes through ``command_line.script_line`` (the
interpreter as the recorded command names it, the script's path from another folder): the sweep
report's "draw it again with: python scripts/sweep.py --report-only DIR", and the data layer's
make_dataset.py / cotrain.py hints. Run by ``/venv/bin/python`` from another folder they named
the wrong interpreter and a ``scripts/`` that folder has not; from the repo root with plain
``python`` they still say ``python scripts/…`` (tests/test_sweep_report_probe86b.py)."""

from __future__ import annotations

import types

import pytest

import rambo_env.sweep_report as sweep_report
from rambo_env import provenance
from rambo_env.command_line import SCRIPTS_DIR
from rambo_env.data import generate, loaders, minari_io
from rambo_env.sweep_report import write_report
from tests.test_sweep_report import A, B, results, write_runs
from tests.test_sweep_report_probe86b import GRID

VENV = "/venv/bin/python"


@pytest.fixture
def elsewhere(tmp_path, monkeypatch):
    """A venv's interpreter run by its path, from a folder outside the checkout."""
    monkeypatch.setattr(provenance, "_python_word", lambda: VENV)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _line(name: str) -> str:
    return f"{VENV} {SCRIPTS_DIR / name}"


def test_the_sweep_reports_redraw_line_is_a_script_line(elsewhere, monkeypatch, capsys):
    root = write_runs(elsewhere / "runs", [results(A, 0, 10.0, [1.0]), results(B, 0, 20.0, [1.0])])

    def fails(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(sweep_report, "plot_sweep_curves", fails)
    write_report(elsewhere, root, grid=GRID)
    out = capsys.readouterr().out
    # was: "draw it again with: python scripts/sweep.py --report-only …"
    assert f"draw it again with: {_line('sweep.py')} --report-only {elsewhere}" in out


def test_the_data_layers_make_dataset_lines_are_script_lines(elsewhere, capsys):
    make = _line("make_dataset.py")
    assert generate.generation_command("hopper", "random") == f"{make} --env hopper --level random"
    assert f"run {make} --env hopper --level medium-replay" in generate._needs_replay(
        "hopper", elsewhere / "replay.npz"
    )
    assert minari_io._make_command("rambo/hopper/random-v0") == (
        f"{make} --env hopper --level random --dataset-id rambo/hopper/random-v0"
    )
    assert (
        minari_io._make_command("mine/x") == f"{make} --env ENV --level LEVEL --dataset-id mine/x"
    )
    assert f"{make} --env hopper --level random" in minari_io._unavailable_message(
        "rambo/hopper/random-v0", False, None
    )
    plain = loaders._generation_command("hopper", "random", " (or pass generate=True)")
    assert plain == f"{make} --env hopper --level random (or pass generate=True)"
    small = types.SimpleNamespace(metadata={"n_transitions": 300})
    loaders._note_stored_size(small, "hopper", "random", "rambo/hopper/random-v0", 1000)
    said = capsys.readouterr()
    assert f"regenerate with {make} --env hopper --level random --force" in said.out + said.err


def test_from_the_repo_root_plain_python_still_says_python_scripts(monkeypatch):
    monkeypatch.setattr(provenance, "_python_word", lambda: "python")
    monkeypatch.chdir(SCRIPTS_DIR.parent)
    assert generate.generation_command("hopper", "random") == (
        "python scripts/make_dataset.py --env hopper --level random"
    )
