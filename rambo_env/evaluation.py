"""Evaluation of a policy in the real Gymnasium environment (App. B.6).

The paper evaluates the SAC policy by taking the mean action for 10 episodes, reports the
undiscounted return D4RL-normalised (0 = random, 100 = expert), and scores a run by the mean of
its last 10 evaluations. Policies train on *normalised* observations, so every observation of the
real env goes through the same :class:`~rambo_env.normalization.ObsNormalizer` first.

SB3-free: the policy is any ``act(obs_norm [n, obs_dim]) -> action [n, action_dim]`` callable
(env-scale actions), e.g. ``lambda o: agent.predict(o, deterministic=True)[0]``. All episodes run
side by side in lock-step so the policy is called once per time step on a batch.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import gymnasium as gym
import numpy as np

from rambo_env.host_limits import out_of_memory_text
from rambo_env.logging import note
from rambo_env.normalization import inputs_normalised, raw_scale_evidence
from rambo_env.run_io import (
    RUN_SEED_LIMIT,
    check_called_with,
    check_seed,
    counted,
    escalated_warning,
    is_int,
    numpy_underflow_ignored,
    out_of_memory,
    renderer_failure,
    safe_reason,
)

__all__ = [
    "MAX_EVAL_EPISODES",
    "UNLIMITED_ENV_CAP",
    "EvalResult",
    "NormalizedObservation",
    "check_n_eval_episodes",
    "evaluate_policy",
    "evaluation_seed",
    "final_score",
]

ActFn = Callable[[np.ndarray], np.ndarray]


def _not_raw(env: gym.Env) -> str | None:
    """Why ``env`` gives no raw real-env observations (it completes "env X ..."), or None: a
    NormalizedObservation inside (probe 37), a model env (probe 38: its states are the mdp's
    normalised ones), gymnasium's NormalizeObservation inside (probe 38)."""
    if _normalized_layer(env) is not None:
        return (
            "is already wrapped in NormalizedObservation: a second one would z-score its z-scores"
        )
    if (real_id := _model_env_real_id(env)) is not None:
        return (
            "is a model env (RamboModelEnv), whose observations are already normalised by the "
            f"mdp's normaliser; the real env is {real_id!r}"
        )
    if _running_normalizer(env):
        return "already normalises its observations (gymnasium's NormalizeObservation)"
    return None


#: Why a normaliser may be None, and where to get one (probe 126 row 57: ``agent.normalizer`` of
#: an rl-zoo / plain SB3 agent loaded with ``AGENT_CLASSES[algo].load`` was None, and the error
#: said neither).
NO_NORMALIZER_HINT = (
    "; agent.normalizer is None for an agent whose zip was not saved by a rambo-env agent "
    "(make_agent's, a run's; one the rl-zoo or plain SB3 trained in a RamboModel-* env carries "
    "no normaliser): pass the normaliser of the model env it trained in, "
    "gym.make('RamboModel-…', dataset=…).unwrapped.mdp.normalizer, or, without building a "
    "model, rambo_env.normalization.ObsNormalizer.from_dataset(<the dataset it trained on>)"
)


class NormalizedObservation(gym.ObservationWrapper):
    """A real env whose observations are z-scored by the training :class:`ObsNormalizer`
    (``mdp.normalizer``), as the agent saw them in training: evaluate an agent with SB3's own
    tools (``EvalCallback(NormalizedObservation(gym.make(env_id), mdp.normalizer))``,
    ``stable_baselines3.common.evaluation.evaluate_policy``). The project's
    :func:`evaluate_policy` normalises by itself.
    """

    def __init__(self, env: gym.Env, normalizer: Any) -> None:
        # probe 30: a normalizer of None (an mdp attribute not set yet) was a raw AttributeError
        if not isinstance(env, gym.Env):
            raise ValueError(
                f"env: expected a gymnasium.Env (e.g. gym.make('Hopper-v5')), got {_shown(env)}"
            )
        if not (hasattr(normalizer, "normalize") and hasattr(normalizer, "obs_dim")):
            raise ValueError(
                f"normalizer: expected an ObsNormalizer (mdp.normalizer), got {_shown(normalizer)}"
                f"{NO_NORMALIZER_HINT if normalizer is None else ''}"
            )
        if (why := _not_raw(env)) is not None:  # probes 37, 38: normalised twice, silently
            raise ValueError(
                f"env: {_chain(env)} {why}; NormalizedObservation is for the raw real env: wrap "
                "it once (NormalizedObservation(gym.make(env_id), mdp.normalizer))"
            )
        super().__init__(env)
        shape = getattr(env.observation_space, "shape", None)
        if shape != (normalizer.obs_dim,):
            raise ValueError(
                f"normalizer: its obs_dim {normalizer.obs_dim} does not match the env's "
                f"observation space {env.observation_space}; pass the normaliser of this env's data"
            )
        self.normalizer = normalizer
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape, np.float32)
        # probe 43: SB3's own evaluate_policy / EvalCallback through this wrapper evaluated a
        # Hopper-v5 agent in Hopper-v4 without the warning the project's evaluate_policy gives
        _warn_other_env(normalizer, _spec_id(env))

    def observation(self, observation: np.ndarray) -> np.ndarray:
        return np.asarray(self.normalizer.normalize(observation), dtype=np.float32)


def _spec_id(env: Any) -> str | None:
    """The registered id of ``env`` (its spec, else its unwrapped env's), None when unknown."""
    for layer in (env, getattr(env, "unwrapped", None)):
        env_id = getattr(getattr(layer, "spec", None), "id", None)
        if isinstance(env_id, str):
            return env_id
    return None


def _normalized_layer(env: Any) -> NormalizedObservation | None:
    """The :class:`NormalizedObservation` in ``env``'s wrapper chain (``.env`` down), if any."""
    layer, seen = env, 0
    while layer is not None and seen < 100:
        if isinstance(layer, NormalizedObservation):
            return layer
        layer, seen = getattr(layer, "env", None), seen + 1
    return None


def _model_env_real_id(env: Any) -> str | None:
    """For a :class:`RamboModelEnv` (``env.unwrapped``), the real env id to use instead (its mdp's
    ``env_id``, ``"the real env's id (dataset.env_id)"`` when unknown); None for any other env."""
    from rambo_env.envs.model_env import RamboModelEnv

    unwrapped = getattr(env, "unwrapped", None)
    if not isinstance(unwrapped, RamboModelEnv):
        return None
    env_id = getattr(getattr(unwrapped, "mdp", None), "env_id", None)
    return env_id if isinstance(env_id, str) else "<dataset.env_id>"


def _model_id_real_id(env_id: str) -> str | None:
    """For a ``RamboModel-<env>-<level>`` id (registered by rambo_env, made into a model env), the
    real env id of its data (``Hopper-v5``); None for any other id."""
    spec = gym.registry.get(env_id)
    entry = getattr(spec, "entry_point", None)
    if not (isinstance(entry, str) and entry.startswith("rambo_env.envs.model_env:")):
        return None
    from rambo_env.data.scores import ENV_IDS

    registered = (getattr(spec, "kwargs", None) or {}).get("registered_env")
    return ENV_IDS.get(registered, "<dataset.env_id>")


def _running_normalizer(env: Any) -> bool:
    """``env``'s wrapper chain holds gymnasium's ``NormalizeObservation`` (a running z-score)."""
    layer, seen = env, 0
    while layer is not None and seen < 100:
        if isinstance(layer, gym.wrappers.NormalizeObservation):
            return True
        layer, seen = getattr(layer, "env", None), seen + 1
    return False


