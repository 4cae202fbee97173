"""The paper's toy envs (App. C.1, C.3) and their datasets: dynamics, episode ends, data layout."""

from __future__ import annotations

import json
import warnings

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

from rambo_env.data.toy_datasets import (
    ILLUSTRATIVE_REF_SCORES,
    SINGLE_TRANSITION_ACTION_BANDS,
    SINGLE_TRANSITION_REF_SCORES,
    make_illustrative_dataset,
    make_single_transition_dataset,
)
from rambo_env.dynamics.termination import get_termination_fn
from rambo_env.envs.toys import (
    ILLUSTRATIVE_HORIZON,
    ILLUSTRATIVE_ID,
    SINGLE_TRANSITION_ID,
    IllustrativeMDP,
    SingleTransitionEnv,
    register_toy_envs,
)
from rambo_env.model import make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE

# App. C.1: (action inside the band, mean of s', sd of s').
SINGLE_CASES = [(-0.72, 1.0, 0.2), (-0.12, 0.5, 0.2), (0.12, 1.25, 0.2), (0.72, 1.5, 0.2)]
SINGLE_CASES += [(a, 0.5, 0.0) for a in (-1.0, -0.5, 0.0, 0.4, 0.9, 1.0)]


def _next_states(env: gym.Env, action: float, n: int) -> np.ndarray:
    out = np.empty(n)
    env.reset(seed=123)
    for i in range(n):
        env.reset()
        out[i] = env.step(np.array([action], dtype=np.float32))[0][0]
    return out


@pytest.mark.parametrize(("action", "mean", "sd"), SINGLE_CASES)
def test_single_transition_follows_app_c1(action: float, mean: float, sd: float) -> None:
    s_next = _next_states(SingleTransitionEnv(), action, 2000)
    assert abs(s_next.mean() - mean) < 4 * max(sd, 1e-3) / np.sqrt(2000)
    assert abs(s_next.std() - sd) < 0.02


def test_single_transition_band_edges_are_closed() -> None:
    env = SingleTransitionEnv()
    env.reset(seed=0)
    assert env.step(np.array([0.8], np.float32))[4]["mean_next_state"] == 1.5
    env.reset()
    assert env.step(np.array([0.81], np.float32))[4]["mean_next_state"] == 0.5


def test_single_transition_one_step_episode_reward_is_next_state() -> None:
    env = SingleTransitionEnv()
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.float32 and obs.shape == (1,) and obs[0] == 0.0
    next_obs, reward, terminated, truncated, _ = env.step(np.array([0.72], np.float32))
    assert terminated and not truncated
    assert reward == pytest.approx(float(next_obs[0]))
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.array([0.0], np.float32))


def test_illustrative_reward_is_current_state_and_truncates_at_horizon() -> None:
    env = IllustrativeMDP(noise_std=0.0)
    obs, _ = env.reset(seed=0)
    rewards, ends = [], []
    for t in range(ILLUSTRATIVE_HORIZON):
        next_obs, reward, terminated, truncated, _ = env.step(np.array([0.3 if t else -0.2]))
        assert reward == pytest.approx(float(obs[0]))  # R(s, a) = s
        assert not terminated
        rewards.append(reward)
        ends.append(truncated)
        obs = next_obs
    assert ends == [False] * (ILLUSTRATIVE_HORIZON - 1) + [True]
    assert rewards[:3] == pytest.approx([0.0, -0.2, 0.3])


@pytest.mark.parametrize(
    ("action", "mean"),
    [(-1.0, -1.0), (-0.3, -0.3), (0.0, 0.0), (0.3, 0.3), (0.31, -0.31), (0.9, -0.9)],
)
def test_illustrative_dynamics_depend_only_on_action(action: float, mean: float) -> None:
    env = IllustrativeMDP()
    env.reset(seed=1)
    s_next = np.array([env.step(np.array([action]))[0][0] for _ in range(2000)])
    assert abs(s_next.mean() - mean) < 4 * 0.05 / np.sqrt(2000)
    assert abs(s_next.std() - 0.05) < 0.005


