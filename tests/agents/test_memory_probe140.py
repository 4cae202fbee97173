"""Probe 140: ``check_memory``'s ensemble message ("only … of memory is left beside the model
pool") was the one memory check that did not say where its figure came from when a limit of
this process (a cgroup's, ``ulimit -v``) bound it and the host had the room."""

from __future__ import annotations

import pytest

from agents.memory import check_memory
from tests.test_run_io_probe137s import GIB, _rooms


def test_the_ensemble_message_names_the_cgroup_limit(monkeypatch):
    _rooms(monkeypatch, 20 * GIB, None, GIB)
    with pytest.raises(
        ValueError,
        match=r"ensemble_hidden: 100000 .* left beside the model pool under this process's "
        r"cgroup memory limit .*; use a smaller ensemble_hidden",
    ):
        check_memory(1000, 1, 1, 100_000, 11, 3)


def test_the_ensemble_message_names_no_limit_for_a_given_figure(monkeypatch):
    _rooms(monkeypatch, 20 * GIB, None, GIB)
    with pytest.raises(ValueError, match=r"left beside the model pool; use a smaller") as err:
        check_memory(1000, 1, 1, 100_000, 11, 3, available=GIB)
    assert "limit" not in str(err.value)


def test_the_address_space_limit_alone_is_named_as_the_cause(monkeypatch):
    _rooms(monkeypatch, 20 * GIB, GIB, None)
    # ~4 GiB: more than the 1 GiB under the limit, less than the host's 20 GiB
    with pytest.raises(ValueError, match=r"not enough memory for the model pool and the dynamics"):
        check_memory(1000, 1, 1, 3000, 11, 3)
