"""The paper's toy problems with RAMBO (λ = 3e-2) and λ = 0 (MBPO): App. C.1, C.3, Figs 2, 5, 6.

    python scripts/toys.py                                # both toys, λ ∈ {3e-2, 0}, seed 0
    python scripts/toys.py --toy illustrative --seeds 0 1 2 --out runs/toys

Each run is an ordinary ``agents.cotrain.run_cotrain`` run (the main job's API) on the toy dataset
(saved as .npz), stopped at the snapshot iterations (``stop_at_iteration``) and resumed. At every
snapshot the checkpoint is loaded into a fresh session and plotted: Q(s0, a) over a ∈ [-1, 1]
with the policy's mean action as a red line (Figs 2, 5b, 6b), and the model's s' (mean ± 1 SD of
ensemble samples, random elite per sample) over the dataset scatter (Figs 1, 4, 5a, 6a).
Writes PNGs and ``summary.json`` (final mean action at s0, final return, score, wall time). A
rerun into the same ``--out`` skips the runs that finished (their entries stay in summary.json) and
starts the unfinished ones again.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import re
import shutil
import sys
import time
from pathlib import Path
from typing import Any

# probe 107 row 9: the clone's own package, not an installed copy (was: two copies in one run)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import (
    check_plots_at_start,
    check_working_folder,
    interrupt_quietly_while_importing,
    note_small_address_space,
)

interrupt_quietly_while_importing("toys", __name__)  # probe 131 note (a)
note_small_address_space("toys", __name__)  # probe 137: OpenBLAS's exit under ulimit -v is raw
check_working_folder()  # before torch, whose import dies raw in a deleted working folder
check_plots_at_start()  # before `import agents` (SB3 2.7 imports matplotlib; probe 96b)

import numpy as np
import torch

from agents.cotrain import CotrainConfig, config_differences, load_config, run_cotrain
from agents.cotrain_setup import build_session, run_checkpoint_bytes
from agents.critics import policy_fns
from rambo_env import command_line, run_io
from rambo_env.data.loaders import absolute_dataset
from rambo_env.data.toy_datasets import (
    make_illustrative_dataset,
    make_single_transition_dataset,
)
from rambo_env.envs.toys import register_toy_envs
from rambo_env.presets import plain_zero

#: Per toy: dataset maker, k (ours: C.1 has one step, C.3 gives none), iterations (paper: 50 for
#: C.1, 15 for C.3) and snapshot iterations (Fig. 2: 5 and 50). n_rollouts is small for 1-D
#: problems; the rest is the main job's default, incl. the paper's 1000 agent +
#: 1000 adversary steps per iteration (STEPS). Fewer steps are not enough here: with 10 x 200
#: steps SAC's actor (lr 1e-4, entropy α from 1) had not left a ≈ 0 on C.3 for either λ.
#: ``hidden``: the ensemble width. C.3 needs the paper's 200 (App. B.1): with 64 the adversary (λ = 3e-2)
#: only bent the model's upward extrapolation from s'(1) = 0.93 to 0.70 in 15 iterations and the
#: policy stayed out of distribution (a = 0.60); with 200 the model turns down past a = 0.3 and the
#: policy settles at a = 0.33 (Fig. 6). C.1 keeps 64 (cheaper; not re-measured at 200).
TOYS: dict[str, dict[str, Any]] = {
    "single": {"make": make_single_transition_dataset, "k": 1, "iterations": 50, "snap": (5,),
               "hidden": 64},
    "illustrative": {"make": make_illustrative_dataset, "k": 5, "iterations": 15, "snap": (5,),
                     "hidden": 200},
}  # fmt: skip
STEPS = 1000
#: SAC's entropy coefficient on the toys (ours; the paper gives no toy agent settings). With SB3's
#: auto-α from 1.0 (α lr 1e-4) α is still ≈ 0.6 after 5 iterations, the soft Q is dominated by the
#: entropy bonus and Q(s0, a) varied by 0.3 over a ∈ [-1, 1] where γ Δs' ≈ 2: on C.3 neither λ left
#: a ≈ 0. Learned from 0.05 the reward signal dominates.
ENT_COEF = "auto_0.05"
#: A finished toy run's summary.json entry, saved in its folder (a rerun skips the run, issue 14).
ENTRY_NAME = "toy_summary.json"
ACTIONS = np.linspace(-1.0, 1.0, 201, dtype=np.float32)  # [G] probe grid
N_MODEL_SAMPLES = 200  # ensemble samples per grid action


#: This script's flag of each config field it sets from one (its errors name the flag).
FLAGS = {
    "adversary_weight": "--lam",
    "seed": "--seeds",
    "n_iterations": "--iterations",
    "agent_steps_per_iteration": "--steps",
    "adversary_steps_per_iteration": "--steps",
    "precision": "--precision",
}


def toy_config(
    toy: str,
    lam: float,
    seed: int,
    npz: Path,
    iterations: int | None,
    steps: int = STEPS,
    precision: str = "fp32",
) -> CotrainConfig:
    """The co-training config of one toy run (BC warm start off: the paper uses it for MuJoCo)."""
    spec = TOYS[toy]
    n_iterations = spec["iterations"] if iterations is None else iterations  # 0 is an error
    try:
        return CotrainConfig(
            dataset=str(npz), rollout_length=spec["k"], adversary_weight=lam, seed=seed,
            n_iterations=n_iterations, n_rollouts=1000, bc_epochs=0,
            agent_steps_per_iteration=steps, adversary_steps_per_iteration=steps,
            ensemble_hidden=spec["hidden"], eval_every=5, eval_last=5, progress=False,
            ent_coef=ENT_COEF, precision=precision,
            mle_lr=3e-4,  # the paper's: the toy results (README) were measured with it
        )  # fmt: skip
    except ValueError as err:  # probe 48 row 48: was "adversary_weight: …" for --lam
        field, sep, rest = str(err).partition(": ")
        if sep and field in FLAGS:
            raise ValueError(f"{FLAGS[field]}: {rest}") from err
        raise


@torch.no_grad()
def probe(cfg: CotrainConfig, run_dir: Path) -> dict[str, Any]:
    """Rebuild the run's session from its checkpoint; Q(s0, ·), mean action, model s' per action."""
    session = build_session(cfg)
    state = run_io.load_checkpoint(run_dir / run_io.CHECKPOINT_NAME)
    session.agent.set_parameters(state["agent"]["modules"], exact_match=True)
    session.mdp.ensemble.load_state_dict(state["ensemble"])
    mdp, fns, dataset = session.mdp, policy_fns(session.agent), session.dataset
    s0 = mdp.normalizer.normalize(torch.zeros(1, 1, device=mdp.device))  # raw s0 = 0
    actions = torch.as_tensor(ACTIONS, device=mdp.device)[:, None]  # [G, 1]
    q = fns.q(s0.expand(len(ACTIONS), 1), actions)  # [G]
    data_obs = mdp.normalizer.normalize(torch.tensor(dataset.observations, device=mdp.device))
    rep = actions.repeat_interleave(N_MODEL_SAMPLES, 0)  # [G * M, 1]
    next_obs, _, _ = mdp.transition(s0.expand(len(rep), 1), rep, np.random.default_rng(cfg.seed))
    s_next = mdp.normalizer.unnormalize(next_obs).reshape(len(ACTIONS), N_MODEL_SAMPLES)  # [G, M]
    return {
        "iteration": int(state["iteration"]),
        "q": q.cpu().numpy(),
        "mean_action_s0": float(fns.mean(s0)[0, 0]),
        "mean_action_dataset": float(fns.mean(data_obs).mean()),
        "model_mean": s_next.mean(1).cpu().numpy(),
        "model_sd": s_next.std(1).cpu().numpy(),
        "data": (dataset.actions[:, 0], dataset.next_observations[:, 0]),
    }


def plot(p: dict[str, Any], title: str, path: Path) -> None:
    """Left: Q(s0, a) + policy mean action (red). Right: model s' ± 1 SD over the dataset."""
    # Agg without pyplot; matplotlib is imported here, not at the top (probe 29: a bad
    # MPLBACKEND was a raw matplotlib traceback at import, before main's checks)
    fig = run_io.headless_figure(figsize=(10, 3.8))
    ax_q, ax_m = fig.subplots(1, 2)
    ax_q.plot(ACTIONS, p["q"], color="C0")
    ax_q.axvline(p["mean_action_s0"], color="red", label=f"mean action {p['mean_action_s0']:.2f}")
    ax_q.set(
        xlabel="action a", ylabel="Q(s0, a)", title=f"{title}: Q at iteration {p['iteration']}"
    )
    ax_q.legend(loc="lower left")
    ax_m.scatter(*p["data"], s=3, color="k", alpha=0.3, label="dataset")
    lo, hi = p["model_mean"] - p["model_sd"], p["model_mean"] + p["model_sd"]
    ax_m.plot(ACTIONS, p["model_mean"], color="C1", label="model mean")
    ax_m.fill_between(ACTIONS, lo, hi, color="C1", alpha=0.3, label="±1 SD")
    ax_m.set(xlabel="action a", ylabel="s'", title=f"{title}: model s' from s0")
    ax_m.legend(loc="lower left")
    fig.tight_layout()
    run_io.atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=110))


