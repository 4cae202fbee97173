"""``make_agent``: an ordinary SB3 / sb3-contrib off-policy agent wired for RAMBO co-training.

What the helper sets (everything else is the library's own default, and every keyword can be
overridden through ``**agent_kwargs``):

* Alg. 1 wiring: ``train_freq=(k, "step")`` (one collect = one k-step rollout of every VecEnv row,
  line 3), ``gradient_steps=1000`` (line 4), ``learning_starts=0``, the
  :class:`~agents.buffer.MixedReplayBuffer` (real ratio f, model pool of ``retain_iterations``
  iterations), batch 256, γ 0.99.
* Table 4 for SAC (and TQC, TD3, DDPG where the setting exists): actor lr 1e-4, critic lr 3e-4,
  τ 5e-3, automatic entropy with target −dim(A), 2 × 256 networks (official code).
* CrossQ keeps its published network (BatchRenorm, wide critics), learning rate 1e-3 and Adam
  β1 = 0.5; it has no target networks.
* TD3/DDPG explore with Gaussian noise σ = 0.1 (scaled actions), drawn for all rows at once.

Two learning rates in SB3: SB3 writes ONE learning rate (``learning_rate``, here the actor's)
into every optimizer at each ``train()`` call. The optimizers are :class:`LrScaledAdam`, whose
param groups carry an ``lr_scale`` applied inside ``step()``; the critic's is set to
``critic_lr / actor_lr``. It is saved in the optimizer state, so ``SAC.load`` keeps it. The
entropy-coefficient optimizer uses ``learning_rate`` (α lr 1e-4, as in the official code).
"""

from __future__ import annotations

import copy
import difflib
import functools
import inspect
import math
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np
import sb3_contrib
import stable_baselines3 as sb3
import torch
from stable_baselines3.common.noise import ActionNoise, NormalActionNoise, VectorizedActionNoise
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.vec_env import VecEnv, VecEnvWrapper, unwrap_vec_normalize

from agents.buffer import (
    OPTIMIZE_MEMORY_REFUSED,
    MixedReplayBuffer,
    check_real_ratio,
    check_real_share,
    model_pool_size,
)
from agents.cotrain_setup import check_ent_coef
from agents.critics import unwrapped_noise
from agents.fused import CheckedSaveLoad, FusedSAC
from agents.policies import LIBRARY_LOG_STD_MIN, FlooredSACPolicy, FlooredTQCPolicy
from agents.vec_env import check_row_wrappers, vec_env_mdp
from rambo_env.command_line import did_you_mean
from rambo_env.dynamics.ensemble import check_device
from rambo_env.envs.model_env import check_rollout_length
from rambo_env.logging import note
from rambo_env.optim import DirectAdam
from rambo_env.presets import BASE_HYPERPARAMETERS as BASE
from rambo_env.run_io import (
    AGENT_SEED_LIMIT,
    check_batch_within_rows,
    check_default_device,
    check_default_dtype,
    check_flag,
    check_path_text,
    check_seed,
    check_torch_int_variables,
    check_writable,
    counted,
    is_int,
    is_real,
    numpy_underflow_ignored,
    python_scalar,
    with_article,
)

if TYPE_CHECKING:
    from rambo_env.data.dataset import OfflineDataset
    from rambo_env.normalization import ObsNormalizer

__all__ = [
    "AGENT_CLASSES",
    "COMPILED_ALGOS",
    "BatchedGaussianNoise",
    "LrScaledAdam",
    "agent_learning_rates",
    "check_sb3_numbers",
    "make_agent",
    "quiet_logger",
    "set_critic_lr",
    "set_ent_coef_max",
]


class TD3(CheckedSaveLoad, sb3.TD3):
    """SB3's TD3; ``save`` / ``load`` name a bad path (was: SB3's RecursionError for an
    unwritable folder, NotADirectoryError for one under a file)."""


class DDPG(CheckedSaveLoad, sb3.DDPG):
    """SB3's DDPG; ``save`` / ``load`` name a bad path (see :class:`TD3`)."""


class TQC(CheckedSaveLoad, sb3_contrib.TQC):
    """sb3-contrib's TQC; ``save`` / ``load`` name a bad path (see :class:`TD3`)."""


class CrossQ(CheckedSaveLoad, sb3_contrib.CrossQ):
    """sb3-contrib's CrossQ; ``save`` / ``load`` name a bad path (see :class:`TD3`)."""


#: Short name -> algorithm class (exact names; one name swaps the agent). ``"sac"`` is
#: :class:`~agents.fused.FusedSAC`: SB3's SAC with the same gradient step in fewer pieces (issue 12).
#: An entry may be replaced by a subclass of the class shipped there (make_agent refuses another
#: class); a class of one's own is built by hand (:data:`OWN_AGENT_RECIPE`).
AGENT_CLASSES: dict[str, type[OffPolicyAlgorithm]] = {
    "sac": FusedSAC,
    "td3": TD3,
    "ddpg": DDPG,
    "tqc": TQC,
    "crossq": CrossQ,
}

#: The table as shipped: :func:`make_agent` builds under each name only a subclass of the class
#: shipped there (probe 128 rows 2-3: ``AGENT_CLASSES["sac"] = SAC`` / ``= PPO`` were raw
#: ``TypeError``s about ``compile`` / ``buffer_size`` from the constructor).
_SHIPPED_AGENT_CLASSES: dict[str, type[OffPolicyAlgorithm]] = dict(AGENT_CLASSES)

#: How to build an agent of a class of one's own for :class:`agents.callback.RamboCallback`
#: (``{cls}``: the class; ``{k}``: the rollout length); probe 128 row 1: without
#: ``replay_buffer_kwargs`` the buffer was SB3's raw "missing 2 required keyword-only arguments".
OWN_AGENT_RECIPE = (
    "{cls}('MlpPolicy', vec_env, replay_buffer_class=agents.buffer.MixedReplayBuffer, "
    "replay_buffer_kwargs=dict(dataset=dataset, normalizer=normalizer, real_ratio=0.5), "
    "train_freq=({k}, 'step'), learning_starts=0)"
)


def own_agent_recipe(cls_name: str = "MyAgent", k: int | str = "k") -> str:
    """:data:`OWN_AGENT_RECIPE` for class ``cls_name`` and rollout length ``k``."""
    return OWN_AGENT_RECIPE.format(cls=cls_name, k=k)


def _public_name(cls: type) -> str:
    """``stable_baselines3.TD3`` / ``sb3_contrib.TQC`` where the package exports ``cls``, else
    its module path (``agents.fused.FusedSAC``)."""
    for package in (sb3, sb3_contrib):
        if getattr(package, cls.__name__, None) is cls:
            return f"{package.__name__}.{cls.__name__}"
    return f"{cls.__module__}.{cls.__qualname__}"


def _check_agent_class(algo: str) -> None:
    """``AGENT_CLASSES[algo]`` is a subclass of the class shipped under ``algo`` (and of none
    shipped under another name below it: DDPG, a TD3, is not taken as ``'td3'``), so that
    make_agent's per-name arguments (``compile``, the policy, ``buffer_size``) fit it."""
    cls = AGENT_CLASSES[algo]
    shipped = _SHIPPED_AGENT_CLASSES[algo]
    mro = cls.__mro__ if isinstance(cls, type) else ()
    nearest = next((c for c in mro if c in _SHIPPED_AGENT_CLASSES.values()), None)
    if nearest is shipped:
        return
    name = _public_name(cls) if isinstance(cls, type) else repr(cls)
    if not (isinstance(cls, type) and issubclass(cls, OffPolicyAlgorithm)):
        why = (
            f"{name} is not an off-policy agent. RAMBO's agent is off-policy: it samples real "
            "and model transitions from a replay buffer"
        )
    else:
        why = f"{name} is not a subclass of {_public_name(shipped)}"
        stale = [c for c in mro if _public_name(c) == _public_name(shipped)]
        if stale:  # probe 130 row 8: a subclass defined before importlib.reload(agents.factory)
            why += (
                f" (it subclasses the {_public_name(shipped)} of an earlier import of its module: "
                "agents.factory was reloaded, importlib.reload, after the class was defined, so "
                "the names match but the classes differ; define the class again after the "
                "reload, or do not reload)"
            )
    raise ValueError(
        f"AGENT_CLASSES[{algo!r}]: {why}; make_agent builds under {algo!r} only "
        f"{_public_name(shipped)} or a subclass of it (its arguments, policy and defaults are "
        f"per name); put back AGENT_CLASSES[{algo!r}] = {_public_name(shipped)} (or a subclass "
        "of it), or for an off-policy class of your own build the SB3 agent yourself as "
        f"{own_agent_recipe(getattr(cls, '__name__', 'MyAgent'))}, and train it with "
        "agents.callback.RamboCallback (README: 'Use it as a library')"
    )


#: Agents whose gradient step can run through ``torch.compile`` (``make_agent(compile=True)``).
COMPILED_ALGOS = ("sac",)

#: Agents whose actor's log-σ floor can be changed (``log_std_min``).
_FLOORED_POLICIES: dict[str, type] = {"sac": FlooredSACPolicy, "tqc": FlooredTQCPolicy}

#: Default (actor_lr, critic_lr) per agent.
_LEARNING_RATES = {
    "sac": (BASE.actor_lr, BASE.critic_lr),
    "td3": (BASE.actor_lr, BASE.critic_lr),
    "ddpg": (BASE.actor_lr, BASE.critic_lr),
    "tqc": (BASE.actor_lr, BASE.critic_lr),
    "crossq": (1e-3, 1e-3),
}


