"""Run folders: their file names (:data:`CONFIG_NAME`, :data:`CHECKPOINT_NAME`, …), the claim a run
holds on its folder while it writes there (:func:`claim_run_dir`, :func:`hold_folder`,
:func:`check_run_dir_kept`) and who else holds one, the checks before a run starts or resumes in
one (:func:`check_run_folder`, :func:`check_not_starting`, :func:`check_not_died_starting`,
:func:`check_run_files_replaceable`, :func:`check_config_keys`, :func:`check_outside_stores`), what
a run folder records (:func:`run_algo`, :func:`run_bc_epochs`, :func:`iterations_on_record`,
:func:`checkpoint_iterations`, :func:`run_score_label`, :func:`effective_agent`).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.claim_run_dir``).
"""

from __future__ import annotations

import contextlib
import errno
import inspect
import json
import math
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from rambo_env.atomic_files import (
    UmaskError,
    WriteFailedError,
    _exists,
    _remove_empty,
    clear_stray_writes,
)
from rambo_env.command_line import did_you_mean, script_line, shell_path
from rambo_env.file_locks import (
    LOCK_HEARTBEAT_S,
    LOCK_NAME,
    LOCK_STALE_S,
    RUN_LOCK_MODE,
    _fs_now,
    _host_name,
    _live_lock_pid,
    _lock_file_elsewhere,
    _parse_lock,
    can_remove,
    folder_identity,
    heartbeat,
    lock_elsewhere,
    lock_text,
    other_users_lock,
    owned_by_other,
    owner_text,
    permission_denied,
    process_stopped,
    share_lock_file,
    sticky_text,
    stopped_text,
)
from rambo_env.json_files import read_json
from rambo_env.logging import note
from rambo_env.path_checks import (
    _dangling_link_on,
    _is_dangling_link,
    make_folders,
    refuse_broken_link,
    refuse_link_loop,
    refuse_unenterable,
)
from rambo_env.provenance import newer_config_format
from rambo_env.torch_files import load_torch_file
from rambo_env.value_checks import is_int, is_real, some_names

__all__ = [
    "BUILT_POLICY_KWARGS",
    "CHECKPOINT_NAME",
    "CONFIG_KEYS",
    "CONFIG_NAME",
    "CURVE_NAME",
    "POLICY_PACKAGES",
    "REPLACED_ENTRIES",
    "RERUN_DIED_START",
    "RESULTS_NAME",
    "RESULTS_STATUSES",
    "RUN_ENTRIES",
    "TB_DIR",
    "TB_LOST_NAME",
    "FolderInUseError",
    "RunDirMovedError",
    "bare_lock_pid",
    "check_config_keys",
    "check_no_foreign_entries",
    "check_not_died_starting",
    "check_not_starting",
    "check_outside_stores",
    "check_run_dir_kept",
    "check_run_files_replaceable",
    "check_run_folder",
    "check_run_readable",
    "checkpoint_iterations",
    "claim_run_dir",
    "dead_lock_pid",
    "default_run_dir",
    "effective_agent",
    "elsewhere_text",
    "foreign_entries",
    "hold_folder",
    "holder_text",
    "host_name_token",
    "iteration0_label",
    "iterations_on_record",
    "json_named",
    "lock_copied",
    "lock_holder",
    "other_holder",
    "run_algo",
    "run_bc_epochs",
    "run_folder_above",
    "run_holder",
    "run_score_label",
    "runs_below",
    "setup_death_pid",
    "stale_heartbeat",
    "trained_evidence",
    "unreadable_run_entries",
    "unused_path",
]


CONFIG_NAME = "config.json"


CHECKPOINT_NAME = "checkpoint.pt"


RESULTS_NAME = "results.json"


#: The ``status`` values cotrain writes into a run's ``results.json`` (``agents.cotrain``);
#: ``running``: a resumed session's, rewritten after each checkpoint until it ends (probe 81);
#: ``failed``: an exception ended it inside an iteration, its last checkpoint kept (probe 85).
RESULTS_STATUSES = ("finished", "stopped", "diverged", "interrupted", "running", "failed")


CURVE_NAME = "learning_curve.png"


TB_DIR = "tb"


# A file in tb/ saying that its earlier event files are lost on purpose: ``--resume`` then goes on
# without them (probe 45: an emptied tb/ was resumed without a word).
TB_LOST_NAME = "CURVES_LOST"


def default_run_dir(dataset: str, algo: str, seed: int, root: str | Path = "runs") -> Path:
    """``runs/<dataset>-<algo>-<YYYYmmdd-HHMMSS>-s<seed>``: dataset files reduced to their stem,
    a Minari id ``<namespace>/<env>/<level>-vN`` to ``<env>-<level>-vN`` (probe 36: its stem
    ``random-v0`` dropped the env, so runs of hopper and walker2d differed by time stamp only)."""
    if dataset.lower().endswith((".npz", ".hdf5", ".h5")) or (os.sep != "/" and os.sep in dataset):
        name = Path(dataset).stem
    elif "/" in dataset:  # a Minari id: all but its namespace
        name = "-".join(part for part in dataset.split("/")[1:] if part) or Path(dataset).stem
    else:
        name = dataset
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return unused_path(Path(root) / f"{name}-{algo}-{stamp}-s{seed}")


def unused_path(base: Path) -> Path:
    """``base``, or ``base-2``, ``base-3`` … : the first that does not exist yet (a default name
    with a time stamp, when another run or sweep started in the same second; the folder's lock
    settles races)."""
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


#: What a run writes into its folder (``diagnostics-it<N>.json``: scripts/diagnose.py).
RUN_ENTRIES = (CONFIG_NAME, CHECKPOINT_NAME, RESULTS_NAME, CURVE_NAME, TB_DIR, LOCK_NAME)


def foreign_entries(run_dir: str | Path) -> list[str]:
    """Sorted names in ``run_dir`` that no run writes (not a run file, a temp file of an atomic
    write, or a diagnose.py report): a folder holding them is not a run folder, and a run never
    clears it (issue 14: ``--run-dir .`` must not empty the working directory)."""
    return sorted(
        p.name
        for p in Path(run_dir).iterdir()
        if p.name not in RUN_ENTRIES
        and not (p.name.startswith(".") and p.name.endswith(".tmp"))
        and not (p.name.startswith("diagnostics-it") and p.name.endswith(".json"))
    )


