"""Probe 71b on a finished run: a damaged results.json said in each tool's words, once (row 25);
a cut learning_curve.png drawn again (row 28); the session flags checked on a finished run too
(row 35)."""

from __future__ import annotations

import json
import shutil

import pytest

from agents.cotrain import load_config, load_session, run_cotrain
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _fake_run,
    _shared_model_cache,
    ledger_module,
    tiny_config,
    tiny_hopper,
)
from tests.scripts import load_script

_DAMAGED = "results.json is damaged"


@pytest.fixture(scope="module")
def finished(tiny_hopper, tmp_path_factory):  # noqa: F811 (the fixture)
    """A tiny run that finished its one iteration (copied by each test)."""
    run_dir = tmp_path_factory.mktemp("p71") / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAMBO_ENV_CACHE", str(tmp_path_factory.getbasetemp() / "cotrain-cache"))
        run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    return run_dir


def _copy(finished, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(finished, run_dir)
    return run_dir


def test_resume_draws_a_cut_learning_curve_again(finished, tmp_path, capsys):
    """Row 28: a learning_curve.png cut to 100 bytes was kept without a word (a deleted one is
    drawn again: probe 69b)."""
    run_dir = _copy(finished, tmp_path)
    curve = run_dir / "learning_curve.png"
    curve.write_bytes(curve.read_bytes()[:100])
    capsys.readouterr()
    result = run_cotrain(load_config(run_dir), run_dir, resume=True)
    assert result["already_finished"]
    assert "learning_curve.png was not a whole PNG (cut?): drawn again" in capsys.readouterr().out
    assert curve.stat().st_size > 100 and curve.read_bytes()[-8:-4] == b"IEND"
    run_cotrain(load_config(run_dir), run_dir, resume=True)  # whole now: not drawn again
    assert "drawn again" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("device", "gpu", r"device: 'gpu'"),
        ("torch_threads", 100000, r"^torch_threads: 100000 is not in \[1, "),
    ],
)
def test_resume_of_a_finished_run_checks_the_session_flags(finished, tmp_path, field, value, match):
    """Row 35: ``--resume FINISHED --device gpu`` / ``--torch-threads 100000`` said "already
    finished … nothing to resume", rc 0; the same values are refused on an unfinished run."""
    run_dir = _copy(finished, tmp_path)
    cfg = load_config(run_dir)
    with pytest.raises(ValueError, match=match):
        run_cotrain(cfg.__class__(**{**cfg.__dict__, field: value}), run_dir, resume=True)


def test_a_damaged_results_json_is_said_in_curves_and_diagnose_words(finished, tmp_path, capsys):
    """Row 25: curves.py and diagnose.py (load_session) said "so its ledger entry is not marked
    diverged", though they make no ledger entry."""
    run_dir = _copy(finished, tmp_path)
    results = run_dir / "results.json"
    results.write_text(results.read_text()[:50])
    assert load_script("curves").main([f"d={run_dir}", "--out", str(tmp_path / "cv" / "d")]) == 0
    out = capsys.readouterr().out
    assert out.count(_DAMAGED) == 1, out
    assert "whether the run diverged is not known, so its curve is not marked diverged;" in out
    assert "ledger entry" not in out
    load_session(run_dir, device="cpu")
    out = capsys.readouterr().out
    assert out.count(_DAMAGED) == 1, out
    assert (
        "whether the run diverged is not known, so it is loaded as a run that did not diverge;"
    ) in out
    assert "ledger entry" not in out


def test_the_ledger_says_a_damaged_results_json_once(
    tmp_path,
    monkeypatch,
    capsys,
    ledger_module,  # noqa: F811 (the fixture)
):
    """Row 25: ledger.py printed the same WARNING twice (the diverged mark and the status)."""
    run_dir = tmp_path / "run"
    _fake_run(run_dir, 2, monkeypatch)
    (run_dir / "results.json").write_text(json.dumps({"status": "finished"})[:10])
    assert load_script("ledger").main([str(run_dir), "--ledger", str(tmp_path / "ledger")]) == 0
    out = capsys.readouterr().out
    assert out.count(_DAMAGED) == 1, out
    assert (
        "whether the run diverged is not known, so its ledger entry is not marked diverged" in out
    )
