"""The lowest versions of the libraries rambo-env is tested against (``pyproject.toml``).

Probe 25: with the floors declared before (gymnasium 1.0, stable-baselines3 2.4) ``import
rambo_env.envs.vector_env`` failed with a raw ``ImportError: cannot import name 'AutoresetMode'``
and ``FusedSAC.train`` with ``'ReplayBufferSamples' object has no attribute 'discounts'`` after
the whole setup. An environment installed with ``--no-deps`` (or pinned by another project) now
gets one error naming the library, both versions and the command that fixes it, at import.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import importlib.util
import os
import re
import shlex
import signal
import sys
import threading
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

from rambo_env.logging import note

try:
    import resource  # POSIX only
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]

#: Each declared dependency (pyproject.toml's ``dependencies``): import name -> (distribution,
#: declared floor, the lowest version tested); keep equal to pyproject.toml
#: (tests/test_requirements_probe107.py). The one table of floors: :data:`FLOORS` is read off it.
DEPENDENCIES: dict[str, tuple[str, str]] = {
    "torch": ("torch", "2.6"),  # torch.nn.utils.get_total_norm (rambo_env.adversary); probe 149
    "numpy": ("numpy", "1.24"),
    "gymnasium": ("gymnasium", "1.1"),  # gymnasium.vector.AutoresetMode
    "stable_baselines3": ("stable-baselines3", "2.7"),  # ReplayBufferSamples.discounts (n-step)
    "sb3_contrib": ("sb3-contrib", "2.7"),  # the SB3 it requires
    "minari": ("minari", "0.5"),
    "h5py": ("h5py", "3.8"),
    "tqdm": ("tqdm", "4.60"),
    "rich": ("rich", "13"),
    "tensorboard": ("tensorboard", "2.12"),
    "matplotlib": ("matplotlib", "3.7"),
}

#: The distributions whose versions :func:`check_installed` compares with their floor at import
#: (an older one fails there with a raw error, probe 25): distribution -> floor.
FLOORS: dict[str, str] = {
    dist: floor
    for dist, floor in DEPENDENCIES.values()
    if dist in ("gymnasium", "stable-baselines3", "sb3-contrib", "minari", "numpy", "torch")
}

#: Why a floor is what it is, said beside it where an install is below it (probe 149 row 1: torch
#: 2.5 was a raw ``ImportError: cannot import name 'get_total_norm'`` at the first adversary import).
FLOOR_REASONS: dict[str, str] = {"torch": "torch.nn.utils.get_total_norm is new in torch 2.6"}

#: How a distribution of :data:`DEPENDENCIES` is declared where that is more than
#: ``name>=floor`` (its extras, its upper bound): the spec a printed ``pip install`` names (probe
#: 109 row 2: was ``'gymnasium>=1.1'``, which neither installs MuJoCo nor keeps below 2).
#: Keep equal to pyproject.toml (tests/test_requirements_probe109.py).
SPECS: dict[str, str] = {"gymnasium": "gymnasium[mujoco]>=1.1,<2"}

#: Modules a declared dependency's extra installs: import name -> that requirement's
#: distribution. MuJoCo (``gymnasium[mujoco]``) simulates every env this package ships
#: (probe 109 row 2: without it both imports passed, and gymnasium's DependencyNotInstalled
#: came at the first env).
EXTRA_MODULES: dict[str, str] = {"mujoco": "gymnasium"}


#: The torch pip is told to install first where torch is missing: the README's setup line
#: (``pip install torch==2.13.0 && pip install -e ".[test]"``), a CPU build on a CPU-only machine.
TORCH_FIRST = "torch==2.13.0"


def install_spec(dist: str) -> str:
    """The requirement ``pip install`` is told for ``dist`` (a :data:`DEPENDENCIES` or
    :data:`FLOORS` distribution): as pyproject.toml declares it, extras included."""
    if dist in SPECS:
        return SPECS[dist]
    return f"{dist}>={dict(DEPENDENCIES.values())[dist]}"


def version_tuple(version: str) -> tuple[int, ...]:
    """The leading release numbers of ``version`` (``"2.7.0rc1"`` -> ``(2, 7, 0)``)."""
    match = re.match(r"\d+(\.\d+)*", version.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


class MissingExtraError(ImportError):
    """An optional dependency (a ``pip install -e '.[extra]'`` extra) is not installed; the
    message names the install command. Scripts report it as one ``error:`` line, exit 2."""


def _torch_file_version() -> str | None:
    """``__version__`` of the ``torch/version.py`` that ``import torch`` would load, read without
    importing torch (probe 153: pip's metadata is the first ``torch-*.dist-info`` on
    ``sys.path``, not necessarily beside the torch that loads: a stale 2.2.2 record before a
    working 2.13 refused it, "upgrade it: pip install torch==2.13.0"); None where not found."""
    try:
        spec = importlib.util.find_spec("torch")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.origin:
        return None
    try:
        text = (Path(spec.origin).parent / "version.py").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^__version__\s*(?::\s*str\s*)?=\s*['\"]([^'\"]+)['\"]", text, re.M)
    return match.group(1) if match else None


def _installed_version(dist: str) -> str | None:
    """The version of ``dist`` in use: an imported torch's ``torch.__version__`` (the module that
    runs, also where another copy's metadata is found first), else the ``version.py`` of the
    torch that would load (:func:`_torch_file_version`), else the installed metadata's; None
    where it is not installed."""
    module = sys.modules.get("torch") if dist == "torch" else None
    version = getattr(module, "__version__", None)
    if isinstance(version, str):
        return str(version)
    if dist == "torch":
        version = _torch_file_version()
        if version is not None:
            return version
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def _too_old(distributions: Iterable[str] = FLOORS) -> list[tuple[str, str]]:
    """``(distribution, installed version)`` of each installed one of ``distributions`` (of
    :data:`FLOORS`) older than its floor; one not installed is left to the import that needs it."""
    found = []
    for dist in distributions:
        floor = FLOORS[dist]
        installed = _installed_version(dist)
        if installed is None:
            continue
        if not version_tuple(installed):  # probe 153: '' / 'v2.6.0' left to the imports
            continue
        if version_tuple(installed) < version_tuple(floor):
            found.append((dist, installed))
    return found


def _unmet_text(missing: list[str], too_old: list[tuple[str, str]], missing_first: bool) -> str:
    """One error for every missing declared dependency (import names) and every distribution
    below its floor, with one ``pip install`` for them all (probe 114: a second too-old or
    missing one came only after the first was fixed)."""
    known = _known_modules()
    names = ", ".join(
        f"{m} (from {install_spec(known[m]).split('>')[0]})" if m in EXTRA_MODULES else known[m]
        for m in missing
    )
    absent = (
        f"{names} (declared dependenc{'ies' if len(missing) > 1 else 'y'}), not installed in "
        f"this Python ({sys.executable})"
    )
    old = ", and ".join(
        f"{dist}>={FLOORS[dist]}"
        + (f" ({FLOOR_REASONS[dist]})" if dist in FLOOR_REASONS else "")
        + f", but {dist} {installed} is installed"
        for dist, installed in too_old
    )
    parts = [t for t in ((absent if missing else ""), old) if t]
    parts = parts if missing_first else parts[::-1]
    new = [f"'{install_spec(known[m])}'" for m in missing]
    upgrades = [f"'{install_spec(dist)}'" for dist, _ in too_old]
    specs = dict.fromkeys(new + upgrades if missing_first else upgrades + new)
    verb = "install" if missing else "upgrade"
    command = f"pip install {'-U ' if too_old else ''}{' '.join(specs)}"
    torch = f"'{install_spec('torch')}'"
    if torch in specs:  # probe 123 row 6: as the README's setup line, torch's CPU build first
        rest = [s for s in specs if s != torch]
        command = f"pip install {TORCH_FIRST}" + (
            f" && pip install {'-U ' if too_old else ''}{' '.join(rest)}" if rest else ""
        )
        command += (
            f" ({TORCH_FIRST} first so that pip pulls no GBs of CUDA wheels; on a CUDA machine "
            "install the torch build you want instead)"
        )
    venv = ""
    if missing_first and set(missing) == set(known):  # probe 123 row 6: no venv hint
        venv = (
            f"none of rambo-env's dependencies is importable by {sys.executable}: is the "
            "project's virtual environment active? (source .venv/bin/activate); "
        )
    return (
        f"{venv}rambo-env needs {', and '.join(parts)}; "
        f"{verb} {'them' if len(specs) > 1 else 'it'}: {command}"
    )


def check_installed(*distributions: str) -> None:
    """Raise one ``ImportError`` if an installed distribution is older than its floor. It names
    EVERY distribution below its floor and every missing declared dependency, also those not
    among ``distributions`` (probe 114: gymnasium 1.0 at ``import rambo_env``, then SB3 2.6 or a
    missing tensorboard at ``import agents``, one error each, after the first was fixed).

    A distribution that is not installed is left to the import that needs it.
    """
    for dist in distributions:
        if dist not in FLOORS:  # probe 63: a raw KeyError
            raise ValueError(
                f"distributions: no floor recorded for {dist!r}; known: {sorted(FLOORS)}"
            )
    if not _too_old(distributions):  # the others only when there is an error to give
        return
    too_old = _too_old()
    missing = [m for m in _known_modules() if not _importable(m)]
    raise ImportError(_unmet_text(missing, too_old, missing_first=False))


class MissingDependencyError(ImportError):
    """A declared dependency of rambo-env is not installed (an install with ``--no-deps``, a
    conda environment, a later ``pip uninstall``); the message names it and the install
    command. Scripts report it as one ``error:`` line, exit 2."""


def _importable(module: str) -> bool:
    """``module`` (a top-level name) can be imported; found without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken install / a module without __spec__
        return module in sys.modules


