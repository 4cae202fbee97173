"""Probe 34 (issue 14): run folders inside the Minari root or the model cache, a dataset folder
``--force`` would delete with foreign files in it, a thread waiting for its own process's model
lock, agent names in the wrong case, a too-large ``--eval-last``, SIGUSR1 as a status request."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from agents.cotrain import CotrainConfig
from agents.cotrain_setup import config_docs
from rambo_env import run_io
from tests.agents.test_cotrain import _shared_model_cache, tiny_hopper  # noqa: F401 (fixtures)
from tests.agents.test_cotrain_probe33 import _tiny_argv
from tests.scripts import load_script, run_python

cotrain_cli = load_script("cotrain")


def _fake_dataset(folder: Path) -> Path:
    """A Minari dataset's folder as make_dataset writes it (data/metadata.json, main_data.hdf5)."""
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "metadata.json").write_text("{}")
    (folder / "data" / "main_data.hdf5").write_bytes(b"")
    return folder


@pytest.mark.parametrize("where", ["dataset", "root", "cache"])
def test_a_run_folder_inside_the_minari_root_or_the_model_cache_is_refused(
    where,
    tiny_hopper,  # noqa: F811 (the fixture)
    capsys,
):
    minari = Path(os.environ["MINARI_DATASETS_PATH"])
    cache = Path(os.environ["RAMBO_ENV_CACHE"])
    dataset = _fake_dataset(minari / "p34" / "hopper" / "rr-v0")
    run_dir = {"dataset": dataset / "myrun", "root": minari / "r", "cache": cache / "myrun"}[where]
    assert cotrain_cli.main(_tiny_argv(tiny_hopper, run_dir, "--n-iterations", "2")) == 2
    err = capsys.readouterr().err
    expected = {
        "dataset": f"is inside the Minari dataset folder {dataset}, in the Minari root {minari} "
        "(MINARI_DATASETS_PATH); a run there is deleted when make_dataset.py --force replaces",
        "root": f"is inside the Minari root {minari} (MINARI_DATASETS_PATH); a run there is",
        "cache": f"is inside the model cache {cache} (RAMBO_ENV_CACHE); a run there is deleted "
        "when the cache is cleared",
    }[where]
    assert f"error: run_dir: {run_dir} {expected}" in err, err
    assert "pick a folder outside" in err and "loading" not in err
    assert not run_dir.exists()  # nothing made there


def test_a_sweep_folder_inside_the_model_cache_is_refused(tmp_path, monkeypatch):
    import agents.sweep as sweep_module
    from agents.sweep import SweepSpec, run_sweep

    def no_ray():  # a sweep that got this far would start Ray (minutes)
        raise RuntimeError("the sweep folder was not refused before Ray")

    monkeypatch.setattr(sweep_module, "_import_tune", no_ray)

    sweep_dir = Path(os.environ["RAMBO_ENV_CACHE"]) / "sweeps" / "s"
    spec = SweepSpec(("hopper-medium",), base=CotrainConfig())
    with pytest.raises(ValueError, match=r"sweep_dir: .* is inside the model cache .*--sweep-dir"):
        run_sweep(spec, sweep_dir)
    assert not sweep_dir.exists()


def test_make_dataset_force_keeps_a_dataset_folder_holding_files_no_dataset_writes(capsys):
    make_dataset = load_script("make_dataset")
    minari = Path(os.environ["MINARI_DATASETS_PATH"])
    folder = _fake_dataset(minari / "p34" / "hopper" / "rr-v0")
    (folder / "myrun").mkdir()
    (folder / "myrun" / "checkpoint.pt").write_bytes(b"x")
    (folder / "notes.txt").write_text("mine")
    argv = ["--env", "hopper", "--level", "random", "--n-transitions", "300", "--workers", "1"]
    argv += ["--dataset-id", "p34/hopper/rr-v0", "--force"]
    assert make_dataset.main(argv) == 2
    err = capsys.readouterr().err
    assert (
        f"error: dataset_id: {folder} holds files no Minari dataset writes (myrun, notes.txt); "
        "--force (force=True) replaces the whole folder and would delete them: move them out of "
        f"it (a run folder: outside the Minari root {minari}), then rerun"
    ) in err, err
    assert (folder / "myrun" / "checkpoint.pt").is_file() and (folder / "notes.txt").is_file()
    from rambo_env.data.minari_io import check_replaceable

    (folder / "notes.txt").unlink()
    (folder / "myrun" / "checkpoint.pt").unlink()
    (folder / "myrun").rmdir()
    check_replaceable("p34/hopper/rr-v0")  # a dataset's own files only: replaced as before
    (folder / "data" / "run").mkdir()
    with pytest.raises(ValueError, match=r"holds files no Minari dataset writes \(data/run\)"):
        check_replaceable("p34/hopper/rr-v0")


def test_a_thread_waiting_for_its_own_process_s_model_lock_is_not_told_to_kill_it(tmp_path, capsys):
    lock = tmp_path / "dynamics-x.pt.lock"
    held, release = threading.Event(), threading.Event()

    def hold():
        with run_io.file_lock(lock, "training the same dynamics model (x)", "RAMBO_ENV_CACHE"):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert held.wait(10)
    threading.Timer(1.0, release.set).start()
    with run_io.file_lock(lock, "training the same dynamics model (x)", "RAMBO_ENV_CACHE"):
        pass
    holder.join()
    out = capsys.readouterr().out
    assert (
        "[rambo_env] another thread of this process is training the same dynamics model (x); "
        f"waiting for it (it holds the lock {lock})"
    ) in out, out
    assert "kill" not in out


