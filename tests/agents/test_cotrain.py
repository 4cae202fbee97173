"""Run management of the main job: run folder, resume, divergence stop, CLI (tiny sizes)."""

from __future__ import annotations

import dataclasses
import glob
import json
import math
import os
import re
import shutil
import signal
import sys

import gymnasium as gym
import numpy as np
import pytest
import torch
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

from agents import cotrain
from agents.callback import RamboCallback
from agents.cotrain import CotrainConfig, RunInterrupted, load_config, load_session, run_cotrain
from agents.cotrain_setup import ALGOS, config_docs, config_from_dict, resolve
from agents.run_callbacks import EvalSchedule
from rambo_env import run_io
from rambo_env.data.dataset import OfflineDataset
from rambo_env.heuristics import rambo_off_from_run
from rambo_env.presets import RamboPreset
from rambo_env.run_io import load_checkpoint
from tests.scripts import load_script

cotrain_cli = load_script("cotrain")


def _random_action_rows(env: gym.Env, n: int, amplitude: float) -> dict[str, np.ndarray]:
    """``n`` D4RL-layout transitions of uniform actions in ±amplitude (the last one a timeout)."""
    rng = np.random.default_rng(0)
    keys = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")
    rows: dict[str, list] = {k: [] for k in keys}
    obs, _ = env.reset(seed=0)
    dim = env.action_space.shape[0]
    while len(rows["rewards"]) < n:
        action = rng.uniform(-amplitude, amplitude, dim).astype(np.float32)
        next_obs, reward, terminated, truncated, _ = env.step(action)
        for key, value in zip(
            keys, (obs, action, reward, next_obs, terminated, truncated), strict=True
        ):
            rows[key].append(value)
        obs = env.reset()[0] if terminated or truncated else next_obs
    rows["timeouts"][-1] = True
    return {k: np.asarray(v) for k, v in rows.items()}


@pytest.fixture(scope="module")
def tiny_hopper(tmp_path_factory) -> str:
    """300 random-action Hopper-v5 transitions (40-step episodes) with D4RL reference scores."""
    rows = _random_action_rows(gym.make("Hopper-v5", max_episode_steps=40), 300, 0.5)
    dataset = OfflineDataset.from_arrays(
        rows,
        env_id="Hopper-v5",
        name="tiny-hopper",
        ref_min_score=-20.272305,
        ref_max_score=3234.3,
    )
    return str(dataset.to_npz(tmp_path_factory.mktemp("data") / "tiny-hopper.npz"))


@pytest.fixture(autouse=True)
def _shared_model_cache(tmp_path_factory, monkeypatch):
    """One MLE model for the whole module (same dataset/config/seed -> a cache hit)."""
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path_factory.getbasetemp() / "cotrain-cache"))


def tiny_config(dataset: str, **overrides) -> CotrainConfig:
    base = dict(
        dataset=dataset,
        rollout_length=2,
        adversary_weight=3e-4,
        n_iterations=4,
        agent_steps_per_iteration=10,
        adversary_steps_per_iteration=4,
        n_rollouts=64,
        bc_epochs=1,
        bc_max_steps=3,
        eval_every=2,
        eval_last=1,
        n_eval_episodes=2,
        ensemble_hidden=8,
        agent_hidden=16,  # the agent's own 2 x 256 made a tiny run twice as slow (session 59)
        mle_max_epochs=1,
        torch_threads=1,
        progress=False,
    )
    return CotrainConfig(**{**base, **overrides})


def stopped_run_with_edited_config(dataset: str, run_dir, monkeypatch, **edits) -> CotrainConfig:
    """A tiny run stopped after iteration 1 whose config.json's top-level keys are then replaced
    by ``edits`` (a hand edit); the run's setup (``build_session``) fails the test if a
    ``--resume`` gets that far. Returns the run's config."""
    cfg = tiny_config(dataset, n_iterations=2, stop_at_iteration=1)
    run_cotrain(cfg, run_dir)
    path = run_dir / run_io.CONFIG_NAME
    path.write_text(json.dumps(json.loads(path.read_text()) | edits))
    monkeypatch.setattr(cotrain, "build_session", lambda *a, **k: pytest.fail("setup ran"))
    return cfg


def _tb_scalars(run_dir, tag: str) -> list[tuple[int, float]]:
    values = []
    for path in sorted(glob.glob(str(run_dir / "tb" / "events.out.tfevents.*"))):
        acc = EventAccumulator(path)
        acc.Reload()
        if tag in acc.Tags()["scalars"]:
            values += [(e.step, e.value) for e in acc.Scalars(tag)]
    return sorted(values)


def test_stop_then_resume_continues_the_run(tiny_hopper, tmp_path, monkeypatch):
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=2)
    first = run_cotrain(cfg, run_dir)
    assert (first["status"], first["iterations_completed"]) == ("stopped", 2)
    # Run folder: resolved config with sources, results with RAMBO-OFF, PNG, TensorBoard, checkpoint.
    saved = json.loads((run_dir / "config.json").read_text())
    resolved = dataclasses.replace(cfg, precision=cfg.uses_precision)  # auto, as it resolved
    assert saved["config"] == dataclasses.asdict(resolved) and load_config(run_dir) == resolved
    assert saved["resolved"]["dataset"]["source"].startswith("npz:")
    assert saved["resolved"]["model"]["source"].split(":")[0] in ("trained", "cache")
    results = json.loads((run_dir / "results.json").read_text())
    assert len(results["q_history"]) == 2 and set(results["rambo_off"]) >= {
        "q_avg",
        "q_var",
        "value",
    }
    assert results["rambo_off"]["q_avg"] == pytest.approx(results["q_history"][-1])
    assert [e["iteration"] for e in results["evals"]] == [0, 2]  # warm start, then every 2
    assert (run_dir / "learning_curve.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [s for s, _ in _tb_scalars(run_dir, "time/iterations")] == [1, 2]
    assert load_checkpoint(run_dir / "checkpoint.pt")["iteration"] == 2

    with pytest.raises(ValueError, match=r"cfg\.seed"):
        run_cotrain(dataclasses.replace(cfg, seed=1), run_dir, resume=True)
    with pytest.raises(ValueError, match=r"already holds a run .*--resume"):
        run_cotrain(cfg, run_dir)
    with monkeypatch.context() as m:  # reported before any setup, nothing rewritten
        m.setattr("agents.cotrain.build_session", lambda *a, **k: pytest.fail("set up"))
        results_before = (run_dir / "results.json").read_bytes()
        with pytest.raises(ValueError, match="stop_at_iteration: 2 <= iterations done 2"):
            run_cotrain(cfg, run_dir, resume=True)
        assert (run_dir / "results.json").read_bytes() == results_before
        # probe 31: a hand edit of the resolved record was ignored (its stale value kept)
        config_before = (run_dir / "config.json").read_text()
        edited = json.loads(config_before)
        edited["resolved"]["adversary_weight"] = 0.1
        (run_dir / "config.json").write_text(json.dumps(edited))
        with pytest.raises(
            ValueError,
            match=r"config\.json: resolved\.adversary_weight is 0\.1, but .*checkpoint\.pt records "
            r"0\.0003 \(edited by hand\?\)",
        ):
            run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
        (run_dir / "config.json").write_text(config_before)

    reported: list[dict] = []
    second = run_cotrain(
        dataclasses.replace(cfg, stop_at_iteration=None),
        run_dir,
        resume=True,
        on_iteration=reported.append,
    )
    assert [m["iteration"] for m in reported] == [3, 4]
    assert "normalized_score" not in reported[0] and "normalized_score" in reported[1]
    assert reported[1]["q_avg"] == second["q_history"][-1]
    assert (second["status"], second["iterations_completed"]) == ("finished", 4)
    assert second["q_history"][:2] == first["q_history"] and len(second["q_history"]) == 4
    assert [e["iteration"] for e in second["evals"]] == [0, 2, 4]  # 4 = last (eval_last=1)
    ckpt = load_checkpoint(run_dir / "checkpoint.pt")
    assert ckpt["agent"]["counters"]["_n_updates"] == 4 * cfg.agent_steps_per_iteration
    assert ckpt["callback"]["n_iterations"] == 4  # the adversary callback's counter continued
    assert ckpt["identity"]["resolved"] == saved["resolved"]  # the start's, not the resume's
    assert [s for s, _ in _tb_scalars(run_dir, "time/iterations")] == [1, 2, 3, 4]
    assert [v for _, v in _tb_scalars(run_dir, "rambo/iteration")] == [1, 2, 3, 4]
    assert second["final_score"] == pytest.approx(
        np.mean([e["normalized_score"] for e in second["evals"][1:]])
    )


def test_a_model_that_does_not_fit_the_checkpoint_is_one_error_naming_both_files(
    tiny_hopper, tmp_path
):
    """Issue 14 (probe 33): --resume with a model of other settings was a raw ``RuntimeError:
    size mismatch for hidden.0.weight`` traceback."""
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1)
    run_cotrain(cfg, run_dir)
    state = load_checkpoint(run_dir / "checkpoint.pt")
    state["ensemble"] = {k: torch.cat([v, v[..., :1]], -1) for k, v in state["ensemble"].items()}
    torch.save(state, run_dir / "checkpoint.pt")
    model = json.loads((run_dir / "config.json").read_text())["resolved"]["model"]["source"]
    model = model.split(": ", 1)[1]
    for resume in (
        lambda: load_session(run_dir),
        lambda: run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True),
    ):
        with pytest.raises(ValueError) as err:
            resume()
        said = str(err.value)
        assert said.startswith(f"{run_dir / 'checkpoint.pt'}: the run's dynamics ensemble does")
        assert f"does not fit the model {model} (" in said and "delete it" in said, said


def test_load_actor_names_a_cotrain_checkpoint_and_its_way_to_an_actor(tiny_hopper, tmp_path):
    """Probe 48: ``load_actor(RUN/checkpoint.pt)`` (also make_dataset.py --policy) said "KeyError:
    'obs_dim' … re-create it" of a run checkpoint that is fine. Now it names the kind, from the
    weights-only load's keys, and the advice (load_session + save_actor) makes a working actor."""
    from agents.behaviour import save_actor
    from rambo_env.policies import load_actor

    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, stop_at_iteration=1), run_dir)
    with pytest.raises(ValueError) as err:
        load_actor(run_dir / "checkpoint.pt")
    said = str(err.value)
    assert said.startswith(
        f"policy file {run_dir / 'checkpoint.pt'} is a cotrain run checkpoint (scripts/cotrain"
    ), said
    assert f"load_session({str(run_dir)!r}); agents.behaviour.save_actor(session.agent" in said
    assert "obs_dim" not in said and "re-create" not in said
    session, _ = load_session(run_dir)  # the advice
    save_actor(session.agent, tmp_path / "actor.pt")
    assert load_actor(tmp_path / "actor.pt").obs_dim == 11


def test_q_above_the_return_bound_warns_once_and_is_reported(tiny_hopper, tmp_path, monkeypatch):
    bound = float(np.abs(OfflineDataset.from_npz(tiny_hopper).rewards).max()) / (1.0 - 0.99)
    calls = iter([0.5 * bound, 2.0 * bound, 3.0 * bound, 0.1 * bound])
    monkeypatch.setattr(RamboCallback, "average_q", lambda self: next(calls))
    cfg = tiny_config(tiny_hopper, n_iterations=4, eval_every=4, eval_last=0)
    with pytest.warns(UserWarning, match=r"iteration 2: average Q") as record:
        results = run_cotrain(cfg, tmp_path / "over")
    assert sum("exceeds max|r|" in str(w.message) for w in record) == 1  # once, not per iteration
    assert results["q_return_bound"] == pytest.approx(bound, rel=1e-6)
    assert results["q_above_bound_from"] == 2 and results["status"] == "finished"


def test_divergence_stops_with_message_and_keeps_last_good_checkpoint(
    tiny_hopper, tmp_path, monkeypatch, capsys
):
    calls = iter([1.5, math.nan, 2.0, 2.0])
    monkeypatch.setattr(RamboCallback, "average_q", lambda self: next(calls))
    run_dir = tmp_path / "diverging"
    argv = [
        "--dataset",
        tiny_hopper,
        "--run-dir",
        str(run_dir),
        "--k",
        "2",
        "--lam",
        "3e-4",
        "--iterations",
        "4",
        "--agent-steps-per-iteration",
        "10",
        "--adversary-steps-per-iteration",
        "4",
        "--n-rollouts",
        "64",
        "--bc-epochs",
        "1",
        "--bc-max-steps",
        "3",
        "--n-eval-episodes",
        "1",
        "--ensemble-hidden",
        "8",
        "--mle-max-epochs",
        "1",
        "--no-progress",
    ]
    assert cotrain_cli.main(argv) == 1
    out = capsys.readouterr().out
    assert "Q-values diverged at iteration 2" in out and "last good checkpoint (iteration 1)" in out
    assert load_checkpoint(run_dir / "checkpoint.pt")["iteration"] == 1
    results = json.loads((run_dir / "results.json").read_text())
    assert (results["status"], results["iterations_completed"]) == ("diverged", 1)
    assert results["q_history"] == [1.5]
    assert results["rambo_off"]["value"] is None  # +inf in JSON: a diverged run is never selected
    assert rambo_off_from_run(run_dir).value == math.inf


def test_cli_help_and_flags(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        cotrain_cli.main(["--help"])
    assert exit_info.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())  # probe 123: λ's help explains it
    assert "--adversary-weight" in help_text
    assert "weight of the adversarial loss (the paper's Eq. 9)" in help_text
    parser = cotrain_cli.build_parser()
    args = parser.parse_args(["--agent", "tqc", "--k", "3", "--lam", "0", "--mle-max-time-s", "60"])
    cfg, run_dir, resume = cotrain_cli.resolve_args(args, parser)
    assert (cfg.algo, cfg.rollout_length, cfg.adversary_weight, cfg.mle_max_time_s) == (
        "tqc",
        3,
        0.0,
        60.0,
    )
    assert cfg.n_iterations == CotrainConfig().n_iterations and not resume
    assert run_dir.name.startswith("hopper-medium-tqc-") and run_dir.name.endswith("-s0")
    paper, *_ = cotrain_cli.resolve_args(parser.parse_args(["--preset", "paper"]), parser)
    assert paper.n_iterations == 2000
    with pytest.raises(SystemExit):
        cotrain_cli.resolve_args(
            parser.parse_args(["--resume", str(tmp_path), "--seed", "3"]), parser
        )
    # probe 15: "got ['--run-dir/--preset']" for either one; `--preset default` was let through
    for flags, named in (
        (["--run-dir", "x"], "--run-dir"),
        (["--preset", "default"], "--preset"),
        (["--preset", "paper", "--seed", "3"], "--seed, --preset"),
        # probe 43: was "got ['algo']" for --agent, "['adversary_weight']" for --lam
        (["--agent", "sac"], "--algo / --agent"),
        (
            ["--lam", "0", "--k", "3"],
            "--adversary-weight / --lam / --lambda, --rollout-length / --k",
        ),
    ):
        with pytest.raises(SystemExit):
            cotrain_cli.resolve_args(parser.parse_args(["--resume", str(tmp_path), *flags]), parser)
        assert f"may be given (got {named})" in capsys.readouterr().err


def test_a_non_finite_model_ends_the_run_as_diverged(tiny_hopper, tmp_path):
    """λ = 1e300 breaks the model in the first adversary update: the run ends ``diverged`` with
    one message naming λ and keeps the BC checkpoint (was: torch's raw "Expected parameter loc
    ... found invalid values" from the agent's actor, exit 2)."""
    run_dir = tmp_path / "run"
    results = run_cotrain(tiny_config(tiny_hopper, adversary_weight=1e300), run_dir)
    assert (results["status"], results["iterations_completed"]) == ("diverged", 0)
    assert results["message"].startswith("iteration 1: adversary: the dynamics model's weights")
    assert "adversary_weight λ = 1e+300" in results["message"]
    assert "last good checkpoint (iteration 0)" in results["message"]
    state = load_checkpoint(run_dir / "checkpoint.pt")
    assert state["iteration"] == 0
    assert all(torch.isfinite(t).all() for t in state["ensemble"].values())


def test_path_flags_expand_a_tilde(tmp_path, monkeypatch, capsys):
    """``--run-dir=~/runs/x`` (the shell leaves that ~): was a folder named ``~`` in the working
    directory, and the closing "results: ~/runs/x/results.json" pointed at the home folder."""
    monkeypatch.setenv("HOME", str(tmp_path))
    args = cotrain_cli.build_parser().parse_args(
        ["--run-dir=~/runs/x", "--resume=~/runs/y", "--ledger=~/ledger"]
    )
    assert (args.run_dir, args.resume, args.ledger) == (
        tmp_path / "runs/x",
        tmp_path / "runs/y",
        tmp_path / "ledger",
    )
    policy = (
        load_script("make_dataset")
        .parse_args(["--env", "hopper", "--level", "random", "--policy=~/p.pt"])
        .policy
    )
    assert policy == tmp_path / "p.pt"
    assert load_script("diagnose").main(["~/no-run"]) == 2  # the error names the expanded path
    assert f"{tmp_path / 'no-run'}" in capsys.readouterr().err


def test_an_empty_path_flag_is_refused(capsys):
    """Probe 12: ``--behaviour-dir ''`` (an unset ``"$DIR"``) wrote hopper/ into the working
    folder; '' was '.' for every path flag."""
    for parse, flags in (
        (cotrain_cli.build_parser().parse_args, ["--run-dir", ""]),
        (cotrain_cli.build_parser().parse_args, ["--ledger", ""]),
        (
            load_script("make_dataset").parse_args,
            ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-dir", ""],
        ),
        (load_script("ledger").main, ["runs/x", "--ledger", ""]),
    ):
        with pytest.raises(SystemExit) as exit_info:
            parse(flags)
        assert exit_info.value.code == 2
        assert "an empty path (an unset shell variable?)" in capsys.readouterr().err


def test_negative_numbers_in_any_notation_are_option_values(capsys):
    """``--log-std-min -5e0`` / ``--q-limit -inf``: argparse took them for flags ("expected one
    argument"); now they are values, checked as any other."""
    args = cotrain_cli.build_parser().parse_args(
        ["--log-std-min", "-5e0", "--ensemble-min-logvar-init", "-1E1", "--q-limit", "-inf"]
    )
    assert (args.log_std_min, args.ensemble_min_logvar_init, args.q_limit) == (-5, -10, -math.inf)
    assert math.isnan(cotrain_cli.build_parser().parse_args(["--lam", "-nan"]).adversary_weight)
    with pytest.raises(SystemExit):
        cotrain_cli.main(["--q-limit", "-inf"])
    assert "error: q_limit: expected > 0, got -inf" in capsys.readouterr().err
    sweep_args = load_script("sweep").build_parser().parse_args(["--q-limit", "-1e3"])
    assert sweep_args.q_limit == -1000.0


def test_config_validation_names_the_field():
    with pytest.raises(ValueError, match="algo"):
        CotrainConfig(algo="ppo")
    with pytest.raises(ValueError, match="real_ratio"):
        CotrainConfig(real_ratio=1.5)
    with pytest.raises(ValueError, match="n_rollouts"):
        CotrainConfig(n_rollouts=0)
    with pytest.raises(ValueError, match="adversary_weight"):
        CotrainConfig(adversary_weight=math.nan)
    with pytest.raises(ValueError, match="bogus"):
        config_from_dict({**dataclasses.asdict(CotrainConfig()), "bogus": 1})
    for bad in ("", "auto_", "auto_x", "-0.1", "0", "inf", "auto_inf", "nan", "auto_nan"):
        with pytest.raises(ValueError, match="ent_coef"):
            CotrainConfig(ent_coef=bad)  # inf: was accepted, then failed after BC
    with pytest.raises(ValueError, match="ent_coef: td3 has no entropy coefficient"):
        CotrainConfig(algo="td3", ent_coef="0.1")
    CotrainConfig(ent_coef="auto_0.05"), CotrainConfig(ent_coef="0.2")  # valid forms
    for bad in (math.nan, 1e39, 81.0):  # 1e39: was torch's raw overflow error after the load
        with pytest.raises(ValueError, match=r"^ensemble_max_logvar_init: expected a value in"):
            CotrainConfig(ensemble_max_logvar_init=bad)  # nan: was blamed on the min bound
        with pytest.raises(ValueError, match=r"^ensemble_min_logvar_init"):
            CotrainConfig(ensemble_min_logvar_init=-bad)
    CotrainConfig(ensemble_max_logvar_init=80.0, ensemble_min_logvar_init=-80.0)
    CotrainConfig(n_iterations=2, eval_last=0, eval_every=5)  # evaluates its last iteration
    CotrainConfig(n_iterations=2, eval_last=0, eval_every=2)  # evaluates at iteration 2
    with pytest.raises(ValueError, match="stop_at_iteration: 3 > n_iterations=2"):
        CotrainConfig(n_iterations=2, stop_at_iteration=3)
    docs = config_docs()
    assert set(docs) == {f.name for f in dataclasses.fields(CotrainConfig)}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("adversary_steps_per_iteration", 0, r"adversary_steps_per_iteration: 0, but .* λ = "),
        # probe 12: no model row ever reached the agent, yet it was called a λ > 0 run
        ("real_ratio", 1.0, r"real_ratio: 1, but adversary_weight λ = "),
    ],
)
def test_a_positive_lambda_that_never_acts_is_refused(field, value, message):
    """No adversary step, or agent batches of real data only, with λ > 0: was accepted; λ never
    reached the agent, yet results and the ledger called it a λ = 3e-4 run."""
    from agents.cotrain_setup import build_session
    from agents.sweep import SweepSpec

    with pytest.raises(ValueError, match=message + "0.0003"):
        CotrainConfig(adversary_weight=3e-4, **{field: value})
    CotrainConfig(adversary_weight=0.0, **{field: value})  # a frozen MLE model / the real data
    preset = CotrainConfig(dataset="hopper-medium", **{field: value})
    with pytest.raises(ValueError, match=message + r".*\(preset hopper-medium\)"):
        build_session(preset)  # before the dataset is generated on first use
    with pytest.raises(ValueError, match=message + r".*--configs 2:0.0003"):
        SweepSpec(("hopper-medium",), (RamboPreset(2, 3e-4),), (0,), preset)


def test_eval_schedule_matches_paper():
    schedule = EvalSchedule(n_iterations=2000, every=10, last=10)
    due = [i for i in range(1, 2001) if schedule.due(i)]
    assert due[:3] == [10, 20, 30] and due[-11:] == [1990, *range(1991, 2001)]
    assert len(due) == 199 + 10


