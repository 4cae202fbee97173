"""``RamboModelEnv``: the learned (and adversarially trained) dynamics model as a ``gym.Env``.

``reset`` draws a start state from the dataset, ``step`` samples one random elite of the ensemble
with Gaussian noise from ``self.np_random`` (same seed -> same rollout), ``terminated`` comes from
the termination function and ``truncated`` after ``rollout_length`` steps (the paper's k,
Section 5.2). Observations are NORMALISED observations (float32, unbounded); actions are in the
real env's scale and are clipped to the action space, as MuJoCo's ``ctrlrange`` clips controls
(one warning per env the first time that happens: :func:`warn_clipped_action`).
"""

from __future__ import annotations

import atexit
import contextlib
import copy
import dataclasses
import errno
import hashlib
import inspect
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, SupportsFloat

import gymnasium as gym
import numpy as np
import torch
from gymnasium.envs.registration import EnvSpec
from gymnasium.wrappers.vector import NormalizeObservation as VectorNormalizeObservation

from rambo_env.command_line import did_you_mean
from rambo_env.dynamics.ensemble import EnsembleConfig, resolve_device
from rambo_env.dynamics.training import MLEConfig
from rambo_env.envs.registration import (
    SB3_RENDER_MODE_FIX,
    RenderModeNone,
    calling_frame,
    check_time_limit_is_python_int,
    is_sb3_env_util,
    make_call_locals,
    renders_nothing,
    sb3_default_render_mode,
)
from rambo_env.evaluation import charges_unclipped_action, env_name
from rambo_env.logging import note
from rambo_env.model import LearnedMDP, check_make_mdp_options, check_model_args, make_mdp
from rambo_env.normalization import raw_scale_evidence
from rambo_env.run_io import (
    check_default_device,
    check_default_dtype,
    check_flag,
    counted,
    is_int,
    numpy_underflow_ignored,
    user_stacklevel,
    warn_each_time,
    with_article,
)

if TYPE_CHECKING:
    from rambo_env.data.dataset import OfflineDataset

__all__ = [
    "LONG_ROLLOUT",
    "NOTHING_TO_RENDER",
    "NO_VIDEO",
    "RAW_STATE_NATS",
    "RESET_OPTIONS",
    "ModelMdp",
    "RamboModelEnv",
    "RolloutLength",
    "as_action_tensor",
    "as_float32",
    "build_mdp",
    "check_known_keywords",
    "check_max_episode_steps",
    "check_reset_options",
    "check_reset_seed",
    "check_rollout_length",
    "check_spec_limit",
    "host_array",
    "note_made_by_gym",
    "raw_state_nats",
    "state_from_options",
    "warn_clipped_action",
    "warn_long_rollout",
    "warn_raw_state",
]


def host_array(t: torch.Tensor) -> np.ndarray:
    """``t`` as a numpy array the caller owns. Probe 67: the envs returned ``self._obs.cpu().numpy()``,
    on the CPU a view of the env's own state, so ``obs += 1`` by the caller moved the next step's
    start (on CUDA it was a copy); MuJoCo's envs, SB3's ``DummyVecEnv`` and Gymnasium's
    ``SyncVectorEnv`` hand out copies."""
    host = t.detach().cpu()
    return host.numpy().copy() if host.data_ptr() == t.data_ptr() else host.numpy()


def _check_not_in_async_vector_env() -> None:
    """Refuse an ``mdp`` handed to an ``AsyncVectorEnv`` (``gym.make_vec(…, vectorization_mode=
    "async", mdp=mdp)``, or ``AsyncVectorEnv([lambda: RamboModelEnv(mdp=mdp), …])``).

    Its workers get pickled copies of the mdp, so the adversary's updates of ``mdp`` never
    reach them (probe 17: was accepted; the envs kept stepping the model as it was). The check
    runs in the parent, where ``AsyncVectorEnv.__init__`` makes its first env to read the spaces.
    """
    from gymnasium.vector import AsyncVectorEnv

    if calling_frame(AsyncVectorEnv.__init__.__code__) is not None:
        raise ValueError(
            "mdp: an AsyncVectorEnv (vectorization_mode='async') gives each worker process a "
            "pickled copy of the mdp, so the adversary's updates would never reach its envs; "
            "use the default mode, gym.make_vec(id, num_envs=N, mdp=mdp) (one "
            "RamboModelVectorEnv on the shared mdp; also vectorization_mode='sync')"
        )


def _check_no_time_limit(env: gym.Env) -> None:
    """Refuse a ``TimeLimit`` around the model env that disagrees with its ``rollout_length``
    (``gym.make("RamboModel-…", max_episode_steps=10)``, or ``TimeLimit(RamboModelEnv(…), 10)``).

    The env truncates after ``rollout_length`` steps (Section 5.2's k), so a larger limit never
    acted and a smaller one silently shortened the rollouts (probes 17–18: accepted; ``gym.make``
    and the vector env check ``max_episode_steps`` at construction with
    :func:`check_max_episode_steps`). gymnasium wraps after construction, so the
    check runs at the first ``reset``, from the wrappers' frames on the call stack.
    """
    frame = sys._getframe(1)
    while frame is not None:
        wrapper = frame.f_locals.get("self")
        if isinstance(wrapper, gym.wrappers.TimeLimit) and wrapper.unwrapped is env:
            limit = wrapper._max_episode_steps
            if limit != env.rollout_length:
                raise _limit_disagrees(limit, env.rollout_length, by_hand=True)
        frame = frame.f_back


def _limit_disagrees(limit: int, rollout_length: int, *, by_hand: bool = False) -> ValueError:
    """The error for a limit of ``limit`` steps on a model env of ``rollout_length``: given to
    ``gym.make`` / ``gym.make_vec`` (one message for both, probe 48), or a TimeLimit by hand."""
    if by_hand:
        head = f"max_episode_steps: {limit!r} (a TimeLimit around RamboModelEnv)"
        drop = "and no TimeLimit"
    else:
        head = f"max_episode_steps: {limit!r}"
        drop = "and no max_episode_steps"
    return ValueError(
        f"{head}, but the model env truncates every episode after rollout_length "
        f"({rollout_length!r}) steps; for {limit!r}-step episodes pass rollout_length={limit!r} "
        f"instead (gym.make(id, rollout_length=…) / gym.make_vec) {drop}; else leave "
        "max_episode_steps out"
    )


def check_max_episode_steps(limit: Any, rollout_length: int) -> None:
    """Refuse a ``max_episode_steps`` given to ``gym.make`` or ``gym.make_vec`` of a model env of
    ``rollout_length`` (the one rule for both; probe 48: make_vec refused a limit equal to k and
    gymnasium's -1, with advice that did not work). ``None`` and ``-1`` (no TimeLimit) are taken,
    and so is a limit equal to k (Section 5.2: every episode is truncated after k steps anyway)."""
    if limit is None or (is_int(limit) and limit == -1):  # probe 55: np.int64(-1) as -1 (as
        return  # gymnasium's ``!= -1`` takes it)
    if isinstance(limit, bool) or not isinstance(limit, int | np.integer) or limit < 1:
        raise ValueError(
            f"max_episode_steps: expected None or an int >= 1 (or gymnasium's -1: no "
            f"TimeLimit), got {limit!r}; the model env truncates every episode after "
            f"rollout_length ({rollout_length!r}) steps: leave max_episode_steps out (set the "
            "episode length with rollout_length=…)"
        )
    if limit != rollout_length:
        raise _limit_disagrees(int(limit), rollout_length)


def check_spec_limit(spec: Any, rollout_length: int, maker: str) -> None:
    """Refuse a spec whose ``max_episode_steps`` (not given to ``maker``) disagrees with
    ``rollout_length``: a model env's ``env.spec`` records the rollout length it was made with,
    so ``gym.make(env.spec, rollout_length=7)`` wrapped a 5-step TimeLimit (probe 67: refused at
    the first reset as "a TimeLimit around RamboModelEnv", advising to drop the new length)."""
    limit = getattr(spec, "max_episode_steps", None)
    if limit is None or limit == -1 or limit == rollout_length:
        return
    rows = ", num_envs=…" if maker == "gym.make_vec" else ""
    raise ValueError(
        f"max_episode_steps: {limit!r} from the spec given to {maker} (a model env's env.spec "
        f"records the rollout_length it was made with), but rollout_length={rollout_length!r}: "
        f"every episode would be cut at step {limit}; pass the new limit with it: "
        f"{maker}(env.spec{rows}, rollout_length={rollout_length!r}, "
        f"max_episode_steps={rollout_length!r})"
    )


