"""This machine's and this process's limits: the host memory a new allocation can get
(``MemAvailable``, the address-space limit ``ulimit -v``, a cgroup's memory limit), the messages
of a memory check or an allocation failure that name the limit that binds, failures to start
a thread or process (the per-user process limit ``ulimit -u``), and the cores this process may
use (CPU affinity, a cgroup CPU quota, ``SLURM_CPUS_PER_TASK``) with the torch thread count
chosen from them (:func:`resolve_torch_threads`).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.available_memory_bytes``).
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import re
from pathlib import Path

from rambo_env.requirements import (
    address_space_limit_text,
    out_of_memory_remedy,
)


def available_memory_bytes() -> int | None:
    """Host memory a new allocation can get now: the least of ``MemAvailable`` (Linux; else free
    pages), the room under this process's address-space limit (``ulimit -v``) and the room under
    its cgroup's memory limit (a container's or a scheduler's). Probe 23: only ``MemAvailable``
    was read, so under ``ulimit -v 4000000`` a 2 GiB buffer passed the check (21 GiB free) and
    failed as numpy's raw ``MemoryError`` after the dataset load and MLE pretraining."""
    rooms = [r for r in (shared_memory_bytes(), _address_space_room()) if r is not None]
    return min(rooms) if rooms else None  # None: unknown, no check


def shared_memory_bytes() -> int | None:
    """Memory the processes of this machine share now: the lesser of the host's (``MemAvailable``)
    and the room under this process's cgroup limit, which its siblings count against too; not the
    ``ulimit -v`` room of :func:`available_memory_bytes`, which each process has for itself (probe
    57a: ``pytest -n auto`` under ``ulimit -v`` 4.3 GiB divided one process's room among two
    workers). None where neither is known."""
    rooms = [r for r in (_host_room(), _cgroup_room()) if r is not None]
    return min(rooms) if rooms else None


def memory_limit_words() -> str:
    """Where :func:`available_memory_bytes`'s figure comes from when a limit of this process, not
    the host's free memory, is the least of them: ``" under this process's address-space limit
    (ulimit -v = N kB, RLIMIT_AS, while the host has X GiB free: raise it, …)"`` or the same of
    its cgroup's memory limit; ``""`` otherwise. For the memory checks' "only … GiB is available" (probe 136: under
    ``ulimit -v 1000000`` cotrain said "only 0.146 GiB is available" without naming the limit,
    and the host had GiB free)."""
    host, space, cgroup = _host_room(), _address_space_room(), _cgroup_room()
    limits = [(r, w) for r, w in ((space, "address"), (cgroup, "cgroup")) if r is not None]
    if not limits:
        return ""
    room, which = min(limits, key=lambda item: item[0])
    if host is not None and host <= room:
        return ""
    free = f", while the host has {host / 2**30:.3g} GiB free" if host is not None else ""
    if which == "address":
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        return (
            f" under this process's address-space limit (ulimit -v = {soft // 1024} kB, "
            f"RLIMIT_AS{free}: raise it, or ulimit -v unlimited)"
        )
    return (
        " under this process's cgroup memory limit (a container's, or the batch system's "
        f"memory request{free}: ask for more)"
    )


def out_of_memory_text(err: BaseException, what: str) -> str:
    """One message for an allocation failure while doing ``what`` (e.g. "create the Hopper-v5
    simulator"): what failed, the library's words, the ``ulimit -v`` in force, what to do."""
    from rambo_env.run_io import safe_reason  # run_io imports this module

    limit = address_space_limit_text()
    return f"not enough memory to {what}{limit}: {safe_reason(err)}; {out_of_memory_remedy()}"


def out_of_memory_line(err: BaseException, remedy: bool = True) -> str:
    """``out of memory (address-space limit …) (MemoryError: …); raise the limit …``: a script's
    one line for an allocation failure (:func:`out_of_memory`) at any phase, the limit in force
    and what to do named (probe 137: MuJoCo's bare "engine error: Could not allocate memory", a
    MemoryError in torch's lazy import, each without the limit). ``remedy``: False leaves what
    to do to the caller where no limit is set (its own stop line says it)."""
    if "not enough memory to " in str(err):  # out_of_memory_text's: it names both already
        return (str(err).strip().splitlines() or [""])[0]
    lines = str(err).strip().splitlines()
    said = f"{type(err).__name__}: {lines[0][:200]}" if lines else type(err).__name__
    limit = address_space_limit_text()
    todo = f"; {out_of_memory_remedy()}" if remedy or limit else ""
    return f"out of memory{limit} ({said}){todo}"


#: Texts of a failure to start a thread or process: CPython's, OpenMP's, BLAS's (EAGAIN).
_NO_THREAD_TEXTS = (
    "can't start new thread",
    "cannot start new thread",
    "resource temporarily unavailable",
    "pthread_create",
)


def process_limit(err: BaseException) -> bool:
    """Whether ``err`` is a failure to start a thread or process (EAGAIN: the per-user process
    limit, ``ulimit -u``, counts threads too), here or in the errors it was raised while
    handling (probe 102 rows 22-24: was the raw ``[Errno 11] Resource temporarily unavailable``,
    a pool's thread error, or blamed on the env id)."""
    seen: set[int] = set()
    cause: BaseException | None = err
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, OSError) and cause.errno == errno.EAGAIN:
            return True
        if isinstance(cause, (OSError, RuntimeError)) and any(
            text in str(cause).lower() for text in _NO_THREAD_TEXTS
        ):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def process_limit_text(err: BaseException, what: str, fewer: str) -> str:
    """One message for a thread or process that could not start while doing ``what`` (e.g.
    "start 2 collection worker processes"): the library's words, the per-user process limit
    (``ulimit -u``) in force, and ``fewer`` (e.g. "--workers 1") or a higher limit."""
    from rambo_env.run_io import safe_reason  # run_io imports this module

    limit = ""
    with contextlib.suppress(ImportError, OSError, ValueError, AttributeError):
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NPROC)[0]
        if soft != resource.RLIM_INFINITY:
            limit = f" (ulimit -u = {soft}, RLIMIT_NPROC)"
    return (
        f"cannot {what}: no new thread or process could be started ({safe_reason(err)}): the "
        f"per-user process limit{limit} counts every process and thread of this user; use "
        f"{fewer}, end other processes of yours, or raise the limit (ulimit -u, or ask the "
        "cluster's admins)"
    )


