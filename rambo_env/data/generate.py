"""D4RL-protocol dataset generation in Gymnasium MuJoCo v5 (Fu et al., 2020, Sec. 5).

Levels: ``random`` (uniform actions), ``medium`` (an SAC policy stopped early at about a third of
expert return; the shipped ``rambo_env/policies/<env>_medium.pt``), ``medium-replay`` (that
agent's replay buffer up to the medium checkpoint, ``replay.npz`` written by
``agents.behaviour.train_behaviour``), ``expert`` and ``medium-expert`` (medium + expert
concatenated). Actions are *sampled* from the stochastic behaviour policy, as in D4RL. Episodes run
to termination or the env's 1000-step limit; episodes cut by the transition budget are truncated.

Speed: ``n_envs`` envs are stepped in a Python loop with one batched actor forward per step, and
every env writes into its own preallocated episode buffer (no per-step allocation). Collection is
MuJoCo-bound and single-threaded, so ``n_workers`` processes (spawned, one torch thread each)
collect equal shares of the transitions in parallel, each from its own seed stream
``SeedSequence([seed, worker])``; the data depend on ``(seed, n_workers)``, both recorded.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import multiprocessing as mp
import multiprocessing.resource_tracker as mp_resource_tracker
import multiprocessing.spawn as mp_spawn
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np

from rambo_env.command_line import script_line
from rambo_env.data.dataset import (
    DatasetUnavailableError,
    DatasetValidationError,
    OfflineDataset,
    _first_bad,
    _index_str,
)
from rambo_env.data.minari_io import (
    dataset_to_episodes,
    episodes_to_dataset,
    named_root,
    save_minari,
    write_flat_cache,
)
from rambo_env.data.scores import ENV_IDS, LEVELS, REF_SCORES
from rambo_env.logging import note
from rambo_env.progress import progress_bar
from rambo_env.requirements import code_record, import_dependency
from rambo_env.run_io import numpy_underflow_ignored, renderer_failure

if TYPE_CHECKING:
    import torch

__all__ = [
    "DEFAULT_N_TRANSITIONS",
    "DEFAULT_N_WORKERS",
    "DatasetExistsError",
    "check_generable",
    "collect_episodes",
    "collect_episodes_parallel",
    "default_dataset_id",
    "default_replay_path",
    "generate_dataset",
    "policy_act_fn",
    "random_act_fn",
]

DEFAULT_N_TRANSITIONS = 1_000_000  # D4RL's size for random / medium / expert
DEFAULT_N_WORKERS = 2  # collection processes (this project's reference machine has 2 cores)
ActFn = Callable[[np.ndarray], np.ndarray]  # [B, obs_dim] float32 -> [B, action_dim] float32


def default_dataset_id(env: str, level: str) -> str:
    """Minari id of the project's generated dataset, e.g. ``rambo/hopper/medium-v0``."""
    return f"rambo/{env}/{level}-v0"


def short_name_of_id(dataset_id: str) -> tuple[str, str] | None:
    """``(env, level)`` of the short name that reads ``dataset_id`` (``rambo/<env>/<level>-v0``,
    ``mujoco/<env>/<level>-v0``), or None for an id no short name reads."""
    match = re.fullmatch(r"(?:rambo|mujoco)/([^/]+)/([^/]+)-v0", dataset_id)
    if match is None or match[1] not in ENV_IDS or match[2] not in LEVELS:
        return None
    return match[1], match[2]


def check_id_matches_data(dataset_id: str, env: str, level: str) -> None:
    """An id that a short name reads holds that env and level: was ``--level random --dataset-id
    rambo/hopper/medium-v0`` (or ``--env walker2d``) accepted, and ``--dataset hopper-medium``
    then trained on the random (Walker2d) data under the name hopper-medium."""
    named = short_name_of_id(dataset_id)
    if named is not None and named != (env, level):
        raise ValueError(
            f"dataset_id: {dataset_id!r} is where the short name '{named[0]}-{named[1]}' is read "
            f"from, but these are {env}-{level} data ('--dataset {named[0]}-{named[1]}' would "
            f"train on them); leave --dataset-id out (rambo/{env}/{level}-v0) or use another "
            f"namespace, e.g. mine/{env}/{level}-v0"
        )
    parts = dataset_id.split("/")  # probe 19: any namespace, an env or level of another's name
    if len(parts) < 3 or named is not None:
        return
    id_env, id_level = parts[-2], parts[-1].rsplit("-v", 1)[0]
    if id_env in ENV_IDS and id_env != env:
        other = f"names the env {id_env}"
    elif id_env == env and id_level in LEVELS and id_level != level:
        other = (
            f"names the level {id_level} (it would load as '{env}-{id_level}', with that "
            "dataset's (k, λ) preset and ledger entries)"
        )
    else:
        return
    raise ValueError(
        f"dataset_id: {dataset_id!r} {other}, but these are {env}-{level} data; name it "
        f"{'/'.join(parts[:-2])}/{env}/{level}{parts[-1][len(id_level) :]}, or use a name that is "
        "no other env or level"
    )


def default_replay_path(env: str) -> Path:
    """Where ``scripts/make_dataset.py --train-policy`` keeps the behaviour agent's replay buffer."""
    return Path("behaviour_runs") / env / "replay.npz"


def random_act_fn(action_space: gym.spaces.Box, rng: np.random.Generator) -> ActFn:
    """Uniform actions in the Box (D4RL ``random``)."""
    if not isinstance(action_space, gym.spaces.Box):  # probe 21: was a raw AttributeError ('low')
        raise ValueError(f"action_space: expected a gymnasium Box, got {action_space!r:.60}")
    if not isinstance(rng, np.random.Generator):  # probe 21: 0 / None failed only when called
        raise ValueError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    low, high = action_space.low, action_space.high

    def act(obs: np.ndarray) -> np.ndarray:
        return rng.uniform(low, high, size=(len(obs), len(low))).astype(np.float32)

    return act


