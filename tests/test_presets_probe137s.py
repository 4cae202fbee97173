"""Probe 132: ``RamboBaseHyperparameters`` (the Table 4 constants, ``BASE_HYPERPARAMETERS``) took
any ``hidden_dims`` (``(256, 0)``, ``()``, ``"256"``) and any other value: each field is now
checked, one ValueError naming the field and the value."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rambo_env.presets import BASE_HYPERPARAMETERS, RamboBaseHyperparameters


@pytest.mark.parametrize("bad", [(256, 0), (), "256", 256, (8.0,), (True,), None, (-1, 8)])
def test_bad_hidden_dims_are_refused_naming_the_field_and_value(bad):
    with pytest.raises(ValueError) as err:
        dataclasses.replace(BASE_HYPERPARAMETERS, hidden_dims=bad)
    message = str(err.value)
    assert message.startswith("RamboBaseHyperparameters.hidden_dims: expected a non-empty tuple")
    assert f"got {bad!r}" in message


def test_good_hidden_dims_are_kept_as_a_tuple_of_ints():
    assert BASE_HYPERPARAMETERS.hidden_dims == (256, 256)
    assert RamboBaseHyperparameters(hidden_dims=[64]).hidden_dims == (64,)
    dims = RamboBaseHyperparameters(hidden_dims=np.array([8, 8])).hidden_dims
    assert dims == (8, 8) and all(type(h) is int for h in dims)


@pytest.mark.parametrize(
    ("field", "bad", "expect"),
    [
        ("batch_size", 0, "an int >= 1"),
        ("n_iterations", 2.5, "an int >= 1"),
        ("gamma", 1.5, "in (0, 1]"),
        ("real_ratio", -0.1, "in [0, 1]"),
        ("critic_lr", float("nan"), "> 0 (finite)"),
        ("n_elites", 9, "at most n_members = 7"),
    ],
)
def test_the_other_fields_are_checked_too(field, bad, expect):
    with pytest.raises(ValueError, match=rf"^RamboBaseHyperparameters\.{field}: expected") as err:
        RamboBaseHyperparameters(**{field: bad})
    assert expect in str(err.value)