def _host_room() -> int | None:
    available = _proc_kib("/proc/meminfo", "MemAvailable")
    if available is not None:
        return available
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def _proc_kib(path: str, key: str) -> int | None:
    """``key:  N kB`` of a ``/proc`` status file, in bytes; None if it cannot be read."""
    try:
        with open(path, encoding="ascii") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def address_space_shortfall(need: int, what: str) -> str | None:
    """The error for ``need`` bytes (of ``what``: "an adversary step's batch of 256 start
    states") that do not fit under this process's address-space limit (``ulimit -v``) while the
    machine (and the cgroup) has them: the limit is named as the cause, with what to do; None
    where the limit is not what binds (then the caller names its own size to lower). Probe 137:
    under ``ulimit -v 900000`` the run was told to give a smaller ``AdversaryConfig.batch_size``
    (no flag of cotrain.py) for a batch of 0.002 GiB, the libraries having taken the room."""
    limit_room = _address_space_room()
    if limit_room is None or need <= limit_room:
        return None
    others = [r for r in (_host_room(), _cgroup_room()) if r is not None]
    if others and min(others) < need:
        return None
    from rambo_env.requirements import IMPORT_ADDRESS_SPACE

    return (
        f"not enough memory for {what}{address_space_limit_text()}: it needs "
        f"~{need / 2**30:.3g} GiB, but only {limit_room / 2**30:.3g} GiB is left under the limit "
        f"({IMPORT_ADDRESS_SPACE}); {out_of_memory_remedy()}"
    )


def memory_error(need: int, what: str, before: str, after: str, host: bool = True) -> str:
    """The message of a memory check whose ``need`` bytes (of ``what``) do not fit: the
    address-space limit named as the cause where it alone binds (:func:`address_space_shortfall`),
    else ``before`` + the limit that binds the figure (:func:`memory_limit_words`) + ``after``
    (``before`` ends with "only … GiB is available", ``after`` starts with "; " and the remedy).
    ``host``: the check read the host's memory itself (False for a figure its caller gave or a
    CUDA device's free memory: neither limit is named then)."""
    if host:
        short = address_space_shortfall(need, what)
        if short is not None:
            return short
    return f"{before}{memory_limit_words() if host else ''}{after}"


def _address_space_room() -> int | None:
    """``RLIMIT_AS`` (``ulimit -v``) minus this process's virtual size; None without a limit."""
    try:
        import resource  # POSIX only
    except ImportError:
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    size = _proc_kib("/proc/self/status", "VmSize")
    if soft == resource.RLIM_INFINITY or soft < 0 or size is None:
        return None
    return max(int(soft) - size, 0)


def _read_int(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
        return int(text)  # cgroup v2's "max" (no limit): ValueError
    except (OSError, ValueError):
        return None


def _cgroup_room() -> int | None:
    """Memory limit minus usage of this process's cgroup (v2 ``memory.max`` /
    ``memory.current``, v1 ``memory.limit_in_bytes`` / ``memory.usage_in_bytes``); None
    without a limit or where it cannot be read."""
    try:
        with open("/proc/self/cgroup", encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    base = Path("/sys/fs/cgroup")
    for line in lines:
        if line.count(":") < 2:
            continue
        _, controllers, rel = line.split(":", 2)
        rel = rel.lstrip("/")
        if controllers == "":  # v2: "0::/path"
            folder, names = base / rel, ("memory.max", "memory.current")
        elif "memory" in controllers.split(","):  # v1: "4:memory:/path"
            folder, names = (
                base / "memory" / rel,
                ("memory.limit_in_bytes", "memory.usage_in_bytes"),
            )
        else:
            continue
        limit, used = (_read_int(folder / name) for name in names)
        if limit is not None and used is not None and limit < (1 << 60):  # v1's "no limit": ~2**63
            return max(limit - used, 0)
    return None


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


def resolve_torch_threads(requested: int | None, field: str = "torch_threads") -> tuple[int, str]:
    """``(threads, why)``: ``requested`` if given (``why`` warns when it is more than the usable
    cores), else every core this process may use divided among the torch processes running now
    (this one included), at least 1, and at most ``OMP_NUM_THREADS`` when that is set (its first
    entry where it lists OpenMP's nested levels, ``2,1``; a value that is not a positive int is
    said to be ignored). ``field``: what a refusal names (a script's flag, probe 157)."""
    cores = usable_cores()
    if requested is not None:
        most = MAX_THREADS_PER_CORE * max(cores, os.cpu_count() or 1)
        if int(requested) < 1:  # was: "… give fewer" for 0 and -3
            raise ValueError(
                f"{field}: {requested} is not in [1, {most}]; give at least 1, or none for auto"
            )
        if int(requested) > most:
            raise ValueError(
                f"{field}: {requested} is not in [1, {most}] ({MAX_THREADS_PER_CORE} per "
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
