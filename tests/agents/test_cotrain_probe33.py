"""Probe 33 (issue 14): the main job's reliability findings — options given twice, a resume of a
diverged run, paste-safe printed commands, stopped holders, links kept on save, a full
TensorBoard disk, out-of-memory wording, control characters in a dataset name."""

from __future__ import annotations

import json
import os

import pytest

from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.scripts import load_script

cotrain_cli = load_script("cotrain")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--k", "2", "--rollout-length", "5"], "--k and --rollout-length both given (2 vs 5)"),
        (
            ["--lam", "3e-4", "--adversary-weight", "0"],
            "--lam and --adversary-weight both given (3e-4 vs 0)",
        ),
        (["--resume", "a", "--resume", "b"], "--resume given twice (a vs b); give it once"),
        (["--progress", "--no-progress"], "--progress and --no-progress both given"),
        (["--seed", "1", "--seed", "2"], "--seed given twice (1 vs 2)"),
    ],
)
def test_one_option_given_twice_with_different_values_is_refused(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cotrain_cli.build_parser().parse_args(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_one_option_repeated_with_the_same_value_is_taken():
    args = cotrain_cli.build_parser().parse_args(["--k", "2", "--rollout-length", "2", "--k", "2"])
    assert args.rollout_length == 2 and not hasattr(args, "_options_given_so_far")
    sweep = load_script("sweep").build_parser()
    with pytest.raises(SystemExit):
        sweep.parse_args(["--q-limit", "1", "--q-limit", "2"])


def _tiny_argv(dataset: str, run_dir, *more: str) -> list[str]:
    flags = dict(
        k="2", lam="3e-4", iterations="2", agent_steps_per_iteration="10",
        adversary_steps_per_iteration="4", n_rollouts="64", bc_epochs="1", bc_max_steps="3",
        n_eval_episodes="1", eval_every="1", eval_last="1", ensemble_hidden="8",
        agent_hidden="16", mle_max_epochs="1", torch_threads="1",
    )  # fmt: skip
    argv = ["--dataset", dataset, "--run-dir", str(run_dir), "--no-progress"]
    for name, value in flags.items():
        if f"--{name.replace('_', '-')}" not in more:
            argv += [f"--{name.replace('_', '-')}", value]
    return [*argv, *more]


def test_a_resume_of_a_diverged_run_is_refused_unless_a_larger_q_limit_lets_it_go_on(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    run_dir = tmp_path / "diverged"
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--q-limit", "1e-9")) == 1
    assert "Q-values diverged at iteration 1" in capsys.readouterr().out
    results = json.loads((run_dir / "results.json").read_text())
    q_avg = results["diverged_at"]["q_avg"]
    assert results["diverged_at"]["iteration"] == 1 and results["diverged_at"]["q_limit"] == 1e-9
    assert cotrain_cli.main(["--resume", str(run_dir)]) == 2
    err = capsys.readouterr().err
    assert f"{run_dir} diverged at iteration 1: average Q = {q_avg:.4g} above the limit " in err
    assert "|Q| <= 1e-09" in err and "--q-limit " in err and "a resume repeats iteration 1" in err
    assert "loading" not in err  # refused before the dataset and the model
    assert cotrain_cli.main(["--resume", str(run_dir), "--q-limit", "1e9"]) == 0
    assert "finished: 2/2 iterations" in capsys.readouterr().out


def test_a_q_limit_below_the_mean_reward_is_warned_about_before_the_mle(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    import agents.cotrain_setup as setup

    def no_mle(*args, **kwargs):
        raise ValueError("MLE reached")

    monkeypatch.setattr(setup, "_make_mdp", no_mle)
    argv = _tiny_argv(tiny_hopper, tmp_path / "low", "--q-limit", "1e-9")
    assert cotrain_cli.main(argv) == 2
    captured = capsys.readouterr()
    assert "[cotrain] WARNING: q_limit: 1e-09 is below the mean one-step reward" in captured.out
    assert "error: MLE reached" in captured.err
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, tmp_path / "ok", "--q-limit", "1e4")) == 2
    assert "WARNING: q_limit" not in capsys.readouterr().out


def test_a_printed_command_with_a_folder_named_like_an_option_pastes(capsys):
    from pathlib import Path

    from rambo_env.run_io import shell_path

    assert shell_path("-x") == "./-x" and shell_path("-x y") == "'./-x y'"
    assert shell_path("/abs/-x") == "/abs/-x" and shell_path("runs/a b") == "'runs/a b'"
    command = cotrain_cli.continue_command(Path("-x"))
    assert command == "python scripts/cotrain.py --resume ./-x"
    args = cotrain_cli.build_parser().parse_args(command.split()[2:])
    assert args.resume == Path("-x")
    sweep = load_script("sweep")
    assert "--resume ./-s" in sweep._continue(Path("-s"))


@pytest.fixture
def stopped_process():
    """A live process stopped by SIGSTOP (a Ctrl-Z'd job); ended afterwards."""
    import signal
    import subprocess
    import time

    from rambo_env import run_io

    proc = subprocess.Popen(["sleep", "60"])
    os.kill(proc.pid, signal.SIGSTOP)
    deadline = time.monotonic() + 10  # the signal is delivered asynchronously (a busy machine)
    while not run_io.process_stopped(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    yield proc.pid
    proc.kill()
    proc.wait()


def test_a_run_folder_held_by_a_stopped_process_says_it_is_stopped(stopped_process, tmp_path):
    from rambo_env import run_io

    run_dir = tmp_path / "run"
    run_dir.mkdir()
    start = run_io.process_start(stopped_process)
    ident = run_io.folder_identity(run_dir)
    (run_dir / ".lock").write_text(f"{stopped_process} {start} {ident}")
    assert run_io.process_stopped(stopped_process) and not run_io.process_stopped(os.getpid())
    with pytest.raises(ValueError) as err, run_io.claim_run_dir(run_dir):
        pass
    assert f"process {stopped_process} is stopped (suspended, e.g. by Ctrl-Z)" in str(err.value)
    assert f"kill -CONT {stopped_process}" in str(err.value) and "wait for it" not in str(err.value)


def test_waiting_for_a_lock_names_its_holder_and_state_and_repeats(tmp_path, monkeypatch, capsys):
    import signal
    import subprocess
    import sys
    import threading

    from rambo_env import file_locks, run_io

    lock = tmp_path / "dynamics-x.pt.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
            "print('locked', flush=True); time.sleep(2)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    timer = threading.Timer(0, lambda: None)
    try:
        assert holder.stdout.readline().strip() == "locked"
        os.kill(holder.pid, signal.SIGSTOP)
        timer = threading.Timer(1.5, holder.send_signal, (signal.SIGCONT,))
        timer.start()
        monkeypatch.setattr(file_locks, "LOCK_WAIT_REPEAT_S", 1.0)
        monkeypatch.setattr(file_locks, "LOCK_POLL_S", 0.1)
        with run_io.file_lock(lock, "training the same dynamics model", "RAMBO_ENV_CACHE"):
            pass
    finally:
        timer.cancel()
        holder.kill()
        holder.wait()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        f"[rambo_env] waiting for process {holder.pid}, which is training the same dynamics "
        f"model and holds the lock {lock}: process {holder.pid} is stopped"
    )
    assert any(f"holds the lock {lock} (waited " in line for line in lines[1:])


def test_a_run_file_that_is_a_link_is_written_through_it(tmp_path):
    from rambo_env import run_io

    store, run_dir = tmp_path / "store", tmp_path / "run"
    store.mkdir()
    run_dir.mkdir()
    (store / "cfg.json").write_text("{}")
    (run_dir / "config.json").symlink_to(store / "cfg.json")
    (store / "ck.pt").write_bytes(b"old")
    (run_dir / "checkpoint.pt").symlink_to("../store/ck.pt")  # a relative link too
    run_io.write_json(run_dir / "config.json", {"iteration": 3})
    run_io.save_checkpoint(run_dir / "checkpoint.pt", {"iteration": 3})
    for link, target in (("config.json", "cfg.json"), ("checkpoint.pt", "ck.pt")):
        assert (run_dir / link).is_symlink() and (run_dir / link).resolve() == store / target
    assert json.loads((store / "cfg.json").read_text()) == {"iteration": 3}
    assert run_io.load_checkpoint(run_dir / "checkpoint.pt")["iteration"] == 3
    assert sorted(p.name for p in store.iterdir()) == ["cfg.json", "ck.pt"]  # no temp file left


def test_a_full_disk_under_tb_switches_tensorboard_off_and_the_run_goes_on(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    monkeypatch,
    capsys,
):
    import errno

    from stable_baselines3.common.logger import TensorBoardOutputFormat

    write = TensorBoardOutputFormat.write
    calls = []

    def full_after_one(self, *args, **kwargs):
        calls.append(1)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return write(self, *args, **kwargs)

    monkeypatch.setattr(TensorBoardOutputFormat, "write", full_after_one)
    run_dir = tmp_path / "tbfull"
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--iterations", "3")) == 0
    captured = capsys.readouterr()
    warnings = [
        line for line in captured.out.splitlines() if "TensorBoard logs not written" in line
    ]
    assert len(warnings) == 1 and len(calls) == 2
    assert f"WARNING: {run_dir / 'tb'}: TensorBoard logs not written" in warnings[0]
    assert "(No space left on device); TensorBoard logging is off" in warnings[0]
    assert "finished: 3/3 iterations" in captured.out and "Traceback" not in captured.err
    assert json.loads((run_dir / "results.json").read_text())["iterations_completed"] == 3


def test_out_of_memory_making_the_env_is_said_with_the_address_space_limit(monkeypatch):
    import resource

    import gymnasium as gym

    from rambo_env import evaluation
    from rambo_env.data import loaders
    from rambo_env.data.dataset import OfflineDataset

    def no_memory(*args, **kwargs):
        raise ValueError("Error: engine error: Could not allocate memory")

    monkeypatch.setattr(gym, "make", no_memory)
    monkeypatch.setattr(resource, "getrlimit", lambda kind: (800000 * 1024, resource.RLIM_INFINITY))
    with pytest.raises(ValueError) as err:
        evaluation._make_env("Hopper-v5")
    said = str(err.value)
    assert said.startswith(
        "not enough memory to create the Hopper-v5 simulator (address-space limit ulimit -v = "
        "800000 kB): "
    )
    assert "Could not allocate memory; raise the limit (ulimit -v unlimited" in said
    monkeypatch.setattr(OfflineDataset, "validate", lambda self, *a: self)
    dataset = OfflineDataset.__new__(OfflineDataset)
    dataset.env_id = "Hopper-v5"
    dataset.metadata = {}  # the env is made with the data's recorded kwargs (probe 77): none
    with pytest.raises(ValueError) as err:
        loaders.validate_for_env(dataset)
    assert "not enough memory to create the Hopper-v5 simulator (address-space limit" in str(
        err.value
    )
    assert "name an env this machine can run" not in str(err.value)


@pytest.mark.parametrize("name", ["hop\nper", "hop\tper", "hop\x1bper", "hop\u2028per"])
def test_a_dataset_name_with_a_control_character_is_refused_at_load(name, tmp_path):
    import numpy as np

    from rambo_env.data.loaders import load_dataset

    n = 10
    rng = np.random.default_rng(0)
    rows = {
        "observations": rng.normal(size=(n, 3)).astype(np.float32),
        "actions": rng.normal(size=(n, 2)).astype(np.float32),
        "rewards": rng.normal(size=n).astype(np.float32),
        "next_observations": rng.normal(size=(n, 3)).astype(np.float32),
        "terminals": np.zeros(n, bool),
        "timeouts": np.eye(1, n, n - 1, dtype=bool)[0],
    }
    path = tmp_path / "named.npz"
    np.savez(path, **rows, name=np.array(name))
    with pytest.raises(ValueError) as err:
        load_dataset(str(path))
    assert str(err.value).startswith(f"dataset {str(path)!r}: name: {name!r} holds a control ")


def test_an_explicit_k_above_the_episode_limit_names_the_config_not_the_preset(
    tiny_hopper,  # noqa: F811 (the fixture)
    tmp_path,
    capsys,
):
    from rambo_env.data.dataset import OfflineDataset

    named = OfflineDataset.from_npz(tiny_hopper, name="hopper-medium")
    path = str(named.to_npz(tmp_path / "hopper-medium.npz"))
    assert (
        cotrain_cli.main(["--dataset", path, "--k", "1001", "--run-dir", str(tmp_path / "r")]) == 2
    )
    err = capsys.readouterr().err
    assert "rollout_length: k = 1001 (config) exceeds Hopper-v5's episode limit" in err
    assert "preset" not in err.split("exceeds")[0]