class LrScaledAdam(DirectAdam):
    """Adam stepping with ``lr · lr_scale`` per param group (``lr_scale`` defaults to 1).

    SB3 overwrites ``param_group["lr"]`` of every optimizer from one schedule before each train;
    the scale survives that, giving the critic its own learning rate. A group with a ``max_value``
    (not None) is projected onto ``param <= max_value`` after each step (the entropy-coefficient
    cap, :func:`set_ent_coef_max`). Both keys are saved in the optimizer state. Fused (one kernel
    per step) where the parameters' device has a fused Adam, unless ``fused`` / ``foreach`` is given.
    """

    def __init__(
        self, params: Iterable[Any], lr: float = 1e-3, lr_scale: float = 1.0, **kwargs: Any
    ):
        params = list(params)
        # probe 21: "3" / None were raw TypeErrors, True / inf taken. Probe 104 rows 33-34: lr 0
        # was refused, but SB3 builds every optimizer with lr 0 for inference-only loads (its
        # policy.load's dummy schedule, rl-zoo's custom_objects): an Adam step with lr 0 moves
        # no parameter, so 0 is taken (learn warns of it: CheckedSaveLoad.learn)
        _check_lr("lr", lr, zero_ok=True)
        _check_lr("lr_scale", lr_scale)  # "3", 0, -1, NaN
        self._lr_scale = float(lr_scale)
        if "fused" not in kwargs and "foreach" not in kwargs:
            try:  # one fused kernel instead of a Python loop over tensors (#12: ~1.5 -> 0.3 ms)
                super().__init__(params, lr=lr, fused=True, **kwargs)
            except (RuntimeError, TypeError):  # a device / dtype without a fused Adam
                super().__init__(params, lr=lr, **kwargs)
        else:
            super().__init__(params, lr=lr, **kwargs)
        for group in self.param_groups:
            group.setdefault("lr_scale", float(lr_scale))

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """``Adam.add_param_group``, after checking the group's own ``lr_scale`` / ``max_value``
        as the constructor does (probe 66 row 65: ``lr_scale=-1`` climbed the loss without a
        word, NaN made the parameters NaN, "3" was a raw TypeError at the first step)."""
        if isinstance(param_group, dict):
            if "lr_scale" in param_group:
                _check_lr("param_group['lr_scale']", param_group["lr_scale"])
            _check_max_value(param_group.get("max_value"), "param_group['max_value']")
        super().add_param_group(param_group)

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """``Adam.load_state_dict``; a group saved without ``lr_scale`` (a plain Adam's state)
        keeps this optimizer's, and one saved with ``fused`` None keeps this one's (probe 66
        row 66: the 3x critic rate was silently gone, and the fused path with it)."""
        kept = [(g.get("lr_scale", self._lr_scale), g.get("fused")) for g in self.param_groups]
        super().load_state_dict(state_dict)
        if len(kept) != len(self.param_groups):  # torch refuses that itself; kept for safety
            return
        for group, (lr_scale, fused) in zip(self.param_groups, kept, strict=True):
            if group.get("lr_scale") is None:
                group["lr_scale"] = lr_scale
            if group.get("fused") is None and fused:
                group["fused"] = fused
        self._direct_ok = None

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        self.__dict__.setdefault("_lr_scale", 1.0)  # pickled before probe 66

    @torch.no_grad()
    def step(self, closure: Callable[[], float] | None = None) -> float | None:  # type: ignore[override]
        for group in self.param_groups:  # probe 66 row 67: set directly on a group, unchecked
            _check_max_value(group.get("max_value"), "param_group['max_value']")
            _check_lr("param_group['lr_scale']", group.get("lr_scale", 1.0))
        base = [group["lr"] for group in self.param_groups]
        for group, lr in zip(self.param_groups, base, strict=True):
            group["lr"] = lr * group.get("lr_scale", 1.0)
        try:
            loss = super().step(closure)  # DirectAdam: the fused kernels without the bookkeeping
        finally:
            for group, lr in zip(self.param_groups, base, strict=True):
                group["lr"] = lr
        for group in self.param_groups:
            if group.get("max_value") is not None:
                for param in group["params"]:
                    param.clamp_(max=group["max_value"])
        return loss


def set_critic_lr(model: OffPolicyAlgorithm, critic_lr: float, actor_lr: float) -> None:
    """Give the critic optimizer an effective lr of ``critic_lr`` when ``learning_rate = actor_lr``.

    The actor's lr is the agent's ``learning_rate`` (SB3 writes it into every optimizer); only the
    ratio ``critic_lr / actor_lr`` is stored, so an ``actor_lr`` other than ``learning_rate`` is
    refused.
    """
    for name, lr in (("critic_lr", critic_lr), ("actor_lr", actor_lr)):  # probe 21: was a raw
        _check_lr(name, lr)  # TypeError for "3", ZeroDivisionError for 0, a NaN lr for NaN
    learning_rate = getattr(model, "learning_rate", None)
    # probe 76 row 12: 1e-9 refused a float32 copy of the agent's own rate (a float32 round trip)
    if is_real(learning_rate) and not math.isclose(learning_rate, actor_lr, rel_tol=1e-6):
        # probe 71 row 10: was taken, only lr_scale = critic_lr / actor_lr set: the actor kept
        # learning_rate, the critic got learning_rate · critic_lr / actor_lr (neither asked for)
        raise ValueError(
            f"actor_lr: {actor_lr!r}, but the agent's learning_rate (its actor lr) is "
            f"{learning_rate!r}; only critic_lr / actor_lr is stored, so the critic would get "
            f"{learning_rate * critic_lr / actor_lr:.3g}: pass actor_lr={learning_rate!r}, or "
            f"build the agent with make_agent(..., actor_lr={actor_lr!r}, critic_lr={critic_lr!r})"
        )
    optimizer = getattr(getattr(model, "critic", None), "optimizer", None)
    if not isinstance(optimizer, LrScaledAdam):
        raise ValueError(
            f"critic.optimizer: needs LrScaledAdam (policy_kwargs optimizer_class) to differ from "
            f"the actor lr, got {type(optimizer).__name__}"
        )
    for group in optimizer.param_groups:  # probe 132 row 1: a numpy ratio made save() unloadable
        group["lr_scale"] = float(critic_lr) / float(actor_lr)


def agent_learning_rates(model: Any) -> str:
    """``"actor_lr A, critic_lr C"`` of an agent built by :func:`make_agent` (the actor's is its
    ``learning_rate``, the critic's that times its optimizer's ``lr_scale``), each with the default
    of ``make_agent`` for its algorithm when it is above it (``"… (above sac's default 0.0001)"``);
    what is unknown (a schedule, a class of one's own) is left out."""
    from agents.critics import algorithm_spec  # lazy: critics imports the agent classes

    try:
        defaults = _LEARNING_RATES.get(algorithm_spec(model).name)
    except ValueError:  # a class of one's own
        defaults = None
    actor_lr = getattr(model, "learning_rate", None)
    if not is_real(actor_lr):
        return "actor_lr unknown (a schedule), critic_lr unknown"
    groups = getattr(getattr(getattr(model, "critic", None), "optimizer", None), "param_groups", [])
    scale = groups[0].get("lr_scale", 1.0) if groups else None
    parts = []
    for i, (name, lr) in enumerate(
        (("actor_lr", actor_lr), ("critic_lr", None if scale is None else actor_lr * scale))
    ):
        if lr is None:
            parts.append(f"{name} unknown")
            continue
        above = defaults is not None and lr > defaults[i] * (1 + 1e-6)
        default = f" (above make_agent's default {defaults[i]:g})" if above else ""
        parts.append(f"{name} {lr:g}{default}")
    return ", ".join(parts)


def _check_lr(name: str, lr: Any, zero_ok: bool = False) -> None:
    """``lr`` is a finite number > 0 (>= 0 with ``zero_ok``; not a bool); ValueError naming
    ``name`` otherwise."""
    if zero_ok:
        if not (is_real(lr) and math.isfinite(lr) and lr >= 0):
            raise ValueError(
                f"{name}: expected a finite value >= 0 (0: no update, an inference-only load), "
                f"got {lr!r}"
            )
    elif not (is_real(lr) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"{name}: expected a finite value > 0, got {lr!r}")


def _check_max_value(value: Any, name: str) -> None:
    """``value`` is None or a finite number (a parameter cap); ValueError naming ``name``."""
    if value is not None and not (is_real(value) and math.isfinite(value)):
        raise ValueError(
            f"{name}: expected a finite number (the cap on log α) or None, got {value!r}; "
            "set it with agents.factory.set_ent_coef_max"
        )


def set_ent_coef_max(model: OffPolicyAlgorithm, ent_coef_max: float | None) -> None:
    """Cap a learned entropy coefficient α at ``ent_coef_max`` (None: uncapped, SB3 / official).

    After every α step, ``log α`` is projected onto ``log α <= log(ent_coef_max)``. OfflineRL-Kit's
    SAC uses ``α = min(exp(log α), 1)`` instead (its ``log α`` keeps growing past the cap); the
    projection acts the same while the cap binds and does not wind up.
    """
    optimizer = getattr(model, "ent_coef_optimizer", None)
    if optimizer is None:
        # probe 69: TD3 / DDPG were told to "use ent_coef='auto'", which they do not take
        fix = (
            "use ent_coef='auto' or 'auto_<init>'"
            if hasattr(model, "ent_coef")
            else "only agents with an entropy coefficient (sac, tqc, crossq) take it; leave it out"
        )
        raise ValueError(
            f"ent_coef_max: {type(model).__name__} has no learned entropy coefficient ({fix})"
        )
    # probe 21: "3" was a raw "must be real number", True was taken as a cap of 1
    if ent_coef_max is not None and not (
        is_real(ent_coef_max) and math.isfinite(ent_coef_max) and ent_coef_max > 0
    ):
        raise ValueError(f"ent_coef_max: expected a finite value > 0 or None, got {ent_coef_max!r}")
    if not isinstance(optimizer, LrScaledAdam):
        # SB3 builds a plain Adam for log α: swap in the same Adam that can project (same
        # hyperparameters and state; SAC.load rebuilds a plain one, so call this again after it).
        (group,) = optimizer.param_groups
        options = {k: v for k, v in group.items() if k != "params" and k in optimizer.defaults}
        capped = LrScaledAdam(group["params"], **options)
        capped.load_state_dict(optimizer.state_dict())
        model.ent_coef_optimizer = optimizer = capped
    max_value = None if ent_coef_max is None else math.log(ent_coef_max)
    for group in optimizer.param_groups:
        group["max_value"] = max_value
        if max_value is not None:
            with torch.no_grad():
                for param in group["params"]:
                    param.clamp_(max=max_value)


