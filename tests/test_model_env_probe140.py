"""Probe 140 row 8: the model-returns note's claim (a Linux abstract socket named after the
caller's pid) was shared by two separate scripts in different PID namespaces on one network
namespace (two containers with ``--network=host``, two containers of one pod, each script PID 1):
the second said neither the note nor the long-k WARNING. The claim's name now holds the PID
namespace and the caller's start time too."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from rambo_env.envs import model_env
from tests.scripts import REPO, python_path

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="Linux abstract sockets")


def test_the_claim_names_the_pid_namespace_and_the_start_time(monkeypatch):
    monkeypatch.setattr(model_env, "_pid_namespace", lambda: "4026531999")
    monkeypatch.setattr(model_env, "_start_time", lambda pid: "777" if pid == 1 else "?")
    key = ("returns", f"probe140-{os.getpid()}-name")  # conftest gives each test fresh claims
    assert model_env._claim_in_tree(key, 1) is True
    name = model_env._CLAIMS[key].getsockname()
    assert name.startswith(b"\0rambo_env-note-4026531999-1-777-"), name


def test_another_pid_namespace_or_a_reused_pid_claims_anew(monkeypatch):
    key = ("returns", f"probe140-{os.getpid()}-ns")
    where = {"ns": "1", "start": "10"}
    monkeypatch.setattr(model_env, "_pid_namespace", lambda: where["ns"])
    monkeypatch.setattr(model_env, "_start_time", lambda pid: where["start"])
    held = []
    for ns, start in (("1", "10"), ("2", "10"), ("2", "11")):
        where.update(ns=ns, start=start)
        assert model_env._claim_in_tree(key, 1) is True, (ns, start)  # the first of its tree
        held.append(model_env._CLAIMS.pop(key))  # still held: the claimant lives
    where.update(ns="1", start="10")
    assert model_env._claim_in_tree(key, 1) is False  # the same tree: already claimed
    for claim in held:
        claim.close()


def test_the_readers_read_this_process():
    assert model_env._pid_namespace() == str(os.stat("/proc/self/ns/pid").st_ino)
    with open("/proc/self/stat") as stat:
        assert model_env._start_time(os.getpid()) == stat.read().rpartition(")")[2].split()[19]
    assert model_env._start_time(2**22 + 1) == ""  # no such process


CLAIM = """
import sys
from rambo_env.envs import model_env
print("said" if model_env._said_in_tree(("returns", "probe140-ns")) else "first", flush=True)
sys.stdin.read()  # holds the claim until the test closes stdin
"""


def _unshared(code: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"}
    return subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", code],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=env, cwd=REPO,
    )  # fmt: skip


def test_two_scripts_in_their_own_pid_namespaces_each_say_the_note():
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    if subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"]).returncode != 0:
        pytest.skip("unshare --pid is not allowed here")
    first = _unshared(CLAIM)
    try:
        assert first.stdout.readline().strip() == "first", first.stderr.read()
        second = _unshared(CLAIM)
        out, err = second.communicate("", timeout=60)  # each is PID 1 of its namespace
        assert out.strip() == "first", out + err
    finally:
        first.communicate("", timeout=60)
