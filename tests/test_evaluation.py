"""Real-env evaluation (App. B.6): observations normalised, lock-step episodes, scores."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest

from rambo_env.evaluation import check_n_eval_episodes, evaluate_policy, final_score
from rambo_env.normalization import ObsNormalizer


class _Scorer:
    ref_min_score, ref_max_score = -1000.0, 0.0

    def normalized_score(self, returns):
        return 100.0 * (returns - self.ref_min_score) / (self.ref_max_score - self.ref_min_score)


def _normalizer(obs_dim: int) -> ObsNormalizer:
    mean = np.linspace(-0.5, 0.5, obs_dim).astype(np.float32)
    std = np.linspace(0.5, 2.0, obs_dim).astype(np.float32)
    return ObsNormalizer(mean=mean, std=std)


def test_act_sees_normalised_obs_and_returns_match_single_env():
    norm = _normalizer(3)
    seen: list[np.ndarray] = []

    def act(obs_norm):
        seen.append(obs_norm.copy())
        return np.clip(obs_norm[:, :1], -2.0, 2.0)  # deterministic function of the obs

    result = evaluate_policy(
        act, "Pendulum-v1", norm, n_episodes=3, seed=7, scorer=_Scorer(), max_episode_steps=20
    )
    assert seen[0].shape == (3, 3)
    for i in range(3):  # first batch = z-scored reset observations of seeds 7, 8, 9
        raw = gym.make("Pendulum-v1").reset(seed=7 + i)[0]
        np.testing.assert_allclose(seen[0][i], (raw - norm.mean) / norm.std, rtol=1e-6)
    # Replaying episode 1 alone gives the same return: lock-step batching changes nothing.
    env = gym.make("Pendulum-v1")
    obs, total = env.reset(seed=8)[0], 0.0
    for _ in range(20):
        action = act(((obs - norm.mean) / norm.std)[None].astype(np.float32))[0]
        obs, reward, *_ = env.step(action)
        total += reward
    assert result.returns[1] == pytest.approx(total)
    np.testing.assert_array_equal(result.lengths, [20, 20, 20])
    assert result.normalized_score == pytest.approx(100.0 * (result.mean_return + 1000.0) / 1000.0)


def test_terminating_episodes_leave_the_batch():
    # Hopper terminates quickly under a violent constant action; each episode stops on its own.
    obs_dim = gym.make("Hopper-v5").observation_space.shape[0]
    batch_sizes: list[int] = []

    def act(obs_norm):
        batch_sizes.append(obs_norm.shape[0])
        return np.ones((obs_norm.shape[0], 3), dtype=np.float32)

    result = evaluate_policy(act, "Hopper-v5", _normalizer(obs_dim), n_episodes=4, seed=0)
    assert result.lengths.max() < 1000  # all terminated well before the time limit
    # At step t the policy sees exactly the episodes still running.
    assert batch_sizes == [int((result.lengths > t).sum()) for t in range(result.lengths.max())]
    assert result.normalized_score is None  # no scorer


def test_scorer_without_reference_scores_gives_none():
    scorer = _Scorer()
    scorer.ref_min_score = None
    result = evaluate_policy(
        lambda o: np.zeros((len(o), 1)),
        "Pendulum-v1",
        _normalizer(3),
        n_episodes=1,
        scorer=scorer,
        max_episode_steps=2,
    )
    assert result.normalized_score is None
    assert result.to_dict()["returns"] == [pytest.approx(result.mean_return)]


def test_bad_act_and_n_episodes():
    with pytest.raises(ValueError, match="n_episodes"):
        evaluate_policy(lambda o: o, "Pendulum-v1", _normalizer(3), n_episodes=0)
    with pytest.raises(ValueError, match="act"):
        evaluate_policy(lambda o: np.zeros((1, 1)), "Pendulum-v1", _normalizer(3), n_episodes=2)


def test_act_of_the_wrong_action_shape_or_a_normalizer_of_other_dims_is_named():
    """Probe 12: actions of another dim gave MuJoCo's "Action dimension mismatch"; a normalizer
    of another env's dims gave "obs: last dimension must be obs_dim=11 …"."""
    for actions, match in (
        (np.zeros((2, 2)), r"act: returned actions of shape \(2,\) per observation, but the env's"),
        (np.float32(0.0), "act: returned a scalar for a batch of 2"),
    ):
        with pytest.raises(ValueError, match=match):
            evaluate_policy(lambda o, a=actions: a, "Pendulum-v1", _normalizer(3), n_episodes=2)
    with pytest.raises(ValueError, match=r"normalizer: fitted on obs_dim=11 observations, but"):
        evaluate_policy(lambda o: np.zeros((len(o), 1)), "Pendulum-v1", _normalizer(11))


