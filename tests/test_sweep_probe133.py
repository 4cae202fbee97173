"""Probe 133: sweep.py had no requeue mode (the same job-script command was refused at every
requeue: "is not empty; resume it …"): ``--sweep-dir DIR --resume-if-started`` starts the sweep,
continues one DIR holds (with the same settings), and says "nothing to resume" of a finished one,
as cotrain.py's does. Also: Ray's colour codes stay out of a log file (row 39)."""

from __future__ import annotations

import dataclasses
import os

import pytest

from agents.sweep import SWEEP_FILE, SweepSpec, plain_ray_logs
from rambo_env.run_io import write_json
from rambo_env.sweep_report import SweepReport
from tests.scripts import load_script

sweep = load_script("sweep")

FLAGS = ["--datasets", "hopper-medium", "--configs", "2:3e-4", "--seeds", "0", "--iterations", "2"]


@pytest.fixture
def calls(monkeypatch):
    """run_sweep / resume_sweep replaced: they record how they were called (no Ray)."""
    seen: dict = {}

    def started(spec, sweep_dir, resources, **kwargs):
        seen["run_sweep"] = (spec, sweep_dir, resources)
        raise ValueError("stop here")

    def resumed(sweep_dir, **kwargs):
        seen["resume_sweep"] = sweep_dir
        raise ValueError("stop here")

    monkeypatch.setattr(sweep, "run_sweep", started)
    monkeypatch.setattr(sweep, "resume_sweep", resumed)
    monkeypatch.setattr(sweep, "check_matplotlib", lambda: None)
    return seen


def _saved_sweep(folder, argv):
    """``folder`` as a sweep of ``argv`` left it: its sweep.json (precision resolved)."""
    parser = sweep.build_parser()
    spec, resources, _ = sweep.resolve_args(parser.parse_args(argv), parser)
    spec = dataclasses.replace(spec, base=dataclasses.replace(spec.base, precision="fp32"))
    folder.mkdir(parents=True)
    spec_dict = SweepSpec.to_dict(spec)
    write_json(folder / SWEEP_FILE, {"spec": spec_dict, "resources": dataclasses.asdict(resources)})
    return folder


def test_it_starts_a_sweep_where_none_is(tmp_path, calls, capsys):
    argv = [*FLAGS, "--sweep-dir", str(tmp_path / "sw"), "--resume-if-started"]
    assert sweep.main(argv) == 2  # "stop here", from the fake run_sweep
    assert calls["run_sweep"][1] == tmp_path / "sw" and "resume_sweep" not in calls


def test_it_resumes_the_sweep_the_folder_holds(tmp_path, calls, capsys):
    folder = _saved_sweep(tmp_path / "sw", FLAGS)
    argv = [*FLAGS, "--sweep-dir", str(folder), "--resume-if-started"]
    assert sweep.main(argv) == 2
    out = capsys.readouterr().out
    assert calls["resume_sweep"] == folder and "run_sweep" not in calls
    assert f"[sweep] {folder} holds a started sweep (sweep.json): resuming it" in out


def test_other_settings_are_refused_naming_them(tmp_path, calls, capsys):
    folder = _saved_sweep(tmp_path / "sw", FLAGS)
    argv = [*FLAGS[:-1], "3", "--sweep-dir", str(folder), "--resume-if-started"]
    with pytest.raises(SystemExit) as stop:
        sweep.main(argv)
    assert stop.value.code == 2 and not calls
    err = capsys.readouterr().err
    assert "holds a sweep started with other settings: --iterations 3 (the sweep's: 2)" in err


def test_a_finished_sweep_has_nothing_to_resume(tmp_path, calls, capsys, monkeypatch):
    folder = _saved_sweep(tmp_path / "sw", FLAGS)
    done = SweepReport(configs=(), rows=(), score_label="normalised score", n_expected=1)
    monkeypatch.setattr(sweep, "sweep_report", lambda _: done)
    argv = [*FLAGS, "--sweep-dir", str(folder), "--resume-if-started"]
    assert sweep.main(argv) == 0 and not calls
    assert "already finished all 1 trial; nothing to resume" in capsys.readouterr().out


def test_it_needs_a_sweep_dir(tmp_path, calls, capsys):
    with pytest.raises(SystemExit):
        sweep.main([*FLAGS, "--resume-if-started"])
    assert "--resume-if-started: give it with --sweep-dir DIR" in capsys.readouterr().err


def test_ray_colour_codes_are_off_when_stdout_is_not_a_terminal(monkeypatch):
    monkeypatch.delenv("RAY_COLOR_PREFIX", raising=False)
    plain_ray_logs(tty=False)
    assert os.environ["RAY_COLOR_PREFIX"] == "0"
    monkeypatch.setenv("RAY_COLOR_PREFIX", "1")  # the user's own choice is kept
    plain_ray_logs(tty=False)
    assert os.environ["RAY_COLOR_PREFIX"] == "1"
    monkeypatch.delenv("RAY_COLOR_PREFIX")
    plain_ray_logs(tty=True)
    assert "RAY_COLOR_PREFIX" not in os.environ


def test_the_sweep_sets_it_before_ray_prints(monkeypatch):
    import io

    import agents.sweep

    monkeypatch.delenv("RAY_COLOR_PREFIX", raising=False)
    monkeypatch.setattr("sys.stdout", io.StringIO())  # a log file, not a terminal
    agents.sweep._import_tune()
    assert os.environ["RAY_COLOR_PREFIX"] == "0"


def test_other_configs_are_named_as_the_flag_takes_them(tmp_path, calls, capsys):
    """Session 56: other ``--configs`` were named as ``(RamboPreset(rollout_length=2,
    adversary_weight=0.0003),)``; now in the flag's own form, ``2:3e-4``."""
    folder = _saved_sweep(tmp_path / "sw", FLAGS)
    at = FLAGS.index("--configs")
    argv = [*FLAGS[: at + 1], "5:0", *FLAGS[at + 2 :], "--sweep-dir", str(folder)]
    with pytest.raises(SystemExit) as stop:
        sweep.main([*argv, "--resume-if-started"])
    assert stop.value.code == 2 and not calls
    err = capsys.readouterr().err
    assert f"--configs '5:0' (the sweep's: '{FLAGS[at + 1]}')" in err, err
    assert "RamboPreset" not in err