def test_the_last_iteration_is_always_evaluated_and_the_score_says_whose(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 36 rows 58 + 78: ``--n-iterations 3 --eval-every 2 --eval-last 0`` evaluated
    iterations 0 and 2 only, printed iteration 2's score as "the final policy" and was entered in
    the ledger as the 3-iteration run's last-10 mean. The last iteration is always evaluated now;
    a run whose last evaluation is earlier (stopped, or written before) says whose score it is."""
    schedule = EvalSchedule(n_iterations=3, every=2, last=0)
    assert [i for i in range(4) if schedule.due(i)] == [0, 2, 3]
    assert [i for i in range(6) if EvalSchedule(5, every=10, last=0).due(i)] == [0, 5]
    cotrain_cli = load_script("cotrain")
    evals = [{"iteration": i, "normalized_score": 3.5} for i in (0, 2)]
    results = {
        "message": "", "final_score": 3.5, "final_return": 100.0, "evals": evals,
        "status": "stopped", "iterations_completed": 3, "n_iterations": 4,
        "rollout_length": 2, "adversary_weight": 3e-4, "wall_s": {"session": 1.0},
    }  # fmt: skip
    monkeypatch.setattr(cotrain_cli, "standing_lines", lambda results, ledger, **_: [])
    cfg = CotrainConfig(dataset="hopper-medium")
    cotrain_cli.print_results(results, cfg, tmp_path, tmp_path / "ledger")
    out = capsys.readouterr().out
    assert "score of the policy of iteration 2 (the last evaluated, not iteration 3): 3.5" in out
    evals.append({"iteration": 3, "normalized_score": 3.5})
    cotrain_cli.print_results(results, cfg, tmp_path, tmp_path / "ledger")
    assert "score of the final policy: 3.5" in capsys.readouterr().out
    ledger_cli = load_script("ledger")
    run = tmp_path / "ev2"
    _fake_run(run, 3, monkeypatch)
    _FAKE_CURVES[str(run)][3]["normalized_score"] = None  # iteration 3 not evaluated
    assert ledger_cli.main([str(run), "--ledger", str(tmp_path / "ledger")]) == 0
    out = capsys.readouterr().out
    assert "3 iterations, last-10 mean 1.5 (its last evaluation is of iteration 2;" in out


def test_ledger_script_shows_the_return_of_data_without_reference_scores(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 43 rows 55, 56: ``scripts/ledger.py`` on a Pendulum run (no D4RL reference scores)
    said "last-10 mean n/a" and advised "plot return_mean instead" (curves.py's option, not
    ledger.py's); a 1-iteration run was "1 iterations"."""
    drawn = []
    monkeypatch.setattr(
        ledger_module, "plot_curves", lambda path, curves, **kw: drawn.append(kw["columns"])
    )
    ledger_cli = load_script("ledger")
    run = tmp_path / "pend"
    _fake_run(run, 2, monkeypatch)
    for row, ret in zip(_FAKE_CURVES[str(run)], (-1100.0, -1200.0, -1400.0), strict=True):
        row.update(normalized_score=None, return_mean=ret)
    assert ledger_cli.main([str(run), "--ledger", str(tmp_path / "ledger")]) == 0
    out = capsys.readouterr().out
    assert (
        "2 iterations, last-10 mean return -1300.0 (its data carry no reference scores, so no "
        "normalised score; the ledger's plot shows the return)"
    ) in out, out
    assert drawn[-1] == ("return_mean", "q_avg")
    one = tmp_path / "one"
    _fake_run(one, 1, monkeypatch, seed=1)
    assert ledger_cli.main([str(one), "--ledger", str(tmp_path / "ledger2")]) == 0
    out = capsys.readouterr().out
    assert "_s1: 1 iteration, last-10 mean 1.0" in out, out
    assert drawn[-1] == ("normalized_score", "q_avg")


def test_keyboard_interrupt_keeps_checkpoint_and_writes_results(tiny_hopper, tmp_path, monkeypatch):
    def average_q(self):
        if self.n_iterations >= 1:  # during the bookkeeping of iteration 2
            raise KeyboardInterrupt
        return 1.0

    monkeypatch.setattr(RamboCallback, "average_q", average_q)
    with pytest.raises(KeyboardInterrupt) as stop:  # probe 25: was returned, not raised
        run_cotrain(tiny_config(tiny_hopper, n_eval_episodes=1), tmp_path / "run")
    assert isinstance(stop.value, RunInterrupted)
    results = stop.value.results
    assert (results["status"], results["iterations_completed"]) == ("interrupted", 1)
    assert "checkpoint of iteration 1" in results["message"]
    assert load_checkpoint(tmp_path / "run" / "checkpoint.pt")["iteration"] == 1
    assert json.loads((tmp_path / "run" / "results.json").read_text())["status"] == "interrupted"


def test_ctrl_c_during_an_evaluation_reports_the_iteration_the_checkpoint_holds(
    tiny_hopper, tmp_path, monkeypatch
):
    """Probe 28: Ctrl-C during iteration 1's evaluation said "the checkpoint of iteration 1 is
    kept" and results.json had iterations_completed 1, but checkpoint.pt held iteration 0 (and
    --resume ran iteration 1 again). Messages and results.json now say what the checkpoint holds."""
    import agents.cotrain as cotrain_module

    real = cotrain_module._evaluate

    def evaluate(session, iteration):
        if iteration == 1:
            raise KeyboardInterrupt  # Ctrl-C in the middle of iteration 1's evaluation
        return real(session, iteration)

    monkeypatch.setattr(cotrain_module, "_evaluate", evaluate)
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=2, eval_every=1, n_eval_episodes=1)
    with pytest.raises(RunInterrupted) as stop:
        run_cotrain(cfg, run_dir)
    results = stop.value.results
    checkpoint = load_checkpoint(run_dir / "checkpoint.pt")
    assert checkpoint["iteration"] == 0
    assert (results["status"], results["iterations_completed"]) == ("interrupted", 0)
    assert "checkpoint of iteration 0 is kept" in results["message"]
    saved = json.loads((run_dir / "results.json").read_text())
    assert saved["iterations_completed"] == 0 and saved["q_history"] == []
    assert [e["iteration"] for e in saved["evals"]] == [0]
    assert saved["evals"] == checkpoint["history"]["evals"]


def test_a_run_resumed_from_checkpoint_0_shows_each_tensorboard_step_once(
    tiny_hopper, tmp_path, monkeypatch
):
    """Probe 43 row 49: Ctrl-C during iteration 1, then ``--resume``: tb/ held the warm start's
    step 0 (eval/*, mle/*) in both sessions' event files, and TensorBoard showed each twice. The
    resumed session's file now starts with a purge at its first step (torch's purge_step)."""
    from collections import Counter

    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    import agents.cotrain as cotrain_module
    from rambo_env.curves import read_curves

    real = cotrain_module._evaluate

    def evaluate(session, iteration):
        if iteration == 1:
            raise KeyboardInterrupt  # Ctrl-C in iteration 1: the checkpoint of iteration 0 kept
        return real(session, iteration)

    monkeypatch.setattr(cotrain_module, "_evaluate", evaluate)
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, n_iterations=2, eval_every=1, n_eval_episodes=1)
    with pytest.raises(RunInterrupted):
        run_cotrain(cfg, run_dir)
    assert load_checkpoint(run_dir / "checkpoint.pt")["iteration"] == 0
    monkeypatch.setattr(cotrain_module, "_evaluate", real)
    run_cotrain(cfg, run_dir, resume=True)
    assert len(list((run_dir / "tb").rglob("events.out.tfevents.*"))) == 2
    acc = EventAccumulator(str(run_dir / "tb"), size_guidance={"scalars": 0})
    acc.Reload()  # the whole folder, as TensorBoard reads it
    tags = acc.Tags()["scalars"]
    assert "eval/normalized_score" in tags and "mle/epochs" in tags
    twice = {
        (tag, step): n
        for tag in tags
        for step, n in Counter(e.step for e in acc.Scalars(tag)).items()
        if n > 1
    }
    assert twice == {}
    assert [e.step for e in acc.Scalars("eval/normalized_score")] == [0, 1, 2]
    assert [r["iteration"] for r in read_curves(run_dir)] == [0, 1, 2]


def test_a_run_folder_moved_while_the_run_trains_is_one_error_and_no_new_folder(
    tiny_hopper, tmp_path, capsys
):
    """Probe 28: ``mv runs/a runs/b`` while the run trained gave a TensorBoard writer thread's
    traceback, then ``error: [Errno 2] No such file or directory: b'runs/a/tb/events…'``, and a
    new ``runs/a`` holding only the next checkpoint.pt (``--resume runs/a``: config.json is
    missing). Now: one error naming where the folder is, nothing made at the old path, and the
    moved run resumes where it is."""
    run_dir, moved = tmp_path / "a", tmp_path / "b"

    def on_iteration(metrics):
        if metrics["iteration"] == 1:
            os.rename(run_dir, moved)  # mv runs/a runs/b

    cfg = tiny_config(tiny_hopper, n_iterations=3, n_eval_episodes=1)
    with pytest.raises(ValueError, match=r"was moved to .*b while the run was writing") as err:
        run_cotrain(cfg, run_dir, on_iteration=on_iteration)
    assert f"--resume {moved}" in str(err.value)
    assert not run_dir.exists()  # no folder made at the old path
    assert load_checkpoint(moved / "checkpoint.pt")["iteration"] == 1
    assert not (moved / ".lock").exists()  # removed where the folder now is
    assert "Traceback" not in capsys.readouterr().err  # no TensorBoard thread's traceback
    resumed = run_cotrain(cfg, moved, resume=True)
    assert (resumed["status"], resumed["iterations_completed"]) == ("finished", 3)


def test_sigterm_during_setup_frees_the_run_folder(tiny_hopper, tmp_path, monkeypatch):
    """Issue 14 probe: SIGTERM during BC / MLE killed the process outright, leaving the folder
    and its .lock behind; it is Ctrl-C now (the CLI prints how to continue, exit 130)."""
    import agents.cotrain as cotrain_module

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(cotrain_module, "build_session", killed)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt):
        run_cotrain(tiny_config(tiny_hopper), tmp_path / "run")
    assert signal.getsignal(signal.SIGTERM) is before
    assert not (tmp_path / "run").exists()  # created by the run, still empty: removed


def test_sigterm_is_handled_like_ctrl_c_and_the_run_resumes(tiny_hopper, tmp_path):
    def on_iteration(metrics):
        if metrics["iteration"] == 1:
            os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    cfg = tiny_config(tiny_hopper, n_eval_episodes=1, n_iterations=2)
    with pytest.raises(RunInterrupted) as stop:
        run_cotrain(cfg, tmp_path / "run", on_iteration=on_iteration)
    results = stop.value.results
    assert signal.getsignal(signal.SIGTERM) is before  # the previous handler is back
    assert (results["status"], results["iterations_completed"]) == ("interrupted", 1)
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved["status"] == "interrupted"
    resumed = run_cotrain(cfg, tmp_path / "run", resume=True)
    assert (resumed["status"], resumed["iterations_completed"]) == ("finished", 2)


@pytest.mark.parametrize(
    ("dataset", "expected"),
    [
        ("hopper-medium", (5, 3e-4)),
        ("hopper-medium-replay-v2", (2, 3e-4)),
        ("mujoco/walker2d/medium-v0", (5, 0.0)),
        ("/data/walker2d-medium-expert.npz", (2, 3e-4)),
    ],
)
def test_k_and_lambda_from_dataset_preset(dataset, expected):
    k, lam, origin = resolve(CotrainConfig(dataset=dataset))
    assert (k, lam) == expected and origin.startswith("preset")
    assert resolve(CotrainConfig(dataset=dataset, rollout_length=1))[:2] == (1, expected[1])
    assert resolve(CotrainConfig(dataset="custom.npz"), "hopper-medium")[:2] == (5, 3e-4)
    with pytest.raises(ValueError, match="rollout_length and adversary_weight"):
        resolve(CotrainConfig(dataset="custom.npz"), "custom")


def test_a_dataset_without_a_preset_names_each_tried_name_once_and_its_metadata(tiny_hopper):
    """Probe 48: cotrain --dataset p48/hop/other-v0 (no --k / --lam) said "has no (k, λ) preset
    (tried ['hop-other-v0', 'hop-other-v0'])", one name twice, and nothing of the data's own
    metadata (make_dataset.py: hopper / random). Each name once now; the metadata's preset is
    said (never applied)."""
    from agents.cotrain_setup import generated_as
    from rambo_env.presets import get_preset

    with pytest.raises(ValueError) as err:
        resolve(CotrainConfig(dataset="p48/hop/other-v0"), "p48/hop/other-v0")
    assert "(tried ['hop-other-v0']); set rollout_length and adversary_weight" in str(err.value)
    preset = get_preset("hopper-random")
    with pytest.raises(ValueError) as err:
        resolve(
            CotrainConfig(dataset="p48/hop/other-v0"),
            "p48/hop/other-v0",
            metadata_name="hopper-random",
            metadata_from="scripts/make_dataset.py",  # probe 90 row 34: said only when known
        )
    assert (
        "(tried ['hop-other-v0']); its metadata say hopper / random data (scripts/make_dataset"
        f".py): for hopper-random's preset pass --k {preset.rollout_length} --lam "
        f"{preset.adversary_weight:g} (rollout_length, adversary_weight), or set rollout_length"
    ) in str(err.value), err.value
    with pytest.raises(ValueError, match=r"\(tried \['custom'\]\); set rollout_length"):
        resolve(CotrainConfig(dataset="custom.npz"), "custom", metadata_name="hopper-nothing")
    # probe 50: data naming only their env (an hdf5's env_id attribute) list that env's presets
    with pytest.raises(ValueError) as err:
        resolve(CotrainConfig(dataset="mine.hdf5"), "mine", env_id="Hopper-v4")
    assert (
        "(tried ['mine']); its env is Hopper-v4: hopper's presets (Table 5) are random --k 2 "
        "--lam 0.0003, medium --k 5 --lam 0.0003, medium-replay --k 2 --lam 0.0003, "
        "medium-expert --k 5 --lam 0.0003; pass the pair of the D4RL level your data are most "
        "like, or set rollout_length"
    ) in str(err.value), err.value
    with pytest.raises(ValueError, match=r"\(tried \['mine'\]\); set rollout_length"):
        resolve(CotrainConfig(dataset="mine.hdf5"), "mine", env_id="Ant-v5")
    data = OfflineDataset.from_npz(tiny_hopper)
    assert generated_as(data) is None  # no level in its metadata
    data.metadata["level"] = "medium-replay"
    assert generated_as(data) == "hopper-medium-replay"


def test_ent_coef_reaches_the_sb3_agent(tiny_hopper):
    from agents.cotrain_setup import build_session

    session = build_session(tiny_config(tiny_hopper, ent_coef="auto_0.05"))
    assert float(session.agent.log_ent_coef.detach().exp()) == pytest.approx(0.05)
    fixed = build_session(tiny_config(tiny_hopper, ent_coef="0.2"))
    assert float(fixed.agent.ent_coef_tensor) == pytest.approx(0.2)


def test_diagnose_script_reads_a_run_and_writes_its_report(
    tiny_hopper, tmp_path, capsys, monkeypatch
):
    diagnose = load_script("diagnose")
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, n_eval_episodes=1), run_dir)
    argv = [str(run_dir), "--n-starts", "8", "--n-episodes", "2", "--max-steps", "20"]
    assert diagnose.main(argv) == 0
    report = json.loads((run_dir / "diagnostics-it1.json").read_text())
    assert report["model_vs_simulator"][0]["depth"] == 0
    assert len(report["model_vs_simulator"]) <= 2  # k = 2; stops early if every row terminated
    assert report["critic_vs_return"]["n_episodes"] == 2
    assert report["critic_vs_return"]["starts"] == "dataset"
    assert report["critic_vs_return_from_reset"]["starts"] == "reset"
    off = report["model_vs_simulator_uniform_actions"]  # one step after uniform random actions
    assert off["depth"] == 0 and off["n_rows"] == 8
    out = capsys.readouterr().out
    assert "uniformly random actions, one step: model r" in out
    assert "from dataset states: critic Q(s, a)" in out
    assert "from the env's reset states: critic Q(s, a)" in out
    with pytest.raises(SystemExit):
        diagnose.main([str(run_dir), "--n-starts", "0"])
    with pytest.raises(SystemExit):
        diagnose.main([str(run_dir), "--seed", "-1"])  # was a numpy error after the load
    assert "--seed: expected >= 0" in capsys.readouterr().err
    assert diagnose.main([str(run_dir), "--device", "gpu"]) == 2
    assert capsys.readouterr().err.startswith("error: device: 'gpu'")
    # --n-starts beyond memory: one error naming it (was torch's raw allocation error after the
    # load): a lower bound before the load, the run's dims after it, before any rollout.
    # --n-episodes beyond the cap: before the load (was torch's raw allocation error after it).
    assert diagnose.main([str(tmp_path / "none"), "--n-episodes", "100000000"]) == 2
    assert capsys.readouterr().err.startswith("error: n_episodes: 100000000 is not in [1, 10000]")
    assert diagnose.main([str(tmp_path / "none"), "--n-starts", "1000000000"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: n_starts: 1000000000 model rollouts (--n-starts) need at least")
    from agents import memory

    n = 1000
    room = n * (memory.diagnose_row_bytes(1, 1) + memory.diagnose_row_bytes(11, 3)) // 2
    with monkeypatch.context() as m:
        m.setattr(memory, "available_memory_bytes", lambda: room)
        m.setattr(diagnose, "model_vs_simulator", lambda *a, **k: pytest.fail("rolled out"))
        assert diagnose.main([str(run_dir), "--n-starts", str(n), "--device", "cpu"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: n_starts: {n} model rollouts (--n-starts) need ~"), err
    from rambo_env.run_io import WriteFailedError

    def disk_full(path, data):
        raise WriteFailedError(path, OSError(28, "No space left on device"))

    with monkeypatch.context() as m:
        m.setattr(diagnose.run_io, "write_json", disk_full)
        assert diagnose.main(argv) == 2  # was a traceback after the whole diagnosis
    err = capsys.readouterr().err
    assert err.startswith(f"error: {run_dir / 'diagnostics-it1.json'}: not written: the disk")
    (run_dir / "checkpoint.pt").unlink()
    for folder in (run_dir, tmp_path / "missing"):
        assert diagnose.main([str(folder)]) == 2  # was a traceback (after the dataset load)
        err = capsys.readouterr().err
        assert err.startswith("error: run_dir:") and "Traceback" not in err, err


def test_diagnose_checks_its_run_folder_is_writable_before_loading(tmp_path, monkeypatch, capsys):
    import errno
    import tempfile
    from pathlib import Path

    diagnose = load_script("diagnose")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    real = tempfile.TemporaryFile

    def read_only(*args, dir=None, **kwargs):  # chmod does not stop root
        if dir is not None and Path(dir) == run_dir:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", read_only)
    monkeypatch.setattr(diagnose, "load_session", lambda *a, **k: pytest.fail("loaded first"))
    assert diagnose.main([str(run_dir)]) == 2  # was: found after the load and the diagnosis
    err = capsys.readouterr().err
    assert err.startswith(f"error: run_dir: {run_dir} is not writable (Permission denied)"), err


def test_diagnose_refuses_a_run_on_data_of_no_env_before_loading(tmp_path, monkeypatch, capsys):
    """Probe 18: a run on data that name no Gymnasium env was refused only after the dataset
    load and the model build (an MLE retrain when its cached model was gone), without saying
    what to do."""
    from agents.cotrain_setup import config_to_dict

    diagnose = load_script("diagnose")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    saved = {
        "config": config_to_dict(tiny_config(str(tmp_path / "noenv.npz"), precision="fp32")),
        "resolved": {"dataset": {"name": "noenv", "env_id": None}},
    }
    (run_dir / "config.json").write_text(json.dumps(saved))
    monkeypatch.setattr(diagnose, "load_session", lambda *a, **k: pytest.fail("loaded first"))
    assert diagnose.main([str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: run_dir: {run_dir} trained on dataset 'noenv', which names no")
    assert "--env-id" in err


def test_diagnose_refuses_a_run_on_an_env_it_cannot_replay_before_loading(
    tmp_path, monkeypatch, capsys
):
    """Probe 18: a run on an env other than Gymnasium's MuJoCo v5 ones (a custom env, with
    --env-id) was a raw ValueError traceback from make_state_setter after the run's load."""
    from agents.cotrain_setup import config_to_dict

    diagnose = load_script("diagnose")
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    saved = {
        "config": config_to_dict(tiny_config(str(tmp_path / "cart.npz"), precision="fp32")),
        "resolved": {"dataset": {"name": "cart", "env_id": "CartPole-v1"}},
    }
    (run_dir / "config.json").write_text(json.dumps(saved))
    monkeypatch.setattr(diagnose, "load_session", lambda *a, **k: pytest.fail("loaded first"))
    assert diagnose.main([str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: run_dir: {run_dir}: env_id: 'CartPole-v1' is not a MuJoCo env")
    assert "Traceback" not in err


def test_default_q_limit_is_not_zero_for_zero_rewards():
    from agents.cotrain_setup import default_q_limit

    assert default_q_limit(3.5, 0.99) == pytest.approx(100 * 3.5 / 0.01)
    assert default_q_limit(0.0, 0.99) == pytest.approx(100 / 0.01)  # was 0: "diverged" at once
    assert default_q_limit(3.5, 1.0) == math.inf  # γ = 1: no bound (was ZeroDivisionError)


def test_ledger_from_two_runs_and_the_main_jobs_closing_lines(tiny_hopper, tmp_path, capsys):
    from rambo_env.curves import read_curves_csv
    from rambo_env.ledger import read_index, update_ledger

    ledger = tmp_path / "ledger"
    long_run, lam0_run = tmp_path / "long", tmp_path / "lam0"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=4, eval_every=1), long_run)
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, adversary_weight=0.0), lam0_run)
    long_entry, lam0_entry = update_ledger(long_run, ledger), update_ledger(lam0_run, ledger)
    assert long_entry.slug == "tiny-hopper_sac_k2-lam3e-4-ln_s0"  # LayerNorm critics: auto
    assert lam0_entry.slug == "tiny-hopper_sac_k2-lam0-ln_s0"
    assert long_entry.critic_layer_norm and "LayerNorm critics" in long_entry.label
    rows = read_curves_csv(ledger / f"{long_entry.slug}.csv")
    results = json.loads((long_run / "results.json").read_text())
    assert [r["iteration"] for r in rows] == [0, 1, 2, 3, 4]
    assert [r["q_avg"] for r in rows[1:]] == pytest.approx(results["q_history"], rel=1e-5)
    scores = {e["iteration"]: e["normalized_score"] for e in results["evals"]}
    assert rows[0]["normalized_score"] == pytest.approx(scores[0], rel=1e-5)  # BC warm start
    assert long_entry.bc_score == pytest.approx(scores[0], rel=1e-5)
    assert long_entry.iterations == 4 and lam0_entry.iterations == 2
    assert long_entry.behaviour_score == pytest.approx(results["behaviour_score"])
    assert set(read_index(ledger)) == {long_entry.slug, lam0_entry.slug}
    # which MLE model each curve comes from (an epoch cap may differ within a key: deviation 17)
    model = json.loads((long_run / "config.json").read_text())["resolved"]["model"]
    mse = model["holdout_mse_elites"]
    assert long_entry.mle_epochs == model["epochs"] >= 1
    assert long_entry.mle_holdout_mse == pytest.approx(sum(mse) / len(mse))
    stored = json.loads((ledger / "index.json").read_text())[long_entry.slug]
    assert (
        stored["mle_epochs"] == model["epochs"]
        and read_index(ledger)[long_entry.slug] == long_entry
    )
    epochs = f"{model['epochs']} epoch{'s' if model['epochs'] != 1 else ''}"  # probe 41: 1 epoch
    assert long_entry.label.endswith(f"seed 0, MLE {epochs}")  # plot, closing line
    assert (ledger / "tiny-hopper.png").read_bytes()[:4] == b"\x89PNG"

    flags = ["--dataset", tiny_hopper, "--k", "2", "--lam", "3e-4", "--n-iterations", "2",
             "--agent-steps-per-iteration", "10", "--adversary-steps-per-iteration", "4",
             "--n-rollouts", "64", "--bc-epochs", "1", "--bc-max-steps", "3", "--eval-every", "1",
             "--eval-last", "1", "--n-eval-episodes", "2", "--ensemble-hidden", "8", "--agent-hidden", "16",
             "--mle-max-epochs", "1", "--no-progress"]  # fmt: skip
    capsys.readouterr()
    assert (
        cotrain_cli.main([*flags, "--run-dir", str(tmp_path / "job"), "--ledger", str(ledger)]) == 0
    )
    out = capsys.readouterr().out
    assert "BC warm start" in out and "behaviour policy (dataset average)" in out
    assert "this run" in out and "after 2 iterations" in out
    assert f"{scores[2]:.1f} at iteration 2; furthest 4 iterations" in out
    assert "mean of its last 4 evaluations" in out  # evaluated at 1-4 (was: "last 10" always)
    # A job that stops before the ledger run's first evaluation is told when that came.
    lam0_results = json.loads((lam0_run / "results.json").read_text())
    lam0_scores = {e["iteration"]: e["normalized_score"] for e in lam0_results["evals"]}
    assert sorted(lam0_scores) == [0, 2]  # eval_every 2
    (line,) = cotrain_cli.standing_lines({**lam0_results, "iterations_completed": 1}, ledger)[1:]
    assert f"not evaluated by iteration 1 (first evaluation: {lam0_scores[2]:.1f} at 2)" in line
    assert "mean of its last 1 evaluation " in line
    other_lam = ["3e-3" if f == "3e-4" else f for f in flags]  # one --lam (a second is refused)
    cotrain_cli.main([*other_lam, "--run-dir", str(tmp_path / "job2"), "--ledger", str(ledger)])
    assert (
        "no long run of tiny-hopper / sac (k = 2, λ = 3e-3, LayerNorm critics) yet"
        in capsys.readouterr().out
    )
    # the official critic is another ledger key: it never stands against a LayerNorm run
    cotrain_cli.main(
        [
            *flags,
            "--no-critic-layer-norm",
            "--run-dir",
            str(tmp_path / "job3"),
            "--ledger",
            str(ledger),
        ]
    )
    assert "no long run of tiny-hopper / sac (k = 2, λ = 3e-4) yet" in capsys.readouterr().out
    official = update_ledger(tmp_path / "job3", ledger)
    assert official.slug == "tiny-hopper_sac_k2-lam3e-4_s0" and not official.critic_layer_norm


def test_bad_input_is_one_error_line_before_any_work(tmp_path, capsys):
    with pytest.raises(ValueError, match="seed"):
        CotrainConfig(seed=-1)
    from agents.cotrain_setup import check_device

    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="device: 'cuda'"):
            check_device("cuda")
    with pytest.raises(ValueError, match="device: 'gpu'"):
        check_device("gpu")
    a_file = tmp_path / "taken"
    a_file.write_text("x")
    code = cotrain_cli.main(["--dataset", "no-such-dataset.npz", "--run-dir", str(a_file)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: run_dir:") and "Traceback" not in err
    code = cotrain_cli.main(["--device", "gpu", "--run-dir", str(tmp_path / "r")])
    assert code == 2 and "error: device: 'gpu'" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()  # nothing half-written


def test_ctrl_c_during_setup_is_one_line_and_exit_130(tmp_path, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cotrain_cli, "run_cotrain", interrupted)
    code = cotrain_cli.main(["--dataset", "hopper-medium", "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 130 and "Traceback" not in err
    assert "rerun the same command to continue" in err
    # probe 12: said "the MLE pretraining checkpoint is kept" also when a dataset was generated
    assert "checkpoint is kept" not in err and "a dataset generated on first use starts" in err


def test_second_ctrl_c_after_a_checkpoint_points_to_resume(tmp_path, monkeypatch, capsys):
    """A second Ctrl-C while the first was being handled (checkpoint written) reaches main:
    it says to --resume (was: 'interrupted before training' after iterations had run)."""
    run_dir = tmp_path / "r"

    def interrupted_twice(*args, **kwargs):
        run_dir.mkdir()
        (run_dir / "checkpoint.pt").write_bytes(b"x")
        raise KeyboardInterrupt

    monkeypatch.setattr(cotrain_cli, "run_cotrain", interrupted_twice)
    code = cotrain_cli.main(["--dataset", "hopper-medium", "--run-dir", str(run_dir)])
    err = capsys.readouterr().err
    assert code == 130 and "Traceback" not in err and "before training" not in err, err
    assert (
        f"the run's last checkpoint is kept: continue with: python scripts/cotrain.py --resume {run_dir}"
        in err
    )


def test_an_interrupted_extension_keeps_its_target_in_the_continue_command(
    tiny_hopper, tmp_path, monkeypatch, capsys
):
    """Probe 30: ``--resume RUN --n-iterations 6`` interrupted in its setup (the extension is
    recorded in config.json only once the setup has passed, probe 20) said "continue with:
    python scripts/cotrain.py --resume RUN", which finished the run at its old 2 iterations."""
    from agents import cotrain as cotrain_mod

    run_dir = tmp_path / "r4"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2, stop_at_iteration=1), run_dir)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cotrain_mod, "build_session", interrupted)
    capsys.readouterr()
    code = cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "6"])
    err = capsys.readouterr().err
    assert (
        code == 130
        and json.loads((run_dir / "config.json").read_text())["config"]["n_iterations"] == 2
    )
    assert (
        "the run's last checkpoint is kept: continue with: python scripts/cotrain.py --resume "
        f"{run_dir} --n-iterations 6\n"
    ) in err
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 130  # no extension asked: none added
    assert f"--resume {run_dir}\n" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("n_iterations", "3"),
        ("n_iterations", 3.7),
        ("n_iterations", True),
        ("adversary_weight", "0.0003"),
        ("real_ratio", False),
        ("progress", "yes"),
        ("progress", 1),
        ("dataset", 3),
        ("stop_at_iteration", "2"),
    ],
)
def test_hand_edited_config_with_a_wrong_type_names_the_field(field, value):
    with pytest.raises(ValueError, match=f"^{field}: expected"):
        config_from_dict({field: value})


