"""Smoke test of the benchmark (issue 4) at tiny sizes: every row runs and the JSON has its keys.
No timing assertions (the machine is shared)."""

from __future__ import annotations

import json
import re

import pytest
import torch

from rambo_env import bench
from rambo_env.dynamics.ensemble import EnsembleConfig, resolve_precision
from tests.scripts import load_script


def _load_script():
    return load_script("bench")


def test_no_progress_stages_print_nothing(capsys):
    stage = _load_script()._Stages(2, None)
    stage("one")
    stage.done()
    assert capsys.readouterr() == ("", "")


def test_flop_counts_match_layer_shapes():
    # one member on one row: 2 * (14*200 + 3*200*200 + 200*24) for Hopper (obs 11, action 3)
    assert bench.ensemble_row_flops(11, 3, EnsembleConfig()) == 2 * (14 * 200 + 3 * 40_000 + 4_800)
    assert bench.mlp_flops((4, 8, 2), rows=10) == 2 * 10 * (32 + 16)
    cfg = bench.BenchConfig()
    row = bench.ensemble_row_flops(11, 3, cfg.ensemble)
    # 256 rows: rollout forward + 3x (5 elites + 7 members), plus agent terms
    assert bench.adversary_step_flops(cfg, 1.0, 10.0) == pytest.approx(
        1 + 256 * row + 21 + 3 * 256 * row * 12
    )


def test_floor_flop_counts():
    cfg = bench.BenchConfig()
    row = bench.ensemble_row_flops(11, 3, cfg.ensemble)
    # rollout: 50 000 x 5 rows, each one actor forward + ONE member forward
    assert bench.rollout_flops(cfg, 7.0) == pytest.approx(50_000 * 5 * (7.0 + row))
    # MLE: 7 members, forward + backward (3x) on 256 rows per batch
    assert bench.mle_epoch_flops(cfg, 10) == pytest.approx(3 * 10 * 256 * 7 * row)
    r = bench.floor_row(2e9, wall_s=3.0, peak_gflops=4.0, target=2.0)
    assert r["floor_s"] == pytest.approx(0.5) and r["ratio"] == pytest.approx(6.0)
    assert r["gflop"] == pytest.approx(2.0) and r["target_ratio"] == 2.0


def test_measure_reports_medians_of_repeats():
    calls = []
    t = bench.measure(lambda: calls.append(1), repeats=3, warmup=2)
    assert len(calls) == 5 and t.repeats == 3
    assert t.cpu_s >= 0 and t.wall_s >= 0
    assert t.scaled(10).wall_s == pytest.approx(10 * t.wall_s)


def test_measure_reports_the_spread_of_its_repeats(monkeypatch):
    # session 55: a row's (slowest - fastest) / median, so that a noisy run shows itself
    clock = iter([0.0, 1.0, 1.0, 3.0, 3.0, 6.0])  # repeats of 1, 2 and 3 wall seconds
    monkeypatch.setattr(bench.time, "perf_counter", lambda: next(clock))
    t = bench.measure(lambda: None, repeats=3, warmup=0)
    assert (t.wall_s, t.wall_spread) == (2.0, 1.0)
    assert t.scaled(1000).wall_spread == 1.0  # relative: extrapolation keeps it
    assert t.as_dict()["wall_spread"] == 1.0


def test_synthetic_mdp_steps_without_terminating():
    cfg = bench.BenchConfig.quick()
    dataset = bench.synthetic_dataset(cfg)
    assert dataset.observations.shape == (cfg.n_transitions, 11)
    mdp = bench.synthetic_mdp(dataset, cfg, torch.device("cpu"))
    assert mdp.ensemble.config == cfg.ensemble
    t = bench.bench_rollout_bare(mdp, None, cfg, torch.device("cpu"))
    assert t.repeats == cfg.repeats


