"""scripts/mle_quality.py (issue 12, time-to-quality) and the log-var floor check (issue 15)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest
import torch

from rambo_env import bench
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from tests.scripts import load_script, python_path


def _load_script():
    return load_script("mle_quality")


def test_logvar_at_floor_flags_dims_on_the_lower_bound():
    ensemble = GaussianEnsemble(3, 1, EnsembleConfig(n_members=3, n_elites=2, hidden_dims=(8, 8),
                                                     weight_decays=(0.0, 0.0, 0.0)))  # fmt: skip
    x = torch.randn(50, 4)
    with torch.no_grad():
        ensemble.min_logvar.fill_(-100.0)
    assert not ensemble.logvar_at_floor(x).any()
    with torch.no_grad():
        ensemble.min_logvar.fill_(0.9)  # just under max_logvar = 1: every prediction is pinned
    assert ensemble.logvar_at_floor(x).all()
    with torch.no_grad():
        ensemble.min_logvar[0] = -100.0
    assert ensemble.logvar_at_floor(x).tolist() == [False, True, True, True]
    # With targets: only dims whose actual error is below the bound too (noisier than the data).
    with torch.no_grad():
        mean, _ = ensemble.forward_inputs(x, ensemble.elite_idx)
    y = mean.mean(0).clone()  # error ~ member spread only
    y[:, 2] += 100.0  # a dim whose error is far above the bound: not flagged
    assert ensemble.logvar_at_floor(x, y).tolist() == [False, True, False, True]


def test_mle_quality_trains_each_variant_and_writes_the_csv(tmp_path):
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=600)
    path = data.to_npz(tmp_path / "tiny.npz")
    out = tmp_path / "mle.csv"
    results = _load_script().main(["--dataset", str(path), "--variants", "64:1e-3,128:3e-4:bf16",
                                   "--max-epochs", "2", "--device", "cpu", "--out", str(out),
                                   "--n-transitions", "500"])  # fmt: skip
    assert [(r["batch"], r["lr"], r["precision"], r["epochs"]) for r in results] == [
        (64, 1e-3, "fp32", 2), (128, 3e-4, "bf16", 2),
    ]  # fmt: skip
    assert all(0 <= r["logvar_at_floor_dims"] <= r["target_dims"] == 12 for r in results)
    rows = list(csv.DictReader(out.open()))
    assert {r["precision"] for r in rows} == {"fp32", "bf16"}
    assert [(r["batch"], r["epoch"]) for r in rows] == [
        ("64", "1"),
        ("64", "2"),
        ("128", "1"),
        ("128", "2"),
    ]
    assert all(
        float(r["seconds"]) > 0 and float(r["holdout_mse_mean_of_members"]) > 0 for r in rows
    )


def test_an_interrupted_run_keeps_the_variants_it_finished(tmp_path, monkeypatch):
    """The CSV was written only after the last variant: a run of hours killed in its last
    variant kept nothing. Now it is rewritten after every variant."""
    script = _load_script()
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=600)
    path = data.to_npz(tmp_path / "tiny.npz")
    out = tmp_path / "mle.csv"
    real_train = script.train_mle
    calls = {"n": 0}

    def interrupted_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real_train(*args, **kwargs)

    monkeypatch.setattr(script, "train_mle", interrupted_second)
    with pytest.raises(KeyboardInterrupt):
        script.main(["--dataset", str(path), "--variants", "64:1e-3,128:3e-4", "--max-epochs",
                     "2", "--device", "cpu", "--out", str(out)])  # fmt: skip
    rows = list(csv.DictReader(out.open()))
    assert [(r["batch"], r["epoch"]) for r in rows] == [("64", "1"), ("64", "2")]
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file


def test_a_checkpointed_variant_continues_where_a_smaller_budget_stopped(tmp_path):
    """--checkpoint-dir: a measurement to the official stop (hours) spans sessions; the larger
    budget continues the smaller one's epochs and ends with the uninterrupted run's numbers."""
    script = _load_script()
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=600)
    path = data.to_npz(tmp_path / "tiny.npz")
    args = ["--dataset", str(path), "--variants", "64:1e-3", "--device", "cpu"]
    ckpt = tmp_path / "ckpt"
    script.main([*args, "--max-epochs", "2", "--checkpoint-dir", str(ckpt)])
    (kept,) = ckpt.iterdir()
    assert kept.name == f"mle_quality-{data.fingerprint()[:12]}-s0-b64-lr0.001-fp32.partial.pt"
    # probe 26: the name held only the variant, so another dataset's run overwrote this one's
    other = bench.synthetic_dataset(bench.BenchConfig.quick(), n=500).to_npz(tmp_path / "b.npz")
    script.main(["--dataset", str(other), "--variants", "64:1e-3", "--device", "cpu",
                 "--max-epochs", "1", "--checkpoint-dir", str(ckpt)])  # fmt: skip
    assert len(list(ckpt.iterdir())) == 2 and kept.is_file()
    out = tmp_path / "mle.csv"
    (resumed,) = script.main([*args, "--max-epochs", "4", "--checkpoint-dir", str(ckpt),
                              "--out", str(out)])  # fmt: skip
    (fresh,) = script.main([*args, "--max-epochs", "4"])
    assert resumed["epochs"] == fresh["epochs"] == 4
    assert resumed["elite_holdout_mse"] == fresh["elite_holdout_mse"]  # bitwise, same device
    assert [r["epoch"] for r in csv.DictReader(out.open())] == ["1", "2", "3", "4"]
    with pytest.raises(ValueError, match=r"--checkpoint-dir: folder .*tiny.npz is not a folder"):
        script.main([*args, "--max-epochs", "1", "--checkpoint-dir", str(path)])


@pytest.mark.parametrize(
    "bad",
    ["256", "256:x", "0:1e-3", "256:-1", "256:inf", "256:3e-4,256:0.0003", "256:3e-4:fp16",
     "1:1:bf16:x", "256:3e-4,256:3e-4:fp32"],
)  # fmt: skip
def test_mle_quality_bad_variants_name_the_flag(bad):
    with pytest.raises(ValueError, match="--variants"):
        _load_script().main(["--variants", bad, "--dataset", "missing.npz"])  # no data loaded


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (
            "100",
            r"--min-logvar-init: EnsembleConfig.init_min_logvar: expected a number in \[-80, 80\]",
        ),
        ("nan", r"--min-logvar-init: .*got nan"),
        ("5", r"--min-logvar-init: EnsembleConfig.init_min_logvar=5.0 must be < init_max_logvar"),
    ],
)
def test_mle_quality_bad_min_logvar_init_is_named_before_the_load(bad, match):
    """Probe 20: --min-logvar-init 100 (or NaN, or above the upper bound) was checked per
    variant, after the dataset load (minutes for a dataset generated on first use), and named
    EnsembleConfig's field, not the flag."""
    with pytest.raises(ValueError, match=match):  # a missing dataset: nothing was loaded
        _load_script().main(["--min-logvar-init", bad, "--dataset", "missing.npz"])