def policy_act_fn(actor: torch.nn.Module, generator: torch.Generator) -> ActFn:
    """Stochastic actions of a :class:`rambo_env.policies.SquashedGaussianActor` (sampled, as D4RL)."""
    import torch

    if not isinstance(actor, torch.nn.Module):  # probe 21: None / a path failed only when called
        raise ValueError(
            f"actor: expected a torch module (rambo_env.policies.load_actor(path)), got "
            f"{type(actor).__name__}"
        )
    if not isinstance(generator, torch.Generator):
        raise ValueError(f"generator: expected a torch.Generator, got {type(generator).__name__}")
    device = generator.device
    param = next(actor.parameters(), None)
    dtype = torch.float32 if param is None else param.dtype
    np_dtype = torch.empty(0, dtype=dtype).numpy().dtype
    obs_dim = getattr(actor, "obs_dim", None)

    @torch.no_grad()
    def act(obs: np.ndarray) -> np.ndarray:
        # probe 103 row 25: a Gymnasium MuJoCo env's own float64 observations were torch's raw
        # "mat1 and mat2 must have the same dtype"; they are cast to the actor's dtype
        array = np.asarray(obs)
        if array.dtype.kind not in "fiu":
            raise TypeError(
                f"obs: expected a numeric array [n, obs_dim] of observations, got "
                f"{type(obs).__name__} of dtype {array.dtype}"
            )
        if array.ndim not in (1, 2) or (obs_dim is not None and array.shape[-1] != obs_dim):
            raise ValueError(
                f"obs: expected a batch of shape [n, {obs_dim or 'obs_dim'}], got shape "
                f"{array.shape}; pass obs[None] for one observation"
            )
        bad = ~np.isfinite(array)  # probe 105 row 36: NaN observations were NaN actions
        if bad.any():
            idx = _first_bad(bad)
            raise ValueError(
                f"obs: {_index_str('obs', idx)} = {array[idx]} is not finite, so the actions would "
                "be NaN or arbitrary: pass finite observations (check the env / the wrapper that "
                "produced them)"
            )
        obs_t = torch.from_numpy(np.ascontiguousarray(array, np_dtype)).to(device)  # zero-copy
        return actor(obs_t, deterministic=False, generator=generator).cpu().numpy()

    return act


class _EpisodeRecorder:
    """Preallocated per-env episode storage; finished episodes become Minari ``EpisodeBuffer`` s."""

    def __init__(self, envs: list[gym.Env], rng: np.random.Generator) -> None:
        self.envs, self.rng, n_envs = envs, rng, len(envs)
        self.max_steps = envs[0].spec.max_episode_steps or 1000
        obs_dim, action_dim = envs[0].observation_space.shape[0], envs[0].action_space.shape[0]
        self.obs = np.zeros((n_envs, self.max_steps + 1, obs_dim), np.float32)  # [n_envs, T + 1, O]
        self.actions = np.zeros((n_envs, self.max_steps, action_dim), np.float32)  # [n_envs, T, A]
        self.rewards = np.zeros((n_envs, self.max_steps), np.float32)  # [n_envs, T]
        self.terminations = np.zeros((n_envs, self.max_steps), bool)  # [n_envs, T]
        self.lengths, self.seeds = np.zeros(n_envs, np.int64), np.zeros(n_envs, np.int64)
        self.current = np.zeros((n_envs, obs_dim), np.float32)  # [n_envs, O] latest observations
        self.episodes: list = []

    def reset(self, i: int) -> None:
        self.seeds[i] = self.rng.integers(2**31 - 1)
        self.current[i] = self.obs[i, 0] = self.envs[i].reset(seed=int(self.seeds[i]))[0]
        self.lengths[i] = 0

    def step(self, i: int, action: np.ndarray) -> None:
        """Step env ``i``; on termination / time limit store the episode and reset."""
        obs, reward, terminated, truncated, _ = self.envs[i].step(action)
        t = self.lengths[i]
        self.actions[i, t], self.rewards[i, t], self.terminations[i, t] = action, reward, terminated
        self.current[i] = self.obs[i, t + 1] = obs
        self.lengths[i] += 1
        if terminated or truncated:
            self.flush(i, truncated=bool(truncated and not terminated))
            self.reset(i)

    def flush(self, i: int, truncated: bool) -> None:
        from minari.data_collector import EpisodeBuffer

        t = int(self.lengths[i])
        truncations = np.zeros(t, dtype=bool)
        truncations[-1] = truncated
        self.episodes.append(
            EpisodeBuffer(
                seed=int(self.seeds[i]),
                observations=self.obs[i, : t + 1].copy(),
                actions=self.actions[i, :t].copy(),
                rewards=self.rewards[i, :t].copy(),
                terminations=self.terminations[i, :t].copy(),
                truncations=truncations,
            )
        )

    def flush_unfinished(self) -> None:
        """Episodes cut by the transition budget end in a truncation (never a terminal)."""
        for i in range(len(self.envs)):
            if self.lengths[i] > 0:
                self.flush(i, truncated=not self.terminations[i, self.lengths[i] - 1])


def collect_episodes(
    env_id: str,
    n_transitions: int,
    act_fn: ActFn,
    *,
    rng: np.random.Generator,
    n_envs: int = 16,
    progress: bool = True,
    desc: str = "collecting",
    on_steps: Callable[[int], None] | None = None,
) -> list:
    """Run ``act_fn`` in ``n_envs`` copies of ``env_id`` until exactly ``n_transitions`` steps.

    Returns Minari ``EpisodeBuffer`` s in completion order; each episode is reset with a seed drawn
    from ``rng`` (stored in the buffer). Unfinished episodes at the end are marked truncated.
    ``on_steps(n)`` is called after every batch of ``n`` env steps (progress of worker processes).
    """
    from rambo_env.evaluation import check_registered_id
    from rambo_env.run_io import check_flag, is_int

    # probe 21: n_transitions=inf looped forever, 0 / -1 / NaN returned no episode, "3" and
    # n_envs=0 were raw TypeErrors / IndexErrors, an env typo gymnasium's raw NameNotFound
    if not is_int(n_transitions) or n_transitions < 1:
        raise ValueError(f"n_transitions: expected an int >= 1, got {n_transitions!r}")
    check_n_envs(n_envs)
    check_registered_id(env_id)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    check_flag(progress, "progress")
    envs = [_simulator(env_id) for _ in range(n_envs)]
    recorder = _EpisodeRecorder(envs, rng)
    for i in range(n_envs):
        recorder.reset(i)
    collected = 0
    with progress_bar(
        total=n_transitions, desc=desc, unit="step", progress=progress, smoothing=0.05
    ) as bar:
        while collected < n_transitions:
            active = min(n_envs, n_transitions - collected)  # the last round may step fewer envs
            actions = act_fn(recorder.current[:active])  # [active, A], one batched forward
            for i in range(active):
                recorder.step(i, actions[i])
            collected += active
            bar.update(active)
            if on_steps is not None:
                on_steps(active)
    recorder.flush_unfinished()
    for env in envs:
        env.close()
    return recorder.episodes


def _simulator(env_id: str) -> gym.Env:
    """``gym.make(env_id)``, with an allocation failure (MuJoCo's "Could not allocate memory" in
    a collection worker under ``ulimit -v``) as the one ``not enough memory to create the …
    simulator (address-space limit …)`` error an evaluation gives (probe 133: was ``error:
    Error: engine error: Could not allocate memory``, no word of the limit)."""
    from rambo_env.evaluation import _make_env

    return _make_env(env_id)


#: Shared step counter of a collection worker process (set by :func:`_init_worker`).
_WORKER_COUNTER = None