def test_config_types_accept_numpy_ints_ints_for_floats_and_none():
    cfg = config_from_dict(
        {"n_iterations": np.int64(3), "real_ratio": 1, "adversary_weight": None, "q_limit": 5}
    )
    assert cfg.n_iterations == 3 and cfg.real_ratio == 1


def test_os_error_of_the_cli_is_one_error_line(tmp_path, monkeypatch, capsys):
    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cotrain_cli, "run_cotrain", disk_full)
    code = cotrain_cli.main(["--dataset", "hopper-medium", "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error:") and "No space left" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("field", ["n_iterations", "seed", "n_eval_episodes"])
def test_a_config_json_missing_a_field_is_refused(tmp_path, field):
    """Probe 11: a deleted ``n_iterations`` silently became 5 (a resumed run ran on), a deleted
    ``n_eval_episodes`` gave "checkpoint belongs to another run"."""
    from agents.cotrain_setup import LATER_FIELDS, config_to_dict
    from rambo_env.run_io import write_json

    saved = config_to_dict(CotrainConfig(n_iterations=2))
    write_json(tmp_path / "config.json", {"config": {k: v for k, v in saved.items() if k != field}})
    with pytest.raises(ValueError, match=rf"config.json: config: missing field\(s\) \['{field}'\]"):
        load_config(tmp_path)
    # fields added after configs were first saved keep their default (older runs resume)
    older = {k: v for k, v in saved.items() if k not in LATER_FIELDS}
    write_json(tmp_path / "config.json", {"config": older})
    assert load_config(tmp_path).n_iterations == 2


def test_a_misspelt_config_json_field_gets_a_suggestion(tmp_path):
    """Probe 31: ``n_iteration`` listed the known fields but did not suggest ``n_iterations``."""
    from agents.cotrain_setup import config_to_dict
    from rambo_env.run_io import write_json

    saved = config_to_dict(CotrainConfig(n_iterations=2))
    saved["n_iteration"] = saved.pop("n_iterations")
    write_json(tmp_path / "config.json", {"config": saved})
    with pytest.raises(
        ValueError,
        match=r"unknown field\(s\) \['n_iteration'\]; n_iteration: did you mean n_iterations\?; known",
    ):
        load_config(tmp_path)


def test_a_config_json_with_precision_auto_is_refused(tmp_path):
    """Probe 13: a run saves the precision it resolved; ``"precision": "auto"`` put in its
    config.json by hand was resolved anew on resume (bf16 for an fp32 run here: another model-cache
    key, so MLE pretraining ran again and the run changed precision, silently)."""
    from agents.cotrain_setup import config_to_dict
    from rambo_env.run_io import write_json

    write_json(
        tmp_path / "config.json", {"config": config_to_dict(CotrainConfig(precision="auto"))}
    )
    with pytest.raises(ValueError, match=r"config.json: precision is 'auto', but a run saves"):
        load_config(tmp_path)
    write_json(
        tmp_path / "config.json", {"config": config_to_dict(CotrainConfig(precision="bf16"))}
    )
    assert load_config(tmp_path).precision == "bf16"


def test_a_resume_says_which_ledger_it_compares_against(tmp_path, monkeypatch, capsys):
    """Probe 28: ``--resume RUN`` forgot a ``--ledger DIR`` given when the run started (its
    config.json does not record it) and compared against the default ledger without a word."""
    from agents.cotrain_setup import config_to_dict
    from rambo_env.ledger import DEFAULT_LEDGER_DIR
    from rambo_env.run_io import write_json

    run_dir, ledger = tmp_path / "run", tmp_path / "ledger"
    ledger.mkdir()
    write_json(run_dir / "config.json", {"config": config_to_dict(CotrainConfig(precision="fp32"))})

    def stop(*args, **kwargs):
        raise ValueError("stopped here")

    monkeypatch.setattr(cotrain_cli, "run_cotrain", stop)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
    out = capsys.readouterr().out
    said = "(the default: the run's config.json records no --ledger)"
    assert f"results ledger: {DEFAULT_LEDGER_DIR} {said}" in out
    assert cotrain_cli.main(["--resume", str(run_dir), "--ledger", str(ledger)]) == 2
    out = capsys.readouterr().out  # given: used for this session, the default kept
    assert f"results ledger: {ledger} (--ledger, for this session only: the run was " in out
    assert "started with the default ledger, which its config.json keeps" in out


def test_a_resume_reports_to_the_ledger_its_run_was_started_with(
    tiny_hopper, tmp_path, monkeypatch, capsys
):
    """Probe 29: ``--ledger DIR`` was not recorded in the run, so ``--resume RUN`` compared
    against the default ledger (only a line said so). Now config.json records it (absolute), a
    plain resume reports to it, and a resume with another --ledger uses that for its session
    only, saying so, while the run keeps the recorded one."""
    monkeypatch.chdir(tmp_path)
    first, other = tmp_path / "ledger1", tmp_path / "ledger2"
    first.mkdir(), other.mkdir()
    flags = ["--dataset", tiny_hopper, "--k", "2", "--lam", "3e-4", "--n-iterations", "2",
             "--agent-steps-per-iteration", "10", "--adversary-steps-per-iteration", "4",
             "--n-rollouts", "64", "--bc-epochs", "1", "--bc-max-steps", "3", "--eval-every", "1",
             "--eval-last", "1", "--n-eval-episodes", "2", "--ensemble-hidden", "8", "--agent-hidden", "16",
             "--mle-max-epochs", "1", "--no-progress"]  # fmt: skip
    run_dir = tmp_path / "run"
    argv = [*flags, "--run-dir", str(run_dir), "--stop-at-iteration", "1", "--ledger", "ledger1"]
    assert cotrain_cli.main(argv) == 0
    assert "results ledger (ledger1): no long run" in capsys.readouterr().out
    assert load_config(run_dir).ledger == str(first)  # absolute: a resume from elsewhere finds it
    monkeypatch.chdir(other)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert f"results ledger: {first} (the run's --ledger, recorded in its config.json)" in out
    assert f"results ledger ({first})" in out and "ledger (docs" not in out
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "3", "--ledger", "."]) == 0
    out = capsys.readouterr().out
    assert (
        f"results ledger: {other} (--ledger, for this session only: the run was started with "
        f"--ledger {first}, which its config.json keeps for a later --resume without --ledger)"
    ) in out
    assert "results ledger (.): no long run" in out  # as given
    assert load_config(run_dir).ledger == str(first)
    shutil.rmtree(first)  # the recorded ledger moved away: named as the run's
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "4"]) == 2
    err = capsys.readouterr().err
    assert f"error: ledger: {first} does not exist" in err
    assert "it is the run's ledger, recorded in" in err and "give --ledger DIR" in err


def test_resume_naming_a_file_of_the_run_names_its_folder(tmp_path, capsys):
    """Probe 13: ``--resume RUN/config.json`` said "no folder RUN/config.json, so no config.json"."""
    (tmp_path / "config.json").write_text("{}")
    assert cotrain_cli.main(["--resume", str(tmp_path / "config.json")]) == 2
    err = capsys.readouterr().err
    assert (
        f"config.json is a file, not a run folder; pass the folder that holds the run ({tmp_path}"
        in err
    )


def test_resume_naming_a_folder_inside_the_run_names_the_run(tmp_path, capsys):
    """Probe 31: ``--resume RUN/tb`` said "not a run folder" without naming RUN (as the
    ``RUN/checkpoint.pt`` case does); so did diagnose.py and curves.py."""
    from rambo_env.curves import read_curves

    run = tmp_path / "run"
    (run / "tb").mkdir(parents=True)
    (run / "config.json").write_text("{}")
    assert cotrain_cli.main(["--resume", str(run / "tb")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: run_dir: ") and "is not a run folder" in err
    assert f"; it is inside the run folder {run}: pass {run}" in err
    with pytest.raises(ValueError, match=rf"inside the run folder {re.escape(str(run))}"):
        load_session(run / "tb")
    with pytest.raises(FileNotFoundError, match=rf"inside the run folder {re.escape(str(run))}"):
        read_curves(run / "tb")


def test_a_closed_output_pipe_is_one_line_and_a_finished_run_exits_0(tmp_path, monkeypatch, capsys):
    """Probe 11: ``cotrain.py … | head -1``: was ``error: [Errno 32] Broken pipe`` (no cause
    named) mid-run, and a raw BrokenPipeError traceback, exit 1, from the closing lines of a
    finished run."""

    def closed_pipe(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cotrain_cli, "run_cotrain", closed_pipe)
    code = cotrain_cli.main(["--dataset", "hopper-medium", "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(
        "error: stdout: the program reading this output exited (a closed pipe, e.g. `| head`)"
    ), err
    monkeypatch.setattr(cotrain_cli, "run_cotrain", lambda *a, **k: {"status": "finished"})
    monkeypatch.setattr(cotrain_cli, "print_results", closed_pipe)
    assert cotrain_cli.main(["--dataset", "hopper-medium", "--run-dir", str(tmp_path / "r")]) == 0


def test_every_config_field_added_after_the_first_is_a_later_field():
    """A field added to CotrainConfig is missing from every config.json saved before it: it must
    be in LATER_FIELDS (its default = what those runs ran), or resuming them is refused."""
    from agents.cotrain_setup import LATER_FIELDS

    first = {  # the fields of the first saved configs (commit 2158e1f)
        "dataset", "algo", "rollout_length", "adversary_weight", "n_iterations",
        "agent_steps_per_iteration", "adversary_steps_per_iteration", "n_rollouts",
        "real_ratio", "retain_iterations", "bc_epochs", "bc_max_steps", "eval_every",
        "eval_last", "n_eval_episodes", "seed", "device", "ensemble_hidden", "mle_max_epochs",
        "mle_max_time_s", "q_limit", "torch_threads", "stop_at_iteration", "progress",
    }  # fmt: skip
    added = {f.name for f in dataclasses.fields(CotrainConfig)} - first
    assert added == set(LATER_FIELDS), (
        f"add {sorted(added - LATER_FIELDS)} to rambo_env.ledger.SAVED_BEFORE_FIELD (with what "
        "the runs saved before it ran with)"
    )


def test_a_config_saved_before_a_field_existed_reads_as_the_ledger_reads_it():
    """Issue 14 (session 29): what a run saved before a field existed ran with was two tables,
    config_from_dict's and the ledger's; now one (rambo_env.ledger.SAVED_BEFORE_FIELD)."""
    from agents.cotrain_setup import LATER_FIELDS, config_from_dict, config_to_dict
    from rambo_env import ledger
    from rambo_env.ledger import SAVED_BEFORE_FIELD

    assert set(SAVED_BEFORE_FIELD) == LATER_FIELDS
    saved = config_to_dict(CotrainConfig(dataset="hopper-medium"))
    older = {k: v for k, v in saved.items() if k not in LATER_FIELDS}
    cfg = config_from_dict(older, saved=True)
    assert {name: getattr(cfg, name) for name in LATER_FIELDS} == dict(SAVED_BEFORE_FIELD)
    assert (cfg.critic_layer_norm, cfg.precision, cfg.mle_lr) == (False, "fp32", 3e-4)
    settings = ledger._run_settings(older, {"dataset": {"env_id": "Hopper-v5"}})
    for name in set(ledger.RESULT_SETTINGS) & LATER_FIELDS - {"env_id"}:
        assert settings[name] == getattr(cfg, name), name


def test_non_finite_config_values_survive_config_json(tmp_path):
    from agents.cotrain_setup import config_from_dict, config_to_dict
    from rambo_env.run_io import read_json, write_json

    cfg = CotrainConfig(q_limit=math.inf, mle_max_time_s=math.inf)
    write_json(tmp_path / "config.json", {"config": config_to_dict(cfg)})
    back = config_from_dict(read_json(tmp_path / "config.json")["config"])
    assert back == cfg  # was q_limit=None (the default limit), mle_max_time_s=None


def test_resume_refuses_a_foreign_checkpoint_and_a_changed_dataset(tiny_hopper, tmp_path):
    import shutil

    from rambo_env.run_io import read_json, write_json

    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "a")
    run_cotrain(dataclasses.replace(cfg, seed=1), tmp_path / "b")
    # probe 43: config.json edited by hand (λ changed) was "belongs to another run"
    saved = read_json(tmp_path / "a" / "config.json")
    edited = {**saved, "config": {**saved["config"], "adversary_weight": 0.1}}
    write_json(tmp_path / "a" / "config.json", edited)
    with pytest.raises(ValueError) as refused:
        resumed = dataclasses.replace(load_config(tmp_path / "a"), stop_at_iteration=None)
        run_cotrain(resumed, tmp_path / "a", resume=True)
    assert str(refused.value) == (
        f"{tmp_path / 'a' / 'checkpoint.pt'} and {tmp_path / 'a' / 'config.json'} disagree on "
        "adversary_weight (0.0003 in the checkpoint, 0.1 in config.json): config.json edited by "
        "hand, or the checkpoint copied from another run?; set adversary_weight back to 0.0003 "
        "in config.json (or put back this run's own checkpoint) to resume it, or start a new "
        "run with the other value"
    )
    write_json(tmp_path / "a" / "config.json", saved)
    shutil.copy(tmp_path / "b" / "checkpoint.pt", tmp_path / "a" / "checkpoint.pt")
    with pytest.raises(ValueError, match=r"disagree on seed \(1 in the checkpoint, 0 in config"):
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "a", resume=True)
    with pytest.raises(ValueError, match=r"disagree on seed"):  # diagnose.py's loader
        load_session(tmp_path / "a")

    data = dict(np.load(tiny_hopper))
    data["rewards"] = data["rewards"] + 1.0  # the same path, other contents
    changed = tmp_path / "changed.npz"
    shutil.copy(tiny_hopper, changed)
    cfg_changed = tiny_config(str(changed), stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg_changed, tmp_path / "c")
    np.savez(changed, **data)
    with pytest.raises(ValueError, match=r"dataset: .* has changed since the run started"):
        run_cotrain(
            dataclasses.replace(cfg_changed, stop_at_iteration=None), tmp_path / "c", resume=True
        )
    # probe 31: diagnose.py's loader built its report on the new data (after "the run's cached
    # dynamics model … is gone: MLE pretraining runs again")
    with pytest.raises(ValueError, match=r"dataset: .* has changed since the run started"):
        load_session(tmp_path / "c")


def test_resume_after_the_file_was_replaced_by_another_named_dataset_says_it_changed(
    tiny_hopper, tmp_path
):
    """Probe 37 row 108: the run's npz replaced under the same path by a dataset of another name
    was told to put the run's dataset back in config.json, though config.json was not edited."""
    import shutil

    path = tmp_path / "run.npz"
    shutil.copy(tiny_hopper, path)
    cfg = tiny_config(str(path), stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "a")
    rows = _random_action_rows(gym.make("Hopper-v5", max_episode_steps=40), 300, 0.3)
    OfflineDataset.from_arrays(rows, env_id="Hopper-v5", name="tiny-other").to_npz(path)
    for attempt in (
        lambda: run_cotrain(
            dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "a", resume=True
        ),
        lambda: load_session(tmp_path / "a"),  # diagnose.py's loader
    ):
        with pytest.raises(ValueError) as info:
            attempt()
        said = str(info.value)
        assert said.startswith(f"dataset: {str(path)!r} has changed since the run started"), said
        assert "config.json" not in said, said


def test_resume_with_config_json_naming_another_dataset_names_both(tiny_hopper, tmp_path):
    """Probe 36 row 36: a hand-edited config.json naming another dataset was told "'X' has
    changed since the run started", though neither dataset had changed."""
    from rambo_env.run_io import read_json, write_json

    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "a")
    rows = _random_action_rows(gym.make("Hopper-v5", max_episode_steps=40), 300, 0.3)
    other = OfflineDataset.from_arrays(rows, env_id="Hopper-v5", name="tiny-other")
    other = other.to_npz(tmp_path / "other.npz")
    saved = read_json(tmp_path / "a" / "config.json")
    saved["config"]["dataset"] = str(other)
    write_json(tmp_path / "a" / "config.json", saved)
    run_fp = saved["resolved"]["dataset"]["fingerprint"]
    with pytest.raises(ValueError) as info:
        resumed = dataclasses.replace(load_config(tmp_path / "a"), stop_at_iteration=None)
        run_cotrain(resumed, tmp_path / "a", resume=True)  # what cotrain.py --resume does
    said = str(info.value)
    assert said.startswith(
        f"dataset: config.json's dataset {str(other)!r} (tiny-other, fingerprint "
    ), said
    assert (
        f"is not the dataset the run's checkpoint was trained on: tiny-hopper (fingerprint "
        f"{run_fp}, npz:"
    ) in said and "has changed" not in said


def test_resume_with_a_config_json_missing_its_resolved_record_is_one_error(
    tiny_hopper, tmp_path, capsys
):
    """A hand-edited config.json without "resolved" (or a non-string fingerprint): was a raw
    ``KeyError: 'resolved'`` traceback, exit 1."""
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2), run_dir)
    saved = json.loads((run_dir / "config.json").read_text())
    for resolved in (None, {"dataset": {"fingerprint": 5}}):
        edited = (
            {"config": saved["config"]} if resolved is None else {**saved, "resolved": resolved}
        )
        (run_dir / "config.json").write_text(json.dumps(edited))
        assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
        err = capsys.readouterr().err
        assert f"error: run_dir: {run_dir / 'config.json'} records no dataset fingerprint" in err
        assert "Traceback" not in err


def test_resume_with_a_file_where_the_tb_folder_was_is_one_error_before_the_setup(
    tiny_hopper, tmp_path, monkeypatch
):
    """was: ``error: [Errno 17] File exists: 'RUN/tb'`` after the dataset load and the model."""
    import shutil

    from agents import cotrain

    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, run_dir)
    shutil.rmtree(run_dir / "tb")
    (run_dir / "tb").write_text("x")
    monkeypatch.setattr(cotrain, "build_session", lambda *a, **k: pytest.fail("setup ran"))
    with pytest.raises(ValueError, match=r"run_dir: .*tb is not a folder, but the run's TensorB"):
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)


@pytest.mark.parametrize("name", ["results.json", "learning_curve.png"])
def test_resume_with_a_folder_where_a_closing_file_goes_is_one_error_before_the_setup(
    tiny_hopper, tmp_path, monkeypatch, name
):
    """Probe 30: ``results.json`` (or ``learning_curve.png``) replaced by a folder failed only
    after the resumed iteration had run ("not written: a folder is where the file goes"), while
    the same obstacle at tb/ is refused at the start."""

    from agents import cotrain

    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, run_dir)
    (run_dir / name).unlink()
    (run_dir / name).mkdir()
    monkeypatch.setattr(cotrain, "build_session", lambda *a, **k: pytest.fail("setup ran"))
    resumed = dataclasses.replace(cfg, stop_at_iteration=None)
    with pytest.raises(ValueError, match=rf"run_dir: .*{name} is a folder, not a file; move it"):
        run_cotrain(resumed, run_dir, resume=True)


def test_a_checkpoint_write_failure_says_resume_once_the_run_has_a_checkpoint(
    tiny_hopper, tmp_path, monkeypatch
):
    """Probe 30: under ``ulimit -f`` the iteration-1 checkpoint failed with "…, then rerun",
    and the same command is refused ("already holds a run"); it now says ``--resume RUN``. The
    first checkpoint's failure still says rerun (the unfinished start is cleared)."""
    import errno

    from agents import cotrain
    from rambo_env import run_io

    real, calls = run_io.save_checkpoint, []

    def fails_at(n):
        def save(path, state, *args):
            calls.append(path)
            if len(calls) == n:
                raise run_io.WriteFailedError(path, OSError(errno.EFBIG, "File too large"))
            return real(path, state, *args)

        return save

    cfg = tiny_config(tiny_hopper, n_iterations=2)
    monkeypatch.setattr(cotrain.run_io, "save_checkpoint", fails_at(1))
    with pytest.raises(
        OSError, match=r"checkpoint.pt: not written \(File too large\); .*, then rerun"
    ):
        run_cotrain(cfg, tmp_path / "first")
    calls.clear()
    run_dir = tmp_path / "run"
    monkeypatch.setattr(cotrain.run_io, "save_checkpoint", fails_at(2))
    with pytest.raises(OSError) as failed:
        run_cotrain(cfg, run_dir)
    assert str(failed.value) == (
        f"{run_dir / 'checkpoint.pt'}: not written (File too large); raise the file-size limit "
        "(ulimit -f), or write where larger files fit (--run-dir, RAMBO_ENV_CACHE), then "
        f"continue the run with python scripts/cotrain.py --resume {run_dir} (run_cotrain(…, "
        "resume=True)) (any previous checkpoint.pt is intact; no temp file is left)"
    )
    assert failed.value.errno == errno.EFBIG
    monkeypatch.setattr(cotrain.run_io, "save_checkpoint", real)
    assert run_cotrain(cfg, run_dir, resume=True)["status"] == "finished"


def test_resume_after_the_tb_folder_was_deleted_is_one_error_before_the_setup(
    tiny_hopper, tmp_path, monkeypatch
):
    """Probe 16: was a silent resume into a new tb/, whose curves lacked the earlier iterations;
    a tb/CURVES_LOST made by hand continues (probe 45: an empty tb/ is refused too)."""
    import shutil

    from agents import cotrain

    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, run_dir)
    shutil.rmtree(run_dir / "tb")
    monkeypatch.setattr(cotrain, "build_session", lambda *a, **k: pytest.fail("setup ran"))
    resumed = dataclasses.replace(cfg, stop_at_iteration=None)
    with pytest.raises(FileNotFoundError, match=r"run_dir: .*tb is missing: the TensorBoard logs"):
        run_cotrain(resumed, run_dir, resume=True)
    (run_dir / "tb").mkdir()
    (run_dir / "tb" / "CURVES_LOST").touch()
    with pytest.raises(pytest.fail.Exception, match="setup ran"):  # past the check
        run_cotrain(resumed, run_dir, resume=True)


def test_resume_after_the_dataset_file_moved_says_where_the_path_came_from(tiny_hopper, tmp_path):
    """was: ``npz file … does not exist``, with no word that the run's config.json names it (and
    ``--resume`` takes no --dataset)."""
    import shutil

    from agents.cotrain import load_session

    data = tmp_path / "data.npz"
    shutil.copy(tiny_hopper, data)
    cfg = tiny_config(str(data), stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "run")
    data.rename(tmp_path / "moved.npz")
    message = r"dataset: .*data.npz, the run's dataset file \(its config.json\), does not exist"
    with pytest.raises(ValueError, match=message):
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "run", resume=True)
    with pytest.raises(ValueError, match=message):  # scripts/diagnose.py's loader
        load_session(tmp_path / "run")


