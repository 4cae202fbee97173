"""Locks: the run-folder lock file's text (who holds it, on which host), ``flock`` on a lock file
(:func:`file_lock`, :func:`wait_for_lock`, :func:`try_flock`) with the waiting lines that name
the holder, the processes behind a lock, and :func:`replace_folder`, whose set-aside folder
names its writer as a lock does.

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.file_lock``).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rambo_env.atomic_files import (
    WriteFailedError,
    _remove_empty,
    check_umask_for_folders,
    error_behind,
    give_to_folder_owner,
    safe_reason,
)
from rambo_env.command_line import shell_path
from rambo_env.logging import note

LOCK_NAME = ".lock"


def process_start(pid: int) -> str | None:
    """When process ``pid`` started (``/proc/<pid>/stat`` field 22, clock ticks since boot), or
    None where that cannot be read (not Linux, no such process)."""
    fields = _stat_fields(pid)
    return fields[19] if len(fields) > 19 else None


def _stat_fields(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the command name (state first), or [] where it
    cannot be read (not Linux, no such process)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rpartition(")")[2].split()
    except OSError:
        return []


def folder_identity(folder: str | Path) -> str | None:
    """``<device>:<inode>`` of ``folder`` (which folder it is, whatever its path), or None where
    it cannot be looked at."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}"


def _host_name() -> str:
    """This machine's host name as a ``.lock`` records it (no white space)."""
    return "".join(c for c in socket.gethostname() if not c.isspace()) or "unknown"


def lock_place() -> str:
    """Where this process runs, as a ``.lock`` records it: ``host=<hostname>`` and, where Linux
    tells it, ``pidns=<inode>`` of its PID namespace (a container on one host is another place:
    its PIDs mean nothing here). Probe 102 row 2: a lock recorded no host, so a job on another
    node holding a run folder on a shared file system read as dead here and was taken over."""
    host = _host_name()
    try:
        ns = os.readlink("/proc/self/ns/pid").rpartition("[")[2].rstrip("]")
    except OSError:  # not Linux
        ns = ""
    return f"host={host}" + (f" pidns={ns}" if ns.isdigit() else "")


def lock_text(folder: str | Path | None = None) -> str:
    """What a ``.lock`` holds: this PID, where known its start time (a PID alone may be reused
    by an unrelated process after the holder was killed, e.g. across a reboot), the
    :func:`folder_identity` of the ``folder`` it locks (probe 28: a ``cp -r`` copy of a live
    run's folder carried its ``.lock``, so the copy was "in use by" the original's process) and
    :func:`lock_place`, where the process runs (probe 102 row 2)."""
    start = process_start(os.getpid())
    ident = folder_identity(folder) if folder is not None else None
    return (
        f"{os.getpid()}"
        + (f" {start}" if start else "")
        + (f" {ident}" if ident else "")
        + f" {lock_place()}"
    )


def _split_place(text: str) -> tuple[list[str], dict[str, str]]:
    """A ``.lock``'s ``text`` as its PID, start and identity words, and its place
    (:func:`lock_place`: ``{"host": …, "pidns": …}``, empty for a lock written before it was
    recorded). Every ``key=value`` word is a place's, also one this code does not know (kept,
    not used): probe 124 rows 19, 20, 29, 36 — code older than dd8ee74 (2026-12-05) read the
    ``host=… pidns=…`` words as "not a lock" and took over a live run's or sweep's folder. The
    lock's own words are the first three bare words before the place's; any later word, of any
    form, is a later format's and is ignored (probe 129 row 6: ``… futureflag``, ``clone=v9 42``
    made a live lock look stale)."""
    words, place, placed = [], {}, False
    for word in text.split():
        key, eq, value = word.partition("=")
        if eq and key.isidentifier():
            place.setdefault(key, value)
            placed = True
        elif not placed and len(words) < 3:
            words.append(word)
    return words, place


def _parse_lock(text: str) -> tuple[int, str | None, str | None] | None:
    """``(pid, start, folder identity)`` of a ``.lock``'s ``text`` (see :func:`lock_text`; the
    last two None where it has none), or None where it is not one."""
    parts, _ = _split_place(text)
    if not parts or not parts[0].isdigit() or len(parts) > 3:
        return None
    idents = [p for p in parts[1:] if ":" in p]
    starts = [p for p in parts[1:] if ":" not in p]
    if len(idents) > 1 or len(starts) > 1:
        return None
    return int(parts[0]), (starts or [None])[0], (idents or [None])[0]


def lock_elsewhere(text: str) -> str | None:
    """Where the process of a ``.lock``'s ``text`` runs when that is not where this process runs
    (``host node7``, ``host node7, in another PID namespace (a container)``), or None: this
    host and namespace, or a lock that records no place (written before it was; judged here as
    before). Such a process cannot be looked at from here, so it counts as running
    (probe 102 row 2: it was judged by this host's ``/proc`` and its folder taken over)."""
    _, place = _split_place(text)
    host = place.get("host")
    if host is None:
        return None
    _, here = _split_place(lock_place())
    if host != here["host"]:
        return f"host {host}"
    if place.get("pidns") and here.get("pidns") and place["pidns"] != here["pidns"]:
        return f"host {host}, in another PID namespace (a container)"
    return None


