"""Optional ``torch.compile`` of the ensemble's hot loss functions, with an eager fallback (issue 12).

The adversary's Eq. 9 loss (and the MLE loss) is a chain of small batched matmuls and many
elementwise ops (SiLU, the soft log-variance clamp, the Gaussian log-density, logsumexp);
inductor fuses the elementwise work of the forward and the backward. Measured on a 2-core AMD
EPYC (no AMX), paper sizes, 1 thread: the loss forward + backward of an adversary step 50-63 ms
eager vs 46-55 ms compiled (README, issue 12). Compiling costs about a minute the first time
on a CPU (inductor writes C++; its on-disk cache makes later processes take seconds), so it
pays only over long runs.

Numbers: a compiled loss equals the eager one to float32 rounding (losses and the gradient
vector within 1e-5 relative), not bitwise: inductor reorders reductions.

:class:`MaybeCompiled` never makes a run fail that eager would finish: if compiling fails
(no C++ compiler, an unsupported op, a backend error) it prints one line naming the cause and
runs the eager function from then on.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
import weakref
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import torch

from rambo_env.command_line import shell_path
from rambo_env.logging import note
from rambo_env.run_io import owner_text
from rambo_env.torch_files import brief_reason

__all__ = [
    "MaybeCompiled",
    "check_compile_cache",
    "compile_cache_problem",
    "compile_disabled",
    "compile_mark",
    "cuda_graphs_wanted",
    "ran_compiled",
    "static_addresses",
]


def compile_disabled() -> str | None:
    """Why ``torch.compile`` does nothing in this process, or None when it compiles: torch
    returns the function untouched under ``TORCHDYNAMO_DISABLE=1`` / ``TORCH_COMPILE_DISABLE=1``
    (or ``torch._dynamo.config.disable``), so a run said "torch.compile" and ran eagerly (probe 73
    row 6)."""
    import torch._dynamo.config as dynamo_config

    names = [
        n for n in ("TORCHDYNAMO_DISABLE", "TORCH_COMPILE_DISABLE") if os.environ.get(n) == "1"
    ]
    if names:
        return " and ".join(f"{n}=1" for n in names) + " is set"
    if getattr(dynamo_config, "disable", False):
        return "torch._dynamo.config.disable is True"
    return None


def compile_cache_problem() -> str | None:
    """Why the folder torch's inductor compiles into (``TORCHINDUCTOR_CACHE_DIR``, else torch's
    default ``<tmp>/torchinductor_<USER>``) or one of the subfolders torch writes into cannot be used by
    this user, with what to do; None when it can (or is not there yet).

    Probe 111 row 8: another user's folder there (``USER`` of another user kept by ``su -m`` /
    ``sudo``, or a shared cache whose subfolders another user made 0700) made every
    ``torch.compile`` fail and the run go eagerly, hours slower, with no advice."""
    from torch._inductor.runtime.cache_dir_utils import default_cache_dir

    default = default_cache_dir()  # torch sets the variable to it once torch._dynamo is imported
    root = os.environ.get("TORCHINDUCTOR_CACHE_DIR") or default
    origin, fix = "TORCHINDUCTOR_CACHE_DIR", "point TORCHINDUCTOR_CACHE_DIR at a folder of your own"
    if os.path.abspath(root) == os.path.abspath(default):
        user = default.rsplit("torchinductor_", 1)[-1]
        origin = f"torch's default for the user name {user!r}, from LOGNAME / USER"
        fix = "set TORCHINDUCTOR_CACHE_DIR to a folder of your own (e.g. $HOME/.cache/inductor)"
    folder = Path(os.path.abspath(root))
    need = os.R_OK | os.W_OK | os.X_OK
    try:
        if not folder.is_dir():
            return None  # missing: torch makes it (check_torch_compile_cache checks a set one)
        if not os.access(folder, need):
            return (
                f"torch's compile cache {folder} ({origin}) is not writable by this user "
                f"({owner_text(folder)}); {fix}"
            )
        closed = sorted(
            p
            for p in folder.iterdir()
            if _inductor_subfolder(p.name) and p.is_dir() and not os.access(p, need)
        )
    except OSError as err:
        return f"torch's compile cache {folder} ({origin}) cannot be read ({err}); {fix}"
    if not closed:
        return None
    names = ", ".join(f"{p.name}/ ({owner_text(p)})" for p in closed[:3])
    more = f" and {len(closed) - 3} more" if len(closed) > 3 else ""
    return (
        f"torch's compile cache {folder} ({origin}) holds subfolders this user cannot write: "
        f"{names}{more}; {fix}, or ask their owner to open them (chmod -R g+rwX "
        f"{shell_path(folder)}, for a shared group folder)"
    )


# The subfolders torch 2.13 writes under its compile cache (cache_dir() in torch/_inductor,
# torch/_functorch, torch/_dynamo): generated code goes to codecache.get_path's basename[1:3]
# (two characters of a base32 hash). Only these are checked: a cache on its own volume holds a
# root-owned 0700 lost+found/ (or a filer's .snapshot/) that torch never enters (probe 114 FA1).
_INDUCTOR_SUBFOLDERS = frozenset(
    {
        "aoti_eager",
        "aotautograd",
        "cache",
        "cutedsl_compile_cache",
        "dynamo",
        "fxgraph",
        "gcc",
        "locks",
        "precompiled_headers",
        "torch_cutlass",
        "triton",
        "unhashed_kernel_inputs",
    }
)


def _inductor_subfolder(name: str) -> bool:
    return name in _INDUCTOR_SUBFOLDERS or re.fullmatch(r"[a-z0-9]{2}", name) is not None


def check_compile_cache(explicit: bool) -> None:
    """Before a run that compiles: :func:`compile_cache_problem`, a ValueError when compiling was
    asked for (``--compile``), else one WARNING (compile on by default: the run goes on, every
    compile failing and running eagerly: same numbers, slower)."""
    problem = compile_cache_problem()
    if problem is None:
        return
    eager = "torch.compile would fail and run every loss eagerly (same numbers, slower)"
    if explicit:
        raise ValueError(f"{problem} ({eager}; or pass --no-compile)")
    note(f"[rambo_env] WARNING: {problem} (else {eager}, as this run will)")


#: The ``torch.compile`` backend of :class:`MaybeCompiled`: inductor, torch's default (C++ kernels
#: on a CPU). The test suite sets ``"aot_eager"`` (dynamo's graph capture and AOTAutograd, run by
#: eager kernels: no C++ build, ≈ 1/6 of a cold compile here) in tests that check how and when a
#: function compiles rather than what inductor's kernels compute (``tests/conftest.py``
#: ``compile_backend``); the tests comparing compiled with eager numbers keep inductor.
_BACKEND = "inductor"

#: The environment variable that turns CUDA graphs on for the compiled whole steps.
CUDA_GRAPHS_VARIABLE = "RAMBO_ENV_CUDA_GRAPHS"


def cuda_graphs_wanted(device: torch.device | str) -> bool:
    """CUDA graphs for a whole compiled step on ``device`` (``torch.compile``'s
    ``mode="reduce-overhead"``): only on CUDA, and only where ``RAMBO_ENV_CUDA_GRAPHS`` is 1 /
    true / yes / on. At 256-row batches a GPU step is a few hundred kernel launches (≈ 8 ms an
    adversary or SAC step on an H200, session 36), which one graph replay replaces (issue 12).
    Opt-in: built in a session without a GPU, so not yet measured on one (README, issue 12);
    ``tests/test_cuda.py`` checks it there. Any other value is refused, naming it."""
    from rambo_env.requirements import _OFF, _ON

    raw = os.environ.get(CUDA_GRAPHS_VARIABLE, "")
    value = raw.strip().lower()
    if value not in _OFF + _ON:
        raise ValueError(
            f"{CUDA_GRAPHS_VARIABLE}={raw!r}: not 1 / true / yes / on (CUDA graphs for the "
            "compiled steps on a GPU) nor 0 / false / no / off / empty (off, the default)"
        )
    return value in _ON and torch.device(device).type == "cuda"


def static_addresses(tensors: Iterable[torch.Tensor]) -> None:
    """Mark ``tensors`` — state a CUDA-graph step changes in place: Adam's moments and step
    counts, a running sum — as static inputs (``torch._dynamo.mark_static_address``, unguarded):
    the graph reads and writes them where they are. Inductor captures a graph that mutates an
    input only where the input is static (parameters are); otherwise it skips CUDA graphs for
    that function ("skipping cudagraphs due to mutated inputs") and runs it without them."""
    import torch._dynamo

    for tensor in tensors:
        torch._dynamo.mark_static_address(tensor)


class MaybeCompiled:
    """``fn`` through ``torch.compile`` when ``enabled``, else as is; falls back to eager for good
    (one printed line) when compilation fails.

    Args:
        fn: a pure function of tensors (it must not mutate state: on a compile failure the call is
            repeated eagerly), or one compiled with ``fullgraph=True``, which may mutate its
            inputs: a whole-graph compile fails, if at all, before any of it runs.
        enabled: compile (True) or not.
        name: what ``fn`` computes, for the fallback message.
        fullgraph: one graph or a failure (``torch.compile(fullgraph=True)``), no graph breaks.
        cuda_graphs: replay the compiled graph as a CUDA graph (``mode="reduce-overhead"``; see
            :func:`cuda_graphs_wanted`). The caller marks the tensors ``fn`` changes in place
            (:func:`static_addresses`), calls ``torch.compiler.cudagraph_mark_step_begin()``
            before each step (else a graph output still referenced, e.g. an SB3 actor's last
            distribution, makes torch record a new graph at every call) and copies any output
            it keeps past the next step (a replay writes its outputs where the last one did).
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *,
        enabled: bool,
        name: str,
        fullgraph: bool = False,
        cuda_graphs: bool = False,
    ) -> None:
        from rambo_env.run_io import check_flag

        # was: any truthy value compiled (train_mle(compile="no"), ModelAdversary(compile="false"))
        enabled = check_flag(enabled, "compile")
        self.fn, self.name = fn, name
        self.disabled_by = compile_disabled() if enabled else None  # torch would not compile
        compiled = enabled and self.disabled_by is None
        self._cuda_graphs = compiled and check_flag(cuda_graphs, "cuda_graphs")
        mode = {"mode": "reduce-overhead"} if self._cuda_graphs else {}
        self._compiled = (
            torch.compile(fn, dynamic=False, fullgraph=fullgraph, backend=_BACKEND, **mode)
            if compiled
            else None
        )
        self._seen: set[tuple] = set()  # the argument shapes compiled (and run) so far
        self._hold: _UnloadableHold | None = None  # a compile's backward not run yet
        self.ran_compiled = False  # a call went through the compiled function

    @property
    def active(self) -> bool:
        """True while calls go through the compiled function."""
        return self._compiled is not None

    @property
    def cuda_graphs(self) -> bool:
        """True while calls go through the function compiled for CUDA graphs (False after a
        failed compile: eager from then on)."""
        return self._cuda_graphs and self._compiled is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._compiled is None:
            return self.fn(*args, **kwargs)
        shapes = _shapes(args, kwargs)
        if self._hold is not None:  # the last compile's backward never ran (or is done)
            self._hold.close()
            self._hold = None
        try:
            if shapes in self._seen:
                out = self._compiled(*args, **kwargs)
            else:  # compiling: from inductor's on-disk cache where it holds these shapes
                hold = _UnloadableHold(self.name)
                try:
                    out = self._compiled(*args, **kwargs)
                except BaseException:
                    hold.close()
                    raise
                # the backward graph loads at the first .backward(): held until it is done
                self._hold = hold if hold.close_after_backward(out) else None
                if self._hold is not None:  # or this object's end (or the process's)
                    weakref.finalize(self, hold.close)
        except KeyboardInterrupt:
            if shapes not in self._seen:  # it was compiling these shapes
                _interrupted_compiles.append(self.name)
            raise
        except Exception as err:  # compile-time failures; a real error reappears eagerly below
            if self._removed_corrupt_cache_file(err) or self._removed_cut_builds():
                try:
                    return self._compiled(*args, **kwargs)
                except Exception as again:
                    err = again
            out = self.fn(*args, **kwargs)  # raises the eager error if the inputs are at fault
            self._compiled = None
            _outcomes.append((self.name, False))
            note(
                f"[rambo_env] torch.compile of the {self.name} failed ({type(err).__name__}: "
                f"{brief_reason(str(err), 300)}); "
                f"running it eagerly (same numbers, slower){_cache_hint(err)}{_interrupt_hint(err)}"
            )
            return out
        self._seen.add(shapes)
        if not self.ran_compiled:
            self.ran_compiled = True
            _outcomes.append((self.name, True))
        return out

    def _removed_cut_builds(self) -> bool:
        """Probe 77 row 14: after an interrupted compile in this process, the same shapes failed
        with a bare "CppCompileError: C++ compile error" (the cut ``.so`` was only named, and
        removed, by a new process). Remove the cut libraries inductor's cache got since the
        process started; True if one was removed."""
        if not _interrupted_compiles:
            return False
        removed = []
        for path in _cut_libraries(inductor_cache_dir(), _PROCESS_START):
            with contextlib.suppress(OSError):
                path.unlink()
                removed.append(path)
        if removed:
            note(
                f"[rambo_env] torch.compile of the {self.name}: removed {len(removed)} cut "
                f"file(s) from torch inductor's cache ({removed[0]}, …: a build stopped part-way "
                "by an interrupt in this process); compiling it again",
            )
        return bool(removed)

    def _removed_corrupt_cache_file(self, err: Exception) -> bool:
        """Probe 24: a C++ build killed with its process (Ctrl-C, a stopped sweep) leaves a cut
        ``.so`` in inductor's on-disk cache, and every later compile of those shapes failed on it
        ("file too short") and fell back to eager for good. Remove that file (a cache entry:
        inductor builds it again) and say so; True if one was removed."""
        match = _CORRUPT_LIBRARY.search(str(err))
        if match is None:
            return False
        path = Path(match.group(1))
        if not path.is_file() or not _inside(path, inductor_cache_dir()):
            return False
        try:
            path.unlink()
        except OSError:
            return False
        note(
            f"[rambo_env] torch.compile of the {self.name}: removed a cut file from torch "
            f"inductor's cache ({path}: {match.group(2)}; a build stopped part-way); compiling "
            "it again",
        )
        return True


