"""Probe 107 (carried by carry45): the sdist holds the test suite, the scripts and what they read
(was: setuptools' default rules, 57 of the tests/*.py files, no scripts/, no docs/)."""

import importlib.util
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import setuptools
from setuptools.command.egg_info import FileList

ROOT = Path(__file__).resolve().parents[1]

#: What the sdist must hold beyond the packages: every tracked file under these.
SHIPPED = ("tests/", "scripts/", ".ci/", "docs/results/ledger/")
SHIPPED_FILES = ("README.md", "LICENSE", "pyproject.toml", "docs/ARCHITECTURE.md")


def _tracked() -> list[str]:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git clone (an unpacked sdist): nothing to compare with")
    out = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [
        p
        for p in out
        if p.startswith(SHIPPED) or p in SHIPPED_FILES or p.startswith("rambo_env/policies/")
    ]


def _manifest_files(monkeypatch) -> set[str]:
    """The files MANIFEST.in selects, as setuptools' sdist evaluates it (no build)."""
    monkeypatch.chdir(ROOT)
    files = FileList()
    files.findall()
    manifest = ROOT / "MANIFEST.in"
    assert manifest.is_file(), "no MANIFEST.in: the sdist gets setuptools' default rules only"
    for line in manifest.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            files.process_template_line(line)
    return {Path(f).as_posix() for f in files.files}


def test_manifest_covers_every_tracked_test_script_and_their_data(monkeypatch):
    tracked = _tracked()
    selected = _manifest_files(monkeypatch)
    missing = sorted(
        p for p in tracked if p not in selected and not p.startswith("rambo_env/policies/")
    )
    assert not missing, f"tracked files the sdist leaves out: {missing[:10]} …"
    assert len([p for p in tracked if p.startswith("tests/")]) > 275  # the probe's count then


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("build") is None, reason="needs `pip install build`")
@pytest.mark.skipif(
    int(setuptools.__version__.split(".")[0]) < 77, reason="pyproject.toml needs setuptools>=77"
)
def test_the_built_sdist_holds_every_tracked_test_and_script(tmp_path):
    tracked = _tracked()
    # a copy of the clone's tracked files (and MANIFEST.in while uncommitted): the build writes
    # an egg-info whose SOURCES.txt a later build of the same folder would reuse
    src = tmp_path / "src"
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    for rel in listed:
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--sdist",
            "--no-isolation",
            "--skip-dependency-check",
            "--outdir",
            str(tmp_path / "dist"),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    (sdist,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(sdist) as tar:
        names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    missing = sorted(p for p in tracked if p not in names)
    assert not missing, f"tracked files the sdist leaves out: {missing[:10]} …"