@contextmanager
def _workers_skip_main() -> Iterator[None]:
    """Workers spawned inside import only ``rambo_env`` (their task lives here), never ``__main__``.

    A spawned child normally re-runs the parent's main script (as ``__mp_main__``). A script
    without an ``if __name__ == "__main__":`` guard -- ``env = gym.make("RamboModel-hopper-medium")``
    at top level, the README's first example -- would then start the generation again in every
    worker and die in multiprocessing's bootstrapping check (``BrokenProcessPool``).
    """
    original = mp_spawn.get_preparation_data

    def preparation_data(name: str) -> dict[str, Any]:
        data = original(name)
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
        return data

    mp_spawn.get_preparation_data = preparation_data
    try:
        yield
    finally:
        mp_spawn.get_preparation_data = original


#: The process that spawned this collection worker (set by :func:`_init_worker`).
_WORKER_PARENT: int | None = None


def _init_worker(counter, parent: int | None = None) -> None:
    global _WORKER_COUNTER, _WORKER_PARENT
    _WORKER_COUNTER, _WORKER_PARENT = counter, parent
    # A worker shows no bar: a thread lock keeps tqdm from making a multiprocessing one, which a
    # stopped worker would leave behind ("resource_tracker: … leaked semaphore objects").
    import_dependency("tqdm.auto").tqdm.set_lock(threading.RLock())


def _start_worker(counter, parent: int | None = None) -> None:
    """A spawned collection worker's initializer: :func:`_init_worker`, SIGUSR1 ignored."""
    # probe 102 row 6: a scheduler's SIGUSR1 (a status request of the main process) reaches
    # the whole job step: it killed the workers by its default action
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
    _init_worker(counter, parent)


def _count_steps(n: int) -> None:
    with _WORKER_COUNTER.get_lock():
        _WORKER_COUNTER.value += n
    if _WORKER_PARENT is not None and os.getppid() != _WORKER_PARENT:
        # was: a parent killed outright (SIGKILL, OOM) left its workers collecting to the end
        os._exit(1)


def _worker_collect(
    env_id: str,
    n_transitions: int,
    policy_path: str | None,
    device: str,
    seed: int,
    worker: int,
    n_envs: int,
    on_steps: Callable[[int], None] | None = None,
) -> list:
    """One worker's share: its own seed stream ``SeedSequence([seed, worker])``. ``on_steps``
    counts its steps (default: the shared counter of the spawned workers)."""
    seq = np.random.SeedSequence([seed, worker])
    rng = np.random.default_rng(seq)
    if policy_path is None:
        act = random_act_fn(_simulator(env_id).action_space, rng)
    else:
        import torch

        # one torch thread per process (a core each); a random-action worker imports no torch,
        # which took ≈ 3 s of each spawned worker's start on a 2-core machine (session 60)
        torch.set_num_threads(1)
        generator = torch.Generator(device=device).manual_seed(int(seq.generate_state(1)[0]))
        act = policy_act_fn(load_behaviour_policy(Path(policy_path), device, env_id), generator)
    on_steps = _count_steps if on_steps is None else on_steps
    return collect_episodes(
        env_id, n_transitions, act, rng=rng, n_envs=n_envs, progress=False, on_steps=on_steps
    )


def check_n_workers(n_workers: int, n_transitions: int, what: str = "n_workers") -> None:
    """At most :data:`~rambo_env.run_io.MAX_THREADS_PER_CORE` collection processes per core of
    this machine and no more than transitions to collect; ValueError naming ``what`` otherwise
    (``--workers 100000`` spawned processes until the machine ran out of them)."""
    from rambo_env.run_io import MAX_THREADS_PER_CORE, usable_cores

    most = MAX_THREADS_PER_CORE * max(usable_cores(), os.cpu_count() or 1)
    if n_workers > most:
        raise ValueError(
            f"{what}: {n_workers} is not in [1, {most}] ({MAX_THREADS_PER_CORE} per core of this "
            "machine; each worker is a process with its own MuJoCo envs and policy: more only "
            "slow collection down, and hundreds exhaust the machine's processes and memory); "
            "give fewer"
        )
    if n_workers > n_transitions:
        raise ValueError(
            f"{what}: {n_workers} workers for {n_transitions} transition(s) leave some with "
            "nothing to collect; give at most as many workers as transitions"
        )


#: Most envs one collection process steps together (``n_envs``).
MAX_N_ENVS = 1024


def check_n_envs(n_envs: int, what: str = "n_envs") -> None:
    """``n_envs`` in [1, :data:`MAX_N_ENVS`]; was: ``--n-envs 100000`` built 100 000 MuJoCo envs
    and their episode buffers (21 GB after 13 minutes, no error)."""
    from rambo_env.run_io import is_int

    if not is_int(n_envs) or n_envs < 1:
        raise ValueError(f"{what}: expected an int >= 1, got {n_envs!r}")
    if n_envs > MAX_N_ENVS:
        raise ValueError(
            f"{what}: {n_envs} is not in [1, {MAX_N_ENVS}]: each env is a MuJoCo simulator with a "
            "1000-step episode buffer, stepped in a Python loop (one batched policy forward per "
            "step), so more envs only cost memory; give fewer (default 16)"
        )


def check_generation_memory(
    env: str, level: str, n_transitions: int, available: int | None = None
) -> None:
    """The collected data fit in memory: a lower bound of two copies (the episodes and the flat
    arrays) of every transition's observation, next observation, action, reward and flags, per
    part of ``level`` (``medium-replay`` reads a file instead). ValueError naming
    ``n_transitions`` otherwise; was: ``--n-transitions 1000000000000`` started collecting."""
    from rambo_env.host_limits import available_memory_bytes, memory_error

    if level == "medium-replay":
        return
    obs_dim, action_dim = env_dims(env)
    parts = 2 if level == "medium-expert" else 1
    need = 2 * parts * n_transitions * (4 * (2 * obs_dim + action_dim + 1) + 2)
    host = available_memory_bytes() if available is None else available
    if host is not None and need > host:
        raise ValueError(
            memory_error(
                need,
                f"{n_transitions} transitions",
                f"n_transitions: {n_transitions} transitions of {env}-{level} need at least "
                f"~{need / 2**30:.3g} GiB of memory (collected episodes and the flat dataset), "
                f"but only {host / 2**30:.3g} GiB is available",
                "; give fewer (D4RL: 1000000)",
                host=available is None,
            )
        )


def env_dims(env: str) -> tuple[int, int]:
    """``(obs_dim, action_dim)`` of ``env``'s Gymnasium env. A MuJoCo renderer that cannot
    start (``MUJOCO_GL=osmesa`` without OSMesa) is one ValueError, the first thing
    ``make_dataset.py`` makes (probe 130 R4: a raw ``glGetError`` traceback)."""
    env_id = gym.spec(ENV_IDS[env]).id
    try:
        env_obj = gym.make(env_id)
    except Exception as err:
        if said := renderer_failure(err, env_id):
            raise ValueError(f"env: {said}") from None
        raise
    try:
        obs_dim = int(np.prod(env_obj.observation_space.shape))
        return obs_dim, int(np.prod(env_obj.action_space.shape))
    finally:
        env_obj.close()