class _UnloadableHold:
    """Torch's "fx graph cache unable to load compiled graph" warnings (a traceback each) while
    compiling, said as one line naming the cache folder and the cure. Probe 142 row 14: a cache
    whose fxgraph entries were overwritten printed 48 lines of them per run, the folder not
    named (torch compiles such graphs again: only the cost and the noise remain). Held from the
    compiled call until its backward is done (probe 143: the backward graph loads at the first
    ``.backward()``, whose warnings still printed), or until :meth:`close`: at the next call of
    its :class:`MaybeCompiled`, or when that is collected or the process ends (a backward that
    never ran, e.g. an exception between the two; was: the filter stayed on torch's logger and
    the note was never said). Torch's logger is as it was after. The filter is the logger's, so
    a compile in another thread while held is counted here too (said once, under this name)."""

    def __init__(self, name: str) -> None:
        import logging

        self.name = name
        self.unloadable: list[str] = []
        self.logger = logging.getLogger("torch._inductor.codecache")
        self.logger.addFilter(self._hold)
        self.closed = False

    def _hold(self, record: Any) -> bool:
        if "unable to load compiled graph" not in record.getMessage():
            return True
        self.unloadable.append(record.getMessage())
        return False

    def close_after_backward(self, out: Any) -> bool:
        """Close when the backward of ``out``'s tensors has run (a hook on their autograd
        node, after it); now where none needs one. True while held."""
        values = out if isinstance(out, (tuple, list)) else (out,)
        nodes = {
            id(v.grad_fn): v.grad_fn
            for v in values
            if isinstance(v, torch.Tensor) and v.grad_fn is not None
        }
        if not nodes:
            self.close()
            return False
        for node in nodes.values():
            node.register_hook(lambda *_: self.close())
        return True

    def close(self) -> None:
        """Stop holding and say what was held (once)."""
        if self.closed:
            return
        self.closed = True
        self.logger.removeFilter(self._hold)
        if self.unloadable:
            folder = inductor_cache_dir()
            count = len(self.unloadable)
            one = count == 1
            note(
                f"[rambo_env] torch.compile of the {self.name}: {count} entr"
                f"{'y' if one else 'ies'} of torch inductor's cache {folder} could not be loaded "
                f"(corrupt: overwritten or cut) and {'was' if one else 'were'} compiled again; "
                f"delete the folder (rm -rf {shell_path(folder)}; torch rebuilds it) to stop this "
                "and the recompiles"
            )