def _check_make_max_episode_steps(rollout_length: int) -> None:
    """:func:`check_max_episode_steps` on the ``max_episode_steps`` of the ``gym.make`` that is
    building the model env, at construction: before any dataset load or MLE (probe 47:
    ``gym.make("RamboModel-hopper-random", max_episode_steps=-3)`` loaded the data and trained and
    cached the model, then gymnasium's TimeLimit refused -3; a valid limit other than
    ``rollout_length`` was refused only at the first reset, after the training). gymnasium does
    not pass the value to the env, so it is read from ``make``'s frame on the call stack
    (:func:`rambo_env.envs.registration.make_call_locals`). ``gym.make_vec`` passes it to the vector
    env, which checks it itself."""
    make_locals = make_call_locals()
    if make_locals is not None:
        limit = make_locals.get("max_episode_steps")
        if limit is None:  # probe 67: gym.make(env.spec, rollout_length=7) blamed a TimeLimit
            check_spec_limit(make_locals.get("env_spec"), rollout_length, "gym.make")
        check_max_episode_steps(limit, rollout_length)
        default = f"episodes of rollout_length ({rollout_length}) steps"
        check_time_limit_is_python_int(limit, default)  # probe 55: np.int64 (TimeLimit's error)


#: gymnasium's running observation normalisers (single and vector): warned about around the model
#: envs (:func:`warn_normalize_observation`).
NORMALIZE_OBSERVATION = (gym.wrappers.NormalizeObservation, VectorNormalizeObservation)


def warn_normalize_observation(env: Any) -> None:
    """One warning per model ``env`` (single or vector) reset through gymnasium's
    ``NormalizeObservation`` (probe 41: accepted silently, while ``make_agent`` refuses SB3's
    ``VecNormalize`` for the same reason). Not an error: the user's own wrapper stack. Found at
    ``reset`` from the wrappers' frames on the call stack, as :func:`_check_no_time_limit` (a
    wrapper always resets its env through its own ``reset``)."""
    if env.__dict__.get("_warned_normalize_observation"):
        return
    frame = sys._getframe(1)
    while frame is not None:
        wrapper = frame.f_locals.get("self")
        if isinstance(wrapper, NORMALIZE_OBSERVATION) and wrapper.unwrapped is env:
            env.__dict__["_warned_normalize_observation"] = True
            warn_each_time(
                f"{type(wrapper).__name__} wraps {type(env).__name__}, whose observations are "
                "already normalised by the mdp's ObsNormalizer (env.unwrapped.mdp.normalizer): "
                "its running statistics put them on another scale, so a policy trained through "
                "it sees other inputs in the real env (NormalizedObservation(real env, "
                "mdp.normalizer), evaluate_policy) and in the agent's real-data batches; drop "
                "the wrapper (warned once per env)",
                stacklevel=user_stacklevel(),
            )
            return
        frame = frame.f_back


def build_mdp(
    dataset: OfflineDataset | str | Path | None,
    mdp: LearnedMDP | None,
    *,
    device: str | torch.device,
    ensemble_config: EnsembleConfig | None,
    mle_config: MLEConfig | None,
    seed: int | None,
    env_id: str | None = None,
    registered_env: str | None = None,
    rollout_length: int | None = None,
    registered_dataset: str | None = None,
    progress: bool = True,
    cache: bool | None = None,
    precision: str | None = None,
    compile: bool | None = None,
) -> LearnedMDP:
    """The given ``mdp`` (it takes precedence over ``dataset``), else ``make_mdp(dataset, ...)``.

    ``rollout_length``: checked against the episode limit of the data's env
    (:func:`check_rollout_length`) before any model is trained.

    ``env_id`` names the registered Gymnasium env of the data (overriding the dataset's).
    ``registered_env`` (``hopper``; set by the ``RamboModel-<env>-<level>`` registration) is the
    env the data must be of: ``gym.make("RamboModel-walker2d-medium", dataset="hopper-random")``
    is refused (was: a Hopper model under a Walker2d id, silently). With an
    ``mdp``, the arguments that only build one (``env_id``, ``ensemble_config``, ``mle_config``,
    ``seed``,
    a ``device`` other than ``"auto"`` and the mdp's) are refused, not ignored; so is a
    ``dataset``, except the registration's own (``registered_dataset``: every
    ``gym.make("RamboModel-…", mdp=mdp)`` passes it) or, outside a registration, a short name of
    the mdp's env.

    ``progress``: the MLE progress bar of ``make_mdp`` (and the announcements of a generated
    dataset); nothing to show with an ``mdp``. ``cache``, ``precision``, ``compile``: those of
    ``make_mdp`` (None: its defaults); refused with an ``mdp``, as the configs are (probe 36:
    ``gym.make(id, mdp=mdp, precision="bf16")`` was gymnasium's raw unexpected-keyword TypeError).
    """
    given_seed, seed = seed, 0 if seed is None else seed  # None: not given (the default 0)
    if isinstance(dataset, LearnedMDP):  # RamboModelEnv(mdp): was "dataset: expected a name …"
        raise ValueError(
            "dataset: got a LearnedMDP as the first argument; pass it by name: "
            "RamboModelEnv(mdp=mdp) (RamboModelVectorEnv(n, mdp=mdp))"
        )
    # probe 67: EnvSpec.from_json(env.spec.to_json()) gives the configs back as dicts
    ensemble_config = _config_from_json(EnsembleConfig, ensemble_config, "ensemble_config")
    mle_config = _config_from_json(MLEConfig, mle_config, "mle_config")
    seed = check_model_args(ensemble_config, mle_config, seed)
    check_flag(progress, "progress")  # probe 34: gym.make(…, progress=False) was a raw TypeError
    if mdp is not None:
        if not isinstance(mdp, LearnedMDP):
            raise ValueError(f"mdp: expected a LearnedMDP, got {type(mdp).__name__}")
        _check_unused_with_mdp(
            mdp,
            device,
            ensemble_config,
            mle_config,
            env_id,
            cache=cache,
            precision=precision,
            compile=compile,
        )
        _check_not_in_async_vector_env()
        if given_seed is not None:  # probe 16: was ignored without a word
            raise ValueError(
                f"seed: {given_seed!r} was given with `mdp`, which is already built: `seed` is "
                "the model's training seed, so it would be ignored; seed the env's randomness "
                f"with reset(seed={given_seed!r}), or pass `dataset` instead of `mdp` to train a "
                "model with it"
            )
        if registered_env is not None:
            _check_registered_env(getattr(mdp, "env_id", None), registered_env, "mdp", repr(mdp))
            if getattr(mdp, "env_id", None) is None:
                _check_unnamed_mdp_dims(mdp, registered_env)
        _check_registered_level(getattr(mdp, "dataset_name", None), registered_dataset)
        _check_no_dataset_with_mdp(dataset, mdp, registered_env, registered_dataset)
        if rollout_length is not None:
            check_rollout_length(rollout_length, mdp.env_id)
        return mdp
    if dataset is None:
        raise ValueError(
            "dataset: one of `dataset` (name, path or OfflineDataset) or `mdp` is needed"
        )
    given = dataset if isinstance(dataset, str | Path) else None  # shown by the level check
    # before any load, as make_mdp (a load may generate the data; probe 41: gym.make(…,
    # device="cuda:0") on a CPU torch build generated 1M transitions before the refusal; probe
    # 60: so did precision="fp16", compile="no", cache="no"); None: make_mdp's default
    check_make_mdp_options(
        cache=True if cache is None else cache,
        progress=progress,
        precision="fp32" if precision is None else precision,
        compile=False if compile is None else compile,
    )
    resolve_device(device)
    if registered_dataset is not None and given is not None:
        _check_short_name_level(str(given), registered_env, registered_dataset)
    if env_id is not None or registered_env is not None:
        from rambo_env.data.loaders import _load_dataset
        from rambo_env.data.scores import ENV_IDS

        # probe 30: data that name no env are the registration's env's (dims checked): was an
        # 11/3 model of 11-dim data under RamboModel-walker2d-… (Walker2d-v5 is 17/6)
        unnamed = None
        if registered_env in ENV_IDS:
            unnamed = (ENV_IDS[registered_env], f"the env of RamboModel-{registered_env}-…")
        dataset = _load_dataset(
            dataset,
            download=False,
            generate=True,
            d4rl_dir=None,
            n_transitions=None,
            seed=None,
            env_id=env_id,
            progress=progress,
            unnamed_env=unnamed,
        )
    elif rollout_length is not None and not _is_dataset(dataset):
        from rambo_env.data.loaders import load_dataset

        dataset = load_dataset(dataset)  # its env's episode limit: before the MLE
    if registered_env is not None:
        _check_registered_env(dataset.env_id, registered_env, "dataset", repr(dataset.name))
    if registered_dataset is not None:  # before the MLE: was a model of another level, cached
        name = getattr(dataset, "name", None)
        _check_registered_level(name, registered_dataset, "dataset", given and str(given))
        _note_other_data(given, name, registered_dataset)
    if rollout_length is not None:  # probe 83 row 36: the data's recorded time limit, as cotrain
        check_rollout_length(
            rollout_length,
            getattr(dataset, "env_id", None),
            limit=getattr(dataset, "env_max_episode_steps", None),
        )
    return make_mdp(
        dataset,
        device=device,
        ensemble_config=ensemble_config,
        mle_config=mle_config,
        seed=seed,
        progress=progress,
        **{
            name: value
            for name, value in (("cache", cache), ("precision", precision), ("compile", compile))
            if value is not None
        },
    )


