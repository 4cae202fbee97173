"""Probe 75 (embedding the library): run_cotrain inside someone else's program."""

from __future__ import annotations

import io
import signal
import threading

import pytest

from agents import cotrain
from agents.cotrain import run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (fixture)


def test_a_second_run_in_another_thread_of_the_process_is_refused(tiny_hopper, tmp_path):  # noqa: F811
    """Row 39: two runs in two threads both "finished", with numbers neither gives alone."""
    seen: list = []
    started, release = threading.Event(), threading.Event()

    def first_iteration(metrics):
        started.set()
        release.wait(60)

    cfg = tiny_config(tiny_hopper, n_iterations=1)
    worker = threading.Thread(
        target=lambda: seen.append(run_cotrain(cfg, tmp_path / "a", on_iteration=first_iteration))
    )
    worker.start()
    try:
        assert started.wait(120)
        with pytest.raises(ValueError, match=r"^run_cotrain: another run_cotrain / load_session"):
            run_cotrain(cfg, tmp_path / "b")
        assert not (tmp_path / "b").exists()
    finally:
        release.set()
        worker.join(120)
    assert seen[0]["status"] == "finished"
    assert run_cotrain(cfg, tmp_path / "b")["status"] == "finished"  # one after the other: fine


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="POSIX signals")
def test_the_callers_own_signal_handlers_and_excepthook_are_left_alone(tiny_hopper, tmp_path):  # noqa: F811
    """Rows 34-36: a caller's SIGTERM / SIGHUP / SIGUSR1 handler was replaced for the run's
    length; row 6: threading.excepthook was replaced for the life of the process."""
    mine = {sig: (lambda signum, frame: None) for sig in (signal.SIGTERM, signal.SIGHUP)}
    mine[signal.SIGUSR1] = lambda signum, frame: None
    before = {sig: signal.signal(sig, handler) for sig, handler in mine.items()}
    hook = threading.excepthook
    seen: dict = {}
    try:
        cfg = tiny_config(tiny_hopper, n_iterations=1)
        run_cotrain(cfg, tmp_path / "a", on_iteration=lambda m: seen.update(
            {sig: signal.getsignal(sig) for sig in mine}))  # fmt: skip
    finally:
        for sig, old in before.items():
            signal.signal(sig, old)
    assert seen == mine  # during the run
    assert threading.excepthook is hook  # the caller's (a hook set before the run stays)
    assert signal.SIGTERM in run_io.stop_signals()  # the default handler: a run handles it


class _WriteOnly:
    def write(self, text):
        return len(text)


@pytest.mark.parametrize(
    ("stream", "progress", "message"),
    [
        ("closed", False, r"^sys\.stdout: closed, but a run prints its progress there"),
        ("write_only", False, r"^sys\.stdout: _WriteOnly has no flush\(\), but a run prints"),
        ("stderr_none", True, r"^sys\.stderr: None, but a run prints .* or pass progress=False$"),
    ],
)
def test_an_unusable_output_stream_is_one_error_before_any_work(
    tiny_hopper,  # noqa: F811 (fixture)
    tmp_path,
    monkeypatch,
    stream,
    progress,
    message,
):
    """Rows 20, 49, 23: raw ValueError / AttributeError at the first print, or (stderr None with
    a progress bar) after the whole setup with files left."""
    if stream == "closed":
        closed = io.StringIO()
        closed.close()
        monkeypatch.setattr("sys.stdout", closed)
    elif stream == "write_only":
        monkeypatch.setattr("sys.stdout", _WriteOnly())
    else:
        monkeypatch.setattr("sys.stderr", None)
    with pytest.raises(ValueError, match=message):
        run_cotrain(tiny_config(tiny_hopper, progress=progress), tmp_path / "a")
    assert not (tmp_path / "a").exists()


def test_an_ascii_stream_set_after_import_gets_escapes(tiny_hopper, tmp_path, monkeypatch):  # noqa: F811
    """Row 43: ``sys.stdout = open(log, 'w', encoding='ascii')`` set after the import raised
    UnicodeEncodeError at the run's first "—", after the dataset load and the model build."""
    log = open(tmp_path / "log", "w", encoding="ascii")
    monkeypatch.setattr("sys.stdout", log)
    try:
        result = run_cotrain(tiny_config(tiny_hopper, n_iterations=1), tmp_path / "a")
    finally:
        log.close()
    assert result["status"] == "finished"
    assert "\\u2014" in (tmp_path / "log").read_text()


def test_an_interrupted_setup_and_a_finished_run_tell_an_api_caller_what_to_call(
    tiny_hopper,  # noqa: F811 (fixture)
    tmp_path,
    monkeypatch,
):
    """Rows 45 and 40: Ctrl-C in the setup gave a bare ``KeyboardInterrupt`` (no message); a
    finished run pointed an API caller at ``--n-iterations`` only."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    cfg = tiny_config(tiny_hopper, n_iterations=1)
    with monkeypatch.context() as m:
        m.setattr(cotrain, "build_session", interrupted)
        with pytest.raises(KeyboardInterrupt) as stopped:
            run_cotrain(cfg, tmp_path / "a")
    assert not isinstance(stopped.value, cotrain.RunInterrupted)
    assert str(stopped.value).startswith(
        "Ctrl-C: interrupted before training (the setup: dataset, MLE pretraining, BC): call "
        "run_cotrain with the same arguments again (resume=False, as it was"
    )
    assert run_cotrain(cfg, tmp_path / "a")["status"] == "finished"  # as it says
    again = run_cotrain(cfg, tmp_path / "a", resume=True)
    assert (
        "run_cotrain(dataclasses.replace(cfg, n_iterations=N), run_dir, resume=True)"
        in (again["message"])
    )