#: How each :class:`MaybeCompiled` that was to compile ran in this process, in order: (name, True)
#: at its first compiled call, (name, False) when it fell back to eager. Probe 142 row 9: with no
#: C++ compiler every loss ran eagerly, yet results.json recorded the session as compiled.
_outcomes: list[tuple[str, bool]] = []


def compile_mark() -> int:
    """A mark of this process's compile outcomes so far, for :func:`ran_compiled`."""
    return len(_outcomes)


def ran_compiled(since: int = 0) -> bool | None:
    """Whether the losses set to compile since ``since`` (a :func:`compile_mark`) ran compiled:
    True if one did, False if every one fell back to eager, None if none has run yet."""
    seen = _outcomes[since:]
    if not seen:
        return None
    return any(compiled for _, compiled in seen)


#: The names of the compiles a KeyboardInterrupt stopped part-way in this process (probe 77
#: rows 6 and 14: inductor then failed for the process's life, e.g. "partially initialized module
#: 'setuptools' has no attribute 'version' (most likely due to a circular import)" or a bare
#: "C++ compile error", and the fallback line did not say that a restart compiles again).
_interrupted_compiles: list[str] = []
_PROCESS_START = time.time()


def _shapes(args: tuple, kwargs: dict) -> tuple:
    """The tensor shapes of a call (what a ``dynamic=False`` compile specialises on)."""
    values = [*args, *kwargs.values()]
    return tuple(tuple(v.shape) if isinstance(v, torch.Tensor) else None for v in values)


