"""Timing helpers for ``scripts/bench.py`` (issue 4): synthetic paper-sized problems, medians of
repeats in CPU and wall seconds, analytic FLOP counts and the machine's matmul peak.

Pure torch / numpy (no RL library): the agent enters only as :class:`~rambo_env.adversary.PolicyFns`.
Weights are UNTRAINED (random init, input statistics from the synthetic data): the work done per
step does not depend on the weights, so the timings are those of a real run.

Sizes follow the paper (App. B.1, B.3): ensemble 7 x 4 x 200 with 5 elites, batch 256, 50 000
rollout starts, k = 5, agent 2 x 256, Hopper dimensions (obs 11, action 3).
"""

from __future__ import annotations

import itertools
import math
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields, replace

import numpy as np
import torch

from rambo_env.adversary import AdversaryConfig, ModelAdversary, PolicyFns
from rambo_env.compile import MaybeCompiled
from rambo_env.data.dataset import OfflineDataset
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble, check_precision
from rambo_env.dynamics.termination import get_termination_fn
from rambo_env.dynamics.training import _MLEStep, _run_epoch, make_adam
from rambo_env.model import LearnedMDP
from rambo_env.normalization import ObsNormalizer
from rambo_env.run_io import check_field_ranges, is_int, is_real, python_fields

__all__ = [
    "FLOOR_TARGETS",
    "BenchConfig",
    "Timing",
    "adversary_step_flops",
    "bench_adversary",
    "bench_mle_epoch",
    "bench_rollout_bare",
    "cpu_flags",
    "cpu_model",
    "ensemble_row_flops",
    "floor_row",
    "load_average",
    "matmul_peak_gflops",
    "matmul_peak_runs",
    "measure",
    "mle_epoch_flops",
    "mlp_flops",
    "peak_rss_mib",
    "rollout_flops",
    "synthetic_dataset",
    "synthetic_mdp",
]


@dataclass(frozen=True)
class BenchConfig:
    """Problem sizes and measurement budget (defaults = paper sizes; :meth:`quick` = smoke test)."""

    obs_dim: int = 11
    action_dim: int = 3
    n_transitions: int = 200_000
    """Synthetic dataset rows (start states, MLE and agent real batches)."""
    ensemble: EnsembleConfig = field(default_factory=EnsembleConfig)
    batch_size: int = 256
    n_rollouts: int = 50_000
    rollout_length: int = 5
    agent_hidden: tuple[int, ...] = (256, 256)
    adversary_steps: int = 1000
    """Steps per iteration (App. B.3) that the measured ``adversary_measure`` steps scale to."""
    adversary_measure: int = 50
    agent_steps: int = 1000
    agent_measure: int = 100
    mle_transitions: int = 1_000_000
    """Epoch size the ``mle_measure`` timed batches are extrapolated to."""
    mle_measure: int = 40
    iteration_steps: int = 50
    """Agent and adversary steps of the directly measured (reduced) co-training iteration."""
    repeats: int = 3
    warmup: int = 1
    matmul_size: int = 2048
    seed: int = 0
    compile: bool = False
    """torch.compile the adversary's Eq. 9 loss, the MLE batch and SAC's gradient step
    (``--compile``; the main job's ``compile``)."""
    precision: str = "fp32"
    """The ensemble's precision (``--precision bf16``: mixed precision, the main job's ``precision``)."""

    @classmethod
    def quick(cls) -> BenchConfig:
        """Tiny sizes: seconds in total, every code path exercised."""
        small = EnsembleConfig(
            n_members=3, n_elites=2, hidden_dims=(16, 16), weight_decays=(1e-5, 1e-5, 1e-5)
        )
        return cls(
            n_transitions=2000, ensemble=small, batch_size=32, n_rollouts=200, rollout_length=2,
            agent_hidden=(16, 16), adversary_steps=20, adversary_measure=4, agent_steps=20,
            agent_measure=4, mle_transitions=10_000, mle_measure=3, iteration_steps=4,
            repeats=1, warmup=0, matmul_size=128,
        )  # fmt: skip

    def __post_init__(self) -> None:
        python_fields(self)  # probe 61: numpy numbers are stored (and reach JSON) as Python ones
        # probe 59: zero / negative sizes, repeats=0 or precision="fp16" were accepted silently
        sizes = [
            f.name for f in fields(self) if f.type == "int" and f.name not in ("warmup", "seed")
        ]
        checks = {name: (is_int(getattr(self, name)) and getattr(self, name) >= 1, "an int >= 1")
                  for name in sizes}  # fmt: skip
        checks["warmup"] = (is_int(self.warmup) and self.warmup >= 0, "an int >= 0")
        checks["seed"] = (is_int(self.seed) and self.seed >= 0, "an int >= 0")
        checks["agent_hidden"] = (
            isinstance(self.agent_hidden, tuple)
            and len(self.agent_hidden) >= 1
            and all(is_int(h) and h >= 1 for h in self.agent_hidden),
            "a non-empty tuple of ints >= 1",
        )
        checks["ensemble"] = (isinstance(self.ensemble, EnsembleConfig), "an EnsembleConfig")
        checks["compile"] = (isinstance(self.compile, bool), "True or False")
        check_field_ranges("BenchConfig", self, checks)
        try:
            check_precision(self.precision)
        except ValueError as err:
            raise ValueError(f"BenchConfig.{err}") from None

    def with_(self, **changes: object) -> BenchConfig:
        return replace(self, **changes)