def test_bad_actions_raise() -> None:
    env = IllustrativeMDP()
    with pytest.raises(RuntimeError, match="reset"):
        env.step(np.array([0.0]))
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action"):
        env.step(np.array([np.nan]))
    with pytest.raises(ValueError, match="action"):
        env.step(np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="horizon"):
        IllustrativeMDP(horizon=0)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (
            lambda: IllustrativeMDP(noise_std="0.1"),
            r"noise_std: expected a finite number >= 0, got '0.1'",
        ),
        (lambda: IllustrativeMDP(initial_state=float("nan")), r"initial_state: .* got nan"),
        (lambda: IllustrativeMDP(initial_state="a"), r"initial_state: expected a finite number"),
        (lambda: IllustrativeMDP(horizon=True), r"horizon: expected an int >= 1, got True"),
        (lambda: SingleTransitionEnv(initial_state=None), r"initial_state: .* got None"),
        (lambda: SingleTransitionEnv(initial_spread=-1), r"initial_spread: .* >= 0, got -1"),
    ],
)
def test_toy_constructor_arguments_are_checked(make, match) -> None:
    """Probe 13: a string gave numpy's raw "ufunc 'isfinite' not supported" TypeError; a NaN
    initial state (every observation NaN) and horizon=True were accepted."""
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize("cls", [IllustrativeMDP, SingleTransitionEnv])
def test_toy_actions_and_reset_options_are_checked(cls) -> None:
    """Probe 13: a string action gave numpy's "could not convert string to float"; a complex one
    was stepped with its real part (a warning only); reset options were silently ignored."""
    env = cls()
    with pytest.raises(ValueError, match=r"options: .* takes no reset options"):
        env.reset(options={"state": [3.0]})
    env.reset(seed=0, options={})
    with pytest.raises(ValueError, match=r"action: expected real numbers of shape \(1,\)"):
        env.step("abc")
    with pytest.raises(ValueError, match=r"action: expected real numbers"):
        env.step(np.array([1 + 1j]))


@pytest.mark.parametrize("env_id", [SINGLE_TRANSITION_ID, ILLUSTRATIVE_ID])
def test_registered_toys_refuse_a_render_mode(env_id: str) -> None:
    """Probe 14: ``gym.make(toy, render_mode="human")`` was gymnasium's raw TypeError."""
    register_toy_envs()
    with pytest.raises(ValueError, match=r"render_mode: 'human', but .* has nothing to render"):
        gym.make(env_id, render_mode="human")
    assert gym.make(env_id, render_mode=None).unwrapped.render_mode is None


@pytest.mark.parametrize("env_id", [SINGLE_TRANSITION_ID, ILLUSTRATIVE_ID])
def test_registered_envs_pass_check_env(env_id: str) -> None:
    register_toy_envs()
    register_toy_envs()  # idempotent
    env = gym.make(env_id)
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=".*infinity.*"
        )  # unbounded 1-D state, like MuJoCo
        check_env(env.unwrapped, skip_render_check=True)
    assert env.observation_space.shape == (1,) and env.action_space.shape == (1,)
    assert env.action_space.low[0] == -1.0 and env.action_space.high[0] == 1.0


def test_single_transition_dataset_support_and_structure() -> None:
    ds = make_single_transition_dataset(4000, seed=3)
    a = ds.actions[:, 0]
    in_band = np.zeros(len(a), dtype=bool)
    for k, (low, high) in enumerate(SINGLE_TRANSITION_ACTION_BANDS):
        band = (a >= low) & (a <= high)
        assert 0.2 < band.mean() < 0.3, f"band {k} holds {band.mean():.3f} of the actions"
        in_band |= band
    assert in_band.all()
    assert ds.terminals.all() and not ds.timeouts.any()
    np.testing.assert_array_equal(ds.rewards, ds.next_observations[:, 0])
    assert abs(ds.rewards[a > 0.5].mean() - 1.5) < 0.03  # the dataset's best band
    assert ds.observations.std() > 0.1  # non-degenerate normaliser (see initial_spread)
    assert ds.env_id == SINGLE_TRANSITION_ID
    assert SINGLE_TRANSITION_REF_SCORES == pytest.approx((0.66875, 1.5))
    assert ds.normalized_score(1.5) == pytest.approx(100.0)


