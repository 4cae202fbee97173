"""Probe 76 (a recheck of session 36's fixes): three false alarms / misses."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from agents import timing
from agents.cotrain import CotrainConfig
from agents.factory import set_critic_lr
from rambo_env import ledger
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)


def test_set_critic_lr_takes_a_float32_copy_of_the_agents_own_rate(parts):  # noqa: F811
    """Row 12: ``actor_lr=np.float32(1e-4)`` at build, then ``set_critic_lr(agent, 3e-4, 1e-4)``
    was refused ("its actor lr is 9.999999747378752e-05 … the critic would get 0.0003")."""
    agent = _make(parts, actor_lr=np.float32(1e-4), critic_lr=3e-4)
    set_critic_lr(agent, 3e-4, 1e-4)
    assert agent.critic.optimizer.param_groups[0]["lr_scale"] == pytest.approx(3.0)


def test_a_compile_torch_is_told_to_skip_is_timed_as_eager(monkeypatch):
    """Row 18: under TORCHDYNAMO_DISABLE=1 a --compile run ran eagerly but was timed under the
    compiled key (a later compiled run then priced with an eager time)."""
    cfg = CotrainConfig(n_iterations=10, compile=True)
    eager = timing.timing_key(dataclasses.replace(cfg, compile=False), 5, 3e-4, "cpu")
    monkeypatch.delenv("TORCH_COMPILE_DISABLE", raising=False)
    monkeypatch.setenv("TORCHDYNAMO_DISABLE", "1")
    assert timing.timing_key(cfg, 5, 3e-4, "cpu") == eager


def test_an_old_entry_without_its_folder_has_no_known_pair():
    """Row 19: an entry written before entries recorded their reference pair, its run folder
    gone, was taken as on D4RL's pair: a new run on the same data with their own pair (0 / 1000)
    was "ran with other settings: ref_scores [0.0, 1000.0] vs [-20.272305, 3234.3]"."""
    old = ledger.LedgerEntry(
        slug="x", dataset="hopper-own", algo="sac", rollout_length=5, adversary_weight=3e-4,
        seed=0, behaviour_score=None, bc_score=None, iterations=3, last10_score=None,
        cotrain_wall_s=None, run_dir="", settings={"env_id": "Hopper-v5", "real_ratio": 0.5},
    )  # fmt: skip
    assert ledger._kept_settings(old).get("ref_scores") is None  # not known: not compared
    gone = dataclasses.replace(old, run_dir="/nonexistent/run")
    assert ledger._kept_settings(gone)["ref_scores"] is None
    assert ledger._same_setting("ref_scores", [0.0, 1000.0], None)
