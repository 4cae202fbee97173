"""Probe 144 rows 1-4: ``run_git`` passed the caller's ``GIT_DIR`` / ``GIT_WORK_TREE`` /
``GIT_INDEX_FILE`` (set by git for the hooks of the user's own project) to git, so a clean
checkout recorded every file changed and a dirty one clean; the user's attributes file
(``*.py diff=python``, ``*.txt -diff``) changed the diff's hash; a user config git cannot parse
left nothing recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from rambo_env import requirements
from tests.scripts import isolated_git
from tests.test_requirements_probe138 import _git

CLASS = "class A:\n    def f(self):\n" + "".join(f"        x{i} = {i}\n" for i in range(9))


@pytest.fixture
def repos(tmp_path, monkeypatch):
    isolated_git(tmp_path, monkeypatch)
    made = []
    for name, files in (
        ("clone", {"a.py": CLASS, "notes.txt": "n\n" * 5}),
        ("other", {"b.py": "y = 1\n"}),
    ):
        root = tmp_path / name
        root.mkdir()
        _git(root, "init", "-q")
        for file, text in files.items():
            (root / file).write_text(text)
        _git(root, "add", ".")
        _git(root, "commit", "-qm", "one")
        made.append(root)
    requirements._source_changes.cache_clear()
    yield made
    requirements._source_changes.cache_clear()


def _record(root: Path) -> dict[str, str]:
    requirements._source_changes.cache_clear()
    return requirements.source_changes(root)


def _hook_variables(monkeypatch, other: Path) -> None:
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    monkeypatch.setenv("GIT_INDEX_FILE", str(other / ".git" / "index"))
    monkeypatch.setenv("GIT_OBJECT_DIRECTORY", str(other / ".git" / "objects"))


def test_a_callers_git_variables_do_not_redirect_the_diff(repos, monkeypatch):
    clone, other = repos
    _hook_variables(monkeypatch, other)
    assert _record(clone) == {"rambo_env_dirty": "false"}  # was: every file changed
    assert requirements.run_git(clone, "diff", "--quiet", "HEAD") == (0, b"")
    (clone / "a.py").write_text(CLASS + "z = 1\n")
    record = _record(clone)
    assert record["rambo_env_dirty"] == "true"  # was: 'false' (the other repo is clean)
    assert requirements.changed_files(record) == ["a.py"]
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    monkeypatch.setenv("GIT_INDEX_FILE", str(clone.parent / "no-index"))
    assert _record(clone) == record


def test_the_users_attributes_file_leaves_the_hash_alone(repos, tmp_path):
    clone, _ = repos
    (clone / "a.py").write_text(CLASS.replace("x5 = 5", "x5 = 50"))
    (clone / "notes.txt").write_text("n\n" * 4 + "m\n")
    plain = _record(clone)
    (tmp_path / "attributes").write_text("*.py diff=python\n*.txt -diff\n")
    (tmp_path / "gitconfig").write_text(f"[core]\n\tattributesFile = {tmp_path / 'attributes'}\n")
    assert _record(clone) == plain
    # the default place of the user's attributes file, read when core.attributesFile is unset
    (tmp_path / "gitconfig").write_text("")
    xdg = tmp_path / "xdg"
    (xdg / "git").mkdir(parents=True)
    (xdg / "git" / "attributes").write_text("*.py diff=python\n*.txt -diff\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(xdg))
        assert _record(clone) == plain


def test_a_user_config_git_cannot_parse_still_records_the_changes(repos, tmp_path):
    clone, _ = repos
    (clone / "a.py").write_text(CLASS + "z = 1\n")
    plain = _record(clone)
    (tmp_path / "gitconfig").write_text("[diff\n")
    assert _record(clone) == plain  # was: {} (nothing recorded)
    assert requirements.run_git(clone, "diff", "--quiet", "HEAD") == (1, b"")


def _run(code_or_script, value, *args):
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    env = {k: v for k, v in os.environ.items() if k != "TORCH_LOGS"} | {"TORCH_LOGS": value}
    env["PYTHONPATH"] = str(root)
    argv = [
        sys.executable,
        *(["-c", code_or_script] if "\n" in code_or_script else [code_or_script]),
    ]
    return subprocess.run(
        [*argv, *args], capture_output=True, text=True, env=env, cwd=root, timeout=300
    )


START = "from rambo_env.requirements import check_working_folder\ncheck_working_folder()\n"


def test_a_torch_logs_value_torch_refuses_is_one_line_from_a_script():
    # probe 144 row 8: a 28-line traceback (probe 148: --help prints the help whatever it holds)
    done = _run("scripts/cotrain.py", "banana", "--n-iterations", "1")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: TORCH_LOGS='banana': torch refuses it")


def test_torch_logs_help_and_empty():
    done = _run(START + "print('went on')", "help")
    assert (
        done.returncode == 0 and "TORCH_LOGS Info" in done.stdout and "went on" not in done.stdout
    )
    done = _run(START + "import torch\nprint('went on')", "")  # torch's import failed on it
    assert done.returncode == 0 and "went on" in done.stdout, done.stderr
    done = _run(START + "print('went on')", "+dynamo")  # a valid value: on as before
    assert done.returncode == 0 and "went on" in done.stdout, done.stderr
