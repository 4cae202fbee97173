"""Probe 113 rows 1-4: a run on a custom Minari id started before 5ce83ab (2026-12-01) recorded
its dataset under the name the code gave it then (``rambo/hopper/mine-v0`` as ``hopper-random``,
while the flat cache lasted); today's name is ``hopper-mine``, and the name is part of the
dataset fingerprint. ``--resume`` / ``diagnose.py`` / ``load_session`` refused the unchanged
data ("has changed since the run started … restore that dataset"), and ``scripts/ledger.py``
filed the run under the standard dataset's name ``hopper-random``."""

from __future__ import annotations

import dataclasses
import json

import gymnasium as gym
import pytest

from agents.cotrain import load_session, run_cotrain
from rambo_env.data import minari_io
from rambo_env.data.dataset import OfflineDataset
from rambo_env.data.minari_io import dataset_to_episodes, save_minari
from rambo_env.dynamics.io import cache_dir
from rambo_env.ledger import read_index, update_ledger
from tests.agents.test_cotrain import _random_action_rows, tiny_config

DATASET_ID = "rambo/hopper/mine-v0"


@pytest.fixture
def mine() -> str:
    """A small custom Minari dataset ``rambo/hopper/mine-v0`` (today: ``hopper-mine``)."""
    rows = _random_action_rows(gym.make("Hopper-v5", max_episode_steps=40), 300, 0.5)
    dataset = OfflineDataset.from_arrays(rows, env_id="Hopper-v5")
    save_minari(DATASET_ID, dataset_to_episodes(dataset), env_id="Hopper-v5")
    return DATASET_ID


def _old_run(run_dir, monkeypatch) -> None:
    """A run stopped at iteration 1 of 2 by a rambo_env naming the dataset ``hopper-random``
    (as ce7e723 did), its flat cache gone since (as a newer version's first load removes it)."""
    import shutil

    with monkeypatch.context() as old:
        old.setattr(minari_io, "minari_dataset_name", lambda dataset_id, env_id: "hopper-random")
        run_cotrain(tiny_config(DATASET_ID, n_iterations=2, stop_at_iteration=1), run_dir)
    shutil.rmtree(cache_dir() / "datasets", ignore_errors=True)
    recorded = json.loads((run_dir / "config.json").read_text())["resolved"]["dataset"]
    assert recorded["name"] == "hopper-random"


def test_an_old_run_under_its_old_dataset_name_resumes_loads_and_is_filed_as_today(
    mine, tmp_path, monkeypatch, capsys
):
    run_dir = tmp_path / "run"
    _old_run(run_dir, monkeypatch)
    capsys.readouterr()
    session, _ = load_session(run_dir)  # diagnose.py's loader (was: "has changed …")
    assert session.dataset.name == "hopper-random"  # the run's own name, kept
    assert "named 'hopper-random' in its config.json" in capsys.readouterr().out
    cfg = dataclasses.replace(tiny_config(DATASET_ID, n_iterations=2), stop_at_iteration=None)
    results = run_cotrain(cfg, run_dir, resume=True)
    assert results["status"] == "finished" and results["iterations_completed"] == 2
    saved = json.loads((run_dir / "config.json").read_text())["resolved"]["dataset"]
    assert saved["name"] == "hopper-random"  # consistent with the run's earlier files

    ledger_dir = tmp_path / "ledger"
    update_ledger(run_dir, ledger_dir)
    (entry,) = read_index(ledger_dir).values()
    assert entry.dataset == "hopper-mine"  # was: hopper-random, the standard dataset's name
    assert entry.slug.startswith("hopper-mine_")
    today = OfflineDataset.from_arrays(
        {k: getattr(session.dataset, k) for k in ("observations", "actions", "rewards",
         "next_observations", "terminals", "timeouts")}, env_id="Hopper-v5", name="hopper-mine",
    )  # fmt: skip
    assert entry.dataset_fingerprint == today.fingerprint()
    assert (ledger_dir / "hopper-mine.png").exists()
    assert not (ledger_dir / "hopper-random.png").exists()


def test_the_ledger_refuses_an_old_name_whose_data_are_not_the_runs(mine, tmp_path):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    saved = {
        "config": {"algo": "sac", "seed": 0, "dataset": DATASET_ID},
        "resolved": {
            "rollout_length": 2,
            "adversary_weight": 3e-4,
            "dataset": {
                "name": "hopper-random",
                "source": f"minari:{DATASET_ID}",
                "env_id": "Hopper-v5",
                "fingerprint": "0123456789abcdef",  # other data than mine-v0's
            },
        },
    }
    (run_dir / "config.json").write_text(json.dumps(saved))
    with pytest.raises(ValueError) as refused:
        update_ledger(run_dir, tmp_path / "ledger")
    said = str(refused.value)
    assert "'hopper-random'" in said and "'hopper-mine'" in said and "not the run's" in said
    assert not (tmp_path / "ledger" / "index.json").exists()


def test_a_checkpoint_of_a_newer_format_is_refused_as_a_newer_rambo_envs(tmp_path):
    """Probe 113: was "format_version 2, but this code reads version 1; resume it with the
    version of rambo-env that wrote it" (an older one, read that way)."""
    from agents import cotrain
    from rambo_env import run_io

    path = tmp_path / "checkpoint.pt"
    state = {key: None for key in cotrain._CHECKPOINT_KEYS} | {"iteration": 3}
    run_io.save_checkpoint(path, {**state, "format_version": cotrain.CHECKPOINT_FORMAT + 1})
    with pytest.raises(ValueError) as refused:
        cotrain._load_run_checkpoint(path)
    assert str(refused.value) == (
        f"{path}: the checkpoint was written by a newer rambo_env (checkpoint format_version "
        f"{cotrain.CHECKPOINT_FORMAT + 1} > {cotrain.CHECKPOINT_FORMAT}, this code's): update the "
        "code (git pull) to resume or load it"
    )
    run_io.save_checkpoint(path, {**state, "format_version": cotrain.CHECKPOINT_FORMAT})
    assert cotrain._load_run_checkpoint(path)["iteration"] == 3