def run_toy(
    toy: str,
    lam: float,
    seed: int,
    out: Path,
    iterations: int | None = None,
    steps: int = STEPS,
    precision: str = "fp32",
) -> dict:
    """One run of ``toy`` with weight ``lam``: snapshots plotted, final summary returned."""
    register_toy_envs()
    t0 = time.perf_counter()
    npz = npz_path(out, toy, seed)
    cfg = toy_config(toy, lam, seed, npz, iterations, steps, precision)  # validated before any file
    TOYS[toy]["make"](seed=seed).to_npz(npz)
    run_dir, name = out / run_dir_name(toy, lam, seed), run_name(toy, lam, seed)
    stops = [s for s in TOYS[toy]["snap"] if s < cfg.n_iterations] + [None]
    for i, stop in enumerate(stops):
        # Ctrl-C: run_cotrain raises (RunInterrupted) once the run's results are written
        results = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=stop), run_dir, i > 0)
        p = probe(cfg, run_dir)
        plot(p, name, run_dir / f"q_model_it{p['iteration']}.png")
    entry = _entry(toy, lam, seed, results, p, time.perf_counter() - t0, run_dir)
    run_io.write_json(run_dir / ENTRY_NAME, entry)  # for a rerun that skips it (finished_entry)
    return entry