@dataclass(frozen=True)
class Timing:
    """Medians over repeats: CPU seconds of this process (all its threads) and wall seconds."""

    cpu_s: float
    wall_s: float
    repeats: int
    wall_spread: float = 0.0
    """(slowest - fastest) / median of the repeats' wall seconds: how far one run of the row can
    be trusted on a shared machine (session 55: an AVX2 EPYC VM moved an MLE batch 22-33 ms
    between processes)."""

    def scaled(self, factor: float) -> Timing:
        return Timing(self.cpu_s * factor, self.wall_s * factor, self.repeats, self.wall_spread)

    def as_dict(self) -> dict[str, float]:
        return {"cpu_s": self.cpu_s, "wall_s": self.wall_s, "repeats": self.repeats,
                "wall_spread": self.wall_spread}  # fmt: skip


def _check_count(name: str, value: object, least: int) -> None:
    """ValueError naming ``name`` unless ``value`` is an int >= ``least``."""
    if not is_int(value) or value < least:  # type: ignore[operator]
        raise ValueError(f"{name}: expected an int >= {least}, got {value!r}")


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def measure(
    fn: Callable[[], object], repeats: int = 3, warmup: int = 1, device: torch.device | None = None
) -> Timing:
    """Run ``fn`` ``warmup`` times untimed, then ``repeats`` times; median CPU and wall seconds."""
    # probe 66 rows 80-81: repeats 0 / -5 ran once, warmup -1 none, 2.5 was range()'s raw error
    _check_count("repeats", repeats, 1)
    _check_count("warmup", warmup, 0)
    if not callable(fn):
        raise ValueError(f"fn: expected a function of no arguments to time, got {fn!r:.60}")
    device = device if device is not None else torch.device("cpu")
    for _ in range(warmup):
        fn()
    _sync(device)
    cpu, wall = [], []
    for _ in range(repeats):
        c0, w0 = time.process_time(), time.perf_counter()
        fn()
        _sync(device)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
    mid = statistics.median(wall)
    spread = (max(wall) - min(wall)) / mid if mid > 0 else 0.0
    return Timing(statistics.median(cpu), mid, len(cpu), spread)