def _chain(env: Any) -> str:
    """``NormalizedObservation(TimeLimit(…))``: the wrapper classes of ``env``, outermost first."""
    names, layer = [], env
    while isinstance(layer, gym.Wrapper) and len(names) < 8:
        names.append(type(layer).__name__)
        layer = layer.env
    names.append(type(layer).__name__ if isinstance(layer, gym.Env) else "…")
    return "(".join(names) + ")" * (len(names) - 1)


def _shown(value: Any) -> str:
    """``None`` / ``str 'Hopper-v5'`` / ``dict``: a wrong argument as an error message shows it."""
    if value is None:
        return "None"
    if isinstance(value, str | int | float):
        return f"{type(value).__name__} {value!r:.40}"
    return type(value).__name__


#: Evaluations averaged into a run's final score (App. B.6: "averaged over the last 10 iterations").
N_FINAL_EVALS = 10


class _Normalizer(Protocol):
    def normalize(self, x: Any) -> Any: ...


class _Scorer(Protocol):
    def normalized_score(self, returns: Any) -> Any: ...


@dataclass(frozen=True)
class EvalResult:
    """Returns of ``n_episodes`` deterministic episodes and their D4RL-normalised score."""

    returns: np.ndarray
    """[n_episodes] undiscounted returns."""
    lengths: np.ndarray
    """[n_episodes] episode lengths."""
    normalized_score: float | None
    """``100 * (mean_return - ref_min) / (ref_max - ref_min)``; None without reference scores."""

    @property
    def mean_return(self) -> float:
        return float(np.mean(self.returns))

    @property
    def std_return(self) -> float:
        return float(np.std(self.returns))

    def to_dict(self) -> dict[str, Any]:
        return {
            "return_mean": self.mean_return,
            "return_std": self.std_return,
            "length_mean": float(np.mean(self.lengths)),
            "normalized_score": self.normalized_score,
            "returns": [float(r) for r in self.returns],
        }


#: Most episodes of one evaluation: they run in lock-step, one simulator each.
MAX_EVAL_EPISODES = 1024


def check_n_eval_episodes(n_episodes: int, what: str = "n_eval_episodes") -> None:
    """At most :data:`MAX_EVAL_EPISODES` (was: ``--n-eval-episodes 1000000`` built envs after the
    dataset load, MLE and BC until MuJoCo's "engine error: Could not allocate memory"), and an
    int >= 1 (probe 21: called alone, 0 / -1 / NaN / 2.5 passed and "3" was a raw TypeError)."""
    if not is_int(n_episodes) or n_episodes < 1:
        raise ValueError(f"{what}: must be an int >= 1, got {n_episodes!r}")
    if n_episodes > MAX_EVAL_EPISODES:
        raise ValueError(
            f"{what}: {n_episodes} is not in [1, {MAX_EVAL_EPISODES}]: the episodes of one "
            "evaluation run in lock-step, each in its own simulator, so they all live in memory "
            "at once; give fewer (paper: 10)"
        )


#: Reset seeds a run seed's evaluations take below the high range: 1 000 000 + this · seed + offset.
EVAL_SEED_BLOCK = 100_000
#: First reset seed of the evaluations that do not fit their run seed's block (above every
#: block of a run seed < :data:`~rambo_env.run_io.RUN_SEED_LIMIT`).
EVAL_SEED_HIGH = 1_000_000 + EVAL_SEED_BLOCK * RUN_SEED_LIMIT


def evaluation_seed(run_seed: int, n_episodes: int, iteration: int) -> int:
    """The ``seed`` of a co-training run's evaluation at ``iteration`` (0: the BC policy's), each
    of its ``n_episodes`` episodes reset with ``seed + i``; the one home of the rule.

    An evaluation whose episodes fit its run seed's block of :data:`EVAL_SEED_BLOCK` reset seeds
    (``n_episodes · (iteration + 1) <= 100 000``: every run of the paper's 10 episodes up to
    9 999 iterations) keeps ``1 000 000 + 100 000 · run_seed + n_episodes · iteration``; a later
    one takes a block of ``n_episodes`` of its own above them all, one per (iteration, run seed).
    Probe 103 row 15: was that formula at every iteration, so from ``n_episodes · iteration >=
    100 000`` on (``--preset paper --n-eval-episodes 100``: iteration 1000) seed s's evaluations
    reused seed s + 1's reset seeds, without a word. Depends on the run's seed, episode count and
    the iteration only (an extended run keeps its earlier seeds)."""
    run_seed = check_seed(run_seed, "run_seed", limit=RUN_SEED_LIMIT)
    check_n_eval_episodes(n_episodes, "n_episodes")
    if not is_int(iteration) or iteration < 0:
        raise ValueError(f"iteration: expected an int >= 0, got {iteration!r}")
    if n_episodes * (iteration + 1) <= EVAL_SEED_BLOCK:
        return 1_000_000 + EVAL_SEED_BLOCK * run_seed + n_episodes * iteration
    # the evaluations past the block: the (iteration, run seed) pairs in order, n_episodes each
    return EVAL_SEED_HIGH + n_episodes * (int(iteration) * RUN_SEED_LIMIT + run_seed)


@numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
def evaluate_policy(
    act: ActFn,
    env: str | Callable[[], gym.Env],
    normalizer: _Normalizer,
    *,
    n_episodes: int = 10,
    seed: int = 0,
    scorer: _Scorer | None = None,
    max_episode_steps: int | None = None,
    env_kwargs: dict[str, Any] | None = None,
    time_limit: int | None = None,
) -> EvalResult:
    """Run ``n_episodes`` episodes of ``act`` in the real env, all in lock-step (App. B.6).

    :param act: batched policy on normalised observations; called with ``[n_active, obs_dim]``.
    :param env: a Gymnasium id (e.g. ``dataset.env_id``) or a zero-argument env factory.
    :param normalizer: the training :class:`ObsNormalizer` (z-scores each real observation).
    :param n_episodes: number of episodes (paper: 10).
    :param seed: episode ``i`` is reset with seed ``seed + i`` (reproducible evaluations).
    :param scorer: anything with ``normalized_score(mean_return)`` (e.g. the ``OfflineDataset``);
        a dataset without reference scores scores on D4RL's pair for its env, as load_dataset
        does (with its note); a scorer left without them gives None, said in a note.
    :param max_episode_steps: optional hard cap on top of the env's own time limit.
    :param env_kwargs: with an env id, ``gym.make(env, **env_kwargs)`` (the env the data were
        collected in: ``dataset.env_kwargs``; probe 77 row 22: data of another healthy range
        were evaluated in the default env). None with ``scorer`` a dataset of ``env`` that
        records kwargs: those (said in a note; probe 78 row 21); ``{}``: the default env.
    :param time_limit: with an env id, ``gym.make(env, max_episode_steps=time_limit, …)``: the
        time limit the data's env / evaluation env records (``dataset.evaluation_env()``; probe
        81 row 6: a dataset of max_episode_steps=20 was evaluated over 1000 steps); None: the
        registered one.
    """
    check_n_eval_episodes(n_episodes, "n_episodes")  # was: a raw TypeError for 2.5 / "3"
    # was: gymnasium's "Seed must be …" at the first reset; probe 20: a numpy int passed the
    # check, then was gymnasium's "Seed must be a python integer" there
    seed = check_seed(seed)
    if max_episode_steps is not None and (not is_int(max_episode_steps) or max_episode_steps < 1):
        raise ValueError(  # was: 0 ran one step
            f"max_episode_steps: must be None or an int >= 1, got {max_episode_steps!r}"
        )
    _check_eval_args(act, env, normalizer, scorer)
    if env_kwargs is not None and (
        not isinstance(env_kwargs, dict) or not all(isinstance(k, str) for k in env_kwargs)
    ):
        raise ValueError(f"env_kwargs: expected a dict of gym.make keywords, got {env_kwargs!r}")
    if env_kwargs and isinstance(env, str):  # probe 78 row 22: was raw at the first step
        from rambo_env.dynamics.termination import env_kwargs_problem

        problem = env_kwargs_problem(env_kwargs, env)
        if problem is not None:
            raise ValueError(f"env_kwargs (of {env}): {problem}")
    if time_limit is not None and (not is_int(time_limit) or time_limit < 1):
        raise ValueError(f"time_limit: must be None or an int >= 1, got {time_limit!r}")
    env, env_kwargs, time_limit = _scorer_env(env, scorer, env_kwargs, time_limit)
    scorer = _scorer_with_refs(scorer)
    if time_limit is not None and not isinstance(env, str):
        raise ValueError(
            "time_limit: given with an env factory; pass the env id with time_limit, or make "
            "the env with its max_episode_steps in the factory"
        )
    if env_kwargs and not isinstance(env, str):
        raise ValueError(
            "env_kwargs: given with an env factory; pass the env id with env_kwargs, or make "
            "the env with them in the factory"
        )
    make = (lambda: _make_env(env, env_kwargs, time_limit)) if isinstance(env, str) else env
    envs: list[gym.Env] = []
    try:
        for _ in range(n_episodes):
            envs.append(made := make())
            if not isinstance(made, gym.Env):  # was: "'NoneType' object has no attribute …"
                raise ValueError(
                    f"env: the factory returned {type(made).__name__} {str(made)[:40]!r}, not a "
                    "gymnasium.Env; pass a zero-argument function that makes a new env"
                )
            _check_spaces(made)
            if (why := _not_raw(made)) is not None:  # probes 37, 38: normalised twice
                raise ValueError(
                    f"env: the factory made {_chain(made)}, which {why}; evaluate_policy "
                    "z-scores the real observations by itself (with `normalizer`): pass the raw "
                    "real env (its id, dataset.env_id, or a factory without the wrapper)"
                )
    except BaseException:
        for e in envs:
            if isinstance(e, gym.Env):
                e.close()
        raise
    # An env without a time limit (a custom env registered without max_episode_steps) whose
    # episodes never terminate hung the evaluation (probe 18: the first one of a run, after the
    # dataset load, MLE pretraining and BC): its episodes are cut at D4RL's 1000 steps, said.
    if isinstance(env, str):  # an id: its API once, before the episodes (probe 98 rows 51-53)
        try:
            check_env_api(envs[0], env)
        except BaseException:
            for e in envs:
                e.close()
            raise
    default_cap = max_episode_steps is None and not _has_time_limit(envs[0])
    cap = UNLIMITED_ENV_CAP if default_cap else max_episode_steps
    try:
        factory = not isinstance(env, str)  # an id: gym.make's raw env, nothing to check
        with inputs_normalised():  # probe 77 row 8: act's predict warned "raw" all the same
            returns, lengths = _run_lockstep(act, envs, normalizer, seed, cap, factory)
    finally:
        for e in envs:
            e.close()
    spec = getattr(envs[0], "spec", None)
    _warn_other_env(normalizer, env if isinstance(env, str) else getattr(spec, "id", None))
    if default_cap and (lengths >= UNLIMITED_ENV_CAP).any():
        shown = repr(env) if isinstance(env, str) else "the env"
        note(
            f"[rambo_env] WARNING: {shown} has no time limit (registered without "
            f"max_episode_steps, no TimeLimit wrapper): {int((lengths >= cap).sum())} of "
            f"{len(lengths)} evaluation episode(s) were cut at {UNLIMITED_ENV_CAP} steps; "
            "register it with gymnasium.register(…, max_episode_steps=N), or pass "
            "max_episode_steps=N",
        )
    return EvalResult(returns=returns, lengths=lengths, normalized_score=_score(scorer, returns))


#: (fitted, evaluated) env-id pairs already warned of by :func:`_warn_other_env`.
_WARNED_OTHER_ENV: set[tuple[str, str]] = set()


def _warn_other_env(normalizer: Any, env_id: Any) -> None:
    """Once per process and pair: the evaluation env is not the env whose data ``normalizer`` was
    fitted on (its ``env_id``; None, e.g. an agent saved before it was recorded: not checked).
    Probe 42: an agent trained on Hopper-v5 data was evaluated in Hopper-v4 without a word."""
    fitted = getattr(normalizer, "env_id", None)
    if not (isinstance(fitted, str) and isinstance(env_id, str)):
        return
    if plain_env_id(fitted) == plain_env_id(env_id):  # probe 98 row 15: 'myenvs:Asym-v0' is
        return  # the env of Asym-v0 data, its module imported
    if (fitted, env_id) in _WARNED_OTHER_ENV:
        return
    _WARNED_OTHER_ENV.add((fitted, env_id))
    note(
        f"[rambo_env] WARNING: the normalizer was fitted on {fitted} data, but the policy is "
        f"evaluated in {env_id} ({other_env_kind(fitted, env_id)}: its dynamics and rewards may "
        f"differ, so its returns "
        f"are not those of {fitted}); evaluate in {fitted} (dataset.env_id / mdp.env_id), or "
        "train on data of the env you evaluate in (warned once per pair)",
    )


def _check_spaces(env: gym.Env) -> None:
    """An env the factory made without its spaces (probe 34: ``gym.Env`` itself, whose
    ``reset`` returns None) was a raw ``TypeError: 'NoneType' object is not subscriptable``."""
    missing = [
        name
        for name in ("observation_space", "action_space")
        if not isinstance(getattr(env, name, None), gym.spaces.Space)
    ]
    if missing:
        raise ValueError(
            f"env: the factory made a gymnasium.Env with no {' / '.join(missing)} "
            f"({type(env).__name__}); pass a real env's id (dataset.env_id) or a factory of a "
            "complete env (its spaces set, reset returning (obs, info))"
        )


def _has_time_limit(env: gym.Env) -> bool:
    """``env`` ends its episodes: a ``TimeLimit`` wrapper (``gym.make`` adds one for a spec
    with ``max_episode_steps``)."""
    layer: Any = env
    while isinstance(layer, gym.Wrapper):
        if isinstance(layer, gym.wrappers.TimeLimit):
            return True
        layer = layer.env
    return False


#: Steps after which an episode of an env without a time limit is cut (D4RL's MuJoCo limit).
UNLIMITED_ENV_CAP = 1000


