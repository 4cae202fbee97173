"""Where a run's files came from: the invocation records of a run's config.json and a sweep's
sweep.json (each session's command line, working folder and environment variables), and the
format versions of the files this code writes (a newer rambo_env's file refused with what to do).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.script_invocation``, ``run_io.CONFIG_FORMAT``).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

#: The environment variables that change what a run reads or computes (where its data and models
#: are found, its threads, the devices it sees, the compile cache, str hashing): each invocation in
#: a run's config.json records those set, by name (only these: an environment may hold secrets).
RUN_ENVIRONMENT = (
    "MINARI_DATASETS_PATH",
    "RAMBO_ENV_CACHE",
    "OMP_NUM_THREADS",
    "CUDA_VISIBLE_DEVICES",
    "TORCHINDUCTOR_CACHE_DIR",
    "PYTHONHASHSEED",
    "PYTHONUTF8",  # probe 145: UTF-8 mode decides which folder / file names a run can read
)


def script_invocation(script_file: str | Path, argv: Sequence[str]) -> dict[str, Any]:
    """How a script was invoked, for a run's config.json's ``invocations`` (probe 138: a run
    folder recorded its settings but not the command line that made it, nor each ``--resume``):
    ``argv`` (the words after the script, as given), ``command`` (a shell-quoted line to paste,
    from any folder and shell: ``cd`` to the working folder, the set :data:`RUN_ENVIRONMENT`
    variables, then Python, the script as typed (:func:`script_command`) and the words; probe 145:
    it held the last three only, so pasted from another folder or a fresh shell it started a new
    run there, on other data, without a word), ``cwd`` and ``environment`` (those of
    :data:`RUN_ENVIRONMENT` that are set). Names the locale could not decode are recorded as
    their UTF-8 text (:func:`recorded_text`); in ``command``, one whose bytes are not UTF-8 as
    bash's ``$'…'`` (:func:`recorded_word`), so that it still pastes."""
    given = [str(word) for word in argv]
    where = _invoked_where()
    setting = [f"{name}={recorded_word(os.environ[name])}" for name in where["environment"]]
    command = " ".join(
        [f"cd {recorded_word(os.getcwd())}", "&&", *setting, script_command(script_file)]
        + [recorded_word(word) for word in given]
    )
    return {"argv": [recorded_text(word) for word in given], "command": command, **where}


def _typed_script(script_file: str | Path) -> str:
    """The script as typed: ``sys.argv[0]`` when it names ``script_file`` (the script's
    ``__file__``), else ``script_file`` relative to the working folder (the script's
    ``main(argv)`` called from Python, e.g. a test: never the caller's own argv)."""
    typed = sys.argv[0] if sys.argv else ""
    with contextlib.suppress(OSError, ValueError):
        if typed and Path(typed).resolve() == Path(script_file).resolve():
            return typed
    try:
        return os.path.relpath(script_file)
    except ValueError:  # another drive (Windows)
        return str(script_file)


def _python_word() -> str:
    """The interpreter as a pasted command finds it: its name (``python``, ``python3``) where
    that name on ``PATH`` is this interpreter, else its absolute path (probe 147 R6: a run of
    ``/venv/bin/python scripts/cotrain.py`` recorded ``python …``, which in a shell without the
    venv is another interpreter, without torch, or none)."""
    name = Path(sys.executable).name
    if not name:
        return "python"  # an embedded interpreter: no path to name
    found = shutil.which(name)
    with contextlib.suppress(OSError):
        if found is not None and _same_interpreter(found, sys.executable):
            return name
    return sys.executable


def _same_interpreter(found: str, executable: str) -> bool:
    """Whether ``found`` (a name's match on ``PATH``) runs as ``executable``: the same path, or
    the same file outside any virtual environment. A venv's ``bin/python`` is a link to its base
    interpreter — the same file, another environment (probe 148: a venv's run, started as
    ``venv/bin/python`` with the base first on ``PATH``, recorded ``python``)."""
    if os.path.abspath(found) == os.path.abspath(executable):
        return True

    def in_venv(path: str) -> bool:
        return (Path(path).absolute().parent.parent / "pyvenv.cfg").is_file()

    # probe 150: a conda env's python is a hard link of the base's, in another prefix (its bin)
    same_bin = Path(os.path.realpath(found)).parent == Path(os.path.realpath(executable)).parent
    venv = in_venv(found) or in_venv(executable)
    return os.path.samefile(found, executable) and same_bin and not venv