# --------------------------------------------------------------------------------- machine facts
def _cpuinfo(field: str) -> str:
    """The first ``field`` value of /proc/cpuinfo (empty when unavailable)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith(field):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def cpu_model() -> str:
    """``model name`` from /proc/cpuinfo (empty when unavailable)."""
    return _cpuinfo("model name")


#: CPU flags that decide which precision is fast (AMX / AVX-512 bf16: a bf16 mode can pay off).
_FLAGS = ("avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile")


def cpu_flags() -> list[str]:
    """Which of ``avx2, avx512f, avx512_bf16, amx_bf16, amx_tile`` /proc/cpuinfo lists ([] if none)."""
    present = set(_cpuinfo("flags").split())
    return [flag for flag in _FLAGS if flag in present]


def load_average() -> tuple[float, float, float]:
    """1/5/15-minute load averages (the machine is shared; timings depend on it)."""
    try:
        return os.getloadavg()
    except OSError:
        return (math.nan, math.nan, math.nan)


def peak_rss_mib() -> float:
    """Peak resident memory of this process in MiB (``ru_maxrss`` is KiB on Linux, bytes on
    macOS: probe 150, it was 1024x too large there); NaN where the ``resource`` module is missing
    (probe 150: its import at the top of this module stopped every script on Windows)."""
    try:
        import resource
    except ImportError:
        return math.nan
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024.0 * 1024.0 if sys.platform == "darwin" else 1024.0)


#: Longest one timed product of :func:`matmul_peak_gflops` may take (s) before its size is halved.
MATMUL_SECONDS_CAP = 1.0

#: Smallest size :func:`matmul_peak_gflops` halves down to.
MATMUL_MIN_SIZE = 256

#: Size of the products that estimate a dtype's rate before the timed ones.
MATMUL_PROBE_SIZE = 512


def matmul_peak_gflops(
    dtype: torch.dtype, threads: int, size: int = 2048, device: torch.device | None = None
) -> float:
    """Achieved GFLOP/s of a large square ``torch.matmul`` (``2 n^3`` FLOPs) with ``threads``:
    the median of :func:`matmul_peak_runs`' five products."""
    return statistics.median(matmul_peak_runs(dtype, threads, size, device))


def matmul_peak_runs(
    dtype: torch.dtype, threads: int, size: int = 2048, device: torch.device | None = None
) -> list[float]:
    """GFLOP/s of each of five square ``torch.matmul`` products (``2 n^3`` FLOPs) with ``threads``,
    after one untimed; on a CPU from the process's CPU seconds per thread.

    ``size`` is halved (down to :data:`MATMUL_MIN_SIZE`) while one product would take longer than
    :data:`MATMUL_SECONDS_CAP` at the rate :data:`MATMUL_PROBE_SIZE` products show: bf16 on a CPU
    without AVX-512 bf16 or AMX runs at 0.25 GFLOP/s at 2048³, where the twelve products of a
    bench run's two bf16 peaks took 13.5 min (session 55, AVX2 EPYC); a fast dtype keeps ``size``."""
    # probe 66 rows 80-81: an int64 matmul was reported as GFLOP/s, threads=0 torch's raw error
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise ValueError(
            f"dtype: expected a floating-point torch dtype (torch.float32, torch.bfloat16 …), got "
            f"{dtype!r}; a peak of integer matmuls is no GFLOP/s"
        )
    _check_count("threads", threads, 1)
    _check_count("size", size, 1)
    device = device if device is not None else torch.device("cpu")
    previous = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        gen = torch.Generator(device=device).manual_seed(0)
        size = _affordable_size(dtype, size, gen, device)
        a = torch.randn(size, size, generator=gen, device=device).to(dtype)
        b = torch.randn(size, size, generator=gen, device=device).to(dtype)
        rates = []
        with torch.inference_mode():
            for i in range(5):
                t = measure(lambda: a @ b, repeats=1, warmup=int(i == 0), device=device)
                seconds = t.wall_s if device.type == "cuda" else t.cpu_s / threads
                rates.append(2.0 * size**3 / max(seconds, 1e-12) / 1e9)
        return rates
    finally:
        torch.set_num_threads(previous)


