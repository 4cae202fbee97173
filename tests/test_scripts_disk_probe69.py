"""Probe 69 (rows 25, 27-31): a script writing to a full disk is refused before its work (the
room checked for a lower bound of what it writes), and a failed write names its own flag (was
"write elsewhere: --run-dir, RAMBO_ENV_CACHE", flags these scripts do not take)."""

from __future__ import annotations

import errno
import json
import shutil
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import pytest

from rambo_env import bench
from rambo_env.run_io import WriteFailedError
from tests.scripts import load_script

_Usage = namedtuple("_Usage", "total used free")


def _full(monkeypatch, tmp_path: Path) -> Path:
    """A folder ``full`` whose disk has no free room (the rest of ``tmp_path``'s disk is real)."""
    full = tmp_path / "full"
    full.mkdir()
    real = shutil.disk_usage

    def usage(path):
        if Path(path) == full or full in Path(path).parents:
            return _Usage(10 * 2**30, 10 * 2**30, 0)
        return real(path)

    monkeypatch.setattr(shutil, "disk_usage", usage)
    return full


def _recorder(calls: list) -> object:
    def record(*args, **kwargs):
        calls.append(args)
        raise AssertionError("the work ran")

    return record


def _full_disk_error(path: Path) -> WriteFailedError:
    """A failed write with the default advice (--run-dir, RAMBO_ENV_CACHE)."""
    return WriteFailedError(path, OSError(errno.ENOSPC, "No space left on device"))


_TOYS = ["--toy", "single", "--lam", "0.0", "--seeds", "0", "--iterations", "1", "--steps", "5"]


def test_toys_refuses_a_full_out_disk_before_the_runs(tmp_path, monkeypatch, capsys):
    # probe 69 row 25: was the npz / checkpoint write failing after earlier runs had trained,
    # advising --run-dir (toys.py's flag is --out)
    full = _full(monkeypatch, tmp_path)
    toys, calls = load_script("toys"), []
    monkeypatch.setattr(toys, "run_toy", _recorder(calls))
    with pytest.raises(SystemExit) as caught:
        toys.main([*_TOYS, "--out", str(full / "toys")])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and calls == []
    assert f"{full / 'toys' / 'single-lam0-s0' / 'checkpoint.pt'}: not written" in err
    assert "the checkpoint space of the 1 toy run to do needs at least ~1.15 MiB, 0 bytes" in err
    assert "(or write elsewhere: --out)" in err


@pytest.mark.parametrize("advised", [WriteFailedError.ELSEWHERE, "--run-dir"])
def test_a_toy_runs_failed_write_names_out(tmp_path, monkeypatch, capsys, advised):
    # probe 69 row 25: the npz (default advice) and cotrain's run folder (--run-dir)
    toys = load_script("toys")
    target = tmp_path / "toys" / "single-s0.npz"

    def fail(*args, **kwargs):
        raise WriteFailedError(target, OSError(errno.ENOSPC, "No space left on device"), advised)

    monkeypatch.setattr(toys, "run_toy", fail)
    with pytest.raises(SystemExit) as caught:
        toys.main([*_TOYS, "--out", str(tmp_path / "toys")])
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert "(or write elsewhere: --out) and rerun" in err and "--run-dir" not in err


_BENCH = ["--quick", "--threads", "1", "--no-compile"]


def test_bench_refuses_a_full_json_disk_before_measuring(tmp_path, monkeypatch, capsys):
    # probe 69 row 27: was every row measured, then "not written … --run-dir, RAMBO_ENV_CACHE"
    full = _full(monkeypatch, tmp_path)
    script, calls = load_script("bench"), []
    monkeypatch.setattr(script, "run", _recorder(calls))
    with pytest.raises(SystemExit) as caught:
        script.main([*_BENCH, "--json", str(full / "b.json")])
    err = capsys.readouterr().err
    assert caught.value.code == 2 and calls == []
    assert f"error: {full / 'b.json'}: not written" in err
    assert "the bench JSON needs at least ~2 KiB, 0 bytes are free" in err
    assert "(or write elsewhere: --json)" in err


def test_a_failed_bench_json_write_names_json(tmp_path, monkeypatch, capsys):
    # probe 69 row 27: the disk filled during the benchmark
    script = load_script("bench")
    monkeypatch.setattr(script, "run", lambda *args, **kwargs: {})
    monkeypatch.setattr(script, "_table", lambda res, cfg: "")

    def fail(path, write):
        raise _full_disk_error(Path(path))

    monkeypatch.setattr(script, "atomic_write", fail)
    with pytest.raises(SystemExit) as caught:
        script.main([*_BENCH, "--json", str(tmp_path / "b.json")])
    err = capsys.readouterr().err
    assert caught.value.code == 2
    assert "(or write elsewhere: --json)" in err and "--run-dir" not in err


def test_mle_quality_refuses_a_full_out_disk_before_the_load(tmp_path, monkeypatch):
    # probe 69 row 28: was the first variant trained, then "not written" naming
    # --checkpoint-dir and --out
    full = _full(monkeypatch, tmp_path)
    script, calls = load_script("mle_quality"), []
    monkeypatch.setattr(script, "load_dataset", _recorder(calls))
    with pytest.raises(WriteFailedError) as caught:
        script.main(["--variants", "64:1e-3", "--out", str(full / "mle.csv")])
    assert calls == []
    assert str(caught.value).startswith(
        f"{full / 'mle.csv'}: not written: the disk holding {full} is full (No space left on "
        "device: the --out CSV needs at least ~"
    )
    assert "(or write elsewhere: --out)" in str(caught.value)