def check_dependencies(*modules: str) -> None:
    """Raise one :class:`MissingDependencyError` when a declared dependency among ``modules``
    (import names: keys of :data:`DEPENDENCIES` or :data:`EXTRA_MODULES`) is not installed. It
    names EVERY missing one, also those not among ``modules``, with one ``pip install`` command
    for them all (probe 109 row 1: ``import rambo_env`` named 8, and ``import agents`` then a
    second error with stable-baselines3, sb3-contrib, tensorboard).

    Probe 107 rows 13-16, 22: a missing tensorboard was SB3's ``AssertionError`` after the
    dataset load, the model's pretraining and BC (a run folder left without results.json);
    matplotlib, tqdm, h5py a raw ``ModuleNotFoundError``; rich SB3's advice to install its own
    extra. Checked at ``import rambo_env`` / ``import agents``, before any work.
    """
    known = _known_modules()
    unknown = [m for m in modules if m not in known]
    if unknown:
        raise ValueError(
            f"modules: {unknown} are not declared dependencies; known: {sorted(known)}"
        )
    if all(_importable(m) for m in modules):
        return
    missing = [m for m in known if not _importable(m)]
    raise MissingDependencyError(
        _unmet_text(missing, _too_old(), missing_first=True)
        + " (or reinstall rambo-env with its dependencies)"
    )


def _known_modules() -> dict[str, str]:
    """Import name -> distribution of each declared dependency; an extra's modules after their
    distribution."""
    known = {}
    for module, (dist, _) in DEPENDENCIES.items():
        known[module] = dist
        known.update((m, d) for m, d in EXTRA_MODULES.items() if d == dist)
    return known


#: Texts of allocation failures that libraries raise as other errors (MuJoCo's ValueError
#: "Could not allocate memory", an OSError's "Cannot allocate memory", CUDA / torch ones, C++'s
#: ``std::bad_alloc`` through pybind11 / torch (probe 137: curves.py's import), protobuf's
#: "Couldn't build proto file into descriptor pool: out of memory") and this package's own
#: :func:`rambo_env.run_io.out_of_memory_text` ("not enough memory to create the … simulator").
_OUT_OF_MEMORY = (
    "could not allocate memory",
    "cannot allocate memory",
    "out of memory",
    "bad_alloc",
    "memory allocation failed",  # HDF5's: "memory allocation failed for on disk image buffer"
    "not enough memory to ",
)