#: Seconds between two heartbeats of a held ``.lock`` (its mtime refreshed, :func:`heartbeat`).
LOCK_HEARTBEAT_S = 60.0


#: A ``.lock`` of another host or PID namespace whose heartbeat is older than this (seconds, by
#: the file system's clock) is stale: its process was killed outright (probe 105 row 4).
LOCK_STALE_S = 600.0


def _fs_now(folder: Path) -> float:
    """The file system's notion of now in ``folder``: the mtime of a temp file made there (so a
    shared file system's clock, not this host's, is compared with a lock's mtime); this host's
    clock where the folder cannot be written (a leftover temp file is an interrupted write's,
    :func:`clear_stray_writes`)."""
    try:
        fd, name = tempfile.mkstemp(prefix=f"{LOCK_NAME}.", suffix=".tmp", dir=folder)
    except OSError:
        return time.time()
    try:
        return os.fstat(fd).st_mtime
    finally:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(name)


@contextmanager
def heartbeat(lock: str | Path) -> Iterator[None]:
    """Refresh the mtime of this process's ``lock`` every :data:`LOCK_HEARTBEAT_S` from a daemon
    thread while the block runs (long MLE pretraining and iterations included), so that another
    host or container can tell it held from stale (:func:`stale_heartbeat`). Only while the file
    still holds what this process wrote (never another's lock); stops when the block ends; never
    raises."""
    lock = Path(lock)
    try:
        mine = lock.read_text(errors="replace", encoding="utf-8")
    except OSError:
        mine = None
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(LOCK_HEARTBEAT_S):
            try:
                if lock.read_text(errors="replace", encoding="utf-8") == mine:
                    os.utime(lock)
            except Exception:  # a heartbeat never stops the run
                pass

    thread = threading.Thread(target=beat, name=f"lock heartbeat {lock}", daemon=True)
    if mine is not None:
        thread.start()
    try:
        yield
    finally:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=5)


