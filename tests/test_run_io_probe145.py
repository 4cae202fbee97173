"""Probe 145: text files in an ASCII locale (E3), a umask that denies the owner (R2), the atomic
write's temp name in the name-length checks (E1 / R5), store paths too long for the files inside
them (E2, R3), a closed stderr (R1), free text the locale could not decode (R7, R8)."""

from __future__ import annotations

import ast
import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env import run_io
from rambo_env.data import minari_io
from rambo_env.dynamics import io as dyn_io
from tests.scripts import REPO, python_path

#: The calls that open a text file: each must name its encoding (not the locale's).
_TEXT_CALLS = ("write_text", "read_text", "open")
#: Kernel files (ASCII): the locale's encoding reads them alike.
_KERNEL = ("/proc", "cpu.", "proc /", "mountinfo", "cgroup")


def _text_calls_without_encoding(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in _TEXT_CALLS or any(k.arg == "encoding" for k in node.keywords):
            continue
        if isinstance(func, ast.Attribute) and getattr(func.value, "id", "") in (
            "os", "tarfile", "zipfile", "h5py", "archive", "gzip",
        ):  # fmt: skip
            continue
        mode = None
        if name == "open":
            args = node.args[1:] if isinstance(func, ast.Name) else node.args
            mode = (
                args[0] if args else next((k.value for k in node.keywords if k.arg == "mode"), None)
            )
        if isinstance(mode, ast.Constant) and "b" in str(mode.value):
            continue
        text = ast.get_source_segment(source, node) or ""
        if any(k in text for k in _KERNEL):
            continue
        found.append(f"{path.relative_to(REPO)}:{node.lineno}: {text[:80]}")
    return found


def test_every_text_file_is_read_and_written_as_utf8():
    """E3: ``sweep_report`` wrote table.md with the locale's encoding: under ``LC_ALL=C
    PYTHONUTF8=0`` every trial trained, then "'ascii' codec can't encode character '\\u03bb'"."""
    found = [
        hit
        for folder in ("rambo_env", "agents", "scripts")
        for path in sorted((REPO / folder).rglob("*.py"))
        for hit in _text_calls_without_encoding(path)
    ]
    assert not found, "\n".join(found)


def _ascii_env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONPATH": python_path()}


def test_staged_temp_file_is_writable_by_its_owner_under_umask_277(tmp_path):
    """R2: mkstemp's 0600 less umask 277 was 0400, so the writer's open by path was refused
    ("config.json: not written (Permission denied)" on --resume); the final mode is the umask's."""
    seen = []

    def write(tmp: Path) -> None:
        seen.append(tmp.stat().st_mode & 0o777)
        tmp.write_text("{}\n", encoding="utf-8")

    old = os.umask(0o277)
    try:
        path = run_io.atomic_write(tmp_path / "config.json", write)
    finally:
        os.umask(old)
    assert seen[0] & 0o600 == 0o600, oct(seen[0])
    assert path.stat().st_mode & 0o777 == 0o400 and path.read_text(encoding="utf-8") == "{}\n"


@pytest.mark.parametrize("how", ["check_writable", "claim_run_dir", "staged"])
def test_a_folder_the_umask_leaves_unwritable_is_refused_before_it_is_made(tmp_path, how):
    """R2: under umask 277 a new run folder was "cannot write runs/u1/.lock (Permission denied);
    pick a writable folder" in a writable runs/, a new Minari root "is not writable"."""
    folder = tmp_path / "new" / "u1"
    old = os.umask(0o277)
    try:
        with pytest.raises(ValueError, match=r"umask 277 leaves no write permission for you") as e:
            if how == "check_writable":
                run_io.check_writable(folder, "MINARI_DATASETS_PATH: Minari root", "hint")
            elif how == "claim_run_dir":
                with run_io.claim_run_dir(folder, resume=False):
                    pass
            else:
                run_io.atomic_write(folder / "x.json", lambda tmp: tmp.write_bytes(b"{}"))
    finally:
        os.umask(old)
    assert "umask 022" in str(e.value) and not (tmp_path / "new").exists()
    old = os.umask(0o077)  # the owner keeps everything: made as the umask asks
    try:
        assert run_io.check_writable(folder, "x", "hint").stat().st_mode & 0o777 == 0o700
    finally:
        os.umask(old)


def test_output_name_counts_the_temp_file_name(tmp_path):
    """E1 / R5: a 245-byte ``--json`` name passed the 255-byte check, the benchmark ran, then its
    temp file ``.NAME.XXXXXXXX.tmp`` was "File name too long; check … free space"."""
    long = tmp_path / ("b" * 240 + ".json")
    with pytest.raises(ValueError, match=r"--json: .* has a name of 245 bytes; .*at most 236"):
        run_io.check_output_file(long, "--json", "hint", ".json")
    fits = tmp_path / ("b" * 231 + ".json")
    assert run_io.check_output_file(fits, "--json", "hint", ".json") == fits
    run_io.atomic_write(fits, lambda tmp: tmp.write_text("{}", encoding="utf-8"))  # it is written


def test_name_too_long_at_write_time_gives_no_free_space_advice(tmp_path):
    err = run_io.WriteFailedError(
        tmp_path / "x.csv", OSError(errno.ENAMETOOLONG, "File name too long"), "--out"
    )
    assert "free space" not in str(err) and "give a shorter one (--out)" in str(err)


def test_long_minari_root_is_refused_before_collecting(tmp_path, monkeypatch):
    """E2: a 4038-byte MINARI_DATASETS_PATH collected, then failed "File name too long"."""
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "/".join(["d" * 200] * 20)))
    with pytest.raises(ValueError, match=r"^MINARI_DATASETS_PATH: Minari root .* leaves \d+ "):
        minari_io.check_minari_root()
    assert not (tmp_path / ("d" * 200)).exists()