def test_one_action_for_a_batch_names_the_shape_act_must_return():
    """Probe 40 row 66: ``act`` returning ONE action of shape (3,) for a batch of 2 observations
    was "act: returned 3 actions for a batch of 2 observations", the action's dims read as
    actions."""
    for returned, n_episodes, got in (
        (np.zeros(3), 2, "shape (3,)"),
        (np.zeros(3), 3, "shape (3,)"),  # as many dims as observations: still one action
        (np.zeros(3), 1, "shape (3,)"),  # probe 41 row 30: was "a batch of 1 observations"
        (np.zeros((1, 3)), 2, "shape (1, 3)"),
        (np.float32(0.0), 2, "a scalar"),
    ):
        with pytest.raises(ValueError) as refused:
            evaluate_policy(
                lambda o, a=returned: a, "Hopper-v5", _normalizer(11), n_episodes=n_episodes
            )
        assert str(refused.value) == (
            f"act: returned {got} for a batch of {n_episodes} "
            f"observation{'s' if n_episodes > 1 else ''}; expected "
            f"({n_episodes}, 3): one action per observation row (act takes a batch [n, obs_dim] "
            "and returns [n, action_dim])"
        )


def test_non_finite_or_non_numeric_actions_are_one_error():
    """Probe 17: an act returning NaN gave a NaN return and a NaN score, no error."""
    calls = {"n": 0}

    def nan_on_step_3(obs):
        calls["n"] += 1
        actions = np.zeros((len(obs), 1), dtype=np.float32)
        if calls["n"] == 3:
            actions[-1] = np.nan
        return actions

    with pytest.raises(
        ValueError, match=r"act: returned a non-finite action \[nan\] at step 3 of episode 1"
    ):
        evaluate_policy(nan_on_step_3, "Pendulum-v1", _normalizer(3), n_episodes=2)
    with pytest.raises(ValueError, match=r"non-finite action \[inf\] at step 1 of episode 0"):
        evaluate_policy(lambda o: np.full((len(o), 1), np.inf), "Pendulum-v1", _normalizer(3))
    with pytest.raises(ValueError, match=r"act: returned actions that are not numbers"):
        evaluate_policy(lambda o: np.full((len(o), 1), "a"), "Pendulum-v1", _normalizer(3))
    result = evaluate_policy(  # finite actions: as before
        lambda o: np.zeros((len(o), 1)), "Pendulum-v1", _normalizer(3), n_episodes=2
    )
    assert np.isfinite(result.returns).all()


def test_an_act_returning_sb3_predicts_pair_or_a_ragged_list_is_named():
    """Probe 20: ``act=agent.predict`` (SB3's ``(actions, state)``) and a ragged list were
    numpy's raw "setting an array element with a sequence … inhomogeneous shape"."""
    pair = r"act: returned a pair \(actions, state\), as SB3's agent.predict does; .*\[0\]"
    for n_episodes in (1, 2):
        with pytest.raises(ValueError, match=pair):
            evaluate_policy(
                lambda o: (np.zeros((len(o), 1)), None),
                "Pendulum-v1",
                _normalizer(3),
                n_episodes=n_episodes,
            )
    with pytest.raises(ValueError, match=r"act: returned list that is not an array \[n, action"):
        evaluate_policy(lambda o: [[0.0], [0.0, 1.0]], "Pendulum-v1", _normalizer(3), n_episodes=2)
    result = evaluate_policy(  # a list of rows is still taken
        lambda o: [[0.0]] * len(o), "Pendulum-v1", _normalizer(3), n_episodes=2
    )
    assert np.isfinite(result.returns).all()