#: Texts of failures that are allocation failures where an address-space limit (``ulimit -v``) is
#: set: pybind11's catch-all, raised by MuJoCo's ``MjModel.from_xml_path`` when its allocation
#: fails, and the dynamic loader's failed ``mmap`` of a shared library in an import (probe 133).
_OUT_OF_MEMORY_UNDER_LIMIT = (
    "caught an unknown exception",
    "failed to map segment from shared object",
    "unable to instantiate pytypeobject",  # pybind11's, torch's autograd types (probe 137)
)

#: Texts of a failed allocation inside an import under an address-space limit (probe 137):
#: CPython's ``SystemError`` of a C extension that returned NULL without setting an error
#: (``import torch._dynamo``), protobuf's ``TypeError: Couldn't parse file content!`` (a
#: TensorBoard proto module, curves.py); counted as out of memory only there (elsewhere a bug).
_IMPORT_FAILURES_UNDER_LIMIT = ("error return without exception set", "couldn't parse file content")


def address_space_limit_text() -> str:
    """``" (address-space limit ulimit -v = N kB)"`` where ``RLIMIT_AS`` is set, else ``""``.
    ``resource`` is imported with this module: imported here, under the limit, it was itself a
    ``MemoryError`` in the handler of one (probe 137)."""
    if resource is None:
        return ""
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return ""
    if soft in (resource.RLIM_INFINITY, -1):
        return ""
    return f" (address-space limit ulimit -v = {soft // 1024} kB)"


def out_of_memory(err: BaseException) -> bool:
    """Whether ``err`` is an allocation failure: MemoryError, ENOMEM, or a library's error whose
    text says so (probe 33: MuJoCo's under ``ulimit -v`` was blamed on the env); under an
    address-space limit also MuJoCo's "Caught an unknown exception!" and an import's "failed to
    map segment from shared object" (probe 133: a raw traceback, and a matplotlib install
    blamed for the limit), pybind11's "Unable to instantiate PyTypeObject", and CPython's
    "error return without exception set" raised in an import (probe 137: ``import
    torch._dynamo`` in the optimizer's setup). An error raised while handling one, or from one
    (``__context__`` / ``__cause__``: torch's "Unable to instantiate …" after ``std::bad_alloc``)
    counts too."""
    limited = bool(address_space_limit_text())
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen and len(seen) < 8:
        seen.add(id(current))
        if _allocation_failure(current, limited):
            return True
        context = None if current.__suppress_context__ else current.__context__
        current = current.__cause__ or context
    return False


def _allocation_failure(err: BaseException, limited: bool) -> bool:
    """:func:`out_of_memory` for ``err`` alone; ``limited``: an address-space limit is set."""
    if isinstance(err, MemoryError):
        return True
    if isinstance(err, OSError) and err.errno == errno.ENOMEM:
        return True
    text = str(err).lower().replace("out of memory?", "")  # a guess of ours, not the error
    if any(words in text for words in _OUT_OF_MEMORY):
        return True
    if not limited:
        return False
    if any(words in text for words in _OUT_OF_MEMORY_UNDER_LIMIT):
        return True
    return any(words in text for words in _IMPORT_FAILURES_UNDER_LIMIT) and _in_import(err)


def _in_import(err: BaseException) -> bool:
    """Whether ``err`` was raised inside an import: a module body's frame (``<module>``) below
    the first on its traceback, or one of ``importlib._bootstrap`` (CPython strips those from
    most import tracebacks, so they alone miss it)."""
    tb, first = err.__traceback__, True
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename.startswith("<frozen importlib") or (
            not first and code.co_name == "<module>"
        ):
            return True
        tb, first = tb.tb_next, False
    return False


def out_of_memory_remedy() -> str:
    """What to do about an allocation failure: raise the address-space limit where one is set,
    else free memory."""
    if address_space_limit_text():
        return "raise the limit (ulimit -v unlimited, or the batch system's memory request)"
    return "free memory (other processes) or use a machine with more"


#: The address space (kB, ``ulimit -v``) below which a co-training run is not expected to get
#: through: a tiny run (the README's 2-iteration one) peaked at about 1.1 GB, and under 1.0 GB
#: probes 133 / 137 saw it stop in the imports, the simulator or OpenBLAS's buffers.
RUN_ADDRESS_SPACE_KB = 1_100_000


def note_small_address_space(
    script: str, module_name: str, need_kb: int = RUN_ADDRESS_SPACE_KB
) -> None:
    """In a script run as ``__main__`` (``module_name``): one ``[script] note:`` on stderr,
    before the imports, where an address-space limit
    (``ulimit -v``) below ``need_kb`` is set: the run will likely stop on an allocation. Probe
    137: OpenBLAS ends the process from C with "OpenBLAS error: Memory allocation still failed
    after 10 retries, giving up." (exit status 1), which no Python handler sees; the note says
    the limit first. Nothing is refused: the need is a measurement, not a bound."""
    if module_name != "__main__" or resource is None:
        return
    try:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    except (OSError, ValueError):
        return
    if soft in (resource.RLIM_INFINITY, -1) or soft // 1024 >= need_kb:
        return
    with contextlib.suppress(OSError, ValueError):
        print(
            f"[{script}] note: the address-space limit (ulimit -v = {soft // 1024} kB) is below "
            f"the ~{need_kb} kB a small run needs ({IMPORT_ADDRESS_SPACE}): it will likely stop on "
            'an allocation failure (e.g. "OpenBLAS error: Memory allocation still failed"); '
            "raise the limit (ulimit -v unlimited, or the batch system's memory request)",
            file=sys.stderr,
            flush=True,
        )


