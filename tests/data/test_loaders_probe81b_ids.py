"""Probe 81 rows 8, 21, 22, 26, 27, 33, 35, 46: sound Minari datasets of non-Box or non-flat
spaces are refused as such (not "damaged"); local Minari datasets without a namespace load (also
D4RL-looking ids and the ``minari:`` prefix); end states of equal entries but different values are
no placeholder; a short name about to be generated names a newer local ``mujoco/…`` version."""

from __future__ import annotations

import gymnasium as gym
import minari
import numpy as np
import pytest
from gymnasium import spaces
from minari.data_collector import EpisodeBuffer

from rambo_env.data.dataset import DatasetValidationError, OfflineDataset
from rambo_env.data.loaders import _warn_placeholder_next_states, load_dataset


def _buffers(observations, actions, n_episodes: int = 3) -> list[EpisodeBuffer]:
    """``n_episodes`` identical 4-step episodes of the given (T + 1) observations and T actions."""
    t = len(actions)
    return [
        EpisodeBuffer(
            id=i,
            observations=observations,
            actions=actions,
            rewards=np.zeros(t),
            terminations=np.zeros(t, bool),
            truncations=np.r_[np.zeros(t - 1, bool), True],
        )
        for i in range(n_episodes)
    ]


def _save(dataset_id: str, buffers, observation_space, action_space) -> None:
    minari.create_dataset_from_buffers(
        dataset_id,
        buffers,
        algorithm_name="random",
        observation_space=observation_space,
        action_space=action_space,
        eval_env="Hopper-v5",  # Minari wants an env or spaces; the spaces are what counts here
    )


def _hopper_buffers(seed: int, n_episodes: int = 4) -> list[EpisodeBuffer]:
    env = gym.make("Hopper-v5")
    env.action_space.seed(seed)
    buffers = []
    for i in range(n_episodes):
        obs, _ = env.reset(seed=seed + i)
        o, a, r, te, tr = [obs], [], [], [], []
        while True:
            action = env.action_space.sample()
            obs, reward, terminated, truncated, _ = env.step(action)
            o.append(obs), a.append(action), r.append(reward), te.append(terminated)
            tr.append(truncated)
            if terminated or truncated:
                break
        buffers.append(
            EpisodeBuffer(
                id=i,
                observations=np.asarray(o),
                actions=np.asarray(a),
                rewards=np.asarray(r),
                terminations=np.asarray(te),
                truncations=np.asarray(tr),
            )
        )
    return buffers


def _hopper_minari(dataset_id: str, seed: int = 0) -> None:
    env = gym.make("Hopper-v5")
    minari.create_dataset_from_buffers(
        dataset_id, _hopper_buffers(seed), env=env, algorithm_name="random"
    )


_BOX1 = spaces.Box(-1, 1, (1,), np.float32)
_ACTIONS = np.full((4, 1), 0.5, np.float32)


@pytest.mark.parametrize(
    ("make", "said"),
    [
        # probe 81 row 8: was "is damaged (episode_0 actions has shape (18,), …); re-create it"
        (
            lambda: (
                np.zeros((5, 2), np.float32),
                np.ones(4, np.int64),
                spaces.Box(-1, 1, (2,), np.float32),
                spaces.Discrete(2),
            ),
            r"action_space Discrete\(2\).*flat Box observations \(obs_dim,\) and Box actions.*"
            r"discrete-action offline RL",
        ),
        # probe 81 row 21: was "is damaged (episode_0 observations has shape (5, 8, 8, 3), …)"
        (
            lambda: (
                np.zeros((5, 8, 8, 3), np.uint8),
                _ACTIONS,
                spaces.Box(0, 255, (8, 8, 3), np.uint8),
                _BOX1,
            ),
            r"observation_space Box\(0, 255, \(8, 8, 3\).*3-D Box of shape \(8, 8, 3\).*"
            r"FlattenObservation",
        ),
        # probe 81 row 22: was "is damaged (episode_0 observations has shape (5,), …)"
        (
            lambda: (np.arange(5) % 5, _ACTIONS, spaces.Discrete(5), _BOX1),
            r"observation_space Discrete\(5\).*a Discrete space.*FlattenObservation",
        ),
        # probe 81 row 35: was "is damaged (episode_0: 4 actions need 5 observations, found 0)"
        (
            lambda: (
                {"observation": np.zeros((5, 4)), "desired_goal": np.zeros((5, 2))},
                _ACTIONS,
                spaces.Dict(
                    {
                        "observation": spaces.Box(-10, 10, (4,)),
                        "desired_goal": spaces.Box(-10, 10, (2,)),
                    }
                ),
                _BOX1,
            ),
            r"observation_space Dict\(.*RAMBO on continuous control.*a Dict space.*"
            r"FlattenObservation.*flatten each observation yourself",
        ),
    ],
    ids=["discrete-actions", "image-observations", "discrete-observations", "dict-observations"],
)
def test_a_sound_dataset_of_unsupported_spaces_names_the_space(make, said):
    observations, actions, observation_space, action_space = make()
    _save("p81/space/x-v0", _buffers(observations, actions), observation_space, action_space)
    with pytest.raises(DatasetValidationError, match=said) as caught:
        load_dataset("p81/space/x-v0")
    assert "damaged" not in str(caught.value) and "re-create" not in str(caught.value)


