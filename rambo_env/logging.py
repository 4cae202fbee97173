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
"""

from __future__ import annotations

import logging
import re
import sys

__all__ = [
    "CRITICAL",
    "DEBUG",
    "ERROR",
    "INFO",
    "WARNING",
    "disable_default_handler",
    "disable_propagation",
    "enable_default_handler",
    "enable_propagation",
    "get_logger",
    "get_verbosity",
    "note",
    "notes_printed",
    "set_verbosity",
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

    def emit(self, record: logging.LogRecord) -> None:
        stream = sys.stderr if getattr(record, _STDERR, False) else sys.stdout
        if stream is None:  # print() writes nothing then (pythonw, a service)
            return
        stream.write(f"{record.getMessage()}\n")
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


def get_logger() -> logging.Logger:
    """The ``"rambo_env"`` logger every note of the library goes through."""
    return _logger


def note(message: str, *, stderr: bool = False) -> None:
    """Say ``message`` through the ``"rambo_env"`` logger: at ``WARNING`` when it holds
    ``[…] WARNING``, else at ``INFO``; by default printed to ``sys.stdout`` (``sys.stderr`` with
    ``stderr=True``) unchanged."""
    level = WARNING if _WARNING_LINE.match(message) else INFO
    if _logger.isEnabledFor(level):
        _logger.log(level, message, extra={_STDERR: stderr})


def notes_printed() -> bool:
    """Whether the default handler prints any note (it is attached and ``WARNING`` passes)."""
    return _default_handler in _logger.handlers and _logger.isEnabledFor(WARNING)


def set_verbosity(level: int) -> None:
    """The least level said: ``WARNING`` keeps the ``[…] WARNING`` lines only, ``ERROR`` or
    above silences every note; ``INFO`` (the default) says all of them."""
    if isinstance(level, bool) or not isinstance(level, int):
        raise ValueError(
            f"set_verbosity: expected a logging level (rambo_env.logging.INFO, WARNING, ...), got "
            f"{type(level).__name__} {level!r}"
        )
    _logger.setLevel(level)


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