def test_a_refused_extending_resume_leaves_n_iterations_as_it_was(tiny_hopper, tmp_path, capsys):
    """Probe 20: ``--resume RUN --n-iterations 3`` refused at the setup (here: the run's dataset
    moved) had already written 3 into RUN/config.json, so the later plain ``--resume`` ran 3
    iterations, not the 1 the run was started with, without a word."""
    import shutil

    data = tmp_path / "data.npz"
    shutil.copy(tiny_hopper, data)
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(str(data), n_iterations=1, n_eval_episodes=1), run_dir)
    data.rename(tmp_path / "moved.npz")
    capsys.readouterr()
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "3"]) == 2
    captured = capsys.readouterr()
    assert "does not exist" in captured.err and "n_iterations of" not in captured.out
    assert load_config(run_dir).n_iterations == 1  # was: 3
    (tmp_path / "moved.npz").rename(data)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    assert "already finished its 1 iteration" in capsys.readouterr().out


def test_a_relative_dataset_path_is_saved_absolute_and_resumes_from_anywhere(
    tiny_hopper, tmp_path, monkeypatch
):
    """Probe 12: config.json kept ``--dataset data.npz`` relative, so ``--resume`` from another
    folder said the file "does not exist; put the file back" (or used another data.npz)."""
    import shutil

    from agents.cotrain import load_config, load_session

    (tmp_path / "start").mkdir()
    shutil.copy(tiny_hopper, tmp_path / "start" / "data.npz")
    monkeypatch.chdir(tmp_path / "start")
    cfg = tiny_config("data.npz", stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "run")
    assert load_config(tmp_path / "run").dataset == str(tmp_path / "start" / "data.npz")
    # Probe 14: resumed with the same relative cfg (as toys.py --out rel does at its snapshot)
    # was "cfg.dataset: 'data.npz' differs from the saved config's '/…/data.npz'".
    same = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "run", True)
    assert same["status"] == "finished"
    cfg = dataclasses.replace(cfg, n_iterations=3)
    monkeypatch.chdir(tmp_path)
    resumed = dataclasses.replace(load_config(tmp_path / "run"), n_iterations=3)
    done = run_cotrain(dataclasses.replace(resumed, stop_at_iteration=None), tmp_path / "run", True)
    assert done["status"] == "finished"
    # A run folder from before: its relative path is explained, not just "does not exist".
    path = tmp_path / "run" / "config.json"
    saved = json.loads(path.read_text())
    saved["config"]["dataset"] = "data.npz"
    path.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match=r"does not exist in this working folder .*a relative"):
        load_session(tmp_path / "run")


def test_a_run_folder_from_before_a_config_field_existed_still_resumes(tiny_hopper, tmp_path):
    """config.json written by older code lacks newer fields; their defaults are what it ran with."""
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "a")
    path = tmp_path / "a" / "config.json"
    saved = json.loads(path.read_text())
    del saved["config"]["bc_loss"]  # added in session 6; the default is the earlier behaviour
    path.write_text(json.dumps(saved))
    resumed = run_cotrain(
        dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "a", resume=True
    )
    assert (resumed["status"], resumed["iterations_completed"]) == ("finished", 2)


def test_critic_layer_norm_is_auto_on_for_sac_and_tqc_and_one_flag_from_official(tiny_hopper):
    """Issue 15 / README deviation 15: the default SAC / TQC critic has LayerNorm; the official
    MLP critic is ``critic_layer_norm=False`` (``--no-critic-layer-norm``)."""
    from agents.cotrain_setup import build_session

    assert CotrainConfig().critic_layer_norm is None  # auto
    assert {a: CotrainConfig(algo=a).uses_critic_layer_norm for a in ALGOS} == {
        "sac": True, "tqc": True, "td3": False, "ddpg": False, "crossq": False,
    }  # fmt: skip
    assert not CotrainConfig(critic_layer_norm=False).uses_critic_layer_norm
    parser = cotrain_cli.build_parser()
    for flags, expected in (
        ([], None),
        (["--no-critic-layer-norm"], False),
        (["--critic-layer-norm"], True),
    ):
        cfg, *_ = cotrain_cli.resolve_args(parser.parse_args(flags), parser)
        assert cfg.critic_layer_norm is expected
    for value, n_norms in ((None, 2), (False, 0)):  # 2 hidden layers per critic network
        session = build_session(tiny_config(tiny_hopper, critic_layer_norm=value))
        for net in session.agent.critic.q_networks:
            assert sum(isinstance(m, torch.nn.LayerNorm) for m in net) == n_norms
        assert session.resolved["critic_layer_norm"] is (n_norms > 0)


def test_compile_is_auto_on_for_long_runs_and_a_resume_may_switch_it(
    tiny_hopper, tmp_path, capsys, compile_backend
):
    """Issue 12: ``compile=None`` compiles the adversary's loss from COMPILE_MIN_ITERATIONS
    iterations on; ``--compile`` / ``--no-compile`` set it; it is how a run runs, not what it
    computes, so ``--resume RUN --compile`` is accepted and the compiled run goes on to the end."""
    from agents.cotrain_setup import COMPILE_MIN_ITERATIONS, build_session

    assert CotrainConfig().compile is None and not CotrainConfig().uses_compile  # 10 iterations
    assert CotrainConfig(n_iterations=COMPILE_MIN_ITERATIONS).uses_compile
    assert not CotrainConfig(n_iterations=2000, compile=False).uses_compile
    parser = cotrain_cli.build_parser()
    for flags, expected in (([], None), (["--compile"], True), (["--no-compile"], False)):
        cfg, *_ = cotrain_cli.resolve_args(parser.parse_args(flags), parser)
        assert cfg.compile is expected
    for value in (True, False):
        session = build_session(tiny_config(tiny_hopper, compile=value))
        assert session.adversary.loss_fn.active is value
        assert session.agent.compile is value  # SAC's fused step (agents.fused)
    run_cotrain(tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2), tmp_path / "a")
    assert "adversary + MLE + SAC losses: eager (auto: 2 iterations < 20" in capsys.readouterr().out
    args = parser.parse_args(["--resume", str(tmp_path / "a"), "--compile"])
    cfg, run_dir, resume = cotrain_cli.resolve_args(args, parser)
    assert cfg.compile is True and resume
    result = run_cotrain(cfg, run_dir, resume=True)
    assert (result["status"], result["iterations_completed"]) == ("finished", 2)
    assert "adversary + MLE + SAC losses: torch.compile (as set" in capsys.readouterr().out


def test_bf16_precision_is_keyed_apart_and_warned_about_without_native_bf16(
    tiny_hopper, monkeypatch, capsys
):
    """Issue 12: ``precision="bf16"`` runs the ensemble in mixed precision with its own cached
    model, says so loudly where the hardware has no native bf16, and bad values are one error."""
    from agents import cotrain_setup
    from rambo_env.dynamics import ensemble as ensemble_mod

    with pytest.raises(ValueError, match="precision: expected one of"):
        CotrainConfig(precision="fp16")
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: False)
    fp32 = cotrain_setup.build_session(tiny_config(tiny_hopper))
    assert fp32.mdp.ensemble.precision == "fp32"
    assert "WARNING: precision bf16" not in capsys.readouterr().out
    bf16 = cotrain_setup.build_session(tiny_config(tiny_hopper, precision="bf16"))
    assert bf16.mdp.ensemble.precision == "bf16"
    assert "WARNING: precision bf16 on hardware without native bf16" in capsys.readouterr().out
    source = lambda s: s.resolved["model"]["source"]  # noqa: E731
    assert source(bf16) != source(fp32)  # its own model-cache entry
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: True)
    cotrain_setup.build_session(tiny_config(tiny_hopper, precision="bf16"))
    assert "WARNING: precision bf16" not in capsys.readouterr().out


def test_precision_auto_is_bf16_only_where_native_and_a_run_keeps_what_it_started_with(
    tiny_hopper, tmp_path, monkeypatch, capsys
):
    """Issue 12: ``precision="auto"`` (the default) is bf16 on hardware with native bf16 and fp32
    elsewhere (never emulated bf16 by itself); the resolved value is what config.json, the model
    cache key and the iteration-time key record, and a resumed run keeps it on other hardware."""
    from agents import cotrain_setup, timing
    from rambo_env.dynamics import ensemble as ensemble_mod

    assert CotrainConfig().precision == "auto"
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: False)
    assert tiny_config(tiny_hopper).uses_precision == "fp32"
    assert cotrain_setup.build_session(tiny_config(tiny_hopper)).cfg.precision == "fp32"
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: True)
    assert tiny_config(tiny_hopper).uses_precision == "bf16"
    assert tiny_config(tiny_hopper, precision="fp32").uses_precision == "fp32"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "a")
    out = capsys.readouterr().out
    assert "dynamics ensemble: bf16 (auto: this hardware has native bf16" in out
    saved = json.loads((tmp_path / "a" / "config.json").read_text())
    assert saved["config"]["precision"] == "bf16"
    assert "WARNING: precision bf16" not in out  # no emulation warning here
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: False)  # another machine
    result = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "a", True)
    assert (result["status"], result["iterations_completed"]) == ("finished", 2)
    out = capsys.readouterr().out
    assert "dynamics ensemble: bf16 (the run's own, resolved when it started" in out  # kept
    assert "WARNING: precision bf16 on hardware without native bf16" in out
    assert "MLE pretraining runs again" not in out  # same model-cache key
    bf16_key = timing.timing_key(dataclasses.replace(cfg, precision="bf16"), 2, 3e-4, "cpu")
    fp32_key = timing.timing_key(dataclasses.replace(cfg, precision="fp32"), 2, 3e-4, "cpu")
    assert bf16_key != fp32_key and "bf16" not in fp32_key  # fp32 keys as before the field
    with pytest.raises(ValueError, match=r"precision: expected one of .*'auto'"):
        CotrainConfig(precision="fp16")
    del saved["config"]["precision"]  # a config saved before the field existed ran fp32
    assert cotrain_setup.config_from_dict(saved["config"], saved=True).precision == "fp32"


def test_mle_lr_is_pretrainings_learning_rate_with_its_own_cached_model(tiny_hopper):
    """Issue 12: ``mle_lr`` (``--mle-lr``) is the Adam learning rate of MLE pretraining, keyed
    apart in the model cache; the default is 1e-3 (README deviation 18), the paper's 3e-4 is
    ``--mle-lr 3e-4``; a config saved before the field existed resumes with the 3e-4 it ran (and
    its cached model's key); a bad value is one error before the dataset load."""
    from agents import cotrain_setup
    from rambo_env.dynamics import io
    from rambo_env.dynamics.training import MLEConfig

    for bad in (0.0, -1e-3, math.inf, math.nan):
        with pytest.raises(ValueError, match="mle_lr: expected a finite value > 0"):
            CotrainConfig(dataset="missing.npz", mle_lr=bad)
    assert CotrainConfig().mle_lr == MLEConfig().lr == 1e-3  # the library's default too
    model = lambda s: s.resolved["model"]["source"].split(": ", 1)[1]  # noqa: E731
    default = cotrain_setup.build_session(tiny_config(tiny_hopper))
    official = cotrain_setup.build_session(tiny_config(tiny_hopper, mle_lr=3e-4))
    assert model(official) != model(default)
    assert io.load_model(model(official)).mle_config.lr == 3e-4
    assert io.load_model(model(default)).mle_config.lr == 1e-3
    assert "mle_lr" in cotrain_setup.LATER_FIELDS
    saved = cotrain_setup.config_to_dict(tiny_config(tiny_hopper))
    del saved["mle_lr"]  # a config.json written before the field existed (sessions 1-10)
    assert cotrain_setup.config_from_dict(saved, saved=True).mle_lr == 3e-4
    assert cotrain_setup.config_from_dict(saved).mle_lr == 1e-3  # a new config: the default


def test_model_seed_lets_seeds_share_one_pretrained_model(tiny_hopper):
    """``model_seed`` (``--model-seed``) seeds MLE pretraining and its model-cache key only: runs
    of seeds 0 and 1 with model seed 0 co-train the same model (one cache entry, equal weights),
    while their agents differ; unset, each seed pretrains its own. A saved config without the
    field (runs before it) resumes with its own seed's model; a bad value is one error."""
    from agents import cotrain_setup

    for bad in (-1, 2**31, 1.5, True):
        with pytest.raises(ValueError, match="model_seed"):
            CotrainConfig(dataset="missing.npz", model_seed=bad)
    model = lambda s: s.resolved["model"]["source"].split(": ", 1)[1]  # noqa: E731
    s0 = cotrain_setup.build_session(tiny_config(tiny_hopper))
    s1 = cotrain_setup.build_session(tiny_config(tiny_hopper, seed=1))
    s1_shared = cotrain_setup.build_session(tiny_config(tiny_hopper, seed=1, model_seed=0))
    assert model(s1) != model(s0)  # unset: the run's own seed
    assert model(s1_shared) == model(s0)
    assert s1_shared.resolved["model"]["source"].startswith("cache: ")
    for a, b in zip(s0.mdp.ensemble.parameters(), s1_shared.mdp.ensemble.parameters(), strict=True):
        assert torch.equal(a, b)
    assert any(
        not torch.equal(a, b)
        for a, b in zip(s0.mdp.ensemble.parameters(), s1.mdp.ensemble.parameters(), strict=True)
    )
    actor = lambda s: torch.cat([p.flatten() for p in s.agent.actor.parameters()])  # noqa: E731
    assert not torch.equal(actor(s0), actor(s1_shared))  # the agent keeps the run's seed
    assert "model_seed" in cotrain_setup.LATER_FIELDS
    saved = cotrain_setup.config_to_dict(tiny_config(tiny_hopper, seed=1))
    del saved["model_seed"]  # a config.json written before the field existed
    assert cotrain_setup.config_from_dict(saved, saved=True).mle_seed == 1
    assert tiny_config(tiny_hopper, seed=3, model_seed=0).mle_seed == 0


def test_a_resume_from_another_folder_with_a_relative_model_cache_names_the_model(
    tiny_hopper, tmp_path, monkeypatch, capsys
):
    """Probe 24: ``RAMBO_ENV_CACHE=relcache`` made a resume from another working folder say the
    model "is gone" and pretrain it again (hours at paper size) into a second cache, though it
    sat where the run had cached it. The relative variable is now said at its first use, and the
    resume stops before any pretraining, naming the model's file and the setting that finds it."""
    first, second = tmp_path / "e1", tmp_path / "e2"
    first.mkdir(), second.mkdir()
    monkeypatch.setenv("RAMBO_ENV_CACHE", "relcache")
    monkeypatch.chdir(first)
    cfg = tiny_config(tiny_hopper, n_iterations=2, stop_at_iteration=1)
    run_cotrain(cfg, tmp_path / "run")
    out = capsys.readouterr().out
    assert out.count(f"RAMBO_ENV_CACHE=relcache is a relative path, read from the working folder "
                     f"as {first / 'relcache'}") == 1  # fmt: skip
    # the model itself, not the budget stop's MLE checkpoint beside it (glob order is the
    # file system's: the test failed when the .partial.pt came first)
    (model,) = (p for p in (first / "relcache").glob("dynamics-*.pt") if ".partial" not in p.name)
    monkeypatch.chdir(second)
    with pytest.raises(ValueError, match=r"RAMBO_ENV_CACHE: the run's dynamics model is not in "
                       rf"the model cache {second / 'relcache'}, but it is where the run cached "
                       rf"it: {model} .*set RAMBO_ENV_CACHE={first / 'relcache'} and resume"):  # fmt: skip
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "run", True)
    assert not (second / "relcache").exists()  # refused before the cache folder was made
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(first / "relcache"))
    capsys.readouterr()
    result = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "run", True)
    assert result["iterations_completed"] == 2
    assert "is a relative path" not in capsys.readouterr().out


def test_an_existing_runs_dataset_is_never_generated(tmp_path, monkeypatch, capsys):
    """Probe 30: a resume from another folder with a relative ``MINARI_DATASETS_PATH`` (and
    diagnose.py / load_session with another Minari root) started generating the default
    1,000,000 transitions of a run that had trained on 120, and left an empty Minari root behind.
    An existing run's dataset is now looked up, never generated: one error names it (id, rows,
    fingerprint), the root looked in and why, and the root the run used (its config.json)."""
    from agents.cotrain import load_session
    from rambo_env.data import generate

    first, second = tmp_path / "e1", tmp_path / "e2"
    first.mkdir(), second.mkdir()
    monkeypatch.setenv("MINARI_DATASETS_PATH", "minari")
    monkeypatch.chdir(first)
    generate.generate_dataset(
        "hopper", "random", n_transitions=120, n_envs=2, progress=False, n_workers=1
    )
    cfg = tiny_config("hopper-random", n_iterations=2, stop_at_iteration=1, eval_every=5)
    run_cotrain(cfg, tmp_path / "run")
    fingerprint = json.loads((tmp_path / "run" / "config.json").read_text())["resolved"]["dataset"][
        "fingerprint"
    ]

    def no_generation(*args, **kwargs):
        raise AssertionError("an existing run's dataset was generated")

    monkeypatch.setattr(generate, "generate_dataset", no_generation)
    monkeypatch.chdir(second)
    capsys.readouterr()
    with pytest.raises(ValueError, match=(
        r"dataset: the run's dataset 'hopper-random' \(rambo/hopper/random-v0, 120 transitions, "
        rf"fingerprint {fingerprint}\) is not in the Minari root {second / 'minari'} "
        rf"\(MINARI_DATASETS_PATH=minari is a relative path, read from this working folder "
        rf"{second}\); an existing run's dataset is never generated anew .*: set "
        rf"MINARI_DATASETS_PATH={first / 'minari'} \(the root the run used")):  # fmt: skip
        run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "run", True)
    assert list(second.iterdir()) == []  # no empty Minari root left behind
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "empty"))
    with pytest.raises(ValueError, match=rf"not in the Minari root {tmp_path / 'empty'} "
                       rf"\(MINARI_DATASETS_PATH={tmp_path / 'empty'}\)"):  # fmt: skip
        load_session(tmp_path / "run")  # diagnose.py's load
    assert not (tmp_path / "empty").exists()
    shutil.rmtree(first / "minari" / "rambo")  # gone from the root the run used
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(first / "minari"))
    with pytest.raises(ValueError, match=r"it is the root the run used .*: restore the dataset's "
                       r"folder rambo/hopper/random-v0 there"):  # fmt: skip
        load_session(tmp_path / "run")


def test_a_resume_reading_the_same_id_from_another_minari_root_names_the_runs_root(
    tmp_path, monkeypatch, capsys
):
    """Session 56: the same Minari id holding other data in another ``MINARI_DATASETS_PATH`` made
    a resume say "has changed since the run started …; restore that dataset or start a new run",
    while the run's data sat untouched in the root its config.json records. Now the error names
    both roots and the setting that finds the run's; with it the run resumes."""
    from rambo_env.data import generate

    first, second = tmp_path / "root1", tmp_path / "root2"
    for root, rows in ((first, 120), (second, 130)):  # the same id, other data
        monkeypatch.setenv("MINARI_DATASETS_PATH", str(root))
        generate.generate_dataset(
            "hopper", "random", n_transitions=rows, n_envs=2, progress=False, n_workers=1
        )
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(first))
    cfg = tiny_config("hopper-random", n_iterations=2, stop_at_iteration=1, eval_every=5)
    run_cotrain(cfg, tmp_path / "run")
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(second))
    again = dataclasses.replace(cfg, stop_at_iteration=None)
    with pytest.raises(ValueError, match=(
        r"has changed since the run started \(fingerprint \w+, the run's \w+\); it was read from "
        rf"the Minari root {second} \(MINARI_DATASETS_PATH={second}\), the run's is {first} \(its "
        rf"config.json\): set MINARI_DATASETS_PATH={first} and run again")):  # fmt: skip
        run_cotrain(again, tmp_path / "run", True)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(first))
    assert run_cotrain(again, tmp_path / "run", True)["iterations_completed"] == 2


def test_bf16_is_suggested_only_where_it_pays(tiny_hopper, monkeypatch, capsys):
    """Issue 12: a run that asked for fp32 and is about to pretrain its model to the official
    early stop (no cap) on native-bf16 hardware is told about ``--precision auto`` / ``bf16``; a
    capped pretraining (the default main job), a cached model, a bf16 or auto run or hardware
    without native bf16 are not."""
    from agents import cotrain_setup
    from rambo_env.dynamics import ensemble as ensemble_mod

    uncapped = tiny_config(
        tiny_hopper, mle_max_epochs=None, mle_max_steps=None, mle_max_time_s=None, precision="fp32"
    )
    assert not cotrain_setup.bf16_pays(dataclasses.replace(uncapped, precision="auto"), False)
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: True)
    assert cotrain_setup.bf16_pays(uncapped, cached=False)
    assert not cotrain_setup.bf16_pays(uncapped, cached=True)
    assert not cotrain_setup.bf16_pays(tiny_config(tiny_hopper), cached=False)  # 1 epoch
    capped = tiny_config(tiny_hopper, mle_max_epochs=None, mle_max_time_s=60.0)
    assert not cotrain_setup.bf16_pays(capped, cached=False)
    bf16 = tiny_config(tiny_hopper, mle_max_epochs=None, mle_max_time_s=None, precision="bf16")
    assert not cotrain_setup.bf16_pays(bf16, cached=False)
    cotrain_setup.build_session(tiny_config(tiny_hopper, precision="fp32"))  # capped: no note
    assert "note: this machine has native bf16" not in capsys.readouterr().out
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: False)
    assert not cotrain_setup.bf16_pays(uncapped, cached=False)
    monkeypatch.setattr(ensemble_mod, "native_bf16", lambda device: True)
    monkeypatch.setattr(cotrain_setup, "bf16_pays", lambda cfg, cached: True)
    cotrain_setup.build_session(tiny_config(tiny_hopper, seed=7, precision="fp32"))
    assert "note: this machine has native bf16; --precision auto" in capsys.readouterr().out


def test_a_run_from_before_critic_layer_norm_was_auto_resumes_with_the_official_critic(
    tiny_hopper, tmp_path
):
    """Configs saved without the field (or with the old default False) ran the official critic;
    resuming one must rebuild that critic, or its checkpoint would not load."""
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2, critic_layer_norm=False)
    run_cotrain(cfg, tmp_path / "a")
    path = tmp_path / "a" / "config.json"
    saved = json.loads(path.read_text())
    del saved["config"]["critic_layer_norm"]
    path.write_text(json.dumps(saved))
    saved_cfg = load_config(tmp_path / "a")  # what --resume runs with
    assert saved_cfg.critic_layer_norm is False
    resumed = run_cotrain(
        dataclasses.replace(saved_cfg, stop_at_iteration=None), tmp_path / "a", resume=True
    )
    assert (resumed["status"], resumed["iterations_completed"]) == ("finished", 2)
    assert resumed["critic_layer_norm"] is False


def test_resume_after_the_model_cache_was_deleted_says_why_it_retrains(
    tiny_hopper, tmp_path, capsys
):
    cfg = tiny_config(tiny_hopper, stop_at_iteration=1, n_iterations=2)
    run_cotrain(cfg, tmp_path / "run")
    model = json.loads((tmp_path / "run" / "config.json").read_text())["resolved"]["model"]
    path = model["source"].split(": ", 1)[1]
    os.remove(path)
    capsys.readouterr()
    resumed = run_cotrain(
        dataclasses.replace(cfg, stop_at_iteration=None), tmp_path / "run", resume=True
    )
    assert resumed["status"] == "finished"
    assert f"the run's cached dynamics model {path} is gone" in capsys.readouterr().out


def test_a_start_that_died_before_its_first_checkpoint_does_not_block_the_folder(
    tiny_hopper, tmp_path, capsys
):
    run_dir = tmp_path / "run"
    (run_dir / "tb").mkdir(parents=True)
    (run_dir / "config.json").write_text("{}")  # written, then killed before checkpoint 0
    result = run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    assert result["status"] == "finished"
    assert "clearing a start that did not finish" in capsys.readouterr().out


def test_an_unfinished_start_with_foreign_files_is_refused_not_cleared(tiny_hopper, tmp_path):
    run_dir = tmp_path / "run"
    (run_dir / "tb").mkdir(parents=True)
    (run_dir / "config.json").write_text("{}")
    (run_dir / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match=r"not a run's \(notes.txt\)"):
        run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json", "notes.txt", "tb"]


def test_stop_at_the_last_iteration_finishes_the_run(tiny_hopper, tmp_path):
    """Issue 14 probe: it said "stopped" and "continue with --resume" for a complete run."""
    cfg = tiny_config(tiny_hopper, n_iterations=1, stop_at_iteration=1, eval_every=1)
    result = run_cotrain(cfg, tmp_path / "run")
    assert (result["status"], result["iterations_completed"]) == ("finished", 1)
    assert result["message"] == ""