def test_mle_quality_bad_out_is_an_error_before_training(tmp_path, monkeypatch):
    script = _load_script()

    def no_training(*args, **kwargs):
        raise AssertionError("trained before --out was checked")

    monkeypatch.setattr(script, "train_mle", no_training)
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=600)
    path = str(data.to_npz(tmp_path / "tiny.npz"))
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    ro = tmp_path / "read-only"
    ro.mkdir()
    ro.chmod(0o500)
    cases = [(tmp_path, "is a folder"), (a_file / "mle.csv", "is not a folder")]
    if os.geteuid() != 0:  # root writes anywhere
        cases.append((ro / "mle.csv", "is not writable"))
    cases.append((Path("/proc/mle.csv"), "is not writable"))  # was a raw errno after training
    cases.append((tmp_path / "mle.json", r"ends in .json, but the file written is CSV"))  # probe 13
    for out, match in cases:
        with pytest.raises(ValueError, match=f"--out: .*{match}"):
            script.main(["--dataset", path, "--max-epochs", "1", "--out", str(out)])
    with pytest.raises(SystemExit):  # probe 17: was a FILE named "new" (the CSV)
        script.main(["--dataset", path, "--max-epochs", "1", "--out", f"{tmp_path}/new/"])
    assert not (tmp_path / "new").exists()
    with pytest.raises(SystemExit):  # probe 9 (was a bare errno); probe 11: argparse's error
        script.main(["--dataset", path, "--out", str(tmp_path / ("x" * 300 + ".csv"))])
    # was: --max-epochs 0 refused by MLEConfig after the dataset load; --seed -1 accepted
    monkeypatch.setattr(script, "load_dataset", lambda *a, **k: pytest.fail("dataset loaded"))
    for flags, match in ((["--max-epochs", "0"], "--max-epochs: expected >= 1, got 0"),
                         (["--seed", "-1"], "--seed: expected >= 0, got -1"),
                         (["--seed", str(2**31)], r"--seed: 2147483648 is too large: expected an "
                                                  r"int in \[0, 2\*\*31\)")):  # fmt: skip
        with pytest.raises(ValueError, match=match):
            script.main(["--dataset", path, *flags])