def _live_lock_pid(text: str) -> int | None:
    """The live process a ``.lock``'s ``text`` names, whatever folder it locks, or None. A lock
    of another host or PID namespace (:func:`lock_elsewhere`) cannot be judged from here: its
    PID is returned as live (probe 102 row 2)."""
    parsed = _parse_lock(text)
    if parsed is None:
        return None
    pid, start, _ = parsed
    if lock_elsewhere(text) is not None:
        return pid
    if not pid_alive(pid):
        return None
    if start is not None:
        now = process_start(pid)
        if now is not None and now != start:
            return None
    return pid


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (one owned by another user counts; a zombie, ended but
    not reaped by its parent, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    # probe 102 row 25: a killed process its parent never reaped (a zombie) takes signals but
    # has ended: its lock held a run folder for good ("wait for it")
    return process_state(pid) not in ("Z", "X")


def _lock_file_elsewhere(lock: Path) -> str | None:
    """:func:`lock_elsewhere` of the lock file ``lock``, or None where it cannot be read."""
    try:
        return lock_elsewhere(lock.read_text(errors="replace", encoding="utf-8"))
    except OSError:
        return None


def owner_text(path: str | Path) -> str:
    """``mode -rw-------, owner uid 0`` of ``path`` (the words of :func:`check_readable`), or
    ``its folder cannot be searched`` where it cannot be looked at."""
    try:
        st = Path(path).stat()
    except OSError:
        return "its folder cannot be searched"
    return f"mode {stat.filemode(st.st_mode)}, owner uid {st.st_uid}"


def can_remove(path: str | Path) -> bool:
    """Whether this user may remove (or rename a file over) the entry ``path``: its folder is
    writable, and not sticky (mode 1777, e.g. /tmp) unless this user owns the entry or the folder
    (True where unknown: the operation then says)."""
    path = Path(path)
    try:
        uid, folder, owner = os.geteuid(), path.parent.stat(), path.lstat().st_uid
    except (OSError, AttributeError):  # no geteuid on Windows
        return True
    if uid == 0:
        return True
    if not os.access(path.parent, os.W_OK | os.X_OK):
        return False
    return not folder.st_mode & stat.S_ISVTX or uid in (owner, folder.st_uid)


def sticky_text(folder: str | Path) -> str:
    """`` (its folder … is sticky: mode drwxrwxrwt, owner uid 0)`` where ``folder`` has the sticky
    bit (only an entry's owner may remove or replace it there), else ``""``."""
    try:
        sticky = Path(folder).stat().st_mode & stat.S_ISVTX
    except OSError:
        return ""
    return f" (its folder {folder} is sticky: {owner_text(folder)})" if sticky else ""


def other_users_lock(lock: str | Path) -> str | None:
    """``<lock> is another user's lock file (mode …, owner uid N)[ of process P, which no longer
    runs]; <what to do>`` when the lock file ``lock`` belongs to another user and this user may
    not write it, else None (probe 95 rows 30, 36: was "cannot write …/.lock (Permission
    denied); pick a writable folder" of a writable one, or "is not a file": it is a file)."""
    lock = Path(lock)
    if lock.is_symlink() or not lock.is_file() or not owned_by_other(lock):
        return None
    try:
        text = lock.read_text(errors="replace", encoding="utf-8")
    except OSError:
        return _unreadable_lock_text(lock)
    parsed = _parse_lock(text)
    process = ""
    if parsed is not None:
        alive = _live_lock_pid(text) is not None
        process = f" of process {parsed[0]}" + (", still running" if alive else " (stale: gone)")
    if can_remove(lock):
        fix = f"remove it (rm {shell_path(lock)}: its folder lets you) and rerun"
    else:
        fix = (
            f"only its owner (uid {lock.stat().st_uid}) or root can remove it"
            f"{sticky_text(lock.parent)}: ask them, or use another folder"
        )
    return (
        f"{lock} is another user's lock file ({owner_text(lock)}){process}: this user cannot "
        f"write it; {fix}"
    )


def _unreadable_lock_text(lock: Path) -> str:
    """:func:`other_users_lock` of a lock file this user may not even read, so its process
    cannot be looked at: held (a ``flock`` holder in ``/proc/locks``, or a heartbeat, its mtime,
    fresher than :data:`LOCK_STALE_S`) means wait or ask its owner; only a stale heartbeat means
    a leftover to remove. Probe 111 rows 35, 36: such a lock of a live process (made 0600 under
    umask 077) was called a leftover to remove, and both users then did the same work at once."""
    try:
        st = lock.stat()
        age = _fs_now(lock.parent) - st.st_mtime
    except OSError:
        st, age = None, None
    uid = st.st_uid if st is not None else "?"
    head = (
        f"{lock} is another user's lock file ({owner_text(lock)}) that this user cannot read, "
        f"so whether its process is alive cannot be told from its content"
    )
    pid = _inode_flock_holder(st) if st is not None else None
    if pid is not None:
        return (
            f"{head}; process {pid}{foreign_process_text(pid)} holds it: wait for it to end and "
            f"rerun, or ask its owner (uid {uid}); do not remove it while that process runs"
        )
    if age is None or age <= LOCK_STALE_S:
        seen = (
            f"its heartbeat (the file's mtime, refreshed every {LOCK_HEARTBEAT_S:.0f} s by its "
            f"holder) is {max(age, 0):.0f} s old"
            if age is not None
            else "its age is unknown"
        )
        users = _uid_processes(uid) if isinstance(uid, int) else None
        if users == 0:  # a held flock would be in /proc/locks: only another host may hold it
            return (
                f"{head}; {seen}, but uid {uid} runs no process on this host: it is held only "
                f"by a process of uid {uid} on another host sharing this folder; if none runs "
                f"(ask its owner), remove it (rm {shell_path(lock)}) and rerun"
            )
        if users:
            seen += f", and uid {uid} has {users} live process(es) on this host"
        return (
            f"{head}; {seen}: it is probably held, so wait for that process and rerun, or ask "
            f"its owner (uid {uid}) whether it still runs; remove it only once it is stale (a "
            f"heartbeat older than {LOCK_STALE_S / 60:.0f} min) or its owner says so"
        )
    if can_remove(lock):
        fix = f"remove it (rm {shell_path(lock)}: its folder lets you) and rerun"
    else:
        fix = (
            f"only its owner (uid {uid}) or root can remove it{sticky_text(lock.parent)}: ask "
            "them, or use another folder"
        )
    return (
        f"{head}; its heartbeat (mtime) is {age / 60:.0f} min old (a holder refreshes it every "
        f"{LOCK_HEARTBEAT_S:.0f} s): stale, a leftover of a killed process; {fix}"
    )


def _uid_processes(uid: int) -> int | None:
    """How many processes of user ``uid`` run here (Linux ``/proc``), or None where unknown."""
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return None
    return sum(process_uid(int(e)) == uid for e in entries)


def owned_by_other(path: Path) -> bool:
    """Whether ``path`` belongs to a user other than this process's (False where unknown)."""
    try:
        return path.stat().st_uid != os.geteuid()
    except (OSError, AttributeError):  # no geteuid on Windows
        return False


def permission_denied(err: BaseException | None) -> bool:
    """Whether a PermissionError is ``err`` or in its cause / context chain (e.g. the ValueError
    of :func:`check_readable`, raised from within the PermissionError)."""
    return err is not None and error_behind(err, PermissionError) is not None


def _aside_writer(aside: Path) -> Path:
    """The file beside ``aside`` naming the process (its :func:`lock_text`) whose
    :func:`replace_folder` set ``final`` aside there, while it runs (probe 89 row 36)."""
    return aside.with_name(f"{aside.name}.pid")


def replace_folder(new: Path, final: Path, aside: Path) -> None:
    """Replace the folder ``final`` by ``new`` with two renames: ``final`` to ``aside``, then
    ``new`` to ``final``; ``aside`` is removed once ``new`` is in place. When the second rename
    fails (any exception, Ctrl-C included), ``aside`` is renamed back to ``final`` before the
    error propagates, so the previous folder is where it was (probe 86 rows 26-28: it was left
    in ``aside``, which nothing read and the next write deleted). Should that fail too, the
    error's note names ``aside``, where the previous folder then is, and ``aside`` is kept.
    Between the renames ``aside.pid`` names this process, so that :func:`restore_set_aside` of
    another process leaves ``aside`` alone meanwhile (probe 89 row 36: it was put back under
    this process's feet, whose second rename then failed and whose new save was lost)."""
    moved = os.path.lexists(final)
    writer = _aside_writer(aside)
    if moved:
        writer.write_text(
            lock_text(), encoding="utf-8"
        )  # before the rename: never an aside without its writer
        try:
            final.rename(aside)
        except BaseException:
            writer.unlink(missing_ok=True)
            raise
    try:
        new.rename(final)
    except BaseException as err:
        if moved:
            try:
                aside.rename(final)
            except OSError as back:
                err.add_note(
                    f"the previous {final.name} could not be put back ({safe_reason(back)}): it "
                    f"is at {aside}; move it back to {final}"
                )
            else:
                writer.unlink(missing_ok=True)
        raise
    if moved:
        shutil.rmtree(aside, ignore_errors=True)
        writer.unlink(missing_ok=True)


def restore_set_aside(final: Path, aside: Path, what: str) -> bool:
    """Rename ``aside`` (the previous ``final`` that :func:`replace_folder` moved away) back to
    ``final`` where ``final`` is missing: a replacement that failed, and whose putting back failed
    too, left it there. One WARNING names both paths; False (and a WARNING saying where it is
    left) where the rename fails. True: ``final`` is there (or ``aside`` was not). While the
    process that set ``aside`` aside still runs (``aside.pid``, :func:`replace_folder`) it is
    between its two renames: nothing is moved, one note says so, and False (probe 89 row 36:
    was "put back" under that process's feet)."""
    if os.path.lexists(final) or not os.path.lexists(aside):
        return True
    writer = _aside_writer(aside)
    try:
        text = writer.read_text(errors="replace", encoding="utf-8")
    except OSError:  # none: a replacement from before it was written, or its writer ended
        text = ""
    pid, where = _live_lock_pid(text), lock_elsewhere(text)
    if pid is not None and (pid != os.getpid() or where is not None):
        on = f" on {where}" if where else ""  # probe 109: its PID names another process here
        note(
            f"[rambo_env] note: {final} is being replaced by process {pid}{on} (its previous {what} "
            f"is in {aside} meanwhile): left to it",
        )
        return False
    try:
        aside.rename(final)
    except OSError as err:
        note(
            f"[rambo_env] WARNING: {aside} holds the previous {what} of {final}, which is "
            f"missing, and could not be moved back ({safe_reason(err)}): left there; move it "
            f"back to {final} yourself",
        )
        return False
    writer.unlink(missing_ok=True)
    note(
        f"[rambo_env] WARNING: {final} was missing after a failed replacement: the previous "
        f"{what} was put back from {aside}",
    )
    return True


@contextmanager
def folder_lock(
    folder: Path, setting: str, doing: str, script: str = "rambo_env", required: bool = True
) -> Iterator[bool]:
    """Hold ``folder`` (made where missing) for this process while the block runs:
    ``fcntl.flock`` on the folder itself, so that no lock file is left, none can be planted (a
    link) and a killed holder never blocks (the kernel drops its lock). A second process waits,
    printing ``[script] waiting for another process to let go of {folder}, then {doing}`` once
    (with the holder's PID where ``/proc/locks`` names it; what the holder does is not known
    here); ``setting`` chose the folder. Yields True
    when held. Folders made for it are removed again on exit when still empty; a waiter whose
    folder its holder removed so makes it again and locks that (probe 156 row 7).

    Not held (False) without ``fcntl`` (Windows), and, unless ``required``, where the folder
    cannot be made or opened (the caller's own write then names why) or its file system has no
    ``flock`` (probe 156 row 2: curves.py wrote there before); ``required`` raises those (the
    ledger: :class:`FlockUnsupportedError`, or the ``OSError``). Probe 156: curves.py's lock
    file in the output folder could be a planted link, was left by a kill -9 where the ledger
    took it for a foreign file, and could not be removed by another user in a sticky folder."""
    try:
        import fcntl
    except ImportError:
        yield False
        return
    folder = Path(folder)
    made: list[Path] = []  # the folders this process made, deepest first
    fd = None
    waiting = False  # for another holder: the folders made are not this process's to remove
    try:
        while fd is None:
            missing = [p for p in (folder, *folder.parents) if not os.path.lexists(p)]
            made = []
            try:
                if missing:
                    check_umask_for_folders(missing[0])
                for part in reversed(missing):  # probe 159: only those its own mkdir made (was:
                    try:  # exist_ok, so two processes both took a folder as made by them)
                        part.mkdir()
                    except FileExistsError:
                        continue
                    made.insert(0, part)
                give_to_folder_owner(made)
                fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            except (OSError, ValueError):  # ValueError: the umask's (UmaskError)
                if required:
                    raise
                break
            try:
                if not try_flock(fcntl, fd, folder, setting, doing):
                    holder = flock_holder(fd)
                    by = f" (process {holder})" if holder is not None else ""
                    note(
                        f"[{script}] waiting for another process to let go of {folder}{by}, then {doing}"
                    )
                    waiting = True
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    waiting = False
                now, held = os.stat(folder), os.fstat(fd)
                same = (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)
            except FlockUnsupportedError:
                os.close(fd)
                fd = None
                if required:
                    raise
                break
            except FileNotFoundError:
                same = False
            if not same:  # its holder removed it (it had made it): made again, locked anew
                os.close(fd)
                fd = None
        yield fd is not None
    finally:  # probe 158: Ctrl-C while waiting closed fd twice (EBADF hid the interrupt)
        if not waiting:  # probe 159: a waiter's Ctrl-C removed the folder its holder held
            _remove_empty(made)  # while still held (probe 158: a waiter took the lock, then
        if fd is not None:  # its folder was removed under it)
            os.close(fd)  # releases the lock


@contextmanager
def file_lock(lock_path: Path, doing: str, setting: str) -> Iterator[None]:
    """Hold ``lock_path`` while this process is ``doing`` something another must wait for.

    A second process waits here (one line says for whom and what), then goes on. The lock is
    ``fcntl.flock``, which the kernel releases when its holder dies, so a killed holder never
    blocks anyone: the file's existence means nothing, its content is only the holder's PID for
    the message, and it is removed on release. Without ``fcntl`` (Windows) there is no lock.
    ``setting`` names what chose the folder, for the error when no lock file can be made there.

    The file is made mode 0666 whatever the umask, so every user who may write its folder can
    lock it and read the PID (a shared cache or Minari root); its holder refreshes its mtime
    (:func:`heartbeat`). Another user's leftover this user may read but not write is locked
    read-only (``flock`` needs no write permission), and replaced where the folder lets it.
    Probe 111 rows 35, 36: a 0600 lock of a live process (umask 077) was called a leftover.
    """
    try:
        import fcntl
    except ImportError:  # not POSIX: two processes may both do it
        yield
        return
    while True:
        try:
            f = _open_lock_file(lock_path)
        except OSError as err:  # was: a bare "[Errno 21] Is a directory: '…pt.lock'"
            if permission_denied(err) and _wait_unopenable_lock(lock_path, doing):
                continue  # probe 111 row 35: its holder ended; try again
            _refuse_unwritable_lock(lock_path, setting, err)
            if os.path.islink(lock_path):  # probe 158: was "is not a file (Too many levels …)"
                # session 51: O_NOFOLLOW's ELOOP text ("Too many levels of symbolic links") is
                # not the cause; the link's target is what to check
                what = f"is a symbolic link (to {_link_target(lock_path)}; lock files are never opened through one)"
            else:
                cause = f" ({err.strerror or err})"
                what = ("is not a file" if os.path.lexists(lock_path) else "cannot be made") + cause
            raise ValueError(
                f"{setting}: {lock_path} {what}, but a lock file is kept "
                f"there while {doing.split(' (')[0]}; remove it (or point {setting} at a "
                "writable folder) and rerun"
            ) from None
        try:
            _flock_or_wait(fcntl, f, doing, setting)
            current = _is_current(lock_path, f)
        except BaseException:  # Ctrl-C while waiting
            f.close()
            raise
        if current and f.writable():
            break
        if current:  # another user's leftover this user may not write: replace it where it may
            if not can_remove(lock_path):
                break  # held all the same (flock); its PID is not written
            with contextlib.suppress(OSError):
                lock_path.unlink()
        f.close()
    held = os.path.abspath(lock_path)
    _HELD_LOCKS.add(held)
    try:
        if f.writable():
            try:
                f.seek(0)
                f.truncate()
                # probe 102 row 2: where the PID means something. Unbuffered (probe 124 row 25:
                # a full disk failed the write, then close() flushed again and raised a bare
                # "[Errno 28] No space left on device" naming no file)
                os.write(f.fileno(), f"{os.getpid()} {lock_place()}".encode())
            except OSError as err:
                raise WriteFailedError(lock_path, err, setting) from None
        with heartbeat(lock_path):  # probe 111 row 35: held vs leftover, for one who cannot read
            yield
    finally:
        _HELD_LOCKS.discard(held)
        if f.writable():  # probe 156 row 5: another user's in a sticky folder (EPERM): left
            with contextlib.suppress(PermissionError):
                lock_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # nothing is buffered: only a failing file system
            f.close()  # releases the lock


#: Mode of a run folder's ``.lock`` (:func:`_take_lock`): readable by all (another user sees its
#: holder), writable by its owner only. Probe 115: it was 0666, and as its holder is decided by
#: the file's contents (the PID), any local user could rewrite a live run's PID and a second
#: session then ran in the live folder. The flock-based locks (:func:`file_lock`) stay 0666:
#: their contents only feed messages.
RUN_LOCK_MODE = 0o644


def share_lock_file(fd: int, mode: int = 0o666) -> None:
    """Give the lock file ``fd``, just created by this process, ``mode`` whatever the umask:
    0666 (readable and writable by every user) for a flock-based lock, so that any user who may
    write its folder can lock it and read its PID; :data:`RUN_LOCK_MODE` for a run folder's.
    Probe 111 rows 35, 36: under umask 077 a lock was 0600, so another user's process could not
    tell a live holder from a leftover and was told to remove it; both then trained the same
    model at once. Never raises (a file system without modes keeps its own)."""
    with contextlib.suppress(OSError, AttributeError):  # no fchmod on Windows
        os.fchmod(fd, mode)


def _open_lock_file(lock_path: Path) -> Any:
    """``lock_path`` opened for :func:`file_lock`: created (mode 0666, :func:`share_lock_file`),
    or the existing file opened for reading and appending, or read-only (not ``writable()``)
    where this user may not write it (another user's; ``flock`` needs no write permission).
    OSError where it cannot be opened at all, or is a link (probe 156 row 1: a link planted
    there by another member of a group folder had its target truncated and overwritten)."""
    nofollow = getattr(os, "O_NOFOLLOW", 0)
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            pass
        else:
            share_lock_file(fd)
            return _wrap_lock(fd, "a+", lock_path)
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_APPEND | nofollow)
            return _wrap_lock(fd, "a+", lock_path)
        except FileNotFoundError:
            continue  # its holder removed it meanwhile: create it
        except PermissionError as err:
            try:
                return _wrap_lock(os.open(lock_path, os.O_RDONLY | nofollow), "r", lock_path)
            except FileNotFoundError:
                continue
            except PermissionError:
                raise err from None