def _config_from_json(kind: type, value: Any, name: str) -> Any:
    """A config given as the dict its JSON holds (``env.spec.to_json()`` writes the dataclasses
    as dicts, so ``gym.make(EnvSpec.from_json(text))`` passes them back) as ``kind``; anything
    else unchanged (:func:`~rambo_env.model.check_model_args` checks it). One ValueError naming
    an unknown key."""
    if not isinstance(value, dict):
        return value
    known = [f.name for f in dataclasses.fields(kind) if f.init]
    unknown = sorted(str(key) for key in value if key not in known)
    if unknown:
        raise ValueError(
            f"{name}: unknown key(s) {unknown} for a {kind.__name__}; it takes {known}"
        )
    return kind(**value)


def _is_dataset(value: Any) -> bool:
    from rambo_env.data.dataset import OfflineDataset

    return isinstance(value, OfflineDataset)


def _check_no_dataset_with_mdp(
    dataset: Any, mdp: LearnedMDP, registered_env: str | None, registered_dataset: str | None
) -> None:
    """A ``dataset`` given with an ``mdp`` is refused: the mdp's own data are used (probe 18:
    ``RamboModelEnv(dataset="mine.npz", mdp=mdp)`` or ``gym.make("RamboModel-hopper-medium",
    mdp=mdp, dataset="mine.npz")`` ignored the dataset without a word). The registration's own
    name (``registered_dataset``, which every ``gym.make`` passes) is taken; probe 34: any
    ``hopper-<level>`` was, so ``gym.make("RamboModel-hopper-medium", mdp=mdp,
    dataset="hopper-random")`` ignored hopper-random silently. Outside a registration
    (``RamboModelEnv(dataset=…, mdp=…)``), a short name of the mdp's env is taken."""
    from rambo_env.data.scores import env_name_from_id
    from rambo_env.envs.registration import ENVS, LEVELS

    if dataset is None:
        return
    if registered_dataset is not None:
        names = {registered_dataset}
    else:
        env = registered_env or env_name_from_id(getattr(mdp, "env_id", None))
        names = {f"{e}-{level}" for e in ([env] if env else ENVS) for level in LEVELS}
    if isinstance(dataset, str) and dataset in names:
        return
    shown = (
        repr(dataset) if isinstance(dataset, str | Path) else with_article(type(dataset).__name__)
    )
    raise ValueError(
        f"dataset: {shown} was given with `mdp`, which is already built on its own data (its "
        "start states and normaliser), so it would be ignored; leave `dataset` out, or pass "
        "`dataset` instead of `mdp` to build a model on it"
    )


def _check_short_name_level(name: str, registered_env: str | None, registered_dataset: str) -> None:
    """A short name (``hopper-random``) tells its env and level without loading: both are
    checked against the ``RamboModel-<env>-<level>`` id before the data are loaded (probe 40:
    ``gym.make("RamboModel-hopper-medium", dataset="hopper-random")`` generated 1M transitions
    first, minutes, then was refused). Paths and Minari ids are checked once loaded."""
    from rambo_env.data.loaders import SHORT_NAMES
    from rambo_env.data.scores import ENV_IDS

    if name not in SHORT_NAMES:
        return
    if registered_env is not None:
        env_id = ENV_IDS[SHORT_NAMES[name][0]]
        _check_registered_env(env_id, registered_env, "dataset", repr(name))
    _check_registered_level(name, registered_dataset, "dataset", name)


def _check_registered_level(
    name: Any, registered_dataset: str | None, what: str = "mdp", shown: str | None = None
) -> None:
    """The ``mdp`` (``what``; ``name``: its ``dataset_name``) or ``dataset`` (``name``: its
    ``name``; ``shown``: the ``dataset`` as given) of a ``RamboModel-<env>-<level>`` id is of
    that id's level. Probe 37: ``gym.make("RamboModel-hopper-random", mdp=<hopper-medium
    mdp>)`` was accepted, and Monitor /
    TensorBoard logs named hopper-random; probe 39: ``gym.make("RamboModel-hopper-medium",
    dataset=<a hopper-random Minari id>)`` trained and cached a hopper-random model under the
    hopper-medium id. Only a name that reads as ``<env>-<level>`` of a registered env and level
    is compared; others (your own data, an mdp pickled before the name was recorded) pass."""
    from rambo_env.envs.registration import ENVS, LEVELS
    from rambo_env.presets import parse_dataset_name

    if registered_dataset is None or not isinstance(name, str):
        return
    try:
        env, level = parse_dataset_name(name)
    except ValueError:
        return
    built = f"{env}-{level}"
    if env in ENVS and level in LEVELS and built != registered_dataset:
        if what == "mdp":
            head, usage = f"mdp: is a model of the {built} dataset ({name!r})", "mdp=mdp"
        else:
            shown = shown or name  # what was given (a Minari id, a path), else the data's name
            kind = with_article(level) if shown == built else f"the {built}"
            head, usage = f"dataset: {shown!r} is {kind} dataset", "dataset=…"
        raise ValueError(
            f"{head}, but the env id is RamboModel-{registered_dataset}, whose name Monitor / "
            f"TensorBoard logs would carry; make gym.make('RamboModel-{built}', {usage}), or "
            f"RamboModelEnv({usage}) directly"
        )


def _note_other_data(given: str | Path | None, name: Any, registered_dataset: str) -> None:
    """One note when ``gym.make("RamboModel-<env>-<level>", dataset=…)`` builds on data other
    than the id's: data of the same env that read as no registered level (your own data; another
    level is refused by :func:`_check_registered_level`, another env by
    :func:`_check_registered_env`). Probe 47: ``gym.make("RamboModel-hopper-random",
    dataset="p47/hop/ok-v0")`` was built without a word, though the id, and so Monitor /
    TensorBoard logs, name hopper-random."""
    from rambo_env.presets import parse_dataset_name

    if given is not None and str(given) == registered_dataset:
        return  # the registration's own (every gym.make passes it)
    if isinstance(name, str):
        try:
            if "-".join(parse_dataset_name(name)) == registered_dataset:
                return  # the id's data under another name (a Minari id, a path)
        except ValueError:
            pass
    shown = repr(str(given)) if given is not None else repr(name) if name else "an OfflineDataset"
    note(
        f"[rambo_env] note: the id names {registered_dataset}, dataset= gives {shown}: the env "
        f"is built on the latter (its spec.id, and so Monitor / TensorBoard logs, still read "
        f"RamboModel-{registered_dataset}; RamboModelEnv(dataset=…) names no level)",
    )


def _check_registered_env(env_id: str | None, registered_env: str, what: str, shown: str) -> None:
    """The data (``what`` = ``dataset``) or model (``mdp``) of a ``RamboModel-<env>-<level>`` id
    are of that env, compared by env name (``Hopper-v4`` data pass under a hopper id); those that
    name no env pass here (their dims are checked: :func:`_check_unnamed_mdp_dims`, and
    ``_load_dataset``'s ``unnamed_env``). An ``mdp`` of another env was accepted silently: a
    Hopper model under a Walker2d id; probe 42: so were Pendulum-v1 data or models under any id
    (only the three MuJoCo envs of the ids were compared)."""
    from rambo_env.envs.registration import ENVS

    data_env = env_name(env_id)
    if data_env is not None and data_env != registered_env:
        held = "holds" if what == "dataset" else "is a model of"
        if data_env in ENVS:
            instead = f"make RamboModel-{data_env}-<level> with it, or "
        else:
            instead = f"RamboModel-<env>-<level> ids are for {' / '.join(ENVS)} data only; use "
        raise ValueError(
            f"{what}: {shown} {held} {env_id} data, but the env id is "
            f"RamboModel-{registered_env}-…; {instead}"
            f"RamboModelEnv({what}=…) / RamboModelVectorEnv(n, {what}=…) directly"
        )