class BatchedGaussianNoise(VectorizedActionNoise):
    """``N(0, σ²)`` exploration noise for all ``n_envs`` rows in one numpy call.

    Subclasses ``VectorizedActionNoise`` only so SB3 does not wrap it into ``n_envs`` Python
    noise objects (50 000 here); its ``__init__`` (one deep copy per env) is deliberately skipped.
    """

    def __init__(self, sigma: float, n_envs: int, action_dim: int, seed: int = 0) -> None:
        # probe 21: "3" / None were raw TypeErrors, inf taken; n_envs / action_dim 0, -1, "3" and
        # 2.5 were taken (int() of them) or raw errors; seed -1 numpy's raw error, None unseeded
        if not (is_real(sigma) and math.isfinite(sigma) and sigma >= 0):
            raise ValueError(f"sigma: expected a finite number >= 0, got {sigma!r}")
        for name, value in (("n_envs", n_envs), ("action_dim", action_dim)):
            if not (is_int(value) and value >= 1):
                raise ValueError(f"{name}: expected an int >= 1, got {value!r}")
        self.sigma, self.n_envs, self.action_dim = float(sigma), int(n_envs), int(action_dim)
        self.rng = np.random.default_rng(check_seed(seed))

    def __call__(self) -> np.ndarray:
        return self.rng.normal(0.0, self.sigma, (self.n_envs, self.action_dim)).astype(np.float32)

    def reset(self, indices: Iterable[int] | None = None) -> None:
        """Gaussian noise has no state."""

    def __repr__(self) -> str:
        return f"BatchedGaussianNoise(sigma={self.sigma}, n_envs={self.n_envs})"


#: Agents that explore with Gaussian action noise (``exploration_std``), and its default σ.
_NOISE_ALGOS = ("td3", "ddpg")
_EXPLORATION_STD = 0.1


def _algorithm_defaults(
    algo: str, n_envs: int, action_dim: int, seed: int, noise_std: float
) -> dict:
    if algo in ("sac", "tqc"):
        return {
            "tau": BASE.tau,
            "ent_coef": "auto",
            "target_entropy": -float(action_dim),
            "policy_kwargs": {"net_arch": list(BASE.hidden_dims), "optimizer_class": LrScaledAdam},
        }
    if algo in _NOISE_ALGOS:
        return {
            "tau": BASE.tau,
            "action_noise": BatchedGaussianNoise(noise_std, n_envs, action_dim, seed),
            "policy_kwargs": {"net_arch": list(BASE.hidden_dims), "optimizer_class": LrScaledAdam},
        }
    return {  # crossq: its own network; Adam β1 = 0.5 as CrossQ sets for torch.optim.Adam
        "ent_coef": "auto",
        "target_entropy": -float(action_dim),
        "policy_kwargs": {
            "optimizer_class": LrScaledAdam,
            "optimizer_kwargs": {"betas": (0.5, 0.999)},
        },
    }


#: SB3 constructor arguments checked by :func:`make_agent`: (low, high, integer) of each.
_SB3_NUMBERS = {
    "batch_size": (1, math.inf, True),
    "buffer_size": (1, math.inf, True),
    "learning_starts": (0, math.inf, True),
    "gamma": (0.0, 1.0, False),
    "tau": (0.0, 1.0, False),
    # probe 20: 0 divided by zero (``% interval``) at the first train step, after the collect;
    # a negative (NaN) noise was torch's ``normal expects std >= 0.0`` there, a clip silently
    # inverted; a verbose of "x" a raw TypeError from SB3's constructor
    "target_update_interval": (1, math.inf, True),
    "policy_delay": (1, math.inf, True),
    "target_policy_noise": (0.0, math.inf, False),
    "target_noise_clip": (0.0, math.inf, False),
    "verbose": (0, 2, True),
    # probe 34: 0 was taken (a window of no episodes: rollout/ep_rew_mean never logged)
    "stats_window_size": (1, math.inf, True),
}


def check_sb3_numbers(values: dict[str, Any], where: str = "", note: str = "") -> None:
    """One ValueError for a :data:`_SB3_NUMBERS` value of ``values`` out of its range, named
    ``{where}{name}`` (``note`` appended): make_agent's arguments, and (``where="model."``) the
    attributes of a built agent where its training starts (probe 92 rows 61-63: ``agent.tau =
    2.0`` set after make_agent trained without a word, ``target_update_interval = 0`` /
    ``policy_delay = 0`` were raw ZeroDivisionErrors after the first collect)."""
    for name, (low, high, integer) in _SB3_NUMBERS.items():
        if name not in values:
            continue
        value = values[name]
        kind = is_int(value) if integer else is_real(value) and math.isfinite(value)
        if not kind or not low <= value <= high or (name == "tau" and value == 0):
            bounds = (
                f">= {low}"
                if high == math.inf
                else f"in {'(' if name == 'tau' else '['}{low}, {high}]"
            )
            what = "an int" if integer else "a number"
            raise ValueError(f"{where}{name}: expected {what} {bounds}, got {value!r}{note}")


def _check_sb3_arguments(
    gradient_steps: Any, exploration_std: Any, tensorboard_log: Any, agent_kwargs: dict[str, Any]
) -> None:
    """One ValueError naming a wrong SB3 argument before the agent is built (was:
    ``gradient_steps=2.5`` / ``tensorboard_log=5``: a raw TypeError at the first ``learn``;
    ``batch_size=0``, ``gamma=1.5``, ``tau=2`` trained without a word)."""
    # probe 34: 0 was taken, and ``learn`` never updated the agent (SB3 skips ``train``)
    if not (is_int(gradient_steps) and (gradient_steps >= 1 or gradient_steps == -1)):
        never = (
            ": the agent would never train"
            if is_int(gradient_steps) and gradient_steps == 0
            else ""
        )
        raise ValueError(
            f"gradient_steps: expected an int >= 1 (or -1 for as many as collected steps), got "
            f"{gradient_steps!r}{never}"
        )
    if exploration_std is not None and not (  # probe 21: inf was taken (every action clipped)
        is_real(exploration_std) and math.isfinite(exploration_std) and exploration_std >= 0
    ):
        raise ValueError(f"exploration_std: expected a finite number >= 0, got {exploration_std!r}")
    if tensorboard_log is not None and not isinstance(tensorboard_log, str | os.PathLike):
        raise ValueError(
            f"tensorboard_log: expected a folder path or None, got {type(tensorboard_log).__name__}"
        )
    if tensorboard_log is not None:  # probe 21: a file, /proc/tb or '' (the working folder) was
        # taken, then SB3's raw FileExistsError / PermissionError at the first learn
        check_path_text(os.fspath(tensorboard_log), "tensorboard_log")
        if not os.fspath(tensorboard_log):
            raise ValueError("tensorboard_log: '' names no folder; give a folder path or None")
        check_writable(tensorboard_log, "tensorboard_log:", "give a writable folder or None")
    check_sb3_numbers(agent_kwargs)
    entropy = agent_kwargs.get("target_entropy", "auto")  # was: float("x") / a NaN loss in train
    if entropy != "auto" and not (is_real(entropy) and math.isfinite(entropy)):
        raise ValueError(f"target_entropy: expected 'auto' or a finite number, got {entropy!r}")
    noise = agent_kwargs.get("action_noise")  # was: SB3's raw TypeError of a tuple
    if noise is not None and not isinstance(noise, ActionNoise):
        raise ValueError(
            f"action_noise: expected a stable_baselines3.common.noise.ActionNoise or None, got "
            f"{type(noise).__name__} {noise!r:.40} (or give exploration_std for Gaussian noise)"
        )


def _check_gaussian_noise(noise: Any, action_dim: int) -> None:
    """A given ``NormalActionNoise`` is one the adversary can mirror: zero mean and one σ for
    every action dim, of the action's shape (probe 70: a mean of 0.5 shifted every collected
    action while the adversary drew zero-mean noise; per-dim σ became its largest; 0-d arrays
    were SB3's raw "'float' object has no attribute 'astype'" at the first learn). Any other
    noise than a Gaussian is refused (probe 69: an Ornstein-Uhlenbeck noise explored while the
    adversary's rollouts drew the agent's actions without noise, σ 0)."""
    if noise is None or isinstance(noise, BatchedGaussianNoise):  # exploration_std's own
        return
    base = unwrapped_noise(noise)
    if not isinstance(base, NormalActionNoise):
        raise ValueError(
            f"action_noise: {type(base).__name__} is not Gaussian; the adversary draws the "
            "agent's actions as clip(μ + σ ε) (Eq. 5) and needs that σ: give a NormalActionNoise "
            "or exploration_std"
        )
    mu, sigma = np.asarray(base._mu), np.asarray(base._sigma)
    if mu.ndim != 1 or sigma.ndim != 1:  # another length: _check_action_noise_shape names it
        raise ValueError(
            f"action_noise: NormalActionNoise of mean shape {mu.shape} and sigma shape "
            f"{sigma.shape}; give both of the action's shape ({action_dim},): "
            f"NormalActionNoise(np.zeros({action_dim}), σ * np.ones({action_dim}))"
        )
    if np.any(mu != 0) or (sigma.size and np.any(sigma != sigma[0])):
        raise ValueError(
            f"action_noise: NormalActionNoise(mean={mu.tolist()}, sigma={sigma.tolist()}); the "
            "adversary draws the agent's actions as clip(μ + σ ε) (Eq. 5) with zero mean and one "
            f"σ for every dim: give NormalActionNoise(np.zeros({action_dim}), σ * "
            f"np.ones({action_dim})), or exploration_std=σ"
        )