def _entry(
    toy: str, lam: float, seed: int, results: dict, p: dict, wall_s: float, run_dir: Path
) -> dict:
    """A toy run's ``summary.json`` entry: its results.json's and the final probe's numbers."""
    return {
        "toy": toy, "lam": lam, "seed": seed, "status": results["status"],
        "mean_action_s0": p["mean_action_s0"], "mean_action_dataset": p["mean_action_dataset"],
        "final_return": results["final_return"], "final_score": results["final_score"],
        "wall_s": wall_s, "run_dir": str(run_dir),
    }  # fmt: skip


def finished_entry(cfg: CotrainConfig, run_dir: Path, toy: str, lam: float, seed: int) -> dict:
    """The ``summary.json`` entry of the finished run in ``run_dir`` (skipped, not run again):
    the one :func:`run_toy` saved beside it (``ENTRY_NAME``) or an earlier summary.json holds for
    it, else (a run finished before either was written) rebuilt as :func:`run_toy` builds it: its
    results.json and a probe of its final checkpoint, ``wall_s`` the run's recorded co-training
    time (the MLE pretraining, probes and plots not counted). A snapshot PNG missing from
    ``run_dir`` is said, the final one drawn from the final checkpoint (:func:`missing_snapshots`)."""
    try:
        saved = run_io.read_json(run_dir / ENTRY_NAME)
    except (OSError, ValueError):  # none (a run from before it was written), or damaged
        saved = None
    try:
        earlier = run_io.read_json(run_dir.parent / "summary.json")
    except (OSError, ValueError):  # none (a later run was interrupted), or damaged
        earlier = []
    npz = Path(cfg.dataset)
    for entry in [saved, *(earlier if isinstance(earlier, list) else [])]:
        if isinstance(entry, dict) and entry.get("run_dir") == str(run_dir):
            missing_snapshots(cfg, run_dir, toy, lam, seed)
            return entry
    results = run_io.read_json(run_dir / run_io.RESULTS_NAME)
    if not npz.is_file():  # removed since: the same seed makes the same data
        TOYS[toy]["make"](seed=seed).to_npz(npz)
    wall_s = (results.get("wall_s") or {}).get("cotrain_total")
    p = probe(cfg, run_dir)
    missing_snapshots(cfg, run_dir, toy, lam, seed, p)
    return _entry(toy, lam, seed, results, p, wall_s, run_dir)