def _scorer_env(
    env: Any, scorer: Any, env_kwargs: dict[str, Any] | None, time_limit: int | None
) -> tuple[Any, Any, int | None]:
    """``(env, env_kwargs, time_limit)`` to evaluate in: as given, else, with ``env_kwargs`` None
    and ``scorer`` a dataset of the env id ``env``, the env its policies are evaluated in
    (``scorer.evaluation_env()``: its recorded evaluation env / kwargs / time limit, where
    cotrain evaluates), with one note. Probe 78 row 21: README's ``evaluate_policy(act,
    'Hopper-v5', normalizer, scorer=dataset)`` on data of ``frame_skip=2`` evaluated in the
    default env; probe 83 row 35: the recorded time limit and evaluation env were not taken."""
    if not isinstance(env, str) or env_kwargs is not None or getattr(scorer, "env_id", None) != env:
        return env, env_kwargs, time_limit
    recorded = getattr(scorer, "evaluation_env", None)
    if callable(recorded):
        eval_id, kwargs, limit = recorded()
    else:
        eval_id, kwargs, limit = env, getattr(scorer, "env_kwargs", None), None
    if not isinstance(eval_id, str) or not isinstance(kwargs, dict):
        return env, env_kwargs, time_limit
    from rambo_env.data.loaders import _time_limit  # the registered max_episode_steps

    limit = limit if time_limit is None else time_limit
    if eval_id == env and not kwargs and limit in (time_limit, _time_limit(env)):
        # probe 57b: a Minari dataset's env_spec of the registered env (max_episode_steps=1000,
        # no kwargs) was noted as the env "the data record for evaluation", the default env
        return env, env_kwargs, time_limit
    shown = ", ".join(
        [repr(eval_id)]
        + [f"{k}={v!r}" for k, v in kwargs.items()]
        + ([f"max_episode_steps={limit}"] if limit is not None else [])
    )
    note(
        f"[rambo_env] note: evaluating in gym.make({shown}), the env the scorer's data record "
        "for evaluation (its evaluation_env(), as cotrain evaluates; pass env_kwargs={} for "
        f"the default {env})",
    )
    return eval_id, dict(kwargs), limit


#: The API the evaluation env must follow (probe 98 rows 49, 51-53).
GYMNASIUM_API = (
    "Gymnasium >= 1.0 API: reset(seed=None, options=None) returns (obs, info); step(action) "
    "returns (obs, reward, terminated, truncated, info) with a scalar reward and bool "
    "terminated / truncated"
)


def check_env_api(env: gym.Env, env_id: Any) -> None:
    """Preflight of an evaluation env: a Box action space with low < high on every dimension,
    one ``reset(seed=0)`` and one ``step(action_space.sample())`` on the unwrapped env (what it
    returns, not what gymnasium's checker / TimeLimit make of an old API; ~1 ms for MuJoCo),
    checked against :data:`GYMNASIUM_API`; the observation's shape is checked as the evaluation
    sees it: where a wrapper changes the observation space (``FlattenObservation``,
    ``TimeAwareObservation``, …), one more reset / step of ``env`` itself, its warnings muted.
    One ValueError naming ``env_id`` and the fault. Probe 98 rows 49, 51-53: an own env in the
    old 4-tuple step API, a reset without ``seed=``, 1-element reward / terminated arrays or a
    fixed action dimension were accepted at the dataset load and failed only after the MLE
    pretraining (or at the evaluation) with Python's / numpy's raw errors. Probe 110 rows 1-6:
    the unwrapped env's observation was compared with the wrapped env's space, so every env
    registered behind an observation wrapper (the ``FlattenObservation`` the image / Dict
    errors advise) was refused."""
    where = f"env {env_id!r}"
    space = env.action_space
    if isinstance(space, gym.spaces.Box):
        low, high = np.asarray(space.low), np.asarray(space.high)
        fixed = np.flatnonzero(~(low < high).reshape(-1))
        if fixed.size:
            i = int(fixed[0])
            raise ValueError(
                f"{where}: its action space {space} has low >= high on {fixed.size} dimension(s) "
                f"(first: action[{i}]: low {low.reshape(-1)[i]:g}, high {high.reshape(-1)[i]:g}): "
                "a fixed (dummy) action dimension, which the agent cannot scale into [-1, 1]; "
                "drop it from the env's action space (and from the data's actions) or widen its "
                "bounds"
            )
    raw = env.unwrapped
    try:
        params = inspect.signature(raw.reset).parameters
    except (TypeError, ValueError):  # no signature to read (a C extension's env)
        params = None
    if params is not None and not (
        "seed" in params or any(p.kind is p.VAR_KEYWORD for p in params.values())
    ):  # reset(self) of old gym
        raise ValueError(
            f"{where}: reset takes no seed (reset{inspect.signature(raw.reset)}); give it the "
            f"{GYMNASIUM_API}"
        )
    try:
        out = raw.reset(seed=0)
        step = raw.step(raw.action_space.sample()) if isinstance(out, tuple) else None
    except Exception:
        return  # the env's own fault (e.g. its kwargs), not its API: said where it is used
    if not (isinstance(out, tuple) and len(out) == 2):
        raise ValueError(
            f"{where}: reset(seed=0) returned {type(out).__name__}"
            f"{f' of {len(out)}' if isinstance(out, tuple) else ''}, not (obs, info); follow the "
            f"{GYMNASIUM_API}"
        )
    out = step
    if not (isinstance(out, tuple) and len(out) == 5):
        got = f"a tuple of {len(out)}" if isinstance(out, tuple) else type(out).__name__
        old = (
            " (old gym's (obs, reward, done, info))"
            if isinstance(out, tuple) and len(out) == 4
            else ""
        )
        raise ValueError(f"{where}: step returned {got}{old}; follow the {GYMNASIUM_API}")
    obs, reward, terminated, truncated, _ = out
    if not (np.ndim(reward) == 0 and np.asarray(reward).dtype.kind in "biuf"):
        raise ValueError(
            f"{where}: step returned reward {_shown_value(reward)}, not a scalar; return a float "
            f"(e.g. float(r), not np.array([r])): the {GYMNASIUM_API}"
        )
    for name, flag in (("terminated", terminated), ("truncated", truncated)):
        if not (np.ndim(flag) == 0 and np.asarray(flag).dtype.kind in "biu"):
            raise ValueError(
                f"{where}: step returned {name} {_shown_value(flag)}, not a bool; return a bool "
                f"(e.g. bool(te), not np.array([te])): the {GYMNASIUM_API}"
            )
    space = env.observation_space
    if not isinstance(space, gym.spaces.Box):
        return
    if space != raw.observation_space:  # a wrapper's observations: as the evaluation steps them
        with _checker_deferred(env):  # gymnasium's checker speaks at the evaluation's first step
            try:
                env.reset(seed=0)
                obs = env.step(env.action_space.sample())[0]
            except Exception:
                return  # the env's own fault, said where it is used
    try:
        shape = np.shape(obs)
    except ValueError:  # a tuple of arrays of other shapes: was numpy's raw "inhomogeneous"
        shape = None
    if shape != space.shape:
        got = f"a {type(obs).__name__}" if shape is None else f"an observation of shape {shape}"
        raise ValueError(
            f"{where}: step returned {got}, but its observation space {space} has shape "
            f"{space.shape}; return observations of the space's shape"
        )


_CHECKER_STATE = ("checked_reset", "checked_step", "checked_data_reuse", "_previous_data")


@contextlib.contextmanager
def _checker_deferred(env: Any) -> Iterator[None]:
    """``env``'s gymnasium ``PassiveEnvChecker`` wrappers skip their first-call checks inside the
    block and make them at the next reset / step after it (the evaluation's), as if the block's
    reset / step had not been made. Was a ``warnings.catch_warnings`` muting every warning, which
    swaps the process-wide filter list: another thread's warnings were lost meanwhile (probe 118
    row 31), and the checker's own were never said (its checks were spent here)."""
    checkers, layer = [], env
    while layer is not None:
        if type(layer).__name__ == "PassiveEnvChecker" and hasattr(layer, "checked_step"):
            checkers.append((layer, {k: getattr(layer, k, None) for k in _CHECKER_STATE}))
            layer.checked_reset = layer.checked_step = layer.checked_data_reuse = True
        layer = getattr(layer, "env", None)
    try:
        yield
    finally:
        for layer, state in checkers:
            for key, value in state.items():
                setattr(layer, key, value)


