"""Probe 102 row 20: one job-script command that survives a requeue before and after the run's
first checkpoint (``--resume-if-started``)."""

from __future__ import annotations

import dataclasses

import pytest

from agents.cotrain import CotrainConfig
from tests.scripts import load_script


def test_resume_if_started_starts_then_resumes(tmp_path, monkeypatch, capsys):
    # probe 102 row 20: was: --resume RUN said "no folder … (a typo?)" after a preemption that
    # came before the first checkpoint, and the first command was refused after it
    cli = load_script("cotrain")
    parser = cli.build_parser()
    run = tmp_path / "rq"
    argv = ["--seed", "3", "--n-iterations", "5", "--run-dir", str(run), "--resume-if-started"]
    cfg, run_dir, resume = cli.resolve_args(parser.parse_args(argv), parser)
    assert (cfg.seed, run_dir, resume) == (3, run, False)  # no folder yet: a new run
    run.mkdir()
    (run / "checkpoint.pt").write_bytes(b"x")  # the run checkpointed: now resumed
    saved = dataclasses.replace(CotrainConfig(), seed=3, n_iterations=5)
    monkeypatch.setattr(cli, "load_config", lambda run_dir, resume=False: saved)
    cfg, run_dir, resume = cli.resolve_args(parser.parse_args(argv), parser)
    assert (cfg.seed, run_dir, resume) == (3, run, True)
    assert "holds a started run (checkpoint.pt): resuming it" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # another run's command: refused, not resumed silently
        cli.resolve_args(parser.parse_args(["--seed", "4", *argv[2:]]), parser)
    assert "--seed 4 (the run's: 3)" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the folder must be named
        cli.resolve_args(parser.parse_args(["--resume-if-started"]), parser)
    assert "give it with --run-dir RUN" in capsys.readouterr().err
