"""Probe 137: sweep.py's refusal of cotrain.py's ``--critic-layer-norm`` / ``--compile`` said the
trials take their preset's value "none" (read as off), where None is auto (LayerNorm on for sac /
tqc; compile on at 20+ iterations)."""

from __future__ import annotations

import pytest

from tests.scripts import load_script

sweep = load_script("sweep")


def _line(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        sweep.main(argv)
    assert stop.value.code == 2
    return capsys.readouterr().err.strip().splitlines()[-1]


@pytest.mark.parametrize("flag", ["--critic-layer-norm", "--no-critic-layer-norm"])
def test_layer_norm_is_said_auto(capsys, flag):
    line = _line(capsys, [flag])
    auto = "auto (on for sac / tqc, off for the other algos)"
    assert f"(default: {auto}, paper: {auto})" in line
    assert ": none" not in line


@pytest.mark.parametrize("flag", ["--compile", "--no-compile"])
def test_compile_is_said_auto(capsys, flag):
    line = _line(capsys, [flag])
    assert "auto (on for runs of 20 or more iterations)" in line
    assert ": none" not in line


def test_a_none_that_is_no_auto_is_still_none(capsys):
    assert "(default: none, paper: none)" in _line(capsys, ["--ent-coef-max", "1"])