def _shown_value(value: Any) -> str:
    """A short repr of a returned value with its type and shape (for :func:`check_env_api`)."""
    shape = f" of shape {np.shape(value)}" if np.ndim(value) else ""
    return f"{type(value).__name__}{shape} {str(value)[:40]}"


def _make_env(
    env_id: str, env_kwargs: dict[str, Any] | None = None, time_limit: int | None = None
) -> gym.Env:
    """``gym.make(env_id, **env_kwargs)``; gymnasium's errors (``module:Env`` whose module or env
    is not there, a missing extra) as one ValueError naming ``env``."""
    try:
        limit = {} if time_limit is None else {"max_episode_steps": int(time_limit)}
        return gym.make(env_id, **limit, **(env_kwargs or {}))
    except Exception as err:
        if out_of_memory(err):  # probe 33: MuJoCo's "Could not allocate memory for texture"
            raise ValueError(out_of_memory_text(err, f"create the {env_id} simulator")) from None
        if said := escalated_warning(err, f"gym.make({env_id!r})"):  # probe 91 row 8
            raise ValueError(f"env: {said}, or evaluate in another env") from None
        if said := renderer_failure(err, env_id):  # probe 125 row 46: MUJOCO_GL=osmesa
            raise ValueError(f"env: {said}") from None
        if env_kwargs and isinstance(err, TypeError | ValueError):  # probe 78 row 22: was
            raise ValueError(  # gymnasium's own TypeError, not naming env_kwargs=
                f"env_kwargs: gym.make({env_id!r}, **{env_kwargs}) fails ({safe_reason(err)}); "
                f"pass the kwargs {env_id} takes (e.g. dataset.env_kwargs)"
            ) from None
        if not isinstance(err, gym.error.Error | ImportError):
            raise
        raise ValueError(f"env: {env_id!r} cannot be made ({type(err).__name__}: {err})") from None


def plain_env_id(env_id: Any) -> Any:
    """``"my_pkg.envs:MyEnv-v0"`` (gymnasium's ``module:id`` form, which imports ``my_pkg.envs``)
    as the id it registers, ``"MyEnv-v0"``: what a dataset / normalizer stores and what ids are
    compared by (probe 98 rows 6, 15: a module-form id never equalled the stored plain one);
    any other value as it is."""
    if isinstance(env_id, str) and ":" in env_id:
        return env_id.partition(":")[2]
    return env_id


def registered_hint(env_id: str, prefix: str = "") -> str:
    """``" (did you mean 'Hopper-v5'?)"`` for an id that is not registered but close to one that
    is (case, version, a typo; probe 18: ``--env-id hopper-v5`` named no alternative), else ``""``;
    each id named with ``prefix`` (``"my_pkg:"``: probe 98 row 61, the module of a module-form id
    was dropped from the suggestion)."""
    import difflib

    ids = [i for i in gym.registry if isinstance(i, str)]
    same_case = [i for i in ids if i.lower() == env_id.lower()]
    close = same_case or difflib.get_close_matches(env_id, ids, n=3, cutoff=0.75)
    return f" (did you mean {' or '.join(repr(prefix + i) for i in close)}?)" if close else ""


def dataset_name_hint(env_id: str) -> str | None:
    """What an unregistered ``env_id`` that names a dataset (``hopper-medium-v2``, a Minari id)
    or an env by its short name (``hopper``) is, and the env id to give; None for other ids.
    Probe 134 row 9: ``env_id='hopper-medium-v2'`` was told to import the package that registers
    it (``--env-id MODULE:hopper-medium-v2``)."""
    from rambo_env.data.scores import ENV_IDS, LEVELS  # lazy: rambo_env.data imports us
    from rambo_env.presets import parse_dataset_name

    if not isinstance(env_id, str):
        return None
    text = env_id.strip()
    if text.lower() in ENV_IDS:
        real = ENV_IDS[text.lower()]
        return (
            f"{env_id!r} is the short name of the Gymnasium env {real!r}, not its id: give "
            f"env_id={real!r} (--env-id {real})"
        )
    try:
        env, level = parse_dataset_name(text)
    except ValueError:
        return None
    if env not in ENV_IDS or level not in (*LEVELS, "full-replay"):
        return None
    real = ENV_IDS[env]
    return (
        f"{env_id!r} is a dataset name (D4RL / Minari), not a Gymnasium env: its env is {real}; "
        "pass it as the dataset (load_dataset's first argument, --dataset); leave env_id out "
        f"(the dataset names its env) or give env_id={real!r} (--env-id {real})"
    )


def check_registered_id(env_id: Any, what: str = "env_id") -> str:
    """``env_id`` as a Gymnasium id that is registered (``module:Env`` imports its module first);
    ValueError naming ``what`` with a "did you mean" otherwise (probe 21: diagnostics'
    ``make_state_setter`` and ``collect_episodes`` gave gymnasium's raw ``NameNotFound`` /
    ``TypeError: Expected id to be a string``)."""
    if not isinstance(env_id, str) or not env_id.strip():
        raise ValueError(f"{what}: expected a Gymnasium id (e.g. 'Hopper-v5'), got {env_id!r}")
    if ":" not in env_id and env_id not in gym.registry:
        dataset = dataset_name_hint(env_id)
        if dataset is not None:
            raise ValueError(f"{what}: {dataset}")
        hint = registered_hint(env_id) or " (e.g. 'Hopper-v5')"
        raise ValueError(
            f"{what}: {env_id!r} is not a registered Gymnasium env{hint}; import the package that "
            "registers it first"
        )
    return env_id


