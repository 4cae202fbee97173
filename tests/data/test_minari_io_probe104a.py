"""Probe 104 row 15: D4RL-layout data without next_observations exported to Minari."""

from __future__ import annotations

import numpy as np
import pytest

from rambo_env.data.d4rl_io import arrays_to_dataset
from rambo_env.data.dataset import DatasetValidationError
from rambo_env.data.minari_io import dataset_to_episodes
from tests.data.test_loaders_probe104a import _d4rl_arrays


def test_terminated_episodes_without_a_known_final_state_are_refused_or_left_out(capsys):
    # probe 104 row 15: was written without a word, each terminated Minari episode ending in the
    # next episode's first state (a derived next observation, not the state the fall reached)
    arrays = _d4rl_arrays([30, 12, 30, 9, 30], [False, True, False, True, False])
    data = arrays_to_dataset(arrays, None, None, "test", {"env_id": "Hopper-v5"})
    with pytest.raises(DatasetValidationError, match=r"2 terminated episode\(s\) \(first ends"):
        dataset_to_episodes(data)
    capsys.readouterr()
    episodes = dataset_to_episodes(data, skip_unknown_final=True)
    assert "2 terminated episode(s) (first ends at row 40) left out" in capsys.readouterr().out
    assert len(episodes) == 3 and not any(ep.terminations.any() for ep in episodes)
    # every final observation is a state the data hold as a next state of its own episode
    for ep in episodes:
        assert np.isin(ep.observations[-1], data.next_observations).all()
    with pytest.raises(ValueError, match="skip_unknown_final"):
        dataset_to_episodes(data, skip_unknown_final="yes")


def test_missing_own_namespace_id_advises_generation_only(tmp_path, monkeypatch):
    # probe 104 row 18: was "… minari download rambo/hopper/random-v0 …", an id Minari's server
    # never holds (rambo/ is this project's local namespace)
    import rambo_env
    from rambo_env.data.dataset import DatasetUnavailableError

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    with pytest.raises(DatasetUnavailableError) as err:
        rambo_env.load_dataset("rambo/hopper/random-v0")
    message = str(err.value)
    assert "minari download" not in message and "this project's own namespace" in message
    assert "python scripts/make_dataset.py --env hopper --level random" in message
    with pytest.raises(DatasetUnavailableError, match="minari download mujoco/hopper/medium-v0"):
        rambo_env.load_dataset("mujoco/hopper/medium-v0")