def _link_target(link: Path) -> str:
    """Where the symbolic link ``link`` points (as written in it), or ``"?"`` if unreadable."""
    try:
        return os.readlink(link)
    except OSError:
        return "?"


def _wrap_lock(fd: int, mode: str, lock_path: Path) -> Any:
    """The file object of the lock file descriptor ``fd``, named ``lock_path`` (messages)."""
    f = os.fdopen(fd, mode, encoding="utf-8", errors="replace")
    f.buffer.raw.name = str(lock_path)
    return f


def _wait_unopenable_lock(lock_path: Path, doing: str) -> bool:
    """Wait while a process holds the lock file ``lock_path`` that this user may not even open
    (another user's, made before lock files were made 0666): its holder is found in
    ``/proc/locks`` by the file's inode. True once that holder let it go (try again), False
    where no holder is seen here (the caller's error says what is known)."""
    try:
        st = lock_path.stat()
    except OSError:
        return False
    pid = _inode_flock_holder(st)
    if pid is None:
        return False
    start = next_line = time.monotonic()
    while _inode_flock_holder(st) == pid:
        now = time.monotonic()
        if now >= next_line:
            waited = f" (waited {now - start:.0f} s)" if now - start >= 1 else ""
            note(
                f"[rambo_env] waiting for process {pid}{foreign_process_text(pid)}, which is "
                f"{doing} and holds the lock {lock_path}{waited} (a lock file this user cannot "
                f"open: {owner_text(lock_path)}); the run goes on when it ends",
            )
            next_line = now + LOCK_WAIT_REPEAT_S
        time.sleep(LOCK_POLL_S)
    return True


