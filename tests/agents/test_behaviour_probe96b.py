"""Probe 96b row 20: a killed behaviour training saved under numpy >= 2 and continued under numpy
1.x was a raw ``ModuleNotFoundError: No module named 'numpy._core'``, and make_dataset's "once
the cause is fixed, rerun" failed the same way."""

from __future__ import annotations

import re

import numpy as np
import pytest
from stable_baselines3.common import save_util

from agents.behaviour import BehaviourConfig, train_behaviour


def _cfg(**changes) -> BehaviourConfig:
    base = {"env_id": "Pendulum-v1", "band": (1e9, 2e9), "max_steps": 80, "eval_freq": 40,
            "n_eval_episodes": 1, "learning_starts": 30, "save_freq": 80, "buffer_size": 1000}  # fmt: skip
    return BehaviourConfig(**{**base, **changes})


def _numpy2_pickle(*args, **kwargs):
    raise ModuleNotFoundError("No module named 'numpy._core'", name="numpy._core")


@pytest.mark.parametrize(
    ("name", "where"), [("model.zip", "json_to_data"), ("replay_buffer.pkl", "pickle")]
)
def test_a_numpy_2_resume_save_names_numpy_and_the_resume_folder(
    tmp_path, monkeypatch, name, where
):
    # probe 96b row 20: was ModuleNotFoundError: No module named 'numpy._core'
    train_behaviour(_cfg(), tmp_path, progress_bar=False)  # stopped at 80 = a save point
    monkeypatch.setattr(np, "__version__", "1.24.4")
    if where == "pickle":
        monkeypatch.setattr(save_util.pickle, "load", _numpy2_pickle)
    else:
        monkeypatch.setattr(save_util, "json_to_data", _numpy2_pickle)
    resume = tmp_path / "resume"
    said = (
        f"{resume / name}: written under numpy >= 2 (its pickled data name the module "
        "'numpy._core'), but this environment has numpy 1.24.4, which cannot read it; upgrade "
        f"numpy here: pip install -U 'numpy>=2', or delete {resume} to start the behaviour "
        "policy over"
    )
    with pytest.raises(ValueError, match=f"^{re.escape(said)}$"):
        train_behaviour(_cfg(max_steps=160), tmp_path, progress_bar=False, resume=True)