def _check_eval_args(act: Any, env: Any, normalizer: Any, scorer: Any) -> None:
    """Probe 17: a wrong ``env`` / ``act`` / ``normalizer`` / ``scorer`` was a raw gymnasium
    ``VersionNotFound`` / ``Error``, ``TypeError: 'TimeLimit' object is not callable`` (an env
    instance) or an ``AttributeError`` after the episodes ran; one error naming it, up front."""
    import torch

    if not callable(act):
        agent = callable(getattr(act, "predict", None))  # probe 126: an SB3 agent itself
        raise ValueError(
            f"act: expected a function of normalised observations [n, obs_dim] -> actions, got "
            f"{type(act).__name__}"
            + (
                " (an SB3 agent); pass act=lambda obs: agent.predict(obs, deterministic=True)[0]"
                if agent
                else ""
            )
        )
    if isinstance(act, torch.nn.Module) and callable(getattr(act, "predict", None)):
        # probe 36: agent.policy was SB3's raw "Expecting a torch Tensor" in the first episode
        raise ValueError(
            f"act: got an SB3 policy module ({type(act).__name__}, agent.policy), which takes "
            "torch tensors; pass act=lambda obs: agent.predict(obs, deterministic=True)[0]"
        )
    if isinstance(act, torch.nn.Module):  # probe 100 row 17: was torch's raw "linear(): argument
        # 'input' … must be Tensor, not numpy.ndarray" from inside the first episode
        raise ValueError(
            f"act: got a torch module ({type(act).__name__}), which takes torch tensors; act is "
            "a function of a numpy batch of normalised observations [n, obs_dim] returning numpy "
            "actions [n, action_dim]: pass act=lambda obs: actor(torch.as_tensor(obs))"
            ".detach().cpu().numpy()"
        )
    if isinstance(env, gym.Env):
        raise ValueError(
            "env: got an env instance; the episodes run side by side, each in its own env: pass "
            f"its id ({getattr(env.spec, 'id', None)!r}) or a function that makes a new one"
        )
    if isinstance(env, str):
        check_registered_id(env, "env")
        if (real_id := _model_id_real_id(env)) is not None:  # probe 38 row 57
            raise ValueError(
                f"env: {env!r} is a model env (a RamboModel-* id, which would build another "
                f"learned model); evaluate_policy runs the real env: pass {real_id!r} "
                "(dataset.env_id / mdp.env_id)"
            )
    elif not callable(env):
        raise ValueError(
            f"env: expected a Gymnasium id or a function that makes an env, got "
            f"{type(env).__name__} {str(env)[:40]!r}"
        )
    else:  # probe 68: env=gym.make was Python's bare "make() missing 1 required … 'id'"
        check_called_with(
            env,
            (),
            "env",
            "needs arguments; pass a zero-argument factory (lambda: gym.make('Hopper-v5')) or the "
            "env's id",
        )
    if not callable(getattr(normalizer, "normalize", None)):
        raise ValueError(
            f"normalizer: expected the training ObsNormalizer (with .normalize), got "
            f"{type(normalizer).__name__}{NO_NORMALIZER_HINT if normalizer is None else ''}"
        )
    if scorer is not None and not callable(getattr(scorer, "normalized_score", None)):
        raise ValueError(
            f"scorer: expected None or an object with .normalized_score (e.g. the "
            f"OfflineDataset), got {type(scorer).__name__} {str(scorer)[:40]!r}"
        )


#: (scorer type, name, env id) of the scorers said to give no normalised score (once each).
_UNSCORED_SAID: set[tuple[str, str, str]] = set()


def _scorer_with_refs(scorer: Any) -> Any:
    """``scorer``, a dataset without reference scores given D4RL's pair for its env with the note
    ``load_dataset`` / ``make_mdp`` print (:func:`~rambo_env.data.loaders._with_d4rl_ref_scores`);
    a scorer left without them is said (once per process) to give no score. Probe 132 row 5:
    ``evaluate_policy(…, scorer=OfflineDataset.from_arrays(…, env_id='Hopper-v5'))`` returned
    ``normalized_score`` None without a word, while load_dataset of the same data scored on
    D4RL's Hopper pair."""
    if scorer is None:
        return None
    from rambo_env.data.dataset import OfflineDataset  # lazy: as the data modules import us

    refs = [getattr(scorer, f, 0.0) for f in ("ref_min_score", "ref_max_score")]
    if isinstance(scorer, OfflineDataset) and refs == [None, None]:
        from rambo_env.data.loaders import _with_d4rl_ref_scores

        scorer = _with_d4rl_ref_scores(scorer)
        refs = [scorer.ref_min_score, scorer.ref_max_score]
    name = getattr(scorer, "name", None)
    said = (type(scorer).__name__, str(name), str(getattr(scorer, "env_id", None)))
    if None in refs and said not in _UNSCORED_SAID:  # once: cotrain evaluates every iteration
        _UNSCORED_SAID.add(said)
        note(
            f"[rambo_env] note: scorer {type(scorer).__name__}"
            + (f" {name!r}" if isinstance(name, str) else "")
            + " carries no reference scores (ref_min_score / ref_max_score) and its env has no "
            "D4RL pair: normalized_score is None; give it both to get a normalised score"
        )
    return scorer


def _score(scorer: _Scorer | None, returns: np.ndarray) -> float | None:
    """D4RL-normalised score of the mean return, or None without reference scores."""
    if scorer is None or any(
        getattr(scorer, f, 0.0) is None for f in ("ref_min_score", "ref_max_score")
    ):
        return None
    return float(np.asarray(scorer.normalized_score(float(np.mean(returns)))))


def _check_finite_actions(actions: np.ndarray, idx: np.ndarray, lengths: np.ndarray) -> None:
    """One error for actions that are not finite numbers (probe 17: a NaN action gave a NaN
    return and a NaN score, no error; MuJoCo stepped on with NaN states)."""
    try:
        values = np.asarray(actions, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(
            f"act: returned actions that are not numbers (dtype {actions.dtype}); return a float "
            "array [n, action_dim]"
        ) from None
    finite = np.isfinite(values.reshape(len(idx), -1)).all(axis=1)
    if not finite.all():
        row = int(np.flatnonzero(~finite)[0])
        episode = int(idx[row])
        raise ValueError(
            f"act: returned a non-finite action {np.array2string(values[row], precision=3)} at "
            f"step {int(lengths[episode]) + 1} of episode {episode}; the policy has diverged (a "
            "NaN or inf in its weights, or in the normaliser's statistics)"
        )


def _as_actions(returned: Any) -> np.ndarray:
    """``act``'s output as an array. Probe 20: SB3's ``agent.predict`` returns ``(actions,
    state)``, and passing it as ``act`` (the natural slip) was numpy's raw "setting an array
    element with a sequence … inhomogeneous shape"; a ragged list was the same."""
    import torch

    if (
        isinstance(returned, tuple)
        and len(returned) == 2
        and (returned[1] is None or isinstance(returned[1], tuple))
    ):
        raise ValueError(
            "act: returned a pair (actions, state), as SB3's agent.predict does; return the "
            "actions only, e.g. act=lambda obs: agent.predict(obs, deterministic=True)[0]"
        )
    if isinstance(returned, torch.Tensor):  # an actor's output: may need grad, be on a GPU
        return returned.detach().cpu().numpy()  # (was: torch's raw "Can't call numpy() …")
    try:
        return np.asarray(returned)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"act: returned {type(returned).__name__} that is not an array [n, action_dim] "
            f"({err}); return a float array with one row of actions per observation"
        ) from None


#: SB3's ``predict`` refusing observations of another shape than its policy's (its
#: ``is_vectorized_box_observation``): the shape the policy takes is the first group.
_SB3_OBS_SHAPE = re.compile(r"Unexpected observation shape \S.*? please use (\([^)]*\)) or")


def _envs_of_obs_dim(dims: list[int], env_id: str | None) -> str:
    """``": Walker2d-v5's?"``: the project's envs (other than ``env_id``) whose observations have
    the one dimension in ``dims``; empty where none does (or they cannot be made here)."""
    if len(dims) != 1:
        return ""
    from rambo_env.data.generate import env_dims
    from rambo_env.data.scores import ENV_IDS

    found = []
    for env, gym_id in ENV_IDS.items():
        if gym_id != env_id:
            with contextlib.suppress(Exception):  # MuJoCo missing: named without a guess
                if env_dims(env)[0] == dims[0]:
                    found.append(f"{gym_id}'s")
    return f": {' or '.join(found)}?" if found else ""