def _check_unnamed_mdp_dims(mdp: LearnedMDP, registered_env: str) -> None:
    """An ``mdp`` that names no env under a ``RamboModel-<env>-<level>`` id is taken as that env's
    model, as unnamed data are: its dims must be the env's (probe 42: a model of 1-D data was
    accepted under ``RamboModel-walker2d-medium``, Walker2d-v5 being 17/6)."""
    from rambo_env.data.scores import ENV_IDS

    env_id = ENV_IDS.get(registered_env)
    if env_id is None:
        return
    env = gym.make(env_id)
    try:
        dims = (env.observation_space.shape[0], env.action_space.shape[0])
    finally:
        env.close()
    have = (mdp.obs_dim, mdp.action_dim)
    if have != dims:
        raise ValueError(
            f"mdp: {mdp!r} names no env, so it is taken as a model of {env_id} (the env of "
            f"RamboModel-{registered_env}-…), but its obs_dim / action_dim {have[0]} / {have[1]} "
            f"are not {env_id}'s {dims[0]} / {dims[1]}; use the RamboModel id of its env, or "
            "RamboModelEnv(mdp=…) / RamboModelVectorEnv(n, mdp=…) directly"
        )


def _check_unused_with_mdp(
    mdp: LearnedMDP,
    device: str | torch.device,
    ensemble_config: EnsembleConfig | None,
    mle_config: MLEConfig | None,
    env_id: str | None,
    **make_mdp_args: Any,
) -> None:
    """One ValueError naming an argument that a given ``mdp`` would make ineffective
    (``make_mdp_args``: ``cache`` / ``precision`` / ``compile``, None when not given)."""
    for name, value in (
        ("env_id", env_id),
        ("ensemble_config", ensemble_config),
        ("mle_config", mle_config),
        *make_mdp_args.items(),
    ):
        if value is not None:
            plain = isinstance(value, str | bool | int | float)
            shown = repr(value) if plain else with_article(type(value).__name__)
            raise ValueError(
                f"{name}: {shown} was given with `mdp`, which is already built, so it would be "
                f"ignored; leave `{name}` out, or pass `dataset` instead of `mdp` to build a "
                "model with it"
            )
    if not (isinstance(device, str) and device == "auto"):
        wanted = resolve_device(device)
        have = mdp.device
        same_index = wanted.index is None or have.index is None or wanted.index == have.index
        if wanted.type != have.type or not same_index:
            raise ValueError(
                f"device: {str(device)!r} differs from the given mdp's device {have}; an mdp "
                f"keeps its device: leave `device` out, or move the mdp first (mdp.to({str(wanted)!r}))"
            )


def check_rollout_length(
    rollout_length: int,
    env_id: str | None = None,
    origin: str | None = None,
    *,
    flag: str = "rollout_length",
    warn: bool = False,
    limit: int | None = None,
) -> int:
    """The paper's k must be a positive int, at most the episode limit of ``env_id`` (the data's
    registered env, ``spec.max_episode_steps``): a model rollout longer than any real episode
    compounds the model's error far past the data (the paper's k are 2 and 5, Table 5). An env
    without a limit (or none) is not compared. The one check of the envs, ``make_agent`` and
    cotrain (issue 14, probe 33: ``gym.make("RamboModel-hopper-medium", rollout_length=1001)``
    was taken while ``cotrain.py --k 1001`` was refused; probe 32: ``--k 100000`` ran for
    minutes). ``origin``: where k came from (``config``, ``preset …``); ``flag``: what the error
    tells the user to change; ``warn``: also :func:`warn_long_rollout` (once: the caller that
    resolves k asks for it, the envs it builds do not). ``limit``: the data's recorded time limit
    (``dataset.env_max_episode_steps``, probe 81 row 30: a dataset of max_episode_steps=20 took
    k = 30), in place of the registered one."""
    if isinstance(rollout_length, bool) or not isinstance(rollout_length, int | np.integer):
        raise ValueError(f"rollout_length: expected a positive int, got {rollout_length!r}")
    if rollout_length < 1:
        raise ValueError(f"rollout_length: expected a positive int, got {rollout_length}")
    k = int(rollout_length)
    recorded = limit is not None
    try:
        limit = limit if recorded else gym.spec(env_id).max_episode_steps if env_id else None
    except (gym.error.Error, ImportError, ValueError):  # not registered: nothing to compare
        limit = None
    if limit is not None and k > limit:
        where = "the data's recorded max_episode_steps" if recorded else "spec.max_episode_steps"
        raise ValueError(
            f"rollout_length: k = {k}{f' ({origin})' if origin else ''} exceeds {env_id}'s "
            f"episode limit of {limit} steps ({where}): model rollouts longer "
            "than any real episode mean nothing (the paper's k are 2 and 5, Table 5); give a "
            f"{flag} of at most {limit}"
        )
    if warn:
        warn_long_rollout(k, origin or "config")
    return k


LONG_ROLLOUT = 50
"""A rollout length above this is warned about (:func:`warn_long_rollout`): 10 times the paper's
longest k (its k are 2 and 5, Table 5)."""


def warn_long_rollout(k: int, origin: str = "config") -> None:
    """One warning (not an error: a legitimate experiment) for a rollout length ``k`` far outside
    the paper's (above :data:`LONG_ROLLOUT`): the model's error compounds with every step of a
    rollout, so most of a long rollout's rows are the model's error, not the data's dynamics."""
    if k > LONG_ROLLOUT:
        note(
            f"[rambo_env] WARNING: rollout_length: k = {k} ({origin}) is far above the paper's "
            f"k of 2 and 5 (Table 5; this warning is for k > {LONG_ROLLOUT}): the model's error "
            "compounds with every step of a rollout, so the agent trains mostly on model error; "
            "the run goes on, but expect a low score or a diverging critic (the presets' 2 or 5 "
            "are the tested values)",
        )


#: What :func:`note_made_by_gym` already said in this process: ``("returns", env id)`` and
#: ``("k", env id, k)``, each once (not once per row of a vector env or an rl-zoo ``n_envs``).
_SAID_MADE: set[tuple[Any, ...]] = set()


def _said_in_tree(key: tuple[Any, ...]) -> bool:
    """Whether the note ``key`` was said in this process (or, forked, in its parent before the
    fork), or is said by another SB3 ``SubprocVecEnv`` worker of the same process: each worker
    claims the note (:func:`_claim_in_tree`) and only the first claimant speaks, whatever built
    the workers (``make_vec_env`` with any ``start_index``, a hand-built ``SubprocVecEnv`` of
    ``gym.make`` lambdas; was: 8 copies for ``n_envs`` 8, probe 127 N1; none for
    ``start_index=1``, probe 135; one per worker of a hand-built one, probe 135, and one per
    ``make_vec_env`` call, probe 136 S1). The caller's environment is never written to (probe
    118: no global side effects)."""
    if key in _SAID_MADE:
        return True
    if not _in_subproc_worker():
        # the caller's own process claims the note too: its workers, built before or after
        # (an eval env in the main process, training envs in a SubprocVecEnv), then stay quiet,
        # and it stays quiet after one of them spoke (probe 139 row 3: said twice)
        return _claim_in_tree(key, os.getpid()) is False
    claimed = _claim_in_tree(key, _tree_root())
    return (_make_vec_env_rank() not in (None, 0)) if claimed is None else not claimed


#: The sockets by which this worker claimed a note for its parent's workers (held while it lives).
_CLAIMS: dict[tuple[Any, ...], Any] = {}


@atexit.register
def _release_claims() -> None:
    """Close the claim sockets as the process ends (left to the collector, each was an
    "unclosed socket" ResourceWarning under ``python -X dev`` / ``-W error``; probe 146 side
    note)."""
    for claim in _CLAIMS.values():
        claim.close()
    _CLAIMS.clear()


def _claim_in_tree(key: tuple[Any, ...], root: int) -> bool | None:
    """Whether this process is the first of the process tree of ``root`` (the caller's process:
    :func:`_tree_root`) to claim the note ``key``: a Linux abstract socket named after ``root``
    and the note (nothing is written to the file system; it goes with the process). The caller's
    process and every SubprocVecEnv worker it builds (fork, spawn, forkserver) share the claim
    while a process holding it lives. Off Linux a file lock (:func:`_claim_by_file_lock`);
    ``None`` where neither can be had. Abstract sockets
    are per network namespace, pids per PID namespace: the name holds the PID namespace and
    ``root``'s start time too (probe 140 row 8: two scripts, each PID 1 of its own container
    sharing the host's network, bound one name and the second said nothing; a reused pid)."""
    if key in _CLAIMS:
        return True
    digest = hashlib.sha1(repr(key).encode()).hexdigest()[:16]
    if not sys.platform.startswith("linux"):  # probe 150: was None (said 2-4x on macOS)
        return _claim_by_file_lock(key, f"{root}-{_start_time(root)}-{digest}")
    claim = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    try:
        claim.bind(f"\0rambo_env-note-{_pid_namespace()}-{root}-{_start_time(root)}-{digest}")
    except OSError as err:
        claim.close()
        return False if err.errno == errno.EADDRINUSE else None
    _CLAIMS[key] = claim
    return True


