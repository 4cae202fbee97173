"""Probe 114: with gymnasium below its floor and SB3 below its floor or tensorboard missing,
``import rambo_env`` named gymnasium only, and ``import agents`` the next one after it was fixed;
now one error names them all (as probe 109 did for missing ones). R6: an installed h5py whose
import fails (a numpy ABI mismatch) passed the import-time check and was a raw traceback from the
hdf5 reader; now one error naming it, its error and the reinstall command."""

from __future__ import annotations

import sys
from importlib import metadata

import pytest

from rambo_env import requirements

OLD = {"gymnasium": "1.0.0", "stable-baselines3": "2.6.0"}


def _below(monkeypatch, missing=()):
    real_version, real_importable = metadata.version, requirements._importable
    monkeypatch.setattr(requirements.metadata, "version", lambda d: OLD.get(d) or real_version(d))
    monkeypatch.setattr(
        requirements, "_importable", lambda m: m not in missing and real_importable(m)
    )


def test_every_floor_and_missing_dependency_named_in_one_error(monkeypatch):
    _below(monkeypatch, missing=("tensorboard",))
    with pytest.raises(ImportError) as err:
        requirements.check_installed("gymnasium", "numpy", "minari")  # import rambo_env's
    text = str(err.value)  # was: gymnasium only; SB3 and tensorboard at import agents, later
    assert text.startswith(
        "rambo-env needs gymnasium>=1.1, but gymnasium 1.0.0 is installed, and "
        "stable-baselines3>=2.7, but stable-baselines3 2.6.0 is installed, and tensorboard "
        "(declared dependency), not installed"
    ), text
    assert text.endswith(
        "pip install -U 'gymnasium[mujoco]>=1.1,<2' 'stable-baselines3>=2.7' 'tensorboard>=2.12'"
    ), text
    with pytest.raises(requirements.MissingDependencyError) as err:
        requirements.check_dependencies("tensorboard")  # import agents's, the other way round
    assert "tensorboard (declared dependency)" in str(err.value)
    assert "gymnasium>=1.1, but gymnasium 1.0.0 is installed" in str(err.value)


def test_broken_install_named_with_the_reinstall_command(monkeypatch, tmp_path):
    fake = tmp_path / "h5py"
    fake.mkdir()
    (fake / "__init__.py").write_text(
        "raise ImportError('numpy.core.multiarray failed to import\\nmore')\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "h5py", raising=False)
    with pytest.raises(requirements.BrokenDependencyError) as err:
        requirements.import_dependency("h5py")
    assert str(err.value).startswith(
        "h5py (a declared dependency of rambo-env) is installed but cannot be imported "
        "(ImportError: numpy.core.multiarray failed to import); reinstall it: pip install "
        "--force-reinstall 'h5py>=3.8' — often a numpy version mismatch"
    ), str(err.value)
    assert isinstance(err.value, ValueError)  # the scripts' one error line


def test_hdf5_reader_names_a_broken_h5py(monkeypatch, tmp_path):
    from rambo_env.data import d4rl_io

    def broken(module):
        raise requirements.BrokenDependencyError(f"{module} is broken")

    monkeypatch.setattr(d4rl_io, "import_dependency", broken)
    path = tmp_path / "x.hdf5"
    path.write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(100))
    with pytest.raises(requirements.BrokenDependencyError, match="h5py is broken"):
        d4rl_io.read_d4rl_hdf5(path)


def test_broken_matplotlib_named_at_a_script_s_plot_check(monkeypatch, tmp_path):
    fake = tmp_path / "matplotlib"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise AttributeError('_ARRAY_API not found')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    with pytest.raises(requirements.BrokenDependencyError, match=r"matplotlib \(a declared .*"
                       r"\(AttributeError: _ARRAY_API not found\); reinstall it"):  # fmt: skip
        requirements.check_matplotlib()  # was: the raw AttributeError (it caught ValueError)
