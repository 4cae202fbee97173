"""``MixedReplayBuffer``: every agent batch is ``round(f·B)`` real transitions + the rest synthetic.

Alg. 1 line 4 trains the agent on ``D ∪ D_T̂`` with a fixed real-data ratio ``f`` (Table 4:
f = 0.5). The model pool is the ordinary SB3 ``ReplayBuffer`` (FIFO) holding the VecEnv's rollouts;
with ``buffer_size = retain_iterations · k · n_rollouts`` (SB3 divides by ``n_envs``) it keeps
the last ``retain_iterations`` iterations (official ``model_retain_epochs = 5``). The dataset is
copied to the device once; only :meth:`sample` is overridden.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import math
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from gymnasium import spaces
from stable_baselines3.common.buffers import ReplayBuffer
from stable_baselines3.common.type_aliases import ReplayBufferSamples
from stable_baselines3.common.vec_env import VecNormalize

from agents.critics import ActionScaler
from agents.memory import CHECKED_BATCH_ROWS, check_batch_memory
from rambo_env.adversary import RealTransitions, real_transitions
from rambo_env.dynamics.ensemble import check_device
from rambo_env.logging import note
from rambo_env.run_io import check_flag, check_seed, is_int, is_real, restore_generator, type_name

if TYPE_CHECKING:
    from rambo_env.data.dataset import OfflineDataset
    from rambo_env.normalization import ObsNormalizer

__all__ = [
    "DatasetRef",
    "MixedReplayBuffer",
    "all_real_refusal",
    "check_real_share",
    "model_pool_size",
]

#: Why ``optimize_memory_usage=True`` is refused (by :func:`agents.factory.make_agent` and
#: :class:`MixedReplayBuffer` alike): SB3's own error names ``handle_timeout_termination``, a
#: setting the caller never gave (probe 30; issue 14: a buffer built directly).
OPTIMIZE_MEMORY_REFUSED = (
    "it reads a transition's next observation from the row stored after it, but every model row "
    "ends its k-step rollout with a truncation (the next stored row is a new start) and the "
    "agents.buffer.MixedReplayBuffer draws real rows with their own next_observations; leave it "
    "out (model-pool memory: lower retain_iterations or n_rollouts)"
)


@dataclasses.dataclass(frozen=True)
class DatasetRef:
    """What a saved agent or replay buffer keeps of its dataset in place of the arrays.

    Probe 23: ``agent.save`` pickled the whole :class:`~rambo_env.data.dataset.OfflineDataset`
    (in ``replay_buffer_kwargs``) into every ``agent.zip``, and ``save_replay_buffer`` into every
    pickle: 5.7 MB for 40 000 rows, about 140 MB for a 1M-row D4RL dataset. A loaded agent acts
    (``predict``) without its dataset; training it again needs the same dataset back
    (:meth:`MixedReplayBuffer.attach_dataset`, or ``load(path, dataset=…)``), checked by this
    fingerprint.
    """

    name: str
    env_id: str | None
    n_transitions: int
    fingerprint: str

    @classmethod
    def of(cls, dataset: OfflineDataset) -> DatasetRef:
        return cls(dataset.name, dataset.env_id, int(dataset.n_transitions), dataset.fingerprint())

    def __str__(self) -> str:
        return f"{self.name!r} ({self.n_transitions} transitions, fingerprint {self.fingerprint})"


#: The config.json of the recorded run being read (load_config / load_session), else None: its
#: real share is what the run did, told, not refused (probe 79 row 25).
RECORDED_RUN: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "RECORDED_RUN", default=None
)
_TOLD_RECORDED: set[str] = set()


@contextlib.contextmanager
def recorded_run(config_path: Any) -> Any:
    """Within it, :func:`check_real_share` and :func:`all_real_refusal` let the real share of the
    recorded run ``config_path`` (its config.json) pass with one WARNING: a run started before
    probe 78 refused real_ratio 0.999 (all 256 rows real) could not even be inspected."""
    token = RECORDED_RUN.set(str(config_path))
    try:
        yield
    finally:
        RECORDED_RUN.reset(token)


def real_share_off(real_ratio: float, batch_size: int) -> bool:
    """``round(f·B)`` is 0 rows for f > 0, or all B for f < 1: the share asked is not the one got."""
    n_real = round(real_ratio * batch_size)
    return (0 < real_ratio and n_real == 0) or (real_ratio < 1 and n_real == batch_size)


def check_real_ratio(real_ratio: Any) -> None:
    """``real_ratio`` f is a number in [0, 1]; ValueError naming it otherwise, and for one that is
    not a number its type (probe 157: ``real_ratio="0.5"`` was "expected a value in [0, 1], got
    '0.5'", which is in [0, 1])."""
    if not is_real(real_ratio):
        number = ""
        if isinstance(real_ratio, str):
            with contextlib.suppress(ValueError):
                number = f"; pass the number {float(real_ratio)!r}, not a string"
        raise ValueError(
            f"real_ratio: must be a number in [0, 1], got {type(real_ratio).__name__} "
            f"{real_ratio!r}{number}"
        )
    if not 0.0 <= real_ratio <= 1.0:
        raise ValueError(f"real_ratio: expected a value in [0, 1], got {real_ratio!r}")


def check_real_share(
    real_ratio: float, batch_size: int, where: str = "", resizable: bool = True
) -> None:
    """The real share ``round(f·B)`` of a ``batch_size``-row batch is what ``real_ratio`` f asks:
    some real rows when f > 0, some model rows when f < 1. Probe 78 rows 8 / 9 / 18: f = 0.5 at
    B = 1 (round(0.5) = 0) trained on model rows only, f = 0.999 at B = 256 (round = 256) on real
    rows only (the model pool never sampled: offline SAC), both without a word. ``where`` names
    the batch; ``resizable``: the caller can give another batch_size."""
    n_real = round(real_ratio * batch_size)
    if 0 < real_ratio and n_real == 0:
        fix = f"real_ratio >= {math.ceil(1e4 / batch_size) / 1e4:g}, or 0 for model rows only"
        lost = "no real row: every batch is model rollouts only, as with real_ratio 0"
    elif real_ratio < 1 and n_real == batch_size:
        fix = (
            f"real_ratio <= {math.floor(1e4 * (batch_size - 1) / batch_size) / 1e4:g}, "
            "or 1 for real data only"
        )
        lost = "no model row: the model pool is never sampled, as with real_ratio 1"
    else:
        return
    recorded = RECORDED_RUN.get()
    if recorded is not None:  # probe 79 row 25: a recorded run was refused, not even inspectable
        did = (
            "real rows only: the adversary's model rollouts never reached the agent"
            if n_real
            else "model rollouts only: no real row reached the agent"
        )
        if recorded not in _TOLD_RECORDED:
            _TOLD_RECORDED.add(recorded)
            note(
                f"[rambo_env] WARNING: {recorded}: real_ratio {real_ratio:g} at batch_size "
                f"{batch_size} gives round({real_ratio:g} · {batch_size}) = {n_real} of the "
                f"{batch_size} rows real: this run (started before such a ratio was refused) "
                f"trained on {did}; read as it is, but it cannot be resumed: rerun it in a new "
                "folder",
            )
        return
    if batch_size < 2:  # one row is real or not: no mix
        fix = "real_ratio 0 or 1, or batch_size >= 2 to mix real and model rows"
    elif resizable:
        fix += " (or a larger batch_size)"
    raise ValueError(
        f"real_ratio: {real_ratio:g} at batch_size {batch_size}{where} gives round({real_ratio:g} "
        f"· {batch_size}) = {n_real} of the {batch_size} rows real, {lost}; give {fix}"
    )


def all_real_refusal(
    real_ratio: float,
    batch_size: int,
    adversary_weight: float,
    origin: str,
    lam_zero: str = "--lam 0",
) -> str | None:
    """Why λ > 0 cannot act on an agent whose batches are all real (``round(f·B) = B``), or None:
    the model rollouts (and λ) would never reach the agent (cotrain, ``CotrainConfig`` and
    :class:`~agents.callback.RamboCallback` refuse it alike)."""
    if not (adversary_weight > 0 and round(real_ratio * batch_size) == batch_size):
        return None
    if RECORDED_RUN.get() is not None and real_ratio < 1:  # told by check_real_share
        return None
    share = (
        ""
        if real_ratio == 1
        else f" (round({real_ratio:g} · {batch_size}) = {batch_size} of the {batch_size} rows)"
    )
    return (
        f"real_ratio: {real_ratio:g}{share}, but adversary_weight λ = {adversary_weight:g} "
        f"({origin}): every agent batch is real data, so the model rollouts (and λ) never reach "
        f"the agent; give real_ratio <= {math.floor(1e4 * (batch_size - 1) / batch_size) / 1e4:g} "
        f"(paper: 0.5), or {lam_zero} for a run on the real data alone"
    )


# a scaled action's float rounding (scale_action of an env-scale action at a bound of the box)
_ACTION_SLACK = 1e-4


def model_pool_size(rollout_length: int, n_rollouts: int, retain_iterations: int = 5) -> int:
    """``retain_iterations · k · n_rollouts`` transitions: the model pool of the official code."""
    for name, value in (
        ("rollout_length", rollout_length),
        ("n_rollouts", n_rollouts),
        ("retain_iterations", retain_iterations),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name}: expected a positive int, got {value!r}")
    return int(retain_iterations * rollout_length * n_rollouts)


class MixedReplayBuffer(ReplayBuffer):
    """SB3 replay buffer (the model pool) whose batches also contain real dataset transitions.

    Extra kwargs (pass via ``replay_buffer_kwargs``):
        dataset: the :class:`~rambo_env.data.dataset.OfflineDataset`.
        normalizer: the observation normaliser shared with the model (obs stored normalised).
        real_ratio: f, fraction of each batch from the dataset (exactly ``round(f·B)`` rows; a
            batch of no real row for f > 0, or of no model row for f < 1, is refused).
        seed: seed of the generator drawing the real rows (the pool uses SB3's numpy RNG).

    Real rows match what SB3 stores: normalised obs/next_obs, actions SCALED to [-1, 1],
    rewards and ``dones = terminals`` as ``[B, 1]`` floats (time-outs are not dones).
    """

    def __init__(
        self,
        buffer_size: int,
        observation_space: spaces.Space,
        action_space: spaces.Space,
        device: torch.device | str = "auto",
        n_envs: int = 1,
        optimize_memory_usage: bool = False,
        handle_timeout_termination: bool = True,
        *,
        dataset: OfflineDataset | DatasetRef,
        normalizer: ObsNormalizer,
        real_ratio: float = 0.5,
        seed: int = 0,
    ) -> None:
        if not (is_int(buffer_size) and buffer_size >= 1):  # was: 0 and -5 accepted
            raise ValueError(f"buffer_size: expected an int >= 1, got {buffer_size!r}")
        # probe 21: n_envs 0 / "3" / 2.5 and device "gpu" were SB3's / torch's raw errors, a
        # switch "no" was truthy
        if not (is_int(n_envs) and n_envs >= 1):
            raise ValueError(f"n_envs: expected an int >= 1, got {n_envs!r}")
        check_device(device)
        if check_flag(optimize_memory_usage, "optimize_memory_usage"):
            raise ValueError(  # issue 14: was SB3's raw message, built directly
                f"optimize_memory_usage: {optimize_memory_usage!r} cannot be given: "
                f"{OPTIMIZE_MEMORY_REFUSED}"
            )
        check_flag(handle_timeout_termination, "handle_timeout_termination")
        if not handle_timeout_termination:  # probe 23: every k-step truncation became a done
            raise ValueError(
                "handle_timeout_termination: False would store each model rollout's k-step "
                "truncation as a terminal (done = 1), which the real rows never are (time-outs "
                "are not dones); leave it True"
            )
        super().__init__(
            buffer_size,
            observation_space,
            action_space,
            device,
            n_envs,
            optimize_memory_usage,
            handle_timeout_termination,
        )
        check_real_ratio(real_ratio)  # "0.5": was a raw TypeError
        if not isinstance(action_space, spaces.Box):
            raise ValueError(f"action_space: MixedReplayBuffer needs a Box, got {action_space}")
        self.dataset, self.normalizer = dataset, normalizer
        self.real_ratio, self.seed = float(real_ratio), check_seed(seed)  # -1 was accepted
        self.real: RealTransitions | None = None  # a loaded agent's: attach_dataset builds it
        if not isinstance(dataset, DatasetRef):
            self._build_real()
        self.generator = torch.Generator(device=self.device)
        self.generator.manual_seed(self.seed)

    def _build_real(self) -> None:
        real = real_transitions(self.dataset, self.normalizer, self.device)
        if real.obs.shape[1:] != self.obs_shape or real.action.shape[1] != self.action_dim:
            raise ValueError(
                f"dataset: obs shape {tuple(real.obs.shape[1:])} / action_dim "
                f"{real.action.shape[1]} do not match the spaces {self.obs_shape} / {self.action_dim}"
            )
        scaler = ActionScaler(self.action_space.low, self.action_space.high, self.device)
        # Stored the way SB3 stores its own transitions: scaled actions, [N, 1] rewards and dones.
        self.real = RealTransitions(
            obs=real.obs,  # [N, O]
            action=scaler.scale(real.action),  # [N, A] in [-1, 1]
            reward=real.reward.unsqueeze(1),  # [N, 1]
            next_obs=real.next_obs,  # [N, O]
            terminated=real.terminated.to(torch.float32).unsqueeze(1),  # [N, 1]
        )

    def attach_dataset(self, dataset: OfflineDataset) -> None:
        """Give a loaded buffer (a loaded agent's) the dataset it was saved with, so that it can
        sample real rows again; another dataset is refused, naming both (its model-pool rows and
        the agent were trained on the saved one)."""
        from rambo_env.data.dataset import OfflineDataset

        if not isinstance(dataset, OfflineDataset):
            raise ValueError(
                f"dataset: expected a rambo_env.data.dataset.OfflineDataset, got "
                f"{type_name(dataset, OfflineDataset, 'dataset')} (rambo_env.load_dataset(...) gives one)"
            )
        saved = (
            self.dataset if isinstance(self.dataset, DatasetRef) else DatasetRef.of(self.dataset)
        )
        given = DatasetRef.of(dataset)
        if given.fingerprint != saved.fingerprint:
            raise ValueError(
                f"dataset: {given}, but this agent was saved with {saved}; give that dataset, or "
                "train on other data with a new agent (agents.factory.make_agent) and copy the "
                "policy over (new.set_parameters(old.get_parameters()))"
            )
        self.dataset = dataset
        self._build_real()

    def check_dataset(self) -> RealTransitions:
        if self.real is None:
            raise ValueError(
                f"replay buffer: loaded without its dataset {self.dataset}, so it has no real rows "
                "to sample; give it back: agent.replay_buffer.attach_dataset(dataset), or load "
                "the agent with Agent.load(path, dataset=dataset)"
            )
        return self.real

    def n_real(self, batch_size: int) -> int:
        """Real rows in a batch of ``batch_size``: ``round(f·B)`` (Python rounding)."""
        return round(self.real_ratio * batch_size)

    def sample(self, batch_size: int, env: VecNormalize | None = None) -> ReplayBufferSamples:
        """``round(f·B)`` real rows followed by ``B - round(f·B)`` model-pool rows (Alg. 1 line 4)."""
        if not (is_int(batch_size) and batch_size >= 1):  # was: torch's "negative dimension"
            raise ValueError(f"batch_size: expected an int >= 1, got {batch_size!r}")
        if batch_size > CHECKED_BATCH_ROWS:  # probe 17: was torch's / numpy's raw allocation error
            obs_dim = int(np.prod(self.obs_shape))
            # the agent's gradient step on the batch follows: its activations count too
            check_batch_memory(
                batch_size, obs_dim, self.action_dim, str(self.device), training=True
            )
        check_real_share(self.real_ratio, batch_size)  # probe 78: an agent built directly
        n_real = self.n_real(batch_size)
        data = self.check_dataset()  # f = 0: no real rows (sample refuses n=0: probe 100 row 42)
        real = data.sample(n_real, self.generator) if n_real else type(data)(*(t[:0] for t in data))
        if n_real == batch_size:
            return ReplayBufferSamples(
                real.obs, real.action, real.next_obs, real.terminated, real.reward
            )
        if self.size() == 0:
            raise ValueError(
                f"sample: the model pool is empty but {batch_size - n_real} of {batch_size} rows "
                "must come from it; collect model rollouts first"
            )
        model = super().sample(batch_size - n_real, env=env)
        return ReplayBufferSamples(
            observations=torch.cat([real.obs, model.observations]),
            actions=torch.cat([real.action, model.actions]),
            next_observations=torch.cat([real.next_obs, model.next_observations]),
            dones=torch.cat([real.terminated, model.dones]),
            rewards=torch.cat([real.reward, model.rewards]),
        )

    def add(
        self,
        obs: np.ndarray,
        next_obs: np.ndarray,
        action: np.ndarray,
        reward: np.ndarray,
        done: np.ndarray,
        infos: list[dict[str, Any]],
    ) -> None:
        """SB3's ``add`` of one transition per env into the model pool, checked first: each
        field's shape, real finite values, done flags of 0/1, actions in [-1, 1] (stored scaled,
        like the real rows) and one info dict per env.

        Probe 59: a NaN reward, an inf observation and an action of 5.0 were stored without a
        word (for the critic to sample later); a wrong observation shape was numpy's raw
        broadcast error. Probe 66 rows 47-49: a NaN / 0.5 / 7 done (it enters the TD target
        ``gamma * (1 - done)``), a transposed ``(dim, n_envs)`` array (same size, so SB3's
        reshape scrambled it), complex values and a short ``infos`` list were stored too. One
        vectorised pass per array (this is the rollouts' hot path).
        """
        n = self.n_envs
        shapes = {
            "obs": (n, *self.obs_shape),
            "next_obs": (n, *self.obs_shape),
            "action": (n, self.action_dim),
            "reward": (n,),
            "done": (n,),
        }
        given = {"obs": obs, "next_obs": next_obs, "action": action, "reward": reward}
        given["done"] = done
        arrays = {}
        for name, value in given.items():
            array = np.asarray(value)
            shape = shapes[name]
            # The exact (n_envs, dim) layout; one env may also give its flat row (SB3 reshapes
            # it). A same-size other layout (a transposed array) would be stored scrambled.
            if array.shape != shape and not (n == 1 and array.shape == shape[1:]):
                what = (
                    "(n_envs,)"
                    if len(shape) == 1
                    else f"(n_envs, {name.removeprefix('next_')}_dim)"
                )
                hint = " (transposed?)" if array.shape == shape[::-1] and len(shape) > 1 else ""
                raise ValueError(
                    f"{name}: expected shape {shape} {what}, got {array.shape}{hint}; add one "
                    f"row per env of this buffer (n_envs = {n})"
                )
            if array.dtype.kind not in "biuf":
                raise TypeError(
                    f"{name}: expected real numbers, got dtype {array.dtype}; the model pool "
                    "stores float32 values, convert the array first"
                )
            if name != "done" and not np.isfinite(array).all():
                index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
                raise ValueError(
                    f"{name}{list(index)} is {array[index]}: the model pool takes finite values "
                    "only; drop or fix that row before adding it"
                )
            if name == "done" and array.dtype.kind != "b" and not np.isin(array, (0, 1)).all():
                index = tuple(int(i) for i in np.argwhere(~np.isin(array, (0, 1)))[0])
                raise ValueError(
                    f"done{list(index)} is {array[index]}: expected 0/1 (bool) flags, one per "
                    "env; it enters the critic's target as gamma * (1 - done)"
                )
            arrays[name] = array.reshape(shape)
        if not isinstance(infos, (list, tuple)) or len(infos) != n:
            got = (
                f"{len(infos)} item(s)"
                if isinstance(infos, (list, tuple))
                else type(infos).__name__
            )
            raise ValueError(
                f"infos: expected a list of {n} dict(s) (one per env), got {got}; give the "
                "VecEnv step's infos list"
            )
        if not all(isinstance(info, dict) for info in infos):
            bad = next(type(info).__name__ for info in infos if not isinstance(info, dict))
            raise TypeError(f"infos: expected a dict per env, got a {bad}; give the step's infos")
        worst = float(np.abs(arrays["action"]).max(initial=0.0))
        if worst > 1.0 + _ACTION_SLACK:
            index = tuple(int(i) for i in np.argwhere(np.abs(arrays["action"]) == worst)[0])
            raise ValueError(
                f"action{list(index)} is {arrays['action'][index]}: actions are stored scaled to "
                "[-1, 1], like the real rows; scale them first (agent.policy.scale_action)"
            )
        super().add(
            arrays["obs"],
            arrays["next_obs"],
            arrays["action"],
            arrays["reward"],
            arrays["done"],
            infos,
        )

    def __getstate__(self) -> dict[str, Any]:
        # Device tensors and the torch generator are rebuilt on unpickling (save_replay_buffer).
        state = self.__dict__.copy()
        state["generator"] = self.generator.get_state()
        del state["real"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        generator_state = state.pop("generator")
        self.__dict__.update(state)
        # probe 74 rows 2-3: a buffer pickled on a GPU was torch's raw "Cannot get CUDA generator
        # without ATen_cuda library" on a CPU-only machine: it comes back on the CPU there (the
        # agent's load_replay_buffer then moves it to the agent's device: follow_device)
        if torch.device(self.device).type == "cuda" and not torch.cuda.is_available():
            self.device = torch.device("cpu")
        self.real = None
        if not isinstance(self.dataset, DatasetRef):  # a copy (deepcopy) keeps its dataset
            self._build_real()
        self.generator = torch.Generator(device=self.device)
        restore_generator(self.generator, generator_state, "MixedReplayBuffer generator")

    def follow_device(self) -> None:
        """Move the generator and the real transitions to ``self.device`` where it has changed
        (SB3's ``load_replay_buffer`` sets a loaded buffer's ``device`` to the agent's, so a
        buffer saved on the CPU and loaded by a GPU agent, or the reverse, sampled its real rows
        with a generator of the other device)."""
        device = torch.device(self.device)
        if device.type == "cuda" and device.index is None:
            device = torch.device("cuda", torch.cuda.current_device())
        if self.generator.device != device:
            state = self.generator.get_state()
            self.generator = torch.Generator(device=device)
            restore_generator(self.generator, state, "MixedReplayBuffer generator")
        if self.real is not None and self.real.obs.device != device:
            self._build_real()
