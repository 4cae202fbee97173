"""Probe 105 row 6: ``--resume-if-started`` compares the given flags with the run's saved config
as a resume does (a value the run resolved at its start, e.g. ``--precision auto``, is its own)."""

from __future__ import annotations

import dataclasses

import pytest

from agents.cotrain import CotrainConfig
from tests.scripts import load_script


def test_resume_if_started_takes_auto_as_the_runs_resolved_value(tmp_path, monkeypatch, capsys):
    # probe 105 row 6: was: the run's own command with --precision auto (config.json: the bf16
    # it resolved to) refused at the requeue: "started with other settings: --precision 'auto'"
    cli = load_script("cotrain")
    parser = cli.build_parser()
    run = tmp_path / "rq"
    run.mkdir()
    (run / "checkpoint.pt").write_bytes(b"x")
    saved = dataclasses.replace(CotrainConfig(), seed=3, precision="bf16")
    monkeypatch.setattr(cli, "load_config", lambda run_dir, resume=False: saved)
    flags = ["--seed", "3", "--adversary-weight", "none", "--run-dir", str(run)]
    argv = [*flags, "--precision", "auto", "--resume-if-started"]
    cfg, run_dir, resume = cli.resolve_args(parser.parse_args(argv), parser)
    assert (cfg.precision, run_dir, resume) == ("bf16", run, True)
    assert "resuming it (--resume-if-started)" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # another precision than the run's: still refused
        cli.resolve_args(
            parser.parse_args([*flags, "--precision", "fp32", "--resume-if-started"]), parser
        )
    assert "--precision 'fp32' (the run's: 'bf16')" in capsys.readouterr().err