def missing_snapshots(
    cfg: CotrainConfig, run_dir: Path, toy: str, lam: float, seed: int, p: dict | None = None
) -> None:
    """Draw the final snapshot of the finished run in ``run_dir`` where its PNG is missing (from
    the final checkpoint; ``p``: its probe where made already), and name an earlier one that is
    missing (its checkpoint is overwritten: only a rerun of the run draws it). Probe 86 row 13:
    a plot that failed at the last iteration left results.json "finished" and no
    q_model_it<N>.png; the rerun skipped the run without drawing it or a word."""
    snaps = [s for s in TOYS[toy]["snap"] if s < cfg.n_iterations]
    final = run_dir / f"q_model_it{cfg.n_iterations}.png"
    if not final.is_file():
        npz = Path(cfg.dataset)
        if not npz.is_file():  # removed since: the same seed makes the same data
            TOYS[toy]["make"](seed=seed).to_npz(npz)
        p = probe(cfg, run_dir) if p is None else p
        plot(p, run_name(toy, lam, seed), final)  # a finished run's checkpoint is its last
        print(
            f"[toys] {run_dir}: its final snapshot was missing (the run stopped before drawing "
            f"it): drawn now, {final}",
            flush=True,
        )
    lost = [f"q_model_it{s}.png" for s in snaps if not (run_dir / f"q_model_it{s}.png").is_file()]
    if lost:
        print(
            f"[toys] WARNING: {run_dir} lacks the snapshot(s) {', '.join(lost)}: their "
            "checkpoints are overwritten, so only a rerun of that run draws them (delete the "
            "folder and rerun the same command)",
            flush=True,
        )


def _seed(text: str) -> int:
    """One ``--seeds`` word; sweep.py's comma form ``0,1`` is named (probe 96a row 76: was
    "'0,1' is not a whole number", naming neither form)."""
    if "," in text:
        seeds = " ".join(s.strip() for s in text.split(",") if s.strip())
        raise argparse.ArgumentTypeError(
            f"{text!r}: toys.py takes the seeds space-separated, --seeds {seeds} (the comma "
            "form '0,1' is sweep.py's)"
        )
    return run_io.whole_number(text)


def build_parser() -> argparse.ArgumentParser:
    """The flags; each count takes 1e3 (``run_io.whole_number``) and each --help line says its
    default (probe 55 rows 29, 30: ``--steps 1e3`` was "invalid int value", no default shown)."""
    iterations = ", ".join(f"{toy} {spec['iterations']}" for toy, spec in TOYS.items())
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    parser.add_argument(
        "--toy", choices=[*TOYS, "both"], default="both", help="which toy (default: both)"
    )
    parser.add_argument(
        "--lam",
        type=float,
        nargs="+",
        default=[3e-2, 0.0],
        help="adversary weights λ, one run each (default: 0.03 0.0)",
    )
    parser.add_argument(
        "--seeds",
        type=_seed,
        nargs="+",
        default=[0],
        help="seeds, one run each (default: 0)",
    )
    parser.add_argument(
        "--iterations",
        type=run_io.whole_number,
        default=None,
        help=f"co-training iterations (default: the paper's: {iterations})",
    )
    parser.add_argument(
        "--steps",
        type=run_io.whole_number,
        default=STEPS,
        help=f"agent = adversary steps/iter (default: {STEPS})",
    )
    parser.add_argument(
        "--out",
        type=run_io.user_path,
        default=Path("runs/toys"),
        help="output folder (default: runs/toys, under the working folder)",
    )
    parser.add_argument(
        "--precision",
        choices=("fp32", "bf16"),
        default="fp32",
        help="the ensemble's precision (issue 12's bf16 check: the C.3 outcome must not change) "
        "(default: fp32)",
    )  # fmt: skip
    parser.field_flags = FLAGS  # type: ignore[attr-defined]  # probe 137: --epoch: --iterations
    return command_line.accept_negative_numbers(parser)


