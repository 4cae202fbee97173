"""Probe 136: under ``ulimit -v`` the memory checks said "only 0.146 GiB is available" without
saying the figure is the room under the address-space limit (the host had GiB free): they now
name ``ulimit -v`` (RLIMIT_AS), or the cgroup's limit, when it is the binding one."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from rambo_env import host_limits
from rambo_env.data.toy_datasets import _check_n
from rambo_env.envs.vector_env import check_num_envs_memory

GIB = 2**30


def _rooms(monkeypatch, host, space, cgroup):
    monkeypatch.setattr(host_limits, "_host_room", lambda: host)
    monkeypatch.setattr(host_limits, "_address_space_room", lambda: space)
    monkeypatch.setattr(host_limits, "_cgroup_room", lambda: cgroup)


def test_the_cgroup_limit_is_named_when_it_binds(monkeypatch):
    _rooms(monkeypatch, 20 * GIB, None, GIB // 4)
    with pytest.raises(
        ValueError,
        match=r"only 0\.25 GiB is available under this process's cgroup memory limit \(a container's, or the batch system's memory request, while the host has 20 GiB free: ask for more\)",
    ):
        _check_n(10**9)


def test_no_limit_named_when_the_host_memory_binds(monkeypatch):
    _rooms(monkeypatch, GIB // 4, 20 * GIB, None)
    with pytest.raises(ValueError, match=r"only 0\.25 GiB is available; give fewer") as err:
        check_num_envs_memory(10**9)
    assert "ulimit" not in str(err.value)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc")
def test_a_real_ulimit_v_is_named():
    code = textwrap.dedent(
        """
        import resource
        from rambo_env.envs.vector_env import check_num_envs_memory
        from rambo_env.run_io import _proc_kib
        limit = _proc_kib("/proc/self/status", "VmSize") + 200 * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
        try:
            check_num_envs_memory(10**8)
        except ValueError as err:
            print(err)
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    ).stdout
    # the limit is named either way: as where "only … GiB is available" comes from, or (the host
    # having the room: probe 137's address_space_shortfall) as the cause itself
    assert "address-space limit" in out and "ulimit -v = " in out, out
