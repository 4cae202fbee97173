"""Load a ``scripts/<name>.py`` file as a module (the scripts folder is not a package); run Python
code in a child process with this checkout importable."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]


def load_script(name: str) -> ModuleType:
    """``scripts/<name>.py`` executed as the module ``<name>_script``."""
    spec = importlib.util.spec_from_file_location(f"{name}_script", REPO / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a script's dataclasses resolve their annotations there
    spec.loader.exec_module(module)
    return module


def python_path() -> str:
    """``PYTHONPATH`` for a child process: this checkout first, then the caller's own entries
    (packages carried on ``PYTHONPATH``, as on a lent GPU machine, stay importable)."""
    return os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)


def run_python(code: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -c code`` in a child process (signals sent to itself stay there), with this
    checkout importable and one torch thread; stdout and stderr captured as text."""
    return _run_child(["-c", code], cwd, timeout)


def run_python_file(
    path: Path, cwd: Path = REPO, timeout: float = 600
) -> subprocess.CompletedProcess:
    """:func:`run_python` of the script file ``path`` (its own ``__main__`` file: what spawn and
    forkserver workers re-import)."""
    return _run_child([str(path)], cwd, timeout)


def _run_child(args: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": python_path(), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, *args], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def invocation_in_c_locale(script: str, argv: list[bytes], cwd: bytes | Path, cache: bytes) -> dict:
    """``provenance.script_invocation(script, argv)`` recorded by a child process in the C locale
    (``PYTHONUTF8=0``: non-ASCII names reach Python as surrogates), run in ``cwd`` with
    ``RAMBO_ENV_CACHE=cache`` and none of the caller's other recorded variables."""
    from rambo_env import provenance

    code = (
        "import json, sys; from rambo_env import provenance; "
        f"r = provenance.script_invocation({script!r}, sys.argv[1:]); "
        "sys.stdout.buffer.write(json.dumps(r).encode())"
    )
    env = {
        **{k: v for k, v in os.environ.items() if k not in provenance.RUN_ENVIRONMENT},
        "LC_ALL": "C",
        "LANG": "C",
        "PYTHONUTF8": "0",
        "PYTHONPATH": python_path(),
    }
    out = subprocess.run(
        [os.fsencode(sys.executable), b"-c", code.encode(), *argv],
        cwd=cwd,
        env={**{k.encode(): os.fsencode(v) for k, v in env.items()}, b"RAMBO_ENV_CACHE": cache},
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout)


def isolated_git(tmp_path: Path, monkeypatch, config: str = "") -> Path:
    """Skip without git; else point git at ``tmp_path/gitconfig`` (holding ``config``) and no
    system config, so the user's own git settings cannot change a test. Returns the file."""
    import shutil

    import pytest

    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    (tmp_path / "gitconfig").write_text(config)
    return tmp_path / "gitconfig"


def git_in(repo: Path):
    """``git(*args) -> stdout`` run in ``repo`` with a test identity (for temp repositories)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout.strip()

    return git


def pendulum_hdf5(path: Path, n: int = 300, seed: int = 0) -> Path:
    """Genuine random Pendulum-v1 data in a D4RL-layout HDF5 that names no env (probe 42)."""
    import gymnasium as gym
    import h5py
    import numpy as np

    env = gym.make("Pendulum-v1", max_episode_steps=50)
    rng = np.random.default_rng(seed)
    rows: dict[str, list] = {k: [] for k in ("observations", "actions", "rewards")}
    rows |= {k: [] for k in ("next_observations", "terminals", "timeouts")}
    obs, _ = env.reset(seed=seed)
    while len(rows["rewards"]) < n:
        action = rng.uniform(-2.0, 2.0, size=1).astype(np.float32)
        nxt, reward, term, trunc, _ = env.step(action)
        for key, value in zip(rows, (obs, action, reward, nxt, term, trunc), strict=True):
            rows[key].append(value)
        obs = env.reset()[0] if term or trunc else nxt
    with h5py.File(path, "w") as f:
        for key, values in rows.items():
            f.create_dataset(key, data=np.asarray(values))
    return path


def logged_run(run_dir: Path, scores: tuple[float, ...] = (1.0, 2.0)) -> Path:
    """A run folder whose ``tb/`` holds one evaluation per score (steps 0, 1, …; ``rambo/q_avg``
    1.0 each): what ``scripts/curves.py`` reads."""
    from stable_baselines3.common.logger import configure

    from rambo_env.run_io import TB_DIR

    logger = configure(str(run_dir / TB_DIR), ["tensorboard"])
    for step, score in enumerate(scores):
        logger.record("eval/normalized_score", score)
        logger.record("rambo/q_avg", 1.0)
        logger.dump(step=step)
    logger.close()
    return run_dir