def test_illustrative_dataset_support_and_structure() -> None:
    ds = make_illustrative_dataset(1005, seed=4)
    a = ds.actions[:, 0]
    assert a.min() >= -0.3 and a.max() <= 0.3 and a.min() < -0.29 and a.max() > 0.29
    assert not ds.terminals.any()
    ends = np.flatnonzero(ds.timeouts)
    np.testing.assert_array_equal(
        ends, np.arange(ILLUSTRATIVE_HORIZON - 1, 1000, ILLUSTRATIVE_HORIZON)
    )
    cont = ~ds.timeouts[:-1]  # within an episode the next row starts where this one ended
    np.testing.assert_array_equal(ds.next_observations[:-1][cont], ds.observations[1:][cont])
    np.testing.assert_array_equal(ds.rewards, ds.observations[:, 0])  # R(s, a) = s
    assert np.all(ds.observations[ends + 1 - ILLUSTRATIVE_HORIZON, 0] == 0.0)  # s0 = 0
    resid = ds.next_observations[:, 0] - a
    assert abs(resid.mean()) < 0.01 and abs(resid.std() - 0.05) < 0.01
    assert ILLUSTRATIVE_REF_SCORES == pytest.approx((-4.095, 2.7))


def test_datasets_are_seeded_and_validate_n() -> None:
    a, b = make_illustrative_dataset(50, seed=7), make_illustrative_dataset(50, seed=7)
    assert a.fingerprint() == b.fingerprint()
    assert a.fingerprint() != make_illustrative_dataset(50, seed=8).fingerprint()
    with pytest.raises(ValueError, match="n: expected an int >= 1, got 0"):
        make_single_transition_dataset(0)
    for make in (make_single_transition_dataset, make_illustrative_dataset):  # probe 59 row 22:
        with pytest.raises(ValueError, match=r"^seed: expected an int >= 0, got -1$"):  # numpy's
            make(10, seed=-1)  # "expected non-negative integer", naming no argument


def test_learned_mdp_terminates_single_transition_after_one_step() -> None:
    register_toy_envs()
    ds = make_single_transition_dataset(300, seed=0)
    fn = get_termination_fn(ds.env_id, ds)  # all-terminal data: needs the exact-id rule
    assert fn(torch.zeros(5, 1)).all()
    assert not get_termination_fn(ILLUSTRATIVE_ID, None)(torch.zeros(5, 1)).any()
    mdp = make_mdp(
        ds,
        device="cpu",
        ensemble_config=TINY_ENSEMBLE,
        mle_config=TINY_MLE,
        cache=False,
        progress=False,
    )
    obs = mdp.initial(8, np.random.default_rng(0))
    _, _, terminated = mdp.transition(obs, torch.zeros(8, 1), np.random.default_rng(1))
    assert terminated.all()