def main(argv: list[str] | None = None) -> list[dict]:
    parser = build_parser()
    args = parser.parse_args(argv)
    # probe 137: --lam -0 0 ran λ = 0 twice (folders lam-0 and lam0), as cotrain.py / sweep.py do
    args.lam = [plain_zero(lam) for lam in args.lam]
    torch.set_num_threads(1)
    toys = list(TOYS) if args.toy == "both" else [args.toy]
    runs = list(itertools.product(toys, args.lam, args.seeds))
    try:  # every run's config and folder, before the first run writes anything
        run_io.check_matplotlib()  # the snapshots' plots (probe 29: a bad MPLBACKEND)
        run_io.check_outside_stores(args.out, "out", "--out")  # probe 34: runs go there
        configs = [
            toy_config(toy, lam, seed, npz_path(args.out, toy, seed), args.iterations, args.steps,
                       args.precision)
            for toy, lam, seed in runs
        ]  # fmt: skip
        unfinished, finished = check_run_dirs(args.out, runs, configs)
        check_out_disk(args.out, runs, configs, unfinished, finished)
    except ValueError as err:
        parser.exit(2, f"error: {err}\n")
    except run_io.WriteFailedError as err:  # no room on --out's disk: before any run
        parser.exit(run_io.report_user_error(err))
    for run_dir in unfinished:  # probe 32: an interrupted run's folder blocked every rerun
        print(f"[toys] {run_dir}: the run did not finish, clearing it to start it again")
        shutil.rmtree(run_dir)
    summary = []
    current = None
    try:
        with run_io.sigterm_as_keyboard_interrupt():
            for (toy, lam, seed), cfg in zip(runs, configs, strict=True):
                current = args.out / run_dir_name(toy, lam, seed)
                if current in finished:  # issue 14: was refused, the whole command with it
                    print(
                        f"[toys] toy {run_name(toy, lam, seed)} already finished in {current}; "
                        "skipped (delete that folder to rerun it)"
                    )
                    summary.append(finished_entry(cfg, current, toy, lam, seed))
                else:
                    summary.append(
                        run_toy(
                            toy, lam, seed, args.out, args.iterations, args.steps, args.precision
                        )
                    )
                print(json.dumps(summary[-1]))
            run_io.write_json(args.out / "summary.json", _with_earlier_runs(args.out, summary))
    except (ValueError, OSError) as err:  # a failed write (full disk): one line
        if isinstance(err, run_io.WriteFailedError):  # probe 69 row 25: was "write elsewhere:
            err = run_io.with_elsewhere(err, "--out")  # --run-dir, RAMBO_ENV_CACHE", not ours
        parser.exit(run_io.report_user_error(err))
    except KeyboardInterrupt:  # Ctrl-C / SIGTERM: was a raw traceback (setup) or swallowed
        done = [s["run_dir"] for s in summary]
        # probe 26: before its folder existed (MLE) this said to remove a folder not there
        skips = " (it skips the finished runs; remove those you want redone)"
        if current in finished:  # interrupted while reading a finished run's results
            redo = "Rerun the same command to continue" + skips
        elif current is not None and Path(current).exists():
            redo = (
                f"The interrupted run is not continued: the same command clears {current} and "
                f"starts it again{skips}"
            )
        else:
            redo = "Rerun the same command to start it again" + (skips if done else "")
        parser.exit(
            130,
            f"[toys] interrupted during {current}: no summary.json written; finished runs: "
            f"{done or 'none'}. {redo}\n",
        )
    except Exception as err:  # probe 86 row 13: a failed plot was a bare traceback
        done = [s["run_dir"] for s in summary]
        parser.exit(
            run_io.report_failure(
                "toys",
                err,
                f"in {current}: no summary.json written; finished runs: {done or 'none'}; once "
                "the cause is fixed, rerun the same command (it skips a run whose co-training "
                "finished, drawing its final snapshot if missing, and starts an unfinished one "
                "again)",
            )
        )
    return summary