def _check_target_entropy(algo: str, agent_kwargs: dict[str, Any], action_dim: int) -> None:
    """A given ``target_entropy`` is one the automatic entropy tuning can reach (probe 65: 50 on
    3-dim actions was taken, and α grew without bound). The actor's actions are tanh-squashed
    into [-1, 1]^d, whose largest entropy is the uniform one, d · ln 2: a target at or above it is
    never met, so α's loss pushes it up at every step. A target with a fixed ``ent_coef`` is
    refused too (SB3 never reads it there)."""
    if "target_entropy" not in agent_kwargs or agent_kwargs["target_entropy"] == "auto":
        return
    target = agent_kwargs["target_entropy"]
    ent_coef = agent_kwargs.get("ent_coef", "auto")
    if not (isinstance(ent_coef, str) and ent_coef.startswith("auto")):
        raise ValueError(
            f"target_entropy: {target!r} is only used by the automatic entropy coefficient, but "
            f"ent_coef={ent_coef!r} is fixed; leave target_entropy out, or give ent_coef='auto'"
        )
    most = action_dim * math.log(2.0)
    if target >= most:
        raise ValueError(
            f"target_entropy: {target!r} is at or above the most a tanh-squashed {algo} actor of "
            f"{action_dim} action dim(s) reaches (the uniform one, {action_dim} · ln 2 = "
            f"{most:.3g}): α would grow without bound; leave it out for -{action_dim} (Table 4) "
            f"or give a number below {most:.3g}"
        )


def _warn_learning_starts(learning_starts: int, rollout_length: int, n_rollouts: int) -> None:
    """Say when ``learning_starts`` skips whole collects (probe 65: 10**9 was taken and the agent
    never took a gradient step). RAMBO trains from the first iteration on the real data (Alg. 1);
    SB3 counts env steps, and one collect here is k × n_rollouts of them, so a value below that
    (SB3's usual 100, say) changes nothing."""
    collect = rollout_length * n_rollouts
    if learning_starts < collect:
        return
    skipped = learning_starts // collect
    note(
        f"[rambo_env] WARNING: learning_starts={learning_starts}: the agent takes no gradient "
        f"step in its first {skipped} collect(s) (iterations of Alg. 1; one collect = k × "
        f"n_rollouts = {rollout_length} × {n_rollouts} = {collect} env steps); RAMBO trains "
        "from the first iteration on the real data: leave learning_starts out for 0",
    )


#: gSDE options SB3 reads only with ``use_sde=True``: keys of ``policy_kwargs`` (the actor's
#: gSDE distribution) and keywords of the algorithm (its noise resampling).
_SDE_POLICY_OPTIONS = ("log_std_init", "use_expln", "full_std", "clip_mean")
_SDE_AGENT_OPTIONS = ("sde_sample_freq", "use_sde_at_warmup")


def _warn_sde_options(agent_kwargs: dict[str, Any]) -> None:
    """Say when gSDE options are given without ``use_sde=True`` (probe 92 rows 49, 74:
    ``log_std_init=-3`` / ``sde_sample_freq=4`` were taken and ignored by SB3 without a word:
    without gSDE the actor's log σ is a Linear layer's output)."""
    if agent_kwargs.get("use_sde", False):
        return
    policy_kwargs = agent_kwargs.get("policy_kwargs") or {}
    given = [f"policy_kwargs[{k!r}]" for k in _SDE_POLICY_OPTIONS if k in policy_kwargs]
    given += [k for k in _SDE_AGENT_OPTIONS if k in agent_kwargs]
    if given:
        note(
            f"[rambo_env] WARNING: {', '.join(given)} "
            f"{'acts' if len(given) == 1 else 'act'} only with use_sde=True (gSDE), which is "
            "off: SB3 ignores it; pass use_sde=True, or leave it out",
        )


def _check_action_noise_shape(noise: Any, vec_env: VecEnv) -> None:
    """A given ``action_noise`` draws noise of the env's action shape (SB3 repeats it per env),
    or one row per env (probe 35: a noise of 5 dims on 3-dim actions was taken, then numpy's
    "operands could not be broadcast together" in ``learn``, naming no argument). One sample of
    a copy is drawn: the caller's noise keeps its state."""
    if noise is None:
        return
    try:
        probe = copy.deepcopy(noise)
    except Exception:  # a noise that cannot be copied: draw from it (one step of its stream)
        probe = noise
    shape = tuple(np.shape(probe()))
    action_shape = tuple(vec_env.action_space.shape or ())
    rows = (vec_env.num_envs, *action_shape)
    if shape not in (action_shape, rows):
        raise ValueError(
            f"action_noise: draws noise of shape {shape}, but the env's actions have shape "
            f"{action_shape} ({vec_env.num_envs} envs: {action_shape} or {rows} fits); size its "
            f"mean and sigma to the action space (e.g. np.zeros({int(np.prod(action_shape))}))"
        )


def _check_batch_rows(algo: str, batch_size: int, policy_kwargs: dict[str, Any]) -> None:
    """CrossQ's critics and actor normalise over the batch (BatchRenorm): one row has no
    variance, so probe 34's ``batch_size=1`` was a NaN actor and torch's raw "Expected parameter
    loc … Real()" inside ``learn``. The other agents train with one row, as does a CrossQ
    without batch norm (probe 92 row 71: it was refused for a BatchRenorm it does not have)."""
    if algo == "crossq" and batch_size < 2 and policy_kwargs.get("batch_norm", True):
        raise ValueError(
            f"batch_size: CrossQ normalises over the batch (BatchRenorm) and needs >= 2 rows "
            f"(paper 256), got {batch_size!r}"
        )


def _check_exploration_scale(exploration_std: float) -> None:
    """An exploration σ above twice the range of SB3's scaled actions ([-1, 1], where the noise
    is added; probe 34: ``1e6``) clips every noisy action to a bound: bang-bang control, not
    exploration around the actor's action."""
    if exploration_std > 2 * 2.0:
        raise ValueError(
            f"exploration_std: {exploration_std!r} swamps the action range (the noise is added "
            "to SB3's scaled actions in [-1, 1]): every noisy action would be clipped to a "
            f"bound; give at most 4 (2 × the range; default {_EXPLORATION_STD})"
        )


def _check_model_normalizer(vec_env: VecEnv, normalizer: Any) -> None:
    """The real data's normaliser is the model's (``mdp.normalizer``). Probe 18: another one of
    the same dims (``ObsNormalizer.from_dataset`` of other or subsampled data) was taken, so
    the agent's real transitions and its model states were on two scales, silently."""
    mdp = vec_env_mdp(vec_env)
    theirs = getattr(mdp, "normalizer", None)
    if theirs is None or not hasattr(normalizer, "mean") or normalizer is theirs:
        return
    if np.shape(normalizer.mean) != np.shape(theirs.mean):  # other dims: the dims check says so
        return
    if np.array_equal(normalizer.mean, theirs.mean) and np.array_equal(normalizer.std, theirs.std):
        return
    raise ValueError(
        "normalizer: not the statistics of the vec_env's model (its mdp.normalizer), so the "
        "agent's real transitions would be normalised otherwise than the model's states; pass "
        "mdp.normalizer (the model is fitted on its dataset's observations)"
    )


def _vec_env_rollout_length(vec_env: VecEnv) -> int | None:
    """The k after which the model env's rows truncate; None for another env."""
    env_k = getattr(vec_env, "rollout_length", None)  # RamboModelVecEnv (also under wrappers)
    if env_k is not None:
        return env_k
    try:  # probe 23: a DummyVecEnv of RamboModelEnvs was not asked
        row_ks = sorted(set(vec_env.get_attr("rollout_length")))
    except AttributeError:  # another env: its episodes are its own
        return None
    if len(row_ks) > 1:
        raise ValueError(
            f"vec_env: its rows truncate after {row_ks} steps; one SB3 collect must be one "
            "k-step rollout of every row (Alg. 1 line 3): build them with one rollout_length"
        )
    return row_ks[0] if row_ks else None


def check_env_fits_agent(model: Any, vec_env: VecEnv, n_envs: int | None = None) -> None:
    """What :func:`make_agent` checks of its ``vec_env``, for an env given to a built or loaded
    agent (``set_env``, ``load(…, env=…)``): no observation / reward normalising wrapper, the
    model's normaliser is the one of the agent's real data, its rows truncate after the
    agent's k, and it has the agent's rows (``n_envs``: the saved agent's; default
    ``model.n_envs``). Probe 25: the first three were taken there, so the agent mixed model rows
    of one normalisation with real rows of another, or collected rollouts of another length."""
    _check_no_vec_normalize(vec_env)
    buffer = getattr(model, "replay_buffer", None)
    if isinstance(buffer, MixedReplayBuffer):
        check_model_env(vec_env)
    if isinstance(buffer, MixedReplayBuffer):
        _check_model_normalizer(vec_env, buffer.normalizer)
    train_freq = getattr(model, "train_freq", None)
    agent_k = getattr(train_freq, "frequency", None)
    agent_rows = getattr(model, "n_envs", None) if n_envs is None else n_envs
    if isinstance(buffer, MixedReplayBuffer) and agent_rows is not None and agent_k is not None:
        _check_same_rows(model, vec_env.num_envs, agent_rows, agent_k)
    env_k = _vec_env_rollout_length(vec_env)
    if agent_k is not None and env_k is not None and env_k != agent_k:
        raise ValueError(
            f"env: its rows truncate after {env_k} steps, but this agent collects rollouts of "
            f"k = {agent_k} (train_freq; one SB3 collect is one k-step rollout, Alg. 1 line 3); "
            f"build the env with rollout_length={agent_k}, or a new agent with make_agent"
        )


def check_model_env(vec_env: VecEnv) -> None:
    """``vec_env`` (given to an agent of :func:`make_agent`: ``set_env``, ``load(…, env=…)``) is a
    model env; one ValueError naming the env otherwise. Probe 32: was "1 rows (num_envs)", as if
    only the row count were wrong; probe 36: ``load(…, env=gym.make("Hopper-v5"))`` was SB3's
    "Observation spaces do not match: … float32 != float64", which misled into casting the env."""
    if vec_env_mdp(vec_env) is not None:
        return
    name = getattr(getattr(vec_env, "envs", [None])[0], "spec", None)
    raise ValueError(
        f"env: {getattr(name, 'id', type(vec_env).__name__)} is not a model env, but this "
        "agent trains in the learned model (its rollouts, Alg. 1 line 3); give it an "
        "agents.vec_env.RamboModelVecEnv(mdp, num_envs, rollout_length=k) (evaluate the "
        "policy on a real env with rambo_env.evaluation.evaluate_policy(act, env_id, "
        "agent.normalizer), not through set_env / load(env=))"
    )