def test_an_agent_name_in_the_wrong_case_or_misspelt_gets_a_did_you_mean(capsys):
    from agents.factory import make_agent

    with pytest.raises(ValueError, match=r"algo: unknown agent 'TD3' \(did you mean 'td3'\?\); "):
        CotrainConfig(algo="TD3")
    with pytest.raises(ValueError, match=r"unknown agent 'tqd' \(did you mean 'tqc'\?\); choose"):
        CotrainConfig(algo="tqc".replace("c", "d"))
    with pytest.raises(ValueError, match=r"unknown agent 'ppo'; choose from"):
        CotrainConfig(algo="ppo")
    with pytest.raises(ValueError, match=r"unknown agent 'SAC' \(did you mean 'sac'\?\)"):
        make_agent("SAC", None, None, None, rollout_length=1)
    with pytest.raises(SystemExit):
        cotrain_cli.main(["--algo", "TD3", "--run-dir", "x"])
    assert "unknown agent 'TD3' (did you mean 'td3'?)" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        load_script("bench").main(["--algos", "sac,TD3"])
    assert "(did you mean 'td3'?)" in capsys.readouterr().err


def test_an_eval_last_given_above_n_iterations_is_refused_but_not_the_default(capsys, tmp_path):
    parser = cotrain_cli.build_parser()
    args = parser.parse_args(["--n-iterations", "2", "--eval-last", "10", "--run-dir", "r"])
    with pytest.raises(SystemExit) as exit_info:
        cotrain_cli.resolve_args(args, parser)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert (  # probe 44: one rule, stated as the code runs it (not "the final score averages
        # the evaluations of the last N iterations")
        "eval_last: 10 > n_iterations=2; --eval-last N evaluates each of the last N iterations "
        "and the run has only 2 (use a value <= n_iterations, or leave --eval-last out; the final "
        "score does not depend on --eval-last: it is the mean of the last 10 evaluations "
        "(App. B.6), here of at most 2 (one per iteration))"
    ) in err
    assert "averages the evaluations of the last" not in err
    docs = config_docs()["eval_last"]
    assert "each of the last this many iterations" in docs
    assert "final score is the mean of the last 10 evaluations" in docs
    args = parser.parse_args(["--n-iterations", "2", "--run-dir", "r"])  # the default 10: kept
    cfg, _, _ = cotrain_cli.resolve_args(args, parser)
    assert (cfg.n_iterations, cfg.eval_last) == (2, 10)
    args = parser.parse_args(["--n-iterations", "2", "--eval-last", "2", "--run-dir", "r"])
    assert cotrain_cli.resolve_args(args, parser)[0].eval_last == 2
    sweep = load_script("sweep")
    parser = sweep.build_parser()
    args = parser.parse_args(["--iterations", "2", "--eval-last", "5"])
    with pytest.raises(SystemExit):
        sweep.resolve_args(args, parser)
    assert "eval_last: 5 > n_iterations=2" in capsys.readouterr().err


@pytest.mark.skipif(not hasattr(os, "kill") or sys.platform == "win32", reason="POSIX signals")
def test_sigusr1_prints_a_status_line_and_the_run_goes_on(tiny_hopper, tmp_path):  # noqa: F811
    """Probe 34: SIGUSR1 killed a run by its default action (rc 138, no word, .lock left)."""
    code = (
        "import os, signal, sys\n"
        "from agents.cotrain import run_cotrain\n"
        "from tests.agents.test_cotrain import tiny_config\n"
        "def on_iteration(metrics):\n"
        "    if metrics['iteration'] == 1:\n"
        "        os.kill(os.getpid(), signal.SIGUSR1)\n"
        f"cfg = tiny_config({tiny_hopper!r}, n_iterations=2, n_eval_episodes=1, eval_every=1)\n"
        f"r = run_cotrain(cfg, {str(tmp_path / 'run')!r}, on_iteration=on_iteration)\n"
        "print('STATUS', r['status'], r['iterations_completed'])\n"
        "print('HANDLER', signal.getsignal(signal.SIGUSR1) is signal.SIG_DFL)\n"
    )
    done = run_python(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "STATUS finished 2" in done.stdout and "HANDLER True" in done.stdout
    line = next(x for x in done.stderr.splitlines() if x.startswith("[cotrain] status: "))
    assert line.startswith("[cotrain] status: iteration 1/2 done, "), line
    assert "elapsed, last average Q " in line and f"run dir {tmp_path / 'run'}" in line
    assert "last score " in line or "last return " in line


def test_a_toys_out_folder_inside_the_model_cache_is_refused(capsys):
    out = Path(os.environ["RAMBO_ENV_CACHE"]) / "toys"
    with pytest.raises(SystemExit) as exit_info:
        load_script("toys").main(["--out", str(out), "--seeds", "0"])
    assert exit_info.value.code == 2
    assert f"error: out: {out} is inside the model cache " in capsys.readouterr().err
    assert not out.exists()
