"""Paths and numbers as a user types them: :func:`user_path` (``~`` expanded, Windows-style and
unencodable text refused, each name within :data:`NAME_MAX`), :func:`user_folder_path`,
:func:`user_file_path`, the room a folder path leaves for the names written in it
(:func:`check_folder_room`), the home folder (:func:`home_dir`, :func:`expand_home`), an
environment variable holding a relative path (:func:`note_relative`), and
:func:`whole_number` / :func:`thread_count` for a command line's counts.

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.user_path``).
"""

from __future__ import annotations

import argparse
import decimal
import os
import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from rambo_env.atomic_files import NAME_MAX, PATH_MAX
from rambo_env.command_line import shell_quote
from rambo_env.file_locks import owned_by_other, owner_text
from rambo_env.logging import note
from rambo_env.path_checks import refuse_link_loop

__all__ = [
    "FOLDER_PATH_MAX",
    "check_folder_room",
    "check_locale_text",
    "check_path_text",
    "expand_home",
    "folder_room_problem",
    "home_dir",
    "home_store_words",
    "longest_name_bytes",
    "note_relative",
    "thread_count",
    "user_file_path",
    "user_folder_path",
    "user_path",
    "whole_number",
    "windows_path_problem",
]


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