def test_wall_time_estimates_before_and_after_the_first_iteration(
    tiny_hopper, tmp_path, capsys, monkeypatch
):
    from agents.timing import TIMES_NAME, format_duration

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))  # no earlier timings
    run_cotrain(tiny_config(tiny_hopper, n_iterations=3), tmp_path / "a")
    out = capsys.readouterr().out
    assert "no iteration of these sizes timed on this machine yet" in out
    assert "after iteration 1: estimated wall time:" in out and "for the 2 remaining" in out
    assert "--preset paper: not priced" in out  # tiny sizes
    stored = json.loads((tmp_path / "cache" / TIMES_NAME).read_text())
    (per_iteration,) = stored.values()
    run_cotrain(tiny_config(tiny_hopper, n_iterations=2), tmp_path / "b")
    out = capsys.readouterr().out
    assert (
        f"for the 2 remaining iteration(s) at {per_iteration:.1f} s each (earlier runs here" in out
    )
    assert format_duration(59) == "59 s" and format_duration(600) == "10 min"
    assert format_duration(7500) == "2 h 05 min"


def test_a_resumed_run_without_a_timing_record_estimates_from_its_own_iterations(
    tiny_hopper, tmp_path, capsys, monkeypatch
):
    """The ledger's lambda = 0 run, resumed after 119 iterations, said "no iteration of these
    sizes timed": its sessions ended by a kill, and the record was written only at a run's end.
    Now every iteration updates the record, and a resumed run falls back to its own times."""
    from agents.timing import TIMES_NAME

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    store = tmp_path / "cache" / TIMES_NAME
    seen: list[bool] = []
    cfg = tiny_config(tiny_hopper, n_iterations=4, stop_at_iteration=2)
    run_cotrain(cfg, tmp_path / "run", on_iteration=lambda m: seen.append(store.is_file()))
    assert seen == [True, True]  # recorded during the run, not only at its end
    store.unlink()  # as after a session killed before its first record
    capsys.readouterr()
    resumed = dataclasses.replace(load_config(tmp_path / "run"), stop_at_iteration=None)
    run_cotrain(resumed, tmp_path / "run", resume=True)
    out = capsys.readouterr().out
    assert "no iteration of these sizes timed" not in out
    assert "for the 2 remaining iteration(s) at" in out
    assert "(median of this run's 2 earlier iteration(s)" in out


def test_the_estimate_prices_the_iterations_to_stop_at_iteration(
    tiny_hopper, tmp_path, capsys, monkeypatch
):
    """Probe 65 row 23: ``--n-iterations 3 --stop-at-iteration 1`` was priced for the 3 remaining
    iterations, then stopped after 1; the estimate now counts this session's iterations."""
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    run_cotrain(tiny_config(tiny_hopper, n_iterations=4, stop_at_iteration=3), tmp_path / "a")
    out = capsys.readouterr().out
    assert (
        "after iteration 1: estimated wall time: " in out
        and "for the 2 iteration(s) this session runs (to stop_at_iteration 3 of 4 in all) at"
        in out
    )
    assert "remaining iteration(s)" not in out
    run_cotrain(tiny_config(tiny_hopper, n_iterations=4, stop_at_iteration=1), tmp_path / "b")
    out = capsys.readouterr().out  # timed now: priced before the first iteration
    assert "for the 1 iteration(s) this session runs (to stop_at_iteration 1 of 4 in all) at" in out


def test_a_compiled_run_estimates_after_its_second_iteration(
    tiny_hopper, tmp_path, capsys, monkeypatch
):
    """A compiled session's first iteration includes the compile: the ledger's RAMBO run
    estimated 65 h at 118 s per iteration, twice the 60 s that followed. Its estimate now
    follows the second iteration, and the record leaves the first out."""
    from agents import timing

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)  # the path, not inductor
    recorded: list[list[float]] = []
    real_record = timing.record_iteration_time
    monkeypatch.setattr(
        timing,
        "record_iteration_time",
        lambda key, times: (recorded.append(list(times)), real_record(key, times)),
    )
    result = run_cotrain(tiny_config(tiny_hopper, n_iterations=4, compile=True), tmp_path / "c")
    out = capsys.readouterr().out
    assert "after iteration 1:" not in out
    assert "after iteration 2: estimated wall time:" in out and "for the 2 remaining" in out
    assert "this session's second iteration; the first included the compile" in out
    assert result["iterations_completed"] == 4
    # iteration 1 (with the compile) is never recorded: [], [t2], [t2, t3], [t2, t3, t4], the end's
    assert [len(times) for times in recorded] == [0, 1, 2, 3, 3]
    assert recorded[2][:1] == recorded[1] and recorded[-1] == recorded[-2]


def test_a_timing_record_that_is_not_an_object_is_ignored(tmp_path, monkeypatch):
    """Probe 10: an ``iteration_times.json`` holding a JSON list (valid JSON, not the record)
    was a raw ``AttributeError: 'list' object has no attribute 'items'`` at the run's start."""
    from agents import timing

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path))
    for text in ("[1, 2]", '"x"', "null"):
        (tmp_path / timing.TIMES_NAME).write_text(text)
        assert "no iteration of these sizes timed" in timing.estimate_lines("key", 3)[0]
        timing.record_iteration_time("key", [2.0])
        assert json.loads((tmp_path / timing.TIMES_NAME).read_text()) == {"key": 2.0}


def test_a_timing_record_with_an_absurd_value_is_ignored(tmp_path, monkeypatch):
    """Probe 12: ``{"key": 1e308}`` in ``iteration_times.json`` overflowed the wall-time
    estimate: ``OverflowError: cannot convert float infinity to integer``, a traceback after the
    dataset load, MLE and BC."""
    from agents import timing
    from agents.timing import format_duration

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path))
    (tmp_path / timing.TIMES_NAME).write_text('{"key": 1e308}')
    assert "no iteration of these sizes timed" in timing.estimate_lines("key", 3)[0]
    assert format_duration(math.inf) == "an unbounded time"


def test_a_timing_record_that_is_a_folder_is_named_once(tmp_path, monkeypatch, capsys):
    """Probe 60: a folder at ``RAMBO_ENV_CACHE/iteration_times.json`` kept every start estimate
    unknown without a word (the write's OSError was swallowed). Now one line names it, once per
    process, and the run is not stopped by it."""
    from agents import timing

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path))
    monkeypatch.setattr(timing, "_NOT_RECORDED_SAID", set(), raising=False)
    (tmp_path / timing.TIMES_NAME).mkdir()
    timing.record_iteration_time("key", [2.0])
    timing.record_iteration_time("key", [2.0, 3.0])  # every iteration: said once
    out = capsys.readouterr().out
    path = tmp_path / timing.TIMES_NAME
    assert out == (
        f"[cotrain] note: {path} is a folder: iteration times are not recorded, so start "
        "estimates stay unknown; remove it\n"
    )


def test_format_duration_shows_tenths_under_ten_seconds():
    """Probe 60: an iteration of 0.5 s was estimated as "0 s" (rounded to even)."""
    from agents.timing import format_duration

    assert format_duration(0.5) == "0.5 s" and format_duration(9.9) == "9.9 s"
    assert format_duration(0.01) == "<0.1 s" and format_duration(0) == "0 s"
    assert format_duration(9.96) == "10 s" and format_duration(59) == "59 s"


def test_your_own_env_with_env_id_trains_and_evaluates(tmp_path, capsys):
    """A D4RL-layout file that names no env: --env-id makes it train AND evaluate there."""
    rows = _random_action_rows(gym.make("InvertedPendulum-v5"), 300, 1.0)
    path = OfflineDataset.from_arrays(rows).to_npz(tmp_path / "mine.npz")
    cfg = tiny_config(str(path), n_iterations=1, eval_every=1)
    unnamed = run_cotrain(cfg, tmp_path / "unnamed")
    assert "names no Gymnasium env" in capsys.readouterr().out
    assert [e["iteration"] for e in unnamed["evals"]] == []
    named = run_cotrain(dataclasses.replace(cfg, env_id="InvertedPendulum-v5"), tmp_path / "named")
    assert [e["iteration"] for e in named["evals"]] == [0, 1]
    assert named["evals"][1]["return_mean"] > 0 and named["final_score"] is None  # no D4RL refs
    with pytest.raises(ValueError, match="not a registered Gymnasium env"):
        run_cotrain(dataclasses.replace(cfg, env_id="Nope-v0"), tmp_path / "nope")
    with pytest.raises(ValueError, match=r"observations.*InvertedPendulum|obs"):
        run_cotrain(dataclasses.replace(cfg, env_id="Hopper-v5"), tmp_path / "wrong")  # dims


def test_a_model_whose_log_variance_sits_on_its_bound_is_reported(tiny_hopper, capsys):
    from agents.cotrain_setup import _logvar_at_floor, build_session

    session = build_session(tiny_config(tiny_hopper))
    assert session.resolved["model"]["logvar_at_floor_dims"] == _logvar_at_floor(
        session.mdp, session.dataset
    )
    with torch.no_grad():
        session.mdp.ensemble.min_logvar.fill_(-100.0)
    assert _logvar_at_floor(session.mdp, session.dataset) == 0
    # The bound just under the upper one: every prediction is pinned; the setup warns.
    with torch.no_grad():
        session.mdp.ensemble.min_logvar.copy_(session.mdp.ensemble.max_logvar - 0.1)
    assert _logvar_at_floor(session.mdp, session.dataset) == session.mdp.ensemble.target_dim
    capsys.readouterr()
    from agents import cotrain_setup

    cotrain_setup.print_logvar_warning(
        session.mdp.ensemble.target_dim, session.mdp.ensemble.target_dim
    )
    assert "lower bound in 12 of 12 target dims" in capsys.readouterr().out


def test_resume_of_a_folder_that_is_not_a_run_is_one_error_line(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    garbage, no_config = tmp_path / "garbage", tmp_path / "no-config"
    for folder, text in ((garbage, "{not json"), (no_config, '{"resolved": {}}')):
        folder.mkdir()
        (folder / "config.json").write_text(text)
    for run_dir in (tmp_path / "missing", empty, garbage, no_config):
        with pytest.raises(ValueError, match=r"config\.json.*not a run folder"):
            load_config(run_dir)
        code = cotrain_cli.main(["--resume", str(run_dir)])  # was a raw traceback
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: run_dir:") and "Traceback" not in err
        assert "not a run folder" in err
    assert not (tmp_path / "missing").exists() and list(empty.iterdir()) == []


def test_a_run_that_lost_its_config_json_is_named_so_on_resume_and_on_a_new_start(tmp_path, capsys):
    """Probe 11: a run folder whose config.json was deleted: ``--resume`` said "not a run folder"
    and a new run there said "already holds a run; continue it with --resume" (a dead end)."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "checkpoint.pt").write_bytes(b"x")
    (run_dir / "results.json").write_text("{}")
    said = "config.json is missing, but .* holds a run (checkpoint.pt, results.json)"
    for argv in (["--resume", str(run_dir)], ["--dataset", "x.npz", "--run-dir", str(run_dir)]):
        assert cotrain_cli.main(argv) == 2
        err = capsys.readouterr().err
        assert re.search(said.replace("(", r"\(").replace(")", r"\)"), err), err
        assert "not a run folder" not in err and "--resume" not in err


def test_a_run_that_lost_its_checkpoint_is_not_sent_to_resume_by_a_new_start(tmp_path, capsys):
    """Probe 42: a run folder whose checkpoint.pt was deleted by hand: a new run there said
    "continue it with --resume", which refuses it ("start a new run in another folder")."""
    from agents.cotrain_setup import config_to_dict

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    config = {"config": config_to_dict(CotrainConfig(precision="fp32", n_iterations=3))}
    (run_dir / "config.json").write_text(json.dumps(config))
    (run_dir / "results.json").write_text('{"status": "finished", "iterations_completed": 3}')
    assert cotrain_cli.main(["--dataset", "x.npz", "--run-dir", str(run_dir)]) == 2
    err = capsys.readouterr().err
    expected = (
        f"error: run_dir: {run_dir} holds a run (results.json) without its checkpoint.pt (deleted "
        "or moved?), so it can be neither continued nor started again there; pick a new folder "
        f"(--run-dir), or remove this one (rm -r {run_dir}) to start over in it\n"
    )
    assert err.startswith(expected), err
    assert "--resume" not in err
    assert sorted(p.name for p in run_dir.iterdir()) == ["config.json", "results.json"]


@pytest.mark.parametrize("name", ["config.json", "checkpoint.pt"])
def test_a_folder_where_a_run_file_goes_is_named(tmp_path, capsys, name):
    """Probe 11: a folder named config.json / checkpoint.pt (sweep.json) was "missing" / "has no
    checkpoint.pt to resume from" / "has no sweep.json (not a sweep folder?)"."""
    from agents.cotrain_setup import config_to_dict
    from agents.sweep import load_sweep

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    config = json.dumps({"config": config_to_dict(CotrainConfig(precision="fp32"))})
    for file, text in (("config.json", config), ("checkpoint.pt", "x")):
        if file == name:
            (run_dir / file).mkdir()
        else:
            (run_dir / file).write_text(text)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
    assert f"run_dir: {run_dir / name} is a folder, not a file" in capsys.readouterr().err
    (tmp_path / "sweep" / "sweep.json").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"sweep.json is a folder, not a file"):
        load_sweep(tmp_path / "sweep")


def test_sizes_that_cannot_fit_in_memory_fail_before_the_dataset_loads(tmp_path, capsys):
    from agents.memory import check_memory, estimate_memory

    est = estimate_memory(50_000, 5, 5, 200, obs_dim=11, action_dim=3)  # hopper, paper sizes
    assert est.pool_rows == 1_250_000 and est.pool_bytes == 1_250_000 * 28 * 4
    assert est.ensemble_bytes < 2**26  # ~7 × 0.14 M parameters, 6 copies: tens of MB
    check_memory(50_000, 5, 5, 200, 11, 3, available=2**31)  # fits in 2 GiB
    with pytest.raises(ValueError, match=r"n_rollouts × rollout_length × retain_iterations"):
        check_memory(50_000, 5, 5, 200, 11, 3, available=2**27)
    with pytest.raises(ValueError, match=r"ensemble_hidden: 20000 .* smaller ensemble_hidden"):
        check_memory(64, 1, 1, 20_000, 11, 3, available=2**31)
    for flag, value in (
        ("--n-rollouts", 10**15),
        ("--retain-iterations", 10**15),
        ("--k", 10**15),
        ("--ensemble-hidden", 10**8),
    ):
        run_dir = tmp_path / flag.strip("-")
        argv = ["--dataset", "no-such-dataset.npz", "--run-dir", str(run_dir), flag, str(value)]
        code = cotrain_cli.main(argv)  # was an OOM kill or a raw allocation error after the MLE
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: ") and "GiB" in err, err
        assert flag.strip("-").replace("-", "_").replace("k", "rollout_length") in err
        assert not run_dir.exists()


def test_an_on_iteration_hook_of_the_wrong_arity_is_refused_before_the_run(tmp_path):
    """Probe 22: ``on_iteration=lambda: …`` (or a function of two arguments) was a raw
    ``TypeError: <lambda>() takes 0 positional arguments`` after the setup and one iteration."""
    cfg = tiny_config(str(tmp_path / "missing.npz"))  # not loaded: refused before
    for hook in (lambda: None, lambda metrics, extra: None):
        with pytest.raises(ValueError, match=r"^on_iteration: .*lambda.* cannot be called with"):
            run_cotrain(cfg, tmp_path / "run", on_iteration=hook)
    assert not (tmp_path / "run").exists()


def test_a_run_on_another_seeds_model_is_its_own_ledger_key(tiny_hopper, tmp_path):
    """A run of seed 1 on seed 0's model (``--model-seed 0``) is entered under its own key and
    label, apart from a seed-1 run on its own model; ``model_seed`` equal to the seed is the
    ordinary run (no suffix, nothing extra in ``index.json``)."""
    from rambo_env.ledger import read_index, update_ledger

    ledger = tmp_path / "ledger"
    kw = dict(n_iterations=1, eval_last=1)
    run_cotrain(tiny_config(tiny_hopper, seed=1, model_seed=0, **kw), tmp_path / "shared")
    run_cotrain(tiny_config(tiny_hopper, seed=0, model_seed=0, **kw), tmp_path / "own")
    shared = update_ledger(tmp_path / "shared", ledger)
    own = update_ledger(tmp_path / "own", ledger)
    assert shared.slug == "tiny-hopper_sac_k2-lam3e-4-ln_s1-m0" and shared.model_seed == 0
    assert "seed 1 (model seed 0)" in shared.label
    assert own.slug == "tiny-hopper_sac_k2-lam3e-4-ln_s0" and own.model_seed is None
    stored = json.loads((ledger / "index.json").read_text())
    assert stored[shared.slug]["model_seed"] == 0 and "model_seed" not in stored[own.slug]
    assert read_index(ledger) == {shared.slug: shared, own.slug: own}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rollout_length", 0),
        ("adversary_weight", -1),
        ("adversary_weight", float("nan")),
        ("seed", -1),
        ("iterations", -1),
        ("precision", "fp8"),
        ("algo", ""),
        ("mle_epochs", -1),
        ("last10_score", float("nan")),
        ("behaviour_score", float("inf")),
        ("mle_holdout_mse", float("nan")),
        ("model_seed", -1),
    ],
)
def test_a_ledger_entry_out_of_range_is_named(tmp_path, field, value):
    """Probe 22: a hand-edited index.json with k 0, λ -1, seed -1 or precision "fp8" was taken
    (and drawn into the ledger's plot and labels); λ NaN was a raw "not enough values to
    unpack" from the entry's label."""
    from rambo_env.ledger import LedgerEntry, read_index

    entry = dict(
        slug="s", dataset="tiny-hopper", algo="sac", rollout_length=2, adversary_weight=3e-4,
        seed=0, behaviour_score=None, bc_score=None, iterations=3, last10_score=None,
        cotrain_wall_s=1.0,
    )  # fmt: skip
    assert LedgerEntry(**entry).label == "sac k = 2, λ = 3e-4, seed 0"
    with pytest.raises(ValueError, match=rf"^{field}: invalid value .*fix the value by hand"):
        LedgerEntry(**{**entry, field: value})
    (tmp_path / "index.json").write_text(json.dumps({"s": {**entry, field: value}}))
    with pytest.raises(ValueError, match=rf"index.json is not a ledger index \(entry 's': {field}"):
        read_index(tmp_path)


def test_the_ledger_is_checked_before_the_run(tmp_path, capsys):
    from rambo_env.ledger import read_index

    a_file = tmp_path / "file"
    a_file.write_text("x")
    bad_json, bad_schema = tmp_path / "bad-json", tmp_path / "bad-schema"
    for folder, text in ((bad_json, "{oops"), (bad_schema, '{"a": {"slug": "a", "x": 1}}')):
        folder.mkdir()
        (folder / "index.json").write_text(text)
        with pytest.raises(ValueError, match=r"index.json is not a ledger index"):
            read_index(folder)  # was a raw JSONDecodeError / TypeError
    for ledger, expected in (
        (a_file, "is not a folder"),
        (tmp_path / "missing", "does not exist"),
        (bad_json, "index.json"),
        (bad_schema, "index.json"),
    ):
        run_dir = tmp_path / "run"
        code = cotrain_cli.main(["--run-dir", str(run_dir), "--ledger", str(ledger)])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: ledger:") and expected in err
        assert not run_dir.exists()  # refused before the run, not after it