def test_mle_quality_main_prints_one_error_line(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    proc = subprocess.run(
        [sys.executable, str(root / "scripts" / "mle_quality.py"), "--dataset",
         str(tmp_path / "missing.npz"), "--out", str(tmp_path / "ok.csv")],
        capture_output=True, text=True, cwd=root, env={**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])},
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stderr.startswith("error:"), proc.stderr
    assert "Traceback" not in proc.stderr


def test_subset_refuses_more_than_the_dataset_and_marks_fragment_ends(capsys):
    """Probe 9: ``--n-transitions 1000000`` on a smaller dataset silently trained on all of it; a
    subset's rows warned as "episode ends without a flag" (the README's own bf16 command)."""
    from tests.data.data_helpers import make_dataset

    script = _load_script()
    data = make_dataset(episode_lengths=(40, 30), terminal_last=(True, False))
    with pytest.raises(ValueError, match=r"--n-transitions: 71 > the 70 transitions of dataset"):
        script.subset(data, 71)
    assert script.subset(data, 70) is data
    capsys.readouterr()
    part = script.subset(data, 20)
    assert part.n_transitions == 20
    assert part.unmarked_episode_ends().size == 0
    assert "without a flag" not in capsys.readouterr().out
    assert not (part.terminals & part.timeouts).any()
    assert part.terminals.sum() <= 1


def test_mle_quality_checks_the_torch_compile_cache_before_the_load(tmp_path, monkeypatch):
    """Probe 9: a bad TORCHINDUCTOR_CACHE_DIR failed at the first Adam with a bare Errno 2."""
    script = _load_script()
    monkeypatch.setenv("TORCHINDUCTOR_CACHE_DIR", str(tmp_path / "a-file" / "x"))
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setattr(script, "load_dataset", lambda *a, **k: pytest.fail("dataset loaded first"))
    with pytest.raises(ValueError, match=r"^TORCHINDUCTOR_CACHE_DIR: torch's compile cache"):
        script.main(["--dataset", "x.npz", "--variants", "256:3e-4"])


def test_mle_quality_warns_of_emulated_bf16_before_the_load(monkeypatch, capsys):
    """Probe 9: a bf16 variant on a CPU without native bf16 ran silently 8.5x slower, so a
    --max-time-s comparison starved it; cotrain warned, mle_quality did not."""
    script = _load_script()
    monkeypatch.setattr(script, "native_bf16", lambda device: False)

    def stop(name, env_id=None):
        raise ValueError("stop here")

    monkeypatch.setattr(script, "load_dataset", stop)
    with pytest.raises(ValueError, match="stop here"):
        script.main(["--dataset", "x.npz", "--variants", "256:3e-4,256:3e-4:bf16"])
    assert "WARNING: bf16 variant(s) on hardware without native bf16" in capsys.readouterr().out
    with pytest.raises(ValueError, match="stop here"):
        script.main(["--dataset", "x.npz", "--variants", "256:3e-4"])
    assert "bf16" not in capsys.readouterr().out


def test_the_script_reports_a_user_error_as_every_script_does():
    """Probe 13: mle_quality.py printed a bare ``error: …`` line of its own: RAMBO_ENV_TRACEBACK=1
    showed no traceback (so a bug's ValueError could not be traced) and the hint line was missing."""
    import subprocess
    import sys

    from tests.scripts import REPO

    argv = [sys.executable, str(REPO / "scripts" / "mle_quality.py"), "--max-epochs", "0"]
    env = {**os.environ, "PYTHONPATH": python_path(), "RAMBO_ENV_TRACEBACK": ""}
    plain = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert plain.returncode == 2 and plain.stderr.startswith("error: --max-epochs: expected >= 1")
    assert "RAMBO_ENV_TRACEBACK=1 shows the traceback" in plain.stderr
    env["RAMBO_ENV_TRACEBACK"] = "1"
    traced = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert traced.returncode == 1 and "Traceback" in traced.stderr