def check_dataset_file_size(dataset_id: str, env: str, level: str, n_transitions: int) -> None:
    """The dataset's HDF5 file fits the file-size limit (``ulimit -f``) and its disk's free room:
    a lower bound of its size, the float32 observation, action, reward and flags of every
    transition, per part of ``level``. Probe 30: a file-size limit hit during the Minari write after the collection was
    h5py tracebacks and a segmentation fault (now :func:`save_minari`'s error, after it)."""
    from rambo_env.data.minari_io import check_file_size_limit, minari_dataset_path
    from rambo_env.run_io import check_free_space

    if level == "medium-replay":  # the replay file's size, known only once it is read
        return
    obs_dim, action_dim = env_dims(env)
    parts = 2 if level == "medium-expert" else 1
    size = parts * n_transitions * (4 * (obs_dim + action_dim + 1) + 2)
    check_file_size_limit(dataset_id, size)
    # probe 66: a full disk was found by save_minari's own check, after the whole collection
    check_free_space(
        minari_dataset_path(dataset_id) / "data" / "main_data.hdf5",
        size,
        "the dataset",
        elsewhere="MINARI_DATASETS_PATH",
    )


#: The policy / replay inputs each level reads (the rest would be ignored).
LEVEL_INPUTS = {
    "random": (),
    "medium": ("policy_path",),
    "medium-replay": ("replay_path",),
    "expert": ("expert_policy_path",),
    "medium-expert": ("policy_path", "expert_policy_path"),
}


def check_level_inputs(level: str, **inputs: Any) -> None:
    """A policy / replay input the level never reads is an error (was: silently ignored, e.g.
    ``--level random --policy mine.pt`` collected uniform actions)."""
    flags = {name: "--" + name.removesuffix("_path").replace("_", "-") for name in inputs}
    for name, value in inputs.items():
        if value is not None and name not in LEVEL_INPUTS[level]:
            flag = flags[name]
            reads = ", ".join(LEVEL_INPUTS[level]) or "no policy or replay buffer"
            raise ValueError(
                f"{name} ({flag}): level {level!r} does not use it (it reads {reads}); leave it "
                "out, or pick the level that uses it"
            )
    # Every input file is there before anything is collected or trained (was: medium-expert's
    # missing --expert-policy failed after the whole medium half was collected; a folder given
    # as --policy was said not to exist).
    for name, value in inputs.items():
        if value is None:
            continue
        path, flag = Path(value), flags[name]
        what = "a replay.npz" if name == "replay_path" else "an actor file saved by save_actor"
        if path.is_dir():
            raise DatasetUnavailableError(
                f"{name} ({flag}): {path} is a folder, not a file; pass {what}"
            )
        if not path.is_file() and os.path.exists(path):  # was: "does not exist" (/dev/null)
            raise DatasetUnavailableError(
                f"{name} ({flag}): {path} is not a regular file (a pipe, device or socket); "
                f"pass {what}"
            )
        if not path.is_file():
            # probe 127 (N11): the missing replay buffer named no --train-policy (nor its cost)
            train = (
                f"(or pass --train-policy to write it, {_TRAIN_MEDIUM_COST})"
                if name == "replay_path"
                else "(or leave it out and pass --train-policy to train one)"
            )
            raise DatasetUnavailableError(
                f"{name} ({flag}): {path} does not exist; pass {what} {train}"
            )
        if name == "replay_path":  # an .hdf5 / dataset npz: said before the Minari root's note
            _check_not_a_dataset_file(path)


#: What ``make_dataset.py --train-policy`` costs, said where an error suggests it (probe 123 rows
#: 14-15: not said). README "Shipped behaviour policies": the medium agents took 53 min
#: (halfcheetah) to 155 min (walker2d) of SAC training on 2 CPU cores; an expert trains on past
#: the medium band, with 3x the step budget ("hours of CPU", README "Generating").
_TRAIN_MEDIUM_COST = (
    "which first trains a medium SAC agent online: the shipped ones took 53-155 min on 2 CPU cores"
)
_TRAIN_EXPERT_COST = (
    "which first trains an expert SAC agent online: hours on 2 CPU cores, where a medium one took "
    "53-155 min"
)


def generation_command(env: str, level: str) -> str:
    """``python scripts/make_dataset.py --env ENV --level LEVEL`` as an error suggesting it says
    it, with what that level needs beside it: the expert policy of ``expert`` / ``medium-expert``
    (``--expert-policy PATH``, or ``--train-policy`` and its cost), the replay buffer of
    ``medium-replay`` where the default one is missing (``--train-policy`` and its cost, or
    ``--replay PATH``). Probe 127 (N10/N11): ``load_dataset('walker2d-expert', generate=False)``,
    the D4RL ``-v2`` fallback and ``make_dataset.py --level medium-replay`` named the command
    alone, which then failed for want of the policy / buffer."""
    command = f"{script_line('make_dataset.py')} --env {env} --level {level}"
    if level in ("expert", "medium-expert"):  # no expert policy is shipped
        return (
            f"{command} --expert-policy PATH (an expert actor of yours), or {command} "
            f"--train-policy ({_TRAIN_EXPERT_COST})"
        )
    if level == "medium-replay" and not default_replay_path(env).is_file():
        return (
            f"{command} --train-policy ({_TRAIN_MEDIUM_COST}; it writes the replay buffer "
            f"{default_replay_path(env)}), or {command} --replay PATH"
        )
    return command


def _needs_expert(env: str, level: str) -> str:
    return (
        f"level '{level}' needs an expert policy: pass --expert-policy PATH or --train-policy "
        f"to scripts/make_dataset.py --env {env} --level {level} ({_TRAIN_EXPERT_COST}); from "
        f"Python (an installed package has no scripts/ folder: probe 149 row 5): "
        "from rambo_env.data.generate import generate_dataset; "
        f"generate_dataset('{env}', '{level}', expert_policy_path=PATH)"
    )


#: Entries OfflineDataset.to_npz writes beside the arrays; a replay.npz (agents.behaviour) has
#: the arrays only.
_DATASET_ENTRIES = ("env_id", "name", "source", "ref_min_score", "ref_max_score", "metadata_json")


