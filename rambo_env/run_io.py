"""Run-folder I/O for co-training runs: atomic JSON / checkpoint writes, RNG states, learning curve.

Nothing here knows about SB3. Every write goes to a temporary file in the target folder and is
renamed over the target (``os.replace`` is atomic on POSIX), so a run killed mid-write leaves the
previous file intact and never a half-written one.

Run folder layout (written by :func:`agents.cotrain.run_cotrain`)::

    <run_dir>/config.json          resolved config + dataset / model sources
    <run_dir>/checkpoint.pt        last good checkpoint (see agents.cotrain for its content)
    <run_dir>/results.json         final score, per-eval history, RAMBO-OFF terms, wall time
    <run_dir>/learning_curve.png   normalised score (or return) and average Q per iteration
    <run_dir>/tb/                  TensorBoard event files (SB3 logger)
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import decimal
import errno
import functools
import gc
import hashlib
import inspect
import json
import math
import os
import pickle
import random
import re
import shutil
import signal
import stat
import sys
import tempfile
import textwrap
import threading
import time
import typing
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import torch

from rambo_env.atomic_files import (  # noqa: F401 (re-exported: run_io's names before the split)
    _ASIDE_MARK,
    _E,
    _TEMP_RANDOM,
    NAME_MAX,
    PATH_MAX,
    StagedFiles,
    UmaskError,
    WriteFailedError,
    _exists,
    _file_mode,
    _keep_aside,
    _rebuilt_error,
    _remove_empty,
    _umask,
    atomic_write,
    check_name_room,
    check_umask_for_folders,
    check_umask_for_run,
    clear_stray_writes,
    error_behind,
    folder_owner_for_root,
    give_to_folder_owner,
    is_file,
    is_folder,
    kept_owner,
    safe_reason,
    staged_name_bytes,
    umask_now,
)
from rambo_env.command_line import (  # noqa: F401 (re-exported: run_io's names before the split)
    DID_YOU_MEAN_CUTOFF,
    NEGATIVE_NUMBER,
    TYPOGRAPHIC_DASHES,
    StrayWord,
    accept_negative_numbers,
    check_switch_with_value,
    check_typed_dashes,
    did_you_mean,
    odd_stray_word,
    refuse_conflicting_options,
    script_line,
    shell_path,
    shell_quote,
    shown_word,
    stray_words,
    switch_value_message,
    unknown_option_hint,
    unrecognized_arguments,
)
from rambo_env.file_locks import (  # noqa: F401 (re-exported: run_io's names before the split)
    _HELD_LOCKS,
    FLOCK_UNSUPPORTED,
    LOCK_HEARTBEAT_S,
    LOCK_NAME,
    LOCK_POLL_S,
    LOCK_STALE_S,
    LOCK_WAIT_REPEAT_S,
    RUN_LOCK_MODE,
    FlockUnsupportedError,
    _aside_writer,
    _flock_or_wait,
    _fs_now,
    _host_name,
    _inode_flock_holder,
    _is_current,
    _live_lock_pid,
    _lock_file_elsewhere,
    _lock_wait_line,
    _open_lock_file,
    _parse_lock,
    _refuse_unwritable_lock,
    _split_place,
    _stat_fields,
    _uid_processes,
    _unreadable_lock_text,
    _wait_unopenable_lock,
    _wrap_lock,
    can_remove,
    file_lock,
    flock_holder,
    folder_identity,
    foreign_process_text,
    heartbeat,
    lock_elsewhere,
    lock_place,
    lock_text,
    other_users_lock,
    owned_by_other,
    owner_text,
    permission_denied,
    pid_alive,
    process_start,
    process_state,
    process_stopped,
    process_uid,
    replace_folder,
    restore_set_aside,
    share_lock_file,
    sticky_text,
    stopped_text,
    try_flock,
    wait_for_lock,
)
from rambo_env.host_limits import (  # noqa: F401 (re-exported: run_io's names before the split)
    _proc_kib,  # tests/test_run_io_probe137s.py
    address_space_shortfall,
    available_memory_bytes,
    memory_error,
    memory_limit_words,
    out_of_memory_line,
    out_of_memory_text,
    process_limit,
    process_limit_text,
)
from rambo_env.logging import note, notes_printed
from rambo_env.provenance import (  # noqa: F401 (re-exported: run_io's names before the split)
    CONFIG_FORMAT,
    INVOCATION_KEYS,
    RUN_ENVIRONMENT,
    NewerFormatError,
    check_invocation,
    check_not_newer,
    invocation_problem,
    newer_config_format,
    recorded_invocations,
    script_invocation,
    session_invocation,
)
from rambo_env.requirements import (  # noqa: F401 (re-exported: defined there to run before torch)
    CLOSED_AT_START,
    address_space_limit_text,
    check_matplotlib,
    escape_unencodable_output,
    import_dependency,
    out_of_memory,
    out_of_memory_remedy,
    tracebacks_wanted,
    version_tuple,
)

__all__ = [
    "AGENT_SEED_LIMIT",
    "BUILT_POLICY_KWARGS",
    "CHECKPOINT_NAME",
    "CONFIG_FORMAT",
    "CONFIG_KEYS",
    "CONFIG_NAME",
    "CUDA_GENERATOR_STATE_BYTES",
    "CURVE_NAME",
    "FOLDER_PATH_MAX",
    "INVOCATION_KEYS",
    "LOCK_NAME",
    "NAME_MAX",
    "PATH_MAX",
    "POLICY_PACKAGES",
    "RESULTS_NAME",
    "RESULTS_STATUSES",
    "RUN_ENVIRONMENT",
    "RUN_SEED_LIMIT",
    "SEED_LIMIT",
    "TB_DIR",
    "TB_LOST_NAME",
    "FlockUnsupportedError",
    "FolderInUseError",
    "NewerFormatError",
    "RunDirMovedError",
    "UmaskError",
    "WriteFailedError",
    "address_space_shortfall",
    "as_json",
    "atomic_write",
    "available_memory_bytes",
    "broken_link_text",
    "can_remove",
    "check_called_with",
    "check_config_keys",
    "check_default_device",
    "check_default_dtype",
    "check_field_ranges",
    "check_field_types",
    "check_file_or_absent",
    "check_flag",
    "check_folder_room",
    "check_free_space",
    "check_invocation",
    "check_locale_text",
    "check_matplotlib",
    "check_name_room",
    "check_no_foreign_entries",
    "check_not_died_starting",
    "check_not_newer",
    "check_not_starting",
    "check_output_file",
    "check_output_streams",
    "check_outside_stores",
    "check_readable",
    "check_run_dir_kept",
    "check_run_files_replaceable",
    "check_run_folder",
    "check_seed",
    "check_state_dict",
    "check_torch_compile_cache",
    "check_torch_int_variables",
    "check_umask_for_folders",
    "check_umask_for_run",
    "check_writable",
    "claim_run_dir",
    "clear_stray_writes",
    "counted",
    "damaged_cache_entry",
    "damaged_file",
    "dead_lock_pid",
    "default_run_dir",
    "did_you_mean",
    "effective_agent",
    "error_behind",
    "escalated_warning",
    "escape_unencodable_output",
    "exit_on_interrupt",
    "expand_home",
    "file_lock",
    "flock_holder",
    "folder_identity",
    "folder_room_problem",
    "foreign_entries",
    "get_rng_state",
    "give_to_folder_owner",
    "give_tree_to_folder_owner",
    "headless_figure",
    "hold_folder",
    "home_dir",
    "home_store_words",
    "host_name_token",
    "integer_ticks",
    "interrupts_deferred",
    "is_closed_stdout",
    "is_int",
    "is_real",
    "iteration0_label",
    "json_named",
    "link_loop",
    "link_loop_text",
    "load_checkpoint",
    "longest_name_bytes",
    "make_folders",
    "memory_error",
    "memory_limit_words",
    "note_relative",
    "numpy2_pickle_error",
    "numpy_underflow_ignored",
    "on_closed_pipe",
    "other_holder",
    "other_users_lock",
    "out_of_memory",
    "out_of_memory_line",
    "out_of_memory_remedy",
    "out_of_memory_text",
    "owned_by_other",
    "owner_text",
    "permission_denied",
    "pid_alive",
    "plot_learning_curve",
    "process_state",
    "process_state_kept",
    "process_stopped",
    "python_fields",
    "python_scalar",
    "read_json",
    "refuse_broken_link",
    "refuse_link_loop",
    "refuse_unenterable",
    "report_failure",
    "report_user_error",
    "restore_generator",
    "run_algo",
    "run_bc_epochs",
    "run_folder_above",
    "run_holder",
    "run_score_label",
    "runs_below",
    "save_checkpoint",
    "sb3_ent_coef",
    "script_invocation",
    "session_invocation",
    "set_rng_state",
    "shell_path",
    "shell_quote",
    "sigterm_as_keyboard_interrupt",
    "sigterm_cleaned_up",
    "silence_stdout",
    "staged_name_bytes",
    "status_on_request",
    "sticky_text",
    "stop_handler",
    "stop_signals",
    "stopped_text",
    "thread_count",
    "tolerant_console",
    "tracebacks_wanted",
    "trains_with_grad",
    "try_flock",
    "umask_now",
    "unenterable_folder",
    "unknown_option_hint",
    "unreadable_reason",
    "unrecognized_arguments",
    "unused_path",
    "user_file_path",
    "user_folder_path",
    "user_stacklevel",
    "wait_for_lock",
    "warn_each_time",
    "whole_number",
    "with_article",
    "write_json",
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


def torch_processes() -> list[int]:
    """PIDs of the OTHER live processes that have libtorch loaded (Linux ``/proc``; ``[]`` where it
    cannot be read). Two of them on the same cores make 2-thread OpenMP collapse (spin-waits)."""
    own, found = os.getpid(), []
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []
    for pid in pids:
        if pid == own:
            continue
        try:
            with open(f"/proc/{pid}/maps", encoding="utf-8", errors="replace") as f:
                if any("libtorch_cpu" in line or "libtorch_cuda" in line for line in f):
                    found.append(pid)
        except OSError:  # gone, or another user's
            continue
    return sorted(found)


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity), at least 1."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _cgroup_mounts(mountinfo: str) -> list[tuple[int, Path, str]]:
    """``(version, mount point, mounted root)`` of the cgroup hierarchies that hold the CPU
    controller (v1 ``cpu``; v2 ``cgroup2``), from ``/proc/self/mountinfo``'s text."""
    mounts = []
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        fields, after = left.split(), right.split()
        if not sep or len(fields) < 5 or len(after) < 3:
            continue
        if after[0] == "cgroup2":
            mounts.append((2, Path(fields[4]), fields[3]))
        elif after[0] == "cgroup" and "cpu" in after[2].split(","):
            mounts.append((1, Path(fields[4]), fields[3]))
    return mounts


def _cgroup_quota(folder: Path, version: int) -> float | None:
    """The CPU quota set on this cgroup folder, in CPUs (``quota / period``), None where none."""
    try:
        if version == 2:
            quota, period = (folder / "cpu.max").read_text().split()[:2]
            if quota == "max":
                return None
        else:
            quota = (folder / "cpu.cfs_quota_us").read_text().strip()
            period = (folder / "cpu.cfs_period_us").read_text().strip()
        if int(quota) <= 0 or int(period) <= 0:  # v1: -1 for none
            return None
        return int(quota) / int(period)
    except (OSError, ValueError):
        return None


def cgroup_cpu_limit(proc: Path = Path("/proc/self")) -> float | None:
    """The smallest CPU quota of this process's cgroups and their parents, in CPUs (cgroup v2
    ``cpu.max``, v1 ``cpu.cfs_quota_us / cpu.cfs_period_us``: docker ``--cpus``, Kubernetes
    ``limits.cpu``, a scheduler without a cpuset), or None where none is set or none can be read."""
    try:
        mounts = _cgroup_mounts((proc / "mountinfo").read_text())
        memberships = (proc / "cgroup").read_text().splitlines()
    except OSError:
        return None
    limits = []
    for version, mount, mounted in mounts:
        point = mount.resolve()  # /sys/fs/cgroup/cpu may link to cpu,cpuacct
        for line in memberships:
            hierarchy, _, rest = line.partition(":")
            controllers, _, path = rest.partition(":")
            if (version == 2) != (hierarchy == "0" and controllers == ""):
                continue
            if version == 1 and "cpu" not in controllers.split(","):
                continue
            # the process's folder under the mount point (a container mounts its own cgroup as /)
            relative = os.path.relpath(path, mounted) if path.startswith(mounted) else path
            folder = (point / relative.lstrip("/")).resolve() if relative != "." else point
            while True:  # a quota on a parent cgroup limits this one too
                if (quota := _cgroup_quota(folder, version)) is not None:
                    limits.append(quota)
                if folder == point or point not in folder.parents:
                    break
                folder = folder.parent
    return min(limits) if limits else None


def allocated_cores() -> tuple[int, str]:
    """``(cores, source)``: the cores this process may use, the fewest of its CPU affinity, its
    cgroup CPU quota (rounded up) and ``SLURM_CPUS_PER_TASK`` where set; ``source`` says which
    decided (empty when the affinity did, or a note on a ``SLURM_CPUS_PER_TASK`` ignored)."""
    affinity = usable_cores()
    cores, source, ignored = affinity, "", ""
    quota = cgroup_cpu_limit()
    if quota is not None and math.ceil(quota) < cores:
        cores, source = max(1, math.ceil(quota)), f"the cgroup CPU quota of {quota:g} CPU(s)"
    slurm = os.environ.get("SLURM_CPUS_PER_TASK")
    if slurm is not None and (not re.fullmatch(r"[0-9]+", slurm.strip()) or int(slurm) < 1):
        ignored = f"SLURM_CPUS_PER_TASK={slurm!r} is not a positive int: ignored"
    elif slurm is not None and int(slurm) < cores:
        cores, source = int(slurm), f"SLURM_CPUS_PER_TASK={int(slurm)}"
    if source:
        source = f"{source}, of {affinity} in the CPU affinity"
    return cores, "; ".join(text for text in (source, ignored) if text)


#: Most torch threads per core a run may ask for (``--torch-threads 100000`` made OpenMP fail with
#: EAGAIN, then segfault).
MAX_THREADS_PER_CORE = 4


