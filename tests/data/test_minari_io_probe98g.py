"""Probe 98 (p98g): own-env Minari datasets under gymnasium's ``module:Env-v0`` form."""

from __future__ import annotations

import gymnasium as gym
import pytest

from rambo_env import load_dataset
from rambo_env.data import DatasetValidationError
from rambo_env.data.minari_io import _cache_path, dataset_to_episodes, save_minari
from tests.data.data_helpers import make_dataset
from tests.data.p98g_envs_source import write_modules


@pytest.fixture
def own_envs(tmp_path, monkeypatch):
    write_modules(tmp_path, monkeypatch)
    return tmp_path


def test_save_minari_stores_the_plain_id_of_a_module_form(own_envs, capsys) -> None:
    # probe 98 row 22: was refused with the load-time advice ("name your env's module
    # yourself"), naming no fix for saving
    episodes = dataset_to_episodes(make_dataset(env_id="Hopper-v5"))
    save_minari("me/p98g/own-v0", episodes, env_id="p98g_envs:P98gHopper-v0")
    assert "stores the plain id 'P98gHopper-v0'" in capsys.readouterr().out
    assert load_dataset("me/p98g/own-v0").env_id == "P98gHopper-v0"


def test_a_valid_cache_is_kept_when_the_env_is_not_registered(own_envs, monkeypatch, capsys):
    # probe 98 row 23: the flat cache was called unreadable and deleted (the env, not the cache,
    # was missing) and the error said "import the package", which a command line cannot
    episodes = dataset_to_episodes(make_dataset(env_id="Hopper-v5"))
    save_minari("me/p98g/cli-v0", episodes, env_id="p98g_envs:P98gHopper-v0")
    load_dataset("me/p98g/cli-v0")  # writes the flat cache
    cache = _cache_path("me/p98g/cli-v0")
    assert cache is not None and cache.is_file()
    capsys.readouterr()
    monkeypatch.delitem(gym.registry, "P98gHopper-v0")  # as in a process that did not import it
    with pytest.raises(DatasetValidationError, match=r"--env-id MODULE:P98gHopper-v0"):
        load_dataset("me/p98g/cli-v0")
    assert "unreadable" not in capsys.readouterr().out
    assert cache.is_file()