def _check_not_a_dataset_file(path: Path) -> None:
    """DatasetValidationError when the replay file is a dataset npz (probe 34: a medium dataset
    given as ``--replay`` was saved as ``medium-replay`` data, a mislabelled level)."""
    import zipfile

    from rambo_env.data.loaders import HDF5_SIGNATURE

    with contextlib.suppress(OSError), open(path, "rb") as fp:  # read_npz says an OSError
        if fp.read(8).startswith(HDF5_SIGNATURE):  # probe 61: "rename it to x.hdf5", its own name
            raise DatasetValidationError(
                f"replay_path (--replay): {path} is an HDF5 file; --replay takes the behaviour "
                "agent's replay buffer as an .npz (the replay.npz that scripts/make_dataset.py "
                "--train-policy writes); a D4RL-layout .hdf5 dataset needs no generating: use it "
                f"directly, {script_line('cotrain.py')} --dataset {path}"
            )
    try:
        with zipfile.ZipFile(path) as z:
            entries = {name.removesuffix(".npy") for name in z.namelist()}
    except (OSError, zipfile.BadZipFile):
        return  # read_npz names what is wrong with the file
    found = [k for k in _DATASET_ENTRIES if k in entries]
    if found:
        raise DatasetValidationError(
            f"replay_path (--replay): {path} is a dataset file ({', '.join(found)} entries), not "
            "a replay buffer: medium-replay is the behaviour agent's replay buffer, the "
            "replay.npz that scripts/make_dataset.py --train-policy writes (arrays only); pass "
            "that file"
        )


def _needs_replay(env: str, path: Path) -> str:
    return (
        f"level 'medium-replay' needs the behaviour agent's replay buffer {path} (written by "
        f"agents.behaviour.train_behaviour); run {script_line('make_dataset.py')} --env {env} "
        f"--level medium-replay --train-policy ({_TRAIN_MEDIUM_COST}), or pass --replay PATH; "
        "from Python (an installed package has no scripts/ folder: probe 149 row 5): "
        "from rambo_env.data.generate import generate_dataset; "
        f"generate_dataset('{env}', 'medium-replay', replay_path=PATH) "
        "with the replay.npz that agents.behaviour.train_behaviour writes"
    )


def check_generable(env: str, level: str, n_transitions: int = DEFAULT_N_TRANSITIONS) -> None:
    """``generate_dataset(env, level)`` with its default inputs (as ``load_dataset`` generates a
    missing short name) has what it reads and the memory it needs, checked without collecting:
    DatasetUnavailableError / ValueError with generate_dataset's own message otherwise.

    Probe 28: a sweep over several datasets found ``hopper-medium-replay``'s missing replay
    buffer only after generating ``hopper-random`` (1M transitions, minutes) before it."""
    from rambo_env.policies import shipped_policy_path

    if env not in ENV_IDS or level not in LEVELS:
        raise ValueError(
            f"env={env!r}, level={level!r}; valid envs {list(ENV_IDS)}, levels {list(LEVELS)}"
        )
    if level in ("medium", "medium-expert"):
        shipped_policy_path(env, "medium")  # ValueError naming the shipped ones
    if level in ("expert", "medium-expert"):  # no expert policy is shipped
        raise DatasetUnavailableError(_needs_expert(env, level))
    if level == "medium-replay" and not default_replay_path(env).is_file():
        raise DatasetUnavailableError(_needs_replay(env, default_replay_path(env)))
    check_generation_memory(env, level, n_transitions)


def check_expert_is_not_medium(
    env: str, expert_policy_path: str | Path, policy_path: str | Path | None
) -> None:
    """The expert policy is not the medium one (the same file contents). Probe 18:
    ``--level expert --expert-policy rambo_env/policies/hopper_medium.pt`` (the shipped medium
    policy) collected a medium dataset saved as ``expert``, silently."""
    from rambo_env.policies import shipped_policy_path

    try:
        medium = Path(policy_path) if policy_path is not None else shipped_policy_path(env)
    except ValueError:  # no medium policy shipped for this env: nothing to compare with
        return
    if not medium.is_file():
        return
    expert = Path(expert_policy_path)
    if expert.stat().st_size == medium.stat().st_size and _sha256(expert) == _sha256(medium):
        raise ValueError(
            f"expert_policy_path (--expert-policy): {expert} holds the same weights as the medium "
            f"behaviour policy {medium}, so the 'expert' data would be medium data; pass an "
            "expert actor (or leave --expert-policy out and pass --train-policy to train one)"
        )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def collect_episodes_parallel(
    env_id: str,
    n_transitions: int,
    policy_path: str | Path | None,
    *,
    seed: int,
    n_workers: int,
    n_envs: int = 16,
    device: str = "cpu",
    progress: bool = True,
    desc: str = "collecting",
) -> list:
    """:func:`collect_episodes` split over ``n_workers`` spawned processes (equal shares).

    ``policy_path=None`` collects uniform random actions. Episodes are returned worker by worker,
    so the result is a deterministic function of ``(seed, n_workers)``; each worker's last
    unfinished episode is truncated (as D4RL's trailing episodes).
    """
    shares = [
        n_transitions // n_workers + (w < n_transitions % n_workers) for w in range(n_workers)
    ]
    path = None if policy_path is None else str(policy_path)
    if mp.current_process().daemon:
        # probe 96a row 56: inside a multiprocessing.Pool worker (daemonic) the spawn was
        # multiprocessing's raw "daemonic processes are not allowed to have children"
        return _collect_shares_here(env_id, shares, path, seed, n_envs, device, progress, desc)
    from rambo_env.host_limits import process_limit

    import_dependency("tqdm.auto")  # probe 114b: a broken tqdm named here, not in each worker
    ctx = mp.get_context("spawn")  # no fork of a process that holds torch / MuJoCo threads
    try:
        with _status_signal_held():  # multiprocessing's resource tracker starts here
            if os.name == "posix":  # the tracker of POSIX semaphores
                mp_resource_tracker.ensure_running()
            counter = ctx.Value("q", 0)
    except OSError as err:  # probe 102 row 10: was "[Errno 28] No space left on device" alone
        if process_limit(err):
            raise _process_limit_error(err, n_workers) from None
        full = OSError(
            f"n_workers: cannot create the shared counter of the {n_workers} collection workers "
            f"in /dev/shm, the shared-memory folder multiprocessing needs for more than one "
            f"worker ({err.strerror or err}): free /dev/shm (df -h /dev/shm), or use one "
            "worker (--workers 1 / n_workers=1), which needs none"
        )
        full.errno = err.errno
        raise full from None
    failed: list[BaseException] = []  # a pool thread's start failure (probe 102 row 23)
    with (
        _workers_skip_main(),
        _thread_failures(failed),
        progress_bar(
            total=n_transitions, desc=desc, unit="step", progress=progress, smoothing=0.05
        ) as bar,
    ):
        pool = None
        try:
            with _status_signal_held():  # the workers start in submit
                pool = ProcessPoolExecutor(
                    n_workers, ctx, initializer=_start_worker, initargs=(counter, os.getpid())
                )
                futures = [
                    pool.submit(_worker_collect, env_id, share, path, device, seed, w, n_envs)
                    for w, share in enumerate(shares)
                    if share > 0
                ]
            while not all(f.done() for f in futures):
                _check_pool_alive(pool, futures, failed)
                time.sleep(0.5)
                bar.update(counter.value - bar.n)
            episodes = [ep for f in futures for ep in f.result()]  # re-raises a worker's error
        except BrokenProcessPool:  # was: the raw BrokenProcessPool traceback, exit 1
            _stop_workers(pool)
            limit = ""
            if failed or _nproc_limited():
                limit = " (or one that could not start: the per-user process limit, ulimit -u)"
            raise ChildProcessError(
                f"a collection worker of {env_id} died while collecting (killed by a signal, e.g. "
                f"the out-of-memory killer, or crashed{limit}); nothing was saved and the other "
                "workers were stopped; rerun, with fewer --workers or --n-envs if memory is short"
            ) from None
        except BaseException as err:  # Ctrl-C / SIGTERM: was a wait for every share (or orphans)
            _stop_workers(pool)
            if isinstance(err, Exception) and process_limit(err):
                # probe 102 rows 22, 23: was "[Errno 11] Resource temporarily unavailable", or
                # "cannot join thread before it is started", or a hang
                raise _process_limit_error(err, n_workers) from None
            raise
        pool.shutdown(wait=True)  # all shares done: the workers end at once
        bar.update(counter.value - bar.n)
    return episodes