#: The :func:`file_lock` files this process holds now (absolute paths; :func:`wait_for_lock`).
_HELD_LOCKS: set[str] = set()


def wait_for_lock(lock_path: str | Path, doing: str) -> None:
    """Wait while another process holds the :func:`file_lock` ``lock_path`` (it is ``doing``
    something), with :func:`file_lock`'s waiting line; at once where no such file is (one
    ``stat``), where this process holds it, or where it cannot be locked here (no ``fcntl``, an
    unreadable file, a file system without ``flock``). Probe 102 row 13: a dataset was loaded,
    old, while another process regenerated it (``--force``) under its generation lock."""
    if not os.path.isfile(lock_path) or os.path.abspath(lock_path) in _HELD_LOCKS:
        return
    try:
        import fcntl

        f = open(lock_path, encoding="utf-8")
    except (ImportError, OSError):
        return
    with f, contextlib.suppress(FlockUnsupportedError):
        _flock_or_wait(fcntl, f, doing, "", shared=True)


def _refuse_unwritable_lock(lock_path: Path, setting: str, err: OSError) -> None:
    """The ValueError of a :func:`file_lock` file this user may not open: another user's lock
    file it may not even read (probe 95 row 36: was "is not a file (Permission denied)"; probe
    111 rows 35, 36: removal is advised only where it is provably stale, :func:`other_users_lock`),
    or a folder this user may not write, where no lock was (probe 95 row 28: was "cannot be made
    …; remove it", of no lock file). Other errors: nothing."""
    if not permission_denied(err):
        return
    foreign = other_users_lock(lock_path)
    if foreign is not None:
        raise ValueError(
            f"{setting}: {foreign} (or point {setting} at a folder of your own)"
        ) from None
    folder = lock_path.parent
    if os.path.lexists(lock_path) or not folder.is_dir():
        return
    advice = f"make it writable (chmod u+w {shell_path(folder)})"
    if owned_by_other(folder):
        advice = "ask its owner to make it writable for you"
    raise ValueError(
        f"{setting}: {lock_path} cannot be made: its folder {folder} is not writable by this "
        f"user ({owner_text(folder)}); {advice}, or point {setting} at a folder of your own"
    ) from None


