"""The library's notes, warnings and progress lines, through :mod:`logging` (probe 118 row 7).

Every ``[rambo_env] …`` / ``[cotrain] …`` / ``[ledger] …`` / ``[sweep] …`` line of ``rambo_env``
and ``agents`` is a record of the ``"rambo_env"`` logger: lines holding ``] WARNING`` at
``WARNING``, the other notes at ``INFO``. By default a handler of that logger writes each
message, unchanged, to the *current* ``sys.stdout`` (``sys.stderr`` for the few lines that went
there) and flushes it, as ``print(..., flush=True)`` did, so ``contextlib.redirect_stdout`` and
pytest's ``capsys`` still see them; the logger does not propagate, so a host's root handlers do
not print them twice. A host embedding the library routes or silences them as with optuna::

    import rambo_env.logging

    rambo_env.logging.set_verbosity(rambo_env.logging.WARNING)  # the WARNING lines only
    rambo_env.logging.disable_default_handler()  # nothing printed by the library ...
    rambo_env.logging.enable_propagation()  # ... the records go to the host's logging config

(was: ``print()`` to stdout, silenceable only by ``contextlib.redirect_stdout``). The scripts'
own lines (``scripts/``, a script's ``error:`` line and exit status) are printed as before.

Probe 122: the modules' own loggers (``logging.getLogger(__name__)``, children of
``"rambo_env"``) are not notes: the default handler prints their ``WARNING`` records to stderr
and the others only under ``set_verbosity(DEBUG)``, as before the notes went through logging
(their INFO lines had been dropped). A host's ``dictConfig`` that disabled the logger (it existed
then) still gets the WARNING lines. :func:`state` / :func:`apply_state` carry the settings to a
sweep's trials.
"""

from __future__ import annotations

import logging
import operator
import re
import sys

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "WARNING",
    "apply_state",
    "disable_default_handler",
    "disable_propagation",
    "enable_default_handler",
    "enable_propagation",
    "get_logger",
    "get_verbosity",
    "note",
    "notes_printed",
    "set_verbosity",
    "state",
]

CRITICAL = logging.CRITICAL
ERROR = logging.ERROR
WARNING = logging.WARNING
INFO = logging.INFO
DEBUG = logging.DEBUG

_NAME = "rambo_env"
_WARNING_LINE = re.compile(r"\[[^\]\s]+\] WARNING")  # "[rambo_env] WARNING: …", "[cotrain] …"
_STDERR = "rambo_env_stderr"  # the record attribute naming the stream the line went to


