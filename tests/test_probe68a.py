"""Probe 68a: the README read literally (rows of a raw traceback and silent differences)."""

from __future__ import annotations

import sys

from PIL import Image

from rambo_env import run_io
from rambo_env.curves import plot_curves
from tests.scripts import load_script


def test_a_sweep_without_ray_is_one_error_line(tmp_path, monkeypatch, capsys):
    """``scripts/sweep.py …`` on an install without the sweep extra (the README's first install
    line) was a 30-line chained traceback ending in "sweeps need Ray Tune: pip install …"."""
    sweep_cli = load_script("sweep")
    monkeypatch.setitem(sys.modules, "ray", None)
    argv = ["--datasets", "hopper-medium", "--sweep-dir", str(tmp_path / "sw"), "--iterations", "1"]
    assert sweep_cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: sweeps need Ray Tune: pip install -e '.[sweep]'"), err
    assert "Traceback" not in err


def test_an_empty_omp_num_threads_is_said_to_be_unset(monkeypatch):
    """``OMP_NUM_THREADS=`` printed OpenMP's "Invalid value …" and no word of ours."""
    monkeypatch.setenv("OMP_NUM_THREADS", "")
    threads, why = run_io.resolve_torch_threads(None)
    assert threads >= 1 and "OMP_NUM_THREADS='' is empty: treated as unset" in why


def test_many_runs_get_a_legend_beside_the_panels(tmp_path):
    """20 runs' legend hid its last labels behind the next panel (41 runs: about 25 hidden)."""
    rows = [{"iteration": i, "q_avg": float(i)} for i in range(1, 4)]
    few = plot_curves(tmp_path / "few.png", {f"r{i}": rows for i in range(3)}, columns=["q_avg"])
    many = plot_curves(tmp_path / "many.png", {f"r{i}": rows for i in range(41)}, columns=["q_avg"])
    with Image.open(few) as a, Image.open(many) as b:
        assert b.width > a.width  # the figure grew to hold the legend beside the panel
