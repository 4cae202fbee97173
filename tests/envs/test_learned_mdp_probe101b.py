"""Probe 101 rows 44-46, 52, 57 (p101b): ``mdp.normalizer`` is checked when assigned, a numpy
generator given to ``RealTransitions.sample`` is named, and the first checked
``LearnedMDP.transition`` warns about raw observations."""

from __future__ import annotations

import copy
import pickle
import warnings

import gymnasium as gym
import numpy as np
import pytest
import torch

import rambo_env  # noqa: F401  (registers the model envs)
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.normalization import ObsNormalizer
from tests.envs.tiny_mdp import make_tiny_dataset


def test_a_normaliser_of_other_statistics_is_refused(tiny_mdp, tiny_dataset):
    # probe 101 row 44: was taken silently (adversary.update and env.step ran on, the ensemble,
    # start states and the adversary's real batch staying in the old z-scores)
    mdp = copy.deepcopy(tiny_mdp)
    adversary = ModelAdversary(mdp, tiny_dataset, AdversaryConfig(3e-4, 2, n_updates=2))
    old = mdp.normalizer
    other = ObsNormalizer.from_dataset(make_tiny_dataset(seed=5))
    with pytest.raises(ValueError, match=r"mdp\.normalizer: .*other statistics.*make_mdp"):
        mdp.normalizer = other
    assert mdp.normalizer is old and adversary.mdp.normalizer is old  # nothing changed


def test_an_equal_normaliser_is_taken(tiny_mdp, tiny_dataset):
    mdp = copy.deepcopy(tiny_mdp)
    same = ObsNormalizer.from_dataset(tiny_dataset)
    mdp.normalizer = same
    assert mdp.normalizer is same


def test_none_as_normaliser_is_named(tiny_mdp):
    # probe 101 row 45: was "AttributeError: 'NoneType' object has no attribute 'unnormalize'"
    # at the env's next step
    mdp = copy.deepcopy(tiny_mdp)
    env = gym.make("RamboModel-hopper-medium", mdp=mdp, rollout_length=5)
    env.reset(seed=0)
    with pytest.raises(ValueError, match=r"mdp\.normalizer: expected a .*ObsNormalizer, got None"):
        mdp.normalizer = None
    env.step(np.zeros(3, np.float32))  # the mdp is unchanged


def test_a_normaliser_of_another_obs_dim_is_named(tiny_mdp):
    # probe 101 row 46: was "obs: last dimension must be obs_dim=5, got shape (1, 11)" at step
    mdp = copy.deepcopy(tiny_mdp)
    with pytest.raises(ValueError, match=r"mdp\.normalizer: fitted on obs_dim=5 .* obs_dim is 11"):
        mdp.normalizer = ObsNormalizer(np.zeros(5, np.float32), np.ones(5, np.float32))


def test_pickles_keep_the_normaliser_field(tiny_mdp):
    state = tiny_mdp.__getstate__()
    assert "normalizer" in state and "_normalizer" not in state  # the field's name as before
    clone = pickle.loads(pickle.dumps(tiny_mdp))
    assert np.array_equal(clone.normalizer.mean, tiny_mdp.normalizer.mean)


def test_real_sample_names_a_numpy_generator(tiny_mdp, tiny_dataset):
    # probe 101 row 52: was torch's raw "randint() received an invalid combination of arguments"
    adversary = ModelAdversary(copy.deepcopy(tiny_mdp), tiny_dataset, AdversaryConfig(3e-4, 2))
    with pytest.raises(ValueError, match=r"generator: expected a torch\.Generator .*numpy"):
        adversary.real.sample(32, np.random.default_rng(0))
    assert adversary.real.sample(32, adversary.generator).obs.shape == (32, 11)
    assert adversary.real.sample(32, None).obs.shape == (32, 11)


def test_first_transition_of_raw_observations_warns_once(tiny_mdp, tiny_dataset):
    # probe 101 row 57: a user's batched rollout from raw dataset states ran without a word
    mdp = copy.deepcopy(tiny_mdp)
    raw = torch.tensor(tiny_dataset.observations[:32])
    action, rng = torch.zeros(32, 3), np.random.default_rng(0)
    with pytest.warns(UserWarning, match=r"obs: the state\(s\) look raw .*normalize\(raw_obs\)"):
        mdp.transition(raw, action, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # once per mdp: no per-step cost in rollouts
        mdp.transition(raw, action, rng)


def test_normalised_and_far_model_states_do_not_warn(tiny_mdp):
    rng = np.random.default_rng(0)
    for obs in (tiny_mdp.start_obs[:32], tiny_mdp.start_obs[:32] * 8.0):
        mdp = copy.deepcopy(tiny_mdp)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            mdp.transition(obs, torch.zeros(32, 3), rng)