def _affordable_size(
    dtype: torch.dtype, size: int, gen: torch.Generator, device: torch.device
) -> int:
    """``size`` halved until one ``size``-cubed product fits :data:`MATMUL_SECONDS_CAP` at the
    rate of the fastest of three :data:`MATMUL_PROBE_SIZE` products (after one untimed: a thread
    pool's first wake-up must not pass for a slow dtype)."""
    n = min(size, MATMUL_PROBE_SIZE)
    if n == size:
        return size
    a = torch.randn(n, n, generator=gen, device=device).to(dtype)
    with torch.inference_mode():
        fastest = min(
            measure(lambda: a @ a, repeats=1, warmup=int(i == 0), device=device).wall_s
            for i in range(3)
        )
    seconds_per_flop = max(fastest, 1e-9) / (2.0 * n**3)
    while size > MATMUL_MIN_SIZE and 2.0 * size**3 * seconds_per_flop > MATMUL_SECONDS_CAP:
        size //= 2
    return max(size, MATMUL_MIN_SIZE)


# --------------------------------------------------------------------------------- FLOP counts
def mlp_flops(dims: Sequence[int], rows: int) -> float:
    """Matmul FLOPs of one forward of an MLP with layer widths ``dims`` on ``rows`` rows."""
    if not is_int(rows) or rows < 0:  # probe 59: was a negative FLOP count
        raise ValueError(f"rows: expected an int >= 0, got {rows!r}")
    for i, width in enumerate(dims):  # probe 66 row 80: a negative width was -1400 FLOPs
        if not is_int(width) or width < 1:
            raise ValueError(f"dims[{i}]: expected a layer width (int >= 1), got {width!r}")
    return 2.0 * rows * sum(a * b for a, b in itertools.pairwise(dims))


def ensemble_row_flops(obs_dim: int, action_dim: int, cfg: EnsembleConfig) -> float:
    """Forward FLOPs of ONE member on ONE row (both heads, ``2T`` outputs)."""
    dims = (obs_dim + action_dim, *cfg.hidden_dims, 2 * (obs_dim + 1))
    return mlp_flops(dims, 1)


def adversary_step_flops(cfg: BenchConfig, actor_fwd: float, critic_fwd: float) -> float:
    """Analytic FLOPs of one adversary step (backward counted as 2 x forward).

    ``actor_fwd`` / ``critic_fwd``: one forward of the agent's actor / full critic on one batch.
    Rollout step (actor sample + own-elite forward), advantage (2 critic calls + actor mean),
    mixture log-prob over the elites and MLE over all members, each forward + backward.
    """
    b, e = cfg.batch_size, cfg.ensemble
    row = ensemble_row_flops(cfg.obs_dim, cfg.action_dim, e)
    rollout = actor_fwd + b * row
    adv = 2 * critic_fwd + actor_fwd
    return rollout + adv + 3 * b * row * (e.n_elites + e.n_members)


def rollout_flops(cfg: BenchConfig, actor_row_fwd: float) -> float:
    """FLOPs of one ``n_rollouts x k`` model rollout (Alg. 1 line 3): per row and step, one actor
    forward and ONE member's forward (the drawn elite; nothing else is needed)."""
    row = ensemble_row_flops(cfg.obs_dim, cfg.action_dim, cfg.ensemble)
    return cfg.n_rollouts * cfg.rollout_length * (actor_row_fwd + row)


def mle_epoch_flops(cfg: BenchConfig, batches: int) -> float:
    """FLOPs of an MLE epoch (Alg. 1 line 1): every member forward + backward (3x) on each batch."""
    row = ensemble_row_flops(cfg.obs_dim, cfg.action_dim, cfg.ensemble)
    return 3.0 * batches * cfg.batch_size * cfg.ensemble.n_members * row


#: Issue 12's targets: wall seconds at most this many times the row's fp32 floor.
FLOOR_TARGETS = {"rollout": 3.0, "adversary": 2.0, "agent": 3.0, "mle_epoch": 1.5, "iteration": 2.0}