def test_dict_episodes_given_directly_are_named_as_such():
    """Probe 81 row 35: episodes_to_dataset read a Dict's observations as 0 observations."""
    from rambo_env.data.minari_io import episodes_to_dataset

    episode = {
        "observations": {"observation": np.zeros((5, 4))},
        "actions": np.zeros((4, 1)),
        "rewards": np.zeros(4),
        "terminations": np.zeros(4, bool),
        "truncations": np.zeros(4, bool),
    }
    with pytest.raises(DatasetValidationError, match=r"not an array.*only flat Box observations"):
        episodes_to_dataset([episode])


def test_a_local_minari_id_without_namespace_loads(capsys):
    """Probe 81 row 26: was "unknown dataset 'hopown-v0'", the dataset in the Minari root."""
    _hopper_minari("hopown-v0")
    dataset = load_dataset("hopown-v0")
    assert dataset.source == "minari:hopown-v0"
    assert "hopown-v0" in capsys.readouterr().out


def test_an_unknown_id_without_namespace_names_the_local_ones():
    """Probe 81 row 26: the error said nothing of the local Minari ids."""
    _hopper_minari("hopown-v0")
    with pytest.raises(ValueError, match=r"unknown dataset 'nothere-v0'.*\['hopown-v0'\]"):
        load_dataset("nothere-v0")


@pytest.mark.parametrize("name", ["hopper-medium-v0", "minari:hopper-medium-v0"])
def test_a_local_minari_dataset_of_a_d4rl_looking_id_loads(name, capsys):
    """Probe 81 row 27: was the D4RL error (no hopper_medium.hdf5), the minari: prefix too."""
    _hopper_minari("hopper-medium-v0", seed=5)
    dataset = load_dataset(name)
    assert dataset.source == "minari:hopper-medium-v0"
    out = capsys.readouterr().out
    # without the prefix, one note says both exist; the prefix asks for Minari: no note
    assert ("both a D4RL name and a dataset in the local Minari root" in out) == (
        not name.startswith("minari:")
    )


def test_the_minari_prefix_never_means_a_d4rl_file():
    """Probe 81 row 27: ``minari:walker2d-random-v2`` looked for walker2d_random-v2.hdf5."""
    from rambo_env.data.dataset import DatasetUnavailableError

    with pytest.raises(DatasetUnavailableError, match="Minari dataset 'walker2d-random-v2'"):
        load_dataset("minari:walker2d-random-v2")


def test_end_states_of_equal_entries_but_different_values_are_no_placeholder(capsys):
    """Probe 81 row 33: was "40 of 40 episode-end row(s) … every entry 0.101021 …"."""
    rng = np.random.default_rng(0)
    n_eps, t = 10, 4
    obs = rng.normal(size=(n_eps * t, 3)).astype(np.float32)
    nxt = np.roll(obs, -1, axis=0)
    ends = np.arange(t - 1, n_eps * t, t)
    nxt[ends] = rng.normal(size=(n_eps, 1)).astype(np.float32)  # each end: (v, v, v), v its own
    timeouts = np.zeros(n_eps * t, bool)
    timeouts[ends] = True
    arrays = {
        "observations": obs,
        "actions": np.zeros((n_eps * t, 1), np.float32),
        "rewards": np.zeros(n_eps * t, np.float32),
        "next_observations": nxt,
        "terminals": np.zeros(n_eps * t, bool),
        "timeouts": timeouts,
    }
    assert not _warn_placeholder_next_states(OfflineDataset._from_arrays(arrays, copy=True))
    assert "placeholder" not in capsys.readouterr().out
    # one shared value on every end row stays a placeholder
    arrays["next_observations"][ends] = 0.0
    assert _warn_placeholder_next_states(OfflineDataset._from_arrays(arrays, copy=True))
    assert "every entry 0, which no observation takes" in capsys.readouterr().out


def test_a_short_name_about_to_be_generated_names_the_newer_local_version(monkeypatch, capsys):
    """Probe 81 row 46: with only mujoco/hopper/medium-v1 there, 'hopper-medium' generated
    rambo/hopper/medium-v0 without naming it."""
    from rambo_env.data import generate

    _hopper_minari("mujoco/hopper/medium-v1")

    def stop(*args, **kwargs):
        raise RuntimeError("generation started")

    monkeypatch.setattr(generate, "generate_dataset", stop)
    with pytest.raises(RuntimeError, match="generation started"):
        load_dataset("hopper-medium", n_transitions=300)
    out = capsys.readouterr().out
    note = out.index("the local Minari root holds mujoco/hopper/medium-v1")
    assert note < out.index("is not available locally: generating rambo/hopper/medium-v0")
    assert "load_dataset('mujoco/hopper/medium-v1')" in out
