"""Benchmark of one RAMBO co-training iteration at paper sizes (issue 4).

    python scripts/bench.py [--threads N] [--device auto] [--json bench.json] [--quick] [--no-compile]

Rows: model rollout 50 000 x k (SB3 VecEnv collect with policy actions, bare ``step_with`` with
policy actions and with random actions), adversary steps, agent gradient steps (SAC, TD3, TQC),
an MLE epoch on 1M transitions (extrapolated from timed batches), one co-training iteration
(extrapolated from the components and measured directly at reduced step counts), the matmul
peak (fp32, bf16) and the peak memory. Each main row is set against its fp32 arithmetic floor
(the FLOPs the algorithm needs at these sizes / the matmul peak of all threads, measured in the
same run) with the ratio and issue 12's target ratio: speeds compare across machines as ratios. Times are medians of repeats after a warm-up, in CPU
seconds of this process and in wall seconds, with the repeats' spread ((slowest - fastest) / median: the
machine may be shared; the load is printed too).
Weights are untrained (random init): the work per step does not depend on them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import check_working_folder, interrupt_quietly_while_importing

interrupt_quietly_while_importing("bench", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder

import torch
from rich.console import Console
from rich.table import Table
from stable_baselines3 import SAC
from torch import nn

from agents.callback import RamboCallback
from agents.cotrain import PRESETS
from agents.cotrain_setup import COMPILE_MIN_ITERATIONS
from agents.critics import policy_fns
from agents.factory import COMPILED_ALGOS, make_agent
from agents.vec_env import RamboModelVecEnv
from rambo_env import bench
from rambo_env.adversary import AdversaryConfig, ModelAdversary
from rambo_env.command_line import (
    accept_negative_numbers,
    did_you_mean,
    empty_item_problem,
    shell_path,
)
from rambo_env.compile import check_compile_cache, cuda_graphs_wanted
from rambo_env.dynamics.ensemble import check_device, resolve_device, resolve_precision
from rambo_env.run_io import (
    WriteFailedError,
    atomic_write,
    check_free_space,
    check_output_file,
    check_torch_compile_cache,
    exit_on_interrupt,
    is_file,
    read_json,
    resolve_torch_threads,
    thread_count,
    tolerant_console,
    user_file_path,
    with_elsewhere,
)

ALGOS = ("sac", "td3", "tqc")
#: Forward-pass equivalents per gradient step (backward = 2 x forward): (actor, critic incl. target).
_FWD_UNITS = {"sac": (4.0, 7.0), "tqc": (4.0, 7.0), "td3": (2.5, 4.75)}
#: A lower bound of the --json file's bytes (the meta record and one row per measurement: those
#: of docs/results/ are 4-5 KiB, --quick's too).
JSON_MIN_BYTES = 2**11


def _linear_flops(module: nn.Module, rows: int) -> float:
    return sum(2.0 * rows * m.in_features * m.out_features for m in module.modules()
               if isinstance(m, nn.Linear))  # fmt: skip


def _agent(algo: str, mdp: Any, dataset: Any, cfg: bench.BenchConfig, device: torch.device,
           gradient_steps: int) -> tuple[Any, Any]:  # fmt: skip
    vec_env = RamboModelVecEnv(mdp, cfg.n_rollouts, cfg.rollout_length, seed=cfg.seed)
    agent = make_agent(
        algo, vec_env, dataset, mdp.normalizer, rollout_length=cfg.rollout_length, seed=cfg.seed,
        device=device, gradient_steps=gradient_steps, batch_size=cfg.batch_size,
        policy_kwargs={"net_arch": list(cfg.agent_hidden)},
        compile=cfg.compile and algo in COMPILED_ALGOS,
    )  # fmt: skip
    return agent, vec_env


def _collector(agent: Any):
    """One SB3 collect = one k-step rollout of every VecEnv row (Alg. 1 line 3)."""
    _, callback = agent._setup_learn(10**12, None, True, "bench", False)
    callback.on_training_start(locals(), globals())
    return lambda: agent.collect_rollouts(
        agent.env, callback=callback, train_freq=agent.train_freq,
        replay_buffer=agent.replay_buffer, action_noise=agent.action_noise,
        learning_starts=0, log_interval=None,
    )  # fmt: skip


class _Stages:
    """One line per stage on ``out`` as it starts (``bench [3/8, 0:41] adversary: …``): a run takes
    minutes (20 on an AVX2 EPYC with cold compiles, session 55) and printed nothing until its table.
    ``out=None``: silent (``--no-progress``)."""

    def __init__(self, n: int, out: TextIO | None) -> None:
        self.n, self.out, self.i, self.t0 = n, out, 0, time.perf_counter()

    def _clock(self) -> str:
        m, s = divmod(int(time.perf_counter() - self.t0), 60)
        return f"{m}:{s:02d}"

    def __call__(self, what: str) -> None:
        self.i += 1
        if self.out is not None:
            print(f"bench [{self.i}/{self.n}, {self._clock()}] {what}", file=self.out, flush=True)

    def done(self) -> None:
        if self.out is not None:
            print(f"bench: measured in {self._clock()}", file=self.out, flush=True)


def run(
    cfg: bench.BenchConfig,
    device: torch.device,
    algos: tuple[str, ...] = ALGOS,
    progress: TextIO | None = None,
) -> dict:
    """All rows; returns the JSON-able result dict. ``progress``: a stream that gets one line per
    stage as it starts (None: silent)."""
    res: dict[str, Any] = {"load_before": bench.load_average()}
    warm = f"{cfg.warmup} warm-up{' (compiles)' if cfg.compile and cfg.warmup else ''}"
    reps = f"{warm} + {cfg.repeats} timed"
    stage = _Stages(6 + len(algos) + ("sac" in algos), progress)
    stage("synthetic dataset, model and SAC agent")
    dataset = bench.synthetic_dataset(cfg)
    mdp = bench.synthetic_mdp(dataset, cfg, device)
    sac, _ = _agent("sac", mdp, dataset, cfg, device, cfg.agent_measure)
    policy = policy_fns(sac)
    stage(f"rollout {cfg.n_rollouts} x {cfg.rollout_length}: 3 ways, {reps} each")
    t = bench.measure(_collector(sac), cfg.repeats, cfg.warmup, device)
    res["rollout_vecenv"] = t.as_dict()
    res["rollout_bare_policy"] = bench.bench_rollout_bare(mdp, policy, cfg, device).as_dict()
    res["rollout_bare_model_only"] = bench.bench_rollout_bare(mdp, None, cfg, device).as_dict()
    stage(f"adversary: {cfg.adversary_measure} steps, {reps}")
    measured, scaled, path = bench.bench_adversary(mdp, dataset, policy, cfg, device)
    res["adversary"] = {"measured": measured.as_dict(), "n_measured": cfg.adversary_measure,
                        "scaled": scaled.as_dict(), "n_scaled": cfg.adversary_steps,
                        "path": path}  # fmt: skip
    actor_fwd = _linear_flops(sac.actor, cfg.batch_size)
    critic_fwd = _linear_flops(sac.critic, cfg.batch_size)
    adv_flops = bench.adversary_step_flops(cfg, actor_fwd, critic_fwd)
    res["adversary"]["gflop_per_step"] = adv_flops / 1e9
    res["adversary"]["gflops"] = adv_flops * cfg.adversary_measure / measured.cpu_s / 1e9
    res["agents"] = {}
    rows = [(algo, algo) for algo in algos]
    if "sac" in algos:  # the same agent through SB3's own SAC.train: the fused step's A/B (#12)
        rows.insert(algos.index("sac") + 1, ("sac_library", "sac"))
    for row, algo in rows:
        stage(f"{row}: {cfg.agent_measure} gradient steps, {reps}")
        agent = (
            sac if algo == "sac" else _agent(algo, mdp, dataset, cfg, device, cfg.agent_measure)[0]
        )
        if algo != "sac":
            _collector(agent)()  # fill the model pool once
        train = SAC.train if row == "sac_library" else type(agent).train
        t = bench.measure(lambda a=agent, f=train: f(a, cfg.agent_measure, cfg.batch_size),
                          cfg.repeats, cfg.warmup, device)  # fmt: skip
        units = _FWD_UNITS[algo]
        flops = (units[0] * _linear_flops(agent.actor, cfg.batch_size)
                 + units[1] * _linear_flops(agent.critic, cfg.batch_size))  # fmt: skip
        res["agents"][row] = {
            "measured": t.as_dict(), "n_measured": cfg.agent_measure,
            "scaled": t.scaled(cfg.agent_steps / cfg.agent_measure).as_dict(),
            "n_scaled": cfg.agent_steps, "gflop_per_step": flops / 1e9,
            "gflops": flops * cfg.agent_measure / t.cpu_s / 1e9,
        }  # fmt: skip
        del agent
    stage(f"iteration at {cfg.iteration_steps} + {cfg.iteration_steps} steps, {reps}")
    res["iteration"] = _iteration(cfg, mdp, dataset, device, res)
    stage(f"MLE: {cfg.mle_measure} batches, {reps}")
    measured, epoch, n_batches = bench.bench_mle_epoch(cfg, device)
    res["mle_epoch"] = {"measured": measured.as_dict(), "batches_measured": cfg.mle_measure,
                        "extrapolated": epoch.as_dict(), "batches_per_epoch": n_batches,
                        "n_transitions": cfg.mle_transitions}  # fmt: skip
    threads = torch.get_num_threads()
    stage("matmul peaks (fp32, bf16)")
    runs = {
        f"{name}_{n}t": bench.matmul_peak_runs(dtype, n, cfg.matmul_size, device)
        for name, dtype in (("fp32", torch.float32), ("bf16", torch.bfloat16))
        for n in sorted({1, threads})
    }
    # the floors use the median product (as always); the fastest shows how far the median moved
    # on a shared machine (session 55: 2 threads 77-144 GFLOP/s within and across runs)
    res["matmul_gflops"] = {k: statistics.median(v) for k, v in runs.items()}
    res["matmul_gflops_best"] = {k: max(v) for k, v in runs.items()}
    res["floors"] = _floors(cfg, res, sac, res["matmul_gflops"][f"fp32_{threads}t"])
    if cfg.precision == "bf16":  # the ensemble rows also against the bf16 floor (issue 12: <= 2x)
        bf16_peak = res["matmul_gflops"][f"bf16_{threads}t"]
        for row in ("rollout", "adversary", "mle_epoch"):
            f = res["floors"][row]
            res["floors"][f"{row}_bf16"] = {
                **bench.floor_row(f["gflop"] * 1e9, f["wall_s"], bf16_peak, 2.0),
                "peak_gflops": bf16_peak,
            }
    res["peak_rss_mib"] = bench.peak_rss_mib()
    res["load_after"] = bench.load_average()
    stage.done()
    return res


def _floors(cfg: bench.BenchConfig, res: dict, sac: Any, peak: float) -> dict:
    """Every row against its fp32 arithmetic floor at ``peak`` GFLOP/s (all threads; issue 12)."""
    t = bench.FLOOR_TARGETS
    rollout = bench.rollout_flops(cfg, _linear_flops(sac.actor, 1))
    adversary = res["adversary"]["gflop_per_step"] * 1e9 * cfg.adversary_steps
    floors = {
        "rollout": bench.floor_row(rollout, res["rollout_vecenv"]["wall_s"], peak, t["rollout"]),
        "adversary": bench.floor_row(
            adversary, res["adversary"]["scaled"]["wall_s"], peak, t["adversary"]
        ),
    }
    for algo, r in res["agents"].items():
        floors[algo] = bench.floor_row(r["gflop_per_step"] * 1e9 * cfg.agent_steps,
                                       r["scaled"]["wall_s"], peak, t["agent"])  # fmt: skip
    m = res["mle_epoch"]
    floors["mle_epoch"] = bench.floor_row(
        bench.mle_epoch_flops(cfg, m["batches_per_epoch"]), m["extrapolated"]["wall_s"], peak,
        t["mle_epoch"],
    )  # fmt: skip
    it = sum(floors[k]["gflop"] for k in ("rollout", "adversary", "sac")) * 1e9
    floors["iteration"] = bench.floor_row(
        it, res["iteration"]["components_full_wall_s"], peak, t["iteration"]
    )
    for row in floors.values():
        row["peak_gflops"] = peak
    return floors


def _iteration(cfg: bench.BenchConfig, mdp: Any, dataset: Any, device: torch.device,
               res: dict) -> dict:  # fmt: skip
    """Full iteration from components, and one measured directly via ``learn`` at reduced steps."""
    steps = cfg.iteration_steps
    agent, _ = _agent("sac", mdp, dataset, cfg, device, steps)
    adv_cfg = AdversaryConfig(3e-4, cfg.rollout_length, n_updates=steps, batch_size=cfg.batch_size)
    callback = RamboCallback(
        ModelAdversary(mdp, dataset, adv_cfg, seed=cfg.seed, compile=cfg.compile)
    )
    total = cfg.rollout_length * cfg.n_rollouts
    t = bench.measure(lambda: agent.learn(total, callback=callback, log_interval=None),
                      cfg.repeats, cfg.warmup, device)  # fmt: skip
    adv = res["adversary"]["measured"]
    sac = res["agents"]["sac"]["measured"]
    out = {"direct_reduced": t.as_dict(), "reduced_steps": steps}
    for key in ("cpu_s", "wall_s"):
        per_adv, per_agent = adv[key] / cfg.adversary_measure, sac[key] / cfg.agent_measure
        roll = res["rollout_vecenv"][key]
        out[f"components_reduced_{key}"] = roll + steps * (per_adv + per_agent)
        out[f"components_full_{key}"] = (
            roll + cfg.agent_steps * per_agent + cfg.adversary_steps * per_adv
        )
    return out


def _load(avg: tuple[float, ...]) -> str:
    return "/".join(f"{v:.1f}" for v in avg)


def _table(res: dict, cfg: bench.BenchConfig) -> Table:
    table = Table(
        title=f"RAMBO benchmark ({res['meta']['threads']} thread(s), {res['meta']['device']})"
    )
    for col in (
        "row",
        "CPU s",
        "wall s",
        "spread",
        "fp32 floor s",
        "wall / floor",
        "target",
        "note",
    ):
        table.add_column(col, justify="left" if col in ("row", "note") else "right")
    floors = res["floors"]

    def add(name: str, t: dict, note: str = "", floor: str | None = None) -> None:
        f = floors.get(floor) if floor else None
        bf16 = floors.get(f"{floor}_bf16") if floor else None
        if bf16:
            note = f"{note}; {bf16['ratio']:.1f}x bf16 floor".lstrip("; ")
        cells = (f"{f['floor_s']:.3g}", f"{f['ratio']:.1f}x",
                 f"<= {f['target_ratio']:.1f}x" if f["target_ratio"] else "") if f else ("", "", "")  # fmt: skip
        # (slowest - fastest) / median of the repeats (one repeat or older JSON: none)
        spread = f"{t['wall_spread']:.0%}" if "wall_spread" in t and t["repeats"] > 1 else ""
        table.add_row(name, f"{t['cpu_s']:.3f}", f"{t['wall_s']:.3f}", spread, *cells, note)

    k, n = cfg.rollout_length, cfg.n_rollouts
    add(f"rollout {n}x{k} SB3 VecEnv collect", res["rollout_vecenv"], floor="rollout")
    add(f"rollout {n}x{k} step_with + policy", res["rollout_bare_policy"])
    add(f"rollout {n}x{k} step_with, model only", res["rollout_bare_model_only"])
    a = res["adversary"]
    add(f"adversary {a['n_scaled']} steps", a["scaled"],
        f"x{a['n_scaled'] / a['n_measured']:.0f} of {a['n_measured']}; {a['gflops']:.1f} GFLOP/s"
        + (f"; {a['path']}" if a.get("path", "eager") != "eager" else ""),
        floor="adversary")  # fmt: skip
    for algo, r in res["agents"].items():
        add(f"{algo} {r['n_scaled']} gradient steps", r["scaled"],
            f"x{r['n_scaled'] / r['n_measured']:.0f} of {r['n_measured']}; {r['gflops']:.1f} GFLOP/s",
            floor=algo)  # fmt: skip
    m = res["mle_epoch"]
    add(f"MLE epoch {m['n_transitions']:,} rows", m["extrapolated"],
        f"{m['batches_per_epoch']} batches from {m['batches_measured']}", floor="mle_epoch")  # fmt: skip
    it = res["iteration"]
    full = {"cpu_s": it["components_full_cpu_s"], "wall_s": it["components_full_wall_s"]}
    add("iteration (components, full)", full, "rollout + sac + adversary", floor="iteration")
    add(f"iteration direct ({it['reduced_steps']}+{it['reduced_steps']} steps)", it["direct_reduced"],
        f"components predict {it['components_reduced_cpu_s']:.2f} CPU s")  # fmt: skip
    peaks = ", ".join(  # a non-native bf16 peak (≈ 1 GFLOP/s) was printed as "0"
        f"{k_}: {v:.0f}" if v >= 10 else f"{k_}: {v:.2g}" for k_, v in res["matmul_gflops"].items()
    )
    peak = next(iter(floors.values()))["peak_gflops"]
    best = res.get("matmul_gflops_best", {}).get(f"fp32_{res['meta']['threads']}t")
    best = f"; fastest of its 5 products {best:.0f}" if best else ""  # older JSON: none
    table.caption = (f"floor = FLOPs / fp32 matmul peak of all threads ({peak:.0f} GFLOP/s{best}) | "
                     f"matmul GFLOP/s {peaks} | peak RSS {res['peak_rss_mib']:.0f} MiB | "
                     f"load {_load(res['load_before'])} -> {_load(res['load_after'])}")  # fmt: skip
    return table


def _parent_is_dir(path: Path) -> bool:
    """``path``'s folder exists (or ``path`` is a folder, or unreadable: check_output_file says)."""
    try:
        return path.is_dir() or path.parent.is_dir()
    except OSError:  # a name too long: check_output_file names it
        return True