def floor_row(flops: float, wall_s: float, peak_gflops: float, target: float | None) -> dict:
    """One benchmark row against its arithmetic floor ``flops / peak``: the floor in seconds, the
    measured wall seconds, their ratio and the target ratio (``None``: no target)."""
    # probe 59: peak 0 was a raw ZeroDivisionError, a NaN wall a silent ratio nan
    for name, value, ok, takes in (
        ("flops", flops, lambda v: 0 <= v < math.inf, "a finite number >= 0"),
        ("wall_s", wall_s, lambda v: 0 <= v < math.inf, "a finite number >= 0"),
        ("peak_gflops", peak_gflops, lambda v: 0 < v < math.inf, "a finite number > 0"),
    ):
        if not is_real(value) or not ok(value):
            raise ValueError(f"{name}: expected {takes}, got {value!r}")
    # probe 66 row 80: a target of -1 / nan was kept, a ratio no row can meet
    if target is not None and not (is_real(target) and 0 < target < math.inf):
        raise ValueError(f"target: expected a finite ratio > 0 or None (no target), got {target!r}")
    floor = flops / (peak_gflops * 1e9)
    return {
        "gflop": flops / 1e9,
        "floor_s": floor,
        "wall_s": wall_s,
        "ratio": wall_s / floor if floor > 0 else math.inf,
        "target_ratio": target,
    }


# --------------------------------------------------------------------------------- problems
def synthetic_dataset(cfg: BenchConfig, n: int | None = None) -> OfflineDataset:
    """Hopper-shaped random transitions (standing pose, no terminals reached by the test)."""
    n = cfg.n_transitions if n is None else n
    if not is_int(n) or n < 1:  # probe 59: was numpy's "negative dimensions are not allowed"
        raise ValueError(f"n: expected an int >= 1 (rows of the synthetic dataset), got {n!r}")
    rng = np.random.default_rng(cfg.seed)
    obs = rng.normal(0.0, 0.05, (n, cfg.obs_dim)).astype(np.float32)  # [N, O]
    obs[:, 0] += 1.25  # Hopper height: far from Hopper-v5's termination bounds
    actions = rng.uniform(-1.0, 1.0, (n, cfg.action_dim)).astype(np.float32)  # [N, A]
    next_obs = obs + rng.normal(0.0, 0.01, obs.shape).astype(np.float32)
    rewards = rng.normal(1.0, 0.1, n).astype(np.float32)
    # Independent random rows: each is its own one-step episode (was: 1000-step episodes whose
    # next_observations are not the next row, so every bench printed a false "1998 row(s) end an
    # episode without a flag" WARNING about its own data).
    timeouts = np.ones(n, dtype=bool)
    hopper = cfg.obs_dim == 11 and cfg.action_dim == 3
    return OfflineDataset.from_arrays(
        {
            "observations": obs, "actions": actions, "rewards": rewards,
            "next_observations": next_obs, "terminals": np.zeros(n, dtype=bool),
            "timeouts": timeouts,
        },
        env_id="Hopper-v5" if hopper else None, name="bench-synthetic",
    )  # fmt: skip


def synthetic_mdp(dataset: OfflineDataset, cfg: BenchConfig, device: torch.device) -> LearnedMDP:
    """An untrained paper-sized ensemble over ``dataset`` (input statistics set from the data)."""
    normalizer = ObsNormalizer.from_dataset(dataset)
    gen = torch.Generator().manual_seed(cfg.seed)
    ensemble = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=gen)
    ensemble.set_precision(cfg.precision)
    x = np.concatenate([normalizer.normalize(dataset.observations), dataset.actions], axis=1)
    ensemble.set_input_stats(x.mean(0), x.std(0))
    start = normalizer.normalize(torch.tensor(dataset.observations))
    return LearnedMDP(
        ensemble, normalizer, get_termination_fn(dataset.env_id, dataset), start, device=device
    )


