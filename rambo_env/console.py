"""A script's console: stdout and stderr checked before a run's work (:func:`check_output_streams`),
guarded so that a failed write (a closed pipe, a full disk) ends the script with one line
(:func:`tolerant_console`), and the closed pipe of ``| head`` met (:func:`on_closed_pipe`,
:func:`is_closed_stdout`, :func:`silence_stdout`).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.tolerant_console``).
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable
from typing import Any

from rambo_env.command_line import script_line
from rambo_env.logging import note, notes_printed
from rambo_env.requirements import CLOSED_AT_START, escape_unencodable_output

__all__ = [
    "check_output_streams",
    "is_closed_stdout",
    "on_closed_pipe",
    "silence_stdout",
    "tolerant_console",
]


def check_output_streams(progress: bool, what: str | None = None) -> bool:
    """Before a run's work: ``sys.stdout`` (its lines) and, with ``progress``, ``sys.stderr``
    (its bars) can be written and flushed (probe 75: a closed stdout, a write-only logging
    adapter, ``sys.stderr = None`` with a bar were raw ``ValueError`` / ``AttributeError``s, the
    last after the whole setup with files left); a stream that cannot encode every character
    writes escapes (:func:`escape_unencodable_output`). Returns ``progress``.

    ``what``: a library entry point (``load_dataset``, ``make_mdp``, ``generate_dataset``) whose
    notes go to ``sys.stdout`` (probe 118 rows 8-11: a closed, broken-pipe or write-only stdout
    was a raw error after the work, make_mdp's after the model was trained and cached; ``sys.stderr
    = None`` with the default progress bars was tqdm's raw ``AttributeError``). For it a
    ``sys.stdout`` of None is taken (``print`` drops the notes, as under pythonw), one whose
    reader is gone (a closed pipe) is refused, and an unusable ``sys.stderr`` turns the bars off
    with a note: the returned ``progress`` is then False."""
    if what is not None:
        return _check_library_streams(progress, what)
    escape_unencodable_output()
    streams = [("sys.stdout", sys.stdout)] + ([("sys.stderr", sys.stderr)] if progress else [])
    for name, stream in streams:
        bar = " (with progress=True its progress bars go to sys.stderr)" if "err" in name else ""
        off = "; or pass progress=False" if "err" in name else ""
        if stream is None or getattr(stream, "closed", False) is True:
            if _script_console:  # probe 91 row 14: a shell user was told to pass an io.StringIO
                bars = " (with its progress bars)" if "err" in name else ""
                flag = "; or pass --no-progress" if "err" in name else ""
                raise ValueError(
                    f"{name[4:]} is closed (e.g. `>&-`), but a run prints its progress there"
                    f"{bars}; redirect it to a file or /dev/null (`> log.txt`, `> /dev/null`)"
                    f"{flag}"
                )
            state = "None" if stream is None else "closed"
            raise ValueError(
                f"{name}: {state}, but a run prints its progress there{bar}; give it an open "
                f"stream (io.StringIO collects the lines){off}"
            )
        missing = [m for m in ("write", "flush") if not callable(getattr(stream, m, None))]
        if missing:
            raise ValueError(
                f"{name}: {type(stream).__name__} has no {' / '.join(m + '()' for m in missing)}, "
                f"but a run prints with flush=True{bar}; give it one (a logging adapter: "
                f"def flush(self): pass){off}"
            )
    return progress


def _check_library_streams(progress: bool, what: str) -> bool:
    """:func:`check_output_streams` of a library entry point ``what``."""
    escape_unencodable_output()
    out = sys.stdout
    # None: print() writes nothing (pythonw, a service): the notes dropped; nor does a stdout
    # matter once the host stopped the notes printing (rambo_env.logging, probe 118 row 7)
    # a script's guarded stdout (tolerant_console) handles its own failed writes and closed
    # pipe: `make_dataset.py | head -1` saves the dataset and says so (probe 91 row 15); this
    # check raced the reader's exit and stopped it with status 2 instead (session 45 CI)
    if out is not None and notes_printed() and not isinstance(out, _GuardedStdout):
        unusable = _unusable_stream(out)
        if unusable is not None:
            raise ValueError(
                f"sys.stdout: {unusable}, but {what} prints its notes there (with flush=True); "
                "give it an open stream with write() and flush() (io.StringIO collects the "
                "lines; a logging adapter: def flush(self): pass; sys.stdout = None drops them)"
            )
    if progress:
        unusable = _unusable_stream(sys.stderr) if sys.stderr is not None else "None"
        if sys.stderr is None and 2 in CLOSED_AT_START:  # probe 145 R1: `2>&-`
            unusable = "closed when Python started (2>&-)"
        if unusable is not None:
            note(
                f"[rambo_env] {what}: progress bars off: sys.stderr (where they go): "
                f"{unusable} (pass progress=False to skip this note)",
            )
            return False
    return progress


def _unusable_stream(stream: Any) -> str | None:
    """Why ``stream`` cannot take a note (``"closed"``, ``"S has no flush()"``, its reader gone),
    else None. A test write of nothing and a flush find a stream object that fails every write;
    a pipe or socket whose reader exited is seen by poll() (a real one fails only at its next
    written byte, after the caller's work)."""
    if getattr(stream, "closed", False) is True:
        return "closed"
    missing = [m for m in ("write", "flush") if not callable(getattr(stream, m, None))]
    if missing:
        return f"{type(stream).__name__} has no {' / '.join(m + '()' for m in missing)}"
    try:
        stream.write("")
        stream.flush()
    except (OSError, ValueError) as err:
        return f"it cannot be written ({type(err).__name__}: {err})"
    if _reader_gone(stream):
        return "a pipe or socket whose reader is gone (writing raises BrokenPipeError)"
    return None


def _reader_gone(stream: Any) -> bool:
    """``stream`` is a pipe or socket whose reading end is closed (poll's POLLERR / POLLHUP on
    its write end); False where that cannot be told (no file descriptor, no poll())."""
    import select

    try:
        fd = stream.fileno()
        kind = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):  # io.UnsupportedOperation is an OSError
        return False
    if not (stat.S_ISFIFO(kind) or stat.S_ISSOCK(kind)) or not hasattr(select, "poll"):
        return False
    poller = select.poll()
    poller.register(fd, select.POLLOUT)
    try:
        events = poller.poll(0)
    except OSError:
        return False
    return any(ev & select.POLLERR for _, ev in events)


#: :func:`tolerant_console` ran: this process is a script, whose user is at a shell.
_script_console = False


def tolerant_console(own_closed_pipe: bool = False) -> None:
    """Let a script print on a terminal whose encoding lacks its λ, —, ≈ (a latin-1 or ASCII
    locale, ``PYTHONIOENCODING=ascii``): such characters come out as ``\\u03bb`` escapes (was:
    ``UnicodeEncodeError: 'latin-1' codec can't encode character '\\u2014'`` after the warm
    start, the run stopped; ``--help`` a raw traceback). A script's ``__main__`` calls it first.

    It also guards stdout (:class:`_GuardedStdout`): a failed write ends the script with one
    line; ``own_closed_pipe``: the script handles a closed pipe (``BrokenPipeError``) itself.
    And stderr (:class:`_GuardedStderr`): a failed write turns the progress bars off with one
    line on stdout, and the script goes on; a line printed while a bar is drawn starts on a
    line of its own.
    """
    global _script_console
    _script_console = True
    from rambo_env.requirements import end_import_window

    end_import_window()  # probe 131 note (a): the script's imports are done
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # replaced / closed / not a text stream
            pass
    if sys.stdout is not None and not isinstance(sys.stdout, _GuardedStdout):
        sys.stdout = _GuardedStdout(sys.stdout, own_closed_pipe)  # type: ignore[assignment]
    if sys.stderr is not None and not isinstance(sys.stderr, _GuardedStderr):
        sys.stderr = _GuardedStderr(sys.stderr)  # type: ignore[assignment]


#: What a script says when its output cannot be written.
_STDOUT_FAILED = (
    "error: stdout: this script's output cannot be written ({reason}): it goes to a full "
    "disk, a closed file or a failing device (e.g. `> log.txt` on a full disk); free space "
    "where it goes, or send it elsewhere, then rerun (a co-training run continues from its "
    "last checkpoint: {cotrain} --resume RUN)"
)


class _GuardedStdout:
    """``sys.stdout`` whose failed writes end the script with one line on stderr, exit status 2
    (:func:`tolerant_console` installs it). Probe 18: output redirected to a full disk
    (``/dev/full``, ``> log.txt``) was a raw ``OSError: [Errno 28]`` traceback (ledger,
    diagnose), ``--out: cannot write …`` (curves: the wrong file blamed) or a bare ``[Errno 28]
    No space left on device``; a closed pipe (``| head``) was ``--out: cannot write … (Broken
    pipe)`` (curves) or a raw ``BrokenPipeError`` traceback, except in cotrain, which handles it
    itself (``own_closed_pipe``)."""

    def __init__(self, stream: Any, own_closed_pipe: bool = False) -> None:
        self._stream, self._own_closed_pipe = stream, own_closed_pipe
        #: A write met a closed pipe and its BrokenPipeError went to the script (``own_closed_pipe``).
        self.reader_gone = False
        #: A write failed: the script is ending (:class:`_GuardedStderr` sends nothing here then).
        self.failed = False
        #: The last text written ended its line (or nothing was written yet).
        self.at_line_start = True

    def write(self, text: str) -> int:
        if text and self.at_line_start and isinstance(sys.stderr, _GuardedStderr):
            sys.stderr.end_bar_line()  # probe 117 rows 13, 21: was glued onto the bar
        written = self._guard(self._stream.write, text)
        if text:
            self.at_line_start = text.endswith("\n")
        return written

    def flush(self) -> None:
        self._guard(self._stream.flush)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _guard(self, call: Callable[..., Any], *args: Any) -> Any:
        try:
            return call(*args)
        except BrokenPipeError as err:
            if self._own_closed_pipe:
                # probe 93 row 42: marked, so that a run stopped by it mid-iteration is recorded
                # as interrupted (its reader exited), not as a failure (a bug)
                self.reader_gone = err.stdout_reader_gone = True  # type: ignore[attr-defined]
                raise
            done = _work_done()
            if done is not None:  # probe 91 row 15: a saved dataset was "so the script stopped"
                said, code = f"[{done[0]}] {_CLOSED_PIPE_DONE.format(done=done[1])}", 0
            else:
                said, code = f"error: {_CLOSED_PIPE}", 2
        except OSError as err:
            said, code = (
                _STDOUT_FAILED.format(
                    reason=err.strerror or err, cotrain=script_line("cotrain.py")
                ),
                2,
            )
        self.failed = True
        silence_stdout()  # later prints and the flush at exit go nowhere
        try:
            print(said, file=sys.stderr)
        except OSError:  # stderr is the closed pipe too (2>&1 | head)
            pass
        raise SystemExit(code)


#: What a script says on stdout when its stderr cannot be written.
_STDERR_FAILED = (
    "[rambo_env] WARNING: stderr: it cannot be written ({reason}); progress bars off from here, "
    "its other lines (warnings, errors) go to stdout (use --no-progress to skip the bars)"
)


class _GuardedStderr:
    """``sys.stderr`` of a script (:func:`tolerant_console` installs it), where the progress bars
    go. Probe 117 row 18: a stderr on a full disk (``2> log`` filling up, ``2>/dev/full``) ended a
    long run at a bar's redraw, exit status 2, with no word on stdout (the error line went to the
    failing stderr; results.json said a bare ``OSError … [Errno 28]`` naming no file), and from
    the start at the warm start's first bar. Now a failed write says so once on stdout and the run
    goes on: the bars are dropped from then on, the other lines (warnings, a last error) are
    written to stdout instead.

    Probe 117 rows 13, 21: a line printed while a bar's line was open (the estimate after
    iteration 2, the SIGUSR1 status line, a warning) was glued onto the bar's carriage-return
    line in a ``2>&1`` log (``grep '^\\[cotrain\\]'`` missed it) and on a terminal: the bar's
    line is ended first (:meth:`end_bar_line`; stdout's :class:`_GuardedStdout` asks for it), and
    the bar goes on below at its next draw."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        #: A write failed: the bars are dropped, the other lines go to stdout.
        self.failed = False
        self._bar_line = False  # the last write was a bar's draw, its line left open
        self._busy = False  # a write is under way (a signal handler's print comes in between)

    def write(self, text: str) -> int:
        bar = text.startswith(("\r", "\x1b"))  # tqdm draws "\r" + bar; "\x1b[A" moves up
        if self.failed:
            if text and not bar and not (self._bar_line and not text.strip("\n")):
                self._to_stdout(text)  # a bar's closing newline is dropped with the bar
        else:
            line = "\n" + text if text and not bar and self._bar_line and text[0] != "\n" else text
            self._busy = True
            try:
                self._stream.write(line)
            except OSError as err:
                self._off(err)
                if not bar:
                    self._to_stdout(text)
            finally:
                self._busy = False
        if text:  # any other text ended the bar's line (or began after it on its own)
            self._bar_line = bar
        return len(text)

    def flush(self) -> None:
        if self.failed:
            return
        try:
            self._stream.flush()
        except OSError as err:
            self._off(err)

    def end_bar_line(self) -> None:
        """End a bar's open line (a newline), so that the next line written to stdout, the same
        file under ``2>&1`` or the same terminal, starts on a line of its own."""
        if self._bar_line and not self.failed and not self._busy:
            self.write("\n")
            self.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)

    def _off(self, err: OSError) -> None:
        """Stop writing to the failed stream; say it once on stdout."""
        self.failed = True
        with contextlib.suppress(OSError, ValueError, AttributeError):
            _silence(self._stream)  # its unwritten bytes and the flush at exit go nowhere
        self._to_stdout(_STDERR_FAILED.format(reason=err.strerror or err) + "\n", own_line=True)

    @staticmethod
    def _to_stdout(text: str, own_line: bool = False) -> None:
        out = sys.stdout
        if out is None or getattr(out, "failed", False):  # stdout failed too: the script ends
            return
        if own_line and not getattr(out, "at_line_start", True):
            text = "\n" + text
        out.write(text)
        out.flush()


#: ``(script, done)`` of :func:`on_closed_pipe`, else None.
_closed_pipe_done: tuple[str, Callable[[], str | None]] | None = None


def is_closed_stdout(err: BaseException) -> bool:
    """``err`` is the BrokenPipeError of a script's stdout whose reader exited (``| head``),
    raised by :func:`tolerant_console`'s guard (``own_closed_pipe``), not another pipe's."""
    return isinstance(err, BrokenPipeError) and getattr(err, "stdout_reader_gone", False)


def on_closed_pipe(script: str, done: Callable[[], str | None]) -> None:
    """When the program reading this script's stdout exits (a closed pipe, e.g. ``| head``),
    ``done()`` says what the script had already finished (``"the dataset … WAS saved …"``, else
    None): then that is said on stderr and the script ends with exit status 0, as its work is
    complete (probe 91 row 15: a dataset saved before its last line was printed got "so the
    script stopped" and exit status 2, so a caller checking it took the dataset as failed)."""
    global _closed_pipe_done
    _closed_pipe_done = (script, done)


def _work_done() -> tuple[str, str] | None:
    """``(script, what it finished)`` by :func:`on_closed_pipe`'s ``done``, else None."""
    if _closed_pipe_done is None:
        return None
    script, done = _closed_pipe_done
    try:
        said = done()
    except Exception:  # a failing check: said as not done
        return None
    return None if said is None else (script, said)


#: What a script says when the program reading its output exited.
_CLOSED_PIPE = (
    "stdout: the program reading this output exited (a closed pipe, e.g. `| head`), so the "
    "script stopped; pipe into a reader that reads to the end (`| tee log.txt`, `| tail`) or "
    "write to a file (`> log.txt`)"
)


#: What a script says when the program reading its output exited after its work was done.
_CLOSED_PIPE_DONE = (
    "stdout: the program reading this output exited (a closed pipe, e.g. `| head`) after the "
    "work was done: {done}; exit status 0 (the rest of the output is lost: `| tee log.txt` "
    "keeps it)"
)


def silence_stdout() -> None:
    """Point stdout at the null device after its reader went away (a BrokenPipeError), so that
    later prints and the flush at exit do not fail again (Python's advice for SIGPIPE)."""
    try:
        _silence(sys.stdout)
    except (OSError, ValueError, AttributeError):  # no real stdout (captured, closed)
        pass


def _silence(stream: Any) -> None:
    """Point ``stream``'s file descriptor at the null device (its later writes go nowhere)."""
    fd = stream.fileno()
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