def test_final_score_is_mean_of_last_ten():
    history = [0.0] * 5 + list(range(1, 11))
    assert final_score(history) == pytest.approx(5.5)
    assert final_score([None, 4.0, None]) == 4.0
    assert final_score([]) is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_episodes": 2.5}, "n_episodes: must be an int >= 1, got 2.5"),
        ({"n_episodes": "3"}, "n_episodes: must be an int >= 1, got '3'"),
        ({"seed": -1}, "seed: expected an int >= 0, got -1"),
        ({"max_episode_steps": 0}, "max_episode_steps: must be None or an int >= 1, got 0"),
    ],
)
def test_evaluate_policy_checks_its_arguments_before_making_envs(kwargs, message):
    """Probe 11: n_episodes 2.5 / "3" gave raw TypeErrors, seed -1 gymnasium's error at the
    first reset, and max_episode_steps=0 ran one step."""

    def no_env():
        raise AssertionError("an env was made")

    norm = ObsNormalizer(np.zeros(11), np.ones(11))
    with pytest.raises(ValueError, match=message):
        evaluate_policy(lambda o: np.zeros((len(o), 3)), no_env, norm, **kwargs)


def test_more_evaluation_episodes_than_fit_in_memory_are_refused_up_front():
    """Probe 11: ``--n-eval-episodes 1000000`` built one simulator per episode after the dataset
    load, MLE and BC, until MuJoCo's "engine error: Could not allocate memory"."""
    from agents.cotrain_setup import CotrainConfig

    with pytest.raises(ValueError, match=r"n_eval_episodes: 1000000 is not in \[1, 1024\]"):
        CotrainConfig(n_eval_episodes=1_000_000)
    norm = ObsNormalizer(np.zeros(11), np.ones(11))
    with pytest.raises(ValueError, match=r"n_episodes: 2000 is not in \[1, 1024\]"):
        evaluate_policy(lambda o: o, lambda: pytest.fail("an env was made"), norm, n_episodes=2000)


def test_a_wrong_env_act_normalizer_or_scorer_is_one_error_naming_it():
    """Probe 17: an unregistered id was gymnasium's raw ``VersionNotFound``, an env instance
    ``TypeError: 'TimeLimit' object is not callable``, ``None`` / a non-callable act a raw
    TypeError, a factory returning None / a normalizer or scorer without their method a raw
    AttributeError (the scorer's after the episodes ran)."""
    norm, act = _normalizer(3), (lambda o: np.zeros((len(o), 1), np.float32))
    pendulum = gym.make("Pendulum-v1")
    for args, kwargs, match in (
        ((act, "Pendulum-v99", norm), {}, "env: 'Pendulum-v99' is not a registered Gymnasium env"),
        (
            (act, "pendulum-v1", norm),
            {},
            r"'pendulum-v1' is not a .* \(did you mean 'Pendulum-v1'\?\)",
        ),
        ((act, "", norm), {}, "env: expected a Gymnasium id"),
        ((act, None, norm), {}, "env: expected a Gymnasium id or a function"),
        ((act, pendulum, norm), {}, r"env: got an env instance; .* pass its id \('Pendulum-v1'\)"),
        ((act, "no_such_module:Env", norm), {}, "env: 'no_such_module:Env' cannot be made"),
        ((act, lambda: None, norm), {}, "env: the factory returned NoneType"),
        # probe 34: the base class as the factory was "'NoneType' object is not subscriptable"
        (
            (act, gym.Env, norm),
            {},
            r"^env: the factory made a gymnasium.Env with no observation_space / action_space "
            r"\(Env\); pass a real env's id",
        ),
        ((None, "Pendulum-v1", norm), {}, "act: expected a function"),
        ((act, "Pendulum-v1", None), {}, "normalizer: expected the training ObsNormalizer"),
        ((act, "Pendulum-v1", norm), {"scorer": "hopper"}, "scorer: expected None or an object"),
    ):
        with pytest.raises(ValueError, match=match):
            evaluate_policy(*args, n_episodes=2, max_episode_steps=2, **kwargs)


