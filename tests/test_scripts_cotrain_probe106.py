"""Probe 106 row 19: scripts/cotrain.py told "the MLE pretraining checkpoint … is kept" and "its
last checkpoint is kept" by comparing file mtimes with the session's start clock."""

from __future__ import annotations

import os
import time

from tests.scripts import load_script


def test_files_written_under_a_lagging_file_server_clock_are_this_sessions(tmp_path, monkeypatch):
    # probe 106 row 19: was dropped when the file server's clock lagged the machine's by 30 s
    monkeypatch.setenv("RAMBO_ENV_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    module = load_script("cotrain")
    earlier = tmp_path / "cache" / "dynamics-a.partial.pt"
    earlier.write_bytes(b"x")
    run_dir = tmp_path / "run"
    since = module.SessionFiles()
    since.note(run_dir / "checkpoint.pt")
    assert module.mle_kept_note(since) == ""
    assert module.stopped_by_error_line(run_dir, None, since) == ""
    lagging = time.time() - 30  # the mtimes the file server gives this session's writes
    new = tmp_path / "cache" / "dynamics-b.partial.pt"
    new.write_bytes(b"x")
    os.utime(new, (lagging, lagging))
    assert module.mle_kept_note(since) == f"; the MLE pretraining checkpoint {new} is kept"
    run_dir.mkdir()
    (run_dir / "checkpoint.pt").write_bytes(b"x")
    os.utime(run_dir / "checkpoint.pt", (lagging, lagging))
    assert module.stopped_by_error_line(run_dir, None, since).startswith(
        "the run stopped on this error; its last checkpoint is kept"
    )
    # an earlier session's MLE checkpoint rewritten by this one (the same name) is this one's
    earlier.write_bytes(b"xy")
    os.utime(earlier, (lagging + 1, lagging + 1))
    assert module.mle_kept_note(since) == f"; the MLE pretraining checkpoint {earlier} is kept"