def _process_limit_error(err: BaseException, n_workers: int) -> OSError:
    """The error for collection workers that could not start under the per-user process limit."""
    from rambo_env.host_limits import process_limit_text

    limited = OSError(
        process_limit_text(
            err,
            f"start the {n_workers} collection worker processes",
            "fewer workers (--workers 1 / n_workers=1)",
        )
    )
    limited.errno = errno.EAGAIN
    return limited


@contextmanager
def _status_signal_held() -> Iterator[None]:
    """SIGUSR1 blocked in this thread while the collection's helper processes start (the
    workers, multiprocessing's resource tracker): they inherit the mask, so a scheduler's
    SIGUSR1 sent to the whole job step (a status request of the main process) does not kill
    them (probe 102 row 6); one sent meanwhile arrives here once the block ends."""
    usr1 = getattr(signal, "SIGUSR1", None)
    if usr1 is None or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {usr1})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _thread_failures(failed: list[BaseException]) -> Iterator[None]:
    """Collect, instead of printing as "Exception in thread …", a thread's failure to start
    another thread or process (a pool's manager thread starting its queue's feeder under
    ``ulimit -u``); other threads' exceptions go to the previous hook."""
    from rambo_env.host_limits import process_limit

    previous = threading.excepthook

    def hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and process_limit(args.exc_value):
            failed.append(args.exc_value)
        else:
            previous(args)

    threading.excepthook = hook
    try:
        yield
    finally:
        if threading.excepthook is hook:
            threading.excepthook = previous


def _check_pool_alive(pool: ProcessPoolExecutor, futures: list, failed: list) -> None:
    """Raise where the pool can no longer finish ``futures``: a thread of its own failed to
    start another (``failed``), or its manager thread is gone with shares left. Probe 102
    row 23: the poll waited forever on futures a dead manager thread would never complete."""
    if failed:
        raise failed[0]
    manager = getattr(pool, "_executor_manager_thread", None)  # private: read defensively
    if isinstance(manager, threading.Thread) and manager.ident is not None:
        if not manager.is_alive() and not all(f.done() for f in futures):
            raise RuntimeError("the collection pool's manager thread ended: can't start new thread")


def _nproc_limited() -> bool:
    """Whether a per-user process limit (``ulimit -u``) is set for this process."""
    with contextlib.suppress(ImportError, OSError, ValueError, AttributeError):
        import resource

        return resource.getrlimit(resource.RLIMIT_NPROC)[0] != resource.RLIM_INFINITY
    return False


def _collect_shares_here(
    env_id: str,
    shares: list[int],
    path: str | None,
    seed: int,
    n_envs: int,
    device: str,
    progress: bool,
    desc: str,
) -> list:
    """The workers' shares collected one after another in this process, each with its worker's
    seed stream and one torch thread as in a worker, so the episodes are those of the spawned
    workers (the data depend on ``(seed, n_workers)`` only); for a daemonic process, which may
    start no children."""
    import torch

    note(
        f"[rambo_env] note: {desc}: this is a daemonic process (a multiprocessing.Pool worker), "
        f"which cannot start the {len(shares)} collection workers: collecting their shares one "
        "after another here (the same data, slower); to avoid it, generate the dataset first "
        f"({script_line('make_dataset.py')} …) or use concurrent.futures.ProcessPoolExecutor",
    )
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in a worker (_init_worker)
    try:
        with progress_bar(
            total=sum(shares), desc=desc, unit="step", progress=progress, smoothing=0.05
        ) as bar:
            return [
                ep
                for w, share in enumerate(shares)
                if share > 0
                for ep in _worker_collect(
                    env_id, share, path, device, seed, w, n_envs, on_steps=bar.update
                )
            ]
    finally:
        torch.set_num_threads(threads)


def _stop_workers(pool: ProcessPoolExecutor | None) -> None:
    """End the collection workers now: their shares are of no use once the main process stops.

    ``shutdown`` alone waits for the running shares (minutes at 1M transitions), so they are
    terminated first; the pool keeps its processes in a private mapping, read defensively.
    """
    if pool is None:
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())  # before shutdown
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        with contextlib.suppress(AssertionError):  # one whose start failed (probe 102 row 22)
            process.join(timeout=5)
    manager = getattr(pool, "_executor_manager_thread", None)
    if isinstance(manager, threading.Thread) and manager.ident is None:
        # probe 102 row 23: a manager thread that never started: shutdown's join raised
        # "cannot join thread before it is started" over the real error
        pool._executor_manager_thread = None
    with contextlib.suppress(RuntimeError, OSError):  # a queue thread that never started
        pool.shutdown(wait=True, cancel_futures=True)  # the pool is broken now: returns at once