def host_name_token() -> str:
    """This machine's host name for a file name (``.rambo-tmp-<host>-<pid>-…``): letters, digits,
    ``.``, ``_`` and ``-`` (anything else ``_``), at most 64 characters. A PID alone, read on a
    shared (NFS) folder, names a process of whichever host wrote it (carry45, issue 14)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", _host_name())[:64]


def elsewhere_text(pid: int, where: str, lock: str | Path) -> str:
    """What to do about a lock held by process ``pid`` on ``where`` (:func:`lock_elsewhere`)."""
    return (
        f"process {pid} on {where} holds it (its lock {lock}; a process there cannot be checked "
        f"from this host, so it counts as running while its heartbeat, the lock's mtime, is "
        f"fresh; it is taken over once that is older than {LOCK_STALE_S / 60:.0f} min): wait "
        f"for that job to end, or pick another folder; once that job is surely gone (e.g. "
        f"squeue / ps on that host no longer shows it), remove {lock} and rerun"
    )


def stale_heartbeat(text: str, lock: str | Path) -> float | None:
    """How old (seconds) the heartbeat of the ``.lock`` file ``lock`` (``text`` its content) is
    when it is a lock of another host or PID namespace (:func:`lock_elsewhere`) not refreshed for
    :data:`LOCK_STALE_S`, else None. Its holder refreshes its mtime every
    :data:`LOCK_HEARTBEAT_S` (:func:`heartbeat`), so such a lock's process was killed outright.
    Probe 105 row 4: a run killed (-9, out of memory) in one container and requeued in a new one
    (another PID namespace, often another hostname) was refused until its lock was removed."""
    if lock_elsewhere(text) is None:
        return None
    lock = Path(lock)
    try:
        age = _fs_now(lock.parent) - lock.stat().st_mtime
    except OSError:
        return None
    return age if age > LOCK_STALE_S else None


def _stale_note(pid: int, where: str, age: float, lock: Path) -> None:
    """The one note of a stale lock of another host / namespace taken over (probe 105 row 4)."""
    note(
        f"[rambo_env] note: {lock} was held by process {pid} on {where}, whose heartbeat is "
        f"{age / 60:.0f} min old (a holder refreshes it every {LOCK_HEARTBEAT_S:.0f} s; stale "
        f"after {LOCK_STALE_S / 60:.0f} min): that job was killed outright; taken over",
    )


def lock_copied(text: str, folder: str | Path) -> bool:
    """Whether the ``.lock`` ``text`` found in ``folder`` was written for another folder (it
    came with a copy, ``cp -r``, of a run folder): it records another folder identity."""
    parsed = _parse_lock(text)
    ident = parsed[2] if parsed is not None else None
    here = folder_identity(folder)
    if ident is not None and here is not None and lock_elsewhere(text) is not None:
        # probe 102 row 2: another client of a shared (NFS) file system may number its device
        # otherwise; the inode is the file system's own
        return ident.partition(":")[2] != here.partition(":")[2]
    return ident is not None and here is not None and ident != here


def lock_holder(text: str, folder: str | Path | None = None) -> int | None:
    """The live process a ``.lock``'s ``text`` names, or None: unreadable, or its process is
    gone — also when the PID now belongs to another process that started at another time
    (was: a killed run's stale lock whose PID was reused blocked the folder for good) — or,
    given the ``folder`` the lock was found in, one copied from another folder
    (:func:`lock_copied`, probe 28)."""
    pid = _live_lock_pid(text)
    if pid is not None and folder is not None and lock_copied(text, folder):
        return None
    if pid is not None and folder is not None and stale_heartbeat(text, Path(folder) / LOCK_NAME):
        return None  # probe 105 row 4: killed outright in another container / on another host
    return pid


@contextmanager
def claim_run_dir(run_dir: str | Path, resume: bool = True) -> Iterator[Path]:
    """Hold ``run_dir`` for this process (``.lock`` with the PID) while a run writes into it.

    A lock left by a process that no longer runs is taken over, and temp files of its
    interrupted atomic writes are removed. A folder this call created is removed again if it is
    still empty when the run fails (nothing half-written). A folder that holds files no run
    writes and no ``config.json`` is refused before anything is written into it. A lock copied
    with its folder (``cp -r`` of a live run) is taken over; :func:`check_run_dir_kept` tells
    whether the folder was moved or deleted since (probe 28). ``resume``: False for a new run,
    which a folder holding a started run refuses anyway (``agents.cotrain``: "already holds a
    run"), so the files' owners are not checked then (probe 97 row 37: a new run got the advice
    of a resume).
    """
    run_dir = Path(run_dir)
    # probe 19: was "a link to loop, which does not exist"
    refuse_link_loop(run_dir, "run_dir: ", ", or pick another folder")
    link = _dangling_link_on(run_dir)  # a parent too (probe 11: "cannot create … (File exists)")
    if link is not None:
        where = "" if link == run_dir else f" (its folder {link})"
        raise ValueError(
            f"run_dir: {run_dir}{where} is a link to {os.readlink(link)}, which does not "
            "exist; create that folder or pick another"
        )
    if _exists(run_dir) and not run_dir.is_dir():
        raise ValueError(f"run_dir: {run_dir} exists and is not a folder")
    if _exists(run_dir) and not _exists(run_dir / CONFIG_NAME):
        check_no_foreign_entries(run_dir)
    started = any(_exists(run_dir / name) for name in (CHECKPOINT_NAME, RESULTS_NAME))
    if _exists(run_dir / CONFIG_NAME) and (resume or not started):
        check_run_files_replaceable(run_dir, resume)
    new_dirs = _make_dirs(run_dir)
    created = bool(new_dirs)
    lock = run_dir / LOCK_NAME
    try:
        # was: "cannot write …/.lock (Is a directory); pick a writable folder"
        _refuse_odd_lock(lock, "run_dir: ", "a run", "no run")
        holder = _take_lock(lock)
        where = _lock_file_elsewhere(lock) if holder is not None else None
        if holder is not None and where is not None:
            raise ValueError(f"run_dir: {run_dir} is in use: {elsewhere_text(holder, where, lock)}")
        if holder is not None:
            if process_stopped(holder, run_dir):  # probe 33: "wait for it" of a suspended run
                raise ValueError(
                    f"run_dir: {run_dir} is held by a run that is stopped: {stopped_text(holder)}"
                )
            raise ValueError(  # probe 29: the lock file was not named (a reused PID: a dead end)
                f"run_dir: {run_dir} is in use by process {holder}; wait for it or pick "
                f"another folder (if process {holder} is not a run of this project, its PID was "
                f"reused: remove {lock})"
            )
    except OSError as err:  # a read-only folder, no permission, a full disk
        if created:
            _remove_empty(new_dirs)
        hint = (  # was "pick a writable folder" for a run to resume, too (read-only disk)
            "make it writable, or copy the run folder somewhere writable and resume the copy"
            if _exists(run_dir / CONFIG_NAME)
            else "pick a writable folder"
        )
        foreign = other_users_lock(lock) if permission_denied(err) else None
        if foreign is not None:  # probe 95 row 30: was "pick a writable folder" of a writable one
            raise ValueError(f"run_dir: {foreign}") from err
        raise ValueError(f"run_dir: cannot write {lock} ({err.strerror or err}); {hint}") from err
    except ValueError:
        if created:
            _remove_empty(new_dirs)
        raise
    clear_stray_writes(run_dir)  # interrupted atomic writes of an earlier process
    key, fd = _held_key(run_dir), _open_folder(run_dir)
    previous = _HELD.get(key)
    _HELD[key] = (fd, folder_identity(run_dir))  # for check_run_dir_kept (probe 28)
    ok = False
    try:
        with heartbeat(lock):  # probe 105 row 4: tells another host / container it is held
            yield run_dir
        ok = True
    finally:
        if previous is None:
            _HELD.pop(key, None)
        else:
            _HELD[key] = previous
        try:
            _unlink_lock(lock, fd)
        except OSError as err:  # probe 31: hid the error in flight (a folder turned read-only)
            note(
                f"[rambo_env] WARNING: {lock} could not be removed ({err.strerror or err}); "
                "the next run there takes it over (its process no longer runs), or remove it "
                "by hand",
                stderr=True,
            )
        if not ok and created:
            _remove_empty(new_dirs)


#: The run folders this process holds (:func:`claim_run_dir`): absolute path -> (an open
#: descriptor of the folder, None where it cannot be opened; its :func:`folder_identity`).
_HELD: dict[str, tuple[int | None, str | None]] = {}


def _held_key(run_dir: str | Path) -> str:
    return os.path.abspath(run_dir)


def _open_folder(folder: Path) -> int | None:
    """A read-only descriptor of ``folder`` (it follows the folder when it is moved), or None."""
    try:
        return os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return None


def _unlink_lock(lock: Path, fd: int | None) -> None:
    """Remove this process's ``lock`` from the folder it holds — through ``fd``, where that
    folder now is (moved, probe 28: its ``.lock`` was left behind), and never from another
    folder made at its old path since — then close ``fd``."""
    if fd is None or os.unlink not in os.supports_dir_fd:
        try:
            lock.unlink(missing_ok=True)
        finally:
            if fd is not None:
                os.close(fd)
        return
    try:
        os.unlink(lock.name, dir_fd=fd)
    except FileNotFoundError:
        pass
    finally:
        os.close(fd)


class RunDirMovedError(ValueError):
    """The run folder this process holds was moved, deleted or replaced while its run wrote into
    it (:func:`check_run_dir_kept`)."""


def check_run_dir_kept(run_dir: str | Path) -> None:
    """One :class:`RunDirMovedError` when ``run_dir``, held by this process
    (:func:`claim_run_dir`), is no longer the folder it claimed: moved (``mv runs/a runs/b``),
    deleted or replaced. A run calls it before each write into its folder. Probe 28: a folder
    moved while its run trained gave a TensorBoard writer thread's traceback, then ``error:
    [Errno 2] No such file or directory: b'runs/a/tb/events…'``, and the next checkpoint made a
    new ``runs/a`` holding only that file (``--resume runs/a``: "config.json is missing").
    Nothing to check for a folder this process does not hold."""
    held = _HELD.get(_held_key(run_dir))
    if held is None or held[1] is None or folder_identity(run_dir) == held[1]:
        return
    fd, now = held[0], None
    if fd is not None:
        try:
            now = os.readlink(f"/proc/self/fd/{fd}")  # Linux: where the folder is now
        except OSError:
            now = None
    stop = "nothing more is written (no folder is made at the old path)"
    if now is not None and now.endswith(" (deleted)"):
        raise RunDirMovedError(
            f"run_dir: {run_dir} was deleted while the run was writing into it; {stop}, and "
            "nothing is left to resume: start the run again"
        )
    if now is not None and now != _held_key(run_dir):
        raise RunDirMovedError(
            f"run_dir: {run_dir} was moved to {now} while the run was writing into it; {stop}: "
            f"continue it where it now is: {script_line('cotrain.py')} --resume {shell_path(now)}"
        )
    raise RunDirMovedError(
        f"run_dir: {run_dir} was moved, deleted or replaced while the run was writing into it "
        f"(it is not the folder the run started in); {stop}: if you moved it, continue it where "
        f"it now is: {script_line('cotrain.py')} --resume NEW_PATH"
    )


def _refuse_odd_lock(lock: Path, prefix: str, keeper: str, maker: str) -> None:
    """One ValueError when ``lock`` is a dangling link or not a file (a folder): a holder could
    not write it, and "cannot write … make it writable" misled for a writable folder."""
    if _is_dangling_link(lock) or (_exists(lock) and not lock.is_file()):
        what = "a dangling link" if _is_dangling_link(lock) else "not a file"
        raise ValueError(
            f"{prefix}{lock} is {what}, but {keeper} keeps its process id in that file; "
            f"remove it ({maker} of this project made it) and rerun"
        )


def _take_lock(lock: Path) -> int | None:
    """Write this process's :func:`lock_text` into ``lock``, created exclusively, or over a stale
    lock (its process gone) or one copied from another folder; None when taken, else the PID of
    the live process holding it (the file is then left as it is). OSError from the file system
    is the caller's to report. The file is 0644 whatever the umask (:data:`RUN_LOCK_MODE`), and a
    stale one is replaced (removed and created again), not rewritten: another user's stale lock
    in a folder this user may write is taken over without write permission on the file."""
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, RUN_LOCK_MODE)
        except FileExistsError:
            pass
        else:
            share_lock_file(fd, RUN_LOCK_MODE)
            break
        try:
            text = lock.read_text(errors="replace", encoding="utf-8")
        except FileNotFoundError:  # its holder removed it meanwhile: create it
            continue
        pid = _live_lock_pid(text)
        # probe 102 row 2: this PID on another host or namespace is not this process
        if pid is not None and (pid != os.getpid() or lock_elsewhere(text) is not None):
            age = stale_heartbeat(text, lock)  # probe 105 row 4
            if age is not None:
                _stale_note(pid, lock_elsewhere(text) or "?", age, lock)
            elif not lock_copied(text, lock.parent):  # lock_holder's rule, parsed once
                return pid
            else:  # probe 28: was "in use by process N", N the process of the folder copied from
                note(
                    f"[rambo_env] note: {lock} was copied with its folder from the run of "
                    f"process {pid} in another folder, which does not use {lock.parent}; "
                    "taken over",
                )
        try:  # stale: take it over
            lock.unlink()
        except FileNotFoundError:
            continue
        except OSError:  # a sticky folder, a lock that cannot be removed: rewrite it where
            fd = os.open(lock, os.O_WRONLY | os.O_TRUNC)  # the file lets us (our own, a 0666)
            share_lock_file(fd, RUN_LOCK_MODE)
            break
    try:
        with os.fdopen(fd, "w") as f:
            f.write(lock_text(lock.parent))
    except OSError:  # probe 69 row 35: a full disk left a 0-byte lock (ours, or a stale one)
        lock.unlink(missing_ok=True)
        raise
    return None


class FolderInUseError(ValueError):
    """A folder another live process holds (its ``.lock``; :func:`hold_folder`)."""


@contextmanager
def hold_folder(folder: str | Path, in_use: str, elsewhere: str | None = None) -> Iterator[Path]:
    """Hold the existing ``folder`` for this process (its ``.lock``, as :func:`claim_run_dir`
    does for a run folder) while the block runs; a lock of a process that no longer runs is
    taken over. A live holder is one ValueError ``in_use`` (``{pid}`` is its PID), before the
    block runs. For folders that are not run folders (a sweep's). A full disk (or file-size
    limit) is :class:`WriteFailedError` naming ``elsewhere`` (where else to write: a flag)."""
    folder = Path(folder)
    lock = folder / LOCK_NAME
    # probe 29: was "cannot write …/.lock (Is a directory); make … writable"
    _refuse_odd_lock(lock, "", "this folder's holder", "no process")
    try:
        holder = _take_lock(lock)
    except OSError as err:
        if elsewhere is not None and err.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            # probe 69 row 35: a full disk said "make … writable" of a writable folder
            raise WriteFailedError(lock, err, elsewhere) from err
        foreign = other_users_lock(lock) if permission_denied(err) else None
        if foreign is not None:  # probe 95 row 30: was "make … writable" of a writable folder
            raise ValueError(foreign) from err
        raise ValueError(
            f"cannot write {lock} ({err.strerror or err}); make {folder} writable"
        ) from err
    if holder is not None:
        where = _lock_file_elsewhere(lock)
        if where is not None:  # probe 102 row 2
            raise FolderInUseError(
                f"{in_use.format(pid=holder)}; {elsewhere_text(holder, where, lock)}"
            )
        stopped = f"; {stopped_text(holder)}" if process_stopped(holder, folder) else ""
        raise FolderInUseError(in_use.format(pid=holder) + stopped)
    try:
        with heartbeat(lock):  # probe 105 row 4
            yield folder
    finally:
        lock.unlink(missing_ok=True)


def run_holder(run_dir: str | Path) -> int | None:
    """The PID of the live process holding ``run_dir`` (its ``.lock``, see :func:`claim_run_dir`),
    or None: no lock, an unreadable one, or one left by a process that no longer runs."""
    try:
        text = (Path(run_dir) / LOCK_NAME).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return lock_holder(text, run_dir)  # probe 28: a lock copied with the folder holds nothing


def holder_text(run_dir: str | Path, pid: int) -> str:
    """``process 4``: the process ``pid`` holding ``run_dir`` (:func:`run_holder`), with where it
    runs when its ``.lock`` is of another host or PID namespace (``process 4 on host node7, in
    another PID namespace (a container)``), where the PID alone names another process or none
    (probe 109: ledger.py / curves.py / diagnose.py said "its run (process 4) is still going")."""
    where = _lock_file_elsewhere(Path(run_dir) / LOCK_NAME)
    return f"process {pid}" + (f" on {where}" if where else "")


def other_holder(run_dir: str | Path) -> int | None:
    """:func:`run_holder`, but None where that is this process: its PID on this host and PID
    namespace. A lock of another host or container naming this process's PID is another
    process's (probe 109: container PIDs are small and often equal, e.g. 1 in two containers,
    and such a holder was taken for this process)."""
    holder = run_holder(run_dir)
    if holder == os.getpid() and _lock_file_elsewhere(Path(run_dir) / LOCK_NAME) is None:
        return None
    return holder


def bare_lock_pid(run_dir: str | Path) -> int | None:
    """The PID a run folder's ``.lock`` names when the lock records no start time (a PID alone:
    written where start times are not known, or by hand), so a reused PID cannot be told from
    its run (:func:`lock_holder`); else None."""
    try:
        parsed = _parse_lock((Path(run_dir) / LOCK_NAME).read_text(encoding="utf-8").strip())
    except (OSError, UnicodeDecodeError):
        return None
    return parsed[0] if parsed is not None and parsed[1] is None else None


def check_not_starting(run_dir: str | Path, then: str) -> None:
    """One ValueError when ``run_dir`` has no ``config.json`` yet because its run, alive, is still
    in its setup (dataset load, MLE pretraining, BC warm start); ``then`` says when to come back.
    Probe 27: curves.py and diagnose.py called such a live run "not a run folder"."""
    holder = run_holder(run_dir)
    if holder is not None and not (Path(run_dir) / CONFIG_NAME).is_file():
        who = holder_text(run_dir, holder)  # probe 114 R7: was the bare PID of another host's run
        if process_stopped(holder, run_dir):
            then = stopped_text(holder)
        raise ValueError(
            f"run_dir: {run_dir} has no {CONFIG_NAME} yet: its run ({who}) is still "
            f"starting (dataset load, MLE pretraining, BC warm start); {then}"
        )


#: What a run's folder may hold before its first checkpoint (its lock; temp files are skipped).
_SETUP_ENTRIES = frozenset({LOCK_NAME, TB_DIR})


def dead_lock_pid(run_dir: str | Path) -> int | None:
    """The PID a run folder's ``.lock`` names when that process no longer runs and the lock was
    written for this folder (not copied with it, :func:`lock_copied`), else None. A run removes
    its lock whenever it ends (finished, stopped, diverged, Ctrl-C): one left behind says its
    process was killed outright (SIGKILL, out of memory) and never ended."""
    run_dir = Path(run_dir)
    try:
        text = (run_dir / LOCK_NAME).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    parsed = _parse_lock(text)
    if parsed is None or lock_holder(text, run_dir) is not None or lock_copied(text, run_dir):
        return None
    return parsed[0]


def setup_death_pid(run_dir: str | Path) -> int | None:
    """The PID a run folder's ``.lock`` names when that process no longer runs and the folder
    holds nothing else a run writes (no ``config.json``, checkpoint or results: the run was
    killed outright, SIGKILL or out of memory, during its setup), else None. A lock copied with
    its folder from another one (:func:`lock_copied`) names no run of this folder."""
    run_dir = Path(run_dir)
    try:
        names = [
            p.name
            for p in run_dir.iterdir()
            if not (p.name.startswith(".") and p.name.endswith(".tmp"))
        ]
    except OSError:
        return None
    if not set(names) <= _SETUP_ENTRIES or trained_evidence(run_dir):
        return None
    return dead_lock_pid(run_dir)


def check_not_died_starting(run_dir: str | Path, then: str) -> None:
    """One ValueError when ``run_dir`` has no ``config.json`` because its run was killed during
    its setup (:func:`setup_death_pid`); ``then`` says what to do. Probe 49: ``--resume RUN`` said
    "RUN is not a run folder" and the ledger "(not a run folder?)" for such a folder."""
    pid = setup_death_pid(run_dir)
    if pid is not None and not (Path(run_dir) / CONFIG_NAME).is_file():
        raise ValueError(
            f"run_dir: {run_dir} has no {CONFIG_NAME}: its run (process {pid}) stopped during "
            "its setup (dataset load, MLE pretraining, BC warm start), before its first "
            f"checkpoint; {then}"
        )


#: What to do about a run killed in its setup (:func:`check_not_died_starting`).
RERUN_DIED_START = (
    "rerun the original cotrain command without --resume (it reuses this folder, and its MLE "
    "pretraining continues from the last epoch saved in the model cache)"
)


def iteration0_label(bc_epochs: Any) -> str:
    """What a run's iteration 0 evaluates: its BC warm start, or with ``bc_epochs`` 0 the
    untrained initial policy (probe 45: was called "BC warm start" in the closing summary,
    curves.py and the ledger's plot of a run without one). None (not known): the warm start."""
    return "initial policy (no BC warm start)" if bc_epochs == 0 else "BC warm start"


def run_bc_epochs(run_dir: str | Path) -> Any:
    """The ``bc_epochs`` a run's config.json records (None when it cannot be read)."""
    try:
        return read_json(Path(run_dir) / CONFIG_NAME)["config"].get("bc_epochs")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def run_algo(run_dir: str | Path) -> str | None:
    """The agent (``algo``) a run's config.json records (None when it cannot be read)."""
    try:
        algo = read_json(Path(run_dir) / CONFIG_NAME)["config"].get("algo")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return algo if isinstance(algo, str) else None


def iterations_on_record(run_dir: str | Path) -> int:
    """The iterations a run's results.json says it completed (0 when there is none to read)."""
    try:
        done = json.loads((Path(run_dir) / RESULTS_NAME).read_text(encoding="utf-8-sig")).get(
            "iterations_completed"
        )
    except (OSError, ValueError, AttributeError):
        return 0
    return done if is_int(done) and done > 0 else 0


def checkpoint_iterations(run_dir: str | Path) -> int | None:
    """The iterations a run's checkpoint holds (its ``iteration``, read memory-mapped, no pickle
    code), or None: no checkpoint, or one that cannot be read."""
    try:
        held = load_torch_file(Path(run_dir) / CHECKPOINT_NAME, mmap=True)["iteration"]
    except Exception:  # missing, damaged, another format: the caller says it could not be read
        return None
    return int(held) if is_int(held) and held >= 0 else None


def run_score_label(run_dir: str | Path | None, results: Any = None) -> str:
    """What the normalised scores of the run in ``run_dir`` are called
    (:func:`rambo_env.data.scores.score_label`): its results.json's ``score_label`` (or
    ``ref_scores``), else the pair its config.json records for its data (a run before probe 71),
    else ``"D4RL-normalised"`` (D4RL's pair of its env, as every run before the pair was
    recorded). ``results``: its results.json already read (None: read here); ``run_dir`` None:
    from ``results`` only."""
    from rambo_env.data.scores import score_label

    if results is None and run_dir is not None:
        try:
            results = read_json(Path(run_dir) / RESULTS_NAME)
        except (OSError, ValueError):
            results = None
    results = results if isinstance(results, dict) else {}
    if isinstance(results.get("score_label"), str):
        return results["score_label"]
    try:
        saved = read_json(Path(run_dir) / CONFIG_NAME) if run_dir is not None else {}
        dataset = saved["resolved"]["dataset"]
        env_id = saved["config"].get("env_id") or dataset.get("env_id")
        recorded = (dataset.get("ref_min_score"), dataset.get("ref_max_score"))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        env_id, recorded = None, (None, None)
    pair = results.get("ref_scores")  # a results.json with the pair but no label (hand-made)
    if isinstance(pair, list) and len(pair) == 2 and all(is_real(x) for x in pair):
        recorded = tuple(pair)
    if not all(is_real(x) and math.isfinite(x) for x in recorded):
        return "D4RL-normalised"
    return score_label(env_id, *recorded)


def run_folder_above(folder: str | Path) -> str:
    """``; it is inside the run folder RUN (its tb/?): pass RUN`` when a folder up to three
    levels above ``folder`` holds a run's config.json, else ''. Probe 31: ``--resume RUN/tb`` was
    "not a run folder" without naming RUN, as ``--resume RUN/checkpoint.pt`` already did."""
    folder = Path(folder).absolute()
    for parent in list(folder.parents)[:3]:
        try:
            found = (parent / CONFIG_NAME).is_file()
        except OSError:
            return ""
        if found:
            return f"; it is inside the run folder {parent}: pass {shell_path(parent)}"
    return ""


def trained_evidence(run_dir: str | Path) -> str | None:
    """What in ``run_dir`` shows that its run got past its first checkpoint (its results.json,
    its TensorBoard logs: both are written only after checkpoint 0), else None. Probe 29: a
    finished run whose checkpoint.pt was deleted was said to have "died before its first
    checkpoint"."""
    run_dir = Path(run_dir)
    done = iterations_on_record(run_dir)
    if done:
        return f"its {RESULTS_NAME} records {done} finished iteration(s)"
    if (run_dir / RESULTS_NAME).is_file():
        return f"it has a {RESULTS_NAME} (written only after the first checkpoint)"
    try:
        logged = (run_dir / TB_DIR).is_dir() and any((run_dir / TB_DIR).iterdir())
    except OSError:
        logged = False
    if logged:
        return f"its {TB_DIR}/ holds TensorBoard logs (written only after the first checkpoint)"
    return None


def check_run_folder(run_dir: str | Path) -> None:
    """One FileNotFoundError when ``run_dir`` is not an existing folder (ledger.py and curves.py
    said "has no config.json / tb/ folder (not a run folder?)" for a mistyped path)."""
    if not isinstance(run_dir, str | os.PathLike):  # probe 62: read_curves(5), a raw TypeError
        raise ValueError(
            f"run_dir: expected a run folder's path (str / pathlib.Path), got "
            f"{type(run_dir).__name__} {run_dir!r}"
        )
    run_dir = Path(run_dir)
    refuse_link_loop(run_dir, "run_dir: ", error=FileNotFoundError)
    refuse_broken_link(run_dir, "run_dir: ", error=FileNotFoundError)  # was: "does not exist"
    refuse_unenterable(run_dir, "run_dir: ", PermissionError, "the run")  # probe 111: traceback
    if not run_dir.is_dir():
        what = "is a file, not a folder" if run_dir.exists() else "does not exist"
        raise FileNotFoundError(
            f"run_dir: {run_dir} {what}; pass the folder of a run started by cotrain"
        )


#: The top-level keys of a run's ``config.json``: the run's settings, what they resolved to, the
#: format of the file (:data:`CONFIG_FORMAT`; absent in runs started before probe 92) and the
#: run's sessions as they were invoked (:func:`session_invocation`; absent before probe 138).
CONFIG_KEYS = ("config", "resolved", "format", "invocations")


def json_named(value: Any) -> Any:
    """``value`` as a run's record holds it (``resolved['agent']``): classes and functions by
    qualified name, anything else not JSON by its repr without addresses (the same in every
    process); dicts with their keys sorted."""
    from rambo_env.dynamics.termination import stable_text

    if isinstance(value, dict):
        return {str(k): json_named(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple):
        return [json_named(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, type) or inspect.isfunction(value):
        return f"{value.__module__}.{value.__qualname__}"
    return stable_text(repr(value))


#: The packages whose policy classes :func:`effective_agent` may import to read their defaults
#: (a record names its class; nothing else named in a run's file is imported).
POLICY_PACKAGES = ("stable_baselines3", "agents", "rambo_env", "sb3_contrib")


#: ``policy_kwargs`` entries an agent record holds as built, in their own fields.
BUILT_POLICY_KWARGS = ("net_arch", "activation_fn")


def _policy_defaults(policy: Any) -> dict[str, Any]:
    """The defaults of the keyword arguments of the policy class named ``policy`` (a record's
    ``module.QualName``), as :func:`json_named` names them; {} when the class cannot be found."""
    if not isinstance(policy, str) or "." not in policy:
        return {}
    module_name, qualname = policy, ""
    while "." in module_name and module_name not in sys.modules:
        module_name, _, last = module_name.rpartition(".")
        qualname = f"{last}.{qualname}" if qualname else last
    if module_name not in sys.modules:
        return {}
    found: Any = sys.modules[module_name]
    try:
        for part in qualname.split("."):
            found = getattr(found, part)
        classes = list(found.__mro__)
    except AttributeError:
        return {}
    defaults: dict[str, Any] = {}
    for cls in classes:  # a subclass's ``**kwargs`` goes on to its bases' defaults
        init = cls.__dict__.get("__init__")
        try:
            parameters = inspect.signature(init).parameters.values() if init else ()
        except (TypeError, ValueError):
            continue
        for p in parameters:
            if p.default is not inspect.Parameter.empty:
                defaults.setdefault(p.name, json_named(p.default))
    return defaults


def effective_agent(record: Any) -> dict[str, Any] | None:
    """The networks an agent record (config.json's ``resolved['agent']``) stands for, as two runs'
    agents are compared (load_session / --resume / diagnose, the ledger): the policy class, its
    ``net_arch`` as built (a list: the same for actor and critics), its ``activation_fn``, and the
    ``policy_kwargs`` entries other than those two whose value is not the policy's default. None
    for no record (a run before config format 2: not known). Probe 97 row 51: a wrapper that
    spelled out the defaults (``activation_fn=torch.nn.ReLU, net_arch=[256, 256]``) built the same
    networks, but its raw ``policy_kwargs`` made it "another agent"."""
    if not isinstance(record, dict):
        return None
    policy = record.get("policy")
    for package in POLICY_PACKAGES:  # its defaults: the class imported (a known package only)
        if isinstance(policy, str) and policy.startswith(f"{package}."):
            module_name = policy.rpartition(".")[0]
            with contextlib.suppress(ImportError):
                __import__(module_name)
    defaults = _policy_defaults(policy)
    kwargs = record.get("policy_kwargs")
    arch = record.get("net_arch")
    if isinstance(arch, list):  # SB3's off-policy policies: a list is both pi's and qf's
        arch = {"pi": arch, "qf": arch}
    return {
        "policy": policy,
        "net_arch": arch,
        "activation_fn": record.get("activation_fn"),
        "policy_kwargs": {
            key: value
            for key, value in sorted((kwargs if isinstance(kwargs, dict) else {}).items())
            if key not in BUILT_POLICY_KWARGS and (key not in defaults or defaults[key] != value)
        },
    }


def check_config_keys(saved: dict[str, Any], path: str | Path) -> None:
    """ValueError for a key of a run's ``config.json`` outside :data:`CONFIG_KEYS` (probe 44: a
    hand-added top-level ``"seed": 7`` was ignored on ``--resume`` without a word, while the same
    key inside ``"config"`` was refused as an unknown field)."""
    unknown = sorted(str(key) for key in saved if key not in CONFIG_KEYS)
    newer = newer_config_format(saved, path)
    if unknown and newer:  # probe 92 row 30: a newer writer's key was taken for a stray one
        raise ValueError(f"{newer} (top-level key(s) {unknown} are unknown to this code)")
    if unknown:
        hints = "".join(
            f"; {key!r}{hint}" for key in unknown if (hint := did_you_mean(key, CONFIG_KEYS))
        )
        raise ValueError(
            f"{path}: unknown top-level key(s) {unknown} (the run's settings live under "
            f'"config"){hints}; remove {"it" if len(unknown) == 1 else "them"}'
        )


def check_no_foreign_entries(run_dir: Path) -> None:
    """Raise ValueError naming the files in ``run_dir`` that are not a run's (see
    :func:`foreign_entries`): a run starts only in a new, empty or run folder."""
    foreign = foreign_entries(run_dir)
    if foreign:
        raise ValueError(
            f"run_dir: {run_dir.resolve()} holds files that are not a run's "
            f"({some_names(foreign)}); a run "
            "starts in a new or empty folder and may clear it: pick another folder (--run-dir)"
        )


def check_outside_stores(
    folder: str | Path, what: str = "run_dir", flag: str = "--run-dir"
) -> None:
    """Raise ValueError when ``folder`` (a run or sweep folder about to be written, or resumed) is
    inside the Minari root (``MINARI_DATASETS_PATH`` or ``~/.minari/datasets``) or the model
    cache (``RAMBO_ENV_CACHE``), links followed. Probe 34: a run inside a Minari dataset's folder
    was deleted with it by ``make_dataset.py --force``, one in the model cache by clearing the
    cache (the README's fix for a bad cached model). Called before any expensive work."""
    from rambo_env.data.minari_io import minari_dataset_path  # both import this module
    from rambo_env.dynamics.io import cache_dir

    real = Path(os.path.realpath(folder))
    stores = (
        (
            lambda: minari_dataset_path(""),
            "the Minari root",
            "MINARI_DATASETS_PATH",
            "a run there is deleted when make_dataset.py --force replaces a dataset's folder",
        ),
        (
            cache_dir,
            "the model cache",
            "RAMBO_ENV_CACHE",
            "a run there is deleted when the cache is cleared (the fix for a bad cached model)",
        ),
    )
    for root_of, name, variable, fate in stores:
        try:
            root = Path(os.path.realpath(root_of()))
        except (ValueError, OSError):  # no home folder, an odd value: not this check's to say
            continue
        if real != root and root not in real.parents:
            continue
        where = f"{name} {root} ({variable})"
        for above in (real, *real.parents):  # name the dataset's own folder, if in one
            if above == root:
                break
            if (above / "data" / "metadata.json").is_file():
                where = f"the Minari dataset folder {above}, in {where}"
                break
        raise ValueError(
            f"{what}: {folder} is inside {where}; {fate}: pick a folder outside {root} "
            f"({flag}; a run already there: move its folder out first)"
        )


def _make_dirs(path: Path) -> list[Path]:
    """``mkdir -p path`` -> the folders it created, deepest first; OSError -> ValueError."""
    missing = [p for p in (path, *path.parents) if not _exists(p)]
    try:
        make_folders(path)
    except UmaskError as err:
        raise ValueError(f"run_dir: {err}") from None
    except OSError as err:  # a parent that is a file, a name too long, /proc, no permission
        _remove_empty([p for p in missing if _exists(p)])
        where = "" if path.is_absolute() else f" (in the current folder {Path.cwd()})"
        raise ValueError(  # probe 25: a relative default named neither the cwd nor the flag
            f"run_dir: cannot create {path}{where} ({err.strerror or err}); pick a folder you "
            "can write (--run-dir)"
        ) from None
    return missing


def unreadable_run_entries(run_dir: str | Path) -> list[Path]:
    """The run files (:data:`RUN_ENTRIES`, and what its ``tb/`` holds) in ``run_dir`` that this
    user cannot read (a folder: read and enter), sorted; a folder it cannot enter stands for what
    it holds. Empty where all are readable (or missing: the caller's checks say so)."""
    run_dir = Path(run_dir)
    closed: list[Path] = []
    for path in (run_dir / name for name in RUN_ENTRIES if name != LOCK_NAME):
        try:
            if path.is_dir() and not os.access(path, os.R_OK | os.X_OK):
                closed.append(path)
            elif path.is_dir():
                closed += (
                    p
                    for p in path.rglob("*")
                    if not os.access(p, os.R_OK | (os.X_OK if p.is_dir() else 0))
                )
            elif path.is_file() and not os.access(path, os.R_OK):
                closed.append(path)
        except OSError:
            closed.append(path)
    return sorted(closed)


def check_run_readable(run_dir: str | Path, needed: Sequence[str] = (), hint: str = "") -> None:
    """One ValueError ``run_dir: RUN holds files this user cannot read …`` naming every run file
    this user cannot read (:func:`unreadable_run_entries`), with its owner's one command
    (``chmod -R a+rX RUN``), when one of ``needed`` (names in the run folder; empty: any) is
    among them; else nothing. Probe 114 rows 47-49: config.json was named alone, one file a
    round, and "copy the run folder" advised where the copy cannot be made."""
    run_dir = Path(run_dir)
    wanted = {run_dir / name for name in needed}
    if wanted and all(os.access(p, os.R_OK) or not os.path.lexists(p) for p in wanted):
        return  # what the caller reads is readable: no scan of the folder
    closed = unreadable_run_entries(run_dir)
    if not closed or (wanted and not wanted & set(closed)):
        return
    names = ", ".join(
        f"{p.relative_to(run_dir)}{'/' if p.is_dir() else ''} ({owner_text(p)})" for p in closed[:4]
    )
    more = f" and {len(closed) - 4} more" if len(closed) > 4 else ""
    opened = shell_path(run_dir)
    if any(owned_by_other(p) for p in closed):
        advice = (
            f"ask their owner to open the run (chmod -R a+rX {opened}) or to copy it to a "
            "folder you can read, or run as the user who owns it"
        )
    else:
        advice = f"make them readable (chmod -R u+rX {opened})"
    raise ValueError(
        f"run_dir: {run_dir} holds files this user cannot read (Permission denied): "
        f"{names}{more}; {advice}{hint}"
    )


#: The entries of a run folder that a run replaces (files) or writes into (:data:`TB_DIR`, new
#: event files), from :data:`RUN_ENTRIES`; the lock is :func:`claim_run_dir`'s own check (probe
#: 97 row 29: every top-level file was checked, so another user's diagnose.py report refused a
#: resume that never touches it).
REPLACED_ENTRIES = tuple(n for n in RUN_ENTRIES if n not in (LOCK_NAME, TB_DIR))


def check_run_files_replaceable(run_dir: str | Path, resume: bool = True) -> None:
    """One ValueError when a run cannot write its files in the run folder ``run_dir`` (one that
    holds a ``config.json``): the folder or its ``tb/`` is not writable by this user, or a file
    of :data:`REPLACED_ENTRIES` is another user's in a sticky folder (mode 1777, a shared
    folder). Otherwise the first write of a ``--resume`` fails after the dataset load and the
    model setup (probe 95 row 27: was "config.json: not written (Operation not permitted); check
    that … is a writable folder"; probe 97 row 24: an unwritable ``tb/`` was a raw "[Errno 13]"
    of TensorBoard with results.json left "running"). ``resume``: False for a new run (its
    advice is another folder, not a copy to resume; probe 97 row 37)."""
    run_dir = Path(run_dir)
    if resume and _unwritable_folder_text(run_dir) is not None:
        check_run_readable(run_dir)  # probe 114 R10: "cp -r" of files this user cannot read
    if resume:
        advice = (
            "copy the run folder to a writable folder of your own and resume the copy (cp -r "
            f"{shell_path(run_dir)} COPY; {script_line('cotrain.py')} --resume COPY)"
        )
    else:
        advice = "pick a folder of your own for the new run (--run-dir)"
    for folder, writes in ((run_dir, "its files"), (run_dir / TB_DIR, "new TensorBoard files")):
        if folder != run_dir and (folder.is_symlink() or not folder.is_dir()):
            continue  # no tb/ yet (made in the writable run folder), or not a folder: resume says
        problem = _unwritable_folder_text(folder)
        if problem is not None:
            what, fix = problem
            raise ValueError(
                f"run_dir: {folder} {what}; a run writes {writes} there: {fix}{advice}"
            )
    blocked = [
        p
        for p in (run_dir / name for name in REPLACED_ENTRIES)
        if p.is_file() and not p.is_symlink() and not can_remove(p)
    ]
    if not blocked:
        return
    first = blocked[0]  # config.json first: the resume's first write
    raise ValueError(
        f"run_dir: {run_dir} holds files of another user that a run there must replace but "
        f"this user cannot ({some_names([p.name for p in blocked])}; {first.name}: "
        f"{owner_text(first)})"
        f"{sticky_text(run_dir)}; {advice}, or run as its owner (uid {first.stat().st_uid})"
    )


def _unwritable_folder_text(folder: Path) -> tuple[str, str] | None:
    """Why this user cannot add or replace files in ``folder`` and what to do first (``is on a
    read-only file system``; this user's own folder without write permission: ``chmod u+w``;
    another user's: ask its owner), or None where it can (or where that is unknown). Probe 97
    row 50: this user's own read-only run folder was called "files of another user … run as its
    owner" with this user's uid."""
    try:
        if os.access(folder, os.W_OK | os.X_OK):
            return None
        read_only = bool(os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 0))
        uid = folder.stat().st_uid
        mine = uid == os.geteuid()
    except (OSError, AttributeError):  # no statvfs / geteuid on Windows
        return None
    if read_only:
        return "is on a read-only file system", ""
    if mine:
        return (
            f"is not writable ({owner_text(folder)}: this user's)",
            f"make it writable (chmod u+w {shell_path(folder)}) and rerun, or ",
        )
    return (
        f"is another user's folder that this user cannot write ({owner_text(folder)})",
        f"ask its owner (uid {uid}) to make it writable for you, or ",
    )


def runs_below(folder: Path) -> str:
    """``; it holds N run folder(s) below it (a sweep folder: …), e.g. …`` when ``folder`` is not a
    run folder but has some up to four levels down (a sweep's ``runs/<dataset>/<config>/s<seed>``),
    else '' (also for a run folder itself, or no folder). Probe 29: diagnose.py on a sweep folder
    did not point at its trials; probe 51: nor did scripts/ledger.py and scripts/curves.py.
    Used by every refusal of a folder that is no run folder."""
    try:  # probe 111: a folder this user may not enter raised here, within an error message
        if not folder.is_dir() or (folder / CONFIG_NAME).exists():
            return ""
    except OSError:
        return ""
    found: list[Path] = []
    for depth in range(1, 5):
        try:
            found += sorted(
                p.parent
                for p in folder.glob("/".join(["*"] * depth + [CONFIG_NAME]))
                if "tune" not in p.relative_to(folder).parts
            )
        except OSError:  # an unreadable subfolder: no hint
            return ""
        if len(found) > 50:
            break
    if not found:
        return ""
    sweep = " (a sweep folder: one run per trial)" if (folder / "sweep.json").is_file() else ""
    return (
        f"; it holds {len(found) if len(found) <= 50 else 'over 50'} run folder(s) below it"
        f"{sweep}, e.g. "
        f"{shell_path(found[0])}: pass one of those"
    )