#: Seconds between the "still waiting" lines of :func:`file_lock` (the first is said at once).
LOCK_WAIT_REPEAT_S = 300.0


#: Seconds between tries of a waiting :func:`file_lock`.
LOCK_POLL_S = 0.5


#: What ``flock`` fails with on a file system that does not support it (Lustre mounted without
#: ``-o flock``: ENOSYS; NFS without lockd: ENOLCK; others: EOPNOTSUPP).
FLOCK_UNSUPPORTED = frozenset(
    {errno.ENOSYS, errno.ENOLCK, errno.EOPNOTSUPP, getattr(errno, "ENOTSUP", errno.EOPNOTSUPP)}
)


class FlockUnsupportedError(ValueError):
    """A lock file (or folder) on a file system without ``flock`` (:func:`try_flock`)."""


def try_flock(
    fcntl: Any, fd: Any, lock_path: str | Path, setting: str, doing: str, shared: bool = False
) -> bool:
    """Lock the open file (or folder) ``fd`` of ``lock_path`` exclusively (``shared``: shared)
    without waiting: True when locked, False when another process holds it. A file system without ``flock`` is one
    ValueError naming the lock, its folder and ``setting`` (what chose the folder), for every
    ``flock`` of the project (probe 102 rows 17, 18: was a bare "[Errno 38] Function not
    implemented", or one naming a run instead of the ledger)."""
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as err:
        if err.errno not in FLOCK_UNSUPPORTED:
            raise
        lock_path = Path(lock_path)
        folder = lock_path if lock_path.is_dir() else lock_path.parent
        raise FlockUnsupportedError(
            f"{setting}: cannot lock {lock_path}: the file system of {folder} does not support "
            f"flock ({err.strerror or err}; e.g. Lustre mounted without -o flock, NFS without "
            f"lockd), which keeps two processes from {doing} at once; point {setting} at a "
            "folder on a local disk (or on a file system with flock) and rerun"
        ) from None
    return True