#: How much address space the libraries take (``VmSize`` after ``import agents.cotrain``, torch
#: 2.13 CPU: 640 MB; a small run trained under 2 GB): said when an import runs out of it.
IMPORT_ADDRESS_SPACE = "importing torch alone takes about 600 MB of address space, a run more"


def out_of_memory_at_import(err: BaseException, what: str) -> str | None:
    """One message for an import (of ``what``) that ran out of memory under an address-space
    limit (``ulimit -v``): the limit, the error, what the libraries need and what to do; None for
    any other failure. Probe 133: a 32-line traceback ending ``MemoryError`` (or ``ImportError:
    libtorch_cpu.so: failed to map segment from shared object``, read as a broken install)."""
    limit = address_space_limit_text()
    if not limit or not out_of_memory(err):
        return None
    lines = str(err).strip().splitlines()
    first = f"{type(err).__name__}: {lines[0][:200]}" if lines else type(err).__name__
    return (
        f"not enough memory to import {what}{limit}: {first}; {IMPORT_ADDRESS_SPACE}: raise "
        "the limit (ulimit -v unlimited, or the batch system's memory request)"
    )


class BrokenDependencyError(MissingDependencyError, ValueError):
    """A declared dependency is installed but fails to import (a numpy ABI mismatch: "numpy.core
    .multiarray failed to import", "_ARRAY_API not found"). A ValueError too: the scripts' one
    ``error:`` line, and loaders pass it through as their own checks' errors."""


def import_dependency(module: str) -> ModuleType:
    """``import module`` (a :data:`DEPENDENCIES` import name, or a module of one:
    ``"matplotlib.ticker"``, ``"tqdm.auto"``; imported where it is used), with an install that
    fails to import named. Probe 114 R6: an h5py whose import raised "numpy.core.multiarray
    failed to import" passed the import-time check (found, not imported: imports stay cheap)
    and was a raw traceback from the hdf5 reader; probe 114b: so were a broken tqdm's and
    matplotlib's, imported by the progress bars and the plots."""
    top = module.partition(".")[0]
    try:
        return importlib.import_module(module)
    except (ImportError, AttributeError) as err:
        if isinstance(err, ModuleNotFoundError) and err.name == top:
            check_dependencies(top)  # not installed (since import): the install command
            raise
        dist = DEPENDENCIES[top][0]
        short = out_of_memory_at_import(err, dist)
        if short is not None:  # probe 133: not the install (reinstalling would not help)
            raise BrokenDependencyError(short) from err
        lines = str(err).strip().splitlines()
        try:
            numpy = f"numpy {metadata.version('numpy')}"
        except metadata.PackageNotFoundError:
            numpy = "numpy"
        raise BrokenDependencyError(
            f"{dist} (a declared dependency of rambo-env) is installed but cannot be imported "
            f"({type(err).__name__}: {lines[0][:200] if lines else ''}); reinstall it: pip "
            f"install --force-reinstall '{install_spec(dist)}' — often a numpy version mismatch "
            f"({dist} built for another numpy than the installed {numpy})"
        ) from err


def _in_module_body(script_globals: dict[str, Any] | None) -> bool:
    """Whether the module body whose globals are ``script_globals`` is still executing (its
    ``<module>`` frame is on the main thread's stack): the script's import window is open."""
    if script_globals is None:
        return True
    frame: Any = sys._getframe(1)
    while frame is not None:
        if frame.f_globals is script_globals and frame.f_code.co_name == "<module>":
            return True
        frame = frame.f_back
    return False


def _stop_while_importing(script: str, script_globals: dict[str, Any] | None = None) -> Any:
    previous = signal.getsignal(signal.SIGINT)

    def stop(signum: int, frame: Any) -> None:
        if not _in_module_body(script_globals):
            # probe 135: the script left its import window by an exception (SystemExit of a
            # check, ImportError) in a runpy / IPython %run caller, which kept this handler:
            # Ctrl-C is the caller's again (was: the caller died with the script's line)
            with contextlib.suppress(ValueError, OSError):
                signal.signal(signal.SIGINT, previous)
            if callable(previous):
                previous(signum, frame)
            return
        with contextlib.suppress(OSError, ValueError, AttributeError):
            sys.stderr.write(
                f"[{script}] interrupted while starting (importing torch and the other "
                "libraries): nothing was written; rerun the same command\n"
            )
            sys.stderr.flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)  # ends by SIGINT, as before (status 130 in a shell)

    stop.rambo_import_window = True  # type: ignore[attr-defined]
    return stop


def interrupt_quietly_while_importing(script: str, module_name: str) -> None:
    """In a script run as ``__main__`` (``module_name``): Ctrl-C while it imports its libraries
    (torch, SB3, Ray: seconds on a loaded machine) ends it with one line, ``[script] interrupted
    while starting …``, by SIGINT as before; :func:`end_import_window` (``tolerant_console``,
    first in each script's ``__main__``) hands Ctrl-C back to the script. Probe 131 note (a): a
    ``KeyboardInterrupt`` traceback from the import machinery (sweep.py's window ~4 s). Where
    SIGINT is ignored (``nohup``) or handled by a caller, nothing changes."""
    if module_name != "__main__" or threading.current_thread() is not threading.main_thread():
        return
    if not _hosted(sys._getframe(1)):  # probe 133: torch's import under ulimit -v
        sys.excepthook = _memory_hook(sys.excepthook)
    # the calling script's globals: once its module body is no longer running (an exception
    # ended it before end_import_window, in a runpy / %run caller), the handler stands down
    script_globals = sys._getframe(1).f_globals
    with contextlib.suppress(ValueError, OSError):
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, _stop_while_importing(script, script_globals))


def _hosted(script_frame: Any) -> bool:
    """Whether the script whose module body runs in ``script_frame`` was started by another
    Python program (``runpy.run_path`` / ``run_module`` from a user's code, IPython's ``%run``),
    not by ``python script.py`` / ``python -m``: some frame below it is not runpy's. Such a
    caller's exceptions and ``sys.excepthook`` are its own: an exception that ends the script
    (a SystemExit of a check, an ImportError) reaches the caller, and no hook of the script
    outlives it (probe 135: the import window's hook stayed installed in the caller)."""
    frame = script_frame.f_back
    while frame is not None:
        if Path(frame.f_code.co_filename).name != "runpy.py":
            return True
        frame = frame.f_back
    return False