def _check_same_rows(model: Any, env_rows: int, agent_rows: int, k: int) -> None:
    """The env has the rows the agent was built for (``make_agent`` takes n_rollouts = num_envs).
    Probe 30: ``load(…, env=)`` of an env with more rows was taken, and SB3 split the saved pool
    size over them (48 rows: 6 transitions each, 3 of the 5 retained iterations, silently);
    ``set_env`` of another count was SB3's raw AssertionError pointing at ``load``."""
    if env_rows == agent_rows:
        return
    pool = int(getattr(model, "buffer_size", 0))
    kept = pool // (k * agent_rows)
    would = pool // env_rows // k
    raise ValueError(
        f"env: {counted(env_rows, 'row')} (num_envs), but this agent was built for {agent_rows}: "
        f"its model pool holds {pool} transitions = {kept} iteration(s) of "
        f"{counted(agent_rows, 'row')} × k = {k}, which {counted(env_rows, 'row')} would fill in "
        f"{would} (and make_agent takes n_rollouts = num_envs); build the env with "
        f"num_envs={agent_rows}, or a new agent with make_agent for {counted(env_rows, 'row')}"
    )


def _check_no_vec_normalize(vec_env: VecEnv) -> None:
    """No ``VecNormalize`` that rescales observations or rewards. Probe 18: it was taken, so the
    agent's model transitions were re-normalised by running statistics (and rewards scaled)
    while its real transitions kept the ObsNormalizer's scale and raw rewards: one batch mixed
    two scales, silently."""
    normalize = unwrap_vec_normalize(vec_env)
    if normalize is not None and (normalize.norm_obs or normalize.norm_reward):
        raise ValueError(
            "vec_env: wrapped in a VecNormalize (norm_obs="
            f"{normalize.norm_obs}, norm_reward={normalize.norm_reward}); the model env's "
            "observations are already normalised by the mdp's ObsNormalizer, as the real data "
            "in the agent's buffer are, and its rewards are on the data's scale: VecNormalize "
            "would put model and real transitions on different scales; drop the wrapper (or "
            "give it norm_obs=False, norm_reward=False)"
        )
    check_row_wrappers(vec_env)
    _check_wrapper_spaces(vec_env)


def _check_wrapper_spaces(vec_env: VecEnv) -> None:
    """No SB3 VecEnv wrapper that changes a model env's observation or action shape
    (``VecFrameStack``, …). Probe 31: ``VecFrameStack(env, 2)`` was refused with the real data's
    "dataset: obs shape (4,) / action_dim 2 do not match the spaces (8,) / 2", which named no
    wrapper."""
    if vec_env_mdp(vec_env) is None:  # another env: the dims check names its spaces
        return
    wrapper = vec_env
    while isinstance(wrapper, VecEnvWrapper):
        inner = wrapper.venv
        for what, outer_space, inner_space in (
            ("observations", wrapper.observation_space, inner.observation_space),
            ("actions", wrapper.action_space, inner.action_space),
        ):
            outer_shape, inner_shape = getattr(outer_space, "shape", None), inner_space.shape
            if outer_shape != inner_shape:
                raise ValueError(
                    f"vec_env: wrapped in {with_article(type(wrapper).__name__)}, which turns the model "
                    f"env's {what} of shape {inner_shape} into {outer_shape}; the real "
                    f"transitions in the agent's buffer are the dataset's, of shape "
                    f"{inner_shape}, and the model steps one of them at a time; drop the "
                    "wrapper (the model env's observation is its whole state)"
                )
        wrapper = inner


#: SB3 arguments make_agent sets itself, and why a caller's value cannot replace them.
_OWNED_ARGUMENTS = {
    "train_freq": "one SB3 collect is one k-step rollout (Alg. 1 line 3): make_agent sets "
    "(rollout_length, 'step'); change rollout_length instead",
    "replay_buffer_class": "the agent samples the real / model mix from agents.buffer."
    "MixedReplayBuffer (real_ratio f); pass replay_buffer_kwargs to tune it",
    "env": "the env is the vec_env argument",
    "policy": "make_agent picks the policy class (MlpPolicy, or the one with the log-σ floor and "
    "critic LayerNorm: log_std_min, critic_layer_norm); change its layers with policy_kwargs",
}