def _tiny_npz(tmp_path: Path) -> Path:
    return bench.synthetic_dataset(bench.BenchConfig.quick(), n=300).to_npz(tmp_path / "t.npz")


def test_mle_quality_refuses_a_full_checkpoint_disk_before_the_first_epoch(tmp_path, monkeypatch):
    # probe 69 row 29: was found at the end of the first epoch
    path = _tiny_npz(tmp_path)
    full = _full(monkeypatch, tmp_path)
    script, calls = load_script("mle_quality"), []
    monkeypatch.setattr(script, "train_mle", _recorder(calls))
    argv = ["--dataset", str(path), "--variants", "64:1e-3", "--device", "cpu"]
    with pytest.raises(WriteFailedError) as caught:
        script.main([*argv, "--checkpoint-dir", str(full / "ck")])
    assert calls == []
    assert "the MLE checkpoint (weights, two Adam moments, best weights) needs" in str(caught.value)
    assert "(or write elsewhere: --checkpoint-dir)" in str(caught.value)


def test_a_failed_out_csv_write_names_out_only(tmp_path, monkeypatch):
    # probe 69 row 28: the CSV's failure advised --checkpoint-dir too
    path = _tiny_npz(tmp_path)
    script = load_script("mle_quality")

    def fail(out, rows):
        raise _full_disk_error(out)

    monkeypatch.setattr(script, "write_rows", fail)
    argv = ["--dataset", str(path), "--variants", "64:1e-3", "--device", "cpu"]
    with pytest.raises(WriteFailedError) as caught:
        script.main([*argv, "--max-epochs", "1", "--out", str(tmp_path / "mle.csv")])
    assert "(or write elsewhere: --out) and rerun" in str(caught.value)


def test_diagnose_refuses_a_full_run_folder_disk_before_the_diagnosis(
    tmp_path, monkeypatch, capsys
):
    # probe 69 row 30: was every diagnostic run and printed, then the report "not written"
    full = _full(monkeypatch, tmp_path)
    diagnose, calls = load_script("diagnose"), []
    run = full / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps({"config": {"n_iterations": 2}}))
    session = SimpleNamespace(
        dataset=SimpleNamespace(env_id="Hopper-v5", name="hopper-medium"),
        mdp=SimpleNamespace(obs_dim=11, action_dim=3, device="cpu"),
        k=5,
        agent=None,
    )
    monkeypatch.setattr(diagnose, "_check_has_real_env", lambda run_dir: None)
    monkeypatch.setattr(
        diagnose, "load_session", lambda run_dir, **kw: (session, SimpleNamespace(iteration=2))
    )
    monkeypatch.setattr(diagnose, "model_vs_simulator", _recorder(calls))
    assert diagnose.main([str(run), "--n-starts", "20", "--n-episodes", "1"]) == 2
    err = capsys.readouterr().err
    assert calls == []
    assert f"error: {run / 'diagnostics-it2.json'}: not written" in err
    assert "the report needs at least ~1 KiB, 0 bytes are free" in err
    assert "(or write elsewhere: a copy of the run folder there)" in err


def _make_dataset_argv(tmp_path: Path, beh: Path) -> list[str]:
    return ["--env", "hopper", "--level", "medium", "--train-policy", "--behaviour-steps",
            "7500", "--behaviour-dir", str(beh), "--n-transitions", "200", "--dataset-id",
            "p69/hopper/med-v0", "--no-progress"]  # fmt: skip


def test_make_dataset_refuses_a_full_behaviour_dir_disk_before_training(
    tmp_path, monkeypatch, capsys
):
    # probe 69 row 31: was found at the first actor checkpoint, advising --run-dir
    import agents.behaviour

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    full = _full(monkeypatch, tmp_path)
    cli, calls = load_script("make_dataset"), []
    monkeypatch.setattr(agents.behaviour, "train_behaviour", _recorder(calls))
    assert cli.main(_make_dataset_argv(tmp_path, full / "beh")) == 2
    err = capsys.readouterr().err
    assert calls == []
    assert f"error: {full / 'beh' / 'hopper' / 'medium_actor.pt'}: not written" in err
    assert "the training of 1 behaviour agent (its chosen actor) needs at least ~275 KiB" in err
    assert "(or write elsewhere: --behaviour-dir)" in err


def test_a_behaviour_agents_failed_write_names_behaviour_dir(tmp_path, monkeypatch, capsys):
    # probe 69 row 31: the checkpoint's failure advised --run-dir, RAMBO_ENV_CACHE
    import agents.behaviour

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "minari"))
    beh = tmp_path / "beh"
    cli = load_script("make_dataset")

    def fail(cfg, out, **kwargs):
        raise _full_disk_error(out / "checkpoints" / "actor_2500.pt")

    monkeypatch.setattr(agents.behaviour, "train_behaviour", fail)
    assert cli.main(_make_dataset_argv(tmp_path, beh)) == 2
    err = capsys.readouterr().err
    assert "(or write elsewhere: --behaviour-dir) and rerun" in err and "--run-dir" not in err
