"""Probe 55's script findings: a flag given twice, counts written as 1e3, defaults in --help, a
diverged run's curve, the early memory refusal's k, --json under a file."""

from __future__ import annotations

import json

import pytest

from agents.memory import check_memory
from tests.scripts import load_script
from tests.test_curves import _log


def _refused(call, capsys) -> str:
    with pytest.raises(SystemExit) as exit_info:
        call()
    assert exit_info.value.code == 2
    return capsys.readouterr().err


@pytest.mark.parametrize(
    ("script", "argv", "expected"),
    [
        (
            "make_dataset",
            ["--env", "hopper", "--env", "walker2d", "--level", "random"],
            "--env given twice (hopper vs walker2d); give it once",
        ),
        (
            "make_dataset",
            ["--env", "hopper", "--level", "random", "--seed", "1", "--seed", "2"],
            "--seed given twice (1 vs 2); give it once",
        ),
        (
            "toys",
            ["--steps", "10", "--steps", "20"],
            "--steps given twice (10 vs 20); give it once",
        ),
        ("diagnose", ["--seed", "1", "--seed", "2", "run"], "--seed given twice (1 vs 2)"),
        ("curves", ["--out", "a/x", "--out", "b/x", "A=run"], "--out given twice (a/x vs b/x)"),
        ("ledger", ["--ledger", "a", "--ledger", "b", "run"], "--ledger given twice (a vs b)"),
        ("bench", ["--threads", "1", "--threads", "2"], "--threads given twice (1 vs 2)"),
        (
            "port_kit_dynamics",
            ["k.pt", "--seed", "1", "--seed", "2"],
            "--seed given twice (1 vs 2)",
        ),
        ("mle_quality", ["--seed", "1", "--seed", "2"], "--seed given twice (1 vs 2)"),
    ],
)
def test_a_flag_given_twice_is_refused_by_every_script(script, argv, expected, capsys, monkeypatch):
    """Probe 55 row 41: ``make_dataset.py --env hopper --env walker2d`` wrote walker2d data
    without a word (argparse keeps the last value); cotrain.py and sweep.py refused it."""
    module = load_script(script)
    monkeypatch.setattr(module, "run", lambda *a: pytest.fail("must not start"), raising=False)
    if script == "make_dataset":
        err = _refused(lambda: module.parse_args(argv), capsys)
    elif script == "diagnose":
        err = _refused(lambda: module._diagnose(argv), capsys)
    else:
        err = _refused(lambda: module.main(argv), capsys)
    assert expected in err, err


def test_toys_and_diagnose_counts_take_1e3(capsys):
    """Probe 55 row 29: ``toys.py --steps 1e3`` / ``diagnose.py --n-starts 1e3`` were argparse's
    "invalid int value" while cotrain.py takes 1e3 (``run_io.whole_number``)."""
    toys = load_script("toys").build_parser()
    args = toys.parse_args(["--steps", "1e3", "--seeds", "0", "2e0", "--iterations", "1e1"])
    assert (args.steps, args.seeds, args.iterations) == (1000, [0, 2], 10)
    diagnose = load_script("diagnose").build_parser()
    args = diagnose.parse_args(
        ["run", "--n-starts", "1e3", "--n-episodes", "4e1", "--max-steps", "1e3", "--seed", "1e0"]
    )
    assert (args.n_starts, args.n_episodes, args.max_steps, args.seed) == (1000, 40, 1000, 1)
    port = load_script("port_kit_dynamics").build_parser()  # session 33: counts were type=int
    args = port.parse_args(["k.pt", "--seed", "1e0", "--mle-max-epochs", "2e0"])
    assert (args.seed, args.mle_max_epochs) == (1, 2)
    err = _refused(lambda: toys.parse_args(["--steps", "1.5e0"]), capsys)
    assert "argument --steps: '1.5e0' is not a whole number (such as 1000, 1e3 or 2.5e5)" in err
    bench = load_script("bench")  # its one count: --threads (checked >= 1 after the parse)
    err = _refused(lambda: bench.main(["--quick", "--threads", "0e0"]), capsys)
    assert "--threads: expected >= 1, got 0" in err, err


