"""The declared dependency floors are the ones the code needs, and older installs are named."""

import re
from importlib import metadata
from pathlib import Path

import pytest

from rambo_env import requirements


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
