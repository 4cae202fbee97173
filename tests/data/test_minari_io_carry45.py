"""Carry45 (issue 14): staging / trash folders and room probes in a shared (NFS) Minari root
record their host; a later write removes only those of its own host whose writer is gone (was:
any whose PID did not run on THIS machine, another host's live writer's included)."""

import os
import re
import socket
import subprocess
import sys
import time

from rambo_env.data import minari_io
from rambo_env.data.minari_io import _remove_stale_staging


def host_name_token() -> str:
    """The host as the staging names record it (run_io.host_name_token)."""
    host = "".join(c for c in socket.gethostname() if not c.isspace()) or "unknown"
    return re.sub(r"[^A-Za-z0-9._-]", "_", host)[:64]


def _dead_pid() -> int:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    return int(done.stdout)


def test_a_staging_folder_of_another_host_is_left_and_this_hosts_dead_one_removed(tmp_path):
    dead, here = _dead_pid(), host_name_token()
    other = "node-7.cluster"  # a hyphenated host name; its PID means nothing here
    foreign = tmp_path / f".rambo-tmp-{other}-{dead}-abc_1234"
    (foreign / "partial").mkdir(parents=True)
    foreign_trash = tmp_path / f".rambo-trash-{other}-{dead}-def"
    foreign_trash.mkdir()
    foreign_room = tmp_path / f".rambo-tmp-{other}-{dead}-room"
    foreign_room.write_bytes(b"\0" * 16)
    mine = tmp_path / f".rambo-tmp-{here}-{dead}-ghi"  # this host's writer, killed
    (mine / "partial").mkdir(parents=True)
    mine_room = tmp_path / f".rambo-tmp-{here}-{dead}-room"
    mine_room.write_bytes(b"")
    live = tmp_path / f".rambo-tmp-{here}-{os.getpid()}-jkl"  # this host's writer, running
    live.mkdir()
    old_dead = tmp_path / f".rambo-tmp-{dead}-mno"  # a name without a host: as before
    old_dead.mkdir()
    old_live = tmp_path / f".rambo-tmp-{os.getpid()}-pqr"
    old_live.mkdir()
    _remove_stale_staging(tmp_path)
    assert foreign.is_dir() and foreign_trash.is_dir() and foreign_room.is_file()
    assert not mine.exists() and not mine_room.exists()
    assert live.is_dir() and old_live.is_dir() and not old_dead.exists()


def test_another_hosts_staging_older_than_a_week_is_removed(tmp_path):
    stale = tmp_path / f".rambo-tmp-node-7-{os.getpid()}-abc"  # its PID alive here: no matter
    stale.mkdir()
    room = tmp_path / f".rambo-tmp-node-7-{_dead_pid()}-room"
    room.write_bytes(b"")
    week_ago = time.time() - minari_io._FOREIGN_STAGING_AGE_S - 60
    for entry in (stale, room):
        os.utime(entry, (week_ago, week_ago))
    _remove_stale_staging(tmp_path)
    assert not stale.exists() and not room.exists()


def test_a_write_names_its_staging_folder_with_its_host(tmp_path, monkeypatch):
    # what save_minari and the room probe create: the host before the PID
    from rambo_env.run_io import host_name_token as of_run_io

    assert of_run_io() == host_name_token()
    ns = minari_io._pid_namespace()  # probe 127: and the PID namespace, where Linux tells it
    place = host_name_token() + (f"@{ns}" if ns else "")
    assert minari_io._staging_prefix("tmp") == f".rambo-tmp-{place}-{os.getpid()}-"
    assert minari_io._staging_prefix("trash").startswith(f".rambo-trash-{place}-")
    seen = []
    real_open = os.open

    def spy(path, *args, **kwargs):
        seen.append(os.path.basename(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(minari_io.os, "open", spy)
    minari_io._check_room(tmp_path, tmp_path / "x", [])
    assert seen == [f".rambo-tmp-{place}-{os.getpid()}-room"]
    assert list(tmp_path.iterdir()) == []