def resolve_torch_threads(requested: int | None) -> tuple[int, str]:
    """``(threads, why)``: ``requested`` if given (``why`` warns when it is more than the usable
    cores), else every core this process may use divided among the torch processes running now
    (this one included), at least 1, and at most ``OMP_NUM_THREADS`` when that is set (its first
    entry where it lists OpenMP's nested levels, ``2,1``; a value that is not a positive int is
    said to be ignored)."""
    cores = usable_cores()
    if requested is not None:
        most = MAX_THREADS_PER_CORE * max(cores, os.cpu_count() or 1)
        if int(requested) < 1:  # was: "… give fewer" for 0 and -3
            raise ValueError(
                f"torch_threads: {requested} is not in [1, {most}]; give at least 1, or none for "
                "auto"
            )
        if int(requested) > most:
            raise ValueError(
                f"torch_threads: {requested} is not in [1, {most}] ({MAX_THREADS_PER_CORE} per "
                f"core of this machine; more only slow torch down, and thousands fail to start "
                "or crash it); give fewer, or none for auto"
            )
        # probe 109: the cgroup quota and SLURM_CPUS_PER_TASK count too (was: the affinity only,
        # so 2 threads under SLURM_CPUS_PER_TASK=1 were "as configured", unsaid)
        allotted, source = allocated_cores()
        if int(requested) > allotted:
            where = f" ({source})" if source else ""
            return int(requested), (
                f"as configured; more than the {allotted} usable core(s){where}: expect a slowdown"
            )
        return int(requested), "as configured"
    # probe 102 row 7: was the affinity mask only (2 threads under a 1-CPU quota and
    # SLURM_CPUS_PER_TASK=1)
    cores, source = allocated_cores()
    decided = f" ({source})" if source else ""
    others = torch_processes()
    threads = max(1, cores // (1 + len(others)))
    if not others:
        why = f"auto: {cores} core(s){decided}, no other torch process"
    else:
        listed = ", ".join(str(p) for p in others[:5]) + (" ..." if len(others) > 5 else "")
        why = (
            f"auto: {cores} core(s){decided} shared with {len(others)} other torch process(es), "
            f"PID {listed}"
        )
    # Probe 52: OMP_NUM_THREADS=1 (a shared machine's limit, the README's test command) was
    # overridden by auto's 2 threads without a word, and a garbage value ignored silently.
    omp = os.environ.get("OMP_NUM_THREADS")
    if omp is None:
        return threads, why
    if not omp.strip():  # probe 68: libgomp's "Invalid value …" line, and no word of ours
        return threads, (
            f"{why}; OMP_NUM_THREADS={omp!r} is empty: treated as unset (OpenMP's 'Invalid value "
            "for environment variable OMP_NUM_THREADS' at the start is about it)"
        )
    # probe 69: '²' passed isdigit() and was int()'s raw error; '１' (full width) was taken as 1,
    # which OpenMP refuses: ASCII digits only. Probe 144 row 7: OpenMP's list of nested levels
    # ('2,1') was ignored; its first entry, the outer level, is the cap
    levels = [level.strip() for level in omp.split(",")]
    if not all(re.fullmatch(r"[0-9]+", level) and int(level) > 0 for level in levels):
        return threads, f"{why}; OMP_NUM_THREADS={omp!r} is not a positive int: ignored"
    cap = int(levels[0])
    shown = f"{cap}" if len(levels) == 1 else f"{omp.strip()!r} (outer level {cap})"
    if cap < threads:
        return cap, (
            f"OMP_NUM_THREADS={shown}, below auto's {threads} ({why}); --torch-threads N "
            "overrides both"
        )
    if cap > threads:  # probe 64 row 54: was dropped without a word
        return threads, (
            f"{why}; OMP_NUM_THREADS={shown} is above auto's {threads}: auto used "
            f"(--torch-threads {cap} to use {cap})"
        )
    return threads, why


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


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 iteration`` / ``2 iterations``: ``n`` and ``noun`` in its number for a message
    (``plural``: when it is not ``noun + "s"``). Probe 41: "1 iterations", "a batch of 1
    observations"."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def check_batch_within_rows(name: str, batch_size: Any, rows: Any, source: str) -> None:
    """ValueError when ``batch_size`` is more than the ``rows`` a batch is drawn from (with
    replacement): every batch would repeat each row. ``source``: what the rows are, after "the
    N rows" (e.g. "the mixed replay buffer samples from (…)"). The agent's and the adversary's
    batches say it alike (probe 98 row 38: ``AdversaryConfig(batch_size=5000)`` on 1200 rows ran
    without a word while the agent's was refused)."""
    if not (is_int(batch_size) and is_int(rows)) or batch_size <= rows:
        return
    raise ValueError(
        f"{name}: {batch_size} is more than the {rows} rows {source}: every batch would repeat "
        f"each row ~{batch_size // max(rows, 1)} times; give at most {rows} (the paper's batch: 256)"
    )


def _current_class(kind: type) -> Any:
    """The class its module holds now under ``kind``'s qualified name (None when gone)."""
    held: Any = sys.modules.get(kind.__module__)
    for part in kind.__qualname__.split("."):
        held = getattr(held, part, None)
    return held


def _holders(expected: type) -> list[str]:
    """The modules other than ``expected``'s own that hold ``expected`` itself by its name (e.g.
    ``agents.cotrain`` after ``from agents.cotrain_setup import CotrainConfig``)."""
    found = []
    for mod_name, module in list(sys.modules.items()):
        held = getattr(module, "__dict__", None)
        if (
            mod_name != expected.__module__
            and isinstance(held, dict)
            and held.get(expected.__name__) is expected
        ):
            found.append(mod_name)
    ours = [m for m in found if m.split(".")[0] in ("agents", "rambo_env", "scripts")]
    return sorted(ours or found)


def type_name(value: Any, expected: type, name: str) -> str:
    """``type(value).__name__`` for an error that expected an ``expected`` as argument ``name``;
    for an instance of another ``expected`` (same module and name, another class object: its
    module was reloaded in between) which side is stale, and what to do. Probe 77 row 19: after
    ``importlib.reload(agents.cotrain)`` the error read "expected an agents.cotrain.CotrainConfig,
    got CotrainConfig". Probe 78 row 29: a value built from the RELOADED class (the function's
    module still holding the older one) was told to be built again with the reloaded class."""
    kind = type(value)
    if kind is expected or (kind.__module__, kind.__qualname__) != (
        expected.__module__,
        expected.__qualname__,
    ):
        return kind.__name__
    current = _current_class(kind)
    if current is kind:  # the value is of the reloaded class; the function holds the older one
        holders = _holders(expected)
        reload = (
            " / ".join(f"importlib.reload({m})" for m in holders[:3])
            if holders
            else "importlib.reload(<the module of the function you called>)"
        )
        return (
            f"{with_article(kind.__name__)} of the class {kind.__module__} holds now, while the "
            f"function you called was bound to its class from before {kind.__module__} was "
            f"reloaded (importlib.reload or %autoreload); reload the function's module too "
            f"({reload}, then call it again from there) or restart the kernel / process"
        )
    rebuild = (
        f"{kind.__name__}(**dataclasses.asdict({name}))"
        if dataclasses.is_dataclass(value)
        else f"a new {kind.__name__}(…)"
    )
    if current is not expected:  # neither is the class the module holds now
        return (
            f"{with_article(kind.__name__)} from another import of {kind.__module__} (reloaded "
            "since, and the function you called holds an older or newer class than the value); "
            "restart the kernel / process"
        )
    return (
        f"{with_article(kind.__name__)} from an earlier import of {kind.__module__} (the module was reloaded "
        f"since it was built: importlib.reload or %autoreload); build it again with the reloaded "
        f"class, e.g. {rebuild}, or restart the kernel / process"
    )


#: Letters whose name starts with a vowel sound, read as such where they start an abbreviation
#: (an MLEConfig, an HDF5 file, an fp32 run, an ndarray).
_VOWEL_SOUND_LETTERS = frozenset("fhlmnrsx")
#: Two-consonant starts of ordinary words after such a letter (a float, a str, a shape).
_WORD_STARTS = frozenset(
    {"fl", "fr", "rh", "sc", "sh", "sk", "sl", "sm", "sn", "sp", "sq", "st", "sw"}
)


def with_article(word: str) -> str:
    """``word`` after its indefinite article: ``an expert``, ``an EnsembleConfig``, ``an
    MLEConfig``, ``an ndarray``, but ``a LearnedMDP``, ``a str``, ``a uint8`` (probe 41: "a expert
    dataset", "a EnsembleConfig"). Read by its first letters: a vowel; or a letter named with a
    vowel sound (f, h, l, m, n, r, s, x) before a consonant that no ordinary word puts there, as
    in an abbreviation."""
    low = str(word).lower()
    if low.startswith(("a", "e", "i", "o")):
        vowel = True
    elif low.startswith("u"):  # an update, a uint8 / unique / user
        vowel = not low.startswith(("uin", "uni", "use", "usu", "uti"))
    else:
        vowel = (
            low in _VOWEL_SOUND_LETTERS
            or (  # an x
                len(low) > 1
                and low[0] in _VOWEL_SOUND_LETTERS
                and low[1] not in "aeiouy"
                and low[:2] not in _WORD_STARTS
            )
        )
    return f"{'an' if vowel else 'a'} {word}"


def some_names(names: Sequence[str]) -> str:
    """``a, b, c and 4 more``: the first three of ``names`` for a one-line message."""
    more = f" and {len(names) - 3} more" if len(names) > 3 else ""
    return ", ".join(names[:3]) + more


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


def check_file_or_absent(path: str | Path, what: str, hint: str) -> None:
    """ValueError ``<what>: <path> is a folder, not a file; <hint>`` (or a dangling link, a pipe)
    when something other than a regular file sits at ``path``; a missing ``path`` passes (the
    caller says "missing" its own way). Was: "has no config.json / checkpoint.pt / sweep.json"
    for a folder of that name."""
    path = Path(path)
    refuse_link_loop(path, f"{what}: ", f"; {hint}")
    if _is_dangling_link(path):  # issue 14: was "a link to …, which does not exist; <hint>"
        raise ValueError(f"{what}: {broken_link_text(path)}")
    if _exists(path) and path.is_dir():
        kind = "a folder, not a file"
    elif _exists(path) and not path.is_file():
        kind = "not a regular file"
    else:
        return
    raise ValueError(f"{what}: {path} is {kind}; {hint}")


def check_readable(path: str | Path, what: str, hint: str = "") -> None:
    """ValueError ``<what>: <path> is not readable by this user (Permission denied; mode …, owner
    uid …); …`` when this process may not read the regular file (or list the folder) at
    ``path``; anything else passes (missing, damaged: the caller's own checks say so).

    Probe 18: such a file was taken for a damaged one — a cached dynamics model deleted and
    retrained (another user's, in a shared cache), an MLE checkpoint ignored, a dataset "not an
    npz (zip) archive", a run's checkpoint "start a new run", a TensorBoard folder "has logged no
    iteration yet" — or a raw ``PermissionError`` traceback.
    """
    path = Path(path)
    try:
        if path.is_dir():
            os.listdir(path)
        elif path.is_file():
            with open(path, "rb"):
                pass
        else:
            return
    except PermissionError:
        owner = owner_text(path)
        fix = "chmod u+rx" if path.is_dir() else "chmod u+r"
        advice = f"make it readable ({fix} {path}) or run as the user who owns it"
        if owned_by_other(path):  # probe 95 rows 7, 25, 32, 37, 40: was "chmod u+r", which
            fix = "chmod a+rx" if path.is_dir() else "chmod a+r"  # the owner already has
            advice = (
                f"ask its owner to make it readable ({fix} {path}) or to copy it to a folder of "
                "yours, or run as the user who owns it"
            )
        raise ValueError(
            f"{what}: {path} is not readable by this user (Permission denied; {owner}); "
            f"{advice}{hint}"
        ) from None


def unenterable_folder(path: str | Path) -> Path | None:
    """The first folder on the way to ``path`` (from the top down), ``path`` itself included,
    that this user may not enter (no search permission); None when none is.
    Another user's folder of mode 0700 (umask 077, a private home) blocks every path below it."""
    path = Path(os.path.abspath(path))
    for folder in (*reversed(path.parents), path):
        try:
            if not folder.is_dir():
                return None
        except OSError:  # below a blocked folder: found above (or not ours to say)
            return None
        if not os.access(folder, os.X_OK):
            return folder
    return None


def refuse_unenterable(
    path: str | Path,
    prefix: str,
    error: type[Exception] = ValueError,
    what: str = "it",
    hint: str = "",
) -> None:
    """``error(prefix + "<folder> cannot be entered by this user (mode …, owner uid N); ask its
    owner …")`` when ``path`` or a folder above it cannot be entered (:func:`unenterable_folder`);
    nothing otherwise. ``what``: the thing at ``path`` (a run folder), for the copy advice;
    ``hint``: more advice, appended.

    Probe 111 row 3: a run folder another user made under umask 077 (or below a 0700 home) was a
    raw ``[Errno 13] Permission denied``, a traceback, or "is not writable; copy the run folder"
    (it cannot be read either) from cotrain.py --resume, diagnose.py, ledger.py, curves.py and
    ``load_session``."""
    folder = unenterable_folder(path)
    if folder is None:
        return
    where = "" if folder == Path(os.path.abspath(path)) else f", so neither can {path} inside it"
    opened = shell_path(Path(path))
    if not owned_by_other(folder):
        advice = f"make it enterable (chmod u+rx {shell_path(folder)})"
    elif where:
        advice = (
            f"ask its owner to let others through it (chmod a+x {shell_path(folder)}) and open "
            f"{what} (chmod -R a+rX {opened}), or to copy {what} to a folder you can read"
        )
    else:
        advice = (
            f"ask its owner to open it (chmod -R a+rX {opened}) or to copy it to a folder you "
            "can read"
        )
    raise error(
        f"{prefix}{folder} cannot be entered by this user ({owner_text(folder)}){where}; "
        f"{advice}{hint}"
    )


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


def link_loop(path: str | Path) -> Path | None:
    """``path`` or the first of its parents that is a symbolic link loop (``ln -s loop loop``,
    or links leading to each other), else None. Such a path is neither missing nor a file or
    folder (probe 19: it was called "does not exist" / "a link to loop, which does not exist",
    or a raw ``RuntimeError: Symlink loop`` from ``Path.resolve``)."""
    path = Path(path)
    return next((p for p in (path, *path.parents) if _is_link_loop(p)), None)


def refuse_link_loop(
    path: str | Path, prefix: str, suffix: str = "", error: type[Exception] = ValueError
) -> None:
    """``error(prefix + link_loop_text(loop) + suffix)`` when ``path`` or a folder on it is a
    symbolic link loop (:func:`link_loop`); nothing otherwise. One check for every path a user
    gives (run folders, output files, datasets, the ledger)."""
    loop = link_loop(path)
    if loop is not None:
        raise error(f"{prefix}{link_loop_text(loop)}{suffix}")


def link_loop_text(link: Path) -> str:
    """``<link> is a symbolic link loop (…); remove or repoint it`` for an error message."""
    try:
        target = f" -> {os.readlink(link)}"
    except OSError:
        target = ""
    return (
        f"{link} is a symbolic link loop ({link}{target} leads back to itself, never to a file "
        f"or folder); remove the link (rm {link}) or point it at a real file or folder"
    )


def _is_link_loop(path: Path) -> bool:
    try:
        if not stat.S_ISLNK(os.lstat(path).st_mode):
            return False
    except OSError:  # missing, a name too long, a parent that loops (found at that parent)
        return False
    try:
        os.stat(path)
    except OSError as err:
        return err.errno == errno.ELOOP
    return False


def refuse_broken_link(
    path: str | Path, prefix: str, suffix: str = "", error: type[Exception] = ValueError
) -> None:
    """``error(prefix + broken_link_text(link) + suffix)`` when ``path`` or a folder on it is a
    symbolic link to something that does not exist; nothing otherwise. Issue 14: such a path
    (a ``--resume`` run folder, a behaviour agent's folder or its ``checkpoints/``) was called
    "no folder …, not a run folder", or failed with a raw "File exists" only after the training."""
    link = _dangling_link_on(Path(path))
    if link is not None:
        raise error(f"{prefix}{broken_link_text(link)}{suffix}")


def broken_link_text(link: Path) -> str:
    """``<link> is a broken symbolic link to <target>; remove it or restore its target``."""
    try:
        target = os.readlink(link)
    except OSError:
        target = "a missing file or folder"
    return f"{link} is a broken symbolic link to {target}; remove it or restore its target"


def _dangling_link_on(path: Path) -> Path | None:
    """``path`` or the first of its parents that is a link to nothing (a folder cannot be made
    through it), else None."""
    return next((p for p in (path, *path.parents) if _is_dangling_link(p)), None)


def _is_dangling_link(path: Path) -> bool:
    try:
        return path.is_symlink() and not path.exists()
    except OSError:  # a name too long: no link either
        return False


#: Batch schedulers' warnings before a kill (Slurm ``--signal=USR2``, a wrapper's alarm): their
#: default action kills the process (probe 35: no ``--resume`` line, the ``.lock`` left).
_WARNING_SIGNALS = ("SIGUSR2", "SIGALRM")


def stop_handler(handler: Callable[[int, Any], None]) -> Callable[[int, Any], None]:
    """Mark a handler installed for :func:`stop_signals`, so that a nested one takes the
    warning signals over from it (they are taken only from their default or such a handler)."""
    handler.stops_run = True  # type: ignore[attr-defined]
    return handler


def stop_signals(respect_caller: bool = False) -> tuple[signal.Signals, ...]:
    """The signals handled like Ctrl-C: SIGTERM (``kill``, a scheduler's stop), SIGHUP (the
    terminal closed, an ssh session dropped; was: the run killed outright: its ``.lock`` left, no
    results.json) and SIGUSR2 / SIGALRM (a batch scheduler's warning before its kill). None while
    it is ignored: ``nohup`` ignores SIGHUP so that the run goes on, and so does it here (probe 108
    row 21: the same for an ignored SIGTERM, which stopped a run that ignores it elsewhere).
    SIGUSR2 / SIGALRM only while they would kill the process (their default action): another
    program's handler (a test runner's timeout) is left alone. POSIX signals only where they exist.
    With ``respect_caller`` (a library call, :func:`agents.cotrain.run_cotrain`) the same holds for
    SIGTERM and SIGHUP: a handler the calling program installed is left alone (probe 75 rows
    34-35: it was replaced for the run's length). The scripts take them whatever is installed (a
    local Ray's ``ray.init`` leaves its own SIGTERM handler in the sweep's driver).
    """
    found = []
    for name in ("SIGTERM", "SIGHUP", *_WARNING_SIGNALS):
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        handler = signal.getsignal(sig)
        if handler is signal.SIG_IGN:  # nohup: the run goes on
            continue
        if name in ("SIGTERM", "SIGHUP") and not respect_caller:
            found.append(sig)
        elif handler is signal.SIG_DFL or getattr(handler, "stops_run", False):
            found.append(sig)
    return tuple(found)


@contextmanager
def process_state_kept() -> Iterator[None]:
    """Restore the process-wide settings a run changes: torch's thread count and the global
    RNGs (python, numpy, torch) that a run seeds.

    Probe 25: ``run_cotrain`` called from a notebook or a loop left the caller with the run's
    thread count (``torch.set_num_threads(2)`` before, 1 after) and the caller's seeded random
    streams replaced by the run's.
    """
    threads = torch.get_num_threads()
    rng = get_rng_state()
    try:
        yield
    finally:
        torch.set_num_threads(threads)
        set_rng_state(rng)


@contextmanager
def sigterm_as_keyboard_interrupt(respect_caller: bool = False) -> Iterator[None]:
    """Treat SIGTERM, SIGHUP, SIGUSR2 and SIGALRM (:func:`stop_signals`) like Ctrl-C (a run's training and setup,
    ``scripts/make_dataset.py``'s collection).

    Only the main thread may install signal handlers; elsewhere (e.g. a Ray worker thread) this
    does nothing. The previous handlers are restored afterwards. ``respect_caller``: a SIGTERM /
    SIGHUP handler the calling program installed is left in place (:func:`stop_signals`).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    @stop_handler
    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"signal {signum} ({signal.Signals(signum).name})")

    previous = {sig: signal.signal(sig, handler) for sig in stop_signals(respect_caller)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


#: Whether a KeyboardInterrupt was dropped inside :func:`swallowed_interrupt_kept` ("Exception
#: ignored in: …") that has not stopped the run yet.
_interrupt_pending = [False]


@contextmanager
def swallowed_interrupt_kept() -> Iterator[None]:
    """Remember each KeyboardInterrupt that Python drops where nobody could handle it (a weakref
    callback, a ``__del__``: it prints "Exception ignored in: …" through ``sys.unraisablehook``),
    so that :func:`raise_swallowed_interrupt` can raise it again at a safe point.

    Probe 77 row 15: the KeyboardInterrupt of a press during the first torch.compile landed in a
    weakref callback of torch's and was dropped; the run trained to its end. Probe 78 row 20: a
    Ctrl-C caught by the caller's own code (an ``on_iteration`` that skips a plot on Interrupt)
    stopped the run, as the SIGINT handler flagged every press: only the dropped ones are kept
    now, by a ``sys.unraisablehook`` that hands every report on to the previous hook.
    """
    previous = sys.unraisablehook

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt) or (
            unraisable.exc_type is not None and issubclass(unraisable.exc_type, KeyboardInterrupt)
        ):
            _interrupt_pending[0] = True
        previous(unraisable)

    sys.unraisablehook = hook
    try:
        yield
    finally:
        if sys.unraisablehook is hook:  # one installed since stays
            sys.unraisablehook = previous
        _interrupt_pending[0] = False


def raise_swallowed_interrupt() -> None:
    """Raise the KeyboardInterrupt that :func:`swallowed_interrupt_kept` saw dropped (called at
    safe points: each environment step of co-training)."""
    if not _interrupt_pending[0]:
        return
    _interrupt_pending[0] = False
    note(
        "[rambo_env] note: a Ctrl-C / Interrupt was swallowed inside torch or another library "
        "(its 'Exception ignored in: …' above), where it could not stop the run; stopping now",
    )
    raise KeyboardInterrupt


class _Terminated(BaseException):
    """SIGTERM inside :func:`sigterm_cleaned_up` (a BaseException: ``except Exception`` in the
    user's code between must not swallow it)."""


@contextmanager
def sigterm_cleaned_up(said: str) -> Iterator[None]:
    """Let a library call that holds worker processes or half-written files clean up on SIGTERM
    (``kill``, ``timeout``, a scheduler's stop) and then die of the signal as before.

    Probe 53: SIGTERM during the first-use generation of ``load_dataset`` / ``gym.make`` killed
    the process outright: no word, only multiprocessing's "leaked semaphore objects" warning.
    Here SIGTERM raises inside the block, so the ``finally`` / ``except BaseException`` cleanups
    between run (workers stopped, staging folder and new empty root removed); then ``said`` is
    printed to stderr and SIGTERM is sent again with its default action, so the process ends
    killed by SIGTERM exactly as without this block (its exit status unchanged). Only while SIGTERM
    has its default action, in the main thread (a script's or the user's own handler is left
    alone, and the scripts handle it themselves: :func:`sigterm_as_keyboard_interrupt`)."""
    term = default_action_signal("SIGTERM")
    if term is None:
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Terminated(signum)

    signal.signal(term, handler)
    terminated = False
    try:
        yield
    except _Terminated:
        terminated = True
    finally:
        if signal.getsignal(term) is handler:
            signal.signal(term, signal.SIG_DFL)
    if terminated:
        # the block's frames are free now: multiprocessing's exit-time finalizers release the
        # worker pool's semaphores before the kill, as at a normal exit (was: its "leaked
        # semaphore objects" warning)
        gc.collect()
        with contextlib.suppress(Exception):
            from multiprocessing import util

            util._exit_function()
        with contextlib.suppress(RuntimeError, OSError, ValueError):
            print(said, file=sys.stderr, flush=True)
        os.kill(os.getpid(), term)
        time.sleep(1.0)  # the signal is delivered at once; this is only a fallback
        raise KeyboardInterrupt(f"signal {term} (SIGTERM)")


@contextmanager
def status_on_request(script: str, status: Callable[[], str]) -> Iterator[None]:
    """Print ``[script] status: <status()>`` to stderr on SIGUSR1 and go on, as ``dd`` does
    (probe 34: SIGUSR1 killed a run by its default action, no word, its ``.lock`` left). POSIX
    only, and only in the main thread (elsewhere a no-op); the previous handler is restored
    afterwards."""
    usr1 = getattr(signal, "SIGUSR1", None)
    if (
        usr1 is None
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(usr1) is not signal.SIG_DFL  # probe 75 row 36: a caller's handler
    ):  # was replaced for the run's length
        yield
        return

    def say(signum: int, frame: object) -> None:
        try:
            line = status()
        except Exception as err:  # a status is never worth the run
            line = f"not available ({type(err).__name__}: {err})"
        with contextlib.suppress(RuntimeError, OSError, ValueError):  # a print in progress
            print(f"[{script}] status: {line}", file=sys.stderr, flush=True)

    previous = signal.signal(usr1, say)
    try:
        yield
    finally:
        signal.signal(usr1, previous)


def _left_alone(handler: Any) -> bool:
    """``handler`` is one a hold or a stop handler leaves in place: ``SIG_IGN`` (the signal is
    ignored, e.g. SIGINT in a background job of a script) or a calling program's own signal
    handler (a Python callable other than Python's Ctrl-C handler and the project's
    :func:`stop_handler` ones)."""
    return handler is signal.SIG_IGN or (
        callable(handler)
        and handler is not signal.default_int_handler
        and not getattr(handler, "stops_run", False)
    )


def default_action_signal(name: str) -> signal.Signals | None:
    """The signal ``name`` where this process may take it over: it exists here, this is the main
    thread (only it may install handlers) and it still has its default action; else None."""
    sig = getattr(signal, name, None)
    if (
        sig is None
        or threading.current_thread() is not threading.main_thread()
        or signal.getsignal(sig) is not signal.SIG_DFL
    ):
        return None
    return sig


@contextmanager
def interrupts_deferred(script: str, said: str, reraise: bool = False) -> Iterator[None]:
    """Hold Ctrl-C, SIGTERM and SIGHUP while files that belong together are written (a run's closing
    files; a ledger's CSV, index and plot), then go on, or with ``reraise`` raise the held
    ``KeyboardInterrupt`` once they are whole. An ignored signal stays ignored and a calling
    program's own handler is left as it is. A held signal prints ``[script] SIGINT <said>``
    (e.g. ``while the results were written: they were completed first``). Only the main thread
    may install handlers; elsewhere a no-op."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []

    @stop_handler
    def hold(signum: int, frame: object) -> None:
        received.append(signum)

    # probe 108 rows 8, 21: a library caller's own handler (a Python function that is not one of
    # the project's stop handlers) and an ignored SIGINT (a background job of a script) are left
    # alone; they were bypassed for the window and became a stop
    held = [
        sig for sig in (signal.SIGINT, *stop_signals()) if not _left_alone(signal.getsignal(sig))
    ]
    previous = {sig: signal.signal(sig, hold) for sig in held}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if received:
            name = signal.Signals(received[0]).name
            print(f"[{script}] {name} {said}", flush=True)
    if received and reraise:
        raise KeyboardInterrupt(f"signal {received[0]} ({signal.Signals(received[0]).name})")


def check_output_streams(progress: bool, what: str | None = None) -> bool:
    """Before a run's work: ``sys.stdout`` (its lines) and, with ``progress``, ``sys.stderr``
    (its bars) can be written and flushed (probe 75: a closed stdout, a write-only logging
    adapter, ``sys.stderr = None`` with a bar were raw ``ValueError`` / ``AttributeError``s, the
    last after the whole setup with files left); a stream that cannot encode every character
    writes escapes (:func:`escape_unencodable_output`). Returns ``progress``.

    ``what``: a library entry point (``load_dataset``, ``make_mdp``, ``generate_dataset``) whose
    notes go to ``sys.stdout`` (probe 118 rows 8-11: a closed, broken-pipe or write-only stdout
    was a raw error after the work, make_mdp's after the model was trained and cached; ``sys.stderr
    = None`` with the default progress bars was tqdm's raw ``AttributeError``). For it a
    ``sys.stdout`` of None is taken (``print`` drops the notes, as under pythonw), one whose
    reader is gone (a closed pipe) is refused, and an unusable ``sys.stderr`` turns the bars off
    with a note: the returned ``progress`` is then False."""
    if what is not None:
        return _check_library_streams(progress, what)
    escape_unencodable_output()
    streams = [("sys.stdout", sys.stdout)] + ([("sys.stderr", sys.stderr)] if progress else [])
    for name, stream in streams:
        bar = " (with progress=True its progress bars go to sys.stderr)" if "err" in name else ""
        off = "; or pass progress=False" if "err" in name else ""
        if stream is None or getattr(stream, "closed", False) is True:
            if _script_console:  # probe 91 row 14: a shell user was told to pass an io.StringIO
                bars = " (with its progress bars)" if "err" in name else ""
                flag = "; or pass --no-progress" if "err" in name else ""
                raise ValueError(
                    f"{name[4:]} is closed (e.g. `>&-`), but a run prints its progress there"
                    f"{bars}; redirect it to a file or /dev/null (`> log.txt`, `> /dev/null`)"
                    f"{flag}"
                )
            state = "None" if stream is None else "closed"
            raise ValueError(
                f"{name}: {state}, but a run prints its progress there{bar}; give it an open "
                f"stream (io.StringIO collects the lines){off}"
            )
        missing = [m for m in ("write", "flush") if not callable(getattr(stream, m, None))]
        if missing:
            raise ValueError(
                f"{name}: {type(stream).__name__} has no {' / '.join(m + '()' for m in missing)}, "
                f"but a run prints with flush=True{bar}; give it one (a logging adapter: "
                f"def flush(self): pass){off}"
            )
    return progress


def _check_library_streams(progress: bool, what: str) -> bool:
    """:func:`check_output_streams` of a library entry point ``what``."""
    escape_unencodable_output()
    out = sys.stdout
    # None: print() writes nothing (pythonw, a service): the notes dropped; nor does a stdout
    # matter once the host stopped the notes printing (rambo_env.logging, probe 118 row 7)
    # a script's guarded stdout (tolerant_console) handles its own failed writes and closed
    # pipe: `make_dataset.py | head -1` saves the dataset and says so (probe 91 row 15); this
    # check raced the reader's exit and stopped it with status 2 instead (session 45 CI)
    if out is not None and notes_printed() and not isinstance(out, _GuardedStdout):
        unusable = _unusable_stream(out)
        if unusable is not None:
            raise ValueError(
                f"sys.stdout: {unusable}, but {what} prints its notes there (with flush=True); "
                "give it an open stream with write() and flush() (io.StringIO collects the "
                "lines; a logging adapter: def flush(self): pass; sys.stdout = None drops them)"
            )
    if progress:
        unusable = _unusable_stream(sys.stderr) if sys.stderr is not None else "None"
        if sys.stderr is None and 2 in CLOSED_AT_START:  # probe 145 R1: `2>&-`
            unusable = "closed when Python started (2>&-)"
        if unusable is not None:
            note(
                f"[rambo_env] {what}: progress bars off: sys.stderr (where they go): "
                f"{unusable} (pass progress=False to skip this note)",
            )
            return False
    return progress


def _unusable_stream(stream: Any) -> str | None:
    """Why ``stream`` cannot take a note (``"closed"``, ``"S has no flush()"``, its reader gone),
    else None. A test write of nothing and a flush find a stream object that fails every write;
    a pipe or socket whose reader exited is seen by poll() (a real one fails only at its next
    written byte, after the caller's work)."""
    if getattr(stream, "closed", False) is True:
        return "closed"
    missing = [m for m in ("write", "flush") if not callable(getattr(stream, m, None))]
    if missing:
        return f"{type(stream).__name__} has no {' / '.join(m + '()' for m in missing)}"
    try:
        stream.write("")
        stream.flush()
    except (OSError, ValueError) as err:
        return f"it cannot be written ({type(err).__name__}: {err})"
    if _reader_gone(stream):
        return "a pipe or socket whose reader is gone (writing raises BrokenPipeError)"
    return None


def _reader_gone(stream: Any) -> bool:
    """``stream`` is a pipe or socket whose reading end is closed (poll's POLLERR / POLLHUP on
    its write end); False where that cannot be told (no file descriptor, no poll())."""
    import select

    try:
        fd = stream.fileno()
        kind = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
    if not (stat.S_ISFIFO(kind) or stat.S_ISSOCK(kind)) or not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return False
    return any(ev & select.POLLERR for _, ev in events)


def exit_on_interrupt(
    script: str,
    left: str | Callable[[], str],
    call: Callable[[], Any],
    failed: str | Callable[[BaseException], str] | None = None,
) -> Any:
    """``call()`` with Ctrl-C and SIGTERM ending the script with ``[script] interrupted: left``
    on stderr and exit status 130 (a script's ``__main__``; was a raw ``KeyboardInterrupt``
    traceback). A callable ``left`` is asked after the interrupt (what is done by then).
    ``failed``: what an exception other than a user error (ValueError / OSError, left to the
    caller) leaves, said by :func:`report_failure` with exit status 1 (probe 86)."""
    try:
        with sigterm_as_keyboard_interrupt():
            return call()
    except KeyboardInterrupt:
        said = left() if callable(left) else left
        print(f"[{script}] interrupted: {said}", file=sys.stderr, flush=True)
        raise SystemExit(130) from None
    except Exception as err:
        # probe 137: out of memory is one line whatever its type (curves.py's protobuf "out of
        # memory", a BrokenDependencyError of matplotlib's import under ulimit -v: tracebacks)
        if out_of_memory(err):
            kept = failed if failed is not None else (lambda _: left()) if callable(left) else left
            raise SystemExit(report_failure(script, err, kept)) from None
        if failed is None or isinstance(err, ValueError | OSError):  # the caller's user error
            raise
        raise SystemExit(report_failure(script, err, failed)) from None


def _worker_traceback(err: BaseException) -> str | None:
    """The traceback of a worker process's exception re-raised by ``concurrent.futures`` (its
    ``_RemoteTraceback`` cause), cut to the worker's own frames and the error line; None for an
    exception of this process. Probe 86 row 25: was 43 lines, most of them the pool's."""
    remote = getattr(err.__cause__, "tb", None)
    if type(err.__cause__).__name__ != "_RemoteTraceback" or not isinstance(remote, str):
        return None
    kept: list[str] = []
    skipping = False
    for line in remote.strip('\n"').splitlines():  # was quoted in triple quotes
        if line.startswith("  File "):  # a frame: its File line, then its indented source
            skipping = f"concurrent{os.sep}futures" in line or "concurrent/futures" in line
        elif not line.startswith("    "):  # the header, the error line(s)
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def report_failure(
    script: str, err: BaseException, left: str | Callable[[BaseException], str]
) -> int:
    """Exit status 1 for an exception that ended a script mid-way, then what it left on disk
    and how to go on (``left``, or ``left(err)``; asked after the error). A bug keeps its
    traceback (a worker process's cut to its own frames); out of memory is one line
    (RAMBO_ENV_TRACEBACK=1 shows the traceback). Probe 86 rows 2, 4, 9, 12, 22, 25: a
    MemoryError / RuntimeError mid-way through make_dataset, diagnose, mle_quality was a bare
    traceback, nothing said of what was kept or whether to rerun (their Ctrl-C lines say it)."""
    import traceback

    worker = _worker_traceback(err)
    where = " in a worker process" if worker is not None else ""
    one_line = out_of_memory(err) and not tracebacks_wanted()
    with contextlib.suppress(OSError):  # stderr may be the closed pipe too
        if one_line:
            said = out_of_memory_line(err, remedy=False)
            said = said.replace("out of memory", f"out of memory{where}", 1)
            print(
                f"[{script}] error: {said}\n(RAMBO_ENV_TRACEBACK=1 shows the traceback)",
                file=sys.stderr,
            )
        elif worker is not None:
            print(f"[{script}] error{where}:\n{worker}", file=sys.stderr)
        else:
            traceback.print_exception(err)
        said = left(err) if callable(left) else left
        print(f"[{script}] stopped on this error: {said}", file=sys.stderr, flush=True)
    return 1


#: :func:`tolerant_console` ran: this process is a script, whose user is at a shell.
_script_console = False


def tolerant_console(own_closed_pipe: bool = False) -> None:
    """Let a script print on a terminal whose encoding lacks its λ, —, ≈ (a latin-1 or ASCII
    locale, ``PYTHONIOENCODING=ascii``): such characters come out as ``\\u03bb`` escapes (was:
    ``UnicodeEncodeError: 'latin-1' codec can't encode character '\\u2014'`` after the warm
    start, the run stopped; ``--help`` a raw traceback). A script's ``__main__`` calls it first.

    It also guards stdout (:class:`_GuardedStdout`): a failed write ends the script with one
    line; ``own_closed_pipe``: the script handles a closed pipe (``BrokenPipeError``) itself.
    And stderr (:class:`_GuardedStderr`): a failed write turns the progress bars off with one
    line on stdout, and the script goes on; a line printed while a bar is drawn starts on a
    line of its own.
    """
    global _script_console
    _script_console = True
    from rambo_env.requirements import end_import_window

    end_import_window()  # probe 131 note (a): the script's imports are done
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # replaced / closed / not a text stream
            pass
    if sys.stdout is not None and not isinstance(sys.stdout, _GuardedStdout):
        sys.stdout = _GuardedStdout(sys.stdout, own_closed_pipe)  # type: ignore[assignment]
    if sys.stderr is not None and not isinstance(sys.stderr, _GuardedStderr):
        sys.stderr = _GuardedStderr(sys.stderr)  # type: ignore[assignment]


#: What a script says when its output cannot be written.
_STDOUT_FAILED = (
    "error: stdout: this script's output cannot be written ({reason}): it goes to a full "
    "disk, a closed file or a failing device (e.g. `> log.txt` on a full disk); free space "
    "where it goes, or send it elsewhere, then rerun (a co-training run continues from its "
    "last checkpoint: {cotrain} --resume RUN)"
)


class _GuardedStdout:
    """``sys.stdout`` whose failed writes end the script with one line on stderr, exit status 2
    (:func:`tolerant_console` installs it). Probe 18: output redirected to a full disk
    (``/dev/full``, ``> log.txt``) was a raw ``OSError: [Errno 28]`` traceback (ledger,
    diagnose), ``--out: cannot write …`` (curves: the wrong file blamed) or a bare ``[Errno 28]
    No space left on device``; a closed pipe (``| head``) was ``--out: cannot write … (Broken
    pipe)`` (curves) or a raw ``BrokenPipeError`` traceback, except in cotrain, which handles it
    itself (``own_closed_pipe``)."""

    def __init__(self, stream: Any, own_closed_pipe: bool = False) -> None:
        self._stream, self._own_closed_pipe = stream, own_closed_pipe
        #: A write met a closed pipe and its BrokenPipeError went to the script (``own_closed_pipe``).
        self.reader_gone = False
        #: A write failed: the script is ending (:class:`_GuardedStderr` sends nothing here then).
        self.failed = False
        #: The last text written ended its line (or nothing was written yet).
        self.at_line_start = True

    def write(self, text: str) -> int:
        if text and self.at_line_start and isinstance(sys.stderr, _GuardedStderr):
            sys.stderr.end_bar_line()  # probe 117 rows 13, 21: was glued onto the bar
        written = self._guard(self._stream.write, text)
        if text:
            self.at_line_start = text.endswith("\n")
        return written

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _guard(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError as err:
            if self._own_closed_pipe:
                # probe 93 row 42: marked, so that a run stopped by it mid-iteration is recorded
                # as interrupted (its reader exited), not as a failure (a bug)
                self.reader_gone = err.stdout_reader_gone = True  # type: ignore[attr-defined]
                raise
            done = _work_done()
            if done is not None:  # probe 91 row 15: a saved dataset was "so the script stopped"
                said, code = f"[{done[0]}] {_CLOSED_PIPE_DONE.format(done=done[1])}", 0
            else:
                said, code = f"error: {_CLOSED_PIPE}", 2
        except OSError as err:
            said, code = (
                _STDOUT_FAILED.format(
                    reason=err.strerror or err, cotrain=script_line("cotrain.py")
                ),
                2,
            )
        self.failed = True
        silence_stdout()  # later prints and the flush at exit go nowhere
        try:
            print(said, file=sys.stderr)
        except OSError:  # stderr is the closed pipe too (2>&1 | head)
            pass
        raise SystemExit(code)


#: What a script says on stdout when its stderr cannot be written.
_STDERR_FAILED = (
    "[rambo_env] WARNING: stderr: it cannot be written ({reason}); progress bars off from here, "
    "its other lines (warnings, errors) go to stdout (use --no-progress to skip the bars)"
)


class _GuardedStderr:
    """``sys.stderr`` of a script (:func:`tolerant_console` installs it), where the progress bars
    go. Probe 117 row 18: a stderr on a full disk (``2> log`` filling up, ``2>/dev/full``) ended a
    long run at a bar's redraw, exit status 2, with no word on stdout (the error line went to the
    failing stderr; results.json said a bare ``OSError … [Errno 28]`` naming no file), and from
    the start at the warm start's first bar. Now a failed write says so once on stdout and the run
    goes on: the bars are dropped from then on, the other lines (warnings, a last error) are
    written to stdout instead.

    Probe 117 rows 13, 21: a line printed while a bar's line was open (the estimate after
    iteration 2, the SIGUSR1 status line, a warning) was glued onto the bar's carriage-return
    line in a ``2>&1`` log (``grep '^\\[cotrain\\]'`` missed it) and on a terminal: the bar's
    line is ended first (:meth:`end_bar_line`; stdout's :class:`_GuardedStdout` asks for it), and
    the bar goes on below at its next draw."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        #: A write failed: the bars are dropped, the other lines go to stdout.
        self.failed = False
        self._bar_line = False  # the last write was a bar's draw, its line left open
        self._busy = False  # a write is under way (a signal handler's print comes in between)

    def write(self, text: str) -> int:
        bar = text.startswith(("\r", "\x1b"))  # tqdm draws "\r" + bar; "\x1b[A" moves up
        if self.failed:
            if text and not bar and not (self._bar_line and not text.strip("\n")):
                self._to_stdout(text)  # a bar's closing newline is dropped with the bar
        else:
            line = "\n" + text if text and not bar and self._bar_line and text[0] != "\n" else text
            self._busy = True
            try:
                self._stream.write(line)
            except OSError as err:
                self._off(err)
                if not bar:
                    self._to_stdout(text)
            finally:
                self._busy = False
        if text:  # any other text ended the bar's line (or began after it on its own)
            self._bar_line = bar
        return len(text)

    def flush(self) -> None:
        if self.failed:
            return
        try:
            self._stream.flush()
        except OSError as err:
            self._off(err)

    def end_bar_line(self) -> None:
        """End a bar's open line (a newline), so that the next line written to stdout, the same
        file under ``2>&1`` or the same terminal, starts on a line of its own."""
        if self._bar_line and not self.failed and not self._busy:
            self.write("\n")
            self.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _off(self, err: OSError) -> None:
        """Stop writing to the failed stream; say it once on stdout."""
        self.failed = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            _silence(self._stream)  # its unwritten bytes and the flush at exit go nowhere
        self._to_stdout(_STDERR_FAILED.format(reason=err.strerror or err) + "\n", own_line=True)

    @staticmethod
    def _to_stdout(text: str, own_line: bool = False) -> None:
        out = sys.stdout
        if out is None or getattr(out, "failed", False):  # stdout failed too: the script ends
            return
        if own_line and not getattr(out, "at_line_start", True):
            text = "\n" + text
        out.write(text)
        out.flush()


#: ``(script, done)`` of :func:`on_closed_pipe`, else None.
_closed_pipe_done: tuple[str, Callable[[], str | None]] | None = None


def is_closed_stdout(err: BaseException) -> bool:
    """``err`` is the BrokenPipeError of a script's stdout whose reader exited (``| head``),
    raised by :func:`tolerant_console`'s guard (``own_closed_pipe``), not another pipe's."""
    return isinstance(err, BrokenPipeError) and getattr(err, "stdout_reader_gone", False)


def on_closed_pipe(script: str, done: Callable[[], str | None]) -> None:
    """When the program reading this script's stdout exits (a closed pipe, e.g. ``| head``),
    ``done()`` says what the script had already finished (``"the dataset … WAS saved …"``, else
    None): then that is said on stderr and the script ends with exit status 0, as its work is
    complete (probe 91 row 15: a dataset saved before its last line was printed got "so the
    script stopped" and exit status 2, so a caller checking it took the dataset as failed)."""
    global _closed_pipe_done
    _closed_pipe_done = (script, done)


def _work_done() -> tuple[str, str] | None:
    """``(script, what it finished)`` by :func:`on_closed_pipe`'s ``done``, else None."""
    if _closed_pipe_done is None:
        return None
    script, done = _closed_pipe_done
    try:
        said = done()
    except Exception:  # a failing check: said as not done
        return None
    return None if said is None else (script, said)


def check_default_dtype(what: str) -> None:
    """The models and agents compute in float32; under ``torch.set_default_dtype(torch.float64)``
    (a notebook's setting) the tensors they make were float64 and the first matmul was torch's raw
    "Input dtypes must be the same" / "mat1 and mat2 must have the same dtype" (probe 23)."""
    dtype = torch.get_default_dtype()
    if dtype != torch.float32:
        raise RuntimeError(
            f"{what}: torch's default dtype is {dtype} (torch.set_default_dtype), but the model "
            "and the agents compute in float32; call torch.set_default_dtype(torch.float32) first"
        )


def check_default_device(what: str) -> None:
    """The models and agents place their tensors on their own ``device`` argument (``--device``);
    under ``torch.set_default_device('meta')`` (or ``with torch.device('meta'):``, a notebook's
    "build big models on meta" idiom) a cached model failed to load and was deleted as unreadable,
    and a fresh one ended in torch's raw "Cannot copy out of meta tensor" (probe 91 rows 4, 5, 30);
    under ``'cuda'`` the CPU random generators the code draws with clash with the default device.
    One RuntimeError naming the setting, before anything is loaded or built."""
    try:
        # probe 149 row 2: read off a new tensor, not torch.get_default_device(), which at torch
        # 2.6 raised AttributeError after torch.set_default_device(None) (the remedy below) and
        # missed a 'with torch.device(...)' block; as that function does where no index is set
        device = torch.empty(0).device
    except (AssertionError, RuntimeError) as err:  # a device this torch cannot make tensors on
        # probe 93 row 23: 'with torch.device("cuda"):' on a torch without CUDA was torch's raw
        # "AssertionError: Torch not compiled with CUDA enabled", raised from this check itself
        said = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise RuntimeError(
            f"{what}: torch's default device (torch.set_default_device, or a 'with "
            f"torch.device(...)' block) is one this torch cannot use ({said}; e.g. 'cuda' on a "
            "torch without CUDA), and the library places its tensors itself: call "
            "torch.set_default_device(None) (or 'cpu') first, outside any 'with torch.device' "
            "block, and pass device='cuda' (--device cuda) on a machine with a GPU"
        ) from None
    if device.type != "cpu":
        raise RuntimeError(
            f"{what}: torch's default device is {device} (torch.set_default_device, or a "
            "'with torch.device(...)' block), but the library places its tensors itself: call "
            "torch.set_default_device(None) (or 'cpu') first, outside any 'with torch.device' "
            "block, and pass device='cuda' (--device cuda) to run on a GPU"
        )


_F = TypeVar("_F", bound=Callable[..., Any])


def numpy_underflow_ignored(fn: _F) -> _F:
    """Decorator of a library entry point: numpy's underflow is ignored inside it (numpy's own
    default), also under a caller's ``np.seterr(all="raise")`` or ``under="raise"`` (a host
    process's debugging setting). Probe 118 row 13: the loader's float16 rounding and float64 to
    float32 casts of tiny values were ``FloatingPointError: underflow encountered in cast`` for
    data that are fine. numpy's error state is per thread (per context): the caller's is back
    after the call, and its other settings (divide, over, invalid) are kept."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        with np.errstate(under="ignore"):
            return fn(*args, **kwargs)

    return typing.cast(_F, run)


def trains_with_grad(what: str) -> Callable[[_F], _F]:
    """Decorator of a training entry point: it runs with gradients on, also when called under a
    caller's ``torch.no_grad()``, and is refused under ``torch.inference_mode()``, whose tensors
    cannot be trained (probe 23: both were torch's raw "element 0 of tensors does not require
    grad and does not have a grad_fn", in the middle of SB3's or the adversary's step)."""

    def wrap(fn: _F) -> _F:  # the signature kept for type checkers (probe 132 typing notes)
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            check_default_dtype(what)
            check_default_device(what)
            if torch.is_inference_mode_enabled():
                raise RuntimeError(
                    f"{what}: called under torch.inference_mode(), in which nothing can be "
                    f"trained; call it outside that block"
                )
            with torch.enable_grad(), np.errstate(under="ignore"):  # probe 118 row 13
                return fn(*args, **kwargs)

        return typing.cast(_F, run)

    return wrap


#: What torch.load / np.load and a loader's own format checks raise for a file's bad bytes (cut
#: short, overwritten, not a file of theirs): zip / pickle / zlib / EOF errors, ValueError (the
#: project's format errors), KeyError / IndexError / TypeError of missing or odd entries.
_DAMAGE_ERRORS = (
    ValueError,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    TypeError,
    pickle.UnpicklingError,
    zipfile.BadZipFile,
    zlib.error,
)

#: The texts of torch's RuntimeErrors that are about a file's bytes ("PytorchStreamReader failed
#: reading zip archive", a state dict of other keys or shapes); any other RuntimeError is not.
_DAMAGE_TEXTS = (
    "pytorchstreamreader",
    "error(s) in loading state_dict",
    "archive is corrupted",
    "file in archive is not in a subdirectory",  # probe 109 row 3: a zip torch did not write
)


def damaged_file(err: BaseException) -> bool:
    """Whether ``err``, raised while a cache or checkpoint file was read, says the file itself is
    damaged or foreign (then it may be removed and rebuilt). An allocation failure (MemoryError,
    ``torch.OutOfMemoryError``), the caller's process state (a meta default device:
    NotImplementedError), another RuntimeError, Ctrl-C: no (probe 91 rows 4, 30: any error was
    taken for a corrupt file, and a valid cached model of hours of MLE deleted). A file this
    user may not read (PermissionError in the chain): no, it is another user's, not damaged
    (probe 95 rows 8, 9: another user's flat dataset cache was deleted, or the load failed)."""
    if out_of_memory(err) or isinstance(
        err, NotImplementedError | NewerFormatError | PickleProtocolError
    ):
        return False
    if permission_denied(err):
        return False
    if isinstance(err, RuntimeError):
        return any(text in str(err).lower() for text in _DAMAGE_TEXTS)
    return isinstance(err, _DAMAGE_ERRORS)


def damaged_cache_entry(err: BaseException) -> bool:
    """Whether ``err``, raised while a file of the library's own cache (``RAMBO_ENV_CACHE``: a
    cached dynamics model, an MLE pretraining checkpoint) was read, lets the entry be reported,
    removed and rebuilt: a damaged file (:func:`damaged_file`), or one saved with a pickle
    protocol the weights-only load cannot read (:class:`PickleProtocolError`: re-saved by a user
    or a tool; probe 135: every rerun stopped on "re-save it", for a file nobody needs to keep)."""
    return damaged_file(err) or isinstance(err, PickleProtocolError)


def unreadable_reason(err: BaseException, path: str | Path) -> str:
    """Why the file ``path`` could not be read, from ``err``, for a line that says the file is
    removed (the path and a :class:`PickleProtocolError`'s "re-save it" advice left out)."""
    said = str(err).replace(f"{path}: ", "")
    if isinstance(err, PickleProtocolError):
        return said.split(": re-save it")[0]
    return f"{type(err).__name__}: {said}"


def check_torch_magic(path: str | Path) -> None:
    """ValueError ``not a torch file: it does not begin as one`` unless ``path`` begins as
    ``torch.save``'s zip archive does (``PK\\x03\\x04``), read before ``torch.load``. Other bytes
    reach torch's legacy reader: probe 63, its noise ("KeyError: 1785425525"); probe 128 row 7,
    for a pickle, torch's ``UserWarning: Detected pickle protocol 4 in the checkpoint`` before
    the load's own clear error (and that raw warning as the error under ``-W error``)."""
    with open(path, "rb") as fp:
        head = fp.read(23)
    # Probe 130 R1 / R2: torch's legacy (pre-1.6, ``_use_new_zipfile_serialization=False``)
    # format is a pickle that begins with torch's magic number; torch still reads it.
    body = head[2:]
    if body[:1] == b"\x95":  # pickle protocol 4+: a FRAME opcode and its 8-byte length first
        body = body[9:]
    legacy = head[:1] == b"\x80" and body[:12] == _TORCH_LEGACY_MAGIC
    if head[:4] != b"PK\x03\x04" and not legacy:
        raise ValueError("not a torch file: it does not begin as one")


#: The highest pickle protocol torch's weights-only unpickler reads (torch 2.x: 4 and 5 begin
#: with a FRAME opcode it lacks, "Unsupported operand 149"; 3 loads, with a UserWarning per
#: pickle: five for a legacy-format file). Probe 131 R4.
_WEIGHTS_ONLY_PROTOCOL = 3


class PickleProtocolError(ValueError):
    """A torch file whose pickle protocol torch's weights-only load cannot read
    (:func:`load_torch_file`): never a damaged file (:func:`damaged_file`), and its message
    says how to re-save it."""


def _pickle_protocol(path: str | Path) -> int | None:
    """The pickle protocol of a torch file: of its zip archive's ``data.pkl``, or of the legacy
    format's first pickle; None where it has none."""
    with contextlib.suppress(OSError, ValueError, zipfile.BadZipFile, StopIteration):
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                name = next(n for n in archive.namelist() if n.endswith("/data.pkl"))
                with archive.open(name) as fp:
                    head = fp.read(2)
        else:
            with open(path, "rb") as fp:
                head = fp.read(2)
        if head[:1] == b"\x80" and len(head) == 2:
            return head[1]
    return None


def load_torch_file(path: str | Path, map_location: Any = "cpu", **kwargs: Any) -> Any:
    """``torch.load(path, weights_only=True)`` after :func:`check_torch_magic`, without torch's
    "Detected pickle protocol 3" UserWarning: a file it loads was read whole (an opcode its
    unpickler lacks raises), and protocols it cannot read are refused first. Probe 131 R4: a
    legacy-format protocol-3 actor printed that warning five times (and failed under -W error)."""
    check_torch_magic(path)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings(
                "ignore", message="Detected pickle protocol", category=UserWarning
            )
            return torch.load(path, map_location=map_location, weights_only=True, **kwargs)
    except pickle.UnpicklingError:
        protocol = _pickle_protocol(path)
        if protocol is None or protocol <= _WEIGHTS_ONLY_PROTOCOL:
            raise
        legacy = not zipfile.is_zipfile(path)
        form = "torch's legacy (pre-1.6, non-zip) format" if legacy else "torch's zip format"
        raise PickleProtocolError(
            f"{path}: a torch file in {form} saved with pickle protocol {protocol} "
            f"(torch.save(..., pickle_protocol={protocol})), which torch.load(weights_only=True) "
            f"of torch {torch.__version__} cannot read (its safe unpickler reads protocols up to "
            f"{_WEIGHTS_ONLY_PROTOCOL}): re-save it where it was written with torch.save's "
            "default protocol (torch.save(obj, path), no pickle_protocol)"
        ) from None


_TORCH_LEGACY_MAGIC = b"\x8a\x0a" + bytes.fromhex("6cfc9c46f9206aa85019")
"""A pickled ``torch.serialization.MAGIC_NUMBER`` (LONG1, 10 bytes), after the pickle's
protocol opcode: how torch's legacy format begins."""


def zip_not_torch(path: str | Path) -> str | None:
    """What the zip archive ``path`` is when ``torch.save`` did not write it (an SB3 agent's
    ``agent.zip``, another zip), or None: not a zip (torch.load says what is wrong), or torch's
    layout (every member in one folder, with its ``data.pkl``). Probe 109 row 3: such a zip
    passed the ``PK`` check and was torch's raw "[enforce fail at inline_container.cc:180] .
    file in archive is not in a subdirectory: data"."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (OSError, ValueError, zipfile.BadZipFile):
        return None
    folders = {name.split("/", 1)[0] for name in names}
    if len(folders) == 1 and all("/" in n for n in names):
        if any(n.endswith("/data.pkl") for n in names):
            return None
    if {"data", "policy.pth"} <= set(names):
        return (
            "a Stable-Baselines3 agent (agent.save): load it with "
            "agents.factory.AGENT_CLASSES[algo].load(path)"
        )
    shown = ", ".join(names[:4]) + (", …" if len(names) > 4 else "")
    return f"a zip archive that torch.save did not write (it holds {shown or 'nothing'})"


def longest_name_bytes(parts: Sequence[str]) -> int:
    """Bytes of the longest of a path's names (``Path.parts``, a Minari id's ``/``-separated
    parts), to compare with :data:`NAME_MAX`."""
    return max((len(os.fsencode(part)) for part in parts), default=0)


def whole_number(text: str) -> int:
    """A count flag's value: an int, or a float spelling of a whole number (``1e3``, ``2.5e5``:
    probe 50 row 29, ``--n-transitions 1e3`` was argparse's "invalid int value", in a project
    whose other flags take ``3e-4``). ``1.5e0``, ``1e3.5``, ``inf`` are one error, which argparse
    prefixes with the flag's name."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = decimal.Decimal(text.strip())
    except decimal.InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value != value.to_integral_value():
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number (such as 1000, 1e3 or 2.5e5)"
        )
    return int(value)


def thread_count(text: str) -> int | None:
    """A torch thread-count flag's value (cotrain's ``--torch-threads``, bench's and mle_quality's
    ``--threads``): a whole number, or ``none`` / ``auto`` (None: the automatic choice). Probe 142
    rows 35, 45: their range error advised "none for auto", which their parser refused as "not a
    whole number (such as 1000, 1e3 or 2.5e5)", examples no thread count fits."""
    if text.strip().lower() in ("none", "auto"):
        return None
    try:
        return whole_number(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a whole number; give one (such as 1 or 4), or auto (none) to let "
            "the run choose"
        ) from None


def user_path(text: str, windows: bool = True) -> Path:
    """A path flag's value with ``~`` expanded (``--run-dir=~/runs/x``: the shell leaves it, and a
    folder literally named ``~`` was created in the working directory). An empty one is refused:
    ``--run-dir "$DIR"`` with ``DIR`` unset meant the working folder.

    A name in it longer than :data:`NAME_MAX` bytes is argparse's error naming the flag (was: a
    bare or raw ``[Errno 36] File name too long`` from the first look at the path: ``--ledger``,
    ``--out``, ``--sweep-dir``).

    ``windows=False``: :func:`windows_path_problem` was asked already (curves.py asks it of its
    ``--out`` prefix once, then checks each name made from it here)."""
    if text == "":  # was: the working folder ('' is '.'): --behaviour-dir '' filled it
        raise argparse.ArgumentTypeError(
            "an empty path (an unset shell variable?); give a path, or '.' for the working folder"
        )
    try:
        check_path_text(text, "path")
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err).removeprefix("path: ")) from None
    problem = windows_path_problem(text) if windows else None
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    try:
        path = expand_home(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    longest = longest_name_bytes(path.parts)
    if longest > NAME_MAX:
        raise argparse.ArgumentTypeError(
            f"{text[:60]!r}… has a name of {longest} bytes, but a file system "
            f"takes at most {NAME_MAX} per file or folder name; give a shorter path"
        )
    try:  # probe 31: was "File name too long; pick a folder you can write"
        size = len(os.fsencode(str(path.absolute())))
    except OSError:  # the working folder is gone: the path as given
        size = len(os.fsencode(str(path)))
    if size >= PATH_MAX:
        raise argparse.ArgumentTypeError(
            f"{text[:60]!r}… is {size} bytes long (as an absolute path), but the system takes "
            f"paths of at most {PATH_MAX - 1} bytes; give a shorter path"
        )
    # probe 19: was "does not exist", or "a link to loop, which does not …"
    refuse_link_loop(path, "", error=argparse.ArgumentTypeError)
    return path


def windows_path_problem(text: str, written: Sequence[str] = ()) -> str | None:
    """Why ``text``, a path flag's value, is refused as a Windows path (a backslash, or a drive
    letter ``X:\\`` / ``X:/`` first), else None. Probe 150: ``--run-dir 'C:\\runs\\x'`` pasted
    into WSL or Git Bash made one folder literally named so in the working folder, without a word.

    Only a NEW name is refused: ``text`` (``~`` expanded) is taken when its leading part up to
    the last name that holds a backslash (or the drive form) exists, so a new run inside an
    existing folder ``old\\runs`` is made there (probe 152: only the whole path was looked
    at, and before ``~`` was expanded). ``written``: the files made from ``text`` when it is a
    prefix (curves.py's ``--out``), any of which existing shows its last name exists."""
    drive = re.match(r"([A-Za-z]):[\\/]", text)
    if drive is None and "\\" not in text:
        return None
    try:
        path = expand_home(text)
    except ValueError:  # ~user of no user: user_path's own check names it
        path = Path(text)
    parts = path.parts
    odd = [i for i, part in enumerate(parts) if "\\" in part or (i == 0 and drive is not None)]
    last = odd[-1] if odd else len(parts) - 1
    if os.path.lexists(Path(*parts[: last + 1])):
        return None
    if last == len(parts) - 1 and any(_lexists_text(name) for name in written):
        return None
    posix = text.replace("\\", "/")
    if drive is None:
        if written and last == len(parts) - 1:  # probe 154: a prefix is no folder to make
            return (
                f"'{text}' holds a backslash, which a POSIX system takes as part of a name, not "
                f"as a folder separator (a Windows path?); give '{posix}', or a name without a "
                "backslash"
            )
        return (
            f"'{text}' holds a backslash, which a POSIX system takes as part of a name, not as a "
            f"folder separator (a Windows path?); give '{posix}' (or, for a folder named "
            f"'{parts[last]}', make it first: mkdir -p {shell_quote(str(Path(*parts[: last + 1])))})"
        )
    letter = drive.group(1)
    # probe 152 row 6: 'a:' is a legal folder name here; the message gave no way to name it
    named = "" if "\\" in text else f", or './{text}' for a folder named '{text[:2]}' here"
    return (
        f"'{text}' is a Windows path (drive {letter.upper()}:): here it would name one "
        f"file or folder of that name in the working folder; give a POSIX path, such as "
        f"'/mnt/{letter.lower()}/{posix[3:]}' (drive {letter.upper()}: in WSL){named}"
    )


def _lexists_text(text: str) -> bool:
    """``os.path.lexists`` of ``text`` with ``~`` expanded; False where it cannot be."""
    try:
        return os.path.lexists(expand_home(text))
    except ValueError:
        return False


def user_folder_path(text: str) -> Path:
    """:func:`user_path` for a flag that names a folder the program writes files into
    (``--run-dir``): its absolute path must leave room for a name of :data:`NAME_MAX` bytes below
    it (probe 66: a 4076-byte run folder passed, then writing its config.json failed with "File
    name too long" after the MLE pretraining, advising "a writable folder with free space")."""
    path = user_path(text)
    short = folder_room_problem(path, text)
    if short is not None:
        raise argparse.ArgumentTypeError(f"{short}; give a path of at most {FOLDER_PATH_MAX} bytes")
    return path


#: The longest folder path that leaves a name of :data:`NAME_MAX` bytes room below it.
FOLDER_PATH_MAX = PATH_MAX - 2 - NAME_MAX


def folder_room_problem(path: Path, text: str | None = None) -> str | None:
    """``'<text>'… is N bytes long (as an absolute path), which leaves R bytes for the files
    written inside it (…)`` when the folder ``path`` (the user's ``text``) is too long for a name
    of :data:`NAME_MAX` bytes below it, else None: :func:`user_folder_path`, and the stores named
    by variables (:func:`check_folder_room`)."""
    try:
        size = len(os.fsencode(str(path.absolute())))
    except OSError:  # the working folder is gone: the path as given
        size = len(os.fsencode(str(path)))
    room = PATH_MAX - 1 - size - 1  # bytes left for the names inside, after the separator
    if room >= NAME_MAX:
        return None
    return (
        f"{(str(path) if text is None else text)[:60]!r}… is {size} bytes long (as an absolute "
        f"path), which leaves {max(room, 0)} bytes for the files written inside it (the system "
        f"takes paths of at most {PATH_MAX - 1} bytes; names inside may take {NAME_MAX})"
    )


def check_folder_room(folder: Path, what: str, setting: str) -> None:
    """ValueError ``<what> … leaves R bytes for the files written inside it …; set <setting> to
    a path of at most N bytes`` (:func:`folder_room_problem`): a store named by a variable
    (``MINARI_DATASETS_PATH``, ``RAMBO_ENV_CACHE``), checked before any work (probe 145 E2, R3:
    a 4038-byte Minari root collected the data, then failed "File name too long"; a 4063-byte
    model cache was reported as a dataset name too long)."""
    short = folder_room_problem(folder)
    if short is not None:
        raise ValueError(
            f"{what} {short}; set {setting} to a path of at most {FOLDER_PATH_MAX} bytes"
        )


def user_file_path(text: str) -> Path:
    """:func:`user_path` for a flag that names an output FILE (``--out``, ``--json``): a path
    ending in ``/`` names a folder and is refused (probe 17: ``--out results/`` wrote a file
    named ``results``, and the later ``results/x.csv`` could not be made)."""
    if text.endswith(("/", os.sep)):
        raise argparse.ArgumentTypeError(
            f"{text!r} ends in {os.sep}, so it names a folder; give a file path (folder/name)"
        )
    return user_path(text)


def home_store_words(variable: str, what: str, default: str) -> tuple[str, str]:
    """``(what, hint)`` for :func:`check_writable` of a store that is ``default`` (``$HOME/…``)
    because ``variable`` is unset: the error names HOME, what it is (missing, another user's),
    and that ``variable`` can be set, not ``variable`` as if it were set (probe 111: a user with
    no home folder, ``HOME=/``, or another user's HOME kept by ``sudo`` was told "RAMBO_ENV_CACHE:
    … is not writable" / "MINARI_DATASETS_PATH: …", neither variable set)."""
    home = os.environ.get("HOME")
    shown = f"HOME={home}" if home and home.strip() else "the passwd home folder (HOME unset)"
    try:
        folder = home_dir()
        state = (
            ", which does not exist"
            if not folder.exists()
            else f", another user's folder ({owner_text(folder)})"
            if owned_by_other(folder)
            else ""
        )
    except (OSError, ValueError):
        state = ""
    return (
        f"HOME: {what} ({default}, as {variable} is unset; {shown}{state})",
        f"set {variable} to a writable folder, or HOME to your own home folder",
    )


def home_dir() -> Path:
    """The user's home folder, as ``Path.home()``, except that ``HOME`` set but empty (or only
    white space) counts as unset, as ``RAMBO_ENV_CACHE`` and ``MINARI_DATASETS_PATH`` do: the
    home folder of the user's passwd entry, which Python takes when ``HOME`` is unset (was:
    ``HOME=""`` put the model cache in ``/.cache/rambo_env`` and the Minari root in
    ``/.minari/datasets``, silently where root may write)."""
    home = os.environ.get("HOME")
    if home is not None and not home.strip():
        import pwd

        try:
            return Path(pwd.getpwuid(os.getuid()).pw_dir)
        except KeyError:  # no passwd entry (a container's arbitrary uid)
            raise ValueError(
                "HOME is set but empty, and this user has no passwd entry to take the home "
                "folder from; set HOME, or RAMBO_ENV_CACHE and MINARI_DATASETS_PATH"
            ) from None
    if home is not None and home.startswith("~"):  # probe 69: pathlib's raw "Could not
        raise ValueError(  # determine home directory" traceback
            f"HOME={home!r} begins with '~', which is not expanded inside quotes; set HOME to an "
            "absolute path ($HOME unquoted, or /home/<you>)"
        )
    if home is not None and not os.path.isabs(home):  # probe 69: the model cache stayed relative
        note_relative("HOME", home, Path(home).absolute())  # while the Minari root did not
        return Path(home).absolute()
    return Path.home()


def expand_home(path: str | os.PathLike[str]) -> Path:
    """``path`` with a leading ``~`` expanded as ``Path.expanduser`` does, but to
    :func:`home_dir` (probe 17: with ``HOME=""``, ``--run-dir=~/runs/x`` was ``/runs/x``, as
    the default folders were before :func:`home_dir`). ``~user`` is expanded as usual; a
    ``~user`` naming no user of this machine is a ValueError naming the path (probe 33: a raw
    ``RuntimeError: Could not determine home directory``). Only a ``~`` that begins the text is
    expanded (probe 33: ``--run-dir ./~/x`` ran in ``$HOME/x``, pathlib having dropped the ``./``)."""
    text = os.fspath(path)
    path = Path(path)
    if not text.startswith("~"):
        return path
    if path.parts[0] == "~":
        return home_dir().joinpath(*path.parts[1:])
    try:
        return path.expanduser()
    except RuntimeError:
        raise ValueError(
            f"{text!r}: {path.parts[0]!r} names no user of this machine (a leading ~user is that "
            f"user's home folder); for a folder named so in the working folder give './{text}'"
        ) from None


def check_path_text(text: str, what: str) -> str:
    """``text`` (a path flag or variable) unless it is only white space or begins / ends with it
    (a stray space of an unquoted or pasted shell value): was taken as is, so
    ``RAMBO_ENV_CACHE=' '`` or ``--run-dir 'runs/x '`` silently made a folder ``' '`` / ``'x '``
    that a later ``--resume runs/x`` did not find. Nor one holding a control character (probe 51:
    ``--run-dir $'runs/nl\\nx'`` made a folder with a newline in its name, and split the printed
    "continue with" line in two)."""
    if text.endswith("\r") and text.strip():  # probe 129 row 9: was "a stray space"
        raise ValueError(
            f"{what}: {text!r} ends in a carriage return ('\\r'): the shell script that ran "
            "this command has Windows line endings (CRLF), so its line's last word ends in one: "
            "convert the script (dos2unix run.sh, or sed -i 's/\\r$//' run.sh, with its name) "
            "and run it again"
        )
    if text != text.strip():
        said = "is only white space" if not text.strip() else "begins or ends with white space"
        raise ValueError(
            f"{what}: {text!r} {said} (a stray space in a shell value?); give the path without it"
        )
    control = next((char for char in text if unicodedata.category(char) == "Cc"), None)
    if control is not None:
        raise ValueError(
            f"{what}: {text!r} holds a control character ({control!r}) (a paste accident?); "
            "give the path without it"
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # bytes the locale could not decode, kept as surrogates: was
        # TensorBoard's "'utf-8' codec can't encode …: surrogates not allowed" after the dataset
        # load, MLE pretraining and BC, naming no path
        raise ValueError(_not_utf8_text(text, what)) from None
    return text


def check_locale_text(text: str, what: str) -> str:
    """``text`` (a flag's free text: a title, a label) unless it holds bytes the locale could not
    decode (kept as surrogates: ``LC_ALL=C PYTHONUTF8=0`` with ``--title 'λ'``); ValueError
    naming the locale, as a path flag's (:func:`check_path_text`), otherwise. Probe 145 R7: was
    matplotlib's "is not valid mathtext between $ signs" of a title with no ``$``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        raise ValueError(
            f"{what}: {text!r} has bytes that are not text in this locale's encoding "
            f"({sys.getfilesystemencoding()}: LC_ALL=C or POSIX with PYTHONUTF8=0?; as UTF-8 it "
            f"reads {shown!r}); run in a UTF-8 locale (LC_ALL=C.UTF-8, or PYTHONUTF8=1), or give "
            "ASCII text"
        ) from None
    return text


def _not_utf8_text(text: str, what: str) -> str:
    """Why ``text``, holding bytes kept as surrogates, is refused, and what helps: its bytes are
    UTF-8 but the locale is not (run in a UTF-8 locale), or they are not UTF-8 at all (probe 36:
    in C.UTF-8 the advice to switch to a UTF-8 locale could not help; rename it)."""
    try:
        raw = os.fsencode(text)
    except UnicodeError:  # surrogates no file name decoded to
        raw = text.encode("utf-8", "backslashreplace")
    shown = raw.decode("utf-8", "backslashreplace")
    kept = (
        "paths are kept as UTF-8 text (config.json, results.json; TensorBoard writes a run "
        "folder's path)"
    )
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return (
            f"{what}: '{shown}' is not valid UTF-8 (byte {raw[err.start]:#04x}: a name from a "
            f"Latin-1 or other older system?), and {kept}; no locale setting helps: rename the "
            "file or folder to a UTF-8 name (ASCII is safest), or give a link with such a name "
            "(ln -s)"
        )
    return (
        f"{what}: {text!r} has bytes that are not text in this locale's file-name encoding "
        f"({sys.getfilesystemencoding()}: LC_ALL=C or POSIX with PYTHONUTF8=0?; as UTF-8 it reads "
        f"'{shown}'), and {kept}; run in a UTF-8 locale (LC_ALL=C.UTF-8, or PYTHONUTF8=1), or use "
        "an ASCII path"
    )


def report_user_error(err: BaseException) -> int:
    """A script's user error: one ``error:`` line on stderr, exit status 2; re-raised (traceback)
    when ``RAMBO_ENV_TRACEBACK`` is set to anything but empty / 0 / false / no / off."""
    if tracebacks_wanted():
        raise err
    if isinstance(err, BrokenPipeError):  # was: "error: [Errno 32] Broken pipe", no cause named
        silence_stdout()
        err = BrokenPipeError(_CLOSED_PIPE)
    elif isinstance(err, OSError) and err.errno in (errno.EMFILE, errno.ENFILE):
        err = OSError(err.errno, _too_many_open_files(err))  # probe 23: named no cause or remedy
    elif out_of_memory(err):  # probe 137: MuJoCo's bare "engine error: Could not allocate memory"
        err = MemoryError(out_of_memory_line(err))
    try:
        print(f"error: {err}\n(RAMBO_ENV_TRACEBACK=1 shows the traceback)", file=sys.stderr)
    except OSError:  # stderr is the closed pipe too (2>&1 | head)
        pass
    return 2


def _too_many_open_files(err: OSError) -> str:
    """What to do about EMFILE / ENFILE (worker processes, pipes, logs and data files each hold
    open files; was ``[Errno 24] Too many open files``, naming neither the limit nor a remedy)."""
    where = f" ({err.filename})" if err.filename else ""
    if err.errno == errno.ENFILE:
        return (
            f"too many open files on this machine{where}: the system-wide limit is reached; "
            "close other programs or raise fs.file-max, then rerun"
        )
    try:
        import resource

        limit = f"its limit is {resource.getrlimit(resource.RLIMIT_NOFILE)[0]} (ulimit -n)"
    except (ImportError, OSError, ValueError):
        limit = "its limit is reached"
    return (
        f"too many open files in this process{where}: {limit}; raise it (e.g. ulimit -n 4096) "
        "or start fewer worker processes (--workers 1), then rerun"
    )


#: What a script says when the program reading its output exited.
_CLOSED_PIPE = (
    "stdout: the program reading this output exited (a closed pipe, e.g. `| head`), so the "
    "script stopped; pipe into a reader that reads to the end (`| tee log.txt`, `| tail`) or "
    "write to a file (`> log.txt`)"
)


#: What a script says when the program reading its output exited after its work was done.
_CLOSED_PIPE_DONE = (
    "stdout: the program reading this output exited (a closed pipe, e.g. `| head`) after the "
    "work was done: {done}; exit status 0 (the rest of the output is lost: `| tee log.txt` "
    "keeps it)"
)


def silence_stdout() -> None:
    """Point stdout at the null device after its reader went away (a BrokenPipeError), so that
    later prints and the flush at exit do not fail again (Python's advice for SIGPIPE)."""
    try:
        _silence(sys.stdout)
    except (OSError, ValueError, AttributeError):  # no real stdout (captured, closed)
        pass


def _silence(stream: Any) -> None:
    """Point ``stream``'s file descriptor at the null device (its later writes go nowhere)."""
    fd = stream.fileno()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


#: Seeds are below this: torch's generators take 64 bits, and the seeds derived from one (worker,
#: episode and rollout seeds: ``seed + i``) must fit too (was: ``--seed 99999999999999999999``
#: gave torch's raw ``Overflow when unpacking long long``, after the dataset load).
SEED_LIMIT = 2**63
#: An SB3 agent's seed (``agents.factory.make_agent(…, seed=…)``) is below this: SB3's
#: ``set_random_seed`` seeds numpy's legacy global generator (``np.random.seed``), which takes 32
#: bits (probe 141: ``seed=2**40`` passed the :data:`SEED_LIMIT` check, then numpy's raw "Seed
#: must be between 0 and 2**32 - 1").
AGENT_SEED_LIMIT = 2**32
#: A co-training run's seed (``CotrainConfig.seed``, each seed of a sweep, every script's
#: ``--seed``) is below this: below :data:`AGENT_SEED_LIMIT` too, with room for the seeds derived
#: from it (``seed + i``), so every run seed is also a valid agent and generator seed.
RUN_SEED_LIMIT = 2**31


def check_called_with(fn: Callable[..., Any], args: tuple[Any, ...], what: str, usage: str) -> None:
    """ValueError ``"WHAT: NAME(SIGNATURE) USAGE"`` when ``fn``'s signature cannot take the
    positional ``args`` it will be called with (a user's hook: probe 22, probe 36 row 77: a
    ``lambda: …`` was a raw TypeError only after the setup and a whole iteration). A callable
    without a signature (a builtin) is taken as it is."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    try:
        signature.bind(*args)
    except TypeError:
        name = getattr(fn, "__qualname__", type(fn).__name__)
        raise ValueError(f"{what}: {name}{signature} {usage}") from None


def check_seed(seed: Any, what: str = "seed", limit: int = SEED_LIMIT) -> int:
    """``seed`` as an int in [0, ``limit``) (numpy's generators refuse negative seeds with a raw
    error, torch's those of 64 bits or more); ValueError naming ``what`` otherwise."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"{what}: expected an int >= 0, got {seed!r}")
    if seed >= limit:
        raise ValueError(
            f"{what}: {seed} is too large: expected an int in [0, 2**{limit.bit_length() - 1})"
        )
    return int(seed)


def check_state_dict(state: Any, keys: Sequence[str], owner: str) -> None:
    """``state`` is a dict holding ``keys``, as ``<owner>.state_dict()`` returns; one ValueError
    naming what is missing or unknown (probe 18: a raw ``KeyError: 'optimizer'`` / "'NoneType'
    object is not subscriptable" from ``load_state_dict``)."""
    missing = [k for k in keys if not isinstance(state, dict) or k not in state]
    unknown = sorted(map(str, set(state) - set(keys))) if isinstance(state, dict) else []
    if missing or unknown:  # probe 22: unknown keys (another object's state) were ignored
        got = (
            type(state).__name__
            if not isinstance(state, dict)
            else f"a dict without {missing}"
            if missing
            else f"a dict with unknown key(s) {unknown}"
        )
        raise ValueError(
            f"state: expected what {owner}.state_dict() returns (a dict of {list(keys)}), got {got}"
        )


def is_int(value: Any) -> bool:
    """A python / numpy integer, not a bool (a config's count or seed)."""
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def python_scalar(value: Any) -> Any:
    """A numpy integer as a Python int, a numpy float as a Python float, anything else (a bool,
    numpy's bool, None, a string) unchanged: for arguments handed on to libraries that test
    ``isinstance(x, int)`` / ``float`` (probe 55: SB3 refused ``train_freq=(np.int64(2), "step")``
    and a ``np.float32`` learning rate with misleading errors)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def python_fields(obj: Any) -> None:
    """Each numpy scalar field of the dataclass ``obj`` (frozen or not) as its Python value
    (:func:`python_scalar`; numpy's bool as bool), after the config's checks accepted it: a
    config's fields go into JSON (run folders, cache keys, dataset metadata), which refuses
    numpy numbers (probe 61: ``MLEConfig(seed=np.int64(1))`` passed its checks, then
    ``make_mdp`` failed on "Object of type int64 is not JSON serializable" after the load)."""
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        if isinstance(value, np.bool_):
            object.__setattr__(obj, field.name, bool(value))
        elif isinstance(value, np.integer | np.floating):
            object.__setattr__(obj, field.name, python_scalar(value))
        elif isinstance(value, tuple) and any(isinstance(v, np.generic) for v in value):
            object.__setattr__(obj, field.name, tuple(map(python_scalar, value)))


def is_real(value: Any) -> bool:
    """A python / numpy int or float, not a bool or a string (a config's real number)."""
    return is_int(value) or isinstance(value, float | np.floating)


def sb3_ent_coef(value: Any) -> tuple[str, float] | None:
    """An ``ent_coef`` as SB3's SAC (TQC, CrossQ) reads it: ``("auto", α₀)`` for text starting
    with ``auto`` (α₀ = 1.0, or the text between the first and second ``_``: ``auto_0.1`` ->
    0.1), ``("fixed", α)`` for a number or its text; None where SB3 could not read it. Probe 92
    rows 75, 76: two runs' ``1e-1`` and ``0.1`` (``auto_1.0`` and ``auto``) were compared as text
    and called other settings."""
    try:
        if isinstance(value, str) and value.startswith("auto"):
            return ("auto", float(value.split("_")[1]) if "_" in value else 1.0)
        return ("fixed", float(value)) if is_real(value) or isinstance(value, str) else None
    except (ValueError, IndexError):
        return None


def items_of(
    value: Any,
    field: str,
    expect: str,
    ok: Callable[[Any], bool],
    what: str = "value",
    single: str | None = None,
) -> tuple:
    """``value``, a tuple, list or 1-d numpy array of items that each pass ``ok``, as a tuple of
    them (a numpy array's as Python scalars); else one ValueError naming ``field``, ``expect`` and
    what was wrong: not a sequence, a numpy array of another shape, or the first item that fails
    ``ok`` (called a ``what``); ``single``: what a lone number given instead means (``"one hidden
    layer"``: "for one hidden layer give (8,)"). Probe 44: ``hidden_dims=np.array([8, 8, 8, 8])`` was refused with
    "expected ints, got array([8, 8, 8, 8])" although a list of np.int64 was taken."""
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise ValueError(
                f"{field}: expected {expect}, got a {value.ndim}-d numpy array of shape "
                f"{value.shape}; give a 1-d array or a tuple"
            )
        value = value.tolist()
    if not isinstance(value, tuple | list):
        got = "None" if value is None else f"{with_article(type(value).__name__)} {value!r}"
        raise ValueError(
            f"{field}: expected {expect}, got {got}"
            + (f" (for {single} give ({value!r},))" if single and is_real(value) else "")
        )
    for i, item in enumerate(value):
        if not ok(item):
            kind = "" if is_int(item) else f" ({with_article(type(item).__name__)})"
            raise ValueError(
                f"{field}: expected {expect}, got {tuple(value)!r}: {what} {i} is {item!r}{kind}"
            )
    return tuple(value)


def check_field_types(obj: Any, hint: str = "fix the value (e.g. in config.json)") -> None:
    """Each field of the dataclass ``obj`` has its annotated type (a hand-edited ``config.json``
    or ledger ``index.json``: ``"3"``, ``3.7``); one ValueError naming the field and ``hint``.

    int: a python / numpy integer, not bool; float: int or float, not bool; bool: only bool;
    str: only str; ``X | None`` also allows None. Numpy numbers that pass are stored as Python
    ones (:func:`python_fields`).
    """
    hints = typing.get_type_hints(type(obj))
    for field in dataclasses.fields(obj):
        value = getattr(obj, field.name)
        annotated = hints[field.name]
        # in the annotation's order: the message is the same in every process (a set's order of
        # types follows their ids; session 46's CI saw "None | str | PathLike" once)
        written = typing.get_args(annotated) if typing.get_origin(annotated) else (annotated,)
        allowed = set(written)
        if value is None and type(None) in allowed:
            continue
        kinds = allowed - {type(None)}
        if isinstance(value, bool | np.bool_):
            ok = bool in kinds
        elif is_int(value):
            ok = bool(kinds & {int, float})
        elif is_real(value):
            ok = float in kinds
        else:  # os.PathLike[str]: its origin (probe 135: a field annotated with what it accepts)
            ok = any(isinstance(value, typing.get_origin(k) or k) for k in kinds)
        if not ok:
            names = " | ".join(
                "None" if k is type(None) else getattr(k, "__name__", str(k)) for k in written
            )
            raise ValueError(
                f"{field.name}: expected {names}, got {value!r} ({type(value).__name__}); {hint}"
            )
    python_fields(obj)  # probe 61: numpy numbers reach JSON as Python ones


def check_field_ranges(owner: str, obj: Any, checks: dict[str, tuple[bool, str]]) -> None:
    """``checks`` maps each field of ``obj`` to (its value is in range, what the field takes); one
    ValueError ``OWNER.FIELD: expected TAKES, got VALUE`` for the first out of range (issue 14:
    was "invalid value nan", naming no range)."""
    for name, (ok, expected) in checks.items():
        if not ok:
            raise ValueError(f"{owner}.{name}: expected {expected}, got {getattr(obj, name)!r}")


#: Packages whose frames are not the user's code: a warning is attributed past them.
LIBRARY_PACKAGES = ("rambo_env", "agents", "gymnasium", "stable_baselines3", "sb3_contrib")


@functools.cache
def _library_prefixes() -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(folders of :data:`LIBRARY_PACKAGES`, site-packages folders, the standard library's)."""
    import importlib.util
    import sysconfig

    packages = []
    for name in LIBRARY_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        for folder in (spec.submodule_search_locations or []) if spec else []:
            packages.append(os.path.join(os.path.realpath(folder), ""))
    paths = sysconfig.get_paths()
    sites = tuple({os.path.join(os.path.realpath(paths[k]), "") for k in ("purelib", "platlib")})
    return tuple(packages), sites, os.path.join(os.path.realpath(paths["stdlib"]), "")


@functools.cache
def _library_file(name: str) -> bool:
    """Whether code in file ``name`` is library code: :data:`LIBRARY_PACKAGES`, the standard
    library (not other installed packages: a user's own package is theirs), frozen modules."""
    if name.startswith("<"):  # <stdin>, <string> (python -c) are the user's; <frozen …> not
        return name.startswith("<frozen")
    packages, sites, stdlib = _library_prefixes()
    path = os.path.realpath(name)
    if path.startswith(packages):
        return True
    return path.startswith(stdlib) and not path.startswith(sites)


def user_stacklevel(default: int = 2) -> int:
    """``stacklevel`` for a ``warnings.warn`` in the function that calls this one, such that the
    warning names the first frame of the user's code, not gymnasium's wrappers, SB3 or this
    package (issue 14: warnings read ``gymnasium/core.py:…``). ``default`` when every frame is
    library code."""
    frame, level = sys._getframe(1), 1  # the warning's caller is stacklevel 1
    while frame is not None:
        if not _library_file(frame.f_code.co_filename):
            return level
        frame, level = frame.f_back, level + 1
    return default


def warn_each_time(
    message: str, category: type[Warning] = UserWarning, stacklevel: int = 1
) -> None:
    """``warnings.warn(message, category, stacklevel)`` for a warning the caller issues once per
    object or per call (its own state says when): shown every time it is issued. Python's
    default action shows a warning once per text and code line in a process (the warned module's
    ``__warningregistry__``), so probe 118 rows 14-15: the second and later agents of an
    optuna-like loop making the first trial's mistake ("a new agent on an mdp a ModelAdversary
    already trained", "predict: the observations look raw", meant once per agent) were told
    nothing. The warnings filters still apply: ``filterwarnings("ignore", …)`` silences it,
    ``simplefilter("error")`` raises it, ``"once"`` / ``"module"`` show it once (probe 120 row
    13: a fresh registry each call forgot every earlier showing, so they showed it every time)."""
    try:
        frame = sys._getframe(stacklevel)  # 1: the caller's frame, as warnings.warn's stacklevel
    except ValueError:  # fewer frames: where warnings.warn puts it
        where: dict[str, Any] = sys.__dict__
        filename, lineno = "sys", 1
    else:
        where, filename, lineno = frame.f_globals, frame.f_code.co_filename, frame.f_lineno
    module = where.get("__name__", "<string>")
    if _warning_action(message, category, module, lineno) == "default":
        registry: dict[Any, Any] = {}  # a fresh one: not the once-per-line registry
    else:  # "once", "module" remember their showings there, as warnings.warn
        registry = where.setdefault("__warningregistry__", {})
    warnings.warn_explicit(
        message, category, filename, lineno, module=module, registry=registry
    )  # no module_globals: as warnings.warn (CPython reads the loader's source with them, an
    # IndexError for code exec'd from a string)


def _warning_action(message: str, category: type[Warning], module: str, lineno: int) -> str:
    """The action the warnings filters give ``message`` (the first filter that matches, as
    ``warnings.warn_explicit`` resolves it; ``warnings.defaultaction`` when none does)."""
    for action, text, kind, where, line in warnings.filters:
        if (
            (text is None or text.match(message))
            and issubclass(category, kind)
            and (where is None or where.match(module))
            and (line == 0 or line == lineno)
        ):
            return action
    return warnings.defaultaction


def check_flag(value: Any, what: str) -> bool:
    """``value`` as a bool (``True`` / ``False``, numpy's too); ValueError naming ``what``
    otherwise (was: any truthy value switched the option on, so ``compile="no"`` compiled)."""
    if not isinstance(value, bool | np.bool_):
        raise ValueError(f"{what}: expected True or False, got {type(value).__name__} {value!r}")
    return bool(value)


def check_writable(folder: str | Path, what: str, hint: str) -> Path:
    """``folder``, created if missing, after a probe file was written and removed in it.

    Raises ValueError ``<what> <folder> is not a folder / is not writable (reason); <hint>``: a
    script calls it for its output folder before any expensive work (loading, training, collecting).
    """
    folder = Path(folder)
    if _exists(folder) and not folder.is_dir():
        raise ValueError(f"{what} {folder} is not a folder; {hint}")
    refuse_link_loop(folder, f"{what} ", f", or {hint}")
    link = _dangling_link_on(folder)  # was: "is not writable (File exists)"
    if link is not None:
        where = "" if link == folder else f" (its folder {link})"
        raise ValueError(
            f"{what} {folder}{where} is a link to {os.readlink(link)}, which does not exist; "
            f"create that folder, or {hint}"
        )
    try:
        make_folders(folder)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except UmaskError as err:
        raise ValueError(f"{what} {err}") from None
    except OSError as err:  # no permission, a read-only file system, a full disk, a parent file
        why = err.strerror or str(err)
        if err.errno == errno.ENOENT and folder.is_dir():
            # probe 57: /proc said "not writable (No such file or directory)" of a folder there
            why = "it exists, but cannot create files there"
        elif err.errno in (errno.EACCES, errno.EPERM) and owned_by_other(folder):
            why = f"{why}; {owner_text(folder)}"  # probe 111: whose folder it is, and its mode
        raise ValueError(f"{what} {folder} is not writable ({why}); {hint}") from err
    return folder


def check_output_file(path: str | Path, what: str, hint: str, suffix: str | None = None) -> Path:
    """An output file (``--json``, ``--out``) can be written, checked before any expensive work:
    not a folder, a name the file system takes, its folder writable (created if missing), and,
    given ``suffix`` (``.json``), no other ending (a name without one is taken).
    ValueError ``<what>: …; <hint>`` otherwise (was: a name too long gave a raw ``OSError``
    traceback from ``Path.is_dir``; ``--json bench.csv`` silently wrote JSON into a .csv)."""
    path = Path(path)
    if suffix is not None and path.suffix and path.suffix.lower() != suffix:
        raise ValueError(
            f"{what}: {path} ends in {path.suffix}, but the file written is {suffix[1:].upper()}; "
            f"name it {path.stem}{suffix} (or give no ending)"
        )
    try:
        if path.is_dir():
            raise ValueError(f"{what}: {path} is a folder; {hint}")
        path.exists()  # a name too long, a component under a file: OSError here, not at the end
    except OSError as err:
        raise ValueError(f"{what}: {path} cannot be used ({err.strerror or err}); {hint}") from None
    check_name_room(path, what)
    check_writable(path.parent, f"{what}: folder", hint)
    return path


#: torch's environment variables read with ``int()`` when ``torch._dynamo`` / ``torch._inductor``
#: is imported (torch 2.13's _inductor/config.py, _dynamo/config.py), which every optimizer does:
#: the floor of :func:`torch_int_variables`, which adds those the installed torch's config reads.
TORCH_INT_VARIABLES = (
    "TORCHINDUCTOR_COMPILE_THREADS",
    "TORCHINDUCTOR_MIN_NUM_SPLIT",
    "TORCHINDUCTOR_FILE_LOCK_TIMEOUT",
    "TORCHINDUCTOR_CHUNKER_NUM_CHUNKS",
    "TORCHINDUCTOR_CPP_MIN_CHUNK_SIZE",
    "TORCHINDUCTOR_CPP_GEMM_MAX_K_SLICES",
    "TORCHINDUCTOR_ORIGAMI_TOPK",
    "AOTINDUCTOR_REPRO_LEVEL",
    "TORCHDYNAMO_REPRO_LEVEL",
    "TORCHINDUCTOR_PRECOMPILATION_TIMEOUT_SECONDS",
    "TORCHINDUCTOR_DEFAULT_AUTOTUNE_WARMUP",
    "TORCHINDUCTOR_DEFAULT_AUTOTUNE_REP",
    "TORCHINDUCTOR_COLLECTIVE_BENCHMARK_NRUNS",
    "TORCHINDUCTOR_COORDINATE_DESCENT_RADIUS",
    "TORCHINDUCTOR_COMPILE_WORKER_WAIT_TIMEOUT",
    "TORCHINDUCTOR_CPP_MAX_HORIZONTAL_FUSION_SIZE",
    "TORCHINDUCTOR_MULTI_KERNEL",
    "TORCHINDUCTOR_NUM_DECOMPOSE_K_SPLITS",
    "TORCHINDUCTOR_DECOMPOSE_K_THRESHOLD",
    "INDUCTOR_PROVENANCE",
)

#: ``int(os.environ.get("NAME"`` / ``int(os.getenv("NAME"`` / ``int(os.environ["NAME"]`` in
#: torch's config source, with the variable read as the default of the first where there is one
#: (``int(os.environ.get("INDUCTOR_PROVENANCE", os.environ.get("TORCH_COMPILE_DEBUG", "0")))``).
_TORCH_INT_READ = re.compile(
    r"""int\(\s*os\.(?:environ\.get|getenv)\(\s*["']([A-Za-z0-9_]+)["']"""
    r"""(?:\s*,\s*os\.(?:environ\.get|getenv)\(\s*["']([A-Za-z0-9_]+)["'])?"""
    r"""|int\(\s*os\.environ\[\s*["']([A-Za-z0-9_]+)["']\s*\]"""
)

#: The config modules of the installed torch that read variables on import, under its folder.
_TORCH_CONFIG_FILES = ("_inductor/config.py", "_dynamo/config.py", "_functorch/config.py")


@functools.cache
def torch_int_variables() -> tuple[tuple[str, str | None], ...]:
    """The variables torch reads with ``int()`` when its compiler is imported: each as ``(name,
    None)``, or ``(name, first)`` for one read only where ``first`` is unset (the default of
    ``first``'s read). :data:`TORCH_INT_VARIABLES` and those the installed torch's config source
    reads (found by :data:`_TORCH_INT_READ`, without importing torch; probe 143: a torch upgrade
    adds some), read once per process."""
    import importlib.util

    found: dict[str, str | None] = dict.fromkeys(TORCH_INT_VARIABLES)
    try:
        spec = importlib.util.find_spec("torch")
        folders = list(spec.submodule_search_locations or []) if spec else []
    except (ImportError, ValueError):
        folders = []
    for folder in folders[:1]:
        for name in _TORCH_CONFIG_FILES:
            try:
                text = (Path(folder) / name).read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for first, fallback, indexed in _TORCH_INT_READ.findall(text):
                found.setdefault(first or indexed, None)
                if fallback:
                    found.setdefault(fallback, first)
    return tuple(found.items())


def check_torch_int_variables() -> None:
    """Each variable of :func:`torch_int_variables` that is set (and read: a fallback only where
    its first is unset) is an int; one ValueError naming the variable and its value otherwise.
    Probe 142 row 16: ``TORCHINDUCTOR_COMPILE_THREADS=abc`` was ``error: invalid literal for
    int() with base 10: 'abc'`` at the first optimizer, naming no variable, in a run that
    compiled nothing too; probe 143: ``TORCHINDUCTOR_MULTI_KERNEL=abc`` and a dozen more."""
    for name, first in torch_int_variables():
        value = os.environ.get(name)
        if value is None or (first is not None and first in os.environ):
            continue
        try:
            int(value)
        except ValueError:
            raise ValueError(
                f"{name}={value!r}: torch reads it as a whole number (such as 1) when its compiler "
                f"is imported, which every optimizer does, compiled or not; set it to one, or "
                f"unset it (unset {name})"
            ) from None


def check_torch_compile_cache(compiling: bool = True) -> None:
    """``TORCHINDUCTOR_CACHE_DIR``, when set, is a writable folder (created if missing).

    torch makes that folder when ``torch._dynamo`` is first imported, which every optimizer
    does, compiled or not: an unusable one failed after the dataset load and MLE pretraining with
    a bare ``[Errno 2] No such file or directory: '/proc/x'`` naming no variable (probe 9).
    Without ``compiling``, an existing read-only folder is fine: nothing is written there (probe
    25: a run that compiled nothing was refused)."""
    check_torch_int_variables()
    root = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    if root:
        check_path_text(root, "TORCHINDUCTOR_CACHE_DIR")
        if root.startswith("~"):  # probe 66: torch made a folder named '~' in the working folder
            raise ValueError(
                f"TORCHINDUCTOR_CACHE_DIR={root!r}: torch does not expand '~' (it would make a "
                f"folder named {root.split('/')[0]!r} in the working folder); write "
                f"{expand_home(root)} (or $HOME/…, unquoted) instead"
            )
        note_relative("TORCHINDUCTOR_CACHE_DIR", root, Path(root).absolute())  # probe 66: quiet
        if not compiling and os.path.isdir(root):
            return
        check_writable(
            root,
            "TORCHINDUCTOR_CACHE_DIR: torch's compile cache",
            "point TORCHINDUCTOR_CACHE_DIR at a writable folder, or unset it",
        )


def with_elsewhere(err: WriteFailedError, elsewhere: str) -> WriteFailedError:
    """``err`` advising ``elsewhere`` (a script's own output flag) where it advises the default
    ``--run-dir, RAMBO_ENV_CACHE``, which scripts such as diagnose.py and mle_quality.py do not
    take (issue 14), or cotrain's ``--run-dir`` alone (probe 69: toys.py's runs, whose folder is
    given by --out); an error advising something else (``MINARI_DATASETS_PATH``,
    ``RAMBO_ENV_CACHE``) is returned as it is."""
    if err.elsewhere not in (WriteFailedError.ELSEWHERE, "--run-dir") or err.filename is None:
        return err
    return WriteFailedError(Path(err.filename), err, elsewhere)


def check_free_space(path: Path, need: int, what: str, elsewhere: str | None = None) -> None:
    """:class:`WriteFailedError` (ENOSPC) naming ``path`` when the disk that will hold it has less
    free room than ``need`` bytes (a lower bound of ``what``), checked before the work that makes
    it (probe 66: a full disk was found at the model cache's first MLE checkpoint, and at the run
    folder's checkpoint after the MLE, the BC warm start and the first evaluation). The nearest
    existing folder above ``path`` is measured; unreadable, nothing is said."""
    folder = Path(path).parent
    # probe 111 row 4: exists() below a folder this user may not enter raised PermissionError
    while not os.path.isdir(folder) and folder != folder.parent:
        folder = folder.parent
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < need:
        reason = (
            f"No space left on device: {what} needs at least ~{_room(need)}, {_room(free)} are free"
        )
        raise WriteFailedError(
            Path(path),
            OSError(errno.ENOSPC, reason),
            WriteFailedError.ELSEWHERE if elsewhere is None else elsewhere,
        )


def _room(n: int) -> str:
    """``n`` bytes for :func:`check_free_space`'s message: in MiB, below one in KiB or bytes
    (probe 69: a small JSON's room read "~0.00195 MiB")."""
    if n >= 2**20:
        return f"{n / 2**20:.3g} MiB"
    return f"{n / 2**10:.3g} KiB" if n >= 2**10 else counted(n, "byte")


def numpy2_pickle_error(
    err: BaseException, path: str | os.PathLike, fix: str = ""
) -> ValueError | None:
    """The error for the pickled file at ``path`` (an SB3 agent zip, a replay buffer, a resume
    save) whose reading failed with ``err`` because it was written under numpy >= 2 and this
    environment has numpy 1.x: its pickles name ``numpy._core``, which numpy 1 lacks; None for
    any other error. ``fix``: another way out, appended after the upgrade. Probe 96b rows 7, 8,
    20: was a raw ``ModuleNotFoundError: No module named 'numpy._core'`` naming neither the file
    nor numpy's versions (and a behaviour training's "rerun" failed the same)."""
    missing = error_behind(err, ModuleNotFoundError)
    name = getattr(missing, "name", None) or ""
    if missing is None or not (name == "numpy._core" or name.startswith("numpy._core.")):
        return None
    if version_tuple(np.__version__) >= (2,):
        return None  # numpy 2 has numpy._core: another cause
    return ValueError(
        f"{os.fspath(path)}: written under numpy >= 2 (its pickled data name the module "
        f"{name!r}), but this environment has numpy {np.__version__}, which cannot read it; "
        f"upgrade numpy here: pip install -U 'numpy>=2'{fix}"
    )


def make_folders(folder: Path) -> list[Path]:
    """``mkdir -p folder`` -> the folders it created (deepest first), given to the owner of the
    folder they were made in when this process is root (:func:`give_to_folder_owner`); an
    OSError is the caller's to word."""
    made = [p for p in (folder, *folder.parents) if not _exists(p)]
    if made:
        check_umask_for_folders(made[0])
    folder.mkdir(parents=True, exist_ok=True)
    give_to_folder_owner(made)
    return made


def give_tree_to_folder_owner(
    folder: Path, paths: Iterable[Path] = (), trees: Iterable[Path] = ()
) -> None:
    """``paths`` and everything in ``trees`` (each folder walked, links not followed) that root
    owns take ``folder``'s owner when this process is root and ``folder`` is another user's: what
    another writer made there for root (Minari's dataset tree and namespace folders in a user's
    Minari root, TensorBoard's ``tb/`` and event files in a user's run folder). Probe 119 rows
    8, 9: those stayed root's, and the user's next save or ``--resume`` was refused. Files of a
    third user are left as they are."""
    owner = folder_owner_for_root(Path(folder))
    if owner is None:
        return
    found = [Path(p) for p in paths]
    for top in trees:
        found.append(Path(top))
        for dirpath, dirnames, filenames in os.walk(top):
            found.extend(Path(dirpath) / name for name in (*dirnames, *filenames))
    for path in found:
        with contextlib.suppress(OSError):  # gone meanwhile, or root squashed on NFS
            if path.lstat().st_uid == 0:
                os.lchown(path, *owner)


def write_json(path: str | Path, data: Any) -> Path:
    """Atomically write ``data`` as indented JSON; non-finite floats become ``null``."""
    text = json.dumps(_json_safe(data), indent=2, sort_keys=False, allow_nan=False)
    return atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def as_json(data: Any) -> Any:
    """``data`` as :func:`write_json` stores it and :func:`read_json` reads it back (tuples as
    lists, non-finite floats as None): to compare a record with its copy in a JSON file."""
    return json.loads(json.dumps(_json_safe(data), allow_nan=False))


def read_json(path: str | Path) -> Any:
    """The JSON in ``path``; a file that is not UTF-8 text (JSON is UTF-8) is a
    ``json.JSONDecodeError`` naming the file, as for any other text that is not JSON (was: a raw
    ``'utf-8' codec can't decode byte 0xff …`` naming no file, e.g. from ``sweep.py``). A leading
    UTF-8 byte-order mark (a Windows editor's save) is read past (issue 14: the file was called
    "damaged; restore it from a backup")."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise json.JSONDecodeError(  # the callers name the file
            f"not UTF-8 text (byte {data[err.start]:#04x}; JSON is UTF-8)", "", err.start
        ) from None
    return json.loads(text)


def save_checkpoint(
    path: str | Path, state: dict[str, Any], before_rename: Callable[[], None] | None = None
) -> Path:
    """Atomically ``torch.save`` a checkpoint dict (tensors, state dicts, python scalars/lists);
    ``before_rename()`` is called once it is written, just before its rename into place (probe
    106: a co-training run holds Ctrl-C / SIGTERM from there to the iteration's results)."""
    return atomic_write(path, lambda tmp: _torch_save(state, tmp), before_rename)


def _torch_save(state: dict[str, Any], tmp: Path) -> None:
    # Through a Python file object, a failed write is the OS's OSError (ENOSPC, ...); torch.save
    # to a path reports it as "[enforce fail at inline_container.cc] unexpected pos ...".
    with open(tmp, "wb") as f:
        try:
            torch.save(state, f)
        except RuntimeError as err:
            # Even so, torch's zip writer then closes the archive and raises that RuntimeError
            # over the OSError (a real full disk, tmpfs: was a raw traceback, exit 1): the
            # OSError it followed is the reason.
            if isinstance(err.__context__, OSError):
                raise err.__context__ from None
            raise


#: A graphics (OpenGL) failure in an error's text: PyOpenGL's ``glGetError`` of a missing
#: library, EGL / OSMesa / GLFW, MuJoCo's "invalid value for environment variable MUJOCO_GL", an
#: X display.
_GRAPHICS_ERROR = re.compile(
    r"\bgl[A-Z]\w*|\b(?:egl|osmesa|opengl|glfw|mujoco_gl|pyopengl|libgl|libegl|libosmesa|"
    r"display|xlib|x11)\b",
    re.IGNORECASE,
)
#: The modules of a graphics failure in an error's traceback (PyOpenGL, MuJoCo's renderer
#: back-ends, GLFW).
_GRAPHICS_MODULE = re.compile(r"(?:OpenGL|glfw|mujoco\.(?:egl|osmesa|glfw))(?:\.|$)")


def _graphics_sign(err: BaseException) -> bool:
    """Whether ``err`` (or an error it was raised from) says it is a graphics failure: its text
    (:data:`_GRAPHICS_ERROR`) or a frame of its traceback in a graphics module."""
    seen: set[int] = set()
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if _GRAPHICS_ERROR.search(f"{type(err).__name__}: {err}"):
            return True
        tb = err.__traceback__
        while tb is not None:
            if _GRAPHICS_MODULE.match(str(tb.tb_frame.f_globals.get("__name__", ""))):
                return True
            tb = tb.tb_next
        err = err.__cause__ or err.__context__
    return False


def renderer_failure(err: BaseException, env_id: str) -> str | None:
    """Where ``gym.make(env_id)`` failed in MuJoCo's renderer set-up (the backend that
    ``MUJOCO_GL`` / ``PYOPENGL_PLATFORM`` name cannot start here: ``osmesa`` without the OSMesa
    library, a typo), what to do: training and evaluation never render, so unset it. ``None``
    for another failure: one with no graphics sign (:func:`_graphics_sign`; probe 129 row 2: a
    user's env's ``ImportError('No module named pybullet_envs')`` under ``MUJOCO_GL=egl`` was
    named a renderer failure). Probe 125 row 46: "'Hopper-v5' is registered but cannot be made
    here (AttributeError: 'NoneType' object has no attribute 'glGetError'); name an env this
    machine can run (e.g. Hopper-v5 …)" named the env that failed as the remedy."""
    if not _graphics_sign(err):
        return None
    # MuJoCo sets PYOPENGL_PLATFORM from MUJOCO_GL in the process: the one the user set is named
    name = next((v for v in ("MUJOCO_GL", "PYOPENGL_PLATFORM") if os.environ.get(v)), None)
    if name is None:
        return (
            f"{env_id!r} cannot be made here: its MuJoCo renderer (OpenGL) cannot start "
            f"({safe_reason(err)}); training and evaluation never render: set MUJOCO_GL=egl (or "
            "install the OpenGL library it names) and rerun"
        )
    other = os.environ.get("PYOPENGL_PLATFORM")  # MuJoCo sets it to MUJOCO_GL's value itself
    also = ""
    if name == "MUJOCO_GL" and other and other != os.environ[name]:
        also = f", and PYOPENGL_PLATFORM={other}"
    # probe 129 row 2: "or with MUJOCO_GL=egl" was advised when that was the backend failing
    egl = "" if os.environ[name].strip().lower() == "egl" else ", or with MUJOCO_GL=egl"
    return (
        f"{env_id!r} cannot be made here: its MuJoCo renderer backend {name}="
        f"{os.environ[name]} cannot start on this machine ({safe_reason(err)}); training and "
        f"evaluation never render: run without it (unset {name}{also}){egl}"
    )


def escalated_warning(err: BaseException, call: str) -> str | None:
    """``err`` is a warning the warnings filter turned into an error (``python -W error``,
    ``PYTHONWARNINGS=error``, pytest's ``filterwarnings = error``): ``"CALL raised its
    DeprecationWarning as an error (…): its text; allow that warning (…)"``, else None. Probe 91
    row 8: gymnasium's "Hopper-v4 is out of date" DeprecationWarning so raised was reported as an
    env that "is registered but cannot be made here"."""
    if not isinstance(err, Warning):
        return None
    kind = type(err).__name__
    lines = re.sub(r"\x1b\[[0-9;]*m", "", str(err)).strip().splitlines()  # gymnasium's colours
    said = f": {lines[0][:160]}" if lines else ""
    return (
        f"{call} raised its {kind} as an error (the warnings filter says 'error': python -W "
        f"error, PYTHONWARNINGS=error or pytest's filterwarnings){said}; allow that warning "
        f"(-W default::{kind}, or a filterwarnings entry 'default::{kind}')"
    )


def problem_of(err: BaseException, path: str | Path) -> str:
    """What a loader's error says is wrong with ``path``: its text without the leading
    ``… <path>: `` and without its own advice after the last ``; `` outside parentheses (a loader
    says "re-create it (… --train-policy)" where the caller knows better: probe 30, a file that
    --train-policy reuses as it is)."""
    text = str(err).split(f"{path}: ", 1)[-1]
    depth, cut = 0, len(text)
    for i, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and text.startswith("; ", i):
            cut = i
    return text[:cut]


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint written by :func:`save_checkpoint` (``weights_only=True``: no pickle code)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no checkpoint to resume from")
    if path.name == CHECKPOINT_NAME:  # probe 114: every unreadable run file at once
        check_run_readable(path.parent, [CHECKPOINT_NAME])
    check_readable(path, "checkpoint")  # was: "unreadable checkpoint … start a new run"
    foreign = zip_not_torch(path)
    if foreign is not None:  # probe 109 row 3: was torch's raw "[enforce fail at …]"
        raise ValueError(f"{path}: not a checkpoint a co-training run wrote: it is {foreign}")
    try:
        return load_torch_file(path, map_location)
    except Exception as err:  # truncated / not a torch file / foreign pickle content
        if not damaged_file(err):  # probe 91 rows 4, 30: out of memory was "start a new run"
            raise
        raise ValueError(
            f"{path}: unreadable checkpoint ({safe_reason(err)}); "
            "the run can neither be resumed nor inspected from it (--resume, diagnose.py, "
            "load_session) — start a new run (checkpoints are written atomically, so this file "
            "was damaged or replaced after it was written)"  # probe 53: said "resume" only
        ) from None


def get_rng_state() -> dict[str, Any]:
    """Global RNG states (python, numpy legacy, torch CPU and CUDA) as weights-only-loadable data.

    SB3's replay buffers sample with the global numpy RNG and its policies with torch's, so these
    are what a resumed run needs to continue the same random stream.
    """
    name, keys, pos, has_gauss, cached = np.random.get_state()  # noqa: NPY002 (SB3 samples with it)
    state: dict[str, Any] = {
        "python": _to_lists(random.getstate()),
        "numpy": {
            "name": name,
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


#: Bytes of a CUDA generator's state (Philox: a 64-bit seed and a 64-bit offset); a CPU one's
#: (Mersenne Twister) is ``torch.Generator().get_state().numel()``.
CUDA_GENERATOR_STATE_BYTES = 16
_SAID_RESEEDED: set[tuple[str, str]] = set()


def restore_generator(
    generator: torch.Generator, state: torch.Tensor, what: str, *, say: bool = True
) -> None:
    """Set ``generator`` to a saved ``get_state()``, also one saved on another kind of device.

    A CUDA generator's state cannot continue on the CPU, nor the reverse (their algorithms differ:
    a run made on a GPU and resumed or read on a laptop got torch's raw "Expected a
    CPUGeneratorImplState of size 5056 but found the input RNG state size to be 16"). Such a state
    seeds ``generator`` instead (deterministically: the same checkpoint gives the same numbers), and
    one line per process says so. A state of neither kind is a ``ValueError`` naming ``what``.
    """
    if not isinstance(state, torch.Tensor) or state.dtype != torch.uint8 or state.dim() != 1:
        raise ValueError(
            f"{what}: expected a torch generator state (a 1-d uint8 tensor from get_state()), "
            f"got {type(state).__name__} {getattr(state, 'dtype', '')}"
        )
    state = state.detach().cpu()
    own = generator.device.type
    own_bytes = generator.get_state().numel()
    if state.numel() == own_bytes:
        generator.set_state(state)
        return
    other = "cuda" if own == "cpu" else "cpu"
    other_bytes = {"cpu": torch.Generator().get_state().numel(), "cuda": CUDA_GENERATOR_STATE_BYTES}
    if state.numel() != other_bytes[other]:
        raise ValueError(
            f"{what}: a generator state of {state.numel()} bytes, but a {own} generator's has "
            f"{own_bytes} (and a {other} one's {other_bytes[other]}): not a saved generator state"
        )
    saved_on = other
    digest = hashlib.blake2b(state.numpy().tobytes(), digest_size=8).digest()
    generator.manual_seed(int.from_bytes(digest, "little") & (2**63 - 1))
    if say and (saved_on, own) not in _SAID_RESEEDED:
        _SAID_RESEEDED.add((saved_on, own))
        note(
            f"[rambo_env] WARNING: random-number states saved on {saved_on} cannot continue on "
            f"{own} ({what} and the like): each is re-seeded from its saved state, so the run goes "
            f"on, but its numbers differ from an uninterrupted run on {saved_on}",
        )


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the states captured by :func:`get_rng_state`."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    np_state = state["numpy"]
    keys = np_state["keys"].numpy().astype(np.uint32)
    np.random.set_state(  # noqa: NPY002
        (
            np_state["name"],
            keys,
            np_state["pos"],
            np_state["has_gauss"],
            np_state["cached_gaussian"],
        )
    )
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        # a run saved on a node with more GPUs than this one: the GPUs that exist here
        for index, cuda_state in enumerate(state["cuda"][: torch.cuda.device_count()]):
            torch.cuda.set_rng_state(cuda_state.cpu(), index)


#: The longest y label of a learning-curve panel drawn as one line (the panel is ~2.6 in high).
_YLABEL_CHARS = 32


def plot_learning_curve(
    path: str | Path,
    eval_iterations: Sequence[int],
    eval_values: Sequence[float | None],
    q_history: Sequence[float | None],
    *,
    value_label: str = "D4RL normalised score",
    title: str = "",
) -> Path:
    """Two-panel PNG: evaluation value vs iteration (top), average Q vs iteration (bottom)."""

    fig = headless_figure(figsize=(7, 6))
    ax_eval, ax_q = fig.subplots(2, 1, sharex=True)
    points = [(i, v) for i, v in zip(eval_iterations, eval_values, strict=True) if v is not None]
    if points:
        xs, ys = zip(*points, strict=True)
        ax_eval.plot(xs, ys, marker="o", ms=3)
    # probe 74 row 13: a label naming the data's own pair ("score, normalised on the data's
    # reference returns 0 / 1000, not D4RL's …") was cut at the top and ran over the lower
    # panel's label: a long one is wrapped to the panel's height, smaller
    if len(value_label) > _YLABEL_CHARS:
        wrapped = textwrap.fill(value_label, _YLABEL_CHARS * 5 // 4)
        ax_eval.set_ylabel(wrapped, fontsize=8)
    else:
        ax_eval.set_ylabel(value_label)
    ax_eval.grid(alpha=0.3)
    ax_eval.set_title(title)
    q = [math.nan if v is None else v for v in q_history]
    # probe 94 row 34: was a line without markers, so a run with one value drew nothing
    ax_q.plot(np.arange(1, len(q) + 1), q, color="tab:red", marker="o", ms=3)
    ax_q.set_ylabel("average Q(s, a), dataset rows")
    integer_ticks(ax_q.xaxis)
    ax_q.set_xlabel("iteration")
    ax_q.grid(alpha=0.3)
    fig.tight_layout()
    return atomic_write(path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))


def headless_figure(**kwargs: Any) -> Any:
    """A matplotlib ``Figure`` drawn by Agg without pyplot: plotting from a library call never
    switches the caller's backend (probe 25: ``matplotlib.use("Agg")`` here made a notebook's
    later ``plt.show()`` display nothing) nor leaves a figure open in pyplot's list. A broken
    matplotlib install is one :class:`BrokenDependencyError` (probe 114b: a raw traceback)."""
    fig = import_dependency("matplotlib.figure").Figure(**kwargs)
    import_dependency("matplotlib.backends.backend_agg").FigureCanvasAgg(fig)
    return fig


def integer_ticks(axis: Any) -> None:
    """Ticks at whole numbers only on the matplotlib ``axis`` (an iteration axis)."""
    axis.set_major_locator(import_dependency("matplotlib.ticker").MaxNLocator(integer=True))


def _to_lists(x: Any) -> Any:
    if isinstance(x, tuple | list):
        return [_to_lists(v) for v in x]
    return x


def _json_safe(x: Any) -> Any:
    """Replace NaN/inf by None, numpy scalars/arrays by python values, paths by strings."""
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return _json_safe(x.tolist())
    if isinstance(x, np.generic):
        return _json_safe(x.item())
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Path):
        return str(x)
    return x


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


_RELATIVE_SAID: set[tuple[str, str, str]] = set()


def note_relative(variable: str, value: str, resolved: Path) -> None:
    """Say once per process and working folder that ``variable`` holds a relative path (probe 24:
    a relative ``RAMBO_ENV_CACHE`` / ``MINARI_DATASETS_PATH`` was read against each working
    folder, so a run resumed, or a dataset loaded, from another folder silently pretrained or
    generated everything again)."""
    if os.path.isabs(os.path.expanduser(value)):
        return
    key = (variable, value, str(resolved))
    if key in _RELATIVE_SAID:
        return
    _RELATIVE_SAID.add(key)
    note(
        f"[rambo_env] note: {variable}={value} is a relative path, read from the working folder "
        f"as {resolved}; a process started in another folder looks elsewhere (set an absolute "
        "path)",
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
