"""Check a co-training run's model and critic against the real MuJoCo simulator.

    python scripts/diagnose.py runs/hopper-medium-sac-<time>-s0
    python scripts/diagnose.py runs/long-lam0-s0 --n-starts 1000 --n-episodes 100

Loads the run's last checkpoint (agent + adversarially trained model) and prints, per model-rollout
depth, the model's reward and next observation against the simulator's from the same state and
policy action (``rambo_env.diagnostics.model_vs_simulator``), then the critic's Q(s, a) against the
policy's discounted Monte-Carlo return from the same (s, a) (``critic_vs_return``). Writes
``<run>/diagnostics-it<iteration>.json``. Needs the run's real env (Gymnasium MuJoCo v5).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

# probe 107 row 9: the clone's own package, not an installed copy (was: two copies in one run)
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import (
    check_plots_at_start,
    check_working_folder,
    interrupt_quietly_while_importing,
)

interrupt_quietly_while_importing("diagnose", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder
check_plots_at_start()  # before `import agents` (SB3 2.7 imports matplotlib; probe 96b)

import torch

from agents.cotrain import load_config, load_session
from agents.critics import policy_fns
from agents.memory import check_diagnose_memory
from rambo_env import command_line, provenance, run_io
from rambo_env.diagnostics import (
    check_mc_episodes,
    check_sim_starts,
    critic_vs_return,
    make_state_setter,
    model_vs_simulator,
    uniform_actions,
)
from rambo_env.dynamics.ensemble import check_device
from rambo_env.ledger import ledger_holder

#: A lower bound of the report's bytes (those of docs/results/issue15-diagnose-*.json: 1.7-2.1 KiB).
REPORT_MIN_BYTES = 2**10
#: Where the report can be written instead (it goes in the run folder; diagnose has no flag).
ELSEWHERE = "a copy of the run folder there"
#: The Monte-Carlo episode cap without --max-steps when the data's env records no time limit
MC_DEFAULT_STEPS = 1000


def build_parser() -> argparse.ArgumentParser:
    """The flags; each count takes 1e3 (``run_io.whole_number``), each --help line says its
    default, a flag given twice is refused (probe 55 rows 29, 30, 41)."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    parser.add_argument(
        "run_dir", type=run_io.user_path, help="a run folder with config.json + checkpoint.pt"
    )
    parser.add_argument(
        "--n-starts",
        type=run_io.whole_number,
        default=500,
        help="model rollouts replayed (default: 500)",
    )
    parser.add_argument(
        "--n-episodes",
        type=run_io.whole_number,
        default=40,
        help="Monte-Carlo episodes (default: 40)",
    )
    parser.add_argument(
        "--max-steps",
        type=run_io.whole_number,
        default=None,
        help="Monte-Carlo episode cap (default: 1000) when the data's env records no time limit, "
        "else that limit",
    )
    parser.add_argument(
        "--seed",
        type=run_io.whole_number,
        default=0,
        help="random seed (default: 0) of the starts and of the model's and the policy's draws: "
        "the same seed gives the same report",
    )
    parser.add_argument("--device", default=None, help="torch device (default: the run's device)")
    return command_line.accept_negative_numbers(parser)