@pytest.mark.parametrize(
    ("script", "defaults"),
    [
        (
            "toys",
            [
                "which toy (default: both)",
                "(default: 0.03 0.0)",
                "one run each (default: 0)",
                "(default: the paper's: single 50, illustrative 15)",
                "steps/iter (default: 1000)",
                "(default: runs/toys, under the working",
                "(default: fp32)",
            ],
        ),
        (
            "diagnose",
            [
                "replayed (default: 500)",
                "episodes (default: 40)",
                "cap (default: 1000)",
                "random seed (default: 0)",
                "(default: the run's device)",
            ],
        ),
    ],
)
def test_toys_and_diagnose_help_shows_each_default(script, defaults, capsys, monkeypatch):
    """Probe 55 row 30: their --help showed no default (toys.py's --out runs/toys is relative to
    the working folder); cotrain.py's shows each."""
    monkeypatch.setenv("COLUMNS", "200")  # one line per flag
    with pytest.raises(SystemExit) as exit_info:
        load_script(script).build_parser().parse_args(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for default in defaults:
        assert default in out, (default, out)


def test_curves_names_a_run_that_diverged(tmp_path, capsys):
    """Probe 55 row 22: a diverged run (results.json status 'diverged') was plotted as "0
    iterations" without a word of why its curve ends; killed and stopped runs were named."""
    run = tmp_path / "run"
    _log(run, {0: {"eval/normalized_score": 5.0}, 1: {"rambo/q_avg": 1.0}})
    (run / "config.json").write_text(json.dumps({"config": {"n_iterations": 3}}))
    reason = "adversary: the dynamics model's weights became non-finite"
    (run / "results.json").write_text(
        json.dumps({"status": "diverged", "diverged_at": {"iteration": 2, "reason": reason}})
    )
    assert load_script("curves").main([f"N={run}", "--out", str(tmp_path / "o" / "cmp")]) == 0
    out = capsys.readouterr().out
    assert (
        f"N: its run diverged at iteration 2 of 3 (results.json: {reason}); its curve ends "
        "there, at iteration 1 (its last good checkpoint)"
    ) in out, out


def test_the_early_memory_refusal_says_k_is_not_known_yet():
    """Probe 55 row 12: the refusal before the dataset load showed "× 1 ×" for k, a stand-in;
    the run's k came from its preset (2). A k not known yet is said so."""
    with pytest.raises(ValueError) as err:
        check_memory(10**20, 1, 5, 200, 1, 1, available=2**30, lower_bound=True, k_known=False)
    assert (
        "the model pool of 100000000000000000000 × k (≥ 1) × 5 = at least 500000000000000000000 "
        "rows needs at least ~"
    ) in str(err.value)


def test_cotrain_early_memory_refusal_uses_the_presets_k(monkeypatch):
    """Probe 55 row 12: ``cotrain.py --dataset hopper-random --n-rollouts 1e20`` said "× 1 ×";
    the hopper-random preset's k (2) is known before the load and is used."""
    from agents import cotrain_setup, memory
    from agents.cotrain import CotrainConfig
    from rambo_env.data import loaders

    monkeypatch.setattr(memory, "available_memory_bytes", lambda: 2**30)
    monkeypatch.setattr(loaders, "load_dataset", lambda *a, **k: pytest.fail("after the load"))
    cfg = CotrainConfig(dataset="hopper-random", n_rollouts=10**20, device="cpu", progress=False)
    with pytest.raises(ValueError) as err:
        cotrain_setup.build_session(cfg)
    assert "the model pool of 100000000000000000000 × 2 × 5 = " in str(err.value), err.value


def test_bench_json_under_a_file_is_named_a_file_not_a_missing_folder(tmp_path, capsys):
    """Probe 55 row 47: ``--json afile/x.json`` with afile a plain file advised ``mkdir -p
    afile``, which fails on an existing file; so did a folder below a file."""
    bench = load_script("bench")
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    for path in (a_file / "x.json", a_file / "sub" / "x.json"):
        err = _refused(lambda p=path: bench.main(["--quick", "--json", str(p)]), capsys)
        assert (
            f"--json: {a_file} is a file, not a folder; the benchmark writes into an existing "
            "folder: name another --json path"
        ) in err, err
        assert "mkdir" not in err
    err = _refused(
        lambda: bench.main(["--quick", "--json", str(tmp_path / "a b" / "x.json")]), capsys
    )
    assert f"create it first (mkdir -p '{tmp_path / 'a b'}')" in err, err