def run_dir_name(toy: str, lam: float, seed: int) -> str:
    return f"{toy}-lam{lam:g}-s{seed}"


def run_name(toy: str, lam: float, seed: int) -> str:
    """How messages and plot titles name a toy run."""
    return f"{toy} λ={lam:g} s{seed}"


def npz_path(out: Path, toy: str, seed: int) -> Path:
    """The toy dataset file of ``seed`` in ``out`` (one per toy and seed, shared by the λs)."""
    return out / f"{toy}-s{seed}.npz"


def check_run_dirs(
    out: Path, runs: list[tuple[str, float, int]], configs: list[CotrainConfig]
) -> tuple[list[Path], list[Path]]:
    """``out`` is a writable folder and no two runs share a folder (``--seeds 0 0``, ``--lam 0.03
    3e-2``); ValueError naming the flag otherwise (each was a raw traceback after the first run had
    trained). Returns the folders of the runs that were started but did not finish (interrupted),
    which the caller clears to start those runs again, and those of the runs that finished, which
    it skips (issue 14: each was refused, the whole command with it). ValueError too for an
    unfinished run's folder holding files no toy run writes (issue 14: they were deleted with it)
    and for a finished run of other settings (``configs``: the runs' configs, in order)."""
    names = [run_dir_name(*run) for run in runs]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise ValueError(
            f"--lam / --seeds: {twice} would be run more than once (a λ or seed given twice); "
            "give each once"
        )
    foreign = _foreign_entries(out)
    if foreign:  # probe 19: a cotrain run folder (or `--out .`) was taken and written into
        raise ValueError(
            f"--out: {out} holds files that are not toy runs' ({run_io.some_names(foreign)}); "
            "the toy runs go into a new or empty folder, or one holding earlier toy runs: pick "
            "another --out"
        )
    started = [name for name in names if (out / name).is_dir() and any((out / name).iterdir())]
    done = [name for name in started if _finished(out / name)]
    for name in started:
        if name not in done:
            _check_only_toy_run_files(out / name)
    for name, cfg in zip(names, configs, strict=True):
        if name in done:
            _check_finished_as_asked(out / name, cfg)
    run_io.check_writable(out, "--out:", "pick a writable folder for the toy runs")
    return [out / name for name in started if name not in done], [out / name for name in done]


def check_out_disk(
    out: Path,
    runs: list[tuple[str, float, int]],
    configs: list[CotrainConfig],
    unfinished: list[Path],
    finished: list[Path],
) -> None:
    """:class:`run_io.WriteFailedError` naming ``--out`` when its disk has less free room than
    the checkpoints of the runs still to do (a lower bound: the model pool and ensemble each
    run's checkpoint keeps, both toys being 1-D), less the files of the ``unfinished`` runs'
    folders that are cleared first. Probe 69 row 25: a full disk was found at the first write,
    and with some room at a later run's checkpoint, after the earlier runs had trained."""
    todo = [
        (run, cfg)
        for run, cfg in zip(runs, configs, strict=True)
        if out / run_dir_name(*run) not in finished
    ]
    if not todo:
        return
    need = sum(run_checkpoint_bytes(cfg, cfg.rollout_length, 1, 1) for _, cfg in todo)
    need -= sum(_bytes_in(folder) for folder in unfinished)  # cleared before the runs
    run_io.check_free_space(
        out / run_dir_name(*todo[0][0]) / run_io.CHECKPOINT_NAME,
        need,
        f"the checkpoint space of the {run_io.counted(len(todo), 'toy run')} to do",
        elsewhere="--out",
    )


