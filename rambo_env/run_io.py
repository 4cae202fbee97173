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

Split out of it, and still exported here as the same objects (``run_io.claim_run_dir``):
:mod:`rambo_env.atomic_files`, :mod:`rambo_env.file_locks`, :mod:`rambo_env.run_folders` (the
run folder's names, claim and checks), :mod:`rambo_env.json_files`,
:mod:`rambo_env.path_checks`, :mod:`rambo_env.value_checks`, :mod:`rambo_env.torch_files`,
:mod:`rambo_env.user_paths`, :mod:`rambo_env.interrupts`, :mod:`rambo_env.rng_state` and
:mod:`rambo_env.console`. A test that stands in for a name a moved function looks up patches
that function's module (``monkeypatch.setattr(run_folders, "_take_lock", …)``).
"""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import os
import re
import shutil
import sys
import tempfile
import textwrap
import typing
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

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
from rambo_env.console import (  # noqa: F401 (re-exported: run_io's names before the split)
    _CLOSED_PIPE,
    _CLOSED_PIPE_DONE,
    _STDERR_FAILED,
    _STDOUT_FAILED,
    _check_library_streams,
    _closed_pipe_done,
    _GuardedStderr,
    _GuardedStdout,
    _reader_gone,
    _script_console,
    _silence,
    _unusable_stream,
    _work_done,
    check_output_streams,
    is_closed_stdout,
    on_closed_pipe,
    silence_stdout,
    tolerant_console,
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
    MAX_THREADS_PER_CORE,
    _proc_kib,  # tests/test_run_io_probe137s.py
    address_space_shortfall,
    allocated_cores,
    available_memory_bytes,
    cgroup_cpu_limit,
    memory_error,
    memory_limit_words,
    out_of_memory_line,
    out_of_memory_text,
    process_limit,
    process_limit_text,
    resolve_torch_threads,
    torch_processes,
    usable_cores,
)
from rambo_env.interrupts import (  # noqa: F401 (re-exported: run_io's names before the split)
    _WARNING_SIGNALS,
    _interrupt_pending,
    _left_alone,
    _Terminated,
    _worker_traceback,
    default_action_signal,
    exit_on_interrupt,
    interrupts_deferred,
    process_state_kept,
    raise_swallowed_interrupt,
    report_failure,
    sigterm_as_keyboard_interrupt,
    sigterm_cleaned_up,
    status_on_request,
    stop_handler,
    stop_signals,
    swallowed_interrupt_kept,
)
from rambo_env.json_files import (  # noqa: F401 (re-exported: run_io's names before the split)
    _json_safe,
    _to_lists,
    as_json,
    read_json,
    write_json,
)
from rambo_env.path_checks import (  # noqa: F401 (re-exported: run_io's names before the split)
    _dangling_link_on,
    _is_dangling_link,
    _is_link_loop,
    broken_link_text,
    check_file_or_absent,
    check_readable,
    link_loop,
    link_loop_text,
    make_folders,
    refuse_broken_link,
    refuse_link_loop,
    refuse_unenterable,
    unenterable_folder,
)
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
from rambo_env.rng_state import (  # noqa: F401 (re-exported: run_io's names before the split)
    _SAID_RESEEDED,
    CUDA_GENERATOR_STATE_BYTES,
    get_rng_state,
    restore_generator,
    set_rng_state,
)
from rambo_env.run_folders import (  # noqa: F401 (re-exported: run_io's names before the split)
    _HELD,
    _SETUP_ENTRIES,
    BUILT_POLICY_KWARGS,
    CHECKPOINT_NAME,
    CONFIG_KEYS,
    CONFIG_NAME,
    CURVE_NAME,
    POLICY_PACKAGES,
    REPLACED_ENTRIES,
    RERUN_DIED_START,
    RESULTS_NAME,
    RESULTS_STATUSES,
    RUN_ENTRIES,
    TB_DIR,
    TB_LOST_NAME,
    FolderInUseError,
    RunDirMovedError,
    _held_key,
    _make_dirs,
    _open_folder,
    _policy_defaults,
    _refuse_odd_lock,
    _stale_note,
    _take_lock,
    _unlink_lock,
    _unwritable_folder_text,
    bare_lock_pid,
    check_config_keys,
    check_no_foreign_entries,
    check_not_died_starting,
    check_not_starting,
    check_outside_stores,
    check_run_dir_kept,
    check_run_files_replaceable,
    check_run_folder,
    check_run_readable,
    checkpoint_iterations,
    claim_run_dir,
    dead_lock_pid,
    default_run_dir,
    effective_agent,
    elsewhere_text,
    foreign_entries,
    hold_folder,
    holder_text,
    host_name_token,
    iteration0_label,
    iterations_on_record,
    json_named,
    lock_copied,
    lock_holder,
    other_holder,
    run_algo,
    run_bc_epochs,
    run_folder_above,
    run_holder,
    run_score_label,
    runs_below,
    setup_death_pid,
    stale_heartbeat,
    trained_evidence,
    unreadable_run_entries,
    unused_path,
)
from rambo_env.torch_files import (  # noqa: F401 (re-exported: run_io's names before the split)
    _DAMAGE_ERRORS,
    _DAMAGE_TEXTS,
    _TORCH_LEGACY_MAGIC,
    _WEIGHTS_ONLY_PROTOCOL,
    PickleProtocolError,
    _pickle_protocol,
    check_torch_magic,
    damaged_cache_entry,
    damaged_file,
    load_torch_file,
    unreadable_reason,
    zip_not_torch,
)
from rambo_env.user_paths import (  # noqa: F401 (re-exported: run_io's names before the split)
    _RELATIVE_SAID,
    FOLDER_PATH_MAX,
    _lexists_text,
    _not_utf8_text,
    check_folder_room,
    check_locale_text,
    check_path_text,
    expand_home,
    folder_room_problem,
    home_dir,
    home_store_words,
    longest_name_bytes,
    note_relative,
    thread_count,
    user_file_path,
    user_folder_path,
    user_path,
    whole_number,
    windows_path_problem,
)
from rambo_env.value_checks import (  # noqa: F401 (re-exported: run_io's names before the split)
    _VOWEL_SOUND_LETTERS,
    _WORD_STARTS,
    AGENT_SEED_LIMIT,
    RUN_SEED_LIMIT,
    SEED_LIMIT,
    _current_class,
    _holders,
    check_batch_within_rows,
    check_called_with,
    check_field_ranges,
    check_field_types,
    check_flag,
    check_seed,
    check_state_dict,
    counted,
    is_int,
    is_real,
    items_of,
    python_fields,
    python_scalar,
    sb3_ent_coef,
    some_names,
    type_name,
    with_article,
)

if TYPE_CHECKING:
    import torch

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


def check_default_dtype(what: str) -> None:
    """The models and agents compute in float32; under ``torch.set_default_dtype(torch.float64)``
    (a notebook's setting) the tensors they make were float64 and the first matmul was torch's raw
    "Input dtypes must be the same" / "mat1 and mat2 must have the same dtype" (probe 23)."""
    import torch

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
    import torch

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
            import torch

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


"""A pickled ``torch.serialization.MAGIC_NUMBER`` (LONG1, 10 bytes), after the pickle's
protocol opcode: how torch's legacy format begins."""


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
    import torch

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