def test_final_score_refuses_a_wrong_n_last_or_history():
    """Probe 17: n_last=0 averaged the whole history and -1 all but the first (silently);
    a string entry was numpy's "could not convert", None a raw TypeError."""
    for kwargs, match in (
        ({"history": [1.0, 2.0], "n_last": 0}, "n_last: expected an int >= 1, got 0"),
        ({"history": [1.0, 2.0, 3.0], "n_last": -1}, "n_last: expected an int >= 1, got -1"),
        ({"history": [1.0, "a"]}, r"history\[1\]: expected a number or None, got str 'a'"),
        ({"history": None}, "history: expected a list of scores"),
    ):
        with pytest.raises(ValueError, match=match):
            final_score(**kwargs)
    assert final_score([1.0, 2.0, 3.0], n_last=2) == 2.5


class _NeverEnds(gym.Env):
    """An env that never terminates, registered without a time limit (as a user's own may be)."""

    observation_space = gym.spaces.Box(-np.inf, np.inf, (3,), np.float32)
    action_space = gym.spaces.Box(-1.0, 1.0, (2,), np.float32)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(3, np.float32), {}

    def step(self, action):
        return np.zeros(3, np.float32), 1.0, False, False, {}


def test_an_env_without_a_time_limit_is_cut_at_1000_steps_and_said(capsys):
    """Probe 18: an env registered without ``max_episode_steps`` whose episodes never terminate
    hung the evaluation forever (a run's first one, after the dataset load, MLE and BC)."""
    from rambo_env.evaluation import UNLIMITED_ENV_CAP

    if "ProbeNeverEnds-v0" not in gym.registry:
        gym.register("ProbeNeverEnds-v0", entry_point=_NeverEnds)
    normalizer = ObsNormalizer(np.zeros(3, np.float32), np.ones(3, np.float32))
    act = lambda obs: np.zeros((len(obs), 2), np.float32)  # noqa: E731
    result = evaluate_policy(act, "ProbeNeverEnds-v0", normalizer, n_episodes=2)
    assert result.lengths.tolist() == [UNLIMITED_ENV_CAP] * 2 == [1000] * 2
    out = capsys.readouterr().out
    assert "'ProbeNeverEnds-v0' has no time limit" in out and "cut at 1000 steps" in out
    capped = evaluate_policy(
        act, "ProbeNeverEnds-v0", normalizer, n_episodes=1, max_episode_steps=7
    )
    assert capped.lengths.tolist() == [7] and "WARNING" not in capsys.readouterr().out


def test_a_numpy_integer_seed_is_taken_as_its_int():
    """Probe 20: ``seed=np.int64(3)`` (from ``np.arange`` or ``rng.integers``) passed the seed
    check, then was gymnasium's raw "Seed must be a python integer" at the first reset."""
    act = lambda o: np.zeros((len(o), 1))  # noqa: E731
    kw = {"n_episodes": 2, "max_episode_steps": 5}
    numpy_seed = evaluate_policy(act, "Pendulum-v1", _normalizer(3), seed=np.int64(3), **kw)
    int_seed = evaluate_policy(act, "Pendulum-v1", _normalizer(3), seed=3, **kw)
    assert numpy_seed.returns.tolist() == int_seed.returns.tolist()


def test_an_act_returning_a_tensor_that_requires_grad_is_taken():
    """Probe 20: an actor's output (``requires_grad``) was torch's raw "Can't call numpy() on
    Tensor that requires grad" from evaluate_policy (the model envs already took it)."""
    import torch

    act = lambda o: torch.zeros(len(o), 1, requires_grad=True) * 1.0  # noqa: E731
    kw = {"n_episodes": 2, "max_episode_steps": 5}
    result = evaluate_policy(act, "Pendulum-v1", _normalizer(3), **kw)
    plain = evaluate_policy(lambda o: np.zeros((len(o), 1)), "Pendulum-v1", _normalizer(3), **kw)
    assert result.returns.tolist() == plain.returns.tolist()


