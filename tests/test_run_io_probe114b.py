"""Probe 114b: an installed tqdm or matplotlib whose import fails (a numpy ABI mismatch) was a
raw ImportError / AttributeError traceback from the progress bars, the plots and ``import
rambo_env.data.generate``; now the one :class:`BrokenDependencyError` naming it, its error and
the reinstall command (as for h5py, probe 114 R6)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from rambo_env import requirements
from rambo_env.progress import progress_bar
from rambo_env.run_io import headless_figure, plot_learning_curve

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _broken(monkeypatch, tmp_path, name: str, error: str) -> None:
    """An installed ``name`` whose ``import`` raises ``error`` (a fake package first on the
    path; its real modules out of ``sys.modules`` for this test)."""
    fake = tmp_path / "fake" / name
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(f"raise {error}\n")
    monkeypatch.syspath_prepend(str(tmp_path / "fake"))
    for module in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
        monkeypatch.delitem(sys.modules, module)


def test_broken_tqdm_named_at_a_progress_bar(monkeypatch, tmp_path):
    _broken(monkeypatch, tmp_path, "tqdm", "ImportError('numpy.core.multiarray failed to import')")
    monkeypatch.setattr("rambo_env.progress.is_terminal", lambda stream: True)  # tqdm's bar
    with pytest.raises(requirements.BrokenDependencyError) as err:
        progress_bar(range(3), progress=True)  # was: the raw ImportError
    assert str(err.value).startswith(
        "tqdm (a declared dependency of rambo-env) is installed but cannot be imported "
        "(ImportError: numpy.core.multiarray failed to import); reinstall it: pip install "
        "--force-reinstall 'tqdm>=4.60'"
    ), str(err.value)
    assert list(progress_bar(range(3), progress=False)) == [0, 1, 2]  # no bar: no tqdm needed


@pytest.mark.parametrize("draw", ["figure", "learning_curve"])
def test_broken_matplotlib_named_at_a_plot(monkeypatch, tmp_path, draw):
    _broken(monkeypatch, tmp_path, "matplotlib", "AttributeError('_ARRAY_API not found')")
    with pytest.raises(
        requirements.BrokenDependencyError,
        match=r"^matplotlib \(a declared dependency of rambo-env\) is installed but cannot be "
        r"imported \(AttributeError: _ARRAY_API not found\); reinstall it: pip install "
        r"--force-reinstall 'matplotlib>=3.7'",
    ):
        if draw == "figure":
            headless_figure()  # was: the raw AttributeError
        else:
            plot_learning_curve(tmp_path / "c.png", [1, 2], [0.5, 0.6], [1.0, 2.0])
    assert not (tmp_path / "c.png").exists()


def test_dataset_generation_module_imports_with_a_broken_tqdm(tmp_path):
    fake = tmp_path / "tqdm"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ImportError('numpy.core.multiarray failed')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), REPO]))
    code = (
        "import rambo_env.data.generate as g\n"
        "from rambo_env.requirements import BrokenDependencyError\n"
        "try:\n"
        "    g.collect_episodes_parallel('Pendulum-v1', 4, None, seed=0, n_workers=2)\n"
        "except BrokenDependencyError as err:\n"
        "    print('named:', err)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]  # was: a raw ImportError at import
    assert done.stdout.startswith("named: tqdm (a declared dependency"), done.stdout
