"""Probe 99 row 45: the λ > 1 warning named only --lam to a library caller and showed
1.0000001 as 1."""

from __future__ import annotations

from agents.cotrain_setup import say_large_adversary_weight


def test_the_large_lambda_warning_names_the_field_and_the_flag(capsys):
    # probe 99 row 45: was "adversary weight λ = 3 (--lam) … (--lam 3e-4)?" to run_cotrain's caller
    say_large_adversary_weight(3.0)
    out = capsys.readouterr().out
    assert "λ = 3 (adversary_weight / --lam) is far above" in out
    assert "(λ = 3e-4)?" in out


def test_a_lambda_just_above_one_is_shown_above_one(capsys):
    # probe 99 row 45: '--lam 1.0000001' was shown "λ = 1" (:g rounding)
    say_large_adversary_weight(1.0000001)
    assert "λ = 1.0000001 (adversary_weight / --lam)" in capsys.readouterr().out
