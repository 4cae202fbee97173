"""Probe 131 R1, R3 and note (b): a resume from another checkout of a sweep that recorded the
shipped behaviour policy by its old absolute path was told to pass --policy (which --resume does
not take); a resume after Ctrl-C during Ray's start-up said Tune's state was "missing (deleted or
not synced?)" though Tune never started; an errored trial's one line cut its make_dataset
command mid-path."""

from __future__ import annotations

import pytest

import agents.sweep as sweep
from rambo_env.data.dataset import DatasetUnavailableError
from rambo_env.policies import POLICY_DIR
from tests.agents.test_sweep_probe129 import SETTINGS, _sweep


def test_an_old_shipped_policy_path_of_another_checkout_is_this_installs_file(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    dead = str(tmp_path / "clone" / "rambo_env" / "policies" / "hopper_medium.pt")
    sweep_dir, spec = _sweep(tmp_path, {**SETTINGS, "policy": dead})
    assert sweep._generation_of(sweep_dir, "hopper-medium")["policy"] == str(
        POLICY_DIR / "hopper_medium.pt"
    )
    made = []

    class Same:
        def fingerprint(self):
            return "0123456789abcdef"

    monkeypatch.setattr("rambo_env.data.generate.generate_dataset", lambda *a, **k: made.append(k))
    monkeypatch.setattr("rambo_env.data.loaders.needs_generation", lambda name: True)
    monkeypatch.setattr("rambo_env.data.loaders.load_dataset", lambda *a, **k: Same())
    sweep._check_sweep_datasets(sweep_dir, spec)
    assert [k["policy_path"] for k in made] == [str(POLICY_DIR / "hopper_medium.pt")]


def test_a_missing_recorded_policy_says_the_sweep_came_from_elsewhere(tmp_path, monkeypatch):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    gone = str(tmp_path / "clone" / "mine" / "actor.pt")
    sweep_dir, spec = _sweep(tmp_path, {**SETTINGS, "policy": gone})
    monkeypatch.setattr(
        "rambo_env.data.generate.generate_dataset", lambda *a, **k: pytest.fail("generated")
    )
    monkeypatch.setattr("rambo_env.data.loaders.needs_generation", lambda name: True)
    with pytest.raises(DatasetUnavailableError) as refused:
        sweep._check_sweep_datasets(sweep_dir, spec)
    said = str(refused.value)
    assert gone in said and "another checkout" in said and "--resume takes no --policy" in said
    assert "--train-policy" not in said


def test_a_resume_before_tune_started_does_not_call_its_state_deleted(tmp_path, monkeypatch):
    sweep_dir, spec = _sweep(tmp_path, SETTINGS)
    said = []
    monkeypatch.setattr(sweep, "note", lambda text, *a, **k: said.append(text))
    sweep._note_no_tune_state(spec, sweep_dir)
    (line,) = said
    assert "before Tune started" in line and "deleted" not in line
    (sweep_dir / sweep.RUNS_DIR / "x").mkdir(parents=True)  # a trial had started: as before
    run_dir = sweep.trial_run_dir(sweep_dir / sweep.RUNS_DIR, *spec.grid[0])
    run_dir.mkdir(parents=True)
    sweep._note_no_tune_state(spec, sweep_dir)
    assert "deleted or not synced" in said[-1]


def test_an_errored_trials_line_keeps_a_long_command_whole():
    command = "python scripts/make_dataset.py --env hopper " + "--x y " * 80 + "--policy /a/b.pt"
    (line,), _ = sweep.trial_errors([("t1", sweep.DatasetChangedError(f"changed: {command}"))])
    assert command in line
    (line,), _ = sweep.trial_errors([("t1", ValueError("z" * 5000))])
    assert "error.txt" in line and len(line) < 2300
