"""Up-front memory check of a co-training run: refuse sizes that cannot fit before any work.

The two allocations that grow with the config are the model pool (SB3 ``ReplayBuffer``, host
memory: ``retain_iterations · k · n_rollouts`` rows of ``obs, next_obs, action, reward, done,
timeout`` in float32) and the dynamics ensemble (its parameters plus gradients, Adam moments and
the MLE's best-weights snapshot, on the run's device). Without this check a ``--n-rollouts 1e15``
or ``--ensemble-hidden 1e8`` dies after the dataset load and the MLE, from the OOM killer or a
raw numpy / torch allocation error.
"""

from __future__ import annotations

from dataclasses import dataclass

from rambo_env.host_limits import (
    available_memory_bytes,  # one reading of the free memory
    memory_error,
)
from rambo_env.presets import BASE_HYPERPARAMETERS
from rambo_env.run_io import is_int

__all__ = [
    "CHECKED_BATCH_ROWS",
    "MemoryEstimate",
    "agent_bytes",
    "available_memory_bytes",
    "check_batch_memory",
    "check_diagnose_memory",
    "check_memory",
    "diagnose_row_bytes",
    "estimate_memory",
]

_FLOAT32 = 4
#: Ensemble parameter copies alive during a run: weights, gradients, two Adam moments (MLE, then
#: the adversary's), the MLE's best-weights snapshot, one spare for the adversary's temporaries.
_ENSEMBLE_COPIES = 6
_N_MEMBERS = 7  # EnsembleConfig().n_members (App. B.1)
_N_HIDDEN = 4  # hidden layers of the ensemble (App. B.1)


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes a run needs for its model pool (host) and its dynamics ensemble (run device)."""

    pool_rows: int
    pool_bytes: int
    ensemble_bytes: int

    @property
    def ensemble_weight_bytes(self) -> int:
        """The ensemble's parameters alone (one of the copies ``ensemble_bytes`` counts)."""
        return self.ensemble_bytes // _ENSEMBLE_COPIES


def estimate_memory(
    n_rollouts: int,
    rollout_length: int,
    retain_iterations: int,
    ensemble_hidden: int,
    obs_dim: int,
    action_dim: int,
) -> MemoryEstimate:
    """The model pool's and the ensemble's bytes (see the module docstring). Each size must be
    an int >= 0 (one ValueError naming it; probe 60 row 35: ``n_rollouts=-5`` gave negative bytes,
    ``"5"`` a repeated string, ``ensemble_hidden=200.5`` float bytes)."""
    n_rollouts, rollout_length, retain_iterations, ensemble_hidden, obs_dim, action_dim = (
        _check_sizes(
            n_rollouts=n_rollouts,
            rollout_length=rollout_length,
            retain_iterations=retain_iterations,
            ensemble_hidden=ensemble_hidden,
            obs_dim=obs_dim,
            action_dim=action_dim,
        )
    )
    rows = n_rollouts * rollout_length * retain_iterations
    pool = (
        rows * (2 * obs_dim + action_dim + 3) * _FLOAT32
    )  # obs, next_obs, action, r, done, timeout
    h, target = ensemble_hidden, obs_dim + 1
    per_member = (obs_dim + action_dim) * h + (_N_HIDDEN - 1) * h * h + 2 * h * target
    per_member += _N_HIDDEN * h + 2 * target  # biases
    ensemble = _N_MEMBERS * per_member * _FLOAT32 * _ENSEMBLE_COPIES
    return MemoryEstimate(rows, pool, ensemble)


#: Copies of the agent's trained networks alive in a run: weights, gradients, two Adam moments.
_AGENT_COPIES = 4


def agent_bytes(agent_hidden: int, obs_dim: int, action_dim: int) -> int:
    """Bytes of an agent of two hidden layers of ``agent_hidden``: the actor (mean and log-σ
    heads) and two critics, each with gradients and Adam's two moments, the two target critics,
    and one gradient step's hidden activations (12 per row and unit of width). The h² terms
    dominate where the check matters, so the other agents are within about a fifth of it
    (TD3 / DDPG: one more target actor, no log-σ head; TQC's quantile heads count as one output)."""
    agent_hidden, obs_dim, action_dim = _check_sizes(
        agent_hidden=agent_hidden, obs_dim=obs_dim, action_dim=action_dim
    )
    h = agent_hidden

    def mlp(inputs: int, outputs: int) -> int:
        return inputs * h + h + h * h + h + h * outputs + outputs

    actor = mlp(obs_dim, 2 * action_dim)
    critic = mlp(obs_dim + action_dim, 1)
    weights = _AGENT_COPIES * (actor + 2 * critic) + 2 * critic
    batch = BASE_HYPERPARAMETERS.batch_size  # the agent's gradient-step rows
    activations = batch * 12 * h  # a rough figure: the h² terms decide where it matters
    return (weights + activations) * _FLOAT32