# --------------------------------------------------------------------------------- benchmarks
def bench_rollout_bare(
    mdp: LearnedMDP, policy: PolicyFns | None, cfg: BenchConfig, device: torch.device
) -> Timing:
    """``n_rollouts x k`` model steps through ``LearnedMDP.step_with`` (policy actions if given,
    else uniform random actions: the model's share alone)."""
    rng = np.random.default_rng(cfg.seed)
    gen = torch.Generator(device=device).manual_seed(cfg.seed)

    def rollout() -> None:
        obs = mdp.initial(cfg.n_rollouts, rng)  # [n, O]
        with torch.no_grad():
            for _ in range(cfg.rollout_length):
                if policy is None:
                    action = torch.rand(obs.shape[0], cfg.action_dim, generator=gen, device=device)
                    action = 2.0 * action - 1.0  # [n, A]
                else:
                    action = policy.sample(obs)  # [n, A]
                obs, _, _ = mdp.step_with(obs, action, *mdp.draw(obs.shape[0], rng))

    return measure(rollout, cfg.repeats, cfg.warmup, device)


def bench_adversary(
    mdp: LearnedMDP,
    dataset: OfflineDataset,
    policy: PolicyFns,
    cfg: BenchConfig,
    device: torch.device,
) -> tuple[Timing, Timing, str]:
    """``ModelAdversary.update`` with ``adversary_measure`` steps; returns (measured, scaled to
    ``adversary_steps``, what ran: ``compiled whole step`` (loss, gradient and Adam as one
    graph), ``compiled loss`` or ``eager``). Mutates ``mdp.ensemble`` (as a real run does)."""
    adv_cfg = AdversaryConfig(
        adversary_weight=3e-4,
        rollout_length=cfg.rollout_length,
        n_updates=cfg.adversary_measure,
        batch_size=cfg.batch_size,
    )
    adversary = ModelAdversary(mdp, dataset, adv_cfg, seed=cfg.seed, compile=cfg.compile)
    t = measure(lambda: adversary.update(policy), cfg.repeats, cfg.warmup, device)
    fns = adversary._rollout_fn(policy)
    path = (
        "compiled whole step"
        if fns.whole is not None and fns.whole.active
        else "compiled loss"
        if fns.loss.active
        else "eager"
    )
    return t, t.scaled(cfg.adversary_steps / cfg.adversary_measure), path


def bench_mle_epoch(cfg: BenchConfig, device: torch.device) -> tuple[Timing, Timing, int]:
    """``mle_measure`` MLE batches of the training loop (``training._run_epoch``, bootstrap rows
    per member, fused Adam; compiled: each batch one graph, ``training._MLEStep``) on ``mle_transitions`` rows; returns (measured, one epoch
    extrapolated, batches per epoch)."""
    gen = torch.Generator().manual_seed(cfg.seed)
    ensemble = GaussianEnsemble(cfg.obs_dim, cfg.action_dim, cfg.ensemble, generator=gen).to(device)
    ensemble.set_precision(cfg.precision)
    n, e = cfg.mle_transitions, cfg.ensemble.n_members
    x = torch.randn(n, ensemble.input_dim, generator=gen).to(device)  # [N, in]
    y = 0.1 * torch.randn(n, ensemble.target_dim, generator=gen).to(device)  # [N, T]
    optimizer = make_adam(ensemble.parameters(), 3e-4)
    n_rows = cfg.mle_measure * cfg.batch_size
    order = torch.randint(n, (e, n_rows), generator=gen).to(device)  # [E, K * B]

    loss_fn = MaybeCompiled(ensemble.mle_loss_from_tensors, enabled=cfg.compile, name="MLE loss")
    step = _MLEStep(ensemble, optimizer, cfg.compile)  # compiled: the whole batch as one graph

    def run() -> None:
        _run_epoch(ensemble, optimizer, x, y, order, cfg.batch_size, math.inf, loss_fn, step)

    t = measure(run, cfg.repeats, cfg.warmup, device)
    n_train = n - min(int(0.1 * n), 1000)  # official holdout min(10 %, 1000)
    per_epoch = math.ceil(n_train / cfg.batch_size)
    return t, t.scaled(per_epoch / cfg.mle_measure), per_epoch