def _first_act(act: ActFn, obs_norm: np.ndarray, env_id: str | None = None) -> Any:
    """``act``'s first call (a numpy batch [n, obs_dim]): a TypeError of torch's about a numpy
    array where it takes a tensor (probe 100 row 17: a lambda handing the batch to a torch net was
    "linear(): argument 'input' … must be Tensor, not numpy.ndarray") is one error naming ``act``;
    so is SB3's refusal of the observation shape by an agent trained on other observations than
    the env's (probe 126 row 58: a frame-stacked agent's ``predict`` was SB3's raw "Unexpected
    observation shape (2, 11) for Box environment, please use (22,) …"); any other error is
    raised as it is. ``env_id``: the env's id, named in the message."""
    try:
        return act(obs_norm)
    except ValueError as err:
        found = _SB3_OBS_SHAPE.search(str(err))
        if found is None:
            raise
        theirs, ours = found.group(1), tuple(obs_norm.shape[1:])
        env = env_id or "the env"
        dims = [int(d) for d in re.findall(r"\d+", theirs)]
        size = f"obs dim {dims[0]}" if len(dims) == 1 else f"observations of shape {theirs}"
        # probe 127 (N3): a Walker2d agent (17,) on Hopper-v5 was blamed on frame stacking only
        raise ValueError(
            f"act: its policy takes observations of shape {theirs}, but {env}'s normalised "
            f"observations have shape {ours}: an agent of another env ({size}"
            f"{_envs_of_obs_dim(dims, env_id)}) or one trained on wrapped observations (stacked "
            "frames: SB3's VecFrameStack, the rl-zoo's frame_stack; a TimeFeatureWrapper's extra "
            f"feature) cannot be evaluated here, where act gets {env}'s own observations; "
            "evaluate an agent of another env in that env with its own normaliser "
            "(evaluate_policy(act, <its env id>, <its normalizer>)), and a wrapped-observation "
            "agent through the same wrappers (SB3's evaluate_policy on them over "
            "NormalizedObservation(gym.make(env_id), normalizer)), or train it without them"
        ) from err
    except TypeError as err:
        said = str(err)
        if "Tensor" not in said or "ndarray" not in said:
            raise
        raise TypeError(
            f"act: was given a numpy batch of normalised observations {obs_norm.shape} and "
            f"passed it to torch, which takes tensors ({said.splitlines()[0][:160]}); act maps "
            "numpy observations to numpy actions: wrap the net as act=lambda obs: "
            "actor(torch.as_tensor(obs)).detach().cpu().numpy()"
        ) from err