def test_the_runs_own_folder_as_ledger_is_refused_before_the_run(tmp_path, monkeypatch, capsys):
    """Probe 42: ``--run-dir runs/lg2 --ledger runs/lg2`` (the run's own empty folder) ran in
    full, then said "not compared: … is a run folder"; a folder inside it likewise."""

    def ran(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(cotrain_cli, "run_cotrain", ran)
    run_dir = tmp_path / "lg2"
    (run_dir / "sub").mkdir(parents=True)
    for ledger, where in ((run_dir, "the run's own folder"), (run_dir / "sub", "inside the run")):
        code = cotrain_cli.main(["--run-dir", str(run_dir), "--ledger", str(ledger)])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith(f"error: ledger: {ledger} is {where}"), err
        assert "not a results ledger; pass the ledger's folder with --ledger DIR" in err
    assert [p.name for p in run_dir.iterdir()] == ["sub"]  # nothing written


def test_ledger_script_refuses_a_bad_ledger_before_writing(tiny_hopper, tmp_path, capsys):
    ledger_cli = load_script("ledger")
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, n_eval_episodes=1), run_dir)
    a_file = tmp_path / "file"
    a_file.write_text("x")
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "index.json").write_text("[1, 2")
    for ledger, prefix in (
        (a_file, f"error: ledger: {a_file} is not a folder"),
        (a_file / "sub", f"error: ledger: {a_file / 'sub'} is not writable"),
        (corrupt, f"error: ledger: {corrupt / 'index.json'} is not a ledger index"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            ledger_cli.main([str(run_dir), "--ledger", str(ledger)])
        out, err = capsys.readouterr()
        assert exit_info.value.code == 2 and err.startswith(prefix), err
        assert "starting a new ledger" not in out  # probe 63 row 50: said, then refused
    assert [p.name for p in corrupt.iterdir()] == ["index.json"]  # no half-written CSV
    assert ledger_cli.main([str(run_dir), "--ledger", str(tmp_path / "new")]) == 0
    assert "does not exist: starting a new ledger there" in capsys.readouterr().out  # was silent


def test_a_ledger_flag_naming_a_folder_that_is_not_a_ledger_is_refused_at_start(
    tmp_path, monkeypatch, capsys
):
    """Probe 30: ``cotrain.py … --ledger docs/results`` (the folder above the repository's
    ledger) ran in full, then said "no long run of hopper-medium / sac … yet" of a run the ledger
    has; only a missing folder was refused at the start. A folder without index.json that holds
    other files is now refused before anything runs (pointing at a ledger subfolder), by
    cotrain.py and ledger.py alike; an empty folder starts a new ledger."""
    results = tmp_path / "results"
    (results / "ledger").mkdir(parents=True)
    (results / "ledger" / "index.json").write_text("{}")
    (results / "notes.md").write_text("mine")
    expected = (
        f"error: ledger: {results} has no index.json and holds files that are not a ledger's "
        f"(ledger, notes.md); it is not a results ledger, but its subfolder ledger/ is: pass "
        f"{results / 'ledger'}\n"
    )
    run_dir = tmp_path / "run"

    def ran(*args, **kwargs):
        raise AssertionError("the run started")

    monkeypatch.setattr(cotrain_cli, "run_cotrain", ran)
    code = cotrain_cli.main(["--dataset", "hopper-medium", "--run-dir", str(run_dir),
                             "--ledger", str(results)])  # fmt: skip
    assert code == 2 and capsys.readouterr().err.startswith(expected)
    assert not run_dir.exists()  # refused before the run (no dataset generated either)
    _fake_run(run_dir, 3, monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        load_script("ledger").main([str(run_dir), "--ledger", str(results)])
    assert exit_info.value.code == 2 and capsys.readouterr().err == expected
    assert sorted(p.name for p in results.iterdir()) == ["ledger", "notes.md"]
    (tmp_path / "runs" / "a").mkdir(parents=True)  # a folder of runs: no ledger below it
    with pytest.raises(ValueError, match=r"holds files that are not a ledger's \(a\); pass the "
                       r"results ledger's folder, or a new or empty one"):  # fmt: skip
        cotrain_cli.check_ledger(tmp_path / "runs")
    (tmp_path / "empty").mkdir()
    cotrain_cli.check_ledger(tmp_path / "empty")  # a new ledger
    cotrain_cli.check_ledger(results / "ledger")


_FAKE_CURVES: dict[str, list] = {}


def _fake_run(run_dir, n_iterations: int, monkeypatch, seed: int = 0) -> None:
    """A run folder's config.json; its curves (warm start + ``n_iterations``) go to _FAKE_CURVES."""
    run_dir.mkdir()
    saved = {
        "config": {"algo": "sac", "seed": seed, "dataset": "tiny-hopper.npz"},
        "resolved": {
            "rollout_length": 2,
            "adversary_weight": 3e-4,
            "dataset": {"name": "tiny-hopper", "behaviour_score": 10.0},
        },
    }
    (run_dir / "config.json").write_text(json.dumps(saved))
    rows = [{"iteration": i, "normalized_score": float(i)} for i in range(n_iterations + 1)]
    monkeypatch.setitem(_FAKE_CURVES, str(run_dir), rows)


@pytest.fixture
def ledger_module(monkeypatch):
    """``rambo_env.ledger`` reading the fake runs' curves (:func:`_fake_run`), not plotting."""
    from rambo_env import ledger

    monkeypatch.setattr(ledger, "read_curves", lambda run_dir: _FAKE_CURVES[str(run_dir)])
    monkeypatch.setattr(ledger, "plot_dataset", lambda dataset, ledger_dir: None)
    return ledger


def test_ledger_script_defaults_to_the_ledger_the_run_recorded(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Issue 14: ``scripts/ledger.py RUN`` wrote to the repository's ledger even when the run
    was started with ``cotrain.py --ledger MINE`` (recorded in its config.json). Without
    --ledger it now takes the recorded one, and says so; runs recording none keep the default;
    runs recording different ones, or one that is gone, are one error."""
    ledger_cli = load_script("ledger")
    default = tmp_path / "default"
    monkeypatch.setattr(ledger_cli, "DEFAULT_LEDGER_DIR", default)
    mine = tmp_path / "mine"
    mine.mkdir()

    def run_with_ledger(name: str, ledger, seed: int = 0):
        run_dir = tmp_path / name
        _fake_run(run_dir, 3, monkeypatch, seed=seed)
        saved = json.loads((run_dir / "config.json").read_text())
        saved["config"]["ledger"] = None if ledger is None else str(ledger)
        (run_dir / "config.json").write_text(json.dumps(saved))
        return run_dir

    run = run_with_ledger("run", mine)
    assert ledger_cli.main([str(run)]) == 0
    out = capsys.readouterr().out
    assert (
        f"[ledger] ledger: {mine} (recorded in {run / 'config.json'}; --ledger DIR picks another)"
    ) in out
    assert (mine / "index.json").is_file() and not default.exists()  # was: the default ledger
    plain = run_with_ledger("plain", None, seed=1)
    assert ledger_cli.main([str(plain)]) == 0  # none recorded: the default, as before
    assert (default / "index.json").is_file() and "recorded in" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(run), str(plain)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith(
        f"error: ledger: the runs record different ledgers in their config.json ({run}: {mine}; "
        f"{plain}: none (the default {default})); give --ledger DIR"
    ), err
    gone = run_with_ledger("gone", tmp_path / "moved", seed=2)
    with pytest.raises(SystemExit):
        ledger_cli.main([str(gone)])
    assert capsys.readouterr().err.startswith(
        f"error: ledger: {tmp_path / 'moved'} (recorded in {gone / 'config.json'}, the run's "
        "cotrain.py --ledger) does not exist; restore it, or give --ledger DIR"
    )
    assert not (tmp_path / "moved").exists()
    assert ledger_cli.main([str(gone), "--ledger", str(mine)]) == 0  # --ledger still wins


def test_a_diverged_run_enters_the_ledger_marked_as_diverged(tmp_path, monkeypatch, ledger_module):
    """Probe 18: a run stopped on a diverged Q entered the ledger like a run still going."""
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "run", 3, monkeypatch)
    going = ledger_module.update_ledger(tmp_path / "run", ledger)
    assert not going.diverged and "diverged" not in going.label
    assert "diverged" not in json.loads((ledger / "index.json").read_text())[going.slug]
    (tmp_path / "run" / "results.json").write_text(json.dumps({"status": "diverged"}))
    entry = ledger_module.update_ledger(tmp_path / "run", ledger)
    assert entry.diverged and entry.label.endswith(", diverged after iteration 3")
    assert json.loads((ledger / "index.json").read_text())[entry.slug]["diverged"] is True
    assert ledger_module.read_index(ledger)[entry.slug].diverged


@pytest.mark.parametrize("text", ["x", "[]", '{"status": 3}', "{}"])
def test_a_damaged_results_json_is_said_when_the_ledger_reads_it(
    tmp_path, monkeypatch, capsys, ledger_module, text
):
    """Probe 20: a run whose results.json is cut or overwritten entered the ledger as "not
    diverged" without a word (a diverged run so entered unmarked)."""
    _fake_run(tmp_path / "run", 3, monkeypatch)
    (tmp_path / "run" / "results.json").write_text(text)
    entry = ledger_module.update_ledger(tmp_path / "run", tmp_path / "ledger")
    assert not entry.diverged
    out = capsys.readouterr().out
    assert "WARNING: " in out and "results.json is damaged (" in out
    assert "whether the run diverged is not known" in out
    (tmp_path / "run" / "results.json").unlink()  # none (stopped before its end): no warning
    ledger_module.update_ledger(tmp_path / "run", tmp_path / "ledger")
    assert "WARNING" not in capsys.readouterr().out


def test_the_ledger_reloads_a_runs_dataset_with_the_runs_env_id(
    tmp_path, monkeypatch, ledger_module
):
    """Probe 26: a run with ``--dataset pend.npz --env-id Pendulum-v1`` (no behaviour score
    recorded: no reference scores) entered the ledger with the reload's warning "names no
    Gymnasium env …; pass env_id=… (--env-id)", the flag the run had been given."""
    import rambo_env.data.loaders as loaders

    _fake_run(tmp_path / "run", 3, monkeypatch)
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    saved["config"]["env_id"] = "Pendulum-v1"
    saved["resolved"]["dataset"]["behaviour_score"] = None
    (tmp_path / "run" / "config.json").write_text(json.dumps(saved))
    asked = []

    def load(source, **kwargs):
        asked.append(kwargs.get("env_id"))
        raise FileNotFoundError(source)

    monkeypatch.setattr(loaders, "load_dataset", load)
    entry = ledger_module.update_ledger(tmp_path / "run", tmp_path / "ledger")
    assert asked == ["Pendulum-v1"] and entry.behaviour_score is None


def test_the_closing_line_says_when_the_ledgers_run_is_on_other_data(
    tmp_path, monkeypatch, ledger_module
):
    """Probe 27: a tiny hopper-medium run closed with "no long run of hopper-medium / sac … yet"
    while the ledger held one, skipped only because its data fingerprint differs."""
    _fake_run(tmp_path / "run", 3, monkeypatch)
    saved = json.loads((tmp_path / "run" / "config.json").read_text())
    saved["resolved"]["dataset"]["fingerprint"] = "aaaa1111"
    (tmp_path / "run" / "config.json").write_text(json.dumps(saved))
    ledger_module.update_ledger(tmp_path / "run", tmp_path / "ledger")
    results = {
        "evals": [], "iterations_completed": 2, "final_score": None, "rollout_length": 2,
        "adversary_weight": 3e-4, "dataset_name": "tiny-hopper", "dataset": "tiny-hopper.npz",
        "dataset_fingerprint": "bbbb2222", "algo": "sac", "critic_layer_norm": False,
    }  # fmt: skip
    (line,) = cotrain_cli.standing_lines(results, tmp_path / "ledger")[1:]
    assert "is on other data (fingerprint aaaa1111, this run's bbbb2222): not compared" in line


def test_runs_on_different_unnamed_files_are_different_ledger_keys(
    tmp_path, monkeypatch, ledger_module
):
    """Probe 11: every npz without a name was dataset 'custom', so runs on two.npz and ten.npz
    were refused as "both … same dataset", and a run was compared with another file's run."""
    for name, fingerprint in (("a", "1111111111aaaa"), ("b", "2222222222bbbb")):
        _fake_run(tmp_path / name, 3, monkeypatch)
        saved = json.loads((tmp_path / name / "config.json").read_text())
        saved["resolved"]["dataset"] = {"name": "custom", "fingerprint": fingerprint}
        (tmp_path / name / "config.json").write_text(json.dumps(saved))
    a = ledger_module.update_ledger(tmp_path / "a", tmp_path / "ledger")
    b = ledger_module.update_ledger(tmp_path / "b", tmp_path / "ledger")
    assert (a.dataset, b.dataset) == ("custom-11111111", "custom-22222222")
    assert len(ledger_module.read_index(tmp_path / "ledger")) == 2
    assert ledger_module.ledger_dataset("hopper-medium", "1111") == "hopper-medium"


def test_a_run_folder_given_as_the_ledger_is_refused(tmp_path, monkeypatch, ledger_module):
    """Probe 11: ``ledger.py RUN --ledger RUN`` wrote index.json, the CSV and the PNG into the
    run folder, without a word."""
    _fake_run(tmp_path / "run", 3, monkeypatch)
    with pytest.raises(ValueError, match=r"ledger: .*run is a run folder .*, not a results ledger"):
        ledger_module.update_ledger(tmp_path / "run", tmp_path / "run")
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["config.json"]


def test_a_folder_that_is_not_a_ledger_is_refused(tmp_path, monkeypatch, ledger_module):
    """Probe 12: ``ledger.py RUN --ledger ''`` (or ``.``, a project folder) wrote the ledger's
    CSV, PNG and index.json into the working folder without a word."""
    _fake_run(tmp_path / "run", 3, monkeypatch)
    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("mine")
    monkeypatch.chdir(project)
    for ledger_dir in ("", ".", project):
        with pytest.raises(ValueError, match=r"ledger: .*project has no index.json .*README.md"):
            ledger_module.update_ledger(tmp_path / "run", ledger_dir)
    assert [p.name for p in project.iterdir()] == ["README.md"]
    (tmp_path / "ledger").mkdir()  # empty, or a ledger's own files: fine
    (tmp_path / "ledger" / "old.csv").write_text("iteration\n")
    assert ledger_module.update_ledger(tmp_path / "run", tmp_path / "ledger").iterations == 3


def test_a_dataset_name_too_long_for_a_file_name_gets_a_short_ledger_slug(
    tmp_path, monkeypatch, ledger_module
):
    """Probe 12: a dataset named by 300 characters trained to the end, then its ledger CSV
    failed "File name too long … check that the folder is writable with free space"."""
    from rambo_env.sweep_report import MAX_DATASET_SLUG, dataset_slug

    for name in ("x" * 300, "x" * 299 + "y"):
        run = tmp_path / name[-1]
        _fake_run(run, 3, monkeypatch)
        saved = json.loads((run / "config.json").read_text())
        saved["resolved"]["dataset"]["name"] = name
        (run / "config.json").write_text(json.dumps(saved))
        entry = ledger_module.update_ledger(run, tmp_path / "ledger")
        assert (tmp_path / "ledger" / f"{entry.slug}.csv").is_file()
    assert len(ledger_module.read_index(tmp_path / "ledger")) == 2  # two names, two slugs
    assert len(dataset_slug("x" * 300)) == MAX_DATASET_SLUG
    assert dataset_slug("hopper-medium") == "hopper-medium"  # short ones unchanged


def test_datasets_whose_names_give_one_ledger_file_name_are_refused(
    tmp_path, monkeypatch, ledger_module
):
    """Probe 15: datasets named ``a/b`` and ``a b`` are both ``a_b`` in the ledger: the second
    run replaced the first dataset's entry (and plot) without a word; a dataset named ``..``
    gave hidden files (``.._sac_…csv``, ``...png``)."""
    from rambo_env.sweep_report import dataset_slug

    for name in ("a/b", "a b", ".."):
        run = tmp_path / name.replace("/", "-").replace(".", "d")
        _fake_run(run, 3, monkeypatch)
        saved = json.loads((run / "config.json").read_text())
        saved["resolved"]["dataset"]["name"] = name
        (run / "config.json").write_text(json.dumps(saved))
    ledger_module.update_ledger(tmp_path / "a-b", tmp_path / "ledger")
    with pytest.raises(ValueError, match=r"dataset 'a b' and the ledger's dataset 'a/b' .*\(a_b\)"):
        ledger_module.update_ledger(tmp_path / "a b", tmp_path / "ledger")
    assert [e.dataset for e in ledger_module.read_index(tmp_path / "ledger").values()] == ["a/b"]
    entry = ledger_module.update_ledger(tmp_path / "dd", tmp_path / "ledger")
    assert not entry.slug.startswith(".") and dataset_slug(".hidden") == "hidden"


def test_a_ledger_index_that_is_a_folder_is_refused_before_any_write(
    tmp_path, monkeypatch, ledger_module
):
    """Probe 11: an ``index.json`` that is a folder read as an empty ledger: the run's CSV was
    written, then "index.json: not written (Is a directory); check … free space"."""
    _fake_run(tmp_path / "run", 3, monkeypatch)
    (tmp_path / "ledger" / "index.json").mkdir(parents=True)
    with pytest.raises(ValueError, match=r"index.json is not a file \(a folder"):
        ledger_module.update_ledger(tmp_path / "run", tmp_path / "ledger")
    assert [p.name for p in (tmp_path / "ledger").iterdir()] == ["index.json"]  # no CSV


def test_ledger_refuses_a_foreign_config_or_a_run_with_no_iteration(tmp_path):
    """Issue 14 probe: a config.json without "config" gave the raw KeyError 'config'; a run with
    no logged iteration was added as 0 iterations."""
    from rambo_env.ledger import update_ledger

    ledger = tmp_path / "ledger"
    for text in ("{}", "not json", '{"config": [], "resolved": {}}'):
        run_dir = tmp_path / "foreign"
        run_dir.mkdir(exist_ok=True)
        (run_dir / "config.json").write_text(text)
        with pytest.raises(
            ValueError, match=r"config.json is not a config.json written by cotrain"
        ):
            update_ledger(run_dir, ledger)
    config = {
        "config": {"algo": "sac", "seed": 0, "dataset": "x.npz"},
        "resolved": {"rollout_length": 2, "adversary_weight": 0.0, "dataset": {"name": "x"}},
    }
    (run_dir / "config.json").write_text(json.dumps(config))
    (run_dir / "tb").mkdir()  # killed before its first evaluation
    with pytest.raises(ValueError, match=r"has logged no iteration yet"):
        update_ledger(run_dir, ledger)
    assert not ledger.exists()


def test_ledger_keeps_the_longer_run_of_a_key_unless_replace(
    tmp_path, monkeypatch, capsys, ledger_module
):
    ledger_cli = load_script("ledger")
    ledger = tmp_path / "ledger"
    long_run, short_run = tmp_path / "long", tmp_path / "short"
    _fake_run(long_run, 8, monkeypatch)
    _fake_run(short_run, 3, monkeypatch)
    assert ledger_module.update_ledger(long_run, ledger).iterations == 8
    csv = (ledger / "tiny-hopper_sac_k2-lam3e-4_s0.csv").read_text()
    with pytest.raises(SystemExit) as exit_info:  # was: the 3-iteration run replaced it silently
        ledger_cli.main([str(short_run), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1, err
    assert "8 iterations" in err and "only 3" in err and "--replace" in err
    assert ledger_module.read_index(ledger)["tiny-hopper_sac_k2-lam3e-4_s0"].iterations == 8
    assert (ledger / "tiny-hopper_sac_k2-lam3e-4_s0.csv").read_text() == csv
    assert ledger_module.update_ledger(long_run, ledger).iterations == 8  # a refresh is fine
    assert ledger_cli.main([str(short_run), "--ledger", str(ledger), "--replace"]) == 0
    assert ledger_module.read_index(ledger)["tiny-hopper_sac_k2-lam3e-4_s0"].iterations == 3


def _set_config(run_dir, **values) -> None:
    saved = json.loads((run_dir / "config.json").read_text())
    saved["config"].update(values)
    (run_dir / "config.json").write_text(json.dumps(saved))


def test_ledger_refuses_a_run_of_the_same_key_with_other_settings(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 41: a run of the same dataset / agent / k / λ / seed with other settings
    (``--real-ratio 0`` against the ledger's 0.5) replaced the ledger's run with only "is replaced
    by", and the index recorded no real_ratio: results of two settings were mixed."""
    ledger_cli = load_script("ledger")
    ledger, slug = tmp_path / "ledger", "tiny-hopper_sac_k2-lam3e-4_s0"
    for name, n_iterations in (("r1", 3), ("z5", 4), ("long", 5)):
        _fake_run(tmp_path / name, n_iterations, monkeypatch)
        _set_config(tmp_path / name, real_ratio=0.5, n_rollouts=200, n_iterations=n_iterations)
    _set_config(tmp_path / "z5", real_ratio=0.0, device="cpu", torch_threads=1)
    assert ledger_module.update_ledger(tmp_path / "r1", ledger).settings["real_ratio"] == 0.5
    index = (ledger / "index.json").read_text()
    assert json.loads(index)[slug]["settings"]["n_rollouts"] == 200  # a reader sees them
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(tmp_path / "z5"), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1, err
    assert (
        f"ledger: {tmp_path / 'z5'} ran with other settings than the ledger's run {slug} "
        f"({tmp_path / 'r1'}), which the key does not tell apart: real_ratio 0.0 vs 0.5 (this "
        "run's vs the ledger's); the kept run stays (pass --replace"
    ) in err, err
    assert (ledger / "index.json").read_text() == index  # nothing written
    # a longer run of the same settings (other device, threads, n_iterations) still replaces it
    assert ledger_module.update_ledger(tmp_path / "long", ledger).iterations == 5
    # an entry written before settings were recorded: compared through its run's config.json
    old = json.loads((ledger / "index.json").read_text())
    del old[slug]["settings"]
    (ledger / "index.json").write_text(json.dumps(old))
    with pytest.raises(ValueError, match=r"real_ratio 0.0 vs 0.5"):
        ledger_module.update_ledger(tmp_path / "z5", ledger)
    assert ledger_cli.main([str(tmp_path / "z5"), "--ledger", str(ledger), "--replace"]) == 0
    assert ledger_module.read_index(ledger)[slug].settings["real_ratio"] == 0.0


def _set_fingerprint(run_dir, fingerprint: str) -> None:
    saved = json.loads((run_dir / "config.json").read_text())
    saved["resolved"]["dataset"]["fingerprint"] = fingerprint
    (run_dir / "config.json").write_text(json.dumps(saved))


def test_ledger_refuses_a_run_on_other_data_under_the_same_name(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 18: a run on other data under the same dataset name (regenerated with another
    size or seed; an npz named like another) silently replaced the ledger's run, and the main
    job compared itself with a run on other data."""
    ledger_cli, cotrain_cli = load_script("ledger"), load_script("cotrain")
    ledger = tmp_path / "ledger"
    for name, fingerprint, seed in (
        ("a", "aaaa1111", 0),
        ("b", "bbbb2222", 0),
        ("c", "bbbb2222", 1),
    ):
        _fake_run(tmp_path / name, 3, monkeypatch, seed=seed)
        _set_fingerprint(tmp_path / name, fingerprint)
    assert ledger_module.update_ledger(tmp_path / "a", ledger).dataset_fingerprint == "aaaa1111"
    index = (ledger / "index.json").read_text()
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(tmp_path / "b"), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1, err
    assert "trained on other data than the ledger's run tiny-hopper_sac_k2-lam3e-4_s0" in err
    assert "bbbb2222 vs aaaa1111" in err and "--replace" in err
    with pytest.raises(ValueError, match=r"other data .*a ledger of their own: --ledger DIR"):
        ledger_module.update_ledger(tmp_path / "c", ledger)  # another key, same name: refused
    assert (ledger / "index.json").read_text() == index  # nothing written
    results = {
        "evals": [],
        "iterations_completed": 3,
        "final_score": None,
        "rollout_length": 2,
        "adversary_weight": 3e-4,
        "dataset_name": "tiny-hopper",
        "dataset_fingerprint": "bbbb2222",
        "algo": "sac",
    }
    assert (
        "is on other data (fingerprint aaaa1111" in cotrain_cli.standing_lines(results, ledger)[-1]
    )
    results["dataset_fingerprint"] = "aaaa1111"
    assert "long run tiny-hopper" in cotrain_cli.standing_lines(results, ledger)[-1]
    assert ledger_cli.main([str(tmp_path / "b"), "--ledger", str(ledger), "--replace"]) == 0
    kept = ledger_module.read_index(ledger)["tiny-hopper_sac_k2-lam3e-4_s0"]
    assert kept.dataset_fingerprint == "bbbb2222"


def test_a_damaged_ledger_csv_is_named_and_never_ends_a_finished_run(
    tmp_path, monkeypatch, ledger_module
):
    """A ledger CSV that is missing or not a curves CSV: the main job's closing lines were a raw
    traceback (exit 1) after the whole run; ledger.py wrote the new run's CSV and index, then
    failed at the dataset plot with "path: … has no 'iteration' column"."""
    ledger = tmp_path / "ledger"
    first, second = tmp_path / "s0", tmp_path / "s1"
    _fake_run(first, 4, monkeypatch)
    _fake_run(second, 4, monkeypatch, seed=1)
    ledger_module.update_ledger(first, ledger)
    damaged = ledger / "tiny-hopper_sac_k2-lam3e-4_s0.csv"
    index = (ledger / "index.json").read_text()
    results = {
        "evals": [],
        "iterations_completed": 4,
        "final_score": None,
        "rollout_length": 2,
        "adversary_weight": 3e-4,
        "dataset_name": "tiny-hopper",
        "algo": "sac",
    }
    for text in ("garbage\n", None):
        damaged.unlink(missing_ok=True)
        if text is not None:
            damaged.write_text(text)
        with pytest.raises(ValueError, match=r"ledger: .*_s0.csv, the curve of index.json's entry"):
            ledger_module.update_ledger(second, ledger)
        assert (ledger / "index.json").read_text() == index  # nothing written
        assert not (ledger / "tiny-hopper_sac_k2-lam3e-4_s1.csv").exists()
        lines = cotrain_cli.standing_lines(results, ledger)
        assert "not compared: ledger:" in lines[-1] and "_s0.csv" in lines[-1]
        assert ("missing" if text is None else "has no 'iteration' column") in lines[-1]


@pytest.mark.parametrize(
    ("field", "value"),
    [("adversary_weight", "3e-4"), ("iterations", "x"), ("seed", None), ("critic_layer_norm", 1)],
)
def test_a_hand_edited_ledger_index_with_a_wrong_type_is_refused_before_the_run(
    tmp_path, monkeypatch, ledger_module, field, value
):
    """was: read_index took it, and standing() raised a raw TypeError (``must be real number, not
    str``) at the end of the main job, after the whole run."""
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "run", 4, monkeypatch)
    ledger_module.update_ledger(tmp_path / "run", ledger)
    saved = json.loads((ledger / "index.json").read_text())
    saved["tiny-hopper_sac_k2-lam3e-4_s0"][field] = value
    (ledger / "index.json").write_text(json.dumps(saved))
    with pytest.raises(
        ValueError, match=rf"entry 'tiny-hopper_sac_k2-lam3e-4_s0': {field}: expected"
    ) as err:
        cotrain_cli.check_ledger(ledger)  # the main job's check before the run
    # probe 26: was "restore it from git" only, for a user's own ledger outside git too
    assert "or move it away to start a new ledger" in str(err.value)


def test_the_ledger_index_records_each_runs_folder(tmp_path, monkeypatch, ledger_module):
    """was: index.json did not say which run folder an entry came from (probe 7's leftover);
    inside the repository it is recorded relative to it, so the committed index is portable."""
    ledger = tmp_path / "ledger"
    run = tmp_path / "long"
    _fake_run(run, 8, monkeypatch)
    assert ledger_module.update_ledger(run, ledger).run_dir == str(run.resolve())
    saved = json.loads((ledger / "index.json").read_text())
    assert saved["tiny-hopper_sac_k2-lam3e-4_s0"]["run_dir"] == str(run.resolve())
    short = tmp_path / "short"
    _fake_run(short, 3, monkeypatch)
    with pytest.raises(ValueError, match=rf"holds a run of 8 iterations \({re.escape(str(run))}\)"):
        ledger_module.update_ledger(short, ledger)
    repo = ledger_module.DEFAULT_LEDGER_DIR.parents[2]
    assert ledger_module._run_dir_record(repo / "runs" / "x") == "runs/x"
    del saved["tiny-hopper_sac_k2-lam3e-4_s0"]["run_dir"]  # an entry written before it existed
    (ledger / "index.json").write_text(json.dumps(saved))
    assert ledger_module.read_index(ledger)["tiny-hopper_sac_k2-lam3e-4_s0"].run_dir is None


def test_resuming_a_finished_run_rewrites_nothing(tiny_hopper, tmp_path, capsys, monkeypatch):
    from agents import cotrain_setup

    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, n_eval_episodes=1), run_dir)
    before = {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()}
    results = (run_dir / "results.json").read_text()

    def no_session(*args, **kwargs):
        raise AssertionError("a finished run must not reload its dataset and model")

    monkeypatch.setattr(cotrain_setup, "build_session", no_session)
    monkeypatch.setattr("agents.cotrain.build_session", no_session)
    capsys.readouterr()
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    assert "already finished its 1 iteration" in capsys.readouterr().out
    assert (run_dir / "results.json").read_text() == results
    assert {p.name: p.stat().st_mtime_ns for p in run_dir.iterdir()} == before


def test_resume_with_more_iterations_extends_a_finished_run(tiny_hopper, tmp_path, capsys):
    """``--resume RUN --n-iterations N`` continues a finished run to N and records N; fewer
    than done is one error; the same checkpoint then resumes without the flag."""
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, n_eval_episodes=1), run_dir)
    capsys.readouterr()
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "2"]) == 0
    out = capsys.readouterr().out
    assert "n_iterations of" in out and "1 -> 2" in out
    results = json.loads((run_dir / "results.json").read_text())
    assert (results["status"], results["iterations_completed"]) == ("finished", 2)
    assert len(results["q_history"]) == 2
    assert load_config(run_dir).n_iterations == 2
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0  # finished at the new length
    assert "already finished all 2 iterations" in capsys.readouterr().out
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", "1"]) == 2
    err = capsys.readouterr().err
    assert "n_iterations: 1 < the 2 iterations" in err
    assert load_config(run_dir).n_iterations == 2  # nothing rewritten
    # probe 11: the same edit made by hand in config.json gave "finished: 2/1 iterations" and
    # "-1 remaining iteration(s)"
    saved = json.loads((run_dir / "config.json").read_text())
    saved["config"].update(n_iterations=1, eval_last=1)
    (run_dir / "config.json").write_text(json.dumps(saved))
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert "n_iterations: 1 in " in err and "< the 2 iterations" in err and "edited by hand" in err


def test_ledger_says_when_a_run_is_still_starting_or_still_going(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 7: ledger.py on a run still in setup said "(not a run folder?)"; on a run still
    training it entered the iterations so far with no word that more were coming."""
    import os

    ledger_cli = load_script("ledger")
    ledger = tmp_path / "ledger"
    starting = tmp_path / "starting"
    starting.mkdir()
    (starting / ".lock").write_text(str(os.getpid()))  # a live process holds it
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(starting), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert f"has no config.json yet: its run (process {os.getpid()}) is still starting" in err
    # probe 27: curves.py and diagnose.py (load_config) said "not a run folder" of it
    from agents.cotrain import load_config
    from rambo_env.curves import read_curves

    (starting / ".lock").write_text(str(os.getppid()))  # another live process (pytest's parent)
    for read in (read_curves, load_config):
        with pytest.raises(ValueError, match=r"is still starting \(dataset load"):
            read(starting)
    running = tmp_path / "running"
    _fake_run(running, 3, monkeypatch)
    (running / ".lock").write_text(str(os.getpid()))
    assert ledger_cli.main([str(running), "--ledger", str(ledger)]) == 0
    out = capsys.readouterr().out
    assert f"3 iterations, last-10 mean 2.0 so far: its run (process {os.getpid()})" in out
    (running / ".lock").unlink()  # ended: no note
    assert ledger_cli.main([str(running), "--ledger", str(ledger)]) == 0
    assert "so far" not in capsys.readouterr().out


def test_a_run_with_only_its_bc_evaluation_is_not_entered_in_the_ledger(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 24: a live run that had logged only its BC warm-start evaluation (iteration 0) was
    entered as a 0-iteration run (index entry, CSV and plot); if it then died, the ledger kept
    it. It is now refused like a run that logged nothing, and nothing is written."""
    ledger_cli = load_script("ledger")
    ledger = tmp_path / "ledger"
    _fake_run(tmp_path / "bc-only", 0, monkeypatch)
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(tmp_path / "bc-only"), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert "only its BC warm-start evaluation (iteration 0)" in err
    assert "add it once its first iteration is done" in err
    assert not (ledger / "index.json").exists() and not list(ledger.glob("*.csv"))
    # probe 24 (verification): one that diverged there will never log an iteration
    (tmp_path / "bc-only" / "results.json").write_text(json.dumps({"status": "diverged"}))
    with pytest.raises(SystemExit):
        ledger_cli.main([str(tmp_path / "bc-only"), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert "diverged before its first co-training iteration (its results.json)" in err
    assert "add it once" not in err and not ledger.exists()  # the new ledger's folder is gone


def test_ledger_updates_at_once_keep_both_entries(tmp_path, monkeypatch, ledger_module):
    """Probe 7: two ledger.py processes on one ledger: the index.json written last silently
    dropped the other's entry (2 of 5 tries). Here run B's update happens while A reads its
    curves, after A's first look at the index."""
    ledger = tmp_path / "ledger"
    run_a, run_b = tmp_path / "a", tmp_path / "b"
    _fake_run(run_a, 3, monkeypatch)
    _fake_run(run_b, 3, monkeypatch, seed=1)
    ledger_module.update_ledger(run_a, ledger)  # the ledger exists, with A

    def curves(run_dir):
        if str(run_dir) == str(run_a):
            ledger_module.update_ledger(run_b, ledger)  # the other process, meanwhile
        return _FAKE_CURVES[str(run_dir)]

    monkeypatch.setattr(ledger_module, "read_curves", curves)
    ledger_module.update_ledger(run_a, ledger)
    assert sorted(ledger_module.read_index(ledger)) == [
        "tiny-hopper_sac_k2-lam3e-4_s0",
        "tiny-hopper_sac_k2-lam3e-4_s1",
    ]
    assert [p.name for p in ledger.iterdir() if p.name.startswith(".")] == []  # no lock file


def test_a_signal_during_a_ledger_write_is_held_until_its_entry_is_whole(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 9 (probe 8's leftover): Ctrl-C / SIGTERM between the CSV, index.json and plot
    writes left a CSV the index did not list; scripts/ledger.py printed a raw traceback."""
    import os
    import signal

    before = signal.getsignal(signal.SIGINT)
    ledger, run = tmp_path / "ledger", tmp_path / "run"
    _fake_run(run, 3, monkeypatch)
    write_csv = ledger_module.write_curves_csv

    def csv_then_signal(path, rows):
        write_csv(path, rows)
        os.kill(os.getpid(), signal.SIGINT)  # arrives between the CSV and the index

    monkeypatch.setattr(ledger_module, "write_curves_csv", csv_then_signal)
    with pytest.raises(KeyboardInterrupt):
        ledger_module.update_ledger(run, ledger)
    slug = "tiny-hopper_sac_k2-lam3e-4_s0"
    assert ledger_module.read_index(ledger)[slug].iterations == 3  # the index lists the CSV
    assert f"[ledger] SIGINT while {slug} was written to the ledger" in capsys.readouterr().out
    assert signal.getsignal(signal.SIGINT) is before  # the handler is restored
    with pytest.raises(SystemExit) as exit_info:  # the script: one line, exit 130
        load_script("ledger").exit_on_interrupt(
            "ledger", "rerun", lambda: ledger_module.update_ledger(run, ledger)
        )
    assert exit_info.value.code == 130
    assert capsys.readouterr().err == "[ledger] interrupted: rerun\n"


def test_a_ledger_plot_that_fails_leaves_the_ledger_as_it_was(tmp_path, monkeypatch, ledger_module):
    """Probe 17: the CSV and index.json were written, then a failing PNG left them without
    their plot (and a folder at the PNG's path failed only after them). The plot is now drawn
    first, from the new entry in memory; a blocked PNG path is refused before any write."""
    ledger, first, second = tmp_path / "ledger", tmp_path / "first", tmp_path / "second"
    _fake_run(first, 3, monkeypatch)
    ledger_module.update_ledger(first, ledger)
    before = {p.name: p.read_bytes() for p in ledger.iterdir()}
    _fake_run(second, 5, monkeypatch)
    plot = ledger_module.plot_curves

    def broken_plot(*args, **kwargs):
        raise RuntimeError("matplotlib failed")

    monkeypatch.setattr(ledger_module, "plot_curves", broken_plot)
    with pytest.raises(RuntimeError, match="matplotlib failed"):
        ledger_module.update_ledger(second, ledger, replace=True)
    assert {p.name: p.read_bytes() for p in ledger.iterdir()} == before  # nothing written
    monkeypatch.setattr(ledger_module, "plot_curves", plot)
    png = ledger / "tiny-hopper.png"
    png.unlink()
    png.mkdir()
    with pytest.raises(ValueError, match=r"ledger: plot: .*tiny-hopper.png is a folder"):
        ledger_module.update_ledger(second, ledger, replace=True)
    png.rmdir()
    assert ledger_module.update_ledger(second, ledger, replace=True).iterations == 5
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_ledger_plot_write_failure_names_the_ledgers_plot(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """Probe 30: under ``ulimit -f`` the plot, drawn in the system's temp folder, failed as
    ``error: runs/base: /tmp/rambo-ledger-XXXX/hopper-medium.png: not written (File too large);
    check that /tmp/rambo-ledger-XXXX is a writable folder …``: a removed temp folder (on a full
    /tmp, the wrong disk), prefixed with the first run although the plot is the dataset's. It is
    now staged beside the ledger's plot and the error names that plot."""
    import errno
    import tempfile

    from matplotlib.figure import Figure

    ledger, run = tmp_path / "ledger", tmp_path / "run"
    _fake_run(run, 3, monkeypatch)

    def too_large(self, *args, **kwargs):
        raise OSError(errno.EFBIG, "File too large")

    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", too_large)
    temp_before = set(os.listdir(tempfile.gettempdir()))
    with pytest.raises(SystemExit) as exit_info:
        load_script("ledger").main([str(run), "--ledger", str(ledger)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert err.startswith(f"error: {ledger / 'tiny-hopper.png'}: not written (File too large); "), (
        err
    )
    assert (
        "raise the file-size limit (ulimit -f), or write where larger files fit (--ledger)" in err
    )
    assert str(run) not in err and "rambo-ledger-" not in err
    assert not ledger.exists()  # a new ledger: nothing left, no temp file
    assert not {n for n in set(os.listdir(tempfile.gettempdir())) - temp_before if "ledger" in n}
    monkeypatch.setattr(Figure, "savefig", real)
    ledger_module.update_ledger(run, ledger)
    assert sorted(p.name for p in ledger.iterdir()) == [
        "index.json",
        "tiny-hopper.png",
        "tiny-hopper_sac_k2-lam3e-4_s0.csv",
    ]
    assert (ledger / "tiny-hopper.png").stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def test_the_ledger_does_not_let_a_bf16_run_replace_an_fp32_run_silently(
    tmp_path, monkeypatch, ledger_module
):
    """Probe 9: the ledger's key has no precision, so a bf16 run of the same dataset, agent,
    (k, λ) and seed replaced the fp32 entry without a word."""
    ledger, fp32_run, bf16_run = tmp_path / "ledger", tmp_path / "fp32", tmp_path / "bf16"
    _fake_run(fp32_run, 3, monkeypatch)
    _fake_run(bf16_run, 5, monkeypatch)
    saved = json.loads((bf16_run / "config.json").read_text())
    saved["config"]["precision"] = "bf16"
    (bf16_run / "config.json").write_text(json.dumps(saved))
    slug = "tiny-hopper_sac_k2-lam3e-4_s0"
    ledger_module.update_ledger(fp32_run, ledger)
    assert "precision" not in json.loads((ledger / "index.json").read_text())[slug]  # no churn
    with pytest.raises(ValueError, match=r"holds an fp32 run .* is bf16 .*--replace"):
        ledger_module.update_ledger(bf16_run, ledger)
    assert ledger_module.read_index(ledger)[slug].iterations == 3
    assert ledger_module.update_ledger(bf16_run, ledger, replace=True).precision == "bf16"
    assert ledger_module.read_index(ledger)[slug].precision == "bf16"


def test_ledger_script_refuses_two_runs_of_one_key(tmp_path, monkeypatch, capsys, ledger_module):
    """Probe 7: `ledger.py A B` with A and B of the same dataset, agent, (k, λ) and seed printed
    both and kept only B, silently; one folder twice was entered twice."""
    ledger_cli = load_script("ledger")
    ledger = tmp_path / "ledger"
    run_a, run_b = tmp_path / "a", tmp_path / "b"
    _fake_run(run_a, 3, monkeypatch)
    _fake_run(run_b, 5, monkeypatch)
    for argv, message in (
        ([run_a, run_b], f"{run_a} and {run_b} are both tiny-hopper_sac_k2-lam3e-4_s0"),
        ([run_a, run_a], "given twice; name each run once"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            ledger_cli.main([*map(str, argv), "--ledger", str(ledger)])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and message in err and err.count("\n") == 1, err
        assert not ledger.exists()  # before any write
    assert ledger_cli.main([str(run_b), "--ledger", str(ledger)]) == 0


def _run_folder_with_checkpoint(run_dir, state) -> None:
    """A run folder whose config.json is cotrain's and whose checkpoint.pt holds ``state``."""
    from agents.cotrain_setup import config_to_dict

    run_dir.mkdir()
    saved = {
        "config": config_to_dict(tiny_config("tiny-hopper.npz", precision="fp32")),
        "resolved": {"dataset": {"fingerprint": "f" * 16}},
    }
    (run_dir / "config.json").write_text(json.dumps(saved))
    torch.save(state, run_dir / "checkpoint.pt")


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ([1, 2, 3], "holds a list, not a checkpoint dict"),
        ({"state_dict": {}, "normalizer": {}}, "has no \\['iteration'"),  # a dynamics-model file
        ({"format_version": 99, **{k: 0 for k in ("iteration", "history", "agent", "ensemble",
          "adversary", "buffer_generator", "noise_rng", "callback", "rng")}}, "format_version 99"),
        ({k: 0 for k in ("history", "agent", "ensemble", "adversary", "buffer_generator",
          "noise_rng", "callback", "rng")} | {"iteration": -1}, "iteration -1"),
    ],
)  # fmt: skip
def test_a_checkpoint_that_is_not_a_runs_is_one_error_before_the_dataset_loads(
    tmp_path, monkeypatch, capsys, state, message
):
    """was: a raw ``KeyError: 'iteration'`` / ``TypeError`` (cotrain --resume, diagnose.py), or
    ``KeyError: 'agent'`` after the dataset load and the model build; version 99 read as 1."""
    from agents import cotrain as cotrain_module

    def no_session(*args, **kwargs):
        raise AssertionError("the checkpoint must be checked before the dataset and model")

    monkeypatch.setattr(cotrain_module, "build_session", no_session)
    run_dir = tmp_path / "run"
    _run_folder_with_checkpoint(run_dir, state)
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {run_dir / 'checkpoint.pt'}: ") and "Traceback" not in err
    assert re.search(message, err), err
    with pytest.raises(ValueError, match=message):  # scripts/diagnose.py's loader
        cotrain_module.load_session(run_dir)


def test_interrupt_while_the_results_are_written_completes_them(tiny_hopper, tmp_path, capsys):
    """SIGTERM / Ctrl-C while results.json and the curve are written: both are completed (was:
    results.json "finished" without learning_curve.png, and advice to --resume, which then
    found the run finished and never drew it)."""
    from agents import cotrain as cotrain_module

    plot = cotrain_module.run_io.plot_learning_curve

    def killed_while_plotting(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)
        os.kill(os.getpid(), signal.SIGINT)
        return plot(*args, **kwargs)

    before = signal.getsignal(signal.SIGINT)
    run_dir = tmp_path / "run"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cotrain_module.run_io, "plot_learning_curve", killed_while_plotting)
        results = run_cotrain(tiny_config(tiny_hopper, n_iterations=1, n_eval_episodes=1), run_dir)
    assert results["status"] == "finished" and (run_dir / "learning_curve.png").is_file()
    assert "SIGTERM while the results were written: they were completed first" in (
        capsys.readouterr().out
    )
    assert signal.getsignal(signal.SIGINT) is before  # handlers restored


def test_advice_to_resume_quotes_a_run_folder_with_spaces(tmp_path, monkeypatch, capsys):
    """was: ``--resume /x/my runs/r``, which the shell splits at the space."""
    run_dir = tmp_path / "my runs" / "r"

    def interrupted(*args, **kwargs):
        run_dir.mkdir(parents=True)
        (run_dir / "checkpoint.pt").write_bytes(b"x")
        raise KeyboardInterrupt

    monkeypatch.setattr(cotrain_cli, "run_cotrain", interrupted)
    assert cotrain_cli.main(["--dataset", "hopper-medium", "--run-dir", str(run_dir)]) == 130
    assert f"--resume '{run_dir}'" in capsys.readouterr().err


def test_a_new_run_in_a_run_folder_says_how_to_resume_it(tmp_path, capsys):
    """was: "is not empty; pass resume=True to continue it", a library argument."""
    run_dir = tmp_path / "run"
    _run_folder_with_checkpoint(run_dir, [1])
    (run_dir / "results.json").write_text("{}")
    code = cotrain_cli.main(["--dataset", "missing.npz", "--run-dir", str(run_dir)])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(
        f"error: run_dir: {run_dir} already holds a run (checkpoint.pt, results.json); continue "
        f"it with {os.path.basename(sys.executable)} scripts/cotrain.py --resume {run_dir}, or pick a "
    ), err  # probe 145: the script's own command, with Python


def test_diagnose_interrupted_is_one_line_and_exit_130(monkeypatch, capsys):
    """was: a raw ``KeyboardInterrupt`` traceback (Ctrl-C while the model is replayed)."""
    diagnose = load_script("diagnose")

    def interrupted(argv):
        raise KeyboardInterrupt

    monkeypatch.setattr(diagnose, "_diagnose", interrupted)
    assert diagnose.main(["run"]) == 130
    err = capsys.readouterr().err
    assert err == "[diagnose] interrupted: no report written; rerun the same command\n"


def test_an_unusable_torch_compile_cache_fails_before_the_dataset_loads(
    tmp_path, monkeypatch, capsys
):
    """Probe 9: TORCHINDUCTOR_CACHE_DIR under a file (or /proc) failed at the first optimizer,
    after the dataset load and MLE, with a bare "[Errno 2] No such file or directory" (--compile
    or not: every optimizer imports torch._dynamo, which makes that folder)."""
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(a_file / "inductor"))
    code = cotrain_cli.main(["--dataset", "missing.npz", "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(
        f"error: TORCHINDUCTOR_CACHE_DIR: torch's compile cache {a_file / 'inductor'} is not "
        "writable"
    ), err
    assert "missing.npz" not in err and not (tmp_path / "r").exists()


def test_a_model_cache_that_is_a_file_fails_before_the_dataset_loads(tmp_path, monkeypatch, capsys):
    """was: checked after the dataset load, minutes of generation for a short name on first use."""
    a_file = tmp_path / "cache-file"
    a_file.write_text("x")
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(a_file))
    code = cotrain_cli.main(["--dataset", "missing.npz", "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(
        f"error: RAMBO_ENV_CACHE: model cache {a_file} is not a folder"
    )


def test_a_model_cache_that_cannot_be_made_fails_before_the_dataset_loads(
    tmp_path, monkeypatch, capsys
):
    """Probe 11: a cache that does not exist and cannot be made (/proc/x, a read-only disk, a path
    under a file) was refused only after the dataset load (minutes when it is generated)."""
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(a_file / "cache"))
    code = cotrain_cli.main(["--dataset", "missing.npz", "--run-dir", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith(
        f"error: RAMBO_ENV_CACHE: model cache {a_file / 'cache'} is not writable"
    ), err
    assert "missing.npz" not in err and not (tmp_path / "r").exists()


def test_ledger_script_checks_its_folder_is_writable_before_writing(
    tmp_path, monkeypatch, capsys, ledger_module
):
    """was: ``error: RUN: [Errno 20] Not a directory: …`` from the first write."""
    ledger_cli = load_script("ledger")
    run = tmp_path / "run"
    _fake_run(run, 2, monkeypatch)
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    with pytest.raises(SystemExit) as exit_info:
        ledger_cli.main([str(run), "--ledger", str(a_file / "ledger")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith(
        f"error: ledger: {a_file / 'ledger'} is not writable"
    ), err


def test_another_run_of_a_ledger_key_replacing_the_kept_one_is_said(
    tmp_path, monkeypatch, ledger_module, capsys
):
    """Probe 19: a second run of the same dataset, agent, (k, λ) and seed, as long as the kept
    one, replaced it in the ledger without a word (a shorter one is refused)."""
    for name in ("first", "second"):
        _fake_run(tmp_path / name, 3, monkeypatch)
    ledger = tmp_path / "ledger"
    ledger_module.update_ledger(tmp_path / "first", ledger)
    ledger_module.update_ledger(tmp_path / "first", ledger)  # refreshing the same run: no word
    assert "replaced" not in capsys.readouterr().out
    entry = ledger_module.update_ledger(tmp_path / "second", ledger)
    out = capsys.readouterr().out
    assert f"[ledger] {entry.slug}: the ledger's run {tmp_path / 'first'} (3 iterations) is " in out
    assert f"replaced by {tmp_path / 'second'} (3)" in out
    assert ledger_module.read_index(ledger)[entry.slug].run_dir == str(tmp_path / "second")


def test_resume_of_a_run_without_a_checkpoint_says_how_to_go_on(tmp_path, capsys):
    """Probe 19: ``--resume RUN`` of a run that stopped before its first checkpoint said only
    "has no checkpoint.pt to resume from"."""
    from agents.cotrain_setup import config_to_dict

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    config = {"config": config_to_dict(CotrainConfig(precision="fp32"))}
    (run_dir / "config.json").write_text(json.dumps(config))
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert "has no checkpoint.pt to resume from: its run stopped before its first checkpoint" in err
    assert "start it again with the command that started it, without --resume" in err


def _run_files_only(run_dir, *, results=None, config_text=None):
    """A run folder's files without a run: config.json (or ``config_text``), and results.json."""
    from agents.cotrain_setup import config_to_dict

    run_dir.mkdir(parents=True)
    config = {"config": config_to_dict(CotrainConfig(precision="fp32"))}
    (run_dir / "config.json").write_text(json.dumps(config) if config_text is None else config_text)
    if results is not None:
        (run_dir / "results.json").write_text(json.dumps(results))
    return run_dir


def test_a_finished_run_whose_checkpoint_was_deleted_is_not_said_to_have_died(tmp_path, capsys):
    """Probe 29: diagnose.py / --resume on a finished run whose checkpoint.pt was deleted said
    "the run died before its first checkpoint", though results.json records 5 iterations."""
    done = _run_files_only(
        tmp_path / "done", results={"status": "finished", "iterations_completed": 5}
    )
    logged = _run_files_only(tmp_path / "logged")
    (logged / "tb").mkdir()
    (logged / "tb" / "events.out.tfevents.1").write_bytes(b"x")
    for run_dir, evidence in (
        (done, "its results.json records 5 finished iteration(s)"),
        (logged, "its tb/ holds TensorBoard logs"),
    ):
        for main, argv in (
            (load_script("diagnose").main, [str(run_dir)]),
            (cotrain_cli.main, ["--resume", str(run_dir)]),
        ):
            assert main(argv) == 2
            err = capsys.readouterr().err
            assert f"checkpoint.pt is missing, but {evidence}" in err, err
            assert "the checkpoint was deleted or moved; restore it from a copy" in err
            assert "before its first checkpoint" not in err
    fresh = _run_files_only(tmp_path / "fresh")  # no sign of any iteration: the old cause stands
    assert load_script("diagnose").main([str(fresh)]) == 2
    assert "died before its first checkpoint" in capsys.readouterr().err


def test_a_finished_run_whose_checkpoint_was_deleted_is_said_finished_first(tmp_path, capsys):
    """Issue 14: ``--resume RUN`` of a run that finished all its iterations, its checkpoint.pt
    deleted, said "checkpoint.pt is missing … deleted or moved" rather than "already finished";
    an extension (``--n-iterations``) needs the checkpoint: it says so after "finished"."""
    n = CotrainConfig(precision="fp32").n_iterations
    run_dir = _run_files_only(
        tmp_path / "run", results={"status": "finished", "iterations_completed": n}
    )
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 0
    out = capsys.readouterr().out
    assert (
        f"{run_dir} already finished all {n} iterations; nothing to resume (results unchanged: "
        f"{run_dir / 'results.json'}); its checkpoint.pt is missing (deleted or moved): restore "
        f"it from a copy of the run folder to extend the run (python scripts/cotrain.py --resume "
        f"{run_dir} --n-iterations N)"
    ) in out, out
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", str(n + 2)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: run_dir: {run_dir} already finished all {n} iterations (its results.json), but "
        f"extending it to {n + 2} (--n-iterations) needs its checkpoint.pt, which is missing "
        "(deleted or moved): restore it from a copy of the run folder"
    ), err
    assert cotrain_cli.main(["--resume", str(run_dir), "--n-iterations", str(n - 1)]) == 2
    assert (
        f"already finished all {n} iterations (its results.json); --n-iterations {n - 1} is "
        in (capsys.readouterr().err)
    )


def test_a_broken_link_at_a_run_folder_or_its_checkpoint_is_named(tmp_path, capsys):
    """Issue 14: ``--resume LINK`` (a run folder moved away from under its link) said "no folder
    LINK, so no config.json: not a run folder"; a broken link at checkpoint.pt was "a link to …,
    which does not exist" with no way on that removed it."""
    gone = tmp_path / "gone"
    link = tmp_path / "link"
    link.symlink_to(gone)
    run_dir = _run_files_only(
        tmp_path / "run", results={"status": "stopped", "iterations_completed": 2}
    )
    (run_dir / "checkpoint.pt").symlink_to(gone)
    for path, argv in (
        (link, ["--resume", str(link)]),
        (link, ["--resume", str(link / "run")]),  # a folder on the path
        (run_dir / "checkpoint.pt", ["--resume", str(run_dir)]),
    ):
        assert cotrain_cli.main(argv) == 2
        err = capsys.readouterr().err
        assert (
            f"error: run_dir: {path} is a broken symbolic link to {gone}; remove it or restore "
            "its target"
        ) in err, err
    with pytest.raises(SystemExit):
        load_script("curves").main([f"a={link}", "--out", str(tmp_path / "curves")])
    assert f"{link} is a broken symbolic link to {gone}" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["", "{not json", '{"resolved": {}}'])
def test_a_run_with_a_damaged_config_json_is_not_called_not_a_run_folder(tmp_path, capsys, text):
    """Probe 29: diagnose.py / --resume on a run folder whose config.json is empty (0 bytes) or
    cut said "config.json is not readable JSON (…): RUN is not a run folder"."""
    run_dir = _run_files_only(
        tmp_path / "run", results={"iterations_completed": 5}, config_text=text
    )
    (run_dir / "checkpoint.pt").write_bytes(b"x")
    for main, argv in (
        (load_script("diagnose").main, [str(run_dir)]),
        (cotrain_cli.main, ["--resume", str(run_dir)]),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "holds a run (checkpoint.pt, results.json): its config.json is damaged" in err, err
        assert "restore it from a backup or a copy of the run folder (it cannot be rebuilt" in err
        assert "not a run folder" not in err
    if not text:
        assert "config.json is empty (0 bytes)" in err


def test_diagnose_on_a_sweep_folder_points_at_its_trial_runs(tmp_path, capsys):
    """Probe 29: diagnose.py on a sweep folder said only "not a run folder"."""
    sweep_dir = tmp_path / "sweep"
    sweep_dir.mkdir()
    (sweep_dir / "sweep.json").write_text("{}")
    trial = _run_files_only(sweep_dir / "runs" / "hopper-medium" / "k5-lam3e-4" / "s0")
    (sweep_dir / "tune" / "exp" / "trial").mkdir(parents=True)
    (sweep_dir / "tune" / "exp" / "trial" / "config.json").write_text("{}")
    assert load_script("diagnose").main([str(sweep_dir)]) == 2
    err = capsys.readouterr().err
    assert "not a run folder" in err
    assert (
        f"it holds 1 run folder(s) below it (a sweep folder: one run per trial), e.g. {trial}"
        in err
    )


def test_bc_flags_with_no_warm_start_are_refused(capsys):
    """Probe 19: ``--bc-epochs 0 --bc-max-steps 5`` (or ``--bc-loss mse_sample``) trained with
    the BC flags silently unused; a dataset without a preset named config fields, not flags."""
    for flags, said in (
        (["--bc-max-steps", "5"], "--bc-max-steps: not used: bc_epochs is 0"),
        (["--bc-loss", "mse_sample"], "--bc-loss: not used: bc_epochs is 0"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            cotrain_cli.main(
                ["--dataset", "x.npz", "--k", "2", "--lam", "0", "--bc-epochs", "0", *flags]
            )
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and said in err, err


def test_the_run_loads_its_dataset_with_its_progress_setting(tmp_path, monkeypatch):
    """Probe 25: the main job's --no-progress did not reach a first-use generation."""
    import rambo_env.data.loaders as loaders

    seen = {}

    def load(name, **kwargs):
        seen.update(kwargs)
        raise RuntimeError("stop here")

    monkeypatch.setattr(loaders, "load_dataset", load)
    with pytest.raises(RuntimeError, match="stop here"):
        run_cotrain(tiny_config("hopper-random", progress=False), tmp_path / "run")
    assert seen.get("progress") is False


def test_ctrl_c_in_a_loop_of_library_runs_stops_the_loop(tiny_hopper, tmp_path, monkeypatch):
    """Probe 25: Ctrl-C during co-training was swallowed: ``run_cotrain`` returned
    ``{"status": "interrupted"}``, so ``for seed in seeds: run_cotrain(...)`` went on to the next
    seed (an interrupt during the setup propagated: inconsistent). It is now raised, after the
    run's results.json is written and its checkpoint kept."""
    started = []

    def on_iteration(metrics):
        raise KeyboardInterrupt  # Ctrl-C during the first iteration's bookkeeping

    with pytest.raises(KeyboardInterrupt):
        for seed in (0, 1):
            started.append(seed)
            run_cotrain(
                tiny_config(tiny_hopper, seed=seed, n_eval_episodes=1),
                tmp_path / f"s{seed}",
                on_iteration=on_iteration,
            )
    assert started == [0]
    assert json.loads((tmp_path / "s0" / "results.json").read_text())["status"] == "interrupted"


def test_the_cli_reports_an_interrupted_run_and_exits_130(tiny_hopper, tmp_path, capsys):
    """With ``run_cotrain`` raising on Ctrl-C, the CLI still prints the run's closing lines,
    how to continue, and exits 130."""
    flags = ["--dataset", tiny_hopper, "--k", "2", "--lam", "3e-4", "--n-iterations", "3",
             "--agent-steps-per-iteration", "10", "--adversary-steps-per-iteration", "4",
             "--n-rollouts", "64", "--bc-epochs", "1", "--bc-max-steps", "3", "--eval-every", "1",
             "--eval-last", "1", "--n-eval-episodes", "1", "--ensemble-hidden", "8", "--agent-hidden", "16",
             "--mle-max-epochs", "1", "--no-progress", "--torch-threads", "1"]  # fmt: skip
    real = RamboCallback.average_q

    def average_q(self):
        if self.n_iterations >= 1:
            raise KeyboardInterrupt
        return real(self)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(RamboCallback, "average_q", average_q)
        code = cotrain_cli.main([*flags, "--run-dir", str(tmp_path / "run")])
    out = capsys.readouterr().out
    assert code == 130
    assert "[cotrain] interrupted: 1/3 iterations" in out
    assert f"continue with: python scripts/cotrain.py --resume {tmp_path / 'run'}" in out


def test_a_library_run_leaves_the_callers_process_state_as_it_found_it(tiny_hopper, tmp_path):
    """Probe 25: ``run_cotrain`` from a notebook or a loop left torch's thread count at the
    run's, the caller's seeded global RNG streams replaced, matplotlib switched to Agg (a
    notebook's next ``plt.show()`` showed nothing) and one TensorBoard writer thread alive per
    call."""
    import random
    import threading

    import matplotlib

    torch.set_num_threads(2)
    random.seed(123), np.random.seed(123), torch.manual_seed(123)  # noqa: NPY002
    expected = (random.random(), np.random.rand(), torch.rand(1).item())  # noqa: NPY002
    random.seed(123), np.random.seed(123), torch.manual_seed(123)  # noqa: NPY002
    backend = matplotlib.get_backend()
    matplotlib.use("svg")  # a backend of the caller's that is not Agg
    threads_before = {t.ident for t in threading.enumerate()}
    try:
        for seed in (0, 1):
            results = run_cotrain(tiny_config(tiny_hopper, seed=seed), tmp_path / f"s{seed}")
            assert results["status"] == "finished"
        assert (tmp_path / "s1" / "learning_curve.png").is_file()
        assert torch.get_num_threads() == 2  # the run used 1 (torch_threads=1)
        assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected  # noqa: NPY002
        assert matplotlib.get_backend() == "svg"
        left = [t.name for t in threading.enumerate() if t.ident not in threads_before]
        assert not left, left  # probe 75 row 5: was tqdm's monitor, left by a disabled bar
    finally:
        torch.set_num_threads(1)
        matplotlib.use(backend)


def test_a_finished_results_json_ahead_of_the_checkpoint_is_refused(tmp_path, monkeypatch, capsys):
    """Probe 31: results.json "finished 4/4" over a checkpoint of iteration 1 (an older copy
    restored from a backup) said "already finished; nothing to resume", rc 0; the checkpoint is
    what a resume continues from, so the two are named."""
    from agents import cotrain as cotrain_module

    monkeypatch.setattr(cotrain_module, "build_session", lambda *a, **k: pytest.fail("set up"))
    run_dir = tmp_path / "run"
    keys = ("history", "agent", "ensemble", "adversary", "buffer_generator", "noise_rng")
    _run_folder_with_checkpoint(
        run_dir, {k: 0 for k in (*keys, "callback", "rng")} | {"iteration": 1}
    )
    results = {"status": "finished", "iterations_completed": 4}
    (run_dir / "results.json").write_text(json.dumps(results))
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: run_dir: ") and "Traceback" not in err
    assert "says the run finished all 4 iterations" in err and "holds iteration 1" in err
    assert "move results.json away to continue the run from iteration 1 to 4" in err


def test_a_rollout_length_above_the_episode_limit_is_refused_before_the_mle(
    tiny_hopper,
    monkeypatch,
):
    """Probe 32: ``--k 100000`` on Hopper (1000-step episodes) was accepted and ran for minutes
    without a word."""
    from agents import cotrain_setup
    from agents.cotrain_setup import build_session, check_rollout_length

    monkeypatch.setattr(cotrain_setup, "_make_mdp", lambda *a, **k: pytest.fail("MLE ran"))
    with pytest.raises(ValueError) as err:
        build_session(tiny_config(tiny_hopper, rollout_length=1001))
    assert str(err.value) == (
        "rollout_length: k = 1001 (config) exceeds Hopper-v5's episode limit of 1000 steps "
        "(spec.max_episode_steps): model rollouts longer than any real episode mean nothing (the "
        "paper's k are 2 and 5, Table 5); give a --k of at most 1000"
    )
    check_rollout_length(1000, "Hopper-v5")  # the limit itself is allowed
    check_rollout_length(10**6, None)  # no env, or one without a limit: nothing to compare
    check_rollout_length(10**6, "NoSuchEnv-v0")


def test_a_rollout_length_far_above_the_papers_is_warned_about_once_before_the_mle(
    tiny_hopper,
    tmp_path,
    monkeypatch,
    capsys,
):
    """Issue 14: ``--k 900`` on Hopper (within its 1000-step episodes, but far above the paper's
    k of 2 and 5) ran without a word."""
    from agents import cotrain_setup
    from agents.cotrain_setup import LONG_ROLLOUT, build_session, check_rollout_length

    warning = (
        "[rambo_env] WARNING: rollout_length: k = 900 (config) is far above the paper's k of 2 "
        "and 5 (Table 5; this warning is for k > 50): the model's error compounds with every step "
        "of a rollout, so the agent trains mostly on model error; the run goes on, but expect a "
        "low score or a diverging critic (the presets' 2 or 5 are the tested values)\n"
    )

    def no_mle(*args, **kwargs):
        assert capsys.readouterr().out.count(warning) == 1  # said once, before the MLE
        raise ValueError("stop before the MLE")

    monkeypatch.setattr(cotrain_setup, "_make_mdp", no_mle)
    with pytest.raises(ValueError, match="stop before the MLE"):  # the library's path
        build_session(tiny_config(tiny_hopper, rollout_length=900))
    flags = ["--dataset", tiny_hopper, "--k", "900", "--lam", "0", "--n-rollouts", "64"]
    assert cotrain_cli.main([*flags, "--run-dir", str(tmp_path / "r")]) == 2  # the same check
    assert "stop before the MLE" in capsys.readouterr().err

    check_rollout_length(LONG_ROLLOUT, "Hopper-v5")  # up to the threshold: nothing said
    check_rollout_length(5, None)
    assert capsys.readouterr().out == ""
    check_rollout_length(LONG_ROLLOUT + 1, None, "preset x")  # said for an env without a limit
    assert "k = 51 (preset x) is far above" in capsys.readouterr().out
    with pytest.raises(ValueError, match="exceeds Hopper-v5's episode limit"):
        check_rollout_length(1001, "Hopper-v5")
    assert capsys.readouterr().out == ""  # refused: no warning on top of the error


def test_every_script_takes_the_same_seed_range(capsys):
    """Probe 32: make_dataset.py accepted --seed 2**32, cotrain / toys / sweep refuse >= 2**31."""
    with pytest.raises(SystemExit):
        load_script("diagnose").main(["no-run", "--seed", str(2**31)])
    assert "--seed: 2147483648 is too large: expected an int in [0, 2**31)" in (
        capsys.readouterr().err
    )
    with pytest.raises(ValueError, match=r"seed: expected an int in \[0, 2\*\*31\)"):
        CotrainConfig(seed=2**31)


def test_a_behaviour_score_over_cut_episodes_says_so():
    """Probe 36 row 31: one hopper episode cut at 188 steps (a timeout far before Hopper-v5's
    1000-step limit) closed with "behaviour policy (dataset average) 15.3", as if it were a full
    episode's return. The closing line now says the score is over cut episodes."""
    from agents.cotrain_setup import behaviour_score_note
    from tests.data.data_helpers import make_arrays

    a = make_arrays([5, 4, 3], terminal_last=[True, True, False])
    meta = {"env_id": "Hopper-v5", "ref_min_score": 0.0, "ref_max_score": 10.0}
    note = behaviour_score_note(OfflineDataset.from_arrays(a, **meta))
    assert note == (
        "over 1 of 3 episode(s) cut before Hopper-v5's 1000-step limit: partial returns, not "
        "comparable with a full-episode score"
    )
    a["terminals"][-1], a["timeouts"][-1] = True, False
    assert behaviour_score_note(OfflineDataset.from_arrays(a, **meta)) is None  # all ended
    a["terminals"][-1], a["timeouts"][-1] = False, True
    meta = {"env_id": "Hopper-v5"}  # no reference scores, no score: nothing to qualify
    assert behaviour_score_note(OfflineDataset.from_arrays(a, **meta)) is None
    results = {
        "evals": [], "iterations_completed": 2, "final_score": None, "rollout_length": 2,
        "adversary_weight": 3e-4, "dataset_name": "oneep", "dataset": "oneep.npz",
        "algo": "sac", "critic_layer_norm": False, "behaviour_score": 15.34, "behaviour_score_note": note,
    }  # fmt: skip
    line = cotrain_cli.standing_lines(results, "/nonexistent-ledger")[0]
    assert f"behaviour policy (dataset average) 15.3 ({note}) | this run n/a" in line


def test_the_start_estimate_of_a_compiled_run_says_the_compile_comes_on_top(tmp_path, monkeypatch):
    """Probe 40: a compiled run was estimated at 1 s an iteration (earlier eager runs) and its
    first iteration took 45 s, the compile's; the estimate now says the compile comes on top."""
    from agents import timing

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path))
    timing.record_iteration_time("key", [1.0])
    plain, compiled = (timing.estimate_lines("key", 3, compiling=c)[0] for c in (False, True))
    assert "compiles" not in plain
    assert "evaluations extra; the first also compiles the losses: about a minute more)" in compiled


def test_the_promise_of_an_estimate_is_kept(tmp_path, monkeypatch):
    """Probe 64 row 22: a compiled 2-iteration run said "an estimate follows the first
    iteration" and never gave one (under compile it follows the second, and only when
    iterations remain after it)."""
    from agents import timing

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path))
    none = "no iteration of these sizes timed on this machine yet (1 torch thread(s))"
    lines = timing.estimate_lines
    assert lines("key", 2, threads=1, compiling=True) == [none]
    assert lines("key", 3, threads=1, compiling=True) == [
        f"{none}; an estimate follows the second iteration (the first compiles)"
    ]
    assert lines("key", 1, threads=1) == [none]
    assert lines("key", 2, threads=1) == [f"{none}; an estimate follows the first iteration"]


def test_a_resumed_event_file_sorts_after_the_earlier_ones(tmp_path, monkeypatch):
    """TensorBoard reads a folder's event files in name order and purges only what it read
    before the purge: a resume in the same second whose writer counter went from 9 to 10 wrote
    ``….10`` (sorting before ``….9``), and each step showed twice (a flaky test in a full run)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.summary.writer import event_file_writer
    from torch.utils.tensorboard import SummaryWriter

    from agents.cotrain import tensorboard_logger

    monkeypatch.setattr(event_file_writer._global_uid, "_value", 9)
    first = SummaryWriter(str(tmp_path))
    first.add_scalar("x", 1.0, 0)
    first.add_scalar("x", 1.0, 1)
    first.close()
    logger = tensorboard_logger(tmp_path, purge_step=1)
    logger.record("x", 2.0)
    logger.dump(step=1)
    logger.close()
    acc = EventAccumulator(str(tmp_path))
    acc.Reload()
    assert [(e.step, e.value) for e in acc.Scalars("x")] == [(0, 1.0), (1, 2.0)]


def test_a_run_killed_in_its_setup_is_named_so_by_resume_and_the_ledger(
    tmp_path, capsys, ledger_module
):
    """Probe 49: a run killed outright (SIGKILL) during its setup leaves its folder with only a
    ``.lock`` naming a dead process; ``cotrain.py --resume`` called it "not a run folder" and
    ledger.py "(not a run folder?)". Both now say its run stopped in its setup and to rerun the
    original command without --resume; a fresh start in the folder is accepted."""
    import subprocess
    import sys

    from agents.cotrain import _check_run_dir

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its PID names no process now
    killed = tmp_path / "killed"
    killed.mkdir()
    (killed / ".lock").write_text(str(gone.pid))
    said = (
        f"{killed} has no config.json: its run (process {gone.pid}) stopped during its setup "
        "(dataset load, MLE pretraining, BC warm start), before its first checkpoint; "
    )
    rerun = "rerun the original cotrain command without --resume (it reuses this folder"
    assert load_script("cotrain").main(["--resume", str(killed)]) == 2
    err = capsys.readouterr().err
    assert said + "there is nothing to resume: " + rerun in err, err
    assert "not a run folder" not in err
    with pytest.raises(SystemExit) as exit_info:
        load_script("ledger").main([str(killed), "--ledger", str(tmp_path / "ledger")])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert said + rerun in err and "then add it after its first iteration" in err, err
    assert "not a run folder" not in err
    # what the advice says works: a start without --resume takes the folder (nothing cleared)
    cfg = CotrainConfig(dataset="hopper-random")
    assert _check_run_dir(cfg, killed, resume=False) is cfg
    assert "clearing" not in capsys.readouterr().out
    # a lock of a live process keeps its message
    (killed / ".lock").write_text(str(os.getppid()))
    with pytest.raises(ValueError, match=r"is still starting \(dataset load"):
        load_config(killed)


def test_resume_into_a_folder_that_does_not_exist_says_so(tmp_path):
    """Probe 51: ``run_cotrain(cfg, RUN, resume=True)`` with a mistyped RUN (no such folder) said
    "has no checkpoint.pt to resume from: its run stopped before its first checkpoint", as if a
    run had stopped there; ``load_session`` and ``--resume`` say "no folder … (a typo?)". A
    file given as RUN is named as such too (was: "exists and is not a folder")."""
    cfg = CotrainConfig(precision="fp32")
    missing = tmp_path / "runs" / "api2"
    with pytest.raises(ValueError) as err:
        run_cotrain(cfg, missing, resume=True)
    assert str(err.value).startswith(f"run_dir: no folder {missing} (a typo?), so no config.json")
    assert "stopped" not in str(err.value)
    assert not (tmp_path / "runs").exists()  # nothing made on the way
    with pytest.raises(ValueError, match=r"no folder .* \(a typo\?\)"):
        load_session(missing)
    file = tmp_path / "afile"
    file.write_text("x")
    with pytest.raises(ValueError) as err:
        run_cotrain(cfg, file, resume=True)
    assert str(err.value).startswith(f"run_dir: {file} is a file, not a run folder")
    assert file.read_text() == "x"


def test_a_resume_whose_config_names_other_data_by_hand_says_so(tmp_path, monkeypatch):
    """Probe 54 row 26: config.json's dataset edited by hand (hopper-random -> hopper-medium)
    before ``--resume`` said the run's dataset "is not in the Minari root … restore the
    dataset's folder rambo/hopper/random-v0 there", a folder that was there."""
    from rambo_env.data import generate

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    generate.generate_dataset(
        "hopper", "random", n_transitions=120, n_envs=2, progress=False, n_workers=1
    )
    cfg = tiny_config("hopper-random", n_iterations=2, stop_at_iteration=1, eval_every=5)
    run_cotrain(cfg, tmp_path / "run")
    path = tmp_path / "run" / "config.json"
    saved = json.loads(path.read_text())
    saved["config"]["dataset"] = "hopper-medium"
    path.write_text(json.dumps(saved))
    edited = dataclasses.replace(cfg, dataset="hopper-medium", stop_at_iteration=None)
    with pytest.raises(ValueError) as err:
        run_cotrain(edited, tmp_path / "run", True)
    assert str(err.value).startswith(
        "dataset: config.json names 'hopper-medium' (hopper / medium data), but the run read "
        "rambo/hopper/random-v0 (its config.json's dataset record): config.json was edited by "
        "hand?"
    ), err.value


def _same_state(a, b, path=""):
    """Paths where two checkpoint entries differ (tensors exactly, containers recursively)."""
    if isinstance(a, dict):
        return [d for k in a for d in _same_state(a[k], b.get(k), f"{path}/{k}")]
    if isinstance(a, torch.Tensor):
        return [] if isinstance(b, torch.Tensor) and torch.equal(a, b) else [path]
    if isinstance(a, list | tuple):
        if not isinstance(b, list | tuple) or len(a) != len(b):
            return [path]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _same_state(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [path]


@pytest.mark.parametrize("algo", ["sac", "td3"])
def test_a_resumed_run_continues_exactly_as_an_uninterrupted_one(tiny_hopper, tmp_path, algo):
    """Probe 55 row 45: iterations after a resume differed from the uninterrupted run's (other
    rollout starts from a reseeded generator, the model pool refilled from one iteration's
    rollouts, other Q-evaluation rows). The checkpoint now holds the model pool, the rollouts'
    state and the callback's Q generator: same seed, same numbers."""
    cfg = tiny_config(tiny_hopper, algo=algo, eval_every=1, eval_last=4)
    whole = run_cotrain(cfg, tmp_path / "whole")
    run_cotrain(dataclasses.replace(cfg, stop_at_iteration=2), tmp_path / "cut")
    resumed = run_cotrain(cfg, tmp_path / "cut", resume=True)
    assert resumed["q_history"] == whole["q_history"]
    assert [e["normalized_score"] for e in resumed["evals"]] == [
        e["normalized_score"] for e in whole["evals"]
    ]
    a, b = (load_checkpoint(tmp_path / name / "checkpoint.pt") for name in ("whole", "cut"))
    assert a["pool"]["arrays"]["observations"].shape[0] > 0
    differ = [p for key in a if key != "identity" for p in _same_state(a[key], b[key], key)]
    timings = re.compile(r"_s(\[\d+\])?$")  # eval_s, iteration_s[i], wall_s: wall clock
    assert [p for p in differ if not timings.search(p)] == [], differ


def test_a_checkpoint_without_its_model_pool_still_resumes(tiny_hopper, tmp_path, capsys):
    """A checkpoint written before the model pool and rollout state were saved (session 32)
    resumes as it did: a pool refilled by the next rollout, reseeded rollout starts; and says so
    (probe 72 row 5: silent, though its numbers then differ from an uninterrupted run's)."""
    cfg = tiny_config(tiny_hopper)
    run_dir = tmp_path / "run"
    run_cotrain(dataclasses.replace(cfg, stop_at_iteration=2), run_dir)
    state = load_checkpoint(run_dir / "checkpoint.pt")
    del state["pool"], state["rollouts"]
    state["callback"] = {"n_iterations": state["callback"]["n_iterations"]}
    torch.save(state, run_dir / "checkpoint.pt")
    capsys.readouterr()
    resumed = run_cotrain(cfg, run_dir, resume=True)
    assert (resumed["status"], resumed["iterations_completed"]) == ("finished", 4)
    out = capsys.readouterr().out
    assert "holds no model pool or rollout starts (written before session 32)" in out, out


def test_load_session_keeps_the_callers_random_streams_and_threads(tiny_hopper, tmp_path):
    """Probe 56 row 29: ``load_session`` left the caller's python / numpy / torch generators
    re-seeded (SB3's build seeds them, then the checkpoint's states were set), as
    ``run_cotrain`` does not."""
    import random

    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1, eval_every=1), run_dir)

    def draws():
        return (random.random(), float(np.random.rand()), float(torch.rand(1)))  # noqa: NPY002

    threads = torch.get_num_threads()
    random.seed(7), np.random.seed(7), torch.manual_seed(7)  # noqa: NPY002 (SB3 uses it)
    expected = draws()
    random.seed(7), np.random.seed(7), torch.manual_seed(7)  # noqa: NPY002 (SB3 uses it)
    _, history = load_session(run_dir)
    assert history.iteration == 1
    assert draws() == expected
    assert torch.get_num_threads() == threads


def test_timing_helpers_refuse_what_is_no_duration(tmp_path, monkeypatch):
    """Probe 63: ``estimate_lines`` with a NaN / -1 s iteration or -3 remaining iterations
    estimated "0 s"; ``format_duration(None)`` was float()'s raw TypeError and ``'3'`` read as
    3 s; ``record_iteration_time`` stored 1e9 s, above MAX_ITERATION_S ("no measurement")."""
    from agents import timing

    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path))
    for kwargs, match in (
        ({"measured_s": math.nan}, r"measured_s: expected a number of seconds >= 0, got nan"),
        ({"measured_s": -1.0}, r"measured_s: .* got -1\.0"),
        ({"measured_s": math.inf}, r"measured_s: expected a finite number of seconds, got inf"),
        ({"measured_s": 1.0, "remaining": -3}, r"remaining: expected an int >= 0 .*got -3"),
        ({"measured_s": 1.0, "remaining": 2.5}, r"remaining: .* got 2\.5"),
    ):
        with pytest.raises(ValueError, match=match):
            timing.estimate_lines("key", kwargs.pop("remaining", 5), **kwargs)
    assert "3.0 s for the 3 remaining" in timing.estimate_lines("k", 3, measured_s=np.float64(1))[0]
    for bad in (None, "3", True, math.nan, -5):
        with pytest.raises(ValueError, match=r"seconds: expected a number of seconds >= 0"):
            timing.format_duration(bad)
    assert timing.format_duration(0) == "0 s" and timing.format_duration(np.float32(45)) == "45 s"
    timing.record_iteration_time("key", [math.nan, -1.0, 1e9])
    assert not (tmp_path / timing.TIMES_NAME).exists()
    timing.record_iteration_time("key", [1e9, 2.0, 4.0])
    assert json.loads((tmp_path / timing.TIMES_NAME).read_text()) == {"key": 3.0}