class _FileClaim:
    """A note's claim off Linux: an ``fcntl.flock`` held on a file in the temp folder (the
    kernel drops it with its last holder, as an abstract socket goes; the file is removed by the
    process that made it as it ends)."""

    def __init__(self, fd: int, path: str) -> None:
        self.fd, self.path, self.pid = fd, path, os.getpid()

    def close(self) -> None:
        if self.fd < 0:
            return
        if os.getpid() == self.pid:  # not a forked child's inherited copy
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.close(self.fd)
        self.fd = -1

    __del__ = close


def _claim_by_file_lock(key: tuple[Any, ...], name: str) -> bool | None:
    """:func:`_claim_in_tree` where there are no abstract sockets (macOS): an exclusive
    ``fcntl.flock`` on ``<temp folder>/rambo_env-note-<uid>-<name>.lock``; ``None`` where the
    file cannot be made or locked (no ``fcntl``, an unwritable temp folder). Probe 150: on macOS
    the main process and a SubprocVecEnv's workers each said the note (2x; 4x for a hand-built
    SubprocVecEnv of 3 workers)."""
    try:
        import fcntl
    except ImportError:
        return None
    uid = getattr(os, "getuid", lambda: "")()
    path = os.path.join(tempfile.gettempdir(), f"rambo_env-note-{uid}-{name}.lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as err:
        os.close(fd)
        return False if err.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES) else None
    _CLAIMS[key] = _FileClaim(fd, path)
    return True


def _pid_namespace() -> str:
    """This process's PID namespace (the inode of ``/proc/self/ns/pid``, shared by the
    SubprocVecEnv workers it builds); empty where unreadable."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return ""


def _start_time(pid: int) -> str:
    """When the process ``pid`` started (field 22 of ``/proc/<pid>/stat``, clock ticks since
    boot): with its pid, one process, not a later one given the same pid; empty where
    unreadable."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19]
    except (OSError, IndexError):
        return ""


def _tree_root() -> int:
    """The caller's process of this SubprocVecEnv worker: the process that made its
    ``multiprocessing`` Process (fork, spawn, forkserver: the pid multiprocessing hands the
    worker, in the caller's PID namespace); else its parent (fork, spawn), or the parent of a
    multiprocessing forkserver (read from ``/proc``; the parent where unreadable). Probe 144 row
    10: in a PID namespace without its own ``/proc`` (``unshare --pid --fork``), ``/proc`` held
    another namespace's pids, the forkserver was not found and its workers claimed apart."""
    import multiprocessing

    maker = multiprocessing.parent_process()
    if maker is not None and isinstance(maker.pid, int):
        return maker.pid
    parent = os.getppid()
    try:
        cmdline = Path(f"/proc/{parent}/cmdline").read_bytes()
        if b"multiprocessing.forkserver" in cmdline:
            stat = Path(f"/proc/{parent}/stat").read_text()
            return int(stat.rpartition(")")[2].split()[1])  # field 4, after the comm field
    except (OSError, ValueError, IndexError):
        pass
    return parent


def _in_subproc_worker() -> bool:
    """Whether this env is built in an SB3 ``SubprocVecEnv`` worker (its worker loop is on the
    stack)."""
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "_worker" and Path(code.co_filename).name == "subproc_vec_env.py":
            return True
        frame = frame.f_back
    return False


def _make_vec_env_rank() -> int | None:
    """Where no claim could be made (:func:`_claim_in_tree` is None): the rank of ``make_vec_env``'s env maker on the stack,
    less its ``start_index`` where make_vec_env's frame is there (fork), so the first rank says
    the notes; ``None`` for a worker not built by make_vec_env (each such worker speaks)."""
    frame, rank, start = sys._getframe(1), None, 0
    while frame is not None:
        if is_sb3_env_util(frame.f_code, "_init"):
            rank = frame.f_locals.get("rank")
        elif is_sb3_env_util(frame.f_code, "make_vec_env"):
            start = frame.f_locals.get("start_index", 0)
        frame = frame.f_back
    return rank - start if isinstance(rank, int) and isinstance(start, int) else None


def note_made_by_gym(spec: Any, rollout_length: int, mdp: LearnedMDP, maker: str) -> None:
    """The notes of a model env built by ``gym.make`` / ``gym.make_vec`` (``maker``; its
    ``spec``, the id's registration), once per process each: for an SB3 / rl-zoo user the env is
    the caller that sets k and scores the agent. Probe 126: SB3's ``EvalCallback`` on the training
    id (the rl-zoo's ``--eval-freq``, ``-optimize``, ``enjoy``; Monitor's ``ep_rew_mean``) reported
    and chose ``best_model`` by k-step returns of the learned model, which nothing said were not
    the real env's scores; and ``gym.make(id, rollout_length=200)`` took k = 200 without the
    warning cotrain gives (:func:`warn_long_rollout`; the envs do not warn when built by a caller
    that resolves k, as cotrain's :class:`agents.vec_env.RamboModelVecEnv`)."""
    env_id = getattr(spec, "id", None) or type(mdp).__name__
    k = int(rollout_length)
    if not _said_in_tree(("returns", env_id)):
        _SAID_MADE.add(("returns", env_id))
        real = getattr(mdp, "env_id", None)
        shown = repr(real) if real else "dataset.env_id"
        note(
            f"[rambo_env] note: {env_id} steps the learned model, so its episode returns (SB3's "
            "Monitor and ep_rew_mean, an EvalCallback on this env and the best_model it keeps, "
            f"the rl-zoo's --eval-freq, -optimize and enjoy) are {k}-step (rollout_length) "
            f"returns of the model from dataset states, not scores of {real or 'the real env'}; "
            "score a policy in the real env with rambo_env.evaluation.evaluate_policy(lambda o: "
            f"agent.predict(o, deterministic=True)[0], {shown}, "
            "env.unwrapped.mdp.normalizer) (of an SB3 VecEnv, make_vec_env's or the rl-zoo's: "
            "venv.get_attr('mdp')[0].normalizer) (said once per id)",
        )
    if k > LONG_ROLLOUT and not _said_in_tree(("k", env_id, k)):
        _SAID_MADE.add(("k", env_id, k))
        warn_long_rollout(k, f"{maker}({env_id!r}, rollout_length={k})")


class RolloutLength:
    """The ``rollout_length`` attribute of the model envs, checked on every assignment as in the
    constructor (probe 19: ``env.unwrapped.rollout_length = 0`` was taken by the single and the
    Gymnasium vector env, which then truncated every step; SB3's ``set_attr`` already checked)."""

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        return self if obj is None else obj.__dict__["_rollout_length"]

    def __set__(self, obj: Any, value: Any) -> None:  # against the env's episode limit once built
        env_id = getattr(obj.__dict__.get("_mdp", obj.__dict__.get("mdp")), "env_id", None)
        obj.__dict__["_rollout_length"] = check_rollout_length(value, env_id)


class ModelMdp:
    """The ``mdp`` attribute of the model envs: a ``LearnedMDP`` of the env's spaces, checked on
    every assignment (probe 36: ``env.unwrapped.mdp = None`` was taken, then ``AttributeError:
    'NoneType' object has no attribute 'action_dim'`` at the next step)."""

    def __get__(self, obj: Any, objtype: Any = None) -> Any:
        if obj is None:
            return self
        found = obj.__dict__
        return found["_mdp"] if "_mdp" in found else found.get("mdp")  # "mdp": older pickles

    def __set__(self, obj: Any, value: Any) -> None:
        if not isinstance(value, LearnedMDP):
            raise ValueError(
                f"mdp: expected a LearnedMDP, got {type(value).__name__}; the env steps its "
                "model: make a new env for another one (gym.make(id, mdp=mdp))"
            )
        current = self.__get__(obj)
        if current is not None:
            spaces = ("observation_space", "action_space")
            have, new = ([getattr(m, s).shape for s in spaces] for m in (current, value))
            if have != new:
                raise ValueError(
                    f"mdp: a model of observations {new[0]} and actions {new[1]}, but the env's "
                    f"spaces are {have[0]} and {have[1]}; make a new env for it "
                    "(gym.make(id, mdp=mdp))"
                )
        obj.__dict__["_mdp"] = value