@pytest.mark.parametrize("n", [0, -1, float("nan"), 2.5, True, "3", None])
def test_check_n_eval_episodes_alone_refuses_what_evaluate_policy_refuses(n):
    """Probe 21: the public check_n_eval_episodes checked only the upper bound: 0, -1, NaN, 2.5
    and True passed, "3" / None were a raw TypeError ('>' not supported)."""
    with pytest.raises(ValueError, match=r"n_eval_episodes: must be an int >= 1, got"):
        check_n_eval_episodes(n)


def test_normalized_observation_names_a_wrong_env_or_normalizer():
    """Probe 30: ``NormalizedObservation(gym.make("Hopper-v5"), None)`` (an mdp attribute not set
    yet) was a raw ``AttributeError: 'NoneType' object has no attribute 'obs_dim'``."""
    from rambo_env.evaluation import NormalizedObservation

    pendulum = gym.make("Pendulum-v1")
    for args, match in (
        (
            (pendulum, None),
            r"normalizer: expected an ObsNormalizer \(mdp.normalizer\), got None; agent",
        ),
        ((pendulum, {"mean": 0}), r"normalizer: expected an ObsNormalizer .*got dict"),
        (("Pendulum-v1", _normalizer(3)), r"env: expected a gymnasium.Env .*got str 'Pendulum-v1'"),
    ):
        with pytest.raises(ValueError, match=match):
            NormalizedObservation(*args)
    wrapped = NormalizedObservation(pendulum, _normalizer(3))
    assert wrapped.reset(seed=0)[0].shape == (3,)


def test_normalisation_twice_is_refused():
    """Probe 37 rows 69, 82: ``NormalizedObservation(NormalizedObservation(env, norm), norm)``
    (the wrapper added both in make_env and in an eval helper) was accepted, and its observations
    were z-scores of z-scores; so was a factory of an already normalised env given to
    :func:`evaluate_policy`, which normalises by itself."""
    from gymnasium.wrappers import RecordEpisodeStatistics

    from rambo_env.evaluation import NormalizedObservation

    norm = _normalizer(3)
    once = NormalizedObservation(gym.make("Pendulum-v1"), norm)
    for inner in (once, RecordEpisodeStatistics(once)):
        with pytest.raises(ValueError) as refused:
            NormalizedObservation(inner, norm)
        assert str(refused.value).startswith("env: ") and (
            "is already wrapped in NormalizedObservation: a second one would z-score its "
            "z-scores; NormalizedObservation is for the raw real env: wrap it once "
            "(NormalizedObservation(gym.make(env_id), mdp.normalizer))"
        ) in str(refused.value), refused.value
    assert "RecordEpisodeStatistics(NormalizedObservation(TimeLimit(" in str(refused.value)
    with pytest.raises(ValueError) as refused:
        evaluate_policy(
            lambda o: np.zeros((len(o), 1), np.float32),
            lambda: NormalizedObservation(gym.make("Pendulum-v1"), norm),
            norm,
            n_episodes=2,
        )
    assert str(refused.value).startswith("env: the factory made NormalizedObservation(TimeLimit(")
    assert "evaluate_policy z-scores the real observations by itself" in str(refused.value)
    # once, as the README shows, stays as it was
    result = evaluate_policy(
        lambda o: np.zeros((len(o), 1), np.float32), "Pendulum-v1", norm, n_episodes=1,
        max_episode_steps=3,
    )  # fmt: skip
    assert result.lengths.tolist() == [3]