def _memory_hook(previous: Any) -> Any:
    """``sys.excepthook`` while a script imports its libraries: an import that ran out of memory
    under an address-space limit (:func:`out_of_memory_at_import`) is one ``error:`` line
    (``RAMBO_ENV_TRACEBACK=1`` shows the traceback), any other error as ``previous`` shows it."""

    def hook(kind: type[BaseException], err: BaseException, tb: Any) -> None:
        said = out_of_memory_at_import(err, "the libraries (torch, Stable-Baselines3, …)")
        if said is None or tracebacks_wanted():
            previous(kind, err, tb)
            return
        with contextlib.suppress(OSError, ValueError):
            print(f"error: {said}\n(RAMBO_ENV_TRACEBACK=1 shows the traceback)", file=sys.stderr)

    hook.rambo_import_window = previous  # type: ignore[attr-defined]
    return hook


def end_import_window() -> None:
    """Ctrl-C is Python's KeyboardInterrupt again (:func:`interrupt_quietly_while_importing`)."""
    if threading.current_thread() is not threading.main_thread():
        return
    previous = getattr(sys.excepthook, "rambo_import_window", None)
    if previous is not None:
        sys.excepthook = previous
    with contextlib.suppress(ValueError, OSError):
        if getattr(signal.getsignal(signal.SIGINT), "rambo_import_window", False):
            signal.signal(signal.SIGINT, signal.default_int_handler)


def check_working_folder() -> None:
    """Exit with one ``error:`` line (status 2) when the process's working folder is gone.

    Probe 31: a script started in a folder deleted after the shell entered it died in ``import
    torch`` with only ``Intel oneMKL FATAL ERROR: Cannot load …/libtorch_cpu.so``. Every
    ``scripts/*.py`` calls this first, before it imports torch (this module imports no torch).
    """
    try:
        os.getcwd()
    except OSError as err:
        if err.errno == errno.ENOENT:
            problem = "no longer exists (it was deleted or moved after the shell entered it)"
        else:
            problem = f"cannot be read ({err.strerror or err})"
        print(
            f"error: the working folder {problem}; cd to an existing folder and run the "
            "command again",
            file=sys.stderr,
        )
        raise SystemExit(2) from None
    check_torch_logs()


def check_torch_logs() -> None:
    """Exit with one ``error:`` line (status 2) when torch refuses ``TORCH_LOGS`` (probe 144 row
    8: ``TORCH_LOGS=banana`` was a 28-line traceback from the first ``import torch``, SB3's);
    ``TORCH_LOGS=help`` / ``+help`` prints torch's list of its settings and exits (status 0); a
    set but empty one is unset (torch's import failed on it with a raw ``AttributeError: 'dict'
    object has no attribute 'get_log_level_pairs'``). Imports torch where the variable is set:
    torch checks it at import, against the names its modules register. Called by
    :func:`check_working_folder`, first in every ``scripts/*.py``. A script asked for its help
    (``-h`` / ``--help``) prints it whatever the variable holds: the variable is unset for that
    process (probe 148: ``TORCH_LOGS=banana cotrain.py --help`` was refused)."""
    value = os.environ.get("TORCH_LOGS")
    if "torch" in sys.modules:
        return
    if value == "" or (value not in (None, "help", "+help") and _help_asked()):
        del os.environ["TORCH_LOGS"]
        return
    if not value:
        return
    try:
        import torch  # noqa: F401
    except ValueError as err:
        text = str(err).strip()
        if value in ("help", "+help"):
            print(text)
            raise SystemExit(0) from None
        if not text.startswith("Invalid log settings"):
            raise
        print(
            f"error: TORCH_LOGS={value!r}: torch refuses it when it is imported (it takes a "
            "comma-separated list of torch's log names, artifact names or module names, each "
            "with an optional + or -; TORCH_LOGS=help lists them); fix it, or unset it (unset "
            "TORCH_LOGS)",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


def _help_asked() -> bool:
    """The script's command line asks for its help: ``-h`` or ``--help`` before any ``--``."""
    words = sys.argv[1:]
    words = words[: words.index("--")] if "--" in words else words
    return any(word in ("-h", "--help") for word in words)


#: Values of RAMBO_ENV_TRACEBACK that mean "no traceback" (as an unset or empty variable).
_OFF = ("", "0", "false", "no", "off")


#: Values of RAMBO_ENV_TRACEBACK that mean "show the traceback".
_ON = ("1", "true", "yes", "on")


def tracebacks_wanted() -> bool:
    """``RAMBO_ENV_TRACEBACK`` is set to anything but empty / 0 / false / no / off: a user error
    is shown with its traceback (:func:`report_user_error`, a sweep's trial errors). Another
    value than those and 1 / true / yes / on is taken as on, and said (probe 66: ``maybe``
    turned tracebacks on without a word)."""
    value = os.environ.get("RAMBO_ENV_TRACEBACK", "").strip().lower()
    if value not in _OFF + _ON:
        note(
            f"[rambo_env] note: RAMBO_ENV_TRACEBACK={os.environ['RAMBO_ENV_TRACEBACK']!r} is not "
            "1 / true / yes / on nor 0 / false / no / off: taken as on (tracebacks shown)",
            stderr=True,
        )
    return value not in _OFF


def check_matplotlib() -> None:
    """matplotlib imports, checked where a run or script starts that draws a plot at its end.

    ``import matplotlib`` fails on an ``MPLBACKEND`` that names no backend (probe 28: a whole
    run trained, then ``error: Key backend: 'nonsense' is not a valid value …`` and no learning
    curve; ``curves.py`` gave a raw traceback, ``ledger.py`` blamed the run folder). ValueError
    naming ``MPLBACKEND`` instead, before any work; the plots here are drawn by Agg whatever it
    says (:func:`rambo_env.run_io.headless_figure`). Defined here (no torch) so that a script
    runs it before ``import agents``: SB3 2.7's logger imports ``matplotlib.figure`` (probe 96b
    rows 14-15: matplotlib's raw ValueError under SB3 2.7)."""
    try:  # a broken install (numpy ABI): one error naming it (probe 114 R6)
        import_dependency("matplotlib")
    except BrokenDependencyError:
        raise
    except ValueError as err:
        backend = os.environ.get("MPLBACKEND")
        if backend is None or "backend" not in str(err):
            raise
        raise ValueError(
            f"MPLBACKEND: {backend!r} is not a matplotlib backend, so matplotlib cannot be "
            "imported to draw this run's plots; unset it or set a valid one (e.g. "
            "MPLBACKEND=Agg; the plots here are drawn by Agg whatever it says)"
        ) from None


def _in_a_script() -> bool:
    """The running program is one of this project's ``scripts/*.py``: in the ``scripts`` folder
    beside this package, or in a clone's (a ``scripts`` folder beside a ``rambo_env`` package).
    Probe 107 row 20: a clone's script beside an installed package (whose parent is
    site-packages) was not taken for one, so a library below its floor was a traceback."""
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    if not main:
        return False
    scripts = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "scripts")
    folder = os.path.dirname(os.path.realpath(main))
    if folder == os.path.realpath(scripts):
        return True
    clone = os.path.dirname(folder)
    return os.path.basename(folder) == "scripts" and os.path.isfile(
        os.path.join(clone, "rambo_env", "requirements.py")
    )