class _ModelEnvSpec(EnvSpec):
    """The model envs' ``spec``: ``to_json`` names the live ``mdp`` it cannot write (probe 36:
    was json's raw ``TypeError: Object of type LearnedMDP is not JSON serializable``)."""

    def to_json(self) -> str:
        live = [k for k, v in self.kwargs.items() if isinstance(v, LearnedMDP)]
        if live:
            raise ValueError(
                f"spec.to_json: spec.kwargs[{live[0]!r}] is a LearnedMDP, a live object JSON cannot "
                "hold (gym.make(env.spec) re-makes the env in this process); to log the spec, "
                f"leave it out: {{k: v for k, v in env.spec.kwargs.items() if k != {live[0]!r}}}"
            )
        data = [k for k, v in self.kwargs.items() if _is_dataset(v)]
        if data:  # probe 67: json's raw "Object of type ndarray is not JSON serializable"
            raise ValueError(
                f"spec.to_json: spec.kwargs[{data[0]!r}] is an OfflineDataset (its arrays), which "
                "JSON cannot hold (gym.make(env.spec) re-makes the env in this process); make the "
                "env with the dataset's name or file path to write its spec as JSON"
            )
        paths = {k: os.fspath(v) for k, v in self.kwargs.items() if isinstance(v, os.PathLike)}
        if paths:  # probe 67: a pathlib.Path was json's raw "PosixPath is not JSON serializable"
            return dataclasses.replace(self, kwargs={**self.kwargs, **paths}).to_json()
        return super().to_json()