def test_a_batch_above_the_training_split_is_refused_before_training(tmp_path, monkeypatch):
    """Probe 32: ``--variants 5000:3e-4`` on a 3000-row dataset trained one full batch per epoch
    and labelled its rows "batch 5000"."""
    script = _load_script()
    monkeypatch.setattr(script, "train_mle", lambda *a, **k: pytest.fail("trained"))
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=600)
    path = str(data.to_npz(tmp_path / "tiny.npz"))
    with pytest.raises(ValueError) as err:
        script.main(["--dataset", path, "--variants", "64:1e-3,541:3e-4", "--max-epochs", "1"])
    assert str(err.value) == (
        "--variants: batch size above the training split in ['541:0.0003:fp32']: the dataset's "
        "600 transitions leave 540 for training after the 60-transition holdout, so each epoch "
        "would be one batch of them all, not that batch size; use batches of at most 540, or "
        "more data (--n-transitions, a larger --dataset)"
    )


def test_an_existing_out_csv_keeps_its_other_variants_rows(tmp_path, capsys):
    """Issue 14 (finding 26): --out naming an earlier run's CSV replaced its rows without a word."""
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=300)
    path = data.to_npz(tmp_path / "tiny.npz")
    out = tmp_path / "mle.csv"
    args = ["--dataset", str(path), "--max-epochs", "1", "--device", "cpu", "--out", str(out)]
    script = _load_script()
    script.main([*args, "--variants", "64:1e-3"])
    capsys.readouterr()
    script.main([*args, "--variants", "128:3e-4,64:1e-3:bf16"])
    assert f"note: --out {out} holds 1 row(s) of earlier variant(s) (64:0.001 (" in (
        capsys.readouterr().out
    )
    script.main([*args, "--variants", "128:3e-4"])  # run again: replaces its own row only
    rows = list(csv.DictReader(out.open()))
    assert [(r["batch"], r["precision"]) for r in rows] == [
        ("64", "fp32"),
        ("64", "bf16"),
        ("128", "fp32"),
    ]
    assert {r["dataset"] for r in rows} == {data.name}
    out.write_text("a,b\n1,2\n")
    with pytest.raises(ValueError, match=r"exists but is not a mle_quality CSV"):
        script.main([*args, "--variants", "64:1e-3"])


def test_a_write_failure_advises_the_scripts_own_output_flags(tmp_path, monkeypatch):
    """Issue 14: a file-size limit (ulimit -f) on the checkpoint advised --run-dir /
    RAMBO_ENV_CACHE, which mle_quality does not take."""
    import errno

    from rambo_env.run_io import WriteFailedError

    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=300)
    path = data.to_npz(tmp_path / "tiny.npz")
    script = _load_script()
    target = tmp_path / "ck" / "x.partial.pt"

    def too_large(*args, **kwargs):
        raise WriteFailedError(target, OSError(errno.EFBIG, "File too large"))

    monkeypatch.setattr(script, "train_mle", too_large)
    with pytest.raises(OSError, match=r"x\.partial\.pt: not written \(File too large\)") as e:
        script.main(["--dataset", str(path), "--variants", "64:1e-3", "--device", "cpu"])
    # probe 69 row 28: the flag of the file that failed (was "--checkpoint-dir, --out")
    assert "(--checkpoint-dir)" in str(e.value) and "--run-dir" not in str(e.value)


def test_env_id_names_the_env_of_a_file_that_names_none(tmp_path, capsys):
    """Probe 42: the loader's advice "pass env_id=... (--env-id)" named a flag mle_quality.py
    lacked ("unrecognized arguments: --env-id")."""
    from tests.scripts import pendulum_hdf5

    path = str(pendulum_hdf5(tmp_path / "pendulum.hdf5"))
    flags = ["--dataset", path, "--variants", "64:1e-3", "--max-epochs", "1", "--device", "cpu"]
    _load_script().main([*flags, "--env-id", "Pendulum-v1"])
    out = capsys.readouterr().out
    assert "env Pendulum-v1)" in out and "names no Gymnasium env" not in out


def test_mle_quality_help_says_each_default(capsys):
    """Probe 59: only port_kit_dynamics.py's --help said its defaults."""
    with pytest.raises(SystemExit):
        _load_script().main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    for default in ("hopper-medium", "256:3e-4,1024:1e-3,4096:3e-3", "300.0", "-6.0", "auto"):
        assert f"(default: {default})" in out or f"default: {default})" in out, default
    assert out.count("(default: ") >= 6, out