def exit_in_script(err: BaseException) -> None:
    """In one of the project's scripts, ``err`` (raised at import, before the script's ``main``
    reports its errors) as the scripts' one ``error:`` line, exit status 2, unless
    ``RAMBO_ENV_TRACEBACK`` asks for the traceback; elsewhere nothing (the caller re-raises).
    Probe 96b: a library below its floor was the last line of a 7-line traceback, status 1."""
    if not _in_a_script() or tracebacks_wanted():
        return
    try:
        print(f"error: {err}\n(RAMBO_ENV_TRACEBACK=1 shows the traceback)", file=sys.stderr)
    except OSError:  # stderr closed
        pass
    raise SystemExit(2) from None


def check_plots_at_start() -> None:
    """:func:`check_matplotlib` at the top of a script that draws plots, before it imports
    ``agents`` (SB3 2.7 imports matplotlib there): a bad ``MPLBACKEND`` is one ``error:`` line,
    exit status 2 (probe 96b rows 14-15: was matplotlib's raw traceback, status 1)."""
    try:
        check_matplotlib()
    except ValueError as err:
        exit_in_script(err)
        raise


#: The standard file descriptors found closed (``2>&-``) and opened on ``/dev/null`` instead
#: (:func:`reopen_closed_standard_fds`).
CLOSED_AT_START: list[int] = []


def reopen_closed_standard_fds() -> None:
    """Open ``/dev/null`` on each of the descriptors 0, 1, 2 that is closed (``2>&-``), as a
    daemon does: the next file a library opened took the number, and a write meant for stderr
    went into it. Probe 145 R1: with stderr closed, pyGLFW's library search failed ("Failed to
    load GLFW3 shared library"), so cotrain.py and make_dataset.py blamed the MuJoCo renderer
    (OpenGL) where the README says a closed stderr only turns the progress bars off. Python's
    own ``sys.stderr`` stays None (nothing is written), as before. ``import rambo_env`` calls it,
    before any library it imports can open a file."""
    for fd, flags in ((0, os.O_RDONLY), (1, os.O_WRONLY), (2, os.O_WRONLY)):
        try:
            os.fstat(fd)
            continue
        except OSError as err:
            if err.errno != errno.EBADF:
                continue
        try:
            null = os.open(os.devnull, flags)
        except OSError:
            continue
        if null != fd:
            os.dup2(null, fd)
            os.close(null)
        os.set_inheritable(fd, True)  # as a shell's: a child process gets it (os.open's is not)
        CLOSED_AT_START.append(fd)