def _check_sizes(**sizes: object) -> tuple[int, ...]:
    """The sizes as Python ints (numpy ints too: no int64 overflow in the products); one
    ValueError naming the first that is not an int >= 0 (bools refused)."""
    for name, value in sizes.items():
        if not is_int(value) or value < 0:
            raise ValueError(f"{name}: expected an int >= 0, got {value!r}")
    return tuple(int(value) for value in sizes.values())


def _device_memory_bytes(device: str) -> int | None:
    """Free memory of a CUDA device (None for the CPU or when it cannot be read)."""
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    parsed = torch.device(device)
    if parsed.type != "cuda" or not torch.cuda.is_available():
        return None
    try:
        return int(torch.cuda.mem_get_info(parsed)[0])
    except RuntimeError:
        return None


def _gib(n: int) -> str:
    return f"{n / 2**30:.3g} GiB"


def check_memory(
    n_rollouts: int,
    rollout_length: int,
    retain_iterations: int,
    ensemble_hidden: int,
    obs_dim: int,
    action_dim: int,
    device: str = "cpu",
    available: int | None = None,
    lower_bound: bool = False,
    k_known: bool = True,
    agent_hidden: int | None = None,
) -> MemoryEstimate:
    """Raise ValueError naming the config field(s) when the run cannot fit in memory.

    Its arguments are checked first (probe 60 rows 35-37: ``available=-1`` blamed the pool sizes,
    ``device="banana"`` was torch's raw device-string error): one ValueError naming the argument.

    :param available: host bytes available (default: :func:`available_memory_bytes`).
    :param lower_bound: the sizes are lower bounds (k, dims not known yet): said in the error.
    :param k_known: False where ``rollout_length`` is a stand-in (1) for a k not known yet (the
        dataset's preset): the error says ``k (≥ 1)`` (probe 55 row 12: it said ``× 1 ×`` while
        the run's preset k was 2).
    :param agent_hidden: the agent's hidden width where it is set (``CotrainConfig.agent_hidden``):
        its networks (:func:`agent_bytes`) must fit beside the ensemble too. None: the agent's
        own sizes (a few MB), not checked.
    """
    from rambo_env.dynamics.ensemble import check_device

    if available is not None and (not is_int(available) or available < 0):
        raise ValueError(f"available: expected bytes as an int >= 0, or None, got {available!r}")
    check_device(device)  # the one device check (make_mdp, make_agent, cotrain's --device)
    at_least = "at least " if lower_bound else ""
    est = estimate_memory(
        n_rollouts, rollout_length, retain_iterations, ensemble_hidden, obs_dim, action_dim
    )
    host = available_memory_bytes() if available is None else available
    if host is None:
        return est

    # probe 137: where ulimit -v binds, the limit is named, not a size of the run
    if est.pool_bytes > host:
        raise ValueError(
            memory_error(
                est.pool_bytes,
                f"the model pool of {est.pool_rows} rows",
                f"n_rollouts × rollout_length × retain_iterations: the model pool of "
                f"{n_rollouts} × {rollout_length if k_known else 'k (≥ 1)'} × "
                f"{retain_iterations} = {'' if k_known else 'at least '}{est.pool_rows} rows "
                f"needs {at_least}~{_gib(est.pool_bytes)}, but only {_gib(host)} of memory is "
                "available",
                "; lower n_rollouts, rollout_length (k) or retain_iterations",
                host=available is None,
            )
        )
    gpu = _device_memory_bytes(device) if available is None else None
    room = gpu if gpu is not None else host - est.pool_bytes
    where = f"free on {device}" if gpu is not None else "left beside the model pool"
    named_limit = available is None and gpu is None  # probe 140: the limit named here too
    if est.ensemble_bytes > room:
        total = est.pool_bytes + est.ensemble_bytes
        raise ValueError(
            memory_error(
                total,
                "the model pool and the dynamics ensemble",
                f"ensemble_hidden: {ensemble_hidden} makes a dynamics ensemble of "
                f"{at_least}~{_gib(est.ensemble_bytes)} (parameters, gradients and optimizer "
                f"state), but only {_gib(room)} of memory is {where}",
                "; use a smaller ensemble_hidden (paper: 200)",
                host=named_limit,
            )
        )
    if agent_hidden is not None:
        agent = agent_bytes(agent_hidden, obs_dim, action_dim)
        if est.ensemble_bytes + agent > room:
            raise ValueError(
                memory_error(
                    est.pool_bytes + est.ensemble_bytes + agent,
                    "the model pool, the dynamics ensemble and the agent's networks",
                    f"agent_hidden: {agent_hidden} makes the agent's networks (actor, critics "
                    f"and their targets, with gradients and optimizer state) {at_least}"
                    f"~{_gib(agent)}, but only {_gib(room - est.ensemble_bytes)} of memory is "
                    f"{where} and the dynamics ensemble",
                    "; use a smaller agent_hidden (official: 256)",
                    host=named_limit,
                )
            )
    return est