def load_behaviour_policy(path: Path, device: str, env_id: str, arg: str = "") -> torch.nn.Module:
    """The behaviour actor saved at ``path``, for ``env_id``; ValueError naming the file (after
    ``arg``, e.g. ``"expert_policy_path (--expert-policy): "``) when it is an actor for other
    observation / action sizes or other action bounds."""
    from rambo_env.policies import load_actor

    if not Path(path).is_file():
        raise DatasetUnavailableError(
            f"behaviour policy file {path} "
            f"{'is a folder, not a file' if Path(path).is_dir() else 'does not exist'}; pass --policy PATH (an actor saved by "
            "agents.behaviour.save_actor) or train one with scripts/make_dataset.py --train-policy"
        )
    actor = load_actor(path, device=device)
    env = gym.make(env_id)
    try:
        obs_dim = int(np.prod(env.observation_space.shape))
        action_dim = int(np.prod(env.action_space.shape))
        env_low = np.asarray(env.action_space.low, dtype=np.float32).reshape(-1)
        env_high = np.asarray(env.action_space.high, dtype=np.float32).reshape(-1)
    finally:
        env.close()
    if (actor.obs_dim, actor.action_dim) != (obs_dim, action_dim):
        raise ValueError(
            f"{arg}policy file {path}: an actor for obs_dim={actor.obs_dim}, action_dim="
            f"{actor.action_dim}, but {env_id} has obs_dim={obs_dim}, action_dim={action_dim}"
        )
    # probe 90 row 24: an actor for other action bounds (±1.5 for hopper's ±1) was refused by
    # the dataset check only after every part was collected, with advice about the data
    low = actor.action_low.detach().cpu().numpy().reshape(-1)
    high = actor.action_high.detach().cpu().numpy().reshape(-1)
    if not (
        np.allclose(low, env_low, rtol=1e-5, atol=1e-6)
        and np.allclose(high, env_high, rtol=1e-5, atol=1e-6)
    ):
        raise ValueError(
            f"{arg}policy file {path}: an actor for action bounds low {low.tolist()}, high "
            f"{high.tolist()}, but {env_id}'s action space is low {env_low.tolist()}, high "
            f"{env_high.tolist()}; its actions would fall outside the env's: pass an actor "
            f"trained on {env_id} (scripts/make_dataset.py --train-policy trains one)"
        )
    return actor


def check_policy_files(env: str, device: str = "cpu", **inputs: Any) -> None:
    """Each actor file given (``policy_path``, ``expert_policy_path``; None = not given) is an
    actor for ``env``'s observation / action sizes and action bounds, before anything is
    collected: ValueError naming the argument and the file otherwise (was: the expert part's
    file was loaded only after the medium part was collected)."""
    for name, value in inputs.items():
        if value is not None:
            flag = "--" + name.removesuffix("_path").replace("_", "-")
            load_behaviour_policy(Path(value), device, ENV_IDS[env], f"{name} ({flag}): ")


def _level_episodes(
    env: str,
    level: str,
    n_transitions: int,
    seed: int,
    n_envs: int,
    progress: bool,
    policy_path: Path | None,
    expert_policy_path: Path | None,
    replay_path: Path | None,
    device: str,
    n_workers: int = 1,
) -> tuple[list, dict]:
    """Episodes of one D4RL level and a description of how they were made."""
    env_id = ENV_IDS[env]
    rng = np.random.default_rng(seed)
    kwargs = {"rng": rng, "n_envs": n_envs, "progress": progress, "desc": f"{env}-{level}"}
    parallel = {"seed": seed, "n_workers": n_workers, "n_envs": n_envs, "device": device}
    parallel.update(progress=progress, desc=kwargs["desc"])
    if level == "random":
        if n_workers > 1:
            return collect_episodes_parallel(env_id, n_transitions, None, **parallel), {}
        space = gym.make(env_id).action_space
        return collect_episodes(env_id, n_transitions, random_act_fn(space, rng), **kwargs), {}
    if level in ("medium", "expert"):
        path = policy_path if level == "medium" else expert_policy_path
        if level == "medium" and path is None:
            from rambo_env.policies import shipped_policy_path  # torch: not for the random level

            path = shipped_policy_path(env, "medium")
        if path is None:
            raise DatasetUnavailableError(_needs_expert(env, "expert"))
        # a bad file fails here, not in a worker
        actor = load_behaviour_policy(Path(path), device, env_id)
        if n_workers > 1:
            episodes = collect_episodes_parallel(env_id, n_transitions, path, **parallel)
            return episodes, {"policy": str(path)}
        import torch  # the random level needs none (session 60: ≈ 3 s of its start)

        act = policy_act_fn(actor, torch.Generator(device=device).manual_seed(seed))
        return collect_episodes(env_id, n_transitions, act, **kwargs), {"policy": str(path)}
    if level == "medium-replay":
        path = Path(replay_path) if replay_path is not None else default_replay_path(env)
        if not path.is_file():
            raise DatasetUnavailableError(_needs_replay(env, path))
        from rambo_env.data.loaders import read_npz, validate_for_env  # (loaders imports this)

        _check_not_a_dataset_file(path)
        # was: numpy's "contains pickled (object) data … load it unsafely", naming no file
        try:  # probe 157: a file lacking fields was "missing key(s) …", naming neither it nor
            replay = read_npz(path)  # --replay (load_dataset names the file: "dataset '…': …")
        except DatasetValidationError as err:
            if os.fspath(path) in str(err):
                raise
            raise DatasetValidationError(
                f"replay_path (--replay): {path}: {err}", problem=err.problem
            ) from None
        try:  # was: another env's buffer (hopper's for walker2d) saved as this env's dataset
            validate_for_env(dataclasses.replace(replay, env_id=env_id))
        except DatasetValidationError as err:
            raise DatasetValidationError(
                f"replay_path (--replay): {path} is not a replay buffer of {env_id} "
                f"({err.problem}); pass the replay.npz that --train-policy wrote for --env {env}"
            ) from None
        return dataset_to_episodes(replay), {"replay": str(path)}
    medium, info_m = _level_episodes(
        env, "medium", n_transitions, seed, n_envs, progress, policy_path, None, None, device,
        n_workers,
    )  # fmt: skip
    expert, info_e = _level_episodes(
        env,
        "expert",
        n_transitions,
        seed + 1,
        n_envs,
        progress,
        None,
        expert_policy_path,
        None,
        device,
        n_workers,
    )
    return medium + expert, {"policy": info_m["policy"], "expert_policy": info_e["policy"]}


class DatasetExistsError(FileExistsError):
    """The dataset to generate is already in the local Minari root (and ``force`` is off)."""


def check_storage_dependencies() -> None:
    """Import what saving the dataset needs (Minari and its hdf5 storage's h5py) before any
    collection. Probe 115: an h5py that failed to import (a numpy mismatch) was found by Minari
    after the whole collection, as "h5py is not installed", and the collection was lost."""
    from rambo_env.requirements import import_dependency

    import_dependency("minari")
    import_dependency("h5py")


@numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
def generate_dataset(
    env: str,
    level: str,
    *,
    n_transitions: int = DEFAULT_N_TRANSITIONS,
    seed: int = 0,
    policy_path: str | Path | None = None,
    expert_policy_path: str | Path | None = None,
    replay_path: str | Path | None = None,
    dataset_id: str | None = None,
    force: bool = False,
    n_envs: int = 16,
    progress: bool = True,
    device: str = "cpu",
    n_workers: int = DEFAULT_N_WORKERS,
) -> OfflineDataset:
    """Generate a D4RL-protocol dataset and save it as a local Minari dataset.

    ``device`` defaults to CPU: the actor sees batches of ``n_envs`` observations, far too small to
    amortise GPU transfers. ``n_transitions`` applies per part (``medium-expert`` = medium + expert,
    as in D4RL) and is ignored by ``medium-replay`` (the whole replay buffer is the dataset).
    ``n_workers`` collection processes run in parallel (1 = in this process); the data depend on
    ``(seed, n_workers)``. Prints the average episode return and D4RL-normalised score; returns
    the flat dataset.
    """
    from rambo_env.run_io import check_flag, check_output_streams

    check_flag(force, "force")  # probe 21: force="no" overwrote the dataset
    check_flag(progress, "progress")
    # probe 118 rows 8-11: a closed / broken / write-only stdout was a raw error after the
    # collection; sys.stderr = None (pythonw) with the bar tqdm's raw AttributeError: bars off
    progress = check_output_streams(progress, "generate_dataset")
    if env not in ENV_IDS or level not in LEVELS:
        raise ValueError(
            f"env={env!r}, level={level!r}; valid envs {list(ENV_IDS)}, levels {list(LEVELS)}"
        )
    for name, value, low in (
        ("n_transitions", n_transitions, 1),
        ("n_workers", n_workers, 1),
        ("seed", seed, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
            raise ValueError(f"{name}: expected an int >= {low}, got {value!r}")
    from rambo_env.run_io import check_seed, counted

    # was: >= 2**64 torch's raw "Overflow when unpacking long long"; probe 20: a numpy int was
    # "TypeError: an integer is required" from the collection
    seed = check_seed(seed)
    check_n_envs(n_envs)
    check_n_workers(n_workers, n_transitions)
    # probe 61: a numpy n_workers / n_envs passed these checks, then the dataset's JSON metadata
    # refused it after the whole collection
    n_transitions, n_envs, n_workers = int(n_transitions), int(n_envs), int(n_workers)
    check_generation_memory(env, level, n_transitions)
    check_level_inputs(
        level,
        policy_path=policy_path,
        expert_policy_path=expert_policy_path,
        replay_path=replay_path,
    )
    if level == "medium-expert" and expert_policy_path is None:  # was: found after the medium
        # half was collected (minutes; 'expert' failed at once)
        raise DatasetUnavailableError(_needs_expert(env, level))
    if expert_policy_path is not None:
        check_expert_is_not_medium(env, expert_policy_path, policy_path)
    from rambo_env.data.minari_io import (
        check_dataset_id,
        check_dataset_place,
        check_replaceable,
        check_trash_elsewhere,
        generation_lock,
        minari_dataset_name,
        minari_dataset_path,
        removing_new_root,
    )
    from rambo_env.dynamics.ensemble import check_device

    check_device(device)
    check_storage_dependencies()
    check_policy_files(env, device, policy_path=policy_path, expert_policy_path=expert_policy_path)
    dataset_id = check_dataset_id(
        default_dataset_id(env, level) if dataset_id is None else dataset_id
    )
    check_id_matches_data(dataset_id, env, level)

    # probe 49: a failed or interrupted generation leaves no new, empty root behind
    with removing_new_root():
        check_dataset_place(dataset_id)  # and the root: before collecting, not when data are saved
        check_dataset_file_size(dataset_id, env, level, n_transitions)
        check_trash_elsewhere(dataset_id, force)  # probe 129 row 5
        existed = minari_dataset_path(dataset_id).exists()
        with generation_lock(dataset_id):  # probe 24: another process making it: wait, then see
            if minari_dataset_path(dataset_id).exists() and not force:
                if not existed:  # probe 66: said "already exists", as if it had been there
                    raise DatasetExistsError(
                        f"{dataset_id!r} was made by another process while this one waited "
                        f"for its generation lock; it is at {minari_dataset_path(dataset_id)} "
                        "now: use it, or use --force to replace it with this generation"
                    )
                raise DatasetExistsError(
                    f"{dataset_id!r} already exists at {minari_dataset_path(dataset_id)}; use --force to overwrite"
                )
            check_replaceable(dataset_id)  # probe 34: before collecting, nothing deleted
            episodes, info = _level_episodes(
                env,
                level,
                n_transitions,
                seed,
                n_envs,
                progress,
                policy_path,
                expert_policy_path,
                replay_path,
                device,
                n_workers,
            )
            ref_min, ref_max = REF_SCORES[env]
            dataset = episodes_to_dataset(
                episodes,
                env_id=ENV_IDS[env],
                ref_min_score=ref_min,
                ref_max_score=ref_max,
                name=minari_dataset_name(dataset_id, ENV_IDS[env]),  # as read back, cached or not
                source=f"minari:{dataset_id} (generated)",
            )
            returns = _complete_episode_returns(
                episodes, gym.spec(ENV_IDS[env]).max_episode_steps or 1000
            )
            info.update(
                level=level,
                seed=seed,
                n_envs=n_envs,
                n_workers=n_workers if level != "medium-replay" else 1,
                n_transitions=dataset.n_transitions,
                n_episodes=len(episodes),
                n_complete_episodes=len(returns),
                # None when every episode was cut by the budget (was: their partial mean, printed and
                # compared as the behaviour policy's score: 9.4 for a medium policy near 45)
                mean_return=float(returns.mean()) if len(returns) else None,
                normalized_score=float(dataset.normalized_score(returns.mean()))
                if len(returns)
                else None,
            )
            info.update(code_record())  # probe 113: which rambo_env generated it
            dataset.metadata.update(minari_id=dataset_id, **info)
            save_minari(
                dataset_id,
                episodes,
                env_id=ENV_IDS[env],
                ref_min_score=ref_min,
                ref_max_score=ref_max,
                description=f"D4RL-protocol {env}-{level} generated by rambo-env ({info})",
                extra_metadata=info,
                force=force,
                progress=progress,
                short_name_data=(env, level),  # checked against the id as above
            )
            write_flat_cache(dataset_id, dataset)
            if returns.size:
                said = (
                    f"average return {info['mean_return']:.1f} of {returns.size} complete episode(s) (D4RL "
                    f"normalised score {info['normalized_score']:.1f})"
                )
            elif level == "medium-replay":  # the replay file's episodes: the flags do not apply
                said = "no episode of the replay buffer ended, so the behaviour policy's score is unknown"
            else:
                said = (
                    "no episode ended within the budget (each env's last episode is cut), so the behaviour "
                    "policy's score is unknown; more --n-transitions or fewer --n-envs give complete ones"
                )
            note(  # probe 49: the root was not named (another MINARI_DATASETS_PATH misses it)
                f"[rambo_env] {dataset_id}: {counted(dataset.n_transitions, 'transition')}, "
                f"{counted(len(episodes), 'episode')}, {said}; saved in the Minari root "
                f"{named_root()}"
            )
            return dataset


def _complete_episode_returns(episodes: list, max_steps: int) -> np.ndarray:
    """Returns of episodes that terminated or hit the time limit (budget-cut ones excluded)."""
    done = [ep for ep in episodes if ep.terminations[-1] or len(ep.rewards) >= max_steps]
    return np.array([float(np.sum(ep.rewards)) for ep in done])