def _run_lockstep(
    act: ActFn,
    envs: Sequence[gym.Env],
    normalizer: _Normalizer,
    seed: int,
    max_episode_steps: int | None,
    factory: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    n = len(envs)
    obs = np.stack([e.reset(seed=seed + i)[0] for i, e in enumerate(envs)]).astype(np.float32)
    dim = getattr(normalizer, "obs_dim", None)
    if dim is not None and (dim,) != obs.shape[1:]:  # was: "obs: last dimension must be …"
        raise ValueError(
            f"normalizer: fitted on obs_dim={dim} observations, but the env's observations have "
            f"shape {obs.shape[1:]}; pass the normalizer of a model trained on this env's data"
        )
    if factory:  # probe 39 row 87: a factory's env that z-scores by hand
        _check_raw_first_observations(envs, obs, normalizer, seed)
    action_shape = envs[0].action_space.shape
    spec_id = getattr(getattr(envs[0], "spec", None), "id", None)
    clip = _action_clipper(envs[0].action_space, spec_id)
    returns = np.zeros(n, dtype=np.float64)
    lengths = np.zeros(n, dtype=np.int64)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.flatnonzero(active)
        obs_norm = np.asarray(normalizer.normalize(obs[idx]), dtype=np.float32)  # [n_active, O]
        first = lengths.max() == 0
        actions = _as_actions(_first_act(act, obs_norm, spec_id) if first else act(obs_norm))
        rank = None if action_shape is None else 1 + len(action_shape)
        if actions.shape[:1] != (idx.size,) or actions.ndim != (rank or actions.ndim):
            # probe 40: one action of shape (3,) for 2 observations read as "3 actions"
            got = f"shape {tuple(actions.shape)}" if actions.ndim else "a scalar"
            want = (idx.size, *action_shape) if action_shape is not None else None
            raise ValueError(
                f"act: returned {got} for a batch of {counted(idx.size, 'observation')}; expected "
                f"{want or f'({idx.size}, action_dim)'}: one action per observation row (act "
                "takes a batch [n, obs_dim] and returns [n, action_dim])"
            )
        if action_shape is not None and actions.shape[1:] != action_shape:  # was: MuJoCo's
            raise ValueError(  # "Action dimension mismatch", naming no argument
                f"act: returned actions of shape {actions.shape[1:]} per observation, but the "
                f"env's actions have shape {action_shape}"
            )
        _check_finite_actions(actions, idx, lengths)
        actions = clip(actions)
        for row, i in enumerate(idx):
            next_obs, reward, terminated, truncated, _ = envs[i].step(actions[row])
            if not math.isfinite(float(reward)):  # probe 59: was a NaN return, score, headline
                raise ValueError(
                    f"env: returned a non-finite reward {float(reward)} at step "
                    f"{int(lengths[i]) + 1} of episode {i}; fix the env's reward (a NaN / inf "
                    "state or a division by zero in it)"
                )
            returns[i] += float(reward)
            lengths[i] += 1
            obs[i] = next_obs
            capped = max_episode_steps is not None and lengths[i] >= max_episode_steps
            if terminated or truncated or capped:
                active[i] = False
    return returns, lengths


#: Evidence (nats of log-likelihood ratio, normalised vs raw, beyond that of the raw env's own
#: first observations) at which :func:`_check_raw_first_observations` refuses the factory's env.
NORMALISED_EVIDENCE_NATS = 10.0


def _check_raw_first_observations(
    envs: Sequence[gym.Env], obs: np.ndarray, normalizer: Any, seed: int
) -> None:
    """Refuse a factory whose env already z-scores its observations by hand (probe 39 row 87:
    ``TransformObservation(gym.make("Hopper-v5"), lambda o: (o - mean) / std, …)`` was scored on
    doubly normalised observations, no word; the wrapper classes :func:`_not_raw` knows were
    refused). The first observations (``obs``, reset with ``seed + i``) are weighed as the agents'
    raw-observation watch weighs them: on the dimensions whose data mean lies more than 3 std
    from 0, do they fit N(0, 1) (normalised) better than the data's N(mean, std) (raw)? The same
    is weighed for a fresh env of the unwrapped env's spec reset with the same seeds (the raw
    env's own first observations, which at a reset may sit far from the data's mean too); only
    evidence beyond that counts, so a raw env (whose observations are the same) never does. No
    told dimension, no spec to make, or a normaliser without ``mean`` / ``std``: nothing weighed.
    First, observations that are ``normalizer``'s own z-scores of the raw env's are refused on
    any env (the case above, with the agent's normaliser)."""
    spec = getattr(envs[0].unwrapped, "spec", None)
    if spec is None or not np.isfinite(obs).all():
        return
    try:
        raw_env = gym.make(spec)
    except Exception:  # a spec that cannot be made again: nothing to compare with
        return
    try:
        raw = np.stack([raw_env.reset(seed=seed + i)[0] for i in range(len(envs))])
        raw = np.asarray(raw, np.float64).reshape(obs.shape)
        twice = np.asarray(normalizer.normalize(raw.astype(np.float32)), np.float64)
    except Exception:  # another shape, a normaliser that fails: nothing to compare
        return
    finally:
        raw_env.close()
    obs = np.asarray(obs, np.float64)
    why = None
    if not np.allclose(obs, raw, rtol=1e-3, atol=1e-3) and np.allclose(
        obs, twice.reshape(obs.shape), rtol=1e-3, atol=1e-3
    ):
        why = f"are `normalizer`'s z-scores of a raw {spec.id} env's"
    else:
        told = _evidence_of_normalised(normalizer, obs, raw)
        if told:
            why = (
                f"sit near 0 where a raw {spec.id} env's sit near the data's mean, on the "
                f"{told} dimension(s) whose data mean is over 3 std from 0"
            )
    if why is not None:
        raise ValueError(
            f"env: the factory made {_chain(envs[0])}, whose first observations already look "
            f"normalised (they {why}): a wrapper that z-scores by hand? evaluate_policy z-scores "
            "the real observations by itself (with `normalizer`), so they would be normalised "
            "twice; pass the raw real env (its id, dataset.env_id, or a factory without the "
            "normalising wrapper)"
        )


def _evidence_of_normalised(normalizer: Any, obs: np.ndarray, raw: np.ndarray) -> int:
    """The number of dimensions the data tell apart (mean over 3 std from 0) when on them
    ``obs`` fit N(0, 1) better than N(mean, std) by more than :data:`NORMALISED_EVIDENCE_NATS`
    beyond ``raw`` (the raw env's own first observations); else 0."""
    mean, std = getattr(normalizer, "mean", None), getattr(normalizer, "std", None)
    if mean is None or std is None:
        return 0
    try:
        mean, std = (np.asarray(v, np.float64).reshape(-1) for v in (mean, std))
    except (TypeError, ValueError, RuntimeError):  # stats of another kind: nothing weighed
        return 0
    told = (np.abs(mean) > 3 * std) & (std > 0)
    if mean.shape != obs.shape[1:] or not told.any():
        return 0

    def evidence(x: np.ndarray) -> float:  # log N(x; 0, 1) - log N(x; mean, std), summed
        return -float(np.sum(raw_scale_evidence(x[:, told], mean[told], std[told])))

    beyond = evidence(obs) - evidence(raw)
    return int(told.sum()) if beyond > NORMALISED_EVIDENCE_NATS else 0


#: Envs (by name, any version: :func:`env_name`) whose reward charges a control cost on the
#: action as given, unclipped: the MuJoCo locomotion envs (their ``control_cost(action)``),
#: Reacher / Pusher and MountainCarContinuous. Others clip first (Pendulum-v1 clips its torque
#: before its cost): of those, only the clipping is said (probe 42 row 79).
UNCLIPPED_COST_ENVS = frozenset(
    {
        "hopper",
        "walker2d",
        "halfcheetah",
        "ant",
        "humanoid",
        "swimmer",
        "reacher",
        "pusher",
        "mountaincarcontinuous",
    }
)


def env_name(env_id: Any) -> str | None:
    """The env name of a Gymnasium id, lower case, without namespace and version
    (``"Hopper-v4" -> "hopper"``, ``"Pendulum-v1" -> "pendulum"``); None for no id."""
    if not isinstance(env_id, str) or not env_id:
        return None
    return re.sub(r"-v\d+$", "", env_id.rsplit("/", 1)[-1]).lower()


def other_env_kind(data_env: str, other: str) -> str:
    """What ``other`` is to ``data_env`` in a warning that one stands in for the other
    (:func:`_warn_other_env`, the loaders' ``env_id=`` override): ``"another version of that
    env"`` (Hopper-v5 / Hopper-v4) or ``"another env"``."""
    same = env_name(data_env) == env_name(other)
    return "another version of that env" if same else "another env"


def charges_unclipped_action(env_id: Any) -> bool:
    """Whether the real env ``env_id`` charges its control cost on the unclipped action
    (:data:`UNCLIPPED_COST_ENVS`); False for other or unknown envs."""
    return env_name(env_id) in UNCLIPPED_COST_ENVS


def _action_clipper(
    space: gym.spaces.Space, env_id: str | None = None
) -> Callable[[np.ndarray], np.ndarray]:
    """Actions clipped to a ``Box`` action space, with one warning per evaluation for actions
    outside it (probe 37: ``act`` returning ±5 in Hopper's [-1, 1] was scored without a word,
    its ctrl cost charged on the unclipped action). SB3's ``predict`` clips the same way. The
    control-cost clause only for an ``env_id`` where it holds (:func:`charges_unclipped_action`)."""
    cost = (
        " (the env would charge its control cost on the unclipped action)"
        if charges_unclipped_action(env_id)
        else ""
    )
    if not isinstance(space, gym.spaces.Box):
        return lambda actions: actions
    low = np.asarray(space.low, dtype=np.float64)
    high = np.asarray(space.high, dtype=np.float64)
    slack = 1e-6 * np.maximum(1.0, np.maximum(np.abs(low), np.abs(high)))  # float32 rounding
    warned = False

    def clip(actions: np.ndarray) -> np.ndarray:  # [n, A]
        nonlocal warned
        values = np.asarray(actions, dtype=np.float64)
        outside = (values < low - slack) | (values > high + slack)
        if not outside.any():
            return actions  # untouched: an agent inside the bounds scores as before
        if not warned:
            warned = True
            worst = values[outside][np.argmax(np.abs(values[outside]))]
            same = np.all(low == low.flat[0]) and np.all(high == high.flat[0])
            bounds = (
                f"[{low.flat[0]:g}, {high.flat[0]:g}]"
                if same
                else f"low={low.tolist()}, high={high.tolist()}"
            )
            note(
                f"[rambo_env] WARNING: act returned actions outside the env's action space "
                f"{bounds} ({int(outside.any(axis=-1).sum())} of {len(values)} in the first such "
                f"batch, e.g. {worst:g}); they are clipped to it, as SB3's predict clips{cost}; "
                "squash your policy's actions into the bounds (tanh) or clip them yourself",
            )
        return np.clip(values, low, high).astype(space.dtype)

    return clip


def final_score(history: Sequence[float | None], n_last: int = N_FINAL_EVALS) -> float | None:
    """Mean of the last ``n_last`` evaluation scores (App. B.6); None if there are none.

    ``None`` entries (an evaluation without reference scores) are skipped. A NaN / inf score is
    refused, naming its index (probe 59: was a headline of nan / inf without a word): co-training
    never logs one (:func:`evaluate_policy` refuses non-finite actions and rewards), so one in a
    history is a damaged or hand-made record, not a diverged run (whose evaluations stop at the
    divergence, their scores finite).
    """
    if not (is_int(n_last) and n_last >= 1):  # probe 17: 0 / -1 averaged all / all but one
        raise ValueError(f"n_last: expected an int >= 1, got {n_last!r}")
    if isinstance(history, str | bytes) or not isinstance(history, Sequence | np.ndarray):
        raise ValueError(  # was: a raw TypeError ("not subscriptable")
            f"history: expected a list of scores (numbers or None), got {type(history).__name__}"
        )
    for i, v in enumerate(history):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float | np.number)):
            raise ValueError(  # was: "could not convert string to float", naming no entry
                f"history[{i}]: expected a number or None, got {type(v).__name__} {v!r:.40}"
            )
    for i, v in enumerate(history):
        if v is not None and not math.isfinite(v):
            raise ValueError(
                f"history[{i}] is {float(v)}: a score is a finite number (or None for an "
                "evaluation without reference scores); drop or repair that entry"
            )
    values = [float(v) for v in history[-n_last:] if v is not None]
    return float(np.mean(values)) if values else None
