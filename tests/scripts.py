"""Load a ``scripts/<name>.py`` file as a module (the scripts folder is not a package); run Python
code in a child process with this checkout importable."""

from __future__ import annotations

import importlib.util
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


def run_python(code: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    """``python -c code`` in a child process (signals sent to itself stay there), with this
    checkout importable and one torch thread; stdout and stderr captured as text."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