def escape_unencodable_output() -> None:
    """On a console that cannot encode every character (``PYTHONIOENCODING=ascii``, a latin-1 or
    C locale, a caller's ``open(log, 'w', encoding='ascii')`` as ``sys.stdout``), write what it
    cannot as ``\\xfc`` escapes instead of raising. Probe 66: the library's own notes naming a
    path with ``ü`` raised ``UnicodeEncodeError`` after the work was done; probe 75: a stream
    the caller set after ``import rambo_env`` raised it at a run's first "—". A UTF-8 console,
    or one whose error handler the user set, is left as it is."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        try:
            encoding = codecs.lookup(stream.encoding).name
            if encoding != "utf-8" and stream.errors == "strict":
                stream.reconfigure(errors="backslashreplace")
        except (AttributeError, LookupError, TypeError, ValueError, OSError):
            pass  # replaced (a notebook's), closed or not a text stream: left alone


def source_commit(root: str | Path | None = None) -> str | None:
    """The git commit checked out in ``root`` (default: the folder holding the ``rambo_env``
    package), read from ``.git/HEAD`` and its ref file (or ``packed-refs``), no subprocess;
    None where ``root`` is not a git checkout (an installed package) or the commit cannot be read.
    A worktree's ``.git`` file (``gitdir: PATH``) is followed, its refs read from the common
    folder."""
    import rambo_env

    root = Path(rambo_env.__file__).resolve().parents[1] if root is None else Path(root)
    sha = re.compile(r"[0-9a-f]{40}([0-9a-f]{24})?")
    try:
        git = root / ".git"
        if git.is_file():  # a worktree or submodule: "gitdir: PATH"
            text = git.read_text(encoding="utf-8").strip()
            if not text.startswith("gitdir:"):
                return None
            git = root / text.removeprefix("gitdir:").strip()
        if not git.is_dir():
            return None
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):  # a detached HEAD holds the commit itself
            return head if sha.fullmatch(head) else None
        ref = head.removeprefix("ref:").strip()
        common = git
        if (git / "commondir").is_file():
            common = git / (git / "commondir").read_text(encoding="utf-8").strip()
        for folder in (git, common):
            if (folder / ref).is_file():
                found = (folder / ref).read_text(encoding="utf-8").strip()
                return found if sha.fullmatch(found) else None
        if (common / "packed-refs").is_file():
            for line in (common / "packed-refs").read_text(encoding="utf-8").splitlines():
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref and sha.fullmatch(parts[0]):
                    return parts[0]
    except (OSError, UnicodeDecodeError):
        return None
    return None


#: Seconds the one ``git diff HEAD`` of :func:`source_changes` may take (a hung network file
#: system, a huge checkout): past it, nothing is recorded.
GIT_TIMEOUT_S = 5.0


def source_changes(root: str | Path | None = None) -> dict[str, str]:
    """Whether the tracked files of rambo-env's source checkout (``root``, default: the folder
    holding the ``rambo_env`` package) differ from its commit, as strings for the records:
    ``{"rambo_env_dirty": "false"}``, or ``{"rambo_env_dirty": "true", "rambo_env_diff": H}``,
    ``H`` the first 12 hex digits of the sha256 of ``git diff HEAD`` (untracked files are not
    looked at; the same under any git config of the user's), and ``rambo_env_changed``: the
    changed files (both names of a rename), each on a line of its own (:func:`changed_files`
    reads it). Empty where ``root`` is not a git checkout, git is missing, fails or takes longer
    than :data:`GIT_TIMEOUT_S`. Read once per process and checkout: the code a process runs is
    the code it imported (probe 138 rows 18, 19: a run of uncommitted changes recorded the commit
    alone, as if it were that commit's)."""
    import rambo_env

    root = Path(rambo_env.__file__).resolve().parents[1] if root is None else Path(root)
    return dict(_source_changes(str(root.resolve())))


#: The variables that point git at another repository, index, object store or config than the
#: checkout's own (``git rev-parse --local-env-vars``, the list git drops when it enters a
#: submodule), and those that change how it reads pathspecs, attributes or diffs: git sets
#: ``GIT_DIR`` / ``GIT_INDEX_FILE`` for the hooks of the user's own project, and one exported
#: made a clean checkout record every file changed, a dirty one clean (probe 144 rows 1, 2).
_GIT_CALLER_VARIABLES = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_CONFIG",
        "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
        "GIT_OBJECT_DIRECTORY",
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_GRAFT_FILE",
        "GIT_INDEX_FILE",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_REPLACE_REF_BASE",
        "GIT_PREFIX",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_SHALLOW_FILE",
        "GIT_COMMON_DIR",
        "GIT_NAMESPACE",
        "GIT_CEILING_DIRECTORIES",
        "GIT_DISCOVERY_ACROSS_FILESYSTEM",
        "GIT_QUARANTINE_PATH",
        "GIT_INDEX_VERSION",
        "GIT_LITERAL_PATHSPECS",
        "GIT_GLOB_PATHSPECS",
        "GIT_NOGLOB_PATHSPECS",
        "GIT_ICASE_PATHSPECS",
        "GIT_ATTR_SOURCE",
        "GIT_EXTERNAL_DIFF",
        "GIT_DIFF_OPTS",
    }
)


