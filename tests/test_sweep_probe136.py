"""Probe 136 R4: ``sweep.py --resume-if-started`` refused for a resource flag the rerun left out
named it with Python's None, as if typed (``--max-concurrent None (the sweep's: 1)``)."""

from __future__ import annotations

import pytest

from tests.test_sweep_probe133 import FLAGS, _saved_sweep, calls, sweep

__all__ = ["calls"]  # the fixture, used by name


@pytest.mark.parametrize(
    ("flag", "said"),
    [
        (["--max-concurrent", "1"], "--max-concurrent not given (the sweep's: 1)"),
        (
            ["--cpus-per-trial", "2"],
            "--cpus-per-trial not given, 1.0 by default (the sweep's: 2.0)",
        ),
    ],
)
def test_a_resource_flag_left_out_is_said_not_given(tmp_path, calls, capsys, flag, said):
    folder = _saved_sweep(tmp_path / "sw", [*FLAGS, *flag])
    with pytest.raises(SystemExit) as stop:
        sweep.main([*FLAGS, "--sweep-dir", str(folder), "--resume-if-started"])
    assert stop.value.code == 2 and not calls
    err = capsys.readouterr().err
    assert f"holds a sweep started with other settings: {said}" in err
    assert "None" not in err


def test_a_resource_flag_given_otherwise_is_said_as_typed(tmp_path, calls, capsys):
    folder = _saved_sweep(tmp_path / "sw", [*FLAGS, "--max-concurrent", "1"])
    argv = [*FLAGS, "--max-concurrent", "2", "--sweep-dir", str(folder), "--resume-if-started"]
    with pytest.raises(SystemExit):
        sweep.main(argv)
    assert "--max-concurrent 2 (the sweep's: 1)" in capsys.readouterr().err
