"""Probe 144 row 12: ``TORCHINDUCTOR_COMPILE_THREADS=abc scripts/sweep.py …`` prepared the
datasets and started Ray before every trial failed on it, and left the sweep folder behind (the
same command again: "is not empty"); now refused before anything is prepared or written, on a
start and on a resume. Ray's start is stood in for."""

from __future__ import annotations

import pytest

from agents import sweep
from tests.agents.test_sweep import sweep_cli
from tests.agents.test_sweep_invocations import _started_sweep

pytest.importorskip("ray")


def test_a_bad_torch_variable_is_refused_before_the_datasets_and_ray(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TORCHINDUCTOR_COMPILE_THREADS", "abc")
    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("datasets prepared"))
    monkeypatch.setattr(sweep, "_fit", lambda *a, **k: pytest.fail("Ray started"))
    argv = ["--sweep-dir", str(tmp_path / "s"), "--seeds", "0", "--configs", "2:0"]
    assert sweep_cli.main(argv) == 2
    err = capsys.readouterr().err
    assert "TORCHINDUCTOR_COMPILE_THREADS='abc'" in err and "Traceback" not in err
    assert not (tmp_path / "s").exists()  # the same command works once the variable is fixed


def test_a_resume_checks_it_before_ray(tmp_path, monkeypatch, capsys):
    path = _started_sweep(tmp_path, monkeypatch)
    before = path.read_text()
    monkeypatch.setenv("TORCHINDUCTOR_COMPILE_THREADS", "abc")
    monkeypatch.setattr(sweep, "_fit", lambda *a, **k: pytest.fail("Ray started"))
    assert sweep_cli.main(["--resume", str(tmp_path / "s")]) == 2
    assert "TORCHINDUCTOR_COMPILE_THREADS='abc'" in capsys.readouterr().err
    assert path.read_text() == before  # no invocation appended


def test_a_cluster_s_nodes_keep_their_own_environment(monkeypatch):
    monkeypatch.setenv("TORCHINDUCTOR_COMPILE_THREADS", "abc")
    sweep._check_trial_environment(sweep.CotrainConfig(), "ray://head:10001")  # not checked
    with pytest.raises(ValueError, match="TORCHINDUCTOR_COMPILE_THREADS='abc'"):
        sweep._check_trial_environment(sweep.CotrainConfig(), None)


def test_a_model_cache_that_is_a_file_is_refused_before_the_datasets_and_ray(
    tmp_path, monkeypatch, capsys
):
    """Session 56: ``RAMBO_ENV_CACHE`` naming a plain file started Ray, failed the one trial three
    times, wrote empty tables and said ``--resume`` would repeat the error (it works once the
    variable is fixed); cotrain.py refuses it at once. Now the driver does too, on a start and on
    a resume."""
    cache = tmp_path / "cachefile"
    cache.write_text("")
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(cache))
    monkeypatch.setattr(sweep, "_prepare_datasets", lambda *a: pytest.fail("datasets prepared"))
    monkeypatch.setattr(sweep, "_fit", lambda *a, **k: pytest.fail("Ray started"))
    argv = ["--sweep-dir", str(tmp_path / "s"), "--seeds", "0", "--configs", "2:0"]
    assert sweep_cli.main(argv) == 2
    err = capsys.readouterr().err
    assert f"RAMBO_ENV_CACHE: model cache {cache} is not a folder" in err, err
    assert "Traceback" not in err and not (tmp_path / "s").exists()
    sweep._check_trial_environment(sweep.CotrainConfig(), "ray://head:10001")  # nodes: theirs