def python_words() -> list[str]:
    """The interpreter's words of a command to paste: :func:`_python_word`, then its ``-X``
    options (probe 145: ``python -X utf8 …`` was recorded as ``python …``)."""
    python = [_python_word()]
    for name, value in sys._xoptions.items():  # -X utf8 (UTF-8 mode: which names are read)
        python += ["-X", name if value is True else f"{name}={value}"]
    return python


def script_command(
    script_file: str | Path, quote: Callable[[str], str] | None = None, as_typed: bool = True
) -> str:
    """``python SCRIPT``, each word ``quote``-d: the head of a command a script prints to paste
    (``quote``: :func:`rambo_env.command_line.shell_quote`, which writes what the console cannot
    print as bash's ``$'…'``) or records (None: :func:`recorded_word`). The interpreter as
    :func:`python_words` names it, its ``-X`` options with it (probe 145: ``python -X utf8 …``
    was recorded as ``python …``). The script: as typed (:func:`_typed_script`; probe 145 R4:
    ``continue with: python scripts/cotrain.py --resume …`` was printed to a script started as
    ``python /clone/scripts/cotrain.py`` from another folder, where the pasted line found no
    script), or, ``as_typed`` False, as found from the working folder
    (:func:`_script_from_here`: a library line naming a script,
    :func:`rambo_env.command_line.script_line`); one beginning with ``-`` as ``./-x``."""
    quote = recorded_word if quote is None else quote
    script = _typed_script(script_file) if as_typed else _script_from_here(script_file)
    script = f"./{script}" if script.startswith("-") else script  # not taken for an option
    return " ".join(quote(word) for word in [*python_words(), script])


def _script_from_here(script_file: str | Path) -> str:
    """``script_file`` relative to the working folder where it lies below it, else as given
    (absolute); as given where the working folder is gone."""
    script = Path(script_file)
    try:
        here = Path.cwd().resolve()
    except OSError:  # the working folder was deleted
        return str(script)
    return str(script.relative_to(here) if script.is_relative_to(here) else script)


def recorded_text(text: str) -> str:
    """``text`` as recorded in a JSON file: a name the locale could not decode (an ASCII locale,
    ``LC_ALL=C PYTHONUTF8=0``, reading ``/tmp/ré``) holds its bytes as lone surrogates, which
    JSON keeps as ``\\udcc3`` and a reader shows as garbage (probe 145 S2: the recorded working
    folder); those bytes read as UTF-8 where they are UTF-8, else as ``\\xNN`` escapes."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the bytes the locale did not decode
    except UnicodeEncodeError:  # a surrogate that no decoding made
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def recorded_word(text: str) -> str:
    """``text`` (a name as Python read it: bytes the locale could not decode as lone surrogates)
    as one word of a recorded command that pastes into bash: ``shlex.quote`` of its
    :func:`recorded_text`; where its bytes are not UTF-8 (a latin-1 folder name), bash's
    ``$'…'`` with those bytes as ``\\xNN`` and the rest as text. Probe 148: ``cd
    '/tmp/lat\\xe9 ré' && …`` was recorded, a folder bash cannot enter (JSON holds no raw byte,
    so the word is text either way)."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
        raw.decode("utf-8")
    except UnicodeEncodeError:  # a surrogate that no decoding made: no bytes to name
        return shlex.quote(recorded_text(text))
    except UnicodeDecodeError:
        return (
            "$'"
            + "".join(_dollar_quoted(ch) for ch in raw.decode("utf-8", "surrogateescape"))
            + "'"
        )
    return shlex.quote(recorded_text(text))


def _dollar_quoted(ch: str) -> str:
    """``ch`` inside bash's ``$'…'``: an undecoded byte (``\\udcNN``) and a control character
    as ``\\xNN``, a backslash or quote escaped, any other character as itself."""
    if 0xDC80 <= ord(ch) <= 0xDCFF:
        return f"\\x{ord(ch) - 0xDC00:02x}"
    if ch in "\\'":
        return "\\" + ch
    if not ch.isprintable():
        return "".join(f"\\x{b:02x}" for b in ch.encode("utf-8"))
    return ch


def _invoked_where() -> dict[str, Any]:
    """The working folder and the set variables of :data:`RUN_ENVIRONMENT` (only these: an
    environment may hold secrets), as :func:`recorded_text`."""
    return {
        "cwd": recorded_text(os.getcwd()),
        "environment": {
            name: recorded_text(os.environ[name]) for name in RUN_ENVIRONMENT if name in os.environ
        },
    }


#: The keys of :func:`script_invocation`'s record.
INVOCATION_KEYS = ("argv", "command", "cwd", "environment")