def _interrupt_hint(err: Exception) -> str:
    """Why a compile fails after an interrupted one (or a half-done import), and the cure."""
    half_imported = "partially initialized module" in str(err)
    if not (_interrupted_compiles or half_imported):
        return ""
    if _interrupted_compiles:
        when = (
            "an interrupt (Ctrl-C / the kernel's Interrupt) stopped the torch.compile of the "
            f"{_interrupted_compiles[0]} part-way earlier in this process"
        )
    else:
        when = "an interrupt earlier in this process stopped an import part-way"
    return (
        f"; {when}, which leaves torch's compiler half-initialised for the process's life: "
        "restart the kernel (or the process) to compile again"
    )


def _cut_libraries(folder: Path, since: float) -> list[Path]:
    """The ``.so`` files under ``folder`` written after ``since`` whose ELF section table lies
    past their end (a build or copy stopped part-way)."""
    cut = []
    for path in folder.rglob("*.so"):
        try:
            if path.stat().st_mtime < since:
                continue
            with path.open("rb") as f:
                head = f.read(64)
            size = path.stat().st_size
        except OSError:
            continue
        if _elf_cut(head, size):
            cut.append(path)
    return cut


def _elf_cut(head: bytes, size: int) -> bool:
    """Whether a 64-bit little-endian ELF file of ``size`` bytes starting ``head`` is cut short
    (or no ELF file at all)."""
    if len(head) < 64 or head[:4] != b"\x7fELF":
        return True
    if head[4] != 2 or head[5] != 1:  # not ELF64 little-endian: not ours to judge
        return False
    shoff = int.from_bytes(head[0x28:0x30], "little")
    shentsize = int.from_bytes(head[0x3A:0x3C], "little")
    shnum = int.from_bytes(head[0x3C:0x3E], "little")
    return shoff + shentsize * shnum > size


