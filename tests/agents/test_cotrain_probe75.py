"""Probe 75: embedding the library: ``import agents`` and ``progress=False`` leave the caller's
process as it was (python ``random`` state, multiprocessing's start method, threads)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import gymnasium as gym

from rambo_env.data.dataset import OfflineDataset
from rambo_env.progress import NullBar, progress_bar
from tests.agents.test_cotrain import _random_action_rows

ROOT = Path(__file__).resolve().parents[2]


def _python(code: str, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=600,
    )


def test_import_agents_keeps_the_callers_random_state():
    # probe 75 row 7: was `import agents.factory` (SB3 -> rich.style, a getrandbits at import)
    # advancing the python `random` state the caller had just seeded
    code = (
        "import random\n"
        "random.seed(123); before = random.getstate()\n"
        "import agents.factory, agents.cotrain\n"
        "print('kept' if random.getstate() == before else 'moved')\n"
    )
    result = _python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "kept"


def test_progress_off_builds_no_tqdm_object():
    bar = progress_bar(total=5, initial=1, desc="x", unit="it", progress=False)
    assert isinstance(bar, NullBar)
    with bar:
        bar.update(2)
        bar.set_postfix(loss="1")
    bar.close()
    assert bar.n == 3 and bar.total == 5
    items = [1, 2]
    assert progress_bar(items, desc="x", progress=False) is items


def test_progress_off_leaves_the_start_method_unset_and_no_tqdm_thread(tmp_path):
    # probe 75 rows 4-5: was run_cotrain(progress=False) fixing multiprocessing's start method
    # to 'fork' (a later set_start_method('spawn') raised "context has already been set") and
    # leaving tqdm's monitor thread running: a disabled tqdm bar still made tqdm's lock and monitor
    rows = _random_action_rows(gym.make("Hopper-v5", max_episode_steps=40), 300, 0.5)
    dataset = OfflineDataset.from_arrays(
        rows, env_id="Hopper-v5", name="tiny-hopper", ref_min_score=-20.272305, ref_max_score=3234.3
    )
    npz = dataset.to_npz(tmp_path / "tiny-hopper.npz")
    code = (
        "import multiprocessing as mp, sys, threading\n"
        "import numpy as np\n"
        "from agents.cotrain import run_cotrain\n"
        "from rambo_env.data.generate import collect_episodes\n"
        "from tests.agents.test_cotrain import tiny_config\n"
        "run_cotrain(tiny_config(sys.argv[1], progress=False), sys.argv[2])\n"
        "collect_episodes('Hopper-v5', 20, lambda obs: np.zeros((len(obs), 3), np.float32),\n"
        "                 rng=np.random.default_rng(0), n_envs=2, progress=False)\n"
        "print('start method', mp.get_start_method(allow_none=True))\n"
        "print('threads', sorted(t.name for t in threading.enumerate()))\n"
        "mp.set_start_method('spawn'); print('spawn set')\n"
    )
    result = _python(code, str(npz), str(tmp_path / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "start method None" in result.stdout
    assert "tqdm_monitor" not in result.stdout
    assert "spawn set" in result.stdout
