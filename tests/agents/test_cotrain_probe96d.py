"""Probe 96a rows 26, 63: λ written without its exponent; load_session on a run still training."""

from __future__ import annotations

import subprocess
import sys

from agents.cotrain import load_session, run_cotrain
from rambo_env import run_io
from tests.agents.test_cotrain import (  # noqa: F401 (fixtures)
    _shared_model_cache,
    tiny_config,
    tiny_hopper,
)

LARGE = "[rambo_env] WARNING: adversary weight λ = 3 (adversary_weight / --lam) is far above"
LIVE = "is still being trained by process"


def test_a_large_lambda_is_said(
    tiny_hopper,  # noqa: F811
    tmp_path,
    capsys,
):
    # probe 96a row 26: '--lam 3' (3 for 3e-4) was trained without a word
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, adversary_weight=3.0, n_iterations=1), run_dir)
    out = capsys.readouterr().out
    assert out.count(LARGE) == 1 and "(λ = 3e-4)?" in out
    from agents.cotrain_setup import say_large_adversary_weight

    say_large_adversary_weight(3e-4)
    say_large_adversary_weight(1.0)
    assert capsys.readouterr().out == ""  # the paper's values: quiet


def test_a_run_another_process_holds_is_loaded_with_a_note(tiny_hopper, tmp_path, capsys):  # noqa: F811
    # probe 96a row 63: a run another process holds (its .lock) was loaded without a word
    run_dir = tmp_path / "run"
    run_cotrain(tiny_config(tiny_hopper, n_iterations=1), run_dir)
    assert LARGE not in capsys.readouterr().out
    load_session(run_dir, device="cpu")
    assert LIVE not in capsys.readouterr().out  # finished, no holder
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    try:
        start = run_io.process_start(child.pid)
        ident = run_io.folder_identity(run_dir)
        lock = " ".join(str(p) for p in (child.pid, start, ident) if p)
        (run_dir / run_io.LOCK_NAME).write_text(lock)
        load_session(run_dir, device="cpu")
        out = capsys.readouterr().out
        assert f"{run_dir} {LIVE} {child.pid} (its .lock): loaded its checkpoint of" in out
    finally:
        child.kill()
        child.wait()
        (run_dir / run_io.LOCK_NAME).unlink(missing_ok=True)