def _flock_or_wait(fcntl: Any, f: Any, doing: str, setting: str, shared: bool = False) -> None:
    """Lock ``f`` exclusively; if another process holds it, say for whom we wait (the lock file,
    the holder's PID and state where findable, what to do), then wait, repeating the line with
    the time waited every :data:`LOCK_WAIT_REPEAT_S` (probe 33: a lock held by a shell's
    ``flock`` or a suspended job made a run wait forever after one line naming no PID).
    ``setting``: what chose the folder; ``shared``: a shared lock (:func:`try_flock`)."""
    if try_flock(fcntl, f, f.name, setting, doing.split(" (")[0], shared):
        return
    start = next_line = time.monotonic()
    while True:
        now = time.monotonic()
        if now >= next_line:
            note(f"[rambo_env] {_lock_wait_line(f, doing, now - start)}")
            next_line = now + LOCK_WAIT_REPEAT_S
        time.sleep(LOCK_POLL_S)
        if try_flock(fcntl, f, f.name, setting, doing.split(" (")[0], shared):
            return


def _lock_wait_line(f: Any, doing: str, waited_s: float) -> str:
    """One line: for whom and what this process waits, since when, and what to do."""
    name = getattr(f, "name", "the lock file")
    pid = flock_holder(f.fileno())
    waited = f" (waited {waited_s:.0f} s)" if waited_s >= 1 else ""
    if pid is None:
        f.seek(0)
        written = f.read().strip()
        parsed = _parse_lock(written)
        where = lock_elsewhere(written) if parsed is not None else None
        if where is not None:  # probe 102 row 2: its PID names another process here
            return (
                f"waiting for process {parsed[0]} on {where}, which is {doing} and holds the "
                f"lock {name}{waited}; the run goes on when it ends"
            )
        pid = parsed[0] if parsed is not None and pid_alive(parsed[0]) else None
    if pid == os.getpid():  # probe 34: a thread was told to kill its own process
        return (
            f"another thread of this process is {doing}; waiting for it (it holds the lock "
            f"{name}{waited})"
        )
    if pid is None:
        return (
            f"waiting for another process, which is {doing}; it holds the lock {name}{waited}: "
            "the run goes on when it ends (fuser / lsof on that file names it)"
        )
    if process_stopped(pid):  # a flock holder here, or a lock of this host
        return (
            f"waiting for process {pid}, which is {doing} and holds the lock {name}{waited}: "
            f"{stopped_text(pid)}"
        )
    foreign = foreign_process_text(pid)
    end = (  # probe 111 row 34: "kill N" of another user's process is not permitted
        f"ask its owner (or root) to end it: kill {pid}" if foreign else f"end it: kill {pid}"
    )
    return (
        f"waiting for process {pid}{foreign}, which is {doing} and holds the lock {name}{waited}; "
        f"the run goes on when it ends (if process {pid} is stuck or not one of this project's, "
        f"{end})"
    )