def test_actions_outside_the_action_space_are_clipped_with_one_warning(capsys):
    """Probe 37 row 106: ``act`` returning ±5 in Hopper's [-1, 1] was scored without a word, the
    ctrl cost charged on the unclipped action. Now clipped as SB3's predict clips, said once."""
    obs_dim = gym.make("Hopper-v5").observation_space.shape[0]
    norm = ObsNormalizer(mean=np.zeros(obs_dim, np.float32), std=np.ones(obs_dim, np.float32))
    kwargs = dict(n_episodes=2, max_episode_steps=5)
    wild = evaluate_policy(lambda o: np.full((len(o), 3), 5.0), "Hopper-v5", norm, **kwargs)
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert (
        "[rambo_env] WARNING: act returned actions outside the env's action space [-1, 1] (2 of "
        "2 in the first such batch, e.g. 5); they are clipped to it, as SB3's predict clips"
    ) in out, out
    assert "(the env would charge its control cost on the unclipped action); squash" in out
    inside = evaluate_policy(lambda o: np.full((len(o), 3), 1.0), "Hopper-v5", norm, **kwargs)
    np.testing.assert_allclose(wild.returns, inside.returns)  # the clipped policy's score
    assert "WARNING" not in capsys.readouterr().out  # inside the bounds: nothing said
    # probe 42 row 79: Pendulum-v1 clips its torque before its cost: only the clipping is said
    pend = ObsNormalizer(mean=np.zeros(3, np.float32), std=np.ones(3, np.float32))
    evaluate_policy(lambda o: np.full((len(o), 1), 5.0), "Pendulum-v1", pend, **kwargs)
    out = capsys.readouterr().out
    assert "they are clipped to it, as SB3's predict clips; squash your policy's" in out, out
    assert "control cost" not in out


def test_a_model_env_or_an_already_normalising_env_is_refused_for_evaluation():
    """Probe 38 rows 57, 81, 20, 21: ``evaluate_policy(act, 'RamboModel-hopper-medium', norm)``
    built another cached model and scored it; a factory of ``gym.make('RamboModel-…', mdp=mdp)``
    was scored too (5-step model episodes, z-scores of z-scores); ``NormalizedObservation`` around
    the model env or around gymnasium's ``NormalizeObservation`` normalised twice. All silent."""
    from gymnasium.wrappers import NormalizeObservation

    from rambo_env.envs.model_env import RamboModelEnv
    from rambo_env.evaluation import NormalizedObservation
    from tests.envs.tiny_mdp import make_tiny_mdp

    act = lambda o: np.zeros((len(o), 3), np.float32)  # noqa: E731
    norm = _normalizer(11)
    mdp = make_tiny_mdp()
    with pytest.raises(
        ValueError, match=r"a model env \(RamboModelEnv\).*the real env is 'Hopper-v5'"
    ):
        evaluate_policy(act, lambda: gym.make("RamboModel-hopper-medium", mdp=mdp), norm)
    with pytest.raises(
        ValueError, match=r"is a model env \(RamboModelEnv\), whose observations are already"
    ):
        NormalizedObservation(RamboModelEnv(mdp=mdp), mdp.normalizer)
    running = lambda: NormalizeObservation(gym.make("Hopper-v5"))  # noqa: E731
    with pytest.raises(ValueError, match=r"already normalises its observations \(gymnasium's"):
        NormalizedObservation(running(), norm)
    with pytest.raises(
        ValueError, match=r"which already normalises its observations \(gymnasium's"
    ):
        evaluate_policy(act, running, norm, n_episodes=1)
    # last: on the old code this one built (and generated the data of) a paper-scale model
    with pytest.raises(ValueError) as refused:
        evaluate_policy(act, "RamboModel-hopper-medium", norm, n_episodes=1)
    assert str(refused.value) == (
        "env: 'RamboModel-hopper-medium' is a model env (a RamboModel-* id, which would build "
        "another learned model); evaluate_policy runs the real env: pass 'Hopper-v5' "
        "(dataset.env_id / mdp.env_id)"
    )
    # the real env, as the README shows, stays as it was
    assert NormalizedObservation(gym.make("Hopper-v5"), norm).reset(seed=0)[0].shape == (11,)
    assert evaluate_policy(act, "Hopper-v5", norm, n_episodes=1, max_episode_steps=2).lengths[0]