def _diagnose(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("n_starts", "n_episodes", "max_steps"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')}: expected >= 1, got {getattr(args, name)}")
    if args.seed < 0:
        parser.error(f"--seed: expected >= 0, got {args.seed}")
    if args.seed >= run_io.RUN_SEED_LIMIT:  # probe 32: one --seed range in every script
        parser.error(f"--seed: {args.seed} is too large: expected an int in [0, 2**31)")
    torch.set_num_threads(1)
    try:
        if args.device is not None:
            check_device(args.device, "--device")  # before the dataset load and the model build
        # The report goes into the run folder: checked before the load. (A missing folder or
        # checkpoint is load_session's error.) Probe 111: a folder this user may not enter is
        # not "not writable; copy it" (it cannot be copied either), nor a traceback.
        run_io.refuse_unenterable(args.run_dir, "run_dir: ", what="the run")
        if args.run_dir.is_dir():
            # probe 114 R9: files it cannot read were "not writable; copy the run folder"
            run_io.check_run_readable(args.run_dir, [run_io.CONFIG_NAME, run_io.CHECKPOINT_NAME])
            run_io.check_writable(
                args.run_dir,
                "run_dir:",
                "the report diagnostics-it<N>.json is written there; make it writable or copy "
                "the run folder somewhere writable",
            )
        # The rollouts' rows against the free memory: a lower bound before the load (dims
        # unknown), the estimate for the run's dims after it (before any rollout).
        check_diagnose_memory(args.n_starts, 1, 1, device=args.device or "cpu", lower_bound=True)
        check_mc_episodes(
            args.n_episodes, args.max_steps or MC_DEFAULT_STEPS
        )  # before the load, not after the model rollouts
        check_sim_starts(args.n_starts)  # probe 66 row 58: was no bound (hours of simulator)
        _check_has_real_env(args.run_dir)  # before the load (and a retrain of a lost model)
        session, history = load_session(args.run_dir, device=args.device)
        if session.dataset.env_id is None:  # a run folder that does not record it
            raise ValueError(f"dataset {session.dataset.name!r} has no real env to compare with")
        mdp = session.mdp
        check_diagnose_memory(args.n_starts, mdp.obs_dim, mdp.action_dim, device=str(mdp.device))
        # probe 59: a folder where the report goes was found only after the whole diagnosis
        out = run_io.check_output_file(
            args.run_dir / f"diagnostics-it{history.iteration}.json",
            "report",
            "move it away (the report diagnostics-it<N>.json is written there), then rerun",
        )
        _check_report_not_newer(out)  # probe 113: a newer rambo_env's report is not replaced
        # probe 69 row 30: a full disk was found after the whole diagnosis
        run_io.check_free_space(out, REPORT_MIN_BYTES, "the report", elsewhere=ELSEWHERE)
    except (ValueError, FileNotFoundError, run_io.WriteFailedError) as err:  # one line
        return _error(err)
    # probe 81 row 28: the data's recorded time limit caps the Monte-Carlo episodes (was 1000)
    limit = getattr(session.dataset, "env_max_episode_steps", None)
    max_steps = args.max_steps or limit or MC_DEFAULT_STEPS
    if args.max_steps and limit and args.max_steps != limit:  # probe 83 row 52: which cap holds
        print(
            f"[diagnose] note: --max-steps {args.max_steps} caps the Monte-Carlo episodes, not "
            f"the data's env's recorded {limit}-step time limit (the simulator runs without it: "
            f"episodes {'may run past' if args.max_steps > limit else 'are cut before'} the "
            "limit the env's episodes end at)",
            flush=True,
        )
    # probe 82 row 15: the report did not record its arguments, and --seed 1 replaced the seed-0
    # report without a word
    arguments = {
        "seed": args.seed,
        "n_starts": args.n_starts,
        "n_episodes": args.n_episodes,
        "max_steps": max_steps,
        "device": str(mdp.device),
    }
    replaced = _other_arguments(out, arguments)
    if replaced:
        print(
            f"[diagnose] note: {out} holds a report of {replaced}; this one replaces it (copy "
            "it away first to keep it)",
            flush=True,
        )
    # a run that diverged: load_session says so (agents.cotrain.say_if_diverged)
    policy, env_id = policy_fns(session.agent), session.dataset.env_id
    made = (
        getattr(session.dataset, "env_kwargs", None) or {}
    )  # probe 78 row 14: was gym.make(env_id)
    depths = model_vs_simulator(
        session.mdp,
        policy,
        env_id,
        rollout_length=session.k,
        n_starts=args.n_starts,
        seed=args.seed,
        env_kwargs=made,
    )
    shown = ", ".join(
        [f"{k}={v!r}" for k, v in made.items()] + ([f"max_episode_steps={limit}"] if limit else [])
    )
    env_made = f"gym.make({env_id!r}, {shown}) (the env the data record)" if shown else env_id
    print(f"{args.run_dir} at iteration {history.iteration} (k = {session.k}), {env_made}")
    holder = ledger_holder(args.run_dir)  # probe 70: a live run was diagnosed without a word
    if holder is not None:
        print(
            f"[diagnose] note: its run ({run_io.holder_text(args.run_dir, holder)}) is still "
            f"going: this is its last checkpoint, iteration {history.iteration}",
            flush=True,
        )
    print("depth  rows   model r   sim r   |Δr|   |Δs'|   term model / sim   V(s') model / sim")
    for d in depths:
        print(
            f"{d.depth:5d} {d.n_rows:5d} {d.model_reward:9.3f} {d.sim_reward:7.3f} "
            f"{d.reward_abs_error:6.3f} {d.obs_abs_error:7.3f}   {d.model_terminated:.3f} / "
            f"{d.sim_terminated:.3f}   {d.model_next_value:8.2f} / {d.sim_next_value:8.2f}"
        )
    # The same check after uniformly random actions (one step): the critic's value of where the
    # model sends them, against the simulator (the adversary's pessimism off the policy, Eq. 9).
    (off,) = model_vs_simulator(
        session.mdp,
        uniform_actions(policy, session.mdp.action_space, seed=args.seed),
        env_id,
        rollout_length=1,
        n_starts=args.n_starts,
        seed=args.seed,
        env_kwargs=made,
    )
    print(
        f"uniformly random actions, one step: model r {off.model_reward:.3f} vs sim "
        f"{off.sim_reward:.3f} (|Δr| {off.reward_abs_error:.3f}, |Δs'| {off.obs_abs_error:.3f}); "
        f"V(s') model {off.model_next_value:.2f} vs sim {off.sim_next_value:.2f}"
    )
    critics = {}
    for starts, where in (("dataset", "dataset states"), ("reset", "the env's reset states")):
        critic = critics[starts] = critic_vs_return(
            session.mdp,
            policy,
            env_id,
            gamma=float(session.agent.gamma),
            n_episodes=args.n_episodes,
            max_steps=max_steps,
            seed=args.seed,
            starts=starts,
            env_kwargs=made,
        )
        print(
            f"from {where}: critic Q(s, a) {critic.critic_q:.1f} vs Monte-Carlo discounted return "
            f"{critic.mc_return:.1f} ± {critic.mc_return_std:.1f} ({critic.overestimation:.2f}x); "
            f"episodes last {critic.episode_length:.0f} steps (cap {critic.max_steps})"
        )
    report = {
        "format": REPORT_FORMAT,
        "iteration": history.iteration,
        "arguments": arguments,
        "model_vs_simulator": [d.to_dict() for d in depths],
        "model_vs_simulator_uniform_actions": off.to_dict(),
        "critic_vs_return": critics["dataset"].to_dict(),
        "critic_vs_return_from_reset": critics["reset"].to_dict(),
    }
    try:
        run_io.write_json(out, report)
    except run_io.WriteFailedError as err:  # a full disk, a file-size limit: one line naming it
        # issue 14: was advice to write elsewhere with --run-dir / RAMBO_ENV_CACHE, which
        # diagnose does not take; its report goes in the run folder
        return _error(run_io.with_elsewhere(err, ELSEWHERE))
    except OSError as err:  # a disk that filled up meanwhile: one line naming the file
        return _error(err)
    # probe 91 row 15: a closed pipe at the line below ended a written report with exit status 2
    run_io.on_closed_pipe("diagnose", lambda: f"the report {out} WAS written")
    print(f"wrote {out}" + (f" (replaced a report of {replaced})" if replaced else ""))
    return 0


#: The format of the report this script writes (its ``"format"``; absent in reports written
#: before probe 113). Rule: add 1 whenever a field is added or changes meaning: older code then
#: refuses to replace the newer report (probe 113 rows 5-9: no artefact told a newer writer).
REPORT_FORMAT = 1


def _check_report_not_newer(out: Path) -> None:
    """ValueError when the report already at ``out`` was written by a newer rambo_env."""
    try:
        saved = run_io.read_json(out) if out.is_file() else None
    except Exception:  # an unreadable report: replaced as before
        return
    if isinstance(saved, dict):
        provenance.check_not_newer(
            f"report: {out}",
            saved.get("format"),
            REPORT_FORMAT,
            "diagnostics report",
            "replace it (or move it away, then rerun)",
        )


def _other_arguments(out: Path, arguments: dict[str, Any]) -> str:
    """What differs between ``arguments`` and those of the report already at ``out``, as
    "--seed 0" (or "unrecorded arguments" for a report written before probe 82); "" when there
    is none or it has the same arguments."""
    if not out.is_file():
        return ""
    try:
        saved = run_io.read_json(out).get("arguments")
    except Exception:  # an unreadable report: replaced as before
        return ""
    if not isinstance(saved, dict):
        return "unrecorded arguments (written before probe 82)"
    differ = [
        f"--{k.replace('_', '-')} {saved.get(k)}" for k in arguments if saved.get(k) != arguments[k]
    ]
    return ", ".join(differ)


def _check_has_real_env(run_dir: Path) -> None:
    """The run's data name a Gymnasium env (its config.json records the resolved one). Probe
    18: a run on data without one was refused only after the dataset load and model build (an
    MLE retrain when its cached model was gone), and without saying what to do."""
    cfg = load_config(run_dir)  # a folder that is not a run: its own error
    resolved = run_io.read_json(run_dir / run_io.CONFIG_NAME).get("resolved")
    dataset = resolved.get("dataset") if isinstance(resolved, dict) else None
    recorded = dataset.get("env_id") if isinstance(dataset, dict) else None
    if isinstance(recorded, str):  # the simulator must be settable to dataset states
        _check_state_settable(run_dir, cfg.env_id or recorded)  # (module:id: imported by it)
    if isinstance(dataset, dict) and "env_id" in dataset and dataset["env_id"] is None:
        raise ValueError(
            f"run_dir: {run_dir} trained on dataset {dataset.get('name')!r}, which names no "
            "Gymnasium env (its config.json: resolved → dataset → env_id is null), so there is no "
            "simulator to compare the model and the critic with; diagnose a run whose data name "
            "their env (scripts/cotrain.py --env-id YourEnv-v0 for your own data)"
        )


def _check_state_settable(run_dir: Path, env_id: str) -> None:
    """Probe 18: a run on another env than Gymnasium's MuJoCo v5 ones (a custom env, with
    ``--env-id``) was refused by ``make_state_setter`` as a raw ``ValueError`` traceback, after
    the run's dataset load and model build."""
    import gymnasium as gym

    try:
        env, _ = make_state_setter(env_id)
    except gym.error.Error:  # not registered here: the load names it
        return
    except ValueError as err:
        raise ValueError(
            f"run_dir: {run_dir}: {err}; diagnose replays the model's rollouts in the simulator "
            "from dataset states, which only these envs allow"
        ) from None
    env.close()


def _error(err: Exception) -> int:
    """A user error: one ``error:`` line and exit status 2 (the traceback with RAMBO_ENV_TRACEBACK)."""
    return run_io.report_user_error(err)


def main(argv: list[str] | None = None) -> int:
    """The diagnosis, with Ctrl-C / SIGTERM as one line and exit 130 (was: a raw
    ``KeyboardInterrupt`` traceback); the report is written atomically, so nothing is
    half-written (an exception mid-way says so as the script, exit 1: see ``__main__``)."""
    try:
        with run_io.sigterm_as_keyboard_interrupt():
            return _diagnose(argv)
    except KeyboardInterrupt:
        print("[diagnose] interrupted: no report written; rerun the same command", file=sys.stderr)
        return 130


if __name__ == "__main__":
    run_io.tolerant_console()
    try:
        sys.exit(main())
    except Exception as err:  # probe 86 row 9: a MemoryError mid-way was a bare traceback
        sys.exit(
            run_io.report_failure(
                "diagnose",
                err,
                "no report written (it is written whole or not at all; the run is unchanged); "
                "once the cause is fixed, rerun the same command",
            )
        )