#: A shared library that fails to load because it is cut or not a library (inductor's cache).
_CORRUPT_LIBRARY = re.compile(r"(/\S+\.so): (file too short|invalid ELF header|file truncated)")


def inductor_cache_dir() -> Path:
    """torch inductor's on-disk cache folder (``TORCHINDUCTOR_CACHE_DIR``, default
    ``/tmp/torchinductor_<user>``)."""
    from torch._inductor.runtime.cache_dir_utils import cache_dir

    return Path(cache_dir())


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def _cache_hint(err: Exception) -> str:
    """What to do when the failure names a library in inductor's cache that is still there, or
    another file there (probe 142 row 15), or is a C++ build / load error while the cache exists."""
    match = _CORRUPT_LIBRARY.search(str(err))
    if match is None:
        return _cache_entry_hint(err)
    said = f"; {match.group(1)} is cut ({match.group(2)})"
    if not _inside(Path(match.group(1)), inductor_cache_dir()):
        return said
    return f"{said}: delete torch inductor's cache folder {inductor_cache_dir()} to compile again"


#: Errors of building or loading inductor's C++ code, which a corrupt cache entry also gives.
_BUILD_ERRORS = (
    "CppCompileError",
    "C++ compile error",
    "cannot open shared object",
    "undefined symbol",
)


def _cache_entry_hint(err: Exception) -> str:
    """Probe 142 row 15: every ``.so`` of inductor's cache overwritten made each compile fail
    with a bare "CppCompileError: C++ compile error" in this and every later run, the cache not
    named (gcc's output, cut from the line, named a file in it). The line gcc's error names a
    file of the cache in, and the cure: delete the cache folder (torch rebuilds it)."""
    text = str(err)
    folder = inductor_cache_dir()
    naming = [
        line.strip()
        for line in text.splitlines()
        if str(folder) in line or str(folder.resolve()) in line
    ]
    # gcc's "<file>: error: …" rather than the g++ command line before it, which names it too
    named = next((line for line in naming if "error:" in line), naming[0] if naming else None)
    cure = f"delete it (rm -rf {shell_path(folder)}; torch rebuilds it) to compile again"
    if named is not None:
        return (
            f"; the error names a file in torch inductor's cache {folder} ({named[:200]}): a "
            f"corrupt cache entry fails every compile, in later runs too: {cure}"
        )
    build_error = any(word in text for word in _BUILD_ERRORS)
    if not build_error or _interrupted_compiles or not folder.is_dir():
        return ""
    return (
        f"; if this recurs in a new process, a corrupt entry of torch inductor's cache {folder} "
        f"may be the cause: {cure}"
    )
