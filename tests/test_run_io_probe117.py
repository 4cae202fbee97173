"""Probe 117 rows 13, 18, 21: a script's stderr (where its progress bars go) that fails, and the
lines printed while a bar is drawn (tolerant_console's guarded stdout / stderr)."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rambo_env import console as console_module
from rambo_env import run_io
from rambo_env.progress import progress_bar

ROOT = Path(__file__).resolve().parents[1]


class Sink:
    """A stream writing into ``shared`` (one list for stdout and stderr: ``2>&1``); its writes
    raise ENOSPC from the ``fail_at``-th on (a disk that fills up)."""

    def __init__(self, shared: list[str], fail_at: int | None = None) -> None:
        self.shared, self.fail_at, self.writes = shared, fail_at, 0

    def write(self, text: str) -> int:
        self.writes += 1
        if self.fail_at is not None and self.writes >= self.fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        self.shared.append(text)
        return len(text)

    def flush(self) -> None:
        if self.fail_at is not None and self.writes >= self.fail_at:
            raise OSError(errno.ENOSPC, "No space left on device")

    def isatty(self) -> bool:
        return False


@pytest.fixture
def console(monkeypatch):
    """``(out, err, install)``: stdout and stderr lists; ``install(fail_at=..., joined=...)`` makes
    the streams and runs tolerant_console as a script's ``__main__`` does (undone after)."""
    monkeypatch.setattr(console_module, "_script_console", False)
    # tqdm's "\r" bars, as on a terminal (a log file's plain lines: test_progress_probe137s.py)
    monkeypatch.setattr("rambo_env.progress.is_terminal", lambda stream: True)
    out: list[str] = []
    err: list[str] = []

    def install(fail_at: int | None = None, joined: bool = False) -> None:
        monkeypatch.setattr(sys, "stdout", Sink(out))
        monkeypatch.setattr(sys, "stderr", Sink(out if joined else err, fail_at))
        run_io.tolerant_console(own_closed_pipe=True)

    return out, err, install


def _bar_run(notes_at: int = 2, n: int = 5) -> None:
    """A co-training-like loop: a bar on stderr, a note on stdout and a warning line on stderr
    while it is drawn, the bar closed, a last line on stderr (an error's)."""
    bar = progress_bar(total=n, progress=True, desc="co-training", mininterval=0)
    for i in range(n):
        bar.update(1)
        if i == notes_at:
            print("[cotrain] after iteration 2: estimated wall time: 4.2 s", flush=True)
            print("[rambo_env] WARNING: a warning line", file=sys.stderr)
    bar.close()
    print("[cotrain] error: the last line", file=sys.stderr)


def test_a_stderr_that_fills_up_mid_run_turns_the_bars_off_and_the_run_goes_on(console):
    # was: the bar's redraw raised OSError [Errno 28] out of the iteration, exit status 2, and
    # nothing on stdout said that stderr was the cause
    out, err, install = console
    install(fail_at=4)  # the bar drew a few times, then the disk is full
    _bar_run()
    said = "".join(out).splitlines()
    assert said.count(said[0]) == 1 and said[0].startswith("[rambo_env] WARNING: stderr: ")
    assert "(No space left on device)" in said[0] and "progress bars off" in said[0]
    assert said[1:] == [  # the other stderr lines go to stdout; the bars (and their newline) not
        "[cotrain] after iteration 2: estimated wall time: 4.2 s",
        "[rambo_env] WARNING: a warning line",
        "[cotrain] error: the last line",
    ]
    assert all(t.startswith("\r") for t in err)  # only bar draws made it before the failure
    assert sys.stderr.failed


def test_a_stderr_that_cannot_be_written_from_the_start_is_said_once(console):
    out, err, install = console
    install(fail_at=1)  # 2>/dev/full: the warm start's first bar draw
    _bar_run()
    assert not err
    text = "".join(out)
    assert text.count("stderr: it cannot be written") == 1
    assert text.endswith("[cotrain] error: the last line\n")


def test_stdout_failing_too_still_ends_the_script_as_before(console, monkeypatch):
    out, _, install = console
    install(fail_at=2)
    monkeypatch.setattr(sys.stdout, "_stream", Sink(out, fail_at=1))  # 2>&1 on a full disk
    monkeypatch.setattr(console_module, "silence_stdout", lambda: None)  # _GuardedStdout's
    with pytest.raises(SystemExit) as ended:
        _bar_run()
    assert ended.value.code == 2
    assert sys.stdout.failed


def test_lines_printed_while_a_bar_is_drawn_start_on_their_own_line(console):
    # probe 117 rows 13, 21: under 2>&1 the estimate after iteration 2 (and the SIGUSR1 status
    # line) were glued onto the bar's carriage-return line: grep '^\[cotrain\]' missed them
    out, _, install = console
    install(joined=True)
    _bar_run()
    log = "".join(out)
    lines = log.split("\n")
    for wanted in (
        "[cotrain] after iteration 2: estimated wall time: 4.2 s",
        "[rambo_env] WARNING: a warning line",
        "[cotrain] error: the last line",
    ):
        assert wanted in lines, log
    assert "\r" not in lines[-2] and lines[-1] == ""
    assert sum("co-training: 100%" in line for line in lines) >= 1  # the bar went on below


def test_a_status_line_from_a_signal_handler_mid_write_does_not_reenter_stderr(console):
    out, _, install = console
    install(joined=True)
    bar = progress_bar(total=3, progress=True, desc="co-training", mininterval=0)
    bar.update(1)
    stderr = sys.stderr
    stderr._busy = True  # a signal handler's print while stderr's write is under way
    print("[cotrain] status: iteration 1/3 done", flush=True)
    stderr._busy = False
    bar.close()
    assert "[cotrain] status: iteration 1/3 done" in "".join(out)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_script_with_stderr_on_dev_full_runs_to_its_end(tmp_path):
    script = tmp_path / "bars.py"
    script.write_text(
        "import sys, warnings\n"
        "from rambo_env import run_io\n"
        "from rambo_env.progress import progress_bar\n"
        "run_io.tolerant_console(own_closed_pipe=True)\n"
        "bar = progress_bar(total=3, progress=True, mininterval=0)\n"
        "for _ in range(3):\n"
        "    bar.update(1)\n"
        "bar.close()\n"
        "warnings.warn('a library warning')\n"
        "print('[cotrain] finished', flush=True)\n"
    )
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=full,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
    assert done.returncode == 0, done.stdout
    assert "[rambo_env] WARNING: stderr: it cannot be written (No space left on device)" in (
        done.stdout
    )
    assert "UserWarning: a library warning" in done.stdout
    assert done.stdout.endswith("[cotrain] finished\n")


def test_without_a_bar_stderr_lines_are_left_as_they_are(console):
    _, err, install = console
    install()
    print("first", file=sys.stderr)
    print("second", file=sys.stderr, end="")
    print(" part", file=sys.stderr)
    assert "".join(err) == "first\nsecond part\n"