def session_invocation(invocation: Mapping[str, Any] | None, resume: bool) -> dict[str, Any]:
    """One session of a run as its config.json's ``invocations`` records it: ``kind`` (``start``
    | ``resume``), then :func:`script_invocation`'s record (``invocation``; None: a library call,
    recorded with ``argv`` and ``command`` None, its working folder and environment), and the
    session's ``started_utc``."""
    how = {"argv": None, "command": None, **_invoked_where(), **(invocation or {})}
    return {
        "kind": "resume" if resume else "start",
        **{key: how[key] for key in INVOCATION_KEYS},
        "started_utc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(word, str) for word in value)


#: Each field of an invocation record: (what it must be, its check on a script's record
#: (:func:`script_invocation`), its check on a recorded session (:func:`session_invocation`:
#: ``argv`` / ``command`` null for a library call)); None: not a field of that record.
_INVOCATION_FIELDS: dict[str, tuple[str, Any, Any]] = {
    "kind": ("'start' or 'resume'", None, lambda v: v in ("start", "resume")),
    "argv": ("a list of strings", _strings, lambda v: v is None or _strings(v)),
    "command": (
        "a string",
        lambda v: isinstance(v, str),
        lambda v: v is None or isinstance(v, str),
    ),
    "cwd": ("a string", lambda v: isinstance(v, str), lambda v: isinstance(v, str)),
    "environment": (
        "an object of strings",
        lambda v: isinstance(v, Mapping) and all(isinstance(w, str) for w in v.values()),
        lambda v: isinstance(v, Mapping) and all(isinstance(w, str) for w in v.values()),
    ),
    "started_utc": ("a string", None, lambda v: isinstance(v, str)),
}


def invocation_problem(record: Any, session: bool = False) -> str | None:
    """What is wrong with an invocation record (its field and value), None for one as this code
    writes it: :func:`script_invocation`'s (``session`` False) or one recorded session of a
    config.json's / sweep.json's ``invocations`` (:func:`session_invocation`'s, ``session`` True;
    probe 143: a hand-edited ``{"kind": "start", "command": 5}`` was taken, and results.json said
    ``command: 5``). A recorded session may hold fields beyond these (probe 144 row 6: one a
    newer rambo_env writes, ``hostname``, was refused as a hand edit): they are kept unchecked; a
    script's record, built by the caller, holds these alone. The problem begins with the field
    (``"argv is …"``, ``"environment.OMP_NUM_THREADS is …"``), or with ``"is "`` for a record
    that is no object."""
    if not isinstance(record, Mapping):
        return f"is {record!r:.60}, not an object"
    fields = {name: f for name, f in _INVOCATION_FIELDS.items() if f[2 if session else 1]}
    unknown = sorted(set(map(str, record)) - set(fields))
    if unknown and not session:
        return f"{unknown[0]} is not a field (expected {list(fields)})"
    for name, (expected, script_ok, session_ok) in fields.items():
        if session and name in ("argv", "command"):
            expected = f"{expected} or null"
        if name not in record:
            return f"{name} is missing (expected {expected})"
        value = record[name]
        if not (session_ok if session else script_ok)(value):
            if name == "environment" and isinstance(value, Mapping):
                variable, bad = next((k, v) for k, v in value.items() if not isinstance(v, str))
                return f"environment.{variable} is {bad!r:.60}, expected a string"
            return f"{name} is {value!r:.60}, expected {expected}"
    return None


def _at(where: str, problem: str) -> str:
    """``where`` (``invocations[0]``) joined to :func:`invocation_problem`'s ``problem``."""
    return f"{where} {problem}" if problem.startswith("is ") else f"{where}.{problem}"


def check_invocation(invocation: Any, what: str = "invocation") -> None:
    """ValueError unless ``invocation`` is None or a :func:`script_invocation` record."""
    problem = None if invocation is None else invocation_problem(invocation)
    if problem is not None:
        raise ValueError(
            f"{what}: expected None or rambo_env.run_io.script_invocation(__file__, argv)'s "
            f"record (keys {list(INVOCATION_KEYS)}), got {invocation!r:.80}: {problem}"
        )


def recorded_invocations(
    saved: Mapping[str, Any], path: str | Path, field: str, writer: str
) -> list[dict[str, Any]]:
    """A config.json's or sweep.json's ``invocations`` ([] in one written before probe 138),
    each record as found (fields a newer rambo_env adds kept); ValueError naming ``field``
    (``run_dir`` / ``sweep_dir``), the file and the record for one that is not a list of
    :func:`session_invocation` records (edited by hand), before a resume's setup.
    ``writer``: the script that writes the file (the advice's words)."""
    kept = saved.get("invocations", [])
    undo = (
        f"or remove the key (the earlier invocations are then not recorded; {writer} writes "
        "them again from this session on)"
    )
    if not isinstance(kept, list):
        raise ValueError(
            f"{field}: {path}: invocations is {kept!r:.60}, not a list of invocations (one record "
            f"per session, as {writer} writes it; edited by hand?): put back the list, {undo}"
        )
    for i, entry in enumerate(kept):
        problem = invocation_problem(entry, session=True)
        if problem is not None:
            raise ValueError(
                f"{field}: {path}: {_at(f'invocations[{i}]', problem)} (edited by hand?): put "
                f"back the record as {writer} wrote it, {undo}"
            )
    return kept


#: The format of the ``config.json`` this code writes (its top-level ``"format"``). Rule: add 1
#: whenever a field is added to CotrainConfig, to ``resolved`` or to the top level (older code
#: reads such a field as unknown): code that meets a format above its own then says "written by a
#: newer rambo_env" instead of taking the new field for a typo (probe 92 rows 29-30). A file
#: without a format (every run before probe 92) is read as before. 2: ``resolved['agent']``, what
#: the built agent's networks are (probe 92b rows 31, 79). 3: no new field here, but the run's
#: checkpoint holds RunHistory's ``suspended`` (2d9ffd0, probe 106), which older code's strict
#: reader refused as "unknown key(s) ['suspended']"; older code checks this format first on
#: --resume, so it says "written by a newer rambo_env … update the code (git pull)" (probe 124
#: rows 17, 35). 4: the top-level ``invocations``, each session's command line (probe 138; absent
#: in older runs, so a file of format 2 or 3 is one of 4 without it). Bump it with
#: ``agents.cotrain.CHECKPOINT_FORMAT`` whenever that one is bumped.
CONFIG_FORMAT = 4


def newer_config_format(saved: dict[str, Any], path: str | Path) -> str | None:
    """The advice for a ``config.json`` whose ``"format"`` is above :data:`CONFIG_FORMAT` (written
    by a newer rambo_env), None for today's format or none recorded; ValueError for a format that
    is not a positive int (edited by hand)."""
    from rambo_env.run_io import is_int  # run_io imports this module

    fmt = saved.get("format")
    if fmt is None:
        return None
    if not is_int(fmt) or fmt < 1:
        raise ValueError(
            f"{path}: format {fmt!r} is not a config format (a positive int, this code writes "
            f"{CONFIG_FORMAT}; edited by hand?): put back the run's value, or remove the key"
        )
    if fmt <= CONFIG_FORMAT:
        return None
    return (
        f"{path} was written by a newer rambo_env (config format {fmt} > {CONFIG_FORMAT}, this "
        "code's): update the code (git pull) to resume or read it"
    )


class NewerFormatError(ValueError):
    """An artefact written by a newer rambo_env (:func:`check_not_newer`): never a damaged file
    (:func:`damaged_file`), so a cache keeps it for the code that wrote it (probe 116 S1: a
    newer model in a shared model cache was "unreadable; removing it and training anew")."""


def check_not_newer(
    path: str | Path,
    fmt: Any,
    current: int,
    kind: str,
    fix: str,
    field: str = "format",
    allow_none: bool = True,
    key_required: bool = False,
) -> None:
    """ValueError when an artefact's recorded format ``fmt`` is above ``current`` (this code's):
    it was written by a newer rambo_env, so this code would misread it or drop what it does not
    know (probe 113 rows 30-34: older code said "unknown field(s) … remove it", "is not a ledger
    index … move it away", or raised a raw TypeError). ``fix``: what to do instead of updating
    (``"update the code (git pull) to " + fix``); ``field``: the key the file keeps it under. A
    format that is not a positive int is refused as edited by hand; None (a file written before
    formats were recorded) passes when ``allow_none`` (files that always recorded one: no).
    ``key_required``: the reader refuses a file without the key, so the advice for a value edited
    by hand does not offer removing it (probe 119 row 5: a model's was then "no
    ['format_version']")."""
    from rambo_env.run_io import is_int  # run_io imports this module

    if fmt is None and allow_none:
        return
    if not is_int(fmt) or fmt < 1:
        remove = "" if key_required else ", or remove the key"
        raise ValueError(
            f"{path}: {field} {fmt!r} is not a {kind} {field} (a positive int, this code writes "
            f"{current}; edited by hand?): put back the value written ({current}){remove}"
        )
    if fmt > current:
        raise NewerFormatError(
            f"{path} was written by a newer rambo_env ({kind} {field} {fmt} > {current}, this "
            f"code's): update the code (git pull) to {fix}"
        )