def _env_normalizer(env_id: str, steps: int = 500) -> ObsNormalizer:
    """The normaliser of genuine random-action data of ``env_id``."""
    env = gym.make(env_id)
    env.action_space.seed(0)
    obs, _ = env.reset(seed=0)
    seen = [obs]
    for _ in range(steps):
        obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
        seen.append(obs)
        if terminated or truncated:
            obs, _ = env.reset()
    return ObsNormalizer.from_observations(np.asarray(seen, np.float32))


@pytest.mark.parametrize(
    "env_id", ["Hopper-v5", "HalfCheetah-v5", "Pendulum-v1", "MountainCarContinuous-v0"]
)
def test_a_factory_that_z_scores_by_hand_is_refused_a_raw_one_is_not(env_id):
    """Probe 39 row 87: ``evaluate_policy(act, lambda: TransformObservation(gym.make("Hopper-v5"),
    lambda o: (o - norm.mean) / norm.std, …), norm)`` scored z-scores of z-scores, no word (the
    wrapper classes evaluate_policy knows were refused). The first observations are compared
    with a raw env's of the same seeds; raw envs (small ones near 0 too) are taken."""
    from gymnasium.wrappers import RecordEpisodeStatistics, TransformObservation

    norm = _env_normalizer(env_id)
    mean, std = np.asarray(norm.mean, np.float64), np.asarray(norm.std, np.float64)
    space = gym.make(env_id).observation_space
    act_dim = gym.make(env_id).action_space.shape[0]
    act = lambda o: np.zeros((len(o), act_dim), np.float32)  # noqa: E731
    by_hand = lambda: TransformObservation(gym.make(env_id), lambda o: (o - mean) / std, space)  # noqa: E731
    for n in (1, 2):
        with pytest.raises(ValueError) as refused:
            evaluate_policy(act, by_hand, norm, n_episodes=n, max_episode_steps=2)
        assert str(refused.value) == (
            "env: the factory made TransformObservation(TimeLimit(OrderEnforcing("
            f"PassiveEnvChecker({type(gym.make(env_id).unwrapped).__name__})))), whose first "
            "observations already look normalised (they are `normalizer`'s z-scores of a raw "
            f"{env_id} env's): a wrapper that z-scores by hand? evaluate_policy z-scores the real "
            "observations by itself (with `normalizer`), so they would be normalised twice; pass "
            "the raw real env (its id, dataset.env_id, or a factory without the normalising "
            "wrapper)"
        )
        for raw in (env_id, lambda: RecordEpisodeStatistics(gym.make(env_id))):
            result = evaluate_policy(act, raw, norm, n_episodes=n, max_episode_steps=2)
            assert result.lengths.tolist() == [2] * n
    if env_id == "Hopper-v5":  # stats of its own (not the agent's): the torso height tells
        other = lambda: TransformObservation(  # noqa: E731
            gym.make(env_id), lambda o: (o - 1.1 * mean) / (0.9 * std), space
        )
        with pytest.raises(ValueError, match=r"they sit near 0 where a raw Hopper-v5 env's sit"):
            evaluate_policy(act, other, norm, n_episodes=2, max_episode_steps=2)


