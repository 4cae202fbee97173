"""Probe 113 (leftover): the note about unfinished MLE pretrainings "written before their
settings were recorded" was printed for every dataset of the env (old partials record no
settings, and only their input width was compared). A partial's ensemble keeps its input
statistics (the official scaler's, of its train split): their action part is its dataset's
actions' mean and std, so a partial of other data is no longer noted."""

from __future__ import annotations

import numpy as np
import torch

from rambo_env.dynamics import io
from rambo_env.model import note_other_checkpoints
from tests.data.data_helpers import make_dataset
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

NOTE = "written before their settings were recorded"


def _note(capsys, dataset, **stats) -> str:
    old = io.cache_dir() / "dynamics-0123456789abcdef0123.partial.pt"
    old.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"epoch": 3, "ensemble": stats}, old)  # no settings: before probe 26
    note_other_checkpoints(
        dataset, TINY_ENSEMBLE, TINY_MLE, "fp32", io.cache_dir() / "dynamics-mine.partial.pt"
    )
    return capsys.readouterr().out


def test_an_old_partial_of_other_data_of_the_env_is_not_noted(capsys):
    dataset = make_dataset(episode_lengths=(40, 30, 30), terminal_last=(False, True, False))
    actions = np.asarray(dataset.actions, dtype=np.float64)
    mean, std = actions.mean(0), actions.std(0)
    obs_mean, obs_std = np.zeros(dataset.obs_dim), np.ones(dataset.obs_dim)

    def stats(action_mean, action_std):
        return {
            "input_mean": torch.as_tensor(np.concatenate([obs_mean, action_mean])).float(),
            "input_std": torch.as_tensor(np.concatenate([obs_std, action_std])).float(),
        }

    assert NOTE in _note(capsys, dataset, **stats(mean, std))  # may be this dataset's
    assert NOTE in _note(capsys, dataset, **stats(mean + 0.05 * std, std))  # a train split's
    # other actions of the same env (e.g. hopper-medium's partial, a hopper-random run): was noted
    assert NOTE not in _note(capsys, dataset, **stats(mean + std, std))
    assert NOTE not in _note(capsys, dataset, **stats(mean, 2 * std))
    only_mean = stats(mean + std, std)
    del only_mean["input_std"]  # statistics that cannot be compared: noted, as before
    assert NOTE in _note(capsys, dataset, **only_mean)
