"""Probe 137: ``toys.py --lam -0 0`` ran λ = 0 twice (folders ``single-lam-0-s0`` and
``single-lam0-s0``, a summary row of λ = -0.0): a negative zero is 0, as cotrain.py and sweep.py
take it, so the duplicate check refuses it; toys.py's own options for another codebase's names."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

toys = load_script("toys")


def test_negative_zero_is_the_same_lambda_as_zero(tmp_path, capsys):
    argv = ["--toy", "single", "--lam", "-0", "0", "--iterations", "1", "--steps", "10"]
    with pytest.raises(SystemExit) as stop:
        toys.main([*argv, "--out", str(tmp_path / "t")])
    assert stop.value.code == 2
    said = capsys.readouterr().err
    assert "['single-lam0-s0'] would be run more than once" in said
    assert not (tmp_path / "t").exists()


def test_a_lone_negative_zero_is_named_zero(monkeypatch, tmp_path):
    seen = []
    monkeypatch.setattr(
        toys, "check_run_dirs", lambda out, runs, configs: seen.extend(runs) or 1 / 0
    )
    with pytest.raises(ZeroDivisionError):
        toys.main(["--toy", "single", "--lam", "-0", "--out", str(tmp_path / "t")])
    assert [(toy, str(lam)) for toy, lam, _ in seen] == [("single", "0.0")]
    assert toys.run_dir_name(*seen[0]) == "single-lam0-s0"


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["--epoch", "5"], "here it is --iterations: it counts iterations of --steps agent steps"),
        (["--agent-steps-per-iteration", "5"], "cotrain.py's option; this script's is --steps"),
        (["--n-epochs", "5"], "here it is --iterations"),
    ],
)
def test_other_names_point_to_toys_own_options(capsys, argv, meant):
    with pytest.raises(SystemExit) as stop:
        toys.main(argv)
    assert stop.value.code == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert meant in line
    assert "no option of this script: set it with cotrain.py) (" not in line
    assert "here it is the config field" not in line
