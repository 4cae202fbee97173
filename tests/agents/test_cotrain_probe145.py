"""Probe 145 R4: the commands scripts/cotrain.py and scripts/sweep.py print to paste (``continue
with: …``, the unfinished-run note, the "already holds a run" refusal) named ``python
scripts/cotrain.py`` (the "already holds" one without ``python``), which finds no script when
the script was started as ``python /clone/scripts/cotrain.py`` from another folder; now the
script as typed. R9: the RAMBO_ENV_CACHE advice of a resume was not shell-quoted."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from agents.cotrain_setup import _check_model_not_elsewhere
from rambo_env import command_line, run_io
from tests.agents.test_cotrain import cotrain_cli, tiny_hopper  # noqa: F401
from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


def _pasted_script(line: str, after: str, cwd: Path) -> Path:
    """The script of the command that follows ``after`` in ``line``, as the shell in ``cwd``
    would find it."""
    words = shlex.split(line.partition(after)[2] if after else line)
    assert words[0] in ("python", Path(sys.executable).name)
    return cwd / words[1]


def test_the_continue_line_names_the_script_as_typed_from_another_folder(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    typed = ROOT / "scripts" / "cotrain.py"
    monkeypatch.setattr("sys.argv", [str(typed), "--run-dir", "runs/x y"])
    line = cotrain_cli.continue_command(Path("runs/x y"))
    assert _pasted_script(line, "", tmp_path).is_file()  # was: python scripts/cotrain.py
    assert shlex.split(line)[2:] == ["--resume", "runs/x y"]
    # called from the checkout's root as the README says: the line as before
    monkeypatch.chdir(ROOT)
    monkeypatch.setattr("sys.argv", ["scripts/cotrain.py"])
    assert (
        cotrain_cli.continue_command(Path("r"))
        == f"{Path(sys.executable).name} scripts/cotrain.py --resume r"
    )


def test_a_folder_holding_a_run_is_refused_with_a_resume_that_pastes(
    tiny_hopper,  # noqa: F811 (the fixture)
    monkeypatch,
    tmp_path,
    capsys,
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(ROOT / "scripts" / "cotrain.py")])
    run = tmp_path / "runs" / "a b"
    run.mkdir(parents=True)
    (run / run_io.CONFIG_NAME).write_text(json.dumps({"config": {}}))
    (run / run_io.CHECKPOINT_NAME).write_bytes(b"x")
    code = cotrain_cli.main(["--dataset", tiny_hopper, "--run-dir", "runs/a b", "--no-progress"])
    out = capsys.readouterr()
    assert code == 2 and "starting run" not in out.out  # refused before the "starting" line
    assert "already holds a run (checkpoint.pt)" in out.err
    line = out.err.split("continue it with ", 1)[1].split(", or pick", 1)[0]
    assert _pasted_script(line, "", tmp_path).is_file()  # was: scripts/cotrain.py --resume
    assert shlex.split(line)[2:] == ["--resume", "runs/a b"]


def test_sweep_continue_lines_paste_from_another_folder(monkeypatch, tmp_path):
    sweep_cli = load_script("sweep")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(ROOT / "scripts" / "sweep.py")])
    (tmp_path / "sw").mkdir()
    line = sweep_cli._continue(Path("sw"))
    assert _pasted_script(line, "continue with: ", tmp_path).is_file()
    # the library's lines (agents.sweep): the checkout's script from this folder
    assert _pasted_script(command_line.script_line("sweep.py"), "", tmp_path).is_file()
    monkeypatch.chdir(ROOT)
    assert command_line.script_line("sweep.py") == "python scripts/sweep.py"


def test_the_model_cache_advice_is_shell_quoted(tmp_path):
    elsewhere = tmp_path / "ré 日本 🎉" / "cache"
    elsewhere.mkdir(parents=True)
    model = elsewhere / "dynamics-x.pt"
    model.write_bytes(b"x")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="set RAMBO_ENV_CACHE=") as err:
        _check_model_not_elsewhere(str(model), empty, "resume again")
    advice = str(err.value).split("set ", 1)[1].rsplit(" and resume again", 1)[0]
    (setting,) = shlex.split(advice)  # was: split at the spaces when pasted
    assert setting == f"RAMBO_ENV_CACHE={elsewhere}"