def test_quick_benchmark_writes_all_rows(tmp_path, capsys):
    out = tmp_path / "bench.json"
    argv = ["--quick", "--threads", "1", "--device", "cpu", "--json", str(out), "--no-compile"]
    res = _load_script().main(argv)  # --no-compile: compiling takes a minute (the default: on)
    # session 55: one line per stage as it starts (a paper-size run printed nothing for minutes)
    err = capsys.readouterr().err
    stages = re.findall(r"^bench \[(\d+)/(\d+), \d+:\d\d\] (\S+)", err, flags=re.M)
    assert [int(i) for i, _, _ in stages] == list(range(1, 11)), err
    assert {n for _, n, _ in stages} == {"10"}
    assert [w for _, _, w in stages][3:7] == ["sac:", "sac_library:", "td3:", "tqc:"]
    assert re.search(r"^bench: measured in \d+:\d\d$", err, flags=re.M), err
    data = json.loads(out.read_text())
    assert set(data) == set(res)
    for key in ("meta", "rollout_vecenv", "rollout_bare_policy", "rollout_bare_model_only",
                "adversary", "agents", "iteration", "mle_epoch", "matmul_gflops",
                "matmul_gflops_best", "peak_rss_mib",
                "load_before", "load_after"):  # fmt: skip
        assert key in data, key
    assert data["meta"]["threads"] == 1 and data["meta"]["device"] == "cpu"
    assert data["meta"]["cuda_graphs"] is False  # CUDA only (session 62)
    assert all("wall_spread" in data[k] for k in ("rollout_vecenv", "rollout_bare_policy"))
    assert (
        "wall_spread" in data["adversary"]["scaled"]
        and "wall_spread" in data["mle_epoch"]["extrapolated"]
    )
    # the floors' peak is the median product; the fastest is kept beside it (session 55)
    assert data["matmul_gflops_best"].keys() == data["matmul_gflops"].keys()
    assert all(data["matmul_gflops_best"][k] >= v for k, v in data["matmul_gflops"].items())
    assert data["meta"]["threads_why"] == "as configured" and data["meta"]["compile"] is False
    # the main job's default precision: bf16 only where it is native (issue 12)
    assert data["meta"]["precision_asked"] == "auto"
    assert data["meta"]["precision"] == resolve_precision("auto", "cpu")
    assert set(data["meta"]["cpu_flags"]) <= {
        "avx2",
        "avx512f",
        "avx512_bf16",
        "amx_bf16",
        "amx_tile",
    }
    assert set(data["agents"]) == {"sac", "sac_library", "td3", "tqc"}  # sac_library: SB3's train
    assert (
        data["agents"]["sac_library"]["gflop_per_step"] == data["agents"]["sac"]["gflop_per_step"]
    )
    cfg = bench.BenchConfig.quick()
    adv = data["adversary"]
    assert adv["n_measured"] == cfg.adversary_measure and adv["n_scaled"] == cfg.adversary_steps
    assert adv["scaled"]["cpu_s"] == pytest.approx(adv["measured"]["cpu_s"] * 5)
    assert adv["path"] == "eager"  # --no-compile; compiled: "compiled whole step" (session 54)
    assert data["mle_epoch"]["batches_per_epoch"] == -(-(10_000 - 1000) // cfg.batch_size)
    assert set(data["matmul_gflops"]) == {"fp32_1t", "bf16_1t"}
    assert all(v > 0 for v in data["matmul_gflops"].values())
    it = data["iteration"]
    for key in ("direct_reduced", "components_full_cpu_s", "components_reduced_wall_s"):
        assert key in it
    floors = data["floors"]
    fp32_rows = {
        "rollout",
        "adversary",
        "sac",
        "sac_library",
        "td3",
        "tqc",
        "mle_epoch",
        "iteration",
    }
    bf16_rows = {"rollout_bf16", "adversary_bf16", "mle_epoch_bf16"}  # also vs the bf16 floor
    assert set(floors) == fp32_rows | (bf16_rows if data["meta"]["precision"] == "bf16" else set())
    peak, bf16_peak = data["matmul_gflops"]["fp32_1t"], data["matmul_gflops"]["bf16_1t"]
    for name in set(floors) & bf16_rows:
        assert floors[name]["peak_gflops"] == pytest.approx(bf16_peak), name
        assert floors[name]["wall_s"] == floors[name.removesuffix("_bf16")]["wall_s"], name
    for name, row in ((n, floors[n]) for n in fp32_rows):
        assert row["peak_gflops"] == pytest.approx(peak), name
        assert row["floor_s"] == pytest.approx(row["gflop"] / peak), name
        assert row["ratio"] == pytest.approx(row["wall_s"] / row["floor_s"]), name
        assert (
            row["target_ratio"]
            == bench.FLOOR_TARGETS[name if name in bench.FLOOR_TARGETS else "agent"]
        )
    assert floors["adversary"]["wall_s"] == adv["scaled"]["wall_s"]
    assert floors["iteration"]["gflop"] == pytest.approx(
        sum(floors[k]["gflop"] for k in ("rollout", "adversary", "sac"))
    )
    assert floors["iteration"]["wall_s"] == it["components_full_wall_s"]


def test_bad_arguments_are_one_error_line_before_the_benchmark(tmp_path, capsys, monkeypatch):
    script = _load_script()
    monkeypatch.setattr(script, "run", lambda *a: pytest.fail("the benchmark must not start"))
    a_file = tmp_path / "file"
    a_file.write_text("x")
    for flags, expected in (
        (["--threads", "0"], "--threads: expected >= 1"),  # was a raw ValueError traceback
        (["--algos", "td3"], "--algos: must include sac"),
        (["--algos", "sac,sac"], "--algos: an agent given twice"),  # was: timed twice
        (["--algos", "sac,"], "--algos: an empty item in 'sac,'"),  # probe 20: was dropped
        (["--device", "gpu"], "device: 'gpu'"),  # was a torch error
        (["--json", str(tmp_path)], "is a folder"),  # was an error AFTER the benchmark
        (["--json", str(tmp_path / "missing" / "b.json")], "does not exist; the benchmark writes"),
        (["--json", str(a_file / "b.json")], "file is a file, not a folder; the benchmark "),
        (["--json", "/proc/b.json"], "--json: folder /proc is not writable"),  # was after it
        (["--threads", "100000"], "--threads: 100000 is not in [1, "),  # was a traceback
        (["--json", str(tmp_path / "res") + "/"], "res/' ends in /, so it names a folder"),
        (["--json", str(tmp_path / "b.csv")], "b.csv ends in .csv, but the file written is JSON"),
        (
            ["--json", str(tmp_path / ("x" * 300 + ".json"))],
            "argument --json: ",
        ),  # probe 9: raw OSError; probe 11: argparse's error (run_io.user_path)
    ):
        with pytest.raises(SystemExit) as exit_info:
            script.main(["--quick", *flags])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2 and "error: " in err and expected in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]  # no leftover .tmp


