"""Probe 83 (p83a) row 24: the ledger's index.json records the env a run was evaluated in (its
data's evaluation env / time limit), its score label and where its data came from, and keeps a
run evaluated in another env apart from one of the same key."""

from __future__ import annotations

import json

import pytest

from rambo_env.ledger import DEFAULT_LEDGER_DIR, read_index
from tests.agents.test_cotrain import _fake_run, ledger_module  # noqa: F401 (the fixture)

EVAL_50 = {
    "env_id": "Hopper-v5",
    "env_kwargs": {"healthy_z_range": [0.3, 2.0]},
    "max_episode_steps": 50,
}


def _set_env(run_dir, evaluation: dict | None, source: str = "minari:hopper-medium-v0") -> None:
    saved = json.loads((run_dir / "config.json").read_text())
    saved["resolved"]["dataset"].update(env_id="Hopper-v5", source=source)
    termination = {"rule": "exact: hopper_terminated", "env_kwargs": {}}
    if evaluation is not None:
        termination["evaluation_env"] = evaluation
    saved["resolved"]["termination"] = termination
    (run_dir / "config.json").write_text(json.dumps(saved))


def test_the_index_records_the_evaluation_env_label_and_source(
    tmp_path,
    monkeypatch,
    ledger_module,  # noqa: F811 (the fixture)
):
    # probe 83 row 24: index.json recorded neither the evaluation env / time limit nor the
    # score label, and a user's own Minari 'hopper-medium-v0' read like D4RL's
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "ev50", 3, monkeypatch)
    _set_env(tmp_path / "ev50", EVAL_50)
    ledger_module.update_ledger(tmp_path / "ev50", ledger)
    (entry,) = json.loads((ledger / "index.json").read_text()).values()
    assert entry["settings"]["evaluation_env"] == EVAL_50
    assert entry["dataset_source"] == "minari:hopper-medium-v0"
    assert isinstance(entry["score_label"], str)
    # a run of the same key evaluated in the registered env is not entered as the same run
    _fake_run(tmp_path / "plain", 3, monkeypatch)
    _set_env(tmp_path / "plain", None)
    with pytest.raises(
        ValueError, match=r"other settings .*evaluation_env .*'max_episode_steps': None"
    ):
        ledger_module.update_ledger(tmp_path / "plain", ledger)


def test_old_indexes_still_load() -> None:
    assert read_index(DEFAULT_LEDGER_DIR)  # entries without the new fields