def _bytes_in(folder: Path) -> int:
    """The bytes of the files under ``folder`` (0 where it cannot be read)."""
    try:
        return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file())
    except OSError:
        return 0


def _check_only_toy_run_files(run_dir: Path) -> None:
    """ValueError naming the files in the unfinished toy run folder ``run_dir`` that no toy run
    writes (a run's own, see ``run_io.foreign_entries``, its ``q_model_it<N>.png`` snapshots and
    ``ENTRY_NAME``): the folder is cleared to start the run again, and they would go with it."""
    foreign = [n for n in run_io.foreign_entries(run_dir) if not _SNAPSHOT.match(n)]
    if foreign:
        raise ValueError(
            f"--out: the unfinished toy run folder {run_dir} holds files a toy run does not "
            f"write ({run_io.some_names(foreign)}); it is cleared to start the run again, so "
            "nothing was touched: move those files out of it (or remove the folder), or pick "
            "another --out"
        )


def _check_finished_as_asked(run_dir: Path, cfg: CotrainConfig) -> None:
    """ValueError unless the finished run in ``run_dir`` ran with ``cfg``'s settings (a skipped
    run's results must be those the command asks for: ``--iterations``, ``--steps``, ...)."""
    saved = load_config(run_dir)
    wanted = dataclasses.replace(cfg, dataset=absolute_dataset(cfg.dataset))
    differ = [
        f"{name} {ran!r} (asked: {asked!r})"
        for name, asked, ran in config_differences(wanted, saved)
    ]
    if differ:
        raise ValueError(
            f"--out: the toy run {run_dir} finished with other settings: "
            f"{run_io.some_names(differ)}; remove that folder to rerun it with these, or pick "
            "another --out"
        )


def _finished(run_dir: Path) -> bool:
    """``run_dir`` holds a toy run that ran to its end (results.json says "finished"; the
    snapshot stops write "stopped", an interrupt "interrupted")."""
    try:
        results = run_io.read_json(run_dir / run_io.RESULTS_NAME)
    except (OSError, ValueError):  # none: the run stopped before its end (probe 32)
        return False
    return isinstance(results, dict) and results.get("status") == "finished"


def _with_earlier_runs(out: Path, summary: list[dict]) -> list[dict]:
    """``summary`` after the entries of ``out/summary.json`` for the other toy runs in ``out``
    (probe 19: a second invocation into one --out replaced the file with its own runs only)."""
    try:
        earlier = run_io.read_json(out / "summary.json")
    except (OSError, ValueError):  # none yet, or damaged: it is rewritten whole
        earlier = []
    new = {entry["run_dir"] for entry in summary}
    kept = [
        e
        for e in (earlier if isinstance(earlier, list) else [])
        if isinstance(e, dict)
        and e.get("run_dir") not in new
        and Path(str(e.get("run_dir"))).is_dir()
    ]
    return kept + summary


#: What run_toy adds to a run folder: its snapshot plots and summary entry.
_SNAPSHOT = re.compile(rf"^(?:q_model_it\d+\.png|{re.escape(ENTRY_NAME)})$")


def _foreign_entries(out: Path) -> list[str]:
    """Sorted names in ``out`` that no toy run writes (its npz, run folders, summary.json and the
    temp files of atomic writes); none when ``out`` is not a folder."""
    toys = "|".join(TOYS)
    ours = re.compile(
        rf"^(?:(?:{toys})-s\d+\.npz|(?:{toys})-lam[^/]+-s\d+|summary\.json|\..*\.tmp)$"
    )
    if not out.is_dir():
        return []
    return sorted(p.name for p in out.iterdir() if not ours.match(p.name))


if __name__ == "__main__":
    run_io.tolerant_console()
    main()  # errors exit 2 through parser.exit
