"""Probe 133 row 23: make_dataset.py started its 2 default collection workers on a 1-CPU Slurm
allocation (``SLURM_CPUS_PER_TASK=1``) without a word, while cotrain.py honours the allotment. The
default stays 2 (the data depend on --workers: a 1-CPU job makes the same dataset as a 2-CPU
one); a note names the allotment."""

from __future__ import annotations

import pytest

from rambo_env import host_limits
from tests.scripts import load_script

make_dataset = load_script("make_dataset")


def _args(*argv):
    return make_dataset.parse_args(["--env", "hopper", "--level", "random", *argv])


def test_more_workers_than_the_allotted_cores_are_named(monkeypatch):
    monkeypatch.setattr(host_limits, "usable_cores", lambda: 2)
    monkeypatch.setattr(host_limits, "cgroup_cpu_limit", lambda *a: None)
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", "1")
    args = _args()
    assert args.workers == 2  # the data of a 1-CPU job are a 2-CPU job's
    note = make_dataset.workers_note(args)
    assert note.startswith(
        "[make_dataset] note: 2 collection worker processes (the default) on 1 allotted core(s) "
        "(SLURM_CPUS_PER_TASK=1, of 2 in the CPU affinity)"
    )
    assert "--workers 1 would start 1 but make another dataset" in note


@pytest.mark.parametrize(
    ("slurm", "argv"),
    [
        ("2", ("--level", "random")),
        ("1", ("--level", "random", "--workers", "1")),
        ("1", ("--level", "medium-replay")),
    ],
)
def test_no_note_within_the_allotment(monkeypatch, slurm, argv):
    monkeypatch.setattr(host_limits, "usable_cores", lambda: 2)
    monkeypatch.setattr(host_limits, "cgroup_cpu_limit", lambda *a: None)
    monkeypatch.setenv("SLURM_CPUS_PER_TASK", slurm)
    args = make_dataset.parse_args(["--env", "hopper", *argv])
    assert make_dataset.workers_note(args) is None
