"""Probe 144 row 7: ``OMP_NUM_THREADS=2,1`` (OpenMP's list of nested levels, which libgomp
accepts) was called "not a positive int: ignored" and its outer cap dropped by auto threads."""

from __future__ import annotations

import pytest

from rambo_env import host_limits, run_io


@pytest.fixture
def four_cores(monkeypatch):
    monkeypatch.setattr(host_limits, "allocated_cores", lambda: (4, ""))
    monkeypatch.setattr(host_limits, "torch_processes", lambda: [])


def test_the_outer_level_of_a_nested_list_caps_auto(monkeypatch, four_cores):
    monkeypatch.setenv("OMP_NUM_THREADS", "2,1")
    threads, why = run_io.resolve_torch_threads(None)
    assert threads == 2
    assert why.startswith("OMP_NUM_THREADS='2,1' (outer level 2), below auto's 4")
    monkeypatch.setenv("OMP_NUM_THREADS", " 8 , 2 ")
    threads, why = run_io.resolve_torch_threads(None)
    assert threads == 4 and "(outer level 8) is above auto's 4" in why
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # a single level: said as before
    assert run_io.resolve_torch_threads(None)[1].startswith("OMP_NUM_THREADS=3, below")


@pytest.mark.parametrize("value", ["2,", ",2", "2,0", "2;1", "2,x"])
def test_a_list_that_is_not_positive_ints_is_still_ignored(monkeypatch, four_cores, value):
    monkeypatch.setenv("OMP_NUM_THREADS", value)
    threads, why = run_io.resolve_torch_threads(None)
    assert threads == 4 and f"OMP_NUM_THREADS={value!r} is not a positive int: ignored" in why
