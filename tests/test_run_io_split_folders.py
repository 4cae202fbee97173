"""run_io split, second part: the run folders (:mod:`rambo_env.run_folders`), JSON files, path
checks, value checks, torch files, user paths, interrupts, RNG states and the console each live in
their own module; run_io still exports every name it had, as the same object, and no split module
imports run_io (no import cycle: each can be imported first).

A test that stands in for a name by ``monkeypatch.setattr`` must patch the module whose function
looks the name up: a moved function reads its module's globals (e.g. ``console._script_console``,
``rng_state._SAID_RESEEDED``, ``run_folders._take_lock``), no longer run_io's."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env import (
    console,
    interrupts,
    json_files,
    path_checks,
    rng_state,
    run_folders,
    torch_files,
    user_paths,
    value_checks,
)

ROOT = Path(__file__).resolve().parents[1]

MOVED = {
    run_folders: [
        "CONFIG_NAME",
        "CHECKPOINT_NAME",
        "RESULTS_NAME",
        "RESULTS_STATUSES",
        "CURVE_NAME",
        "TB_DIR",
        "TB_LOST_NAME",
        "default_run_dir",
        "unused_path",
        "RUN_ENTRIES",
        "foreign_entries",
        "host_name_token",
        "elsewhere_text",
        "stale_heartbeat",
        "_stale_note",
        "lock_copied",
        "lock_holder",
        "claim_run_dir",
        "_HELD",
        "_held_key",
        "_open_folder",
        "_unlink_lock",
        "RunDirMovedError",
        "check_run_dir_kept",
        "_refuse_odd_lock",
        "_take_lock",
        "FolderInUseError",
        "hold_folder",
        "run_holder",
        "holder_text",
        "other_holder",
        "bare_lock_pid",
        "check_not_starting",
        "_SETUP_ENTRIES",
        "dead_lock_pid",
        "setup_death_pid",
        "check_not_died_starting",
        "RERUN_DIED_START",
        "iteration0_label",
        "run_bc_epochs",
        "run_algo",
        "iterations_on_record",
        "checkpoint_iterations",
        "run_score_label",
        "run_folder_above",
        "trained_evidence",
        "check_run_folder",
        "CONFIG_KEYS",
        "json_named",
        "POLICY_PACKAGES",
        "BUILT_POLICY_KWARGS",
        "_policy_defaults",
        "effective_agent",
        "check_config_keys",
        "check_no_foreign_entries",
        "check_outside_stores",
        "_make_dirs",
        "unreadable_run_entries",
        "check_run_readable",
        "REPLACED_ENTRIES",
        "check_run_files_replaceable",
        "_unwritable_folder_text",
        "runs_below",
    ],
    json_files: [
        "write_json",
        "as_json",
        "read_json",
        "_to_lists",
        "_json_safe",
    ],
    path_checks: [
        "check_file_or_absent",
        "check_readable",
        "unenterable_folder",
        "refuse_unenterable",
        "link_loop",
        "refuse_link_loop",
        "link_loop_text",
        "_is_link_loop",
        "refuse_broken_link",
        "broken_link_text",
        "_dangling_link_on",
        "_is_dangling_link",
        "make_folders",
    ],
    value_checks: [
        "counted",
        "check_batch_within_rows",
        "_current_class",
        "_holders",
        "type_name",
        "_VOWEL_SOUND_LETTERS",
        "_WORD_STARTS",
        "with_article",
        "some_names",
        "SEED_LIMIT",
        "AGENT_SEED_LIMIT",
        "RUN_SEED_LIMIT",
        "check_called_with",
        "check_seed",
        "check_state_dict",
        "is_int",
        "python_scalar",
        "python_fields",
        "is_real",
        "sb3_ent_coef",
        "items_of",
        "check_field_types",
        "check_field_ranges",
        "check_flag",
    ],
    torch_files: [
        "_DAMAGE_ERRORS",
        "_DAMAGE_TEXTS",
        "damaged_file",
        "damaged_cache_entry",
        "unreadable_reason",
        "check_torch_magic",
        "_WEIGHTS_ONLY_PROTOCOL",
        "PickleProtocolError",
        "_pickle_protocol",
        "load_torch_file",
        "_TORCH_LEGACY_MAGIC",
        "zip_not_torch",
    ],
    user_paths: [
        "longest_name_bytes",
        "whole_number",
        "thread_count",
        "user_path",
        "windows_path_problem",
        "_lexists_text",
        "user_folder_path",
        "FOLDER_PATH_MAX",
        "folder_room_problem",
        "check_folder_room",
        "user_file_path",
        "home_store_words",
        "home_dir",
        "expand_home",
        "check_path_text",
        "check_locale_text",
        "_not_utf8_text",
        "_RELATIVE_SAID",
        "note_relative",
    ],
    interrupts: [
        "_WARNING_SIGNALS",
        "stop_handler",
        "stop_signals",
        "process_state_kept",
        "sigterm_as_keyboard_interrupt",
        "_interrupt_pending",
        "swallowed_interrupt_kept",
        "raise_swallowed_interrupt",
        "_Terminated",
        "sigterm_cleaned_up",
        "status_on_request",
        "_left_alone",
        "default_action_signal",
        "interrupts_deferred",
        "exit_on_interrupt",
        "_worker_traceback",
        "report_failure",
    ],
    rng_state: [
        "get_rng_state",
        "CUDA_GENERATOR_STATE_BYTES",
        "_SAID_RESEEDED",
        "restore_generator",
        "set_rng_state",
    ],
    console: [
        "check_output_streams",
        "_check_library_streams",
        "_unusable_stream",
        "_reader_gone",
        "_script_console",
        "tolerant_console",
        "_STDOUT_FAILED",
        "_GuardedStdout",
        "_STDERR_FAILED",
        "_GuardedStderr",
        "_closed_pipe_done",
        "is_closed_stdout",
        "on_closed_pipe",
        "_work_done",
        "_CLOSED_PIPE",
        "_CLOSED_PIPE_DONE",
        "silence_stdout",
        "_silence",
    ],
}


def test_run_io_exports_the_moved_names_as_the_same_objects():
    # in a fresh process: tests/conftest.py gives user_paths a fresh _RELATIVE_SAID per test
    moved = {module.__name__: names for module, names in MOVED.items()}
    check = (
        "import importlib, sys; from rambo_env import run_io\n"
        f"for module, names in {moved!r}.items():\n"
        "    m = importlib.import_module(module)\n"
        "    bad = [n for n in names if getattr(run_io, n) is not getattr(m, n)]\n"
        "    assert not bad, (module, bad)\n"
        "    assert all(hasattr(m, n) for n in m.__all__), module\n"
        "assert all(hasattr(run_io, n) for n in run_io.__all__)\n"
    )
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("module", list(MOVED), ids=lambda m: m.__name__)
def test_a_moved_function_reads_its_new_modules_globals(module):
    # so a monkeypatch of a name that it looks up goes to its new module, not to run_io
    for name in MOVED[module]:
        value = getattr(module, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert value.__module__ == module.__name__, name
        if inspect.isfunction(value):  # a @contextmanager's own function, not its wrapper's
            assert inspect.unwrap(value).__globals__ is vars(module), name


@pytest.mark.parametrize("module", list(MOVED), ids=lambda m: m.__name__)
def test_a_split_module_imports_no_run_io_and_loads_first(module):
    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):  # lazy imports inside functions too
        if isinstance(node, ast.ImportFrom):
            assert node.module != "rambo_env.run_io", node.lineno
            assert not (
                node.module == "rambo_env" and any(a.name == "run_io" for a in node.names)
            ), node.lineno
        if isinstance(node, ast.Import):
            assert all(a.name != "rambo_env.run_io" for a in node.names), node.lineno
    done = subprocess.run(
        [sys.executable, "-c", f"import {module.__name__}"], cwd=ROOT, capture_output=True
    )
    assert done.returncode == 0, done.stderr
