"""Probe 107: rambo-env installed as a package (a wheel / ``pip install .``), not worked on in
the clone."""

import os
import re
import subprocess
import sys
import tomllib
import types
from pathlib import Path

import pytest

from rambo_env import requirements
from tests.scripts import python_path

ROOT = Path(__file__).parents[1]


def _sources():
    for folder in ("rambo_env", "agents", "scripts"):
        yield from (ROOT / folder).rglob("*.py")


def test_requires_python_covers_the_3_11_features_the_code_uses():
    # probe 107 row 26: was requires-python ">=3.10" while BaseException.add_note (3.11+) is used
    # (run_io's atomic replace, cotrain's resume notes): on 3.10 an AttributeError replaced them
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["requires-python"] == ">=3.11"
    assert project["tool"]["ruff"]["target-version"] == "py311"
    used = {p.name for p in _sources() if re.search(r"\.add_note\(", p.read_text())}
    assert used  # the reason for the floor is still there (else the floor can be lowered)


def _run(tmp_path, code_or_script, *args, missing=()):
    """Python with the modules ``missing`` made unimportable (a sitecustomize), from tmp_path."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "sitecustomize.py").write_text(
        "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in missing)
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), python_path()])}
    env.pop("RAMBO_ENV_TRACEBACK", None)
    env["OMP_NUM_THREADS"] = "1"
    cmd = [
        sys.executable,
        *(["-c", code_or_script] if "\n" in code_or_script else [code_or_script]),
    ]
    return subprocess.run(
        [*cmd, *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )


def test_the_declared_dependencies_are_the_ones_pyproject_declares():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared = {}
    for dep in deps:
        name, floor = re.match(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?>=([0-9.]+)", dep).groups()
        declared[name] = floor
    assert dict(requirements.DEPENDENCIES.values()) == declared


@pytest.mark.parametrize("module", ["tensorboard", "matplotlib", "tqdm", "h5py", "rich"])
def test_a_missing_declared_dependency_is_one_error_line_at_the_start_of_cotrain(tmp_path, module):
    # probe 107 rows 13-16, 22: was SB3's AssertionError after MLE + BC (tensorboard) or a raw
    # ModuleNotFoundError / SB3's ImportError naming its own extra
    done = _run(tmp_path, str(ROOT / "scripts" / "cotrain.py"), "--help", missing=[module])
    assert done.returncode == 2, done.stderr
    dist, floor = requirements.DEPENDENCIES[module]
    assert done.stderr.startswith(f"error: rambo-env needs {dist} (declared dependency)"), (
        done.stderr
    )
    assert f"pip install '{dist}>={floor}'" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_missing_declared_dependency_is_named_at_import_in_the_library(tmp_path):
    # probe 107 rows 15, 16: load_dataset of an .hdf5 without h5py / tqdm was a raw
    # ModuleNotFoundError from deep inside the loader
    code = "\nimport rambo_env\n"
    done = _run(tmp_path, code, missing=["h5py", "tqdm"])
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "rambo_env.requirements.MissingDependencyError: rambo-env needs h5py, tqdm "
        "(declared dependencies)"
    ), last
    assert "pip install 'h5py>=3.8' 'tqdm>=4.60'" in last


def test_check_dependencies_names_an_unknown_module():
    with pytest.raises(ValueError, match="modules: \\['nope'\\] are not declared dependencies"):
        requirements.check_dependencies("nope")
    requirements.check_dependencies(*requirements.DEPENDENCIES)  # all installed here


def test_a_clone_script_beside_an_installed_package_is_taken_for_a_script(tmp_path, monkeypatch):
    # probe 107 row 20: was False (it looked for site-packages/scripts), so a library below its
    # floor was a 7-line traceback, status 1, not the one error: line, status 2
    (tmp_path / "clone" / "rambo_env").mkdir(parents=True)
    (tmp_path / "clone" / "rambo_env" / "requirements.py").write_text("")
    (tmp_path / "clone" / "scripts").mkdir()
    main = types.SimpleNamespace(__file__=str(tmp_path / "clone" / "scripts" / "cotrain.py"))
    monkeypatch.setitem(sys.modules, "__main__", main)
    assert requirements._in_a_script()
    main.__file__ = str(tmp_path / "elsewhere" / "scripts" / "mine.py")  # not the project's
    assert not requirements._in_a_script()


# Probe 107 row 9 (a clone's script imported the installed copy of the package) is run for every
# script by tests/test_scripts_probe91a.py::test_every_script_answers_help_under_python_OO_from_its_clone
# (one child per script for both checks).


def test_every_script_puts_its_clone_first_on_the_import_path():
    idiom = "sys.path.insert(0, str(Path(__file__).resolve().parents[1]))"
    for path in (ROOT / "scripts").glob("*.py"):
        text = path.read_text()
        assert text.index(idiom) < text.index("from rambo_env"), path.name