#: Hidden width allowed for the actor's activations per row in ``diagnose_row_bytes`` (the
#: paper's agents: two layers of 256).
_ACTOR_ACTIVATIONS = 2 * 256
#: Floats per batch row of one agent gradient step (SAC, the paper's 2 x 256 networks; the
#: other agents use fewer): the critics on (s, a), the target critics on (s', a'), the critics
#: on (s, pi(s)) (2 critics each: 6 x 512 hidden activations), the actor on s and s' (2 x 512),
#: and the saved pre-activations and gradients of the graph-tracked passes (about as many again):
#: 12 x 512 floats = 24 KiB a row. Probe 52: 3M rows asked torch for 3 GB (1 KiB a row: one
#: 256-wide layer) after 74 s of training, while the estimate without it was ~0.3 KiB a row.
_TRAIN_ACTIVATIONS = 12 * _ACTOR_ACTIVATIONS
#: Host bytes per row for Python objects: the simulator's per-row observation array (ndarray
#: header), reward float, terminated bool and the three list slots.
_PY_ROW_OVERHEAD = 112 + 24 + 3 * 8


def diagnose_row_bytes(obs_dim: int, action_dim: int) -> int:
    """Bytes one start state costs ``rambo_env.diagnostics.model_vs_simulator`` at a depth.

    Torch rows (run device): obs, next obs, action, noise, model input (and its per-member copy),
    mean and log-variance, the member index, reward, the actor's activations; numpy / Python
    rows (host): the raw obs (float64) and next obs, actions, the simulator's per-row results.
    """
    o, a, t = obs_dim, action_dim, obs_dim + 1
    torch_row = _FLOAT32 * (2 * o + a + t + 2 * (o + a) + 2 * t + 1 + _ACTOR_ACTIVATIONS) + 8 + 1
    host_row = 8 * o + _FLOAT32 * (o + a) + 8 * o + 8 * o + _PY_ROW_OVERHEAD + 8  # + asarray copies
    return torch_row + host_row


def check_diagnose_memory(
    n_starts: int,
    obs_dim: int,
    action_dim: int,
    device: str = "cpu",
    available: int | None = None,
    lower_bound: bool = False,
) -> int:
    """Raise ValueError naming ``n_starts`` when its rollouts cannot fit in memory. -> bytes.

    :param available: bytes available (default: the CUDA device's free memory for a CUDA run,
        else :func:`available_memory_bytes`, which then also holds the torch rows).
    :param lower_bound: dims not known yet (the run not loaded): said in the error.
    """
    need = n_starts * diagnose_row_bytes(obs_dim, action_dim)
    room, gpu = available, None
    if room is None:
        gpu = _device_memory_bytes(device)
        room = gpu if gpu is not None else available_memory_bytes()
    if room is not None and need > room:
        at_least = "at least " if lower_bound else ""
        host = available is None and gpu is None
        raise ValueError(
            memory_error(
                need,
                f"{n_starts} model rollouts",
                f"n_starts: {n_starts} model rollouts (--n-starts) need {at_least}~{_gib(need)} "
                f"of memory, but only {_gib(room)} is available",
                "; lower --n-starts (default 500; a few thousand give a tight estimate)",
                host=host,
            )
        )
    return need


#: Batches up to this many rows are never a memory concern: callers check only larger ones
#: (no reading of the free memory per training step).
CHECKED_BATCH_ROWS = 1 << 16


def check_batch_memory(
    batch_size: int,
    obs_dim: int,
    action_dim: int,
    device: str,
    available: int | None = None,
    what: str = "batch_size",
    critics: bool = False,
    hint: str = "sample fewer rows (the paper's batch: 256)",
    training: bool = False,
) -> int:
    """Raise ValueError naming ``what`` when one sampled batch cannot fit in memory. -> bytes.

    A row: its indices (int64), obs / next obs / action / reward / done gathered in numpy, then
    as tensors, then concatenated (real + model rows): three float32 copies; with ``critics``,
    also the activations of two critics' hidden layers (the callback's Q evaluation); with
    ``training``, those of one agent gradient step (:data:`_TRAIN_ACTIVATIONS`).
    """
    row = 3 * 8 + 3 * _FLOAT32 * (2 * obs_dim + action_dim + 2)
    need = batch_size * (row + (2 * _FLOAT32 * _ACTOR_ACTIVATIONS if critics else 0))
    need += batch_size * _FLOAT32 * _TRAIN_ACTIVATIONS if training else 0
    room, gpu = available, None
    if room is None:
        gpu = _device_memory_bytes(str(device))
        room = gpu if gpu is not None else available_memory_bytes()
    if room is not None and need > room:
        host = available is None and gpu is None
        raise ValueError(
            memory_error(
                need,
                f"a batch of {batch_size} rows",
                f"{what}: a batch of {batch_size} rows needs ~{_gib(need)} of memory, but only "
                f"{_gib(room)} is available",
                f"; {hint}",
                host=host,
            )
        )
    return need