def is_bench_json(data: Any) -> bool:
    """``data`` is what :func:`main` writes: a dict whose ``meta`` record names torch and threads."""
    meta = data.get("meta") if isinstance(data, dict) else None
    return isinstance(meta, dict) and {"torch", "threads"} <= set(meta)


def check_replaceable(path: Path) -> None:
    """An existing ``--json`` file is replaced only if it is an earlier bench JSON (probe 35: a
    run's results.json was overwritten with bench rows without a word, after the benchmark)."""
    if not is_file(path):
        return
    try:
        ours = is_bench_json(read_json(path))
    except (OSError, ValueError):  # not JSON (JSONDecodeError is a ValueError), unreadable
        ours = False
    if not ours:
        raise ValueError(
            f"--json: {path} exists but is not a bench JSON (no 'meta' record of bench.py); it "
            "would be replaced: pick another --json, or move that file"
        )


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    p.add_argument("--threads", type=thread_count, default=None,
                   help="torch intra-op threads; none / auto: the main job's automatic choice (default)")  # fmt: skip
    p.add_argument("--device", default="auto", help="auto | cpu | cuda (default auto)")
    p.add_argument(
        "--json", type=user_file_path, default=None, help="write the results to this JSON file"
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes (a smoke test: about a minute on 2 CPU cores)",
    )
    # probe 42: was "the 5-iteration default" (the default preset runs 10), and ">= 20" typed in
    p.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                   help="torch.compile the adversary's, the MLE and SAC's losses, as every main-job run of "
                        f">= {COMPILE_MIN_ITERATIONS} iterations does (the paper preset; compile time goes "
                        "into the untimed warm-up); --no-compile times the eager path of shorter runs "
                        f"such as the {PRESETS['default'].n_iterations}-iteration default")  # fmt: skip
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="a line on stderr as each stage starts (--no-progress: only the table)",
    )
    p.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto",
                   help="the ensemble's precision (bf16 = mixed; fast only with AMX / AVX-512 bf16 "
                        "or CUDA; auto = the main job's default: bf16 where native, else fp32); "
                        "bf16 rows are also set against the bf16 floor")  # fmt: skip
    p.add_argument(  # probe 44: the help did not say sac is required, nor which agents time
        "--algos",
        default=",".join(ALGOS),
        help=f"agents to time, comma-separated, from {', '.join(ALGOS)} (only these can be "
        "timed: not ddpg or crossq); must include sac (the rollout, the adversary and the FLOP "
        f"floors are timed with its actor) (default {','.join(ALGOS)})",
    )
    # probe 55 row 41: a flag given twice took the last value without a word
    args = accept_negative_numbers(p).parse_args(argv)
    if args.threads is not None and args.threads < 1:
        p.error(f"--threads: expected >= 1, got {args.threads}")
    algos = tuple(a.strip() for a in args.algos.split(","))
    empty = empty_item_problem(args.algos, "sac,td3,...")  # as sweep.py --seeds: was dropped
    if empty:  # silently ("sac,")
        p.error(f"--algos: {empty}")
    if len(set(algos)) != len(algos):
        p.error(f"--algos: an agent given twice in {args.algos!r}; name each once")
    if "sac" not in algos or not set(algos) <= set(ALGOS):
        hints = "".join(did_you_mean(a, ALGOS) for a in algos if a not in ALGOS)
        p.error(f"--algos: must include sac and be a subset of {ALGOS}, got {args.algos!r}{hints}")
    try:
        check_device(args.device)
    except ValueError as err:
        p.error(str(err))
    if args.json is not None:  # before the minutes of benchmarking, not after
        if not _parent_is_dir(args.json):  # not created: nothing is left if the bench fails
            folder = args.json.parent
            blocker = next((a for a in (folder, *folder.parents) if a.exists()), None)
            if blocker is not None and not blocker.is_dir():  # probe 55 row 47: was "mkdir -p"
                p.error(
                    f"--json: {blocker} is a file, not a folder; the benchmark writes into an "
                    f"existing folder: name another --json path"
                )
            p.error(
                f"--json: folder {folder} does not exist; the benchmark writes into an existing "
                f"folder: create it first (mkdir -p {shell_path(folder)}) or name another"
            )
        try:  # was: a raw OSError traceback for a name too long
            check_output_file(args.json, "--json", "name a file in a writable folder", ".json")
            check_replaceable(args.json)
        except ValueError as err:
            p.error(str(err))
        try:  # probe 69 row 27: a full disk was found after every measurement
            check_free_space(args.json, JSON_MIN_BYTES, "the bench JSON", elsewhere="--json")
        except WriteFailedError as err:
            p.exit(2, f"error: {err}\n")
    try:
        threads, why = resolve_torch_threads(args.threads, "--threads")  # probe 157: the flag
        check_torch_compile_cache()  # the first optimizer imports torch._dynamo, which makes it
        if args.compile:  # probe 111: another user's cache: every compile timed eagerly
            check_compile_cache(explicit=True)
    except ValueError as err:
        p.error(str(err))
    torch.set_num_threads(threads)
    device = resolve_device(args.device)
    try:  # RAMBO_ENV_CUDA_GRAPHS (opt-in, CUDA only): read before any measurement
        cuda_graphs = cuda_graphs_wanted(device) and args.compile
    except ValueError as err:
        p.error(str(err))
    cfg = bench.BenchConfig.quick() if args.quick else bench.BenchConfig()
    precision = resolve_precision(args.precision, device)
    cfg = cfg.with_(precision=precision)
    if args.compile:  # the compile belongs in an untimed warm-up call, --quick included
        cfg = cfg.with_(compile=True, warmup=max(cfg.warmup, 1))
    meta = {"torch": torch.__version__, "threads": torch.get_num_threads(), "device": str(device),
            "cpu": bench.cpu_model(), "python": platform.python_version(), "quick": args.quick,
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS"), "weights": "untrained (random init)",
            "threads_why": why, "cpu_flags": bench.cpu_flags(), "compile": args.compile, "precision": precision,
            "precision_asked": args.precision, "cuda_graphs": cuda_graphs}  # fmt: skip
    if device.type == "cuda":
        meta["gpu"] = torch.cuda.get_device_name(device)
    console = Console(width=150)
    console.print(f"torch {meta['torch']} | {meta['threads']} thread(s) ({why}) | {device} | "
                  f"{meta['cpu']} | flags: {' '.join(meta['cpu_flags']) or 'none of interest'} | "
                  f"ensemble {precision} ({args.precision})"
                  f"{' | CUDA graphs (RAMBO_ENV_CUDA_GRAPHS)' if cuda_graphs else ''}")  # fmt: skip
    sys.stdout.flush()  # the header before the stages' lines, also into a file
    res = {"meta": meta, **run(cfg, device, algos, sys.stderr if args.progress else None)}
    console.print(_table(res, cfg))
    if args.json is not None:
        text = json.dumps(res, indent=2, default=float)
        try:
            atomic_write(
                args.json, lambda tmp: tmp.write_text(text, encoding="utf-8")
            )  # no .tmp left on failure
        except WriteFailedError as err:  # the disk filled during the benchmark
            # probe 69 row 27: was "write elsewhere: --run-dir, RAMBO_ENV_CACHE", not bench's
            p.exit(2, f"error: {with_elsewhere(err, '--json')}\n")
        except OSError as err:
            p.exit(2, f"error: {err}\n")
    return res


if __name__ == "__main__":
    tolerant_console()
    exit_on_interrupt("bench", "nothing written; rerun the same command", main)