def test_evaluating_in_another_env_than_the_normalizers_warns_once(capsys, monkeypatch):
    """Probe 42 row 12: ``evaluate_policy(agent.predict, "Hopper-v4", agent.normalizer)`` of an
    agent trained on Hopper-v5 data was evaluated without a word (another env version, the same
    dims). The normaliser now records its data's env (``from_dataset``; kept through pickling)."""
    import pickle
    from types import SimpleNamespace

    from rambo_env import evaluation

    monkeypatch.setattr(evaluation, "_WARNED_OTHER_ENV", set())
    obs = np.random.default_rng(0).normal(size=(20, 11))
    data = SimpleNamespace(observations=obs, env_id="Hopper-v5")  # what from_dataset reads
    norm = pickle.loads(pickle.dumps(ObsNormalizer.from_dataset(data)))
    assert norm.env_id == "Hopper-v5"
    act = lambda o: np.zeros((len(o), 3))  # noqa: E731
    kwargs = dict(n_episodes=1, max_episode_steps=2)
    evaluate_policy(act, "Hopper-v5", norm, **kwargs)
    assert "WARNING" not in capsys.readouterr().out  # its own env: nothing said
    for _ in range(2):
        evaluate_policy(act, lambda: gym.make("Hopper-v4"), norm, **kwargs)
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert (
        "[rambo_env] WARNING: the normalizer was fitted on Hopper-v5 data, but the policy is "
        "evaluated in Hopper-v4 (another version of that env: its dynamics and rewards may "
        "differ, so its returns are not those of Hopper-v5); evaluate in Hopper-v5 "
        "(dataset.env_id / mdp.env_id), or train on data of the env you evaluate in (warned "
        "once per pair)"
    ) in out, out
    # a normaliser of unknown env (fitted on arrays, or saved before it was recorded): as before
    state = norm.__getstate__()
    del state["env_id"]
    old = ObsNormalizer.__new__(ObsNormalizer)
    old.__setstate__(state)
    assert old.env_id is None
    evaluate_policy(act, "Hopper-v4", ObsNormalizer(norm.mean, norm.std), **kwargs)
    evaluate_policy(act, "Hopper-v4", old, **kwargs)
    assert "WARNING" not in capsys.readouterr().out


def test_normalized_observation_in_another_env_than_the_normalizers_warns_once(capsys, monkeypatch):
    """Probe 43 row 23: SB3's own ``evaluate_policy(agent, Monitor(NormalizedObservation(
    gym.make("Hopper-v4"), agent.normalizer)))`` of a Hopper-v5 agent said nothing; the wrapper
    now warns as the project's evaluate_policy does (once per pair, the same memory)."""
    from types import SimpleNamespace

    from rambo_env import evaluation
    from rambo_env.evaluation import NormalizedObservation

    monkeypatch.setattr(evaluation, "_WARNED_OTHER_ENV", set())
    obs = np.random.default_rng(0).normal(size=(20, 11))
    norm = ObsNormalizer.from_dataset(SimpleNamespace(observations=obs, env_id="Hopper-v5"))
    NormalizedObservation(gym.make("Hopper-v5"), norm)
    assert "WARNING" not in capsys.readouterr().out  # its own env: nothing said
    for _ in range(2):
        NormalizedObservation(gym.make("Hopper-v4"), norm)
    evaluate_policy(
        lambda o: np.zeros((len(o), 3)), "Hopper-v4", norm, n_episodes=1, max_episode_steps=2
    )
    out = capsys.readouterr().out
    assert out.count("WARNING") == 1, out
    assert (
        "[rambo_env] WARNING: the normalizer was fitted on Hopper-v5 data, but the policy is "
        "evaluated in Hopper-v4 (another version of that env"
    ) in out, out
    # a normaliser of unknown env: as before
    NormalizedObservation(gym.make("Hopper-v4"), ObsNormalizer(norm.mean, norm.std))
    assert "WARNING" not in capsys.readouterr().out


@pytest.mark.parametrize(
    ("history", "match"),
    [
        ([1.0, 2.0, float("nan")], r"history\[2\] is nan: a score is a finite number"),
        ([float("inf")], r"history\[0\] is inf: a score is a finite number"),
        (np.array([1.0, -np.inf]), r"history\[1\] is -inf"),
        ([float("nan"), None] + [1.0] * 10, r"history\[0\] is nan"),  # also before the last 10
    ],
)
def test_final_score_refuses_non_finite_scores(history, match):
    """Probe 59: returned nan / inf without a word (the run's headline number)."""
    with pytest.raises(ValueError, match=match):
        final_score(history)


def test_a_non_finite_reward_is_one_error():
    """Probe 59: an env's NaN reward gave a NaN return and score (co-training's only path to a
    non-finite score in :func:`final_score`'s history)."""

    def make():
        return gym.wrappers.TransformReward(gym.make("Pendulum-v1"), lambda r: float("nan"))

    with pytest.raises(ValueError, match=r"env: returned a non-finite reward nan at step 1 of "):
        evaluate_policy(lambda o: np.zeros((len(o), 1)), make, _normalizer(3))