class _StreamHandler(logging.Handler):
    """The default handler: the message as ``print(message, flush=True)`` wrote it, to the
    stream current at emit time. Its errors propagate as print's did (logging's ``handleError``
    would print a traceback and go on: a closed pipe under a script must still stop it)."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(logging.Formatter("%(message)s"))  # a module record's exc_info too

    def emit(self, record: logging.LogRecord) -> None:
        if not hasattr(record, _STDERR):  # a module logger's record (:func:`_module_record_shown`)
            if not _module_record_shown(record):
                return
            stream, text = sys.stderr, self.format(record)
        else:
            stream = sys.stderr if getattr(record, _STDERR) else sys.stdout
            text = record.getMessage()
        if stream is None:  # print() writes nothing then (pythonw, a service)
            return
        stream.write(f"{text}\n")
        flush = getattr(stream, "flush", None)
        if callable(flush):
            flush()


_logger = logging.getLogger(_NAME)
_default_handler = _StreamHandler()
if not _logger.handlers:  # a re-import (importlib.reload) keeps the host's settings
    _logger.addHandler(logging.NullHandler())  # no handler left: never logging's lastResort
    _logger.addHandler(_default_handler)
    _logger.setLevel(INFO)
    _logger.propagate = False
else:
    _default_handler = next(
        (h for h in _logger.handlers if type(h).__name__ == "_StreamHandler"), _default_handler
    )


def _module_record_shown(record: logging.LogRecord) -> bool:
    """Whether the default handler prints a record of a module's own logger
    (``logging.getLogger(__name__)``, e.g. ``rambo_env.dynamics.training``'s per-epoch lines),
    which :func:`note` did not make: at ``WARNING`` or above (logging's last-resort handler printed
    those to stderr before the notes went through logging), the rest only under
    ``set_verbosity(DEBUG)``, formatted with their traceback. Probe 122 row 2: the INFO line
    ``MLE pretraining: 2 epochs …`` logging had dropped was printed among the notes."""
    return record.levelno >= WARNING or _logger.getEffectiveLevel() <= DEBUG


def state() -> dict[str, object]:
    """This process's settings (verbosity, default handler, propagation), for
    :func:`apply_state` in another process: a Ray sweep's trials (``agents.sweep``) follow the
    driver's :func:`set_verbosity` and handler choices."""
    return {
        "level": _logger.level,
        "default_handler": _default_handler in _logger.handlers,
        "propagate": _logger.propagate,
    }


def apply_state(settings: dict[str, object]) -> None:
    """Take the settings :func:`state` returned (in a sweep trial, before its first note)."""
    _logger.setLevel(_level_number(settings["level"]))
    if settings["default_handler"]:
        enable_default_handler()
    else:
        disable_default_handler()
    _logger.propagate = bool(settings["propagate"])


def get_logger() -> logging.Logger:
    """The ``"rambo_env"`` logger every note of the library goes through."""
    return _logger


def note(message: str, *, stderr: bool = False) -> None:
    """Say ``message`` through the ``"rambo_env"`` logger: at ``WARNING`` when it holds
    ``[…] WARNING``, else at ``INFO``; by default printed to ``sys.stdout`` (``sys.stderr`` with
    ``stderr=True``) unchanged."""
    level = WARNING if _WARNING_LINE.match(message) else INFO
    if _logger.disabled:  # a host's dictConfig / fileConfig disabled the loggers it found
        _disabled_note(level, message, stderr)
    elif _logger.isEnabledFor(level):
        _logger.log(level, message, extra={_STDERR: stderr})


def _disabled_note(level: int, message: str, stderr: bool) -> None:
    """A note while a host's ``logging.config.dictConfig`` (``disable_existing_loggers``, true
    by default: Django, uvicorn) disabled the ``"rambo_env"`` logger because it existed then:
    the WARNING lines are still printed by the default handler, the other notes are dropped.
    Probe 122 row 23: every note, WARNING lines too, vanished without a word (a dictConfig made
    before ``import rambo_env`` left them all). A host that names ``"rambo_env"`` in its config
    (its level, handlers) or calls :func:`set_verbosity` / :func:`disable_default_handler` is
    followed as always."""
    # set_verbosity(ERROR), a config naming "rambo_env" (its level), logging.disable(): followed
    if level < WARNING or not notes_printed():
        return
    record = _logger.makeRecord(_NAME, level, __file__, 0, message, None, None)
    setattr(record, _STDERR, stderr)
    _default_handler.handle(record)


def notes_printed() -> bool:
    """Whether the default handler prints any note (it is attached and ``WARNING`` passes; a
    logger disabled by a host's dictConfig still prints them: :func:`_disabled_note`)."""
    return _warnings_pass() and _default_handler in _logger.handlers


def _warnings_pass() -> bool:
    """Whether the verbosity and ``logging.disable`` let ``WARNING`` records through (the
    logger's ``disabled`` flag aside)."""
    return _logger.getEffectiveLevel() <= WARNING and logging.root.manager.disable < WARNING


def set_verbosity(level: int | str) -> None:
    """The least level said: ``WARNING`` keeps the ``[…] WARNING`` lines only, ``ERROR`` or
    above silences every note; ``INFO`` (the default) says all of them; ``DEBUG`` adds the
    modules' debug records. ``level`` as :meth:`logging.Logger.setLevel` takes it: an integer
    (``rambo_env.logging.WARNING``, ``numpy.int64(30)``) or a level name (``"WARNING"``, upper
    case as logging spells it). Probe 122 row 12: a name or a numpy integer was refused."""
    _logger.setLevel(_level_number(level))


def _level_number(level: object) -> int:
    """``level`` (an integer-like or one of logging's level names) as a number, else ValueError."""
    if isinstance(level, str) and level in logging.getLevelNamesMapping():
        return logging.getLevelNamesMapping()[level]
    if not isinstance(level, (bool, str)):
        try:
            return operator.index(level)
        except TypeError:
            pass
    names = ", ".join(repr(name) for name in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
    raise ValueError(
        f"set_verbosity: expected a logging level (rambo_env.logging.INFO, WARNING, ..., an "
        f"integer, or one of the names {names}), got {type(level).__name__} {level!r}"
    )


def get_verbosity() -> int:
    """The ``"rambo_env"`` logger's effective level (``INFO`` by default)."""
    return _logger.getEffectiveLevel()


def disable_default_handler() -> None:
    """Stop printing the notes (with :func:`enable_propagation`: the host's handlers get them)."""
    _logger.removeHandler(_default_handler)


def enable_default_handler() -> None:
    """Print the notes again (the default)."""
    if _default_handler not in _logger.handlers:
        _logger.addHandler(_default_handler)


def enable_propagation() -> None:
    """Pass the records on to the root logger's handlers too (off by default)."""
    _logger.propagate = True


def disable_propagation() -> None:
    """Keep the records to the ``"rambo_env"`` logger's own handlers (the default)."""
    _logger.propagate = False