def test_toys_script_validates_every_run_before_the_first(tmp_path, capsys, monkeypatch):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "toys.py"
    spec = importlib.util.spec_from_file_location("toys_script", path)
    toys = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(toys)
    assert toys.toy_config("single", 0.0, 0, tmp_path / "x.npz", None).n_iterations == 50
    with pytest.raises(ValueError, match="--iterations"):
        toys.toy_config("single", 0.0, 0, tmp_path / "x.npz", 0)  # was silently 50
    monkeypatch.setattr(toys, "run_cotrain", lambda *a, **k: pytest.fail("no run may start"))
    out = tmp_path / "out"
    # probe 48 row 48: the errors named the config field (adversary_weight for --lam)
    for flags, expected in (
        # the second λ: the first run must not start
        (["--lam", "0", "-1"], "--lam: expected a finite value >= 0, got -1.0"),
        (["--seeds", "0", "-1"], "--seeds: expected an int in [0, 2**31), got -1"),
        (["--iterations", "0"], "--iterations: expected > 0, got 0"),
        (["--steps", "0"], "--steps: expected > 0, got 0"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            toys.main(["--toy", "single", "--out", str(out), *flags])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and err == f"error: {expected}\n", err
    assert not out.exists()  # no npz written


def test_toys_script_refuses_repeated_and_existing_runs_and_a_file_out(
    tmp_path, capsys, monkeypatch
):
    """--seeds 0 0, --lam 0.03 3e-2, an --out naming a file: one error before any run (was: a raw
    traceback after the first run had trained)."""
    from tests.scripts import load_script

    toys = load_script("toys")
    monkeypatch.setattr(toys, "run_cotrain", lambda *a, **k: pytest.fail("no run may start"))
    out = tmp_path / "out"
    (out / "single-lam0-s0").mkdir(parents=True)
    (out / "single-lam0-s0" / "config.json").write_text("{}")
    (out / "single-lam0-s0" / "results.json").write_text('{"status": "finished"}')
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    for flags, expected in (
        (
            ["--seeds", "1", "1"],
            "error: --lam / --seeds: ['single-lam0-s1', 'single-lam0.03-s1'] would",
        ),
        (["--lam", "0.03", "3e-2"], "error: --lam / --seeds: ['single-lam0.03-s0']"),
        (["--lam", "0", "--out", str(a_file)], f"error: --out: {a_file} is not a folder"),
    ):
        with pytest.raises(SystemExit) as exit_info:
            own_out = [] if "--out" in flags else ["--out", str(out)]  # one --out: two refused
            toys.main(["--toy", "single", *own_out, *flags])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and err.startswith(expected), err


def test_toys_script_starts_an_unfinished_run_again(tmp_path, capsys, monkeypatch):
    """A toy run folder without a finished results.json (the run was interrupted, or stopped at a
    snapshot) is cleared and the run starts again (probe 32: was "--out: … already holds the toy
    run(s)", so an interrupted run blocked every rerun into its --out)."""
    from tests.scripts import load_script

    toys = load_script("toys")
    out = tmp_path / "out"
    for name, status in (("single-lam0-s0", None), ("single-lam0-s1", "stopped")):
        (out / name).mkdir(parents=True)
        (out / name / "checkpoint.pt").write_text("x")
        if status:
            (out / name / "results.json").write_text(f'{{"status": "{status}"}}')

    def run_toy(toy, lam, seed, out, *args):
        run_dir = out / toys.run_dir_name(toy, lam, seed)
        assert not run_dir.exists()  # cleared before the run starts
        return {"run_dir": str(run_dir)}

    monkeypatch.setattr(toys, "run_toy", run_toy)
    summary = toys.main(["--toy", "single", "--lam", "0", "--seeds", "0", "1", "--out", str(out)])
    assert len(summary) == 2
    printed = capsys.readouterr().out
    assert f"[toys] {out / 'single-lam0-s0'}: the run did not finish, clearing it" in printed


def test_toys_script_stops_when_a_run_is_interrupted(tmp_path, capsys, monkeypatch):
    """Ctrl-C / SIGTERM during a toy run: one line, exit 130, no further run (was: the run's
    "interrupted" status was swallowed and the next snapshot stop resumed it at once; an
    interrupt during setup was a raw traceback)."""
    from agents.cotrain import RunInterrupted
    from tests.scripts import load_script

    toys = load_script("toys")
    calls = []

    def interrupted(cfg, run_dir, resume):
        calls.append(run_dir)
        raise RunInterrupted({"status": "interrupted", "message": "interrupted"})

    monkeypatch.setattr(toys, "run_cotrain", interrupted)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as exit_info:
        toys.main(["--toy", "single", "--lam", "0", "--seeds", "0", "1", "--out", str(out)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 130 and "Traceback" not in err
    assert err.startswith(f"[toys] interrupted during {out / 'single-lam0-s0'}: no summary"), err
    assert calls == [out / "single-lam0-s0"]  # no resume, no second seed
    # probe 26: interrupted before its run folder existed: "remove <a folder not there>"
    assert "Rerun the same command to start it again" in err and "remove" not in err

    def killed_in_setup(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(toys, "run_cotrain", killed_in_setup)
    with pytest.raises(SystemExit) as exit_info:
        toys.main(["--toy", "single", "--lam", "0", "--seeds", "2", "--out", str(out)])
    assert exit_info.value.code == 130 and "[toys] interrupted" in capsys.readouterr().err


def test_toys_script_refuses_an_out_holding_files_that_are_not_toy_runs(
    tmp_path, capsys, monkeypatch
):
    """Probe 19: ``--out`` naming a cotrain run folder (or ``.``) was taken, and the toy runs,
    their npz files and summary.json were written among its files."""
    from tests.scripts import load_script

    toys = load_script("toys")
    monkeypatch.setattr(toys, "run_cotrain", lambda *a, **k: pytest.fail("no run may start"))
    run = tmp_path / "run"
    (run / "tb").mkdir(parents=True)
    (run / "config.json").write_text("{}")
    with pytest.raises(SystemExit) as exit_info:
        toys.main(["--toy", "single", "--lam", "0", "--out", str(run)])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert err.startswith(
        f"error: --out: {run} holds files that are not toy runs' (config.json, tb)"
    )
    assert sorted(p.name for p in run.iterdir()) == ["config.json", "tb"]
    earlier = tmp_path / "toys"  # a folder of earlier toy runs is still taken
    (earlier / "single-lam0.03-s0").mkdir(parents=True)
    for name in ("single-s0.npz", "summary.json", ".summary.json.x.tmp"):
        (earlier / name).write_text("")
    assert toys._foreign_entries(earlier) == []


def test_toys_script_keeps_earlier_runs_in_summary_json(tmp_path, monkeypatch, capsys):
    """Probe 19: a second invocation into one --out (another seed) replaced summary.json with
    its own runs only, though the earlier runs stayed in the folder."""
    from tests.scripts import load_script

    toys = load_script("toys")

    def fake_run(toy, lam, seed, out, *args):
        (out / toys.run_dir_name(toy, lam, seed)).mkdir(parents=True)
        return {"toy": toy, "seed": seed, "run_dir": str(out / toys.run_dir_name(toy, lam, seed))}

    monkeypatch.setattr(toys, "run_toy", fake_run)
    out = tmp_path / "toys"
    toys.main(["--toy", "single", "--lam", "0", "--seeds", "0", "--out", str(out)])
    toys.main(["--toy", "single", "--lam", "0", "--seeds", "1", "2", "--out", str(out)])
    summary = json.loads((out / "summary.json").read_text())
    assert [entry["seed"] for entry in summary] == [0, 1, 2]


def _finished_toy_run(toys, out, toy, lam, seed, **changes):
    """A finished toy run's folder as run_cotrain leaves it (config.json, results.json)."""
    import dataclasses

    from agents.cotrain_setup import config_to_dict
    from rambo_env.data.loaders import absolute_dataset

    cfg = toys.toy_config(toy, lam, seed, toys.npz_path(out, toy, seed), None)
    cfg = dataclasses.replace(cfg, dataset=absolute_dataset(cfg.dataset), **changes)
    run_dir = out / toys.run_dir_name(toy, lam, seed)
    (run_dir / "tb").mkdir(parents=True)
    (run_dir / "config.json").write_text(json.dumps({"config": config_to_dict(cfg)}))
    results = {"status": "finished", "final_return": 1.5, "final_score": 7.0}
    (run_dir / "results.json").write_text(json.dumps({**results, "wall_s": {"cotrain_total": 9}}))
    (run_dir / "q_model_it50.png").write_bytes(b"png")
    return run_dir


def test_toys_script_skips_finished_runs_and_keeps_their_results(tmp_path, capsys, monkeypatch):
    """Issue 14: a rerun that included a finished toy run was refused as a whole ("--out: …
    already holds the toy run(s)"); now each finished run is skipped with one line, the others
    run, and summary.json lists every run of the command, as if all had run now."""
    from tests.scripts import load_script

    toys = load_script("toys")
    out = tmp_path / "toys"
    ran = []

    def fake_run(toy, lam, seed, out, *args):
        ran.append(seed)
        run_dir = out / toys.run_dir_name(toy, lam, seed)
        run_dir.mkdir(parents=True)
        entry = {"toy": toy, "lam": lam, "seed": seed, "run_dir": str(run_dir)}
        (run_dir / toys.ENTRY_NAME).write_text(json.dumps(entry))
        return entry

    monkeypatch.setattr(toys, "run_toy", fake_run)
    toys.main(["--toy", "single", "--lam", "0", "--seeds", "1", "--out", str(out)])
    (out / "summary.json").unlink()  # as after a later run of that command was interrupted
    done = _finished_toy_run(toys, out, "single", 0.0, 1)  # seed 1's folder, now finished
    summary = toys.main(
        ["--toy", "single", "--lam", "0", "--seeds", "0", "1", "2", "--out", str(out)]
    )
    assert ran == [1, 0, 2]  # seed 1 not run again
    printed = capsys.readouterr().out
    assert (
        f"[toys] toy single λ=0 s1 already finished in {done}; skipped (delete that folder to "
        "rerun it)"
    ) in printed
    assert [e["seed"] for e in summary] == [0, 1, 2]
    assert json.loads((out / "summary.json").read_text()) == summary
    assert summary[1] == {"toy": "single", "lam": 0.0, "seed": 1, "run_dir": str(done)}

    # a finished run without its saved entry (finished before toy_summary.json was written,
    # no summary.json): rebuilt from its results.json and a probe of its checkpoint
    old = _finished_toy_run(toys, tmp_path / "old", "single", 0.0, 0)
    probe = {"mean_action_s0": 0.7, "mean_action_dataset": 0.5}
    monkeypatch.setattr(toys, "probe", lambda cfg, run_dir: probe)
    summary = toys.main(["--toy", "single", "--lam", "0", "--out", str(tmp_path / "old")])
    assert summary == [
        {
            "toy": "single", "lam": 0.0, "seed": 0, "status": "finished",
            "mean_action_s0": 0.7, "mean_action_dataset": 0.5, "final_return": 1.5,
            "final_score": 7.0, "wall_s": 9, "run_dir": str(old),
        }
    ]  # fmt: skip
    assert (tmp_path / "old" / "single-s0.npz").is_file()  # the probe's dataset, made again

    # a finished run of other settings is not taken for this command's: refused, before any run
    monkeypatch.setattr(toys, "run_toy", lambda *a: pytest.fail("no run may start"))
    with pytest.raises(SystemExit) as exit_info:
        toys.main(["--toy", "single", "--lam", "0", "--seeds", "1", "--iterations", "7", "--out",
                   str(out)])  # fmt: skip
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"error: --out: the toy run {done} finished with other settings: "
        "n_iterations 50 (asked: 7); remove that folder to rerun it with these, or pick another "
        "--out\n"
    )


def test_toys_script_never_clears_an_unfinished_run_folder_holding_other_files(
    tmp_path, capsys, monkeypatch
):
    """Issue 14: an unfinished toy run's folder was cleared whole to start the run again, files
    no toy run writes (a user's notes) with it; now they are named and nothing is touched. A
    folder of the run's own files only is still cleared."""
    from tests.scripts import load_script

    toys = load_script("toys")
    monkeypatch.setattr(toys, "run_toy", lambda *a: pytest.fail("no run may start"))
    out = tmp_path / "toys"
    run_dir = out / "single-lam0-s0"
    (run_dir / "tb").mkdir(parents=True)
    own = ["checkpoint.pt", "config.json", "q_model_it5.png", ".checkpoint.pt.x.tmp"]
    for name in [*own, "notes.txt"]:
        (run_dir / name).write_text("x")
    (run_dir / "results.json").write_text('{"status": "stopped"}')
    with pytest.raises(SystemExit) as exit_info:
        toys.main(["--toy", "single", "--lam", "0", "--out", str(out)])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err == (
        f"error: --out: the unfinished toy run folder {run_dir} holds files a toy run does not "
        "write (notes.txt); it is cleared to start the run again, so nothing was touched: move "
        "those files out of it (or remove the folder), or pick another --out\n"
    )
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [*own, "notes.txt", "results.json", "tb"]
    )
    (run_dir / "notes.txt").unlink()
    monkeypatch.setattr(toys, "run_toy", lambda toy, lam, seed, out, *a: {"run_dir": "x"})
    toys.main(["--toy", "single", "--lam", "0", "--out", str(out)])
    assert not run_dir.exists()  # only the run's own files: cleared


@pytest.mark.parametrize(
    ("env_id", "takes"),
    [
        (SINGLE_TRANSITION_ID, "initial_state, initial_spread, render_mode"),
        (ILLUSTRATIVE_ID, "horizon, noise_std, initial_state, render_mode"),
    ],
)
def test_registered_toys_name_a_keyword_they_do_not_take(env_id: str, takes: str) -> None:
    """Probe 53 row 53: ``gym.make(toy, rollout_length=3)`` was gymnasium's raw ``TypeError …
    unexpected keyword argument``, where the model envs name the keyword and what they take."""
    register_toy_envs()
    with pytest.raises(ValueError) as err:
        gym.make(env_id, rollout_length=3)
    assert str(err.value).startswith("rollout_length: not a keyword of ")
    assert f"; it takes {takes} (help(rambo_env.envs.toys." in str(err.value), err.value
    with pytest.raises(ValueError, match=r"initial_stat: not a keyword of .* \(did you mean"):
        gym.make(env_id, initial_stat=0.5)
    assert gym.make(env_id, initial_state=0.5).unwrapped.initial_state == 0.5


def _episode_length(env: gym.Env) -> int:
    env.reset(seed=0)
    for n in range(1, 1000):
        if env.step(np.zeros(1, dtype=np.float32))[3]:
            return n
    raise AssertionError("never truncated")


def test_toys_refuse_a_numpy_max_episode_steps_at_construction() -> None:
    """Probe 55: ``gym.make(<toy id>, max_episode_steps=np.int64(5))`` was gymnasium's raw
    TypeError from its TimeLimit (the illustrative MDP read the value for its horizon check and
    took it); now one ValueError naming int(…), as the model envs say."""
    for env_id, default in (
        (ILLUSTRATIVE_ID, r"the registered TimeLimit of 10 steps \(= horizon\)"),
        (SINGLE_TRANSITION_ID, r"no TimeLimit \(every episode ends after its one step\)"),
    ):
        match = (
            r"^max_episode_steps: gymnasium's TimeLimit takes a Python int, got numpy.int64\(5\); "
            rf"pass max_episode_steps=int\(…\) \(5\), or leave it out: the default already gives "
            rf"{default}$"
        )
        with pytest.raises(ValueError, match=match):
            gym.make(env_id, max_episode_steps=np.int64(5))
        gym.make(env_id, max_episode_steps=5).close()
        gym.make(env_id, max_episode_steps=np.int64(-1)).close()  # gymnasium's "no TimeLimit"


@pytest.mark.parametrize("mode", [None, "sync"])
def test_illustrative_horizon_above_the_registered_time_limit_is_refused(mode) -> None:
    # probe 54: horizon=20 was cut at step 10 by the registered TimeLimit without a word
    make = (
        (lambda **kw: gym.make(ILLUSTRATIVE_ID, **kw))
        if mode is None
        else (lambda **kw: gym.make_vec(ILLUSTRATIVE_ID, num_envs=2, vectorization_mode=mode, **kw))
    )
    with pytest.raises(
        ValueError, match=r"^horizon: 20 is longer than the TimeLimit of 10 steps"
    ) as err:
        make(horizon=20)
    assert "registered max_episode_steps (10)" in str(err.value)
    assert "max_episode_steps=20" in str(err.value)
    maker = "gym.make(" if mode is None else "gym.make_vec("  # probe 56: named gym.make for both
    assert f"{maker}'RamboToy-Illustrative-v0'" in str(err.value)
    with pytest.raises(ValueError, match=r"TimeLimit of 15 steps .*max_episode_steps=15 given"):
        make(horizon=20, max_episode_steps=15)
    make(horizon=20, max_episode_steps=20).close()


def test_illustrative_horizon_and_time_limit_that_agree_run_their_full_length() -> None:
    assert _episode_length(gym.make(ILLUSTRATIVE_ID, horizon=20, max_episode_steps=20)) == 20
    assert _episode_length(gym.make(ILLUSTRATIVE_ID, horizon=20, max_episode_steps=-1)) == 20
    assert _episode_length(gym.make(ILLUSTRATIVE_ID, horizon=4)) == 4  # truncates itself first
    assert _episode_length(gym.make(ILLUSTRATIVE_ID, max_episode_steps=5)) == 5  # user's limit
    assert _episode_length(gym.make(ILLUSTRATIVE_ID)) == ILLUSTRATIVE_HORIZON
    assert IllustrativeMDP(horizon=20).horizon == 20  # built directly: no TimeLimit


@pytest.mark.parametrize("env_id", [ILLUSTRATIVE_ID, SINGLE_TRANSITION_ID])
def test_toy_action_outside_the_box_is_clipped_with_one_warning(env_id: str) -> None:
    """Probe 63: ``step(np.array([5.0]))`` stepped as 1.0 without a word (the model env and
    ``evaluate_policy`` both warn); now one warning per env, as the model env's."""
    env = gym.make(env_id)
    env.reset(seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for action in (0.5, 5.0, -5.0):  # inside: no warning; then once per env
            env.step(np.array([action]))
            if env_id == SINGLE_TRANSITION_ID:  # one step per episode
                env.reset()
            assert action != 0.5 or caught == []
    assert len(caught) == 1
    message = str(caught[0].message)
    assert message.startswith("action[0] = 5 is outside the action space [-1, 1]; the toy env ")
    assert "clips it (1 entry of this step; warned once per env)" in message
    assert caught[0].filename == __file__


def test_toys_follow_the_model_envs_rules_for_limits_seeds_and_close() -> None:
    """Probe 67a rows 26, 29, 56: ``max_episode_steps=20`` on the 10-step illustrative MDP was
    cut at 10 while its spec said 20; a closed toy stepped on; ``reset(seed=True)`` was seed 1."""
    with pytest.raises(ValueError, match=r"^max_episode_steps: 20 given to gym.make is longer"):
        gym.make(ILLUSTRATIVE_ID, max_episode_steps=20)
    assert gym.make(ILLUSTRATIVE_ID, max_episode_steps=5).spec.max_episode_steps == 5
    env = gym.make(SINGLE_TRANSITION_ID)
    for seed in (True, -1, 2.5):
        with pytest.raises(ValueError, match=r"^seed: expected an int >= 0 or None"):
            env.reset(seed=seed)
    env.reset(seed=np.int64(3))
    env.close()
    with pytest.raises(gym.error.ClosedEnvironmentError, match=r"^step: the env was closed"):
        env.step(np.zeros(1, dtype=np.float32))
    with pytest.raises(gym.error.ClosedEnvironmentError, match=r"^reset: the env was closed"):
        env.reset()