def test_long_model_cache_is_named_not_the_dataset(tmp_path, monkeypatch):
    """R3: a 4063-byte RAMBO_ENV_CACHE was "dataset: 'hopper-random'… is too long … as a file
    path or Minari id"; cotrain checks the cache (check_cache_enterable) before the load."""
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "/".join(["c" * 200] * 20)))
    for check in (dyn_io.check_cache_enterable, dyn_io.check_cache_dir):
        with pytest.raises(
            ValueError, match=r"^RAMBO_ENV_CACHE: model cache .* set RAMBO_ENV_CACHE"
        ):
            check()


def test_closed_stderr_is_opened_on_dev_null(tmp_path):
    """R1: with ``2>&-`` the next file opened took descriptor 2, so pyGLFW's library probe (a
    child process) failed and cotrain blamed OpenGL."""
    code = (
        "import os, subprocess, sys\n"
        "import rambo_env\n"
        "from rambo_env.requirements import CLOSED_AT_START\n"
        "child = subprocess.run([sys.executable, '-c', 'import os; os.fstat(2)']).returncode\n"
        "print(os.path.realpath('/proc/self/fd/2'), CLOSED_AT_START, child)\n"
    )
    done = subprocess.run(
        ["bash", "-c", f'exec "{sys.executable}" -c "$0" 2>&-', code],
        env={**os.environ, "PYTHONPATH": python_path()},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split() == ["/dev/null", "[2]", "0"], (done.stdout, done.stderr)


def test_progress_note_says_stderr_was_closed(monkeypatch, capsys):
    """R1: the library's note read "sys.stderr (where they go): None" of a ``2>&-``."""
    from rambo_env import console, requirements

    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(requirements, "CLOSED_AT_START", [2])
    monkeypatch.setattr(console, "CLOSED_AT_START", requirements.CLOSED_AT_START)
    assert run_io.check_output_streams(True, "make_mdp") is False
    assert "closed when Python started (2>&-)" in capsys.readouterr().out


def test_free_text_the_locale_could_not_decode_names_the_locale():
    """R7: ``LC_ALL=C … curves.py --title 'λ é'`` was "is not valid matplotlib mathtext"."""
    with pytest.raises(ValueError, match=r"--title: .* run in a UTF-8 locale \(LC_ALL=C.UTF-8"):
        run_io.check_locale_text("\udcce\udcbb", "--title")
    assert run_io.check_locale_text("λ é", "--title") == "λ é"


def test_curves_title_in_an_ascii_locale(tmp_path):
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "curves.py"), "--out", str(tmp_path / "c"),
         "--title", "λ é", f"a={tmp_path}"],
        env=_ascii_env(), capture_output=True, timeout=300,
    )  # fmt: skip
    err = done.stderr.decode("ascii", "replace")
    assert done.returncode == 2 and "UTF-8 locale" in err and "mathtext" not in err, err


def test_kit_side_by_side_help_in_an_ascii_locale():
    """R8: ``--help`` printed its docstring's λ with a raw UnicodeEncodeError traceback."""
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "kit_side_by_side.py"), "--help"],
        env=_ascii_env(), capture_output=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    assert b"\\u03bb" in done.stdout or b"KIT_ROOT" in done.stdout


def test_a_load_failing_on_a_long_store_names_the_store(tmp_path, monkeypatch):
    """R3 (library): a load's "File name too long" was always the dataset name's."""
    from rambo_env.data import loaders

    def too_long(*args, **kwargs):
        raise OSError(errno.ENAMETOOLONG, "File name too long")

    monkeypatch.setattr(loaders, "_resolve", too_long)
    with pytest.raises(ValueError, match=r"^dataset: 'hopper-random'… is too long"):
        loaders.load_dataset("hopper-random")  # the stores are short: the name is blamed
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "/".join(["c" * 200] * 20)))
    with pytest.raises(ValueError, match=r"^RAMBO_ENV_CACHE: model cache .* leaves \d+ bytes"):
        loaders.load_dataset("hopper-random")
