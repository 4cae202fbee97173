"""Probe 137: allocation failures under an address-space limit (``ulimit -v``) through the
scripts' other paths: a user-error line (MuJoCo's bare "engine error: Could not allocate
memory"), ``exit_on_interrupt`` (curves.py's protobuf "out of memory" was a 28-line traceback),
and a memory check that blamed ``AdversaryConfig.batch_size`` when the limit was the cause."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from rambo_env import adversary, host_limits, requirements, run_io

LIMIT = " (address-space limit ulimit -v = 900000 kB)"
PROTO = "Couldn't build proto file into descriptor pool: out of memory"


@pytest.fixture
def limited(monkeypatch):
    monkeypatch.setattr(requirements, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.setattr(host_limits, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.delenv("RAMBO_ENV_TRACEBACK", raising=False)


def test_mujoco_engine_error_as_a_user_error_names_the_limit(limited, capsys):
    status = run_io.report_user_error(ValueError("Error: engine error: Could not allocate memory"))
    said = capsys.readouterr().err
    assert status == 2
    assert said.startswith(
        f"error: out of memory{LIMIT} (ValueError: Error: engine error: Could not allocate memory)"
    )
    assert "raise the limit (ulimit -v unlimited" in said.splitlines()[0]


def test_a_user_error_that_is_no_allocation_failure_is_unchanged(limited, capsys):
    run_io.report_user_error(ValueError("--k: expected an int >= 1, got 0"))
    assert capsys.readouterr().err.startswith("error: --k: expected an int >= 1, got 0\n")


def test_exit_on_interrupt_one_lines_an_allocation_failure(limited, capsys):
    def read() -> None:
        raise TypeError(PROTO)

    with pytest.raises(SystemExit) as stop:
        run_io.exit_on_interrupt("curves", "each file is written whole or not at all; rerun", read)
    said = capsys.readouterr().err
    assert stop.value.code == 1
    assert "Traceback" not in said
    assert said.startswith(f"[curves] error: out of memory{LIMIT} (TypeError: {PROTO}); raise")
    assert "[curves] stopped on this error: each file is written whole or not at all" in said


def test_exit_on_interrupt_one_lines_a_dependency_that_ran_out_of_memory(limited, capsys):
    said = f"not enough memory to import matplotlib{LIMIT}: ImportError: x.so: failed to map …"

    def plot() -> None:
        raise requirements.BrokenDependencyError(said)

    with pytest.raises(SystemExit) as stop:
        run_io.exit_on_interrupt("curves", "rerun", plot)
    err = capsys.readouterr().err
    assert stop.value.code == 1 and "Traceback" not in err
    assert err.startswith(f"[curves] error: {said}")


def test_exit_on_interrupt_leaves_a_user_error_to_the_caller(limited):
    def read() -> None:
        raise ValueError("--out: not a folder")

    with pytest.raises(ValueError):
        run_io.exit_on_interrupt("curves", "rerun", read, failed="nothing")


def test_exit_on_interrupt_still_raises_a_bug(limited):
    def read() -> None:
        raise TypeError("unsupported operand")

    with pytest.raises(TypeError):
        run_io.exit_on_interrupt("curves", "rerun", read)


def _rooms(monkeypatch, host: int | None, limit: int | None, cgroup: int | None = None) -> None:
    monkeypatch.setattr(host_limits, "_host_room", lambda: host)
    monkeypatch.setattr(host_limits, "_address_space_room", lambda: limit)
    monkeypatch.setattr(host_limits, "_cgroup_room", lambda: cgroup)


def test_the_adversary_batch_check_names_the_limit_when_it_binds(limited, monkeypatch):
    _rooms(monkeypatch, host=8 << 30, limit=100_000)  # the libraries took the room
    mdp = SimpleNamespace(device="cpu")
    with pytest.raises(ValueError) as err:
        adversary.check_adversary_memory(mdp, adversary.AdversaryConfig(3e-4, 5, batch_size=256))
    said = str(err.value)
    assert said.startswith(
        f"not enough memory for an adversary step's batch of 256 start states{LIMIT}"
    )
    assert "raise the limit (ulimit -v unlimited" in said
    assert "AdversaryConfig.batch_size" not in said


def test_the_adversary_batch_check_names_the_batch_when_the_machine_is_short(monkeypatch):
    _rooms(monkeypatch, host=100_000, limit=None)
    with pytest.raises(ValueError, match=r"^AdversaryConfig\.batch_size: a batch of 256"):
        adversary.check_adversary_memory(
            SimpleNamespace(device="cpu"), adversary.AdversaryConfig(3e-4, 5, batch_size=256)
        )
    _rooms(monkeypatch, host=100_000, limit=50_000)  # both short: raising the limit is not enough
    assert run_io.address_space_shortfall(200_000, "x") is None


def test_every_memory_check_names_the_binding_limit(limited, monkeypatch):
    from agents.memory import check_batch_memory, check_memory
    from rambo_env.data.toy_datasets import _check_n
    from rambo_env.envs.vector_env import check_num_envs_memory

    _rooms(monkeypatch, host=64 << 30, limit=1000)
    for check in (
        lambda: check_batch_memory(1 << 20, 11, 3, "cpu"),
        lambda: _check_n(10**6),
        lambda: check_num_envs_memory(10**6),
        lambda: check_memory(50_000, 5, 5, 200, 11, 3),  # the pool
        lambda: check_memory(10, 1, 1, 200, 11, 3),  # the ensemble beside it
    ):
        with pytest.raises(ValueError, match=r"^not enough memory for .*ulimit -v = 900000 kB"):
            check()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as Linux keeps it")
def test_no_limit_no_shortfall(monkeypatch):
    _rooms(monkeypatch, host=1 << 40, limit=None)
    assert run_io.address_space_shortfall(1 << 30, "x") is None
