"""Probe 77 rows 6 and 14: a compile interrupted in a long-lived process (a Jupyter kernel)."""

from __future__ import annotations

import pytest
import torch

from rambo_env import compile as compile_module
from rambo_env.compile import MaybeCompiled


class _Compiled:
    """Stands in for ``torch.compile(fn)``: raises each of ``errors`` in turn, then runs ``fn``."""

    def __init__(self, fn, errors):
        self.fn, self.errors = fn, list(errors)

    def __call__(self, *args):
        if self.errors:
            raise self.errors.pop(0)
        return self.fn(*args)


def _loss(x):
    return (x * x).sum()


def _maybe(errors, name="SAC critic loss"):
    m = MaybeCompiled(_loss, enabled=False, name=name)
    m._compiled = _Compiled(_loss, errors)
    return m


@pytest.fixture(autouse=True)
def _no_earlier_interrupt(monkeypatch, tmp_path):
    monkeypatch.setattr(compile_module, "_interrupted_compiles", [], raising=False)
    monkeypatch.setattr(compile_module, "inductor_cache_dir", lambda: tmp_path)


def test_a_compile_failing_after_an_interrupted_one_says_restart(capsys):
    """Probe 77 row 14: was only "… failed (InductorError: CppCompileError: C++ compile error);
    running it eagerly" in the kernel that was interrupted while compiling."""
    first = _maybe([KeyboardInterrupt()])
    with pytest.raises(KeyboardInterrupt):
        first(torch.ones(3))
    again = _maybe([RuntimeError("CppCompileError: C++ compile error")])
    assert float(again(torch.ones(3))) == 3.0  # eager, same numbers
    said = capsys.readouterr().out
    assert "running it eagerly" in said
    assert "stopped the torch.compile of the SAC critic loss part-way" in said
    assert "restart the kernel (or the process) to compile again" in said


def test_an_interrupt_after_the_compile_is_not_taken_for_one(capsys):
    m = _maybe([])
    m(torch.ones(3))  # compiled and ran
    m._compiled.errors = [KeyboardInterrupt()]
    with pytest.raises(KeyboardInterrupt):
        m(torch.ones(3))
    assert not compile_module._interrupted_compiles
    other = _maybe([RuntimeError("backend error")])
    other(torch.ones(3))
    assert "restart" not in capsys.readouterr().out  # an ordinary failure: as before


def test_a_half_imported_module_says_restart(capsys):
    """Probe 77 row 6: "partially initialized module 'setuptools' has no attribute 'version'
    (most likely due to a circular import)" blamed a circular import."""
    err = AttributeError(
        "partially initialized module 'setuptools' has no attribute 'version' (most likely due "
        "to a circular import)"
    )
    _maybe([err])(torch.ones(3))
    said = capsys.readouterr().out
    assert "an interrupt earlier in this process stopped an import part-way" in said
    assert "restart the kernel" in said


def test_a_cut_library_of_an_interrupted_compile_is_removed_in_process(tmp_path, capsys):
    """Probe 77 row 14: the cut .so was removed (probe 24) only by a new process."""
    first = _maybe([KeyboardInterrupt()])
    with pytest.raises(KeyboardInterrupt):
        first(torch.ones(3))
    cut = tmp_path / "4o" / "c4or.main.so"
    cut.parent.mkdir()
    cut.write_bytes(b"\x7fELF\x02\x01" + bytes(58))  # a header whose section table is past the end
    cut.write_bytes(cut.read_bytes()[:0x28] + (10_000).to_bytes(8, "little") + bytes(16))
    whole = tmp_path / "ok.so"
    header = bytearray(64)
    header[:6] = b"\x7fELF\x02\x01"
    whole.write_bytes(bytes(header))  # no section table: whole
    again = _maybe([RuntimeError("CppCompileError: C++ compile error")])
    assert float(again(torch.ones(3))) == 3.0
    assert again.active  # compiled again after the removal
    said = capsys.readouterr().out
    assert "removed 1 cut file(s) from torch inductor's cache" in said
    assert not cut.exists() and whole.exists()


def test_a_long_compile_error_is_cut_at_a_sentence_with_a_mark(capsys):
    """Session 56: the fallback line quoted the error's first line cut at 300 characters
    mid-word, with nothing to say more was left out; now :func:`~rambo_env.torch_files.
    brief_reason`'s cut (after the last whole sentence that fits, then `` …``), as for damaged
    checkpoints. The line that only announces the next (inductor's "raised:") keeps the next."""
    long = "The C++ compiler stopped. " + "It named a header it could not find there. " * 9
    err = RuntimeError(f"backend='inductor' raised:\nCppCompileError: {long}\n\nCommand:\ng++ -O3")
    _maybe([err])(torch.ones(3))
    said = capsys.readouterr().out
    cause = said.split("failed (RuntimeError: ", 1)[1].split("); running it eagerly")[0]
    assert cause.startswith("backend='inductor' raised: CppCompileError: The C++ compiler stopped.")
    assert cause.endswith("there. …") and len(cause) <= 302  # a whole sentence, then the mark
    short = RuntimeError("backend error")
    _maybe([short])(torch.ones(3))
    assert "failed (RuntimeError: backend error); running it eagerly" in capsys.readouterr().out
