"""The declared dependency floors are the ones the code needs, and older installs are named."""

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from rambo_env import requirements
from tests.scripts import python_path


def test_the_floors_checked_at_import_are_the_ones_pyproject_declares():
    """Probe 25: pyproject declared gymnasium>=1.0 and stable-baselines3>=2.4, on which the
    package fails (AutoresetMode, ReplayBufferSamples.discounts); the floors now match."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    deps = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    declared = {}
    for dep in deps["dependencies"]:
        name, floor = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9.]+)", dep).groups()
        declared[name] = floor
    for dist, floor in requirements.FLOORS.items():
        assert declared[dist] == floor, dist


@pytest.mark.parametrize(("dist", "old"), [("gymnasium", "1.0.0"), ("stable-baselines3", "2.6.0")])
def test_an_installed_version_below_the_floor_is_one_error_naming_it(monkeypatch, dist, old):
    real = metadata.version
    monkeypatch.setattr(requirements.metadata, "version", lambda d: old if d == dist else real(d))
    floor = requirements.FLOORS[dist]
    with pytest.raises(ImportError, match=rf"needs {dist}>={floor}, but {dist} {old} is installed"):
        requirements.check_installed(*requirements.FLOORS)
    requirements.check_installed(*(d for d in requirements.FLOORS if d != dist))  # others pass


def test_version_tuple_reads_release_numbers():
    assert requirements.version_tuple("2.7.0rc1") == (2, 7, 0)
    assert requirements.version_tuple("1.1") < requirements.version_tuple("1.1.0")
    assert requirements.version_tuple("0.5.4") >= requirements.version_tuple("0.5")


SCRIPTS = sorted(p.name for p in (Path(__file__).parents[1] / "scripts").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_script_started_in_a_deleted_folder_says_so_before_importing_torch(tmp_path, script):
    """Probe 31: ``cd d; rmdir ../d; python …/scripts/cotrain.py`` (ledger.py, …) died in
    ``import torch`` with only ``Intel oneMKL FATAL ERROR: Cannot load …/libtorch_cpu.so``.
    Every script now checks the working folder first: one ``error:`` line, exit status 2."""
    repo, gone = Path(__file__).parents[1], tmp_path / "gone"
    gone.mkdir()

    def enter_and_remove() -> None:  # in the child, before exec: its cwd is then deleted
        os.chdir(gone)
        os.rmdir(gone)

    env = {**os.environ, "PYTHONPATH": python_path(), "RAMBO_ENV_TRACEBACK": ""}
    done = subprocess.run(
        [sys.executable, str(repo / "scripts" / script), "--help"],
        preexec_fn=enter_and_remove,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert done.stderr.startswith("error: the working folder no longer exists"), done.stderr
    assert "cd to an existing folder" in done.stderr


def test_check_installed_names_a_distribution_without_a_floor():
    """Probe 63 row 63: a raw KeyError."""
    from rambo_env.requirements import check_installed

    with pytest.raises(ValueError, match=r"^distributions: no floor recorded for 'nosuchdist'"):
        check_installed("nosuchdist")
