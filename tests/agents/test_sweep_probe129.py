"""Probe 129 rows 1, 3: a sweep recorded only the size and seed of a generated dataset (its data
depend on --n-envs / --workers and the behaviour policy too), its resume regenerated a deleted
one from them blindly and left wrong data in the Minari root; a data-changed trial error read as
one that ``--resume`` repeats."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest

import agents.sweep as sweep
from rambo_env.data.dataset import DatasetUnavailableError
from rambo_env.run_io import write_json
from tests.agents.test_cotrain import tiny_hopper  # noqa: F401 (a fixture)
from tests.agents.test_sweep import tiny_spec

SETTINGS = {"n_transitions": 3000, "seed": 9, "n_envs": 4, "n_workers": 3, "policy": "p/m.pt"}


def _sweep(tmp_path, generation):
    spec = tiny_spec("hopper-medium", n_iterations=1)
    sweep_dir = tmp_path / "S"
    sweep_dir.mkdir()
    saved = {
        "spec": spec.to_dict(),
        "resources": dataclasses.asdict(sweep.SweepResources()),
        sweep.FINGERPRINTS_KEY: {"hopper-medium": "0123456789abcdef"},
    }
    if generation is not None:
        saved[sweep.GENERATION_KEY] = {"hopper-medium": generation}
    write_json(sweep_dir / sweep.SWEEP_FILE, saved)
    return sweep_dir, spec


def test_the_record_and_command_hold_every_setting_that_made_the_data(tmp_path, monkeypatch):
    data = SimpleNamespace(
        n_transitions=3000, metadata={**SETTINGS, "level": "medium", "mean_return": 1.0}
    )
    monkeypatch.setattr("rambo_env.data.loaders.load_dataset", lambda *a, **k: data)
    record = sweep._generation_record(["hopper-medium", "x.npz"], None)
    assert record == {"hopper-medium": SETTINGS}
    sweep_dir, _ = _sweep(tmp_path, record["hopper-medium"])
    command = sweep._make_command("hopper-medium", sweep._generation_of(sweep_dir, "hopper-medium"))
    assert command == (
        "python scripts/make_dataset.py --env hopper --level medium --n-transitions 3000 "
        "--seed 9 --n-envs 4 --workers 3 --policy p/m.pt"
    )


def test_a_resume_regenerates_with_every_recorded_setting_and_removes_other_data(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    sweep_dir, spec = _sweep(tmp_path, SETTINGS)
    monkeypatch.chdir(tmp_path)  # the recorded policy file is there (probe 131 R1: checked)
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "m.pt").write_bytes(b"")
    made = []
    folder = tmp_path / "minari" / "rambo" / "hopper" / "medium-v0"

    def generate(env, level, **kwargs):
        made.append((env, level, kwargs))
        folder.mkdir(parents=True)

    class Other:
        def fingerprint(self):
            return "fedcba9876543210"

    monkeypatch.setattr("rambo_env.data.generate.generate_dataset", generate)
    monkeypatch.setattr("rambo_env.data.loaders.needs_generation", lambda name: True)
    monkeypatch.setattr("rambo_env.data.loaders.load_dataset", lambda *a, **k: Other())
    with pytest.raises(sweep.DatasetChangedError, match="removed again"):
        sweep._check_sweep_datasets(sweep_dir, spec)
    (_, _, kwargs), *more = made
    assert not more
    assert kwargs["n_envs"] == 4 and kwargs["n_workers"] == 3 and kwargs["seed"] == 9
    assert kwargs["n_transitions"] == 3000 and kwargs["policy_path"] == "p/m.pt"
    assert not folder.exists()  # the wrong data are not left in the Minari root


@pytest.mark.parametrize("generation", [None, {"n_transitions": 3000, "seed": 9}])
def test_a_resume_never_regenerates_data_whose_settings_are_not_all_recorded(
    tmp_path, monkeypatch, generation
):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    monkeypatch.setenv("D4RL_DATASET_DIR", str(tmp_path / "d4rl"))
    sweep_dir, spec = _sweep(tmp_path, generation)
    monkeypatch.setattr(
        "rambo_env.data.generate.generate_dataset", lambda *a, **k: pytest.fail("generated")
    )
    monkeypatch.setattr(
        "rambo_env.data.loaders.load_dataset", lambda *a, **k: pytest.fail("generated")
    )
    with pytest.raises(DatasetUnavailableError, match="restore it") as refused:
        sweep._check_sweep_datasets(sweep_dir, spec)
    assert "not all recorded" in str(refused.value)


def test_a_data_changed_trial_error_is_not_one_that_resume_repeats(tmp_path):
    changed = sweep.DatasetChangedError("dataset: 'x' has changed since the sweep")
    lines, repeat = sweep.trial_errors([("t1", changed)])
    assert not repeat and lines == (
        "t1: DatasetChangedError: dataset: 'x' has changed since the sweep",
    )
    assert sweep.trial_errors([("t1", ValueError("bad"))])[1]  # other data errors still repeat
    assert isinstance(changed, ValueError)


def test_a_trial_checks_its_data_on_the_runs_own_load(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    """Probe 129 row 4: the trial loaded its dataset once to check it, then the run again."""
    import shutil
    import sys

    import rambo_env.data.loaders as loaders
    from tests.agents.test_sweep import FakeTune
    from tests.agents.test_sweep_probe124 import _sweep as sweep_of

    tune = pytest.importorskip("ray.tune")
    data = str(shutil.copy(tiny_hopper, tmp_path / "data.npz"))
    sweep_dir, _, params = sweep_of(tmp_path, data, "0123456789abcdef")
    FakeTune(tmp_path / "store").install(monkeypatch, tune)
    loads = []
    real = loaders.load_dataset

    def counted(*args, **kwargs):
        loads.append(sys._getframe(1).f_code.co_name)
        return real(*args, **kwargs)

    monkeypatch.setattr(loaders, "load_dataset", counted)
    with pytest.raises(sweep.DatasetChangedError, match="has changed since the sweep"):
        sweep.cotrain_trainable(params)
    assert loads == ["build_session"]  # the run's load alone, checked before training
    assert not (sweep_dir / sweep.RUNS_DIR).exists()


def test_an_expert_datasets_policy_is_recorded_as_its_expert_policy(monkeypatch):
    data = SimpleNamespace(n_transitions=10, metadata={**SETTINGS, "level": "expert"})
    monkeypatch.setattr("rambo_env.data.loaders.load_dataset", lambda *a, **k: data)
    record = sweep._generation_record(["hopper-expert"], None)["hopper-expert"]
    assert record["expert_policy"] == "p/m.pt" and "policy" not in record
    assert "--expert-policy p/m.pt" in sweep._make_command("hopper-expert", record)
