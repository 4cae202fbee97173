"""Probe 118 row 7: the library's notes and warnings were ``print()``ed to stdout; a host process
could silence or route them only with ``contextlib.redirect_stdout`` (not ``logging``, not
``warnings``). They are records of the ``"rambo_env"`` logger now, printed unchanged by default."""

from __future__ import annotations

import contextlib
import io
import logging

import pytest

import rambo_env.logging as rlog
from rambo_env.data import OfflineDataset, load_dataset
from rambo_env.requirements import tracebacks_wanted
from tests.data.data_helpers import make_arrays, make_dataset


@pytest.fixture(autouse=True)
def _default_logging():
    yield
    rlog.set_verbosity(rlog.INFO)
    rlog.enable_default_handler()
    rlog.disable_propagation()


def _constant_action_arrays() -> dict:
    arrays = make_arrays([5, 4, 3], terminal_last=[False, True, False])
    arrays["actions"][:, -1] = 0.25  # one actuator never moves: a WARNING line
    return arrays


def _load(name: str = "mine") -> None:
    """An INFO note (the load line) and a WARNING line (a constant action dim)."""
    load_dataset(OfflineDataset.from_arrays(_constant_action_arrays(), name=name))


def test_default_output_is_the_printed_lines(capsys):
    assert rlog.get_verbosity() == rlog.INFO
    assert logging.getLogger("rambo_env").propagate is False
    _load()
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert out == "\n".join(lines) + "\n" and err == "", out  # whole lines, each flushed as printed
    assert [line[:41] for line in lines] == [  # the lines print() wrote, in their order
        "[rambo_env] WARNING: dataset 'mine': 1 of",
        "[rambo_env] WARNING: dataset 'mine' () na",
        "[rambo_env] dataset 'mine' <- arrays in m",
    ], out
    assert lines[0].endswith(
        "over all 12 rows: the dynamics model cannot learn what they do, "
        "so a policy trained in it may exploit them; check the data collection"
    )


def test_stderr_notes_stay_on_stderr(capsys, monkeypatch):
    monkeypatch.setenv("RAMBO_ENV_TRACEBACK", "maybe")
    assert tracebacks_wanted()
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("[rambo_env] note: RAMBO_ENV_TRACEBACK='maybe' is not"), err


def test_set_verbosity_warning_keeps_only_the_warnings(capsys):
    rlog.set_verbosity(rlog.WARNING)
    _load()
    out = capsys.readouterr().out
    assert "[rambo_env] WARNING: dataset 'mine'" in out
    assert "<- " not in out, out  # the INFO load line is gone
    assert all(line.startswith("[rambo_env] WARNING") for line in out.splitlines()), out
    rlog.set_verbosity(rlog.ERROR)
    _load()
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match="expected a logging level"):
        rlog.set_verbosity("quiet")  # type: ignore[arg-type]


def test_disabled_handler_and_propagation_route_to_the_host(capsys, caplog):
    capsys.readouterr()
    _load()
    printed = capsys.readouterr().out.splitlines()
    rlog.disable_default_handler()
    rlog.enable_propagation()
    with caplog.at_level(logging.INFO):
        _load()
    assert capsys.readouterr().out == ""  # nothing printed by the library
    records = [r for r in caplog.records if r.name == "rambo_env"]
    assert [r.getMessage() for r in records] == printed  # the same text, line for line
    levels = {r.getMessage(): r.levelno for r in records}
    assert all(
        level == (logging.WARNING if "] WARNING" in text else logging.INFO)
        for text, level in levels.items()
    )
    rlog.disable_propagation()  # no handler at all: nothing, not logging's lastResort on stderr
    _load()
    out, err = capsys.readouterr()
    assert out == "" and err == ""
    rlog.enable_default_handler()
    _load()
    assert capsys.readouterr().out.splitlines() == printed


def test_redirect_stdout_still_captures(capsys):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        _load()
    assert "[rambo_env] WARNING: dataset 'mine'" in buffer.getvalue()
    assert capsys.readouterr().out == ""


def test_a_bad_stdout_does_not_matter_once_notes_are_off(monkeypatch):
    """``check_output_streams`` refuses a closed stdout only while the notes are printed."""
    closed = io.StringIO()
    closed.close()
    dataset = make_dataset()
    monkeypatch.setattr("sys.stdout", closed)
    with pytest.raises(ValueError, match=r"sys\.stdout: closed"):
        load_dataset(dataset)
    rlog.disable_default_handler()
    assert load_dataset(dataset).n_transitions == dataset.n_transitions