def as_float32(value: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` as a float32 array; one ValueError naming ``what`` for strings, ragged lists,
    objects, None, booleans and complex numbers (numpy would drop the imaginary part with only a
    warning).

    A torch tensor that requires grad (an actor's output) is taken detached (probe 18: was
    torch's raw "Can't call numpy() on Tensor that requires grad"); a ``numpy.ma`` array with
    masked entries is refused (was: the hidden values under the mask were stepped with).
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
    if np.ma.isMaskedArray(value) and np.ma.getmaskarray(value).any():
        bad = tuple(int(i) for i in np.argwhere(np.ma.getmaskarray(value))[0])
        raise ValueError(
            f"{what}{list(bad)} is masked ({int(np.ma.getmaskarray(value).sum())} masked "
            "entries); fill them (value.filled(…)) or pass a plain array"
        )
    try:  # one conversion; None (a 0-d NaN to numpy) and booleans (a done mask?): probe 19
        arr = np.asarray(value)
        if value is None or arr.dtype.kind in "bc":  # booleans, complex
            raise TypeError("not real numbers")
        with np.errstate(over="ignore"):  # said below, naming the entry
            cast = arr.astype(np.float32, copy=False)
    except (TypeError, ValueError):
        raise ValueError(
            f"{what}: expected real numbers of shape {shape}, got {type(value).__name__} "
            f"{str(value)[:60]!r}"
        ) from None
    if cast is not arr and arr.dtype.kind == "f":
        over = np.isinf(cast) & np.isfinite(arr)  # probe 67: numpy's overflow warning, then
        if over.any():  # "not finite (inf)" for a finite 1.8e308
            i = tuple(int(j) for j in np.argwhere(over)[0])
            raise ValueError(
                f"{what}{list(i) if i else ''}: {float(arr[i])!r} is beyond float32's range "
                f"(±{np.finfo(np.float32).max:.3g}), in which the model env computes; pass a "
                "value within it"
            )
    return cast


def as_action_tensor(
    action: Any, mdp: LearnedMDP, n_rows: int | None, env: Any = None
) -> torch.Tensor:
    """Env-scale actions -> float32 ``[n, A]`` on the MDP's device, clipped to the action space.

    NaN / inf actions are refused (clipping would pass NaN on into the model's rollout). An
    action outside the action space is clipped with one warning per ``env`` (the front-end
    stepping; :func:`warn_clipped_action`).
    """
    expected = (mdp.action_dim,) if n_rows is None else (n_rows, mdp.action_dim)
    array = as_float32(action, "action", expected)
    if array.shape != expected:
        raise ValueError(f"action: expected shape {expected}, got {array.shape}")
    if not np.isfinite(array).all():  # on the host: no device sync (~30 µs for 50 000 x 3)
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        raise ValueError(f"action{list(bad)}: not finite ({array[bad]})")
    if env is not None and not getattr(env, "_warned_clipped_action", False):
        warn_clipped_action(array, mdp, env)
    # a dataset's rows are read-only (torch warns of sharing them): copied, else shared
    action = torch.as_tensor(array if array.flags.writeable else array.copy(), device=mdp.device)
    low = torch.as_tensor(mdp.action_space.low, dtype=torch.float32, device=mdp.device)
    high = torch.as_tensor(mdp.action_space.high, dtype=torch.float32, device=mdp.device)
    return torch.clamp(action.reshape(-1, mdp.action_dim), low, high)  # [n, A]


def warn_clipped_action(
    array: np.ndarray, mdp: LearnedMDP, env: Any, clipper: str = "the model env"
) -> None:
    """One warning per ``env`` the first time an action lies outside the action space by more
    than float32 rounding (probe 34: ``np.full(3, 100.)`` stepped as ``[1, 1, 1]`` without a
    word, while the real env charges its control cost on the unclipped action, so a policy
    emitting unscaled actions looked fine in the model). On the host array: no device sync;
    after the warning, no check at all; before it, two reductions (~4 µs for 2000 x 3).
    ``mdp``: anything with ``action_space`` (and ``env_id``); ``clipper`` names who clips (the
    toy envs pass themselves, probe 63)."""
    space = mdp.action_space
    limits = getattr(env, "_action_limits", None)
    if limits is None or limits[0] is not space:  # once per env: bounds with a rounding margin
        margin = 1e-6 * np.maximum(np.maximum(np.abs(space.low), np.abs(space.high)), 1.0)
        low, high = space.low - margin, space.high + margin
        limits = env._action_limits = (space, low, high, float(low.max()), float(high.min()))
    _, low, high, lowest, highest = limits
    if array.min() >= lowest and array.max() <= highest:  # inside every dimension's bounds
        return
    outside = (array < low) | (array > high)
    if not outside.any():
        return
    low, high = space.low, space.high
    env._warned_clipped_action = True
    at = tuple(int(i) for i in np.argwhere(outside)[0])
    j = at[-1]
    env_id = getattr(mdp, "env_id", None)
    if charges_unclipped_action(env_id):  # probe 42 row 79: not Pendulum-v1's (clips first)
        why = (
            f", but the real env ({env_id}) charges its control cost on the unclipped action, "
            "so a policy emitting unscaled actions (torques? a missing tanh?) scores better "
            "here than there: scale actions into the action space"
        )
    else:
        why = "; scale actions into the action space (a missing tanh?)"
    warn_each_time(
        f"action{list(at)} = {float(array[at]):.6g} is outside the action space "
        f"[{float(low[j]):g}, {float(high[j]):g}]; {clipper} clips it "
        f"({counted(int(outside.sum()), 'entry', 'entries')} of this step; warned once per env){why}",
        stacklevel=user_stacklevel(),
    )


#: Why the model envs render nothing, and what to render instead.
NOTHING_TO_RENDER = (
    "the model env has nothing to render (its states are the learned model's normalised "
    "observations); render the real env instead: gym.make(dataset.env_id, render_mode=...)"
)

#: What SB3's ``VecVideoRecorder`` over a model env is told (carry45: was SB3's AssertionError).
NO_VIDEO = (
    f"{NOTHING_TO_RENDER}; record videos of the real env with the agent's policy: "
    "VecVideoRecorder(DummyVecEnv([lambda: NormalizedObservation(gym.make(dataset.env_id, "
    'render_mode="rgb_array"), mdp.normalizer)]), …) (NormalizedObservation: from '
    "rambo_env.evaluation)"
)

#: What gymnasium's ``RecordVideo`` over a model env is told (probe 127: was gymnasium's "Render
#: mode is None … such as rgb_array", which the model env then refuses).
NO_GYM_VIDEO = (
    f"{NOTHING_TO_RENDER}; record videos of the real env with the agent's policy: "
    'RecordVideo(NormalizedObservation(gym.make(dataset.env_id, render_mode="rgb_array"), '
    "mdp.normalizer), …) (NormalizedObservation: from rambo_env.evaluation)"
)
#: What the others (gymnasium's HumanRendering, RenderCollection, AddRenderObservation) are told.
_NO_FRAMES = (
    f"{NOTHING_TO_RENDER}, and wrap that: e.g. HumanRendering(gym.make(dataset.env_id, "
    'render_mode="rgb_array"))'
)
_NO_VIDEO_OF = {"VecVideoRecorder": NO_VIDEO, "RecordVideo": NO_GYM_VIDEO, "*": _NO_FRAMES}


def check_known_keywords(
    cls: type, unknown: dict[str, Any], module: str = "rambo_env", owner: type | None = None
) -> None:
    """One ValueError naming a keyword ``owner.__init__`` does not take, with the accepted ones and
    the closest (probe 40: ``gym.make("RamboModel-hopper-medium", rollout_lenght=5)`` was
    gymnasium's TypeError dumping the whole kwargs dict). gym.make's own keywords
    (``max_episode_steps``, ``disable_env_checker``, …) never reach the env. ``cls``: the
    instance's class; ``owner``: the class whose ``__init__`` collected ``unknown`` (default
    ``cls``); ``module``: where ``owner`` is imported from, for the ``help(…)`` hint.

    Probe 98 row 11: a subclass passing its own keyword on (``super().__init__(**kw,
    bonus=bonus)``) was told "not a keyword of Shaped3 (did you mean 'bonus'?); it takes bonus
    (help(rambo_env.Shaped3))": the keywords listed were the subclass's, not the base class's.
    """
    if not unknown:
        return
    owner = cls if owner is None else owner
    params = inspect.signature(owner.__init__).parameters.values()
    accepted = [
        p.name
        for p in params
        if p.kind is p.POSITIONAL_OR_KEYWORD
        and p.name != "self"
        and not p.name.startswith("registered_")  # set by the registration
        and p.name != "max_episode_steps"  # the vector env's: only to refuse it
    ]
    name = next(iter(unknown))
    # The subclass's own __init__ takes the keyword: it passed it on instead of consuming it.
    own = cls is not owner and cls.__init__ is not owner.__init__
    own = own and name in inspect.signature(cls.__init__).parameters
    hint = (
        f"; {cls.__name__}.__init__ takes {name!r} itself but passes it on to "
        f"{owner.__name__}.__init__: a subclass must consume its own keywords (keep them out of "
        "the ones it passes on) before calling super().__init__"
        if own
        else ""
    )
    raise ValueError(
        f"{name}: not a keyword of {owner.__name__}{'' if own else did_you_mean(name, accepted)}; "
        f"it takes {', '.join(accepted)} (help({module}.{owner.__name__})){hint}"
    )


def check_render_mode(render_mode: Any) -> None:
    """The model envs render nothing: ``render_mode`` None only (``gym.make(..., render_mode=…)``
    was gymnasium's raw ``TypeError: … unexpected keyword argument 'render_mode'``)."""
    # SB3's make_vec_env passes "rgb_array" by itself (probe 23): taken as None (probe 131 R5)
    if render_mode is not None and not sb3_default_render_mode(render_mode):
        raise ValueError(
            f"render_mode: {render_mode!r}, but {NOTHING_TO_RENDER}; {SB3_RENDER_MODE_FIX} (or "
            "use agents.vec_env.RamboModelVecEnv)"
        )


#: Keys ``reset`` of the model envs accepts in ``options``.
RESET_OPTIONS = ("state",)
#: ``reset(options={"state": …})`` warns beyond this many dataset standard deviations (probe 36:
#: was 100, so a state 50 std from the data, where the model's predictions mean nothing, passed).
FAR_STATE = 20.0
#: ``reset(options={"state": …})`` warns when its rows look raw by this many nats a row
#: (:func:`warn_raw_state`).
RAW_STATE_NATS = 2.0


def check_reset_seed(seed: Any, num_envs: int | None = None) -> int | None:
    """``seed`` of ``reset``: None or an int >= 0 (numpy ints taken); one ValueError naming
    ``seed`` otherwise (was gymnasium's raw "Seed must be a python integer").

    A vector env (``num_envs`` given) refuses Gymnasium's per-env list: its rows share one
    generator (one batched model draw per step), so no row can be given its own seed.
    """
    if seed is None:
        return None
    if num_envs is not None and isinstance(seed, list | tuple | np.ndarray):
        raise ValueError(
            f"seed: a list of per-env seeds ({_short(seed)}) is not supported: the {num_envs} "
            "rows share one random generator (one batched model draw per step), so one seed "
            "seeds them all; pass an int >= 0 (or None)"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed: expected an int >= 0 or None, got {_short(seed)}")
    return int(seed)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check_reset_options(options: Any) -> None:
    """``options`` of ``reset``: None or a dict of :data:`RESET_OPTIONS` keys (a typo is an error)."""
    if options is None:
        return
    if not isinstance(options, dict):
        raise ValueError(f"options: expected a dict or None, got {type(options).__name__}")
    unknown = sorted(str(k) for k in options if k not in RESET_OPTIONS)
    if unknown:
        raise ValueError(f"options: unknown key(s) {unknown}; accepted: {list(RESET_OPTIONS)}")


def check_open(closed: bool, call: str, make: str = "gym.make / RamboModelEnv(…)") -> None:
    """``reset`` / ``step`` of a closed model env (probe 19: stepped on silently after
    ``close()``): gymnasium's :class:`~gymnasium.error.ClosedEnvironmentError`, as its
    ``AsyncVectorEnv`` raises; torch's default dtype other than float32 is refused too.
    ``make``: how the caller's kind of env is made (probe 88 row 55: a vector env's error
    named the single env's constructors)."""
    if closed:
        raise gym.error.ClosedEnvironmentError(
            f"{call}: the env was closed (close()); make a new one ({make})"
        )
    check_default_dtype(call)  # probe 23: float64 was torch's raw dtype error in the model
    check_default_device(call)  # probe 91 row 5: a meta default was torch's raw copy error


def state_from_options(state: Any, shape: tuple[int, ...], mdp: LearnedMDP) -> torch.Tensor:
    """``reset(options={"state": …})``: NORMALISED observations of ``shape`` (``[O]`` for one
    env, ``[n, O]`` for a vector env), finite, as a float32 tensor on ``mdp.device``; one
    ValueError naming ``options["state"]`` (and the first non-finite entry) otherwise."""
    if state is None:  # probe 19: was taken as "no state", so a dataset state was drawn
        raise ValueError(
            'options["state"]: None; leave the key out to start from a dataset state, or give '
            f"normalised observation(s) of shape {shape}"
        )
    obs = as_float32(state, 'options["state"]', shape)
    if obs.shape != shape:
        raise ValueError(
            f'options["state"]: expected normalised observation(s) of shape {shape}, got '
            f"{obs.shape}"
        )
    if not np.all(np.isfinite(obs)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(obs))[0])
        raise ValueError(f'options["state"]{list(bad)}: not finite ({obs[bad]})')
    warn_raw_state(obs, mdp)
    far = np.abs(obs) > FAR_STATE
    if far.any():  # probe 28: 1e30 was taken without a word (the next obs ~1e30, reward 2e30)
        at = tuple(int(i) for i in np.argwhere(far)[0])
        warn_each_time(
            f'options["state"]{list(at)} = {obs[at]:.4g}: {counted(int(far.sum()), "entry", "entries")} more than '
            f"{FAR_STATE:g} dataset standard deviations from the dataset mean (the states are "
            "NORMALISED observations); the model extrapolates there. Normalise raw "
            "observations first (env.unwrapped.mdp.normalizer.normalize)",
            stacklevel=user_stacklevel(),
        )
    return torch.tensor(obs, device=mdp.device)  # a copy: a dataset row is read-only


def warn_raw_state(
    obs: np.ndarray,
    mdp: LearnedMDP,
    what: str = 'options["state"]',
    fix: str = "the model env's states are NORMALISED observations: pass "
    "env.unwrapped.mdp.normalizer.normalize(raw_state)",
) -> None:
    """Warn when ``reset(options={"state": …})`` / SB3's ``set_options`` is given RAW observations
    (a dataset or real-env state) where the model env takes normalised ones (probe 36: taken as
    z-scores without a word, the Hopper height 1.24 read as +1.24 std). As ``predict``'s watch
    (:func:`agents.fused.watch_for_raw_observations`): the log-likelihood ratio of the rows under
    the data's N(mean, std) (raw) against N(0, 1) (normalised), over every dimension, averaged
    over the rows, above :data:`RAW_STATE_NATS`; only for data with a dimension whose mean lies
    more than 3 std from 0 (the Hopper height), which alone tells the two scales apart (without
    one, a normalised state near the data's mean fits the narrow raw densities too). On
    Hopper data: raw rows >= 2.4 nats (1st percentile), normalised ones <= -1.4 (the maximum).
    ``what`` / ``fix``: the argument named and what to do (probe 101 row 57: the first
    :meth:`LearnedMDP.transition` of an mdp, with ``obs``)."""
    nats = raw_state_nats(obs, getattr(mdp, "normalizer", None))
    if nats is not None:
        warn_each_time(
            f"{what}: the state(s) look raw (unnormalised): they fit the data's mean and std "
            f"far better than the normalised scale the model steps ({nats:.1f} nats a row); "
            f"{fix}",
            stacklevel=user_stacklevel(),
        )


def raw_state_nats(obs: np.ndarray, normalizer: Any) -> float | None:
    """The detector of :func:`warn_raw_state`: the mean log-likelihood ratio (nats a row) of the
    rows of ``obs`` [..., O] under the data's N(mean, std) against N(0, 1) where it exceeds
    :data:`RAW_STATE_NATS` (the rows look raw), else None (also for data without a dimension
    whose mean lies more than 3 std from 0, or without a ``normalizer``). Also
    ``ModelAdversary.step``'s watch on its given states (probe 101)."""
    if normalizer is None:
        return None
    mean, std = (np.asarray(a, np.float64) for a in (normalizer.mean, normalizer.std))
    if not (np.abs(mean) > 3 * std).any():
        return None
    x = np.asarray(obs).reshape(-1, mean.shape[0]).astype(np.float64)
    nats = float(raw_scale_evidence(x, mean, std).mean())  # over the rows
    return nats if nats > RAW_STATE_NATS else None


class RamboModelEnv(gym.Env[np.ndarray, np.ndarray]):
    """One model rollout at a time (use the vector / SB3 front-ends for batches).

    Args:
        dataset: dataset name (``"hopper-medium"``), path, or ``OfflineDataset``.
        rollout_length: the paper's k: ``truncated`` after this many steps.
        device: ``"auto"`` (cuda if available), ``"cpu"``, ``"cuda"``...
        mdp: an existing ``LearnedMDP`` (skips loading / training; takes precedence).
        ensemble_config, mle_config: forwarded to ``make_mdp``.
        seed: the model's training seed (part of the cache key; None = 0); the env's own
            randomness is seeded through ``reset(seed=...)`` as usual. Refused with ``mdp``.
        render_mode: None only: there is nothing to render (refused with one error otherwise).
        registered_env: set by the ``RamboModel-<env>-<level>`` registration (``hopper``): the
            data (the id's own, or a ``dataset=`` given to ``gym.make``) must be of that env.
        registered_dataset: set by the registration too (``hopper-medium``): with an ``mdp``,
            the only ``dataset`` taken (it is the one ``gym.make`` passes).
        progress: ``make_mdp``'s MLE progress bar (``gym.make(…, progress=False)``).
        cache, precision, compile: ``make_mdp``'s (None: its defaults: cached, ``fp32``, eager);
            refused with ``mdp``.

    ``reset(options={"state": obs})`` starts from a given NORMALISED observation ``[O]``;
    ``step``'s info holds ``member_idx``, the elite that generated the transition.
    ``env.unwrapped.mdp`` is the shared ``LearnedMDP`` (the adversary updates its ensemble).
    """

    metadata = renders_nothing(_NO_VIDEO_OF)  # probe 91a row 7: instances only (gym.make warned)
    render_mode = RenderModeNone(_NO_VIDEO_OF)  # probe 127: gymnasium's RecordVideo reads it
    rollout_length = RolloutLength()
    mdp = ModelMdp()
    _spec: EnvSpec | None = None

    def __init__(
        self,
        dataset: OfflineDataset | str | Path | None = None,
        rollout_length: int = 5,
        device: str | torch.device = "auto",
        mdp: LearnedMDP | None = None,
        ensemble_config: EnsembleConfig | None = None,
        mle_config: MLEConfig | None = None,
        seed: int | None = None,
        env_id: str | None = None,
        render_mode: str | None = None,
        registered_env: str | None = None,
        registered_dataset: str | None = None,
        progress: bool = True,
        cache: bool | None = None,
        precision: str | None = None,
        compile: bool | None = None,
        **unknown: Any,
    ) -> None:
        # A typo: before anything is built (RamboModelEnv's keywords, even from a subclass).
        check_known_keywords(type(self), unknown, owner=RamboModelEnv)
        check_render_mode(render_mode)
        self.rollout_length = check_rollout_length(rollout_length)
        _check_make_max_episode_steps(self.rollout_length)  # before any dataset load
        self.mdp = build_mdp(
            dataset,
            mdp,
            device=device,
            ensemble_config=ensemble_config,
            mle_config=mle_config,
            seed=seed,
            env_id=env_id,
            registered_env=registered_env,
            rollout_length=self.rollout_length,  # the data's episode limit, before the MLE
            registered_dataset=registered_dataset,
            progress=progress,
            cache=cache,
            precision=precision,
            compile=compile,
        )
        if (make_locals := make_call_locals()) is not None:  # probe 126: once per process
            note_made_by_gym(make_locals.get("env_spec"), self.rollout_length, self.mdp, "gym.make")
        # Own copies: a space carries its own sampling RNG.
        self.observation_space = copy.deepcopy(self.mdp.observation_space)
        self.action_space = copy.deepcopy(self.mdp.action_space)
        self._obs: torch.Tensor | None = None  # [O] normalised, on mdp.device
        self._n_steps = 0
        self._ended: str | None = None  # how the episode ended, until the next reset
        self._closed = False

    @property
    def spec(self) -> EnvSpec | None:
        """The registration ``gym.make`` gave, with ``max_episode_steps`` = ``rollout_length``
        where it names none: every episode is truncated after k steps, and wrappers that need
        the episode length read it there (probe 24: ``TimeAwareObservation`` was gymnasium's raw
        "must be wrapped by a TimeLimit wrapper or the spec specify a max_episode_steps")."""
        spec = self._spec
        if spec is None:
            return None
        if spec.max_episode_steps is None:
            spec = dataclasses.replace(spec, max_episode_steps=int(self.rollout_length))
        if not isinstance(spec, _ModelEnvSpec):  # to_json names the mdp (probe 36)
            fields = dataclasses.fields(spec)
            spec = _ModelEnvSpec(**{f.name: getattr(spec, f.name) for f in fields if f.init})
        return spec

    @spec.setter
    def spec(self, value: EnvSpec | None) -> None:
        self._spec = value

    def close(self) -> None:
        """Ends the env: a later ``reset`` / ``step`` raises ``ClosedEnvironmentError``."""
        self._closed = True
        self._obs = None
        super().close()

    @numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[np.ndarray, dict[str, Any]]:
        check_open(self._closed, "reset")
        seed = check_reset_seed(seed)
        check_reset_options(options)
        _check_no_time_limit(self)  # every reset (probe 23: once, so a TimeLimit added after
        # the first reset truncated the rollouts silently); a walk of the caller's frames
        warn_normalize_observation(self)
        super().reset(seed=seed)
        if options is not None and "state" in options:
            self._obs = state_from_options(options["state"], self.observation_space.shape, self.mdp)
        else:
            self._obs = self.mdp.initial(1, self.np_random)[0]  # [O]
        self._n_steps = 0
        self._ended = None
        return host_array(self._obs), {}

    @numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
    def step(
        self, action: np.ndarray
    ) -> tuple[np.ndarray, SupportsFloat, bool, bool, dict[str, Any]]:
        check_open(self._closed, "step")
        if self._obs is None:
            raise gym.error.ResetNeeded("step: call reset() before step()")
        if self._ended is not None:  # was: stepped on from the terminal / k-th state, silently
            raise gym.error.ResetNeeded(
                f"step: the episode {self._ended} at step {self._n_steps}; call reset() before "
                "stepping again"
            )
        action_t = as_action_tensor(action, self.mdp, n_rows=None, env=self)  # [1, A]
        member_idx, noise = self.mdp.draw(1, self.np_random)  # [1], [1, T]
        with torch.no_grad():
            next_obs, reward, terminated = self.mdp.step_with(
                self._obs[None],
                action_t,
                member_idx,
                noise,
                check_finite=False,  # action_t: checked
            )
        self.mdp.check_finite_step(next_obs, reward, "step")
        self._obs = next_obs[0]
        self._n_steps += 1
        truncated = self._n_steps >= self.rollout_length  # Section 5.2: k-step rollouts
        if bool(terminated[0]) or truncated:
            self._ended = "terminated" if bool(terminated[0]) else "was truncated (rollout_length)"
        info = {"member_idx": int(member_idx[0])}
        return host_array(self._obs), float(reward[0]), bool(terminated[0]), truncated, info

    def render(self) -> None:
        """Refused: was gymnasium's bare ``NotImplementedError`` with no message."""
        raise NotImplementedError(f"render: {NOTHING_TO_RENDER}")

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_obs"] = None if self._obs is None else self._obs.cpu()
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        # pickles made before these were tracked
        self.__dict__.update({"_ended": None, "_closed": False, **state})
        if self._obs is not None:
            self._obs = self._obs.to(self.mdp.device)
