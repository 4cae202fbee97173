"""Probe 138 rows 18-20: a run of uncommitted changes recorded the commit alone, and no record
said which Python, numpy, MuJoCo or CPU made it. ``source_changes`` records whether the
checkout's tracked files differ from its commit (and a hash of the diff); ``machine_record`` the
machine and the libraries beyond torch / SB3 / gymnasium."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from rambo_env import requirements


def _git(root, *args):
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def clone(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "clone"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "a.py").write_text("x = 1\n")
    _git(root, "add", "a.py")
    _git(root, "commit", "-qm", "one")
    requirements._source_changes.cache_clear()
    yield root
    requirements._source_changes.cache_clear()


def test_a_clean_checkout_records_dirty_false(clone):
    assert requirements.source_changes(clone) == {"rambo_env_dirty": "false"}
    (clone / "new.py").write_text("untracked\n")  # untracked files are not looked at
    requirements._source_changes.cache_clear()
    assert requirements.source_changes(clone) == {"rambo_env_dirty": "false"}


def test_uncommitted_changes_record_dirty_and_a_hash_of_the_diff(clone):
    (clone / "a.py").write_text("x = 2\n")
    first = requirements.source_changes(clone)
    assert first["rambo_env_dirty"] == "true"
    assert re.fullmatch(r"[0-9a-f]{12}", first["rambo_env_diff"])
    (clone / "a.py").write_text("x = 3\n")
    assert requirements.source_changes(clone) == first  # read once per process: the code it runs
    requirements._source_changes.cache_clear()
    other = requirements.source_changes(clone)
    assert other["rambo_env_dirty"] == "true" and other["rambo_env_diff"] != first["rambo_env_diff"]
    _git(clone, "add", "a.py")  # staged changes differ from HEAD too
    requirements._source_changes.cache_clear()
    assert requirements.source_changes(clone) == other


def test_nothing_without_a_checkout_or_git(clone, tmp_path, monkeypatch):
    (tmp_path / "site-packages").mkdir()
    assert requirements.source_changes(tmp_path / "site-packages") == {}
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))  # git missing: no error, nothing
    assert requirements.source_changes(clone) == {}

    def hung(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs.get("timeout"))

    monkeypatch.setattr(subprocess, "run", hung)
    requirements._source_changes.cache_clear()
    assert requirements.source_changes(clone) == {}


def test_code_record_and_dirty_note(monkeypatch):
    monkeypatch.setattr(requirements, "source_commit", lambda root=None: "a" * 40)
    changes = {"rambo_env_dirty": "true", "rambo_env_diff": "0123456789ab"}
    monkeypatch.setattr(requirements, "source_changes", lambda root=None: changes)
    record = requirements.code_record()  # a cached model's meta, a generated dataset's metadata
    assert record["rambo_env_commit"] == "a" * 40 and record["rambo_env_dirty"] == "true"
    assert record["rambo_env_diff"] == "0123456789ab"
    said = requirements.dirty_note(record, "a" * 40, "the numbers of this run")
    assert said.startswith("note: the rambo_env checkout ")
    assert "hash 0123456789ab" in said and "commit aaaaaaaaaaaa alone" in said
    assert requirements.dirty_note({"rambo_env_dirty": "false"}, "a" * 40, "x") is None
    assert requirements.dirty_note({}, None, "x") is None


def test_machine_record_names_python_libraries_platform_and_cpu(monkeypatch):
    import platform

    from rambo_env import bench

    record = requirements.machine_record()
    assert record["python"] == platform.python_version()
    for dist in ("numpy", "mujoco", "minari", "h5py"):  # all installed here
        assert record[dist]
    assert record["platform"] == platform.platform()
    assert all(isinstance(v, str) for v in record.values())  # session_versions hold strings
    monkeypatch.setattr(bench, "cpu_model", lambda: "Intel Xeon Platinum 8480")
    monkeypatch.setattr(bench, "cpu_flags", lambda: ["avx2", "avx512f", "amx_bf16"])
    record = requirements.machine_record()
    assert record["cpu"] == "Intel Xeon Platinum 8480"
    assert record["cpu_flags"] == "avx2 avx512f amx_bf16"
    monkeypatch.setattr(bench, "cpu_model", lambda: "")  # no /proc/cpuinfo: left out
    assert "cpu" not in requirements.machine_record()
