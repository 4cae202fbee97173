"""Probe 78 row 14: the simulator diagnose.py compares the model with is made with the data's
env kwargs (frame_skip=2 data were compared with the default simulator)."""

from __future__ import annotations

from rambo_env.diagnostics import make_state_setter


def test_state_setter_is_made_with_the_kwargs() -> None:
    env, _ = make_state_setter("Hopper-v5", 0, {"frame_skip": 2})
    try:
        assert env.unwrapped.frame_skip == 2
    finally:
        env.close()
    env, _ = make_state_setter("Hopper-v5")
    try:
        assert env.unwrapped.frame_skip == 4
    finally:
        env.close()
