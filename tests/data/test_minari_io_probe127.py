"""Probe 127: Minari staging / trash names record the writer's PID namespace (N5: a live writer
in another namespace with the same host name had its staging folder removed mid-write); a
dataset missing while another host's / namespace's trash folder holds it is one clear error,
not a silent regeneration (N6)."""

import os
import re
import shlex
import socket
import subprocess
import sys

import pytest

from rambo_env.data import minari_io
from rambo_env.data.dataset import DatasetUnavailableError
from rambo_env.data.minari_io import _remove_stale_staging, minari_dataset_exists
from rambo_env.run_io import pid_alive


def host_name_token() -> str:
    host = "".join(c for c in socket.gethostname() if not c.isspace()) or "unknown"
    return re.sub(r"[^A-Za-z0-9._-]", "_", host)[:64]


def pid_ns() -> str | None:
    try:
        return os.readlink("/proc/self/ns/pid").rpartition("[")[2].rstrip("]")
    except OSError:
        return None


needs_pidns = pytest.mark.skipif(pid_ns() is None, reason="no /proc/self/ns/pid (not Linux)")


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


@needs_pidns
def test_staging_names_record_the_pid_namespace():
    assert minari_io._staging_prefix("tmp") == (
        f".rambo-tmp-{host_name_token()}@{pid_ns()}-{os.getpid()}-"
    )
    assert minari_io._staging_prefix("trash").startswith(
        f".rambo-trash-{host_name_token()}@{pid_ns()}-"
    )


@needs_pidns
def test_another_namespaces_staging_is_left_and_this_ones_dead_writer_removed(tmp_path):
    here, ns, dead = host_name_token(), pid_ns(), _dead_pid()
    other_ns = str(int(ns) + 1)
    other = tmp_path / f".rambo-tmp-{here}@{other_ns}-{dead}-abc_123"  # a live writer there
    (other / "partial").mkdir(parents=True)
    other_room = tmp_path / f".rambo-tmp-{here}@{other_ns}-{dead}-room"
    other_room.write_bytes(b"")
    mine = tmp_path / f".rambo-tmp-{here}@{ns}-{dead}-def"  # this namespace's, killed
    mine.mkdir()
    mine_room = tmp_path / f".rambo-tmp-{here}@{ns}-{dead}-room"
    mine_room.write_bytes(b"")
    live = tmp_path / f".rambo-tmp-{here}@{ns}-{os.getpid()}-ghi"
    live.mkdir()
    carry45 = tmp_path / f".rambo-tmp-{here}-{dead}-jkl"  # 5725ce3's form: judged by its PID
    carry45.mkdir()
    first = tmp_path / f".rambo-tmp-{dead}-12345678"  # the first form (an all-digit tag)
    first.mkdir()
    foreign_host = tmp_path / f".rambo-tmp-node-7@{ns}-{dead}-mno"
    foreign_host.mkdir()
    _remove_stale_staging(tmp_path)
    assert other.is_dir() and other_room.is_file() and live.is_dir() and foreign_host.is_dir()
    assert not mine.exists() and not mine_room.exists()
    assert not carry45.exists() and not first.exists()


@needs_pidns
def test_a_live_writer_in_another_pid_namespace_keeps_its_staging_folder(tmp_path):
    if subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"]).returncode:
        pytest.skip("unshare --pid not permitted here")
    inner = (
        "import sys, tempfile\n"
        "from rambo_env.data import minari_io\n"
        f"d = tempfile.mkdtemp(dir={str(tmp_path)!r}, prefix=minari_io._staging_prefix('tmp'))\n"
        "print(d, flush=True)\n"
        "sys.stdin.readline()\n"
    )
    # a few hundred processes first, so the writer's PID (inside) is one unused outside
    script = f"for i in $(seq 1 400); do /bin/true; done; {shlex.quote(sys.executable)} -c "
    script += f"{shlex.quote(inner)}; :"
    writer = subprocess.Popen(
        ["unshare", "--pid", "--fork", "--mount-proc", "sh", "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        staging = writer.stdout.readline().strip()
        assert os.path.isdir(staging)
        pid = int(minari_io._STAGING.match(os.path.basename(staging))["pid"])
        if pid_alive(pid):
            pytest.skip(f"the writer's PID {pid} (inside) runs outside too")
        _remove_stale_staging(tmp_path)
        assert os.path.isdir(staging), "a live writer's staging folder was removed"
    finally:
        writer.communicate("\n", timeout=30)


def _trash(root, name, dataset_id):
    trash = root / name
    (trash / "old" / "data").mkdir(parents=True)
    (trash / "old" / "data" / "metadata.json").write_text(f'{{"dataset_id": "{dataset_id}"}}')
    (trash / minari_io._TRASH_ORIGIN).write_text(dataset_id)
    return trash


def test_a_missing_dataset_held_by_another_hosts_trash_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    dead = _dead_pid()
    trash = _trash(tmp_path, f".rambo-trash-oldcontainer-{dead}-abc", "rambo/hopper/medium-v0")
    (tmp_path / "rambo" / "hopper").mkdir(parents=True)
    with pytest.raises(DatasetUnavailableError) as caught:
        minari_dataset_exists("rambo/hopper/medium-v0")
    text = str(caught.value)
    assert str(trash / "old") in text and "oldcontainer" in text and str(dead) in text
    assert f"mv {trash / 'old'} {tmp_path / 'rambo' / 'hopper' / 'medium-v0'}" in text
    assert f"rm -r {trash}" in text
    assert trash.is_dir()  # nothing moved
    # the command given works: the dataset is there again
    subprocess.run(text.split("put it back: ")[1].split("; or")[0], shell=True, check=True)
    assert minari_dataset_exists("rambo/hopper/medium-v0") and not trash.exists()


@needs_pidns
def test_another_namespaces_trash_and_a_load_without_generation(tmp_path, monkeypatch):
    from rambo_env.data.loaders import load_dataset

    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    name = f".rambo-trash-{host_name_token()}@{int(pid_ns()) + 1}-{_dead_pid()}-abc"
    trash = _trash(tmp_path, name, "rambo/hopper/medium-v0")
    with pytest.raises(DatasetUnavailableError, match="PID namespace") as caught:
        load_dataset("hopper-medium", generate=False)
    assert str(trash / "old") in str(caught.value)
    # another dataset's load is not concerned
    assert minari_dataset_exists("rambo/walker2d/medium-v0") is False


def test_this_hosts_dead_writers_trash_is_still_put_back(tmp_path, monkeypatch):
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path))
    (tmp_path / "rambo" / "hopper").mkdir(parents=True)
    trash = _trash(
        tmp_path,
        f"{minari_io._staging_prefix('trash')}x".replace(f"-{os.getpid()}-", f"-{_dead_pid()}-"),
        "rambo/hopper/medium-v0",
    )
    assert minari_dataset_exists("rambo/hopper/medium-v0") and not trash.exists()