def run_git(root: str | Path, *args: str) -> tuple[int, bytes] | None:
    """``git -C root ARGS``'s exit status and output; None where git is missing or takes longer
    than :data:`GIT_TIMEOUT_S`. Takes no lock of the checkout (``GIT_OPTIONAL_LOCKS=0``); the
    caller's variables that point git elsewhere (:data:`_GIT_CALLER_VARIABLES`) are left out,
    and so are the user's and the system's attributes files (``core.attributesFile``,
    ``/etc/gitattributes``: probe 144 row 3, ``*.py diff=python`` changed the hunk headers of
    the hashed diff, ``*.txt -diff`` made it binary); the checkout's own ``.gitattributes``
    (committed) and ``.git/info/attributes`` are read."""
    import subprocess

    env = {
        name: value
        for name, value in os.environ.items()
        if name not in _GIT_CALLER_VARIABLES
        and not name.startswith(("GIT_CONFIG_KEY_", "GIT_CONFIG_VALUE_"))
    } | {"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", "GIT_ATTR_NOSYSTEM": "1"}
    # a user's or the system's config git cannot parse (probe 144 row 4: nothing was recorded):
    # read without the user's, then without the system's too (probe 147 S2: the system's was
    # dropped with the user's, and with it the safe.directory container images set there); the
    # checkout's own config is still read, and its flaw ends the call as before
    without = ({}, {"GIT_CONFIG_GLOBAL": os.devnull}, {"GIT_CONFIG_NOSYSTEM": "1"})
    try:
        for retry, dropped in enumerate(without):
            env |= dropped
            done = subprocess.run(
                ["git", "-C", str(root), "-c", "core.attributesFile=/dev/null", *args],
                capture_output=True,
                timeout=GIT_TIMEOUT_S,
                env=env,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            if retry == len(without) - 1 or not done.stderr.startswith(b"fatal: bad config"):
                break
    except (OSError, subprocess.SubprocessError, ValueError):  # no git, a timeout
        return None
    if b"dubious ownership" in done.stderr:
        _note_not_safe(root)
    return done.returncode, done.stdout


#: Whether :func:`_note_not_safe` has spoken (once per process).
_SAID_NOT_SAFE: list[bool] = []


def _note_not_safe(root: str | Path) -> None:
    """Say once that git refuses the checkout ``root`` of another user (probe 147 S1: a Docker
    bind mount, a shared checkout; git's "dubious ownership") and how to let it read it: until
    then nothing of its uncommitted changes is recorded, which was said nowhere."""
    if _SAID_NOT_SAFE:
        return
    _SAID_NOT_SAFE.append(True)
    note(
        f"[rambo_env] note: git refuses to read the rambo_env checkout {root}: another user owns "
        "it (git's 'dubious ownership'), so whether its tracked files have uncommitted changes "
        "is not recorded (no rambo_env_dirty) nor a cached model's code compared; to let git "
        f"read it: git config --global --add safe.directory {shlex.quote(str(root))}"
    )


#: The options of :func:`source_changes`' ``git diff HEAD`` that the user's git config would
#: otherwise set (probe 140 row 9: ``diff.noprefix`` / ``diff.mnemonicPrefix`` changed the
#: headers, ``color.ui=always``, ``diff.external``, ``core.quotePath``, ``diff.context`` … the
#: output; probe 143: ``core.abbrev`` the ``index`` lines, ``diff.suppressBlankEmpty`` the blank
#: context lines, ``diff.orderFile`` the files' order, ``diff.submodule`` a submodule's lines):
#: the hash of one diff is the same under any config. The full object names of ``--full-index``
#: changed the hash of every diff once (probe 143): a record from before it is not compared.
_DIFF_PINNED = (
    "--no-ext-diff",
    "--no-color",
    "--no-textconv",
    "--binary",
    "--full-index",
    "-O/dev/null",
    "--submodule=short",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "-U3",
    "--inter-hunk-context=0",
    "--diff-algorithm=myers",
    "--indent-heuristic",
    "--find-renames",
)


@functools.cache
def _source_changes(root: str) -> tuple[tuple[str, str], ...]:
    import hashlib

    if source_commit(root) is None:  # not a checkout (an installed package): no git call
        return ()
    done = run_git(
        root,
        "-c",
        "core.quotePath=true",
        "-c",
        "diff.suppressBlankEmpty=false",
        "diff",
        "HEAD",
        *_DIFF_PINNED,
    )
    if done is None or done[0] != 0:  # no git; not a work tree git knows (another owner's)
        if done is not None:  # probe 147 S1: which (git diff says only "Not a git repository")
            run_git(root, "rev-parse", "--git-dir")  # another owner's: said (run_git)
        return ()
    if not done[1]:
        return (("rambo_env_dirty", "false"),)
    record = (
        ("rambo_env_dirty", "true"),
        ("rambo_env_diff", hashlib.sha256(done[1]).hexdigest()[:12]),
    )
    # the changed files' names (a cached model's note asks whether its model code was among
    # them, probe 139 row 1), from a call no config changes: NUL-separated, unquoted, both
    # names of a rename (probe 140 rows 9, 17: diff.noprefix left the list empty; a name
    # with a space was split)
    names = run_git(root, "diff", "--name-only", "-z", "--no-renames", "HEAD")
    if names is None or names[0] != 0:
        return record  # no list: the changes are unknown (model_code_note says so)
    changed = sorted({n.decode("utf-8", "replace") for n in names[1].split(b"\0") if n})
    return (*record, ("rambo_env_changed", "".join(f"{name}\n" for name in changed)))


def changed_files(record: dict[str, Any]) -> list[str] | None:
    """The changed files a record of :func:`source_changes` names (``rambo_env_changed``: one
    per line, each line ended; records before probe 140 joined them by spaces); None where
    it names none (no list, an empty one: which files changed is not known)."""
    changed = record.get("rambo_env_changed")
    if not isinstance(changed, str):
        return None
    names = changed.splitlines() if "\n" in changed else changed.split()
    return [name for name in names if name] or None


def dirty_note(changes: dict[str, str], commit: str | None, what: str) -> str | None:
    """The text of the one note (``"note: …"``, the caller adds its prefix) for a process that
    runs uncommitted changes (``changes``: :func:`source_changes`' record, or a record holding
    it; None when not dirty): ``what`` (``"this run's numbers"``) cannot be traced to ``commit``
    alone."""
    if changes.get("rambo_env_dirty") != "true":
        return None
    import rambo_env

    root = Path(rambo_env.__file__).resolve().parents[1]
    at = f"commit {commit[:12]}" if commit else "its commit"
    return (
        f"note: the rambo_env checkout {root} has uncommitted changes to tracked "
        f"files (git diff HEAD: hash {changes.get('rambo_env_diff')}): {what} cannot be traced "
        f"to {at} alone (rambo_env_dirty / rambo_env_diff are recorded with the versions); "
        "commit the changes to make them traceable"
    )


def code_record() -> dict[str, str]:
    """This rambo_env (its version; its git commit where it runs from a checkout, and whether its
    tracked files differ from that commit: :func:`source_changes`) for the record of what it
    writes: a generated dataset's metadata, a cached model's ``meta`` (probe 113: they recorded
    their settings, not the code that made them)."""
    import rambo_env

    commit = source_commit()
    return (
        {"rambo_env_version": rambo_env.__version__}
        | ({"rambo_env_commit": commit} if commit is not None else {})
        | (source_changes() if commit is not None else {})
    )


def machine_record() -> dict[str, str]:
    """The machine and the libraries beyond torch / SB3 / gymnasium a run's numbers depend on, as
    strings for the records (probe 138 row 20: a run did not say which CPU kind, Python, numpy or
    MuJoCo made it, though generated data and evaluation returns differ across them): ``python``,
    ``numpy``, ``mujoco``, ``minari``, ``h5py`` (each only where installed), ``platform``, ``cpu``
    (/proc/cpuinfo's model name) and ``cpu_flags`` (which of avx2 / avx512f / avx512_bf16 /
    amx_bf16 / amx_tile it lists; both only where /proc/cpuinfo is readable)."""
    import platform

    from rambo_env.bench import cpu_flags, cpu_model  # the one /proc/cpuinfo reader

    record = {"python": platform.python_version()}
    for dist in ("numpy", "mujoco", "minari", "h5py"):
        try:
            record[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    record["platform"] = platform.platform()
    cpu = cpu_model()
    if cpu:
        record["cpu"] = cpu
        record["cpu_flags"] = " ".join(cpu_flags()) or "none"
    return record
