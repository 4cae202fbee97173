"""Probe 137: allocation failures under an address-space limit (``ulimit -v``) that were raw at
some phase: C++'s ``std::bad_alloc`` / pybind11's "Unable to instantiate PyTypeObject" in
curves.py's import, a ``SystemError: error return without exception set`` in ``import
torch._dynamo``, and OpenBLAS's exit from C (said up front by a note)."""

from __future__ import annotations

import importlib
import resource
import sys

import pytest

from rambo_env import requirements
from rambo_env.run_io import out_of_memory, out_of_memory_line

LIMIT_KB = 900_000
LIMIT = f"(address-space limit ulimit -v = {LIMIT_KB} kB)"


def _rlimit(monkeypatch, kb: int | None) -> None:
    real = resource.getrlimit

    def getrlimit(which):
        if which == resource.RLIMIT_AS:
            soft = resource.RLIM_INFINITY if kb is None else kb * 1024
            return soft, resource.RLIM_INFINITY
        return real(which)

    monkeypatch.setattr(resource, "getrlimit", getrlimit)


@pytest.fixture
def limited(monkeypatch):
    _rlimit(monkeypatch, LIMIT_KB)


@pytest.fixture
def unlimited(monkeypatch):
    _rlimit(monkeypatch, None)


def _pytypeobject_after_bad_alloc() -> RuntimeError:
    try:
        try:
            raise RuntimeError("std::bad_alloc")
        except RuntimeError:
            raise RuntimeError(  # noqa: B904 (as pybind11 raises it: in the handling)
                "Unable to instantiate PyTypeObject for DiagonalScatterBackward0"
            )
    except RuntimeError as err:
        return err


def test_bad_alloc_and_the_error_raised_while_handling_it_are_out_of_memory(unlimited):
    assert out_of_memory(RuntimeError("std::bad_alloc"))
    assert out_of_memory(_pytypeobject_after_bad_alloc())  # its __context__ is the bad_alloc


def test_pybind11_type_failure_alone_counts_only_under_a_limit(monkeypatch):
    err = RuntimeError("Unable to instantiate PyTypeObject for DiagonalScatterBackward0")
    _rlimit(monkeypatch, None)
    assert not out_of_memory(err)
    _rlimit(monkeypatch, LIMIT_KB)
    assert out_of_memory(err)


def test_an_error_raised_from_none_does_not_inherit_its_context(unlimited):
    try:
        try:
            raise MemoryError
        except MemoryError:
            raise ValueError("a check of ours") from None
    except ValueError as err:
        assert not out_of_memory(err)


def test_our_guess_of_a_killed_run_is_not_an_allocation_failure(unlimited):
    assert not out_of_memory(ValueError("stopped at iteration 2 (killed? out of memory?); …"))


def _import_failing_with(
    tmp_path,
    monkeypatch,
    name: str,
    raised: str = 'SystemError("error return without exception set")',
) -> Exception:
    (tmp_path / f"{name}.py").write_text(f"raise {raised}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        importlib.import_module(name)
    except Exception as err:
        return err
    finally:
        sys.modules.pop(name, None)
    raise AssertionError("no SystemError")


def test_null_return_in_an_import_is_out_of_memory_under_a_limit(tmp_path, monkeypatch):
    err = _import_failing_with(tmp_path, monkeypatch, "probe137_null_return")
    _rlimit(monkeypatch, LIMIT_KB)
    assert out_of_memory(err)
    _rlimit(monkeypatch, None)
    assert not out_of_memory(err)  # without a limit: a bug, its traceback kept


def test_protobuf_parse_failure_in_an_import_is_out_of_memory_under_a_limit(tmp_path, monkeypatch):
    raised = 'TypeError("Couldn\'t parse file content!")'
    err = _import_failing_with(tmp_path, monkeypatch, "probe137_config_pb2", raised)
    _rlimit(monkeypatch, LIMIT_KB)
    assert out_of_memory(err)
    _rlimit(monkeypatch, None)
    assert not out_of_memory(err)


def test_null_return_in_a_module_body_counts_without_importlib_frames(limited):
    # CPython strips importlib's frames from most import tracebacks: a module body's frame
    # below the first is what says "in an import" (curves.py under ulimit -v 595000)
    body = compile('raise SystemError("error return without exception set")', "m.py", "exec")

    def load() -> None:
        exec(body, {})

    try:
        load()
    except SystemError as err:
        assert out_of_memory(err)


def test_null_return_outside_an_import_stays_a_bug_even_under_a_limit(limited):
    try:
        raise SystemError("error return without exception set")
    except SystemError as err:
        assert not out_of_memory(err)


def test_a_bare_memory_error_line_names_the_limit_and_the_remedy(limited):
    line = out_of_memory_line(MemoryError())
    assert line.startswith(f"out of memory {LIMIT} (MemoryError)")
    assert "raise the limit (ulimit -v unlimited" in line


def test_the_import_window_one_lines_curves_bad_alloc(limited, capsys):
    shown = []
    hook = requirements._memory_hook(lambda *a: shown.append(a))
    err = _pytypeobject_after_bad_alloc()
    hook(type(err), err, err.__traceback__)
    said = capsys.readouterr().err
    assert not shown, "the traceback was printed"
    assert said.startswith("error: not enough memory to import the libraries")
    assert LIMIT in said


def test_a_small_limit_is_noted_before_the_imports(monkeypatch, capsys):
    _rlimit(monkeypatch, 800_000)
    requirements.note_small_address_space("cotrain", "__main__")
    said = capsys.readouterr().err
    assert said.startswith("[cotrain] note: the address-space limit (ulimit -v = 800000 kB)")
    assert "OpenBLAS" in said and "raise the limit" in said
    requirements.note_small_address_space("cotrain", "cotrain")  # imported, not run: silent
    _rlimit(monkeypatch, 4_000_000)
    requirements.note_small_address_space("cotrain", "__main__")
    _rlimit(monkeypatch, None)
    requirements.note_small_address_space("cotrain", "__main__")
    assert capsys.readouterr().err == ""