def test_a_bad_cuda_graphs_setting_is_one_error_line_before_the_benchmark(capsys, monkeypatch):
    """Session 62: RAMBO_ENV_CUDA_GRAPHS is read before any measurement, on any device."""
    script = _load_script()
    monkeypatch.setattr(script, "run", lambda *a: pytest.fail("the benchmark must not start"))
    monkeypatch.setenv("RAMBO_ENV_CUDA_GRAPHS", "sometimes")
    with pytest.raises(SystemExit) as exit_info:
        script.main(["--quick", "--device", "cpu", "--no-compile"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2
    assert "error: RAMBO_ENV_CUDA_GRAPHS='sometimes': not 1 / true / yes / on" in err, err


def test_json_refuses_another_programs_file_before_the_benchmark(tmp_path, capsys, monkeypatch):
    """Probe 35: --json runs/x/results.json replaced a run's results with bench rows, after the
    benchmark and without a word. A file that is not a bench JSON is refused first; an earlier
    bench JSON may be replaced."""
    script = _load_script()
    monkeypatch.setattr(script, "run", lambda *a: pytest.fail("the benchmark must not start"))
    results = tmp_path / "results.json"
    text = json.dumps({"status": "finished", "iterations": 2})
    for body in (text, "not json", ""):
        results.write_text(body)
        with pytest.raises(SystemExit) as exit_info:
            script.main(["--quick", "--json", str(results)])
        err = capsys.readouterr().err
        assert exit_info.value.code == 2, err
        assert f"--json: {results} exists but is not a bench JSON" in err, err
        assert "pick another --json" in err and results.read_text() == body
    earlier = tmp_path / "bench.json"
    earlier.write_text(json.dumps({"meta": {"torch": "2", "threads": 1}, "agents": {}}))
    script.check_replaceable(earlier)  # an earlier benchmark's file: replaced
    script.check_replaceable(tmp_path / "new.json")  # no file yet


def test_the_synthetic_dataset_warns_about_nothing(capsys):
    """Probe 11: every bench printed "[rambo_env] WARNING: dataset 'bench-synthetic': 1998 row(s)
    end an episode without a flag …" about its own synthetic data."""
    from rambo_env import bench

    bench.synthetic_dataset(bench.BenchConfig.quick(), n=2000)
    assert "WARNING" not in capsys.readouterr().out


def test_the_help_names_the_default_presets_iterations(capsys):
    """Probe 42: ``--help`` said "the 5-iteration default"; the default preset runs 10."""
    from agents.cotrain import PRESETS
    from agents.cotrain_setup import COMPILE_MIN_ITERATIONS

    with pytest.raises(SystemExit):
        _load_script().main(["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert f"the {PRESETS['default'].n_iterations}-iteration default" in help_text
    assert f">= {COMPILE_MIN_ITERATIONS} iterations" in help_text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"n_transitions": 0}, r"BenchConfig\.n_transitions: expected an int >= 1, got 0"),
        ({"batch_size": -1}, r"BenchConfig\.batch_size: expected an int >= 1, got -1"),
        ({"batch_size": 2.5}, r"BenchConfig\.batch_size: expected an int >= 1, got 2\.5"),
        ({"repeats": 0}, r"BenchConfig\.repeats: expected an int >= 1, got 0"),
        ({"obs_dim": 0}, r"BenchConfig\.obs_dim: expected an int >= 1, got 0"),
        ({"warmup": -1}, r"BenchConfig\.warmup: expected an int >= 0, got -1"),
        ({"agent_hidden": (0,)}, r"BenchConfig\.agent_hidden: expected a non-empty tuple"),
        ({"precision": "fp16"}, r"BenchConfig\.precision: expected one of \('fp32', 'bf16'\)"),
    ],
)
def test_bench_config_refuses_bad_fields(changes, message):
    """Probe 59: each was constructed without a word (the library config had no checks)."""
    with pytest.raises(ValueError, match=message):
        bench.BenchConfig.quick().with_(**changes)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: bench.synthetic_dataset(bench.BenchConfig.quick(), n=-5),
            r"n: expected an int >= 1",
        ),
        (lambda: bench.synthetic_dataset(bench.BenchConfig.quick(), n=2.5), r"n: expected an int"),
        (lambda: bench.floor_row(1e9, 1.0, 0, None), r"peak_gflops: expected a finite number > 0"),
        (lambda: bench.floor_row(1e9, float("nan"), 10, 2), r"wall_s: expected a finite number"),
        (lambda: bench.mlp_flops([11, 256, 3], rows=-5), r"rows: expected an int >= 0, got -5"),
    ],
)
def test_bench_helpers_refuse_bad_values(call, message):
    """Probe 59: were numpy's "negative dimensions", a TypeError, a ZeroDivisionError, a silent
    ratio nan and a negative FLOP count."""
    with pytest.raises(ValueError, match=message):
        call()
