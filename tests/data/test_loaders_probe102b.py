"""Probe 102 row 24: under a small per-user process limit (``ulimit -u``) gym.make's failure to
start a thread was blamed on the env id ("'Hopper-v5' is registered but cannot be made here
(BlockingIOError: …); name an env this machine can run (e.g. Hopper-v5 …)")."""

from __future__ import annotations

import errno

import gymnasium
import pytest

from rambo_env.data import loaders
from tests.data.data_helpers import make_dataset


def test_a_thread_that_cannot_start_in_gym_make_names_the_process_limit(monkeypatch):
    def no_thread(*args, **kwargs):
        raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")

    monkeypatch.setattr(gymnasium, "make", no_thread)
    dataset = make_dataset(env_id="Hopper-v5")
    with pytest.raises(ValueError, match=r"per-user process limit.*--torch-threads 1") as caught:
        loaders.validate_for_env(dataset)
    assert "cannot be made here" not in str(caught.value)
    assert type(caught.value) is ValueError  # not the data's fault (DatasetValidationError)
