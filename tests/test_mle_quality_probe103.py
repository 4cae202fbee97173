"""Probe 103 row 20: mle_quality.py's CSV names which holdout MSE each column holds."""

from __future__ import annotations

import csv

import pytest

from rambo_env import bench
from tests.scripts import load_script


def test_the_csv_names_its_members_and_elites_columns(tmp_path):
    # probe 103 row 20: was one column holdout_mse (all 7 members' mean, 0.2147) while the script
    # printed the elites' holdout MSE after the restore (0.19761), neither said which
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=600)
    path = data.to_npz(tmp_path / "tiny.npz")
    out = tmp_path / "mle.csv"
    results = load_script("mle_quality").main(
        ["--dataset", str(path), "--variants", "64:1e-3,128:3e-4", "--max-epochs", "2",
         "--device", "cpu", "--out", str(out)]
    )  # fmt: skip
    with out.open() as f:
        reader = csv.DictReader(f)
        rows, header = list(reader), reader.fieldnames
    assert "holdout_mse_mean_of_members" in header and "elites_holdout_mse_final" in header
    assert "holdout_mse" not in header
    assert all(float(r["holdout_mse_mean_of_members"]) > 0 for r in rows)
    by_batch = {b: [r for r in rows if r["batch"] == b] for b in ("64", "128")}
    for result, batch in zip(results, ("64", "128"), strict=True):
        last = by_batch[batch][-1]
        assert float(last["elites_holdout_mse_final"]) == pytest.approx(result["elite_holdout_mse"])
        assert all(r["elites_holdout_mse_final"] == "" for r in by_batch[batch][:-1])


def test_a_csv_of_before_keeps_its_rows_under_the_new_name(tmp_path):
    data = bench.synthetic_dataset(bench.BenchConfig.quick(), n=600)
    path = data.to_npz(tmp_path / "tiny.npz")
    out = tmp_path / "mle.csv"
    out.write_text("batch,lr,precision,epoch,seconds,holdout_mse\n256,0.0003,fp32,1,14.1,0.0689\n")
    load_script("mle_quality").main(
        ["--dataset", str(path), "--variants", "64:1e-3", "--max-epochs", "1", "--device", "cpu",
         "--out", str(out)]
    )  # fmt: skip
    rows = list(csv.DictReader(out.open()))
    assert (rows[0]["batch"], rows[0]["holdout_mse_mean_of_members"]) == ("256", "0.0689")
    assert len(rows) == 2


def test_help_says_which_holdout_mse(capsys):
    with pytest.raises(SystemExit):
        load_script("mle_quality").main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "holdout_mse_mean_of_members" in out and "elites_holdout_mse_final" in out