def flock_holder(fd: int) -> int | None:
    """The PID holding a ``flock`` on the open file ``fd`` (Linux ``/proc/locks``), or None."""
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return _inode_flock_holder(st)


def _inode_flock_holder(st: os.stat_result) -> int | None:
    """The PID holding a ``flock`` on the file whose ``stat`` is ``st`` (Linux ``/proc/locks``;
    no need to open it), or None."""
    try:
        lines = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return None
    device = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    for line in lines:
        parts = line.split()
        if "->" in parts:  # a waiter's line (" -> FLOCK …"), not the holder's
            continue
        if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == device:
            pid = parts[4]
            if pid.isdigit() and int(pid) > 0 and int(pid) != os.getpid():
                return int(pid)
    return None


def process_state(pid: int) -> str | None:
    """The state letter of process ``pid`` (``/proc/PID/stat``: R, S, D, T stopped, t traced,
    Z …), or None where it cannot be read."""
    fields = _stat_fields(pid)
    return fields[0] if fields else None


def process_stopped(pid: int, folder: str | Path | None = None) -> bool:
    """Process ``pid`` is stopped (SIGSTOP / Ctrl-Z, or held by a tracer): it never ends by
    waiting for it. ``folder``: the folder whose ``.lock`` names ``pid`` (None for a PID of this
    host and namespace, e.g. a ``flock`` holder); where that lock is of another host or PID
    namespace (:func:`lock_elsewhere`) its process cannot be looked at from here: False (probe
    109: this host's ``/proc/<pid>``, an unrelated process or none, was read for it, and a
    stopped local process there called the other host's run stopped)."""
    if folder is not None and _lock_file_elsewhere(Path(folder) / LOCK_NAME) is not None:
        return False
    return process_state(pid) in ("T", "t")


def process_uid(pid: int) -> int | None:
    """The user id of process ``pid`` (Linux ``/proc``), or None where unknown."""
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def foreign_process_text(pid: int) -> str:
    """`` (another user's process: uid N)`` when process ``pid`` belongs to another user, whom
    this (non-root) user may not signal, else ``""``. Probe 111 rows 8, 11, 34, 41: the advice
    "kill -CONT N" / "kill N" of another user's process fails (Operation not permitted)."""
    uid = process_uid(pid)
    try:
        me = os.geteuid()
    except AttributeError:  # Windows
        return ""
    if uid is None or me == 0 or uid == me:
        return ""
    return f" (another user's process: uid {uid})"


def stopped_text(pid: int) -> str:
    """What a stopped holder means and what to do (probe 33: "wait for it" of a suspended run)."""
    foreign = foreign_process_text(pid)
    if foreign:  # probe 111 rows 8, 11, 41: this user cannot signal it
        return (
            f"process {pid}{foreign} is stopped (suspended, e.g. by Ctrl-Z) and will not go on "
            f"by itself; this user cannot continue or end it: ask its owner (or root) to "
            f"continue it (fg in its shell, or kill -CONT {pid}) or end it (kill {pid}; then "
            f"kill -CONT {pid})"
        )
    return (
        f"process {pid} is stopped (suspended, e.g. by Ctrl-Z) and will not go on by itself: "
        f"continue it (fg in its shell, or kill -CONT {pid}) or end it (kill {pid}; then "
        f"kill -CONT {pid}, as a stopped process takes the signal only once continued)"
    )


def _is_current(lock_path: Path, f: Any) -> bool:
    """``f`` is still the file at ``lock_path`` (a holder removes it before releasing the lock, so
    a waiter may have locked a removed file while a newcomer locks a new one: retry then)."""
    try:
        return lock_path.stat().st_ino == os.fstat(f.fileno()).st_ino
    except FileNotFoundError:
        return False