def _check_known_arguments(algo: str, agent_kwargs: dict[str, Any]) -> None:
    """One ValueError naming a keyword neither make_agent nor the algorithm takes, with the
    closest one (probe 19: ``learnin_rate=`` was SB3's raw TypeError, after every other check)."""
    cls = AGENT_CLASSES[algo]
    known = _keyword_names(cls)
    unknown = sorted(set(agent_kwargs) - known)
    if unknown:
        ours = set(inspect.signature(make_agent).parameters) - {"agent_kwargs"}
        close = difflib.get_close_matches(unknown[0], sorted((known | ours) - {"self"}), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(
            f"{unknown[0]}: not an argument of make_agent nor of {cls.__name__}{hint}; see "
            "help(agents.factory.make_agent)"
        )


def _check_n_steps(agent_kwargs: dict[str, Any]) -> None:
    """``n_steps`` other than 1 is refused: the mixed buffer samples 1-step transitions (the
    paper's SAC). Probe 78 row 12: SB3 only warned that ``n_steps=3`` is ignored with a custom
    buffer (and advised replay_buffer_kwargs the buffer refuses); the agent saved n_steps=3
    while it trained 1-step."""
    n_steps = agent_kwargs.get("n_steps", 1)
    if is_int(n_steps) and n_steps == 1:
        return
    raise ValueError(
        f"n_steps: {n_steps!r}, but RAMBO's mixed replay buffer (agents.buffer.MixedReplayBuffer) "
        "samples 1-step transitions (the paper's SAC): n-step returns are not supported; leave "
        "n_steps out"
    )


def _keyword_names(cls: type) -> set[str]:
    """The keywords ``cls(...)`` takes, through the ``**kwargs`` of its subclasses'
    ``__init__`` (``FusedSAC(*args, compile, **kwargs)`` -> SAC's own keywords)."""
    known: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        params = inspect.signature(klass.__init__).parameters
        known |= {
            n
            for n, p in params.items()
            if p.kind is p.KEYWORD_ONLY or p.kind is p.POSITIONAL_OR_KEYWORD
        }
        if not any(p.kind is p.VAR_KEYWORD for p in params.values()):
            break
    return known - {"self"}


def _check_policy_kwargs(algo: str, policy: str | type, policy_kwargs: dict[str, Any]) -> None:
    """One ValueError for a ``policy_kwargs`` key the policy class does not take (probe 20: a
    typo such as ``netarch`` was SB3's raw ``TypeError: SACPolicy.__init__() got an unexpected
    keyword argument``, naming a class the caller never chose)."""
    cls = AGENT_CLASSES[algo]
    policy_cls = cls.policy_aliases.get(policy, policy) if isinstance(policy, str) else policy
    if not isinstance(policy_cls, type):
        return
    passed = {"observation_space", "action_space", "lr_schedule"}  # SB3 passes these itself
    known = _keyword_names(policy_cls) - passed
    unknown = sorted(set(policy_kwargs) - known)
    if unknown:
        close = difflib.get_close_matches(unknown[0], sorted(known), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(
            f"policy_kwargs[{unknown[0]!r}]: not an argument of {algo}'s policy "
            f"{policy_cls.__name__}{hint}; it takes {sorted(known)}"
        )


def _check_owned_arguments(agent_kwargs: dict[str, Any]) -> None:
    """One ValueError for an SB3 argument make_agent owns, a TQC quantile drop that leaves no
    target quantile, or an ``net_arch`` that is not positive widths (was: ``train_freq=1``
    trained on 1-step collects without a word, ``(1, "episode")`` SB3's AssertionError at
    ``learn``; ``replay_buffer_class`` / ``env`` raw TypeErrors; ``top_quantiles_to_drop_per_net
    =100`` trained on an empty target; ``net_arch=[0]`` built zero-width layers, ``[-5]`` torch's
    "negative dimension")."""
    for name, why in _OWNED_ARGUMENTS.items():
        if name in agent_kwargs:
            value = agent_kwargs[name]
            shown = repr(value) if isinstance(value, int | str | tuple) else type(value).__name__
            shown = value.__name__ if isinstance(value, type) else shown
            raise ValueError(f"{name}: {shown} cannot be given: {why}")
    if agent_kwargs.get("optimize_memory_usage", False) is not False:
        # probe 30: SB3's "ReplayBuffer does not support optimize_memory_usage = True and
        # handle_timeout_termination = True", naming two settings the caller never gave
        raise ValueError(
            f"optimize_memory_usage: {agent_kwargs['optimize_memory_usage']!r} cannot be given: "
            f"{OPTIMIZE_MEMORY_REFUSED}"
        )
    policy_kwargs = agent_kwargs.get("policy_kwargs", {})
    if not isinstance(policy_kwargs, dict):
        raise ValueError(f"policy_kwargs: expected a dict, got {type(policy_kwargs).__name__}")
    for name in ("log_std_min", "critic_layer_norm"):
        if name in policy_kwargs:  # probe 63: make_agent's own argument won without a word (or
            raise ValueError(  # the key was "not an argument of SACPolicy" when it was False)
                f"policy_kwargs[{name!r}]: make_agent sets it from its own {name} argument; pass "
                f"make_agent({name}=…) instead"
            )
    if "net_arch" in policy_kwargs:
        arch = policy_kwargs["net_arch"]
        _check_net_arch_keys(arch)
        layers = list(arch.values()) if isinstance(arch, dict) else [arch]
        ok = all(
            isinstance(widths, list | tuple) and all(is_int(w) and w >= 1 for w in widths)
            for widths in layers
        )
        if not ok:
            raise ValueError(
                f"policy_kwargs['net_arch']: expected a list of layer widths (ints >= 1), or a "
                f"dict of such lists ('pi', 'qf'), got {arch!r}"
            )
    _check_policy_kwarg_types(policy_kwargs)
    # probe 69: CrossQ's batch_norm_momentum=2.0 was taken, then torch's "Expected parameter
    # loc … found invalid values: nan" at the first learn (a running-average rate in (0, 1])
    for name, low_open, high in (("batch_norm_momentum", 0.0, 1.0), ("batch_norm_eps", 0.0, None)):
        if name in policy_kwargs:
            value = policy_kwargs[name]
            if not (
                is_real(value)
                and math.isfinite(value)
                and value > low_open
                and (high is None or value <= high)
            ):
                bounds = f"in (0, {high:g}]" if high is not None else "> 0"
                raise ValueError(
                    f"policy_kwargs[{name!r}]: expected a number {bounds}, got {value!r}"
                )
    n_quantiles = policy_kwargs.get("n_quantiles", 25)  # sb3_contrib's TQC default
    if not (is_int(n_quantiles) and n_quantiles >= 1):  # probe 20: 0 trained on no quantile
        raise ValueError(f"policy_kwargs['n_quantiles']: expected an int >= 1, got {n_quantiles!r}")
    if "top_quantiles_to_drop_per_net" in agent_kwargs or "n_quantiles" in policy_kwargs:
        drop = agent_kwargs.get("top_quantiles_to_drop_per_net", 2)  # sb3_contrib's default
        if not (is_int(drop) and is_int(n_quantiles) and 0 <= drop < n_quantiles):
            raise ValueError(
                f"top_quantiles_to_drop_per_net: expected an int in [0, n_quantiles) = "
                f"[0, {n_quantiles}), got {drop!r} (dropping all quantiles leaves no target)"
            )


#: The keys of a dict ``net_arch`` SB3's off-policy agents (SAC, TD3, DDPG, TQC, CrossQ) read
#: (``get_actor_critic_arch``): the actor's and the critic's widths.
_NET_ARCH_KEYS = ("pi", "qf")


def _check_net_arch_keys(arch: Any) -> None:
    """One ValueError for a dict ``net_arch`` without ``pi`` / ``qf`` or with another key. Probe
    92 rows 4, 5, 51: ``dict(pi=[8], vf=[16])`` (PPO's critic key) or ``dict(pi=[8])`` was SB3's
    AssertionError "no key 'qf' was provided", for every agent; row 50: ``qf2`` was ignored
    without a word."""
    if not isinstance(arch, dict):
        return
    unknown = sorted((str(k) for k in arch if k not in _NET_ARCH_KEYS), key=str)
    missing = [k for k in _NET_ARCH_KEYS if k not in arch]
    if not unknown and not missing:
        return
    form = "dict(pi=[actor widths], qf=[critic widths]) (or one list for both)"
    if unknown:
        hint = " ('vf' is the on-policy agents' critic key: the off-policy ones call it 'qf')"
        raise ValueError(
            f"policy_kwargs['net_arch'][{unknown[0]!r}]: not a key SB3's off-policy agents read"
            f"{hint if 'vf' in unknown else ''}; they take {form}, got {arch!r}"
        )
    raise ValueError(
        f"policy_kwargs['net_arch']: has no {missing[0]!r} key ("
        f"{'the actor' if missing[0] == 'pi' else 'the critic'}'s widths); off-policy agents take "
        f"{form}, got {arch!r}"
    )


#: ``policy_kwargs`` keys that take a class, and the base class it must derive from.
_POLICY_CLASS_KWARGS = {
    "activation_fn": (torch.nn.Module, "torch.nn.Module", "torch.nn.ReLU"),
    "optimizer_class": (torch.optim.Optimizer, "torch.optim.Optimizer", "torch.optim.Adam"),
}


def _check_policy_kwarg_types(policy_kwargs: dict[str, Any]) -> None:
    """One ValueError for a ``policy_kwargs`` value of the wrong kind (probe 30: ``activation_fn=
    "relu"`` was SB3's raw ``TypeError: 'str' object is not callable`` from its network builder;
    ``n_critics=0`` torch's ``optimizer got an empty parameter list``)."""
    for key, (base, base_name, example) in _POLICY_CLASS_KWARGS.items():
        if key not in policy_kwargs:
            continue
        value = policy_kwargs[key]
        if not (isinstance(value, type) and issubclass(value, base)):
            shown = (
                value.__name__ if isinstance(value, type) else f"{type(value).__name__} {value!r}"
            )
            raise ValueError(
                f"policy_kwargs[{key!r}]: expected {with_article(base_name)} class "
                f"(e.g. {example}), got {shown}"
            )
    if "activation_fn" in policy_kwargs:  # SB3 builds it with no arguments, after each layer
        activation = policy_kwargs["activation_fn"]
        try:
            activation()
        except TypeError as err:  # probe 92 row 52: Linear was its raw "missing 2 required
            raise ValueError(  # positional arguments", from SB3's network builder
                f"policy_kwargs['activation_fn']: {activation.__name__} cannot be built without "
                f"arguments ({err}), as SB3 builds the activation after each hidden layer; give "
                "an activation class such as torch.nn.ReLU or torch.nn.Tanh"
            ) from None
    optimizer_class = policy_kwargs.get("optimizer_class", LrScaledAdam)
    if not issubclass(optimizer_class, LrScaledAdam):  # probe 64: was "critic.optimizer: needs
        raise ValueError(  # LrScaledAdam …" after the build, even with critic_lr == actor_lr
            f"policy_kwargs['optimizer_class']: {optimizer_class.__name__} cannot be given: "
            "make_agent's agents use their own Adam (LrScaledAdam: the critic's own learning "
            "rate, fused steps); leave it out (weight decay goes in "
            "policy_kwargs['optimizer_kwargs']['weight_decay'], Adam's L2 form)"
        )
    for key in ("optimizer_kwargs", "features_extractor_kwargs"):
        value = policy_kwargs.get(key)
        if value is not None and not isinstance(value, dict):
            raise ValueError(
                f"policy_kwargs[{key!r}]: expected a dict of keyword arguments or None, got "
                f"{type(value).__name__} {value!r:.40}"
            )
    _check_finite_numbers("policy_kwargs", policy_kwargs)
    _check_optimizer_kwargs(policy_kwargs)
    n_critics = policy_kwargs.get("n_critics", 2)  # SB3's default
    if not (is_int(n_critics) and n_critics >= 1):
        raise ValueError(f"policy_kwargs['n_critics']: expected an int >= 1, got {n_critics!r}")


def _check_finite_numbers(path: str, value: Any) -> None:
    """One ValueError naming the key path of a NaN / ±inf anywhere in ``value`` (probe 63:
    ``policy_kwargs={"log_std_init": nan}`` was a page of torch NaN errors with ``use_sde=True``,
    and accepted without a word without it)."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_finite_numbers(f"{path}[{key!r}]", item)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_finite_numbers(f"{path}[{i}]", item)
    elif is_real(value) and not math.isfinite(value):
        note = " (it acts only with use_sde=True)" if path.endswith("['log_std_init']") else ""
        raise ValueError(f"{path}: expected a finite number, got {value!r}{note}")


def _check_optimizer_kwargs(policy_kwargs: dict[str, Any]) -> None:
    """One ValueError naming ``policy_kwargs['optimizer_kwargs']`` (and the key, where torch's
    message says which) for keywords the optimizer refuses (probe 63: ``{"eps": -1}`` was
    torch's raw ``Invalid epsilon value: -1``, naming neither)."""
    optimizer_kwargs = policy_kwargs.get("optimizer_kwargs") or {}
    if not optimizer_kwargs:
        return
    path = "policy_kwargs['optimizer_kwargs']"
    if "lr" in optimizer_kwargs:  # SB3 passes lr itself: was "got multiple values for 'lr'"
        raise ValueError(f"{path}['lr']: SB3 sets it; pass actor_lr / critic_lr instead")
    optimizer_class = policy_kwargs.get("optimizer_class", LrScaledAdam)
    try:  # the optimizer's own checks, on one dummy parameter (as SB3 builds it: lr first)
        optimizer_class([torch.nn.Parameter(torch.zeros(1))], lr=1e-3, **optimizer_kwargs)
    except (ValueError, TypeError) as err:
        text = str(err)
        words = {"epsilon": "eps", "beta": "betas", "weight_decay": "weight_decay"}
        keys = [k for word, k in words.items() if word in text and k in optimizer_kwargs]
        where = f"{path}[{keys[0]!r}]" if keys else path
        what = "it" if keys else "them"
        raise ValueError(
            f"{where}: {optimizer_class.__name__} refuses {what} ({text}); fix or leave it out"
        ) from None


def _check_replay_buffer_kwargs(replay_buffer_kwargs: Any, own: dict[str, Any]) -> None:
    """One ValueError for a ``replay_buffer_kwargs`` key make_agent sets from its own argument
    (probe 63: ``real_ratio=0.7, replay_buffer_kwargs={"real_ratio": 0.3}`` trained with 0.3
    without a word, the paper's mixing f of another experiment), one SB3 passes itself, or one
    :class:`~agents.buffer.MixedReplayBuffer` does not take (was its raw TypeError)."""
    if not isinstance(replay_buffer_kwargs, dict):
        raise ValueError(
            f"replay_buffer_kwargs: expected a dict, got {type(replay_buffer_kwargs).__name__}"
        )
    for key, value in own.items():
        if key in replay_buffer_kwargs:
            shown = f"={value!r}" if is_real(value) else " argument"
            raise ValueError(
                f"replay_buffer_kwargs[{key!r}]: make_agent's own {key}{shown} sets it; give it "
                f"once (make_agent({key}=…))"
            )
    sb3_passed = {"buffer_size", "observation_space", "action_space", "device", "n_envs"}
    sb3_passed.add("optimize_memory_usage")
    known = _keyword_names(MixedReplayBuffer) - sb3_passed - set(own)
    unknown = sorted(set(replay_buffer_kwargs) - known, key=str)
    if unknown:
        key = unknown[0]
        if key in sb3_passed:
            raise ValueError(
                f"replay_buffer_kwargs[{key!r}]: SB3 passes it to MixedReplayBuffer itself "
                f"(from the agent and its env); leave it out"
            )
        if key in inspect.signature(make_agent).parameters:  # probe 64: "did you mean
            raise ValueError(  # 'real_ratio'?" for retain_iterations, an argument of make_agent
                f"replay_buffer_kwargs[{key!r}]: an argument of make_agent, not of the buffer; "
                f"pass make_agent({key}=…)"
            )
        raise ValueError(
            f"replay_buffer_kwargs[{key!r}]: not an argument of MixedReplayBuffer"
            f"{did_you_mean(str(key), sorted(known | set(own)))}; it takes {sorted(known)} "
            f"(and make_agent's own {sorted(own)})"
        )


def _check_pool_size(buffer_size: Any, k: int, n_rollouts: int, retain_iterations: int) -> None:
    """A given model pool holds at least one collect (k steps of ``n_rollouts`` rows). Issue 14
    (probe 33): ``buffer_size=1`` with 4 rows and k 2 was taken; SB3 kept ``max(1 // 4, 1)`` step
    of 4 rows, so every collect overwrote itself and the pool never held a whole rollout."""
    if buffer_size is None:
        return
    if not (is_int(buffer_size) and buffer_size >= 1):
        raise ValueError(f"buffer_size: expected an int >= 1, got {buffer_size!r}")
    one = k * n_rollouts
    if buffer_size < one:
        raise ValueError(
            f"buffer_size: {buffer_size} is smaller than one collect of {one} transitions "
            f"(rollout_length {k} × {n_rollouts} rows): every collect would overwrite itself and "
            f"the model pool never hold a whole rollout; give at least {one}, or leave it out "
            f"(retain_iterations · k · n_rollouts = "
            f"{model_pool_size(k, n_rollouts, retain_iterations)} rows)"
        )


def _check_batch_within_rows(batch_size: Any, dataset: OfflineDataset, pool: int) -> None:
    """A given ``batch_size`` is at most the rows the mixed buffer samples from: the dataset's
    transitions plus the model pool (``round(f·B)`` real + the rest synthetic, both drawn with
    replacement; Alg. 1 line 4). Probe 52: ``batch_size=3_000_000`` on 3000 transitions was
    taken, every batch repeated each row ~1000 times, and a memory limit failed only after 74 s
    of training with torch's raw allocator error."""
    rows = getattr(dataset, "n_transitions", None)
    if not is_int(rows):
        return
    check_batch_within_rows(
        "batch_size",
        batch_size,
        rows + pool,
        f"the mixed replay buffer samples from (dataset {counted(rows, 'transition')} + model "
        f"pool {pool})",
    )


def _check_pool_memory(
    vec_env: VecEnv, k: int, n_rollouts: int, retain_iterations: int, buffer_size: int | None
) -> None:
    """ValueError naming the sizes when the model pool cannot fit in the host memory available
    now (was: ``make_agent(…, retain_iterations=10**9)`` / ``buffer_size=10**12``: numpy's raw
    ``MemoryError: Unable to allocate 328. GiB``, or, where the memory is overcommitted, the
    out-of-memory killer as the pool fills; cotrain.py already checked its own sizes)."""
    from agents.memory import check_memory, estimate_memory
    from rambo_env.host_limits import available_memory_bytes, memory_error

    obs_dim = int(np.prod(vec_env.observation_space.shape))
    action_dim = int(np.prod(vec_env.action_space.shape))
    if buffer_size is None:
        check_memory(n_rollouts, k, retain_iterations, 1, obs_dim, action_dim)
        return
    need = estimate_memory(buffer_size, 1, 1, 1, obs_dim, action_dim).pool_bytes
    room = available_memory_bytes()
    if room is not None and need > room:
        raise ValueError(
            memory_error(
                need,
                f"a model pool of {buffer_size} rows",
                f"buffer_size: a model pool of {buffer_size} rows needs ~{need / 2**30:.3g} GiB, "
                f"but only {room / 2**30:.3g} GiB of memory is available",
                "; give a smaller buffer_size (or leave it out: retain_iterations · k · "
                "n_rollouts rows)",
            )
        )


def _python_scalars(agent_kwargs: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``agent_kwargs`` with its numpy numbers as Python ones (:func:`python_scalar`):
    its own values, those of its ``policy_kwargs`` / ``replay_buffer_kwargs`` dicts and the widths
    of ``policy_kwargs["net_arch"]``, those as lists (the caller's dicts are not changed)."""
    out = {key: python_scalar(value) for key, value in agent_kwargs.items()}
    for key in ("policy_kwargs", "replay_buffer_kwargs"):
        if isinstance(out.get(key), dict):
            out[key] = {name: python_scalar(value) for name, value in out[key].items()}
    policy_kwargs = out.get("policy_kwargs")
    arch = policy_kwargs.get("net_arch") if isinstance(policy_kwargs, dict) else None
    # widths as a list: probe 92 row 7: a tuple (8, 8) was SB3's AssertionError "the net_arch
    # can only contain be a list of ints or a dict"
    if isinstance(arch, list | tuple):
        policy_kwargs["net_arch"] = list(map(python_scalar, arch))
    elif isinstance(arch, dict):
        policy_kwargs["net_arch"] = {
            name: list(map(python_scalar, v)) if isinstance(v, list | tuple) else v
            for name, v in arch.items()
        }
    return out


def quiet_logger(verbose: int = 0) -> Any:
    """SB3's logger without TensorBoard, as ``learn`` configures it (stdout at ``verbose >= 1``),
    but with no folder: SB3's own makes an empty ``<tmp>/SB3-<date>`` folder per ``learn``
    without ``tensorboard_log`` (probe 17: thousands were left in /tmp, one per agent)."""
    import sys

    from stable_baselines3.common.logger import HumanOutputFormat, Logger

    if not (is_int(verbose) and verbose >= 0):  # probe 21: "x" / None were raw TypeErrors
        raise ValueError(f"verbose: expected an int >= 0, got {verbose!r}")
    return Logger(None, [HumanOutputFormat(sys.stdout)] if verbose >= 1 else [])


_F = TypeVar("_F", bound=Callable[..., Any])


def _numpy_scalars_as_python(function: _F) -> _F:
    """Call ``function`` with its numpy-number arguments as Python ones (:func:`python_scalar`;
    keyword dicts through :func:`_python_scalars`), before any of its checks. Probe 55: SB3
    refused ``rollout_length=np.int64(2)`` with "train_freq must be an integer and not 2", and
    ``actor_lr=np.float32(1e-4)`` with a bare AssertionError on the learning rate schedule.
    Typed to return ``function``'s own signature (probe 132: ``make_agent`` was
    ``(*Any, **Any) -> Any`` to mypy / pyright, so ``rollout_length='5'`` was not flagged)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return function(*map(python_scalar, args), **_python_scalars(kwargs))

    return cast(_F, wrapper)


@numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
@_numpy_scalars_as_python
def make_agent(
    algo: str,
    vec_env: VecEnv,
    dataset: OfflineDataset,
    normalizer: ObsNormalizer,
    *,
    rollout_length: int,
    n_rollouts: int | None = None,
    real_ratio: float = BASE.real_ratio,
    retain_iterations: int = BASE.retain_iterations,
    seed: int = 0,
    device: str | torch.device = "auto",
    tensorboard_log: str | None = None,
    gradient_steps: int = BASE.agent_updates_per_iteration,
    actor_lr: float | None = None,
    critic_lr: float | None = None,
    exploration_std: float | None = None,
    log_std_min: float | None = None,
    critic_layer_norm: bool | None = None,
    ent_coef_max: float | None = None,
    compile: bool = False,
    **agent_kwargs: Any,
) -> OffPolicyAlgorithm:
    """Build ``AGENT_CLASSES[algo]("MlpPolicy", vec_env, ...)`` for RAMBO (see module docstring).

    Args:
        algo: ``"sac" | "td3" | "ddpg" | "tqc" | "crossq"``.
        vec_env: the model VecEnv; one row per rollout (``num_envs = n_rollouts``).
        dataset, normalizer: real data of the mixed buffer (obs normalised like the model's).
        rollout_length: k (Table 5). n_rollouts: rows per rollout (default ``vec_env.num_envs``).
        real_ratio: f. retain_iterations: iterations kept in the model pool.
        gradient_steps: agent updates per ``learn`` collect (Alg. 1: 1000 per iteration; -1 =
            one per collected step, as SB3); >= 1 (``agent.train(n, batch_size)`` runs updates
            outside ``learn``, as ``scripts/bench.py`` does).
        actor_lr, critic_lr: default Table 4 (CrossQ: 1e-3 both).
        exploration_std: Gaussian σ of TD3/DDPG exploration (scaled actions; None = 0.1);
            refused for the other agents, which explore through their stochastic actor.
        log_std_min: floor of the actor's log-σ (SAC / TQC only, refused for the others; None = the library's -20,
            as the official code; OfflineRL-Kit: -5). See :mod:`agents.policies`.
        critic_layer_norm: LayerNorm after every hidden layer of the critics (SAC / TQC only;
            None = on for them, as the main job, README deviation 15; False = the library
            critic, as the official code). See :mod:`agents.policies`.
        ent_coef_max: cap on the learned entropy coefficient α (None = uncapped, as SB3 and
            the official code; OfflineRL-Kit: 1). See :func:`set_ent_coef_max`.
        compile: run the agent's gradient step through ``torch.compile`` (:data:`COMPILED_ALGOS`
            only; same numbers to float32 rounding; see :mod:`agents.fused`).
        agent_kwargs: any constructor keyword of the algorithm; ``policy_kwargs`` and
            ``replay_buffer_kwargs`` are merged into the defaults.

    ``seed`` is an int in [0, 2**32) (:data:`~rambo_env.run_io.AGENT_SEED_LIMIT`: SB3 seeds
    numpy's legacy generator, which takes 32 bits; a co-training run's seed is below 2**31, the
    model env's and the adversary's below 2**63). It also re-seeds the process's global python /
    numpy / torch generators (SB3's ``set_random_seed`` at the build), and that is kept: the agent's later ``learn`` draws its
    actor noise (SAC's ``rsample``) from the global torch generator, so the seeded globals are what
    make ``make_agent(…, seed=s)`` then ``learn`` give the same numbers run to run. A caller's own
    seeded streams are therefore replaced (probe 91 row 2, README "Use it as a library"); seed
    them again after the call, or use ``run_cotrain`` / ``load_session``, which restore them.
    """
    if algo not in AGENT_CLASSES:
        raise ValueError(
            f"algo: unknown agent {algo!r}{did_you_mean(algo, sorted(AGENT_CLASSES))}; choose "
            f"from {sorted(AGENT_CLASSES)}"
        )
    if algo not in _LEARNING_RATES:  # probe 92 row 27: a class added to AGENT_CLASSES was
        # "KeyError: 'mysac'" from a table below; each agent's defaults are per name here
        raise ValueError(
            f"algo: {algo!r} was added to AGENT_CLASSES, but make_agent builds only its own "
            f"agents {sorted(_LEARNING_RATES)} (their defaults, learning rates and policies are "
            "per name; AGENT_CLASSES serves load); for another class, build the SB3 agent "
            f"yourself as {own_agent_recipe(getattr(AGENT_CLASSES[algo], '__name__', 'MyAgent'))}"
            ", and train it with agents.callback.RamboCallback (README: 'Use it as a library')"
        )
    _check_agent_class(algo)
    if "learning_rate" in agent_kwargs:
        raise ValueError("learning_rate: pass actor_lr / critic_lr instead (see agents.factory)")
    _check_owned_arguments(agent_kwargs)
    if not isinstance(vec_env, VecEnv):  # was: a raw AttributeError ('num_envs')
        raise ValueError(
            f"vec_env: expected an SB3 VecEnv (agents.vec_env.RamboModelVecEnv), got "
            f"{type(vec_env).__name__} (a Gymnasium env: RamboModelVecEnv.from_env(env, n))"
        )
    _check_no_vec_normalize(vec_env)
    _check_model_normalizer(vec_env, normalizer)
    # was: SB3's raw 'Seed must be between 0 and 2**32 - 1'; probe 20: a numpy int passed, then
    # was "The only supported seed types are: None, …" at the first learn; probe 141: 2**40
    # passed the generators' 2**63 check, then numpy's raw error (SB3 seeds np.random: 32 bits)
    seed = check_seed(seed, limit=AGENT_SEED_LIMIT)
    check_device(device)  # was: torch's raw device-string RuntimeError
    check_default_device("make_agent")  # probe 93 row 45: a meta default was torch's copy error
    check_torch_int_variables()  # probe 143: the optimizers import torch._dynamo (raw int() error)
    # probe 118 row 12: float64 built float64 weights; predict / learn / evaluate_policy then
    # failed with torch's raw "mat1 and mat2 must have the same dtype"
    check_default_dtype("make_agent")
    # "no" was truthy: LayerNorm on; probe 21: 1 (== True) was taken too
    if critic_layer_norm is not None and not isinstance(critic_layer_norm, bool | np.bool_):
        raise ValueError(
            f"critic_layer_norm: expected True, False or None, got {critic_layer_norm!r}"
        )
    if check_flag(compile, "compile") and algo not in COMPILED_ALGOS:
        raise ValueError(
            f"compile: only {list(COMPILED_ALGOS)} have a compiled gradient step, not {algo!r}"
        )
    for name, lr in (("actor_lr", actor_lr), ("critic_lr", critic_lr)):
        if lr is not None:  # probe 21: True was taken as an lr of 1
            _check_lr(name, lr)
    _check_sb3_arguments(gradient_steps, exploration_std, tensorboard_log, agent_kwargs)
    if "ent_coef" in agent_kwargs:
        check_ent_coef(algo, agent_kwargs["ent_coef"])
    if exploration_std is not None and algo not in _NOISE_ALGOS:  # probe 18: was ignored
        raise ValueError(
            f"exploration_std: only {list(_NOISE_ALGOS)} explore with Gaussian action noise; "
            f"{algo} explores through its stochastic actor (its entropy: ent_coef); leave it out"
        )
    if exploration_std is not None and agent_kwargs.get("action_noise") is not None:
        # probe 36: exploration_std was dropped without a word, the action_noise used
        raise ValueError(
            f"exploration_std: {exploration_std!r} and action_noise "
            f"({type(agent_kwargs['action_noise']).__name__}) both set the exploration noise; "
            "give one (exploration_std for Gaussian noise of that σ, or action_noise)"
        )
    _check_known_arguments(algo, agent_kwargs)  # after the named checks (ent_coef of td3, …)
    _check_n_steps(agent_kwargs)
    _check_batch_rows(
        algo, agent_kwargs.get("batch_size", BASE.batch_size), agent_kwargs.get("policy_kwargs", {})
    )
    check_real_ratio(real_ratio)  # before round(f·B) below
    # probe 78 rows 8 / 9: a share rounding to no real (or no model) row was taken silently
    check_real_share(real_ratio, agent_kwargs.get("batch_size", BASE.batch_size))
    if exploration_std is not None:
        _check_exploration_scale(exploration_std)
    # probe 20: 0 was "… pass rollout_length=2 or build the env with rollout_length=0"
    mdp = getattr(vec_env, "mdp", None)  # RamboModelVecEnv: its data's episode limit (issue 14)
    check_rollout_length(rollout_length, getattr(mdp, "env_id", None))
    env_k = _vec_env_rollout_length(vec_env)
    if env_k is not None and env_k != rollout_length:  # was: accepted; collects of another length
        raise ValueError(
            f"rollout_length: {rollout_length!r}, but the vec_env truncates its rows after "
            f"{env_k} steps; one SB3 collect must be one k-step rollout (Alg. 1 line 3): pass "
            f"rollout_length={env_k} or build the env with rollout_length={rollout_length!r}"
        )
    n_envs = vec_env.num_envs
    n_rollouts = n_envs if n_rollouts is None else n_rollouts
    if n_rollouts != n_envs:
        raise ValueError(f"n_rollouts: must equal vec_env.num_envs={n_envs}, got {n_rollouts}")
    default_actor_lr, default_critic_lr = _LEARNING_RATES[algo]
    actor_lr = default_actor_lr if actor_lr is None else actor_lr
    critic_lr = default_critic_lr if critic_lr is None else critic_lr
    action_dim = int(np.prod(vec_env.action_space.shape))
    _check_gaussian_noise(agent_kwargs.get("action_noise"), action_dim)
    _check_action_noise_shape(agent_kwargs.get("action_noise"), vec_env)
    _check_target_entropy(algo, agent_kwargs, action_dim)
    _warn_learning_starts(agent_kwargs.get("learning_starts", 0), rollout_length, n_rollouts)
    _warn_sde_options(agent_kwargs)
    kwargs: dict[str, Any] = {
        "learning_rate": actor_lr,
        "buffer_size": model_pool_size(rollout_length, n_rollouts, retain_iterations),
        "learning_starts": 0,
        "batch_size": BASE.batch_size,
        "gamma": BASE.gamma,
        "train_freq": (rollout_length, "step"),
        "gradient_steps": gradient_steps,
        "replay_buffer_class": MixedReplayBuffer,
        "replay_buffer_kwargs": {
            "dataset": dataset,
            "normalizer": normalizer,
            "real_ratio": real_ratio,
            "seed": seed,
        },
        "seed": seed,
        "device": device,
        "tensorboard_log": tensorboard_log,
        **_algorithm_defaults(
            algo,
            n_envs,
            action_dim,
            seed,
            _EXPLORATION_STD if exploration_std is None else exploration_std,
        ),
    }
    _check_replay_buffer_kwargs(
        agent_kwargs.get("replay_buffer_kwargs", {}),
        {"dataset": dataset, "normalizer": normalizer, "real_ratio": real_ratio, "seed": seed},
    )
    for key in ("policy_kwargs", "replay_buffer_kwargs"):
        kwargs[key] = {**kwargs.get(key, {}), **agent_kwargs.pop(key, {})}
    kwargs.update(agent_kwargs)
    _check_pool_size(agent_kwargs.get("buffer_size"), rollout_length, n_rollouts, retain_iterations)
    _check_pool_memory(
        vec_env, rollout_length, n_rollouts, retain_iterations, agent_kwargs.get("buffer_size")
    )
    if "batch_size" in agent_kwargs:  # an explicit one (the default 256 may resample tiny data)
        _check_batch_within_rows(agent_kwargs["batch_size"], dataset, kwargs["buffer_size"])
    policy: str | type = "MlpPolicy"
    if log_std_min is not None and algo not in _FLOORED_POLICIES:
        # probe 71 row 32: an explicit -20 (the library value) was taken, any other refused
        raise ValueError(
            f"log_std_min: only {sorted(_FLOORED_POLICIES)} have a log-σ floor, not {algo!r} "
            f"(got {log_std_min!r}); leave it out"
        )
    if log_std_min is not None and log_std_min != LIBRARY_LOG_STD_MIN:
        policy = _FLOORED_POLICIES[algo]
        kwargs["policy_kwargs"] = {**kwargs["policy_kwargs"], "log_std_min": log_std_min}
    if critic_layer_norm is None:  # auto (issue 15): where the agent has it
        critic_layer_norm = algo in _FLOORED_POLICIES
    if critic_layer_norm:
        if algo not in _FLOORED_POLICIES:
            raise ValueError(
                f"critic_layer_norm: only {sorted(_FLOORED_POLICIES)} support it, not {algo!r}"
            )
        policy = _FLOORED_POLICIES[algo]
        kwargs["policy_kwargs"] = {**kwargs["policy_kwargs"], "critic_layer_norm": True}
    if algo in COMPILED_ALGOS:
        kwargs["compile"] = compile
    _check_policy_kwargs(algo, policy, kwargs["policy_kwargs"])
    model = AGENT_CLASSES[algo](policy, vec_env, **kwargs)
    if tensorboard_log is None:
        model.set_logger(quiet_logger(model.verbose))
    set_critic_lr(model, critic_lr, actor_lr)
    if ent_coef_max is not None:
        set_ent_coef_max(model, ent_coef_max)
    from agents.callback import (  # imports no agent class
        start_adversary_count,
        warn_fresh_agent_on_trained_mdp,
    )

    warn_fresh_agent_on_trained_mdp(model, vec_env_mdp(vec_env))
    start_adversary_count(model)
    return model
