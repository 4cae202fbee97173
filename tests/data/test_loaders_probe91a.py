"""Probe 91 row 8: gym.make's warning raised as an error by the warnings filter (``python -W
error``, ``PYTHONWARNINGS=error``, pytest's ``filterwarnings = error``) is named as such, not as an
env that "is registered but cannot be made here"."""

from __future__ import annotations

import warnings

import pytest

from rambo_env import load_dataset
from rambo_env.data.dataset import DatasetValidationError

NAMED = r"gym\.make\('Hopper-v4'\) raised its DeprecationWarning as an error .*allow that warning"


def test_a_deprecation_warning_raised_as_an_error_is_named_not_cannot_be_made(monkeypatch):
    # probe 91 row 8: was "env_id: 'Hopper-v4' does not fit 'hopper-random' … 'Hopper-v4' is
    # registered but cannot be made here (DeprecationWarning: …); name an env this machine can run"
    from rambo_env.data import generate

    def generated(*args, **kwargs):
        raise AssertionError("generated")

    monkeypatch.setattr(generate, "generate_dataset", generated)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=NAMED) as caught:
            load_dataset("hopper-random", env_id="Hopper-v4")
    assert not isinstance(caught.value, DatasetValidationError)  # not the data's fault
    assert "cannot be made here" not in str(caught.value)
    assert "\x1b[" not in str(caught.value)  # gymnasium's colour codes
    with pytest.raises(AssertionError, match="generated"):  # the default filter: on to the data
        load_dataset("hopper-random", env_id="Hopper-v4")


def test_the_evaluation_env_and_the_behaviour_config_name_it_too():
    # probe 91 row 8: the evaluation env was gymnasium's raw DeprecationWarning, a behaviour
    # config's "env_id: 'Hopper-v4' cannot be built (DeprecationWarning: …)"
    from agents.behaviour import BehaviourConfig
    from rambo_env.evaluation import _make_env

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="env: " + NAMED):
            _make_env("Hopper-v4")
        with pytest.raises(ValueError, match=r"BehaviourConfig\.env_id: " + NAMED):
            BehaviourConfig("Hopper-v4", (0.0, 1.0))
