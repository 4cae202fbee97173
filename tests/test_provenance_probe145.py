"""Probe 145: the recorded ``command`` of a run (config.json ``invocations[].command``,
results.json ``command``) reproduced the run only from its recorded folder and shell: pasted from
another folder or a fresh shell it started a new run there, on other data, without a word (S1).
In an ASCII locale a non-ASCII working folder was recorded as lone surrogates (S2). Printed
commands named ``python scripts/X.py``, which does not paste from another folder (R4)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

from rambo_env import provenance
from tests.scripts import invocation_in_c_locale

ROOT = Path(__file__).resolve().parent.parent

#: A stand-in script: prints where it runs, the recorded variables it sees and its words.
ECHO = """import json, os, sys
print(json.dumps({"cwd": os.getcwd(), "argv": sys.argv[1:],
                  "env": {k: os.environ.get(k) for k in ("MINARI_DATASETS_PATH", "RAMBO_ENV_CACHE")}}))
"""


def test_the_recorded_command_reproduces_the_invocation_from_another_folder_and_a_fresh_shell(
    tmp_path, monkeypatch
):
    script = tmp_path / "echo script.py"
    script.write_text(ECHO)
    where = tmp_path / "ré 日本 🎉"
    where.mkdir()
    monkeypatch.chdir(where)
    monkeypatch.setenv("MINARI_DATASETS_PATH", str(tmp_path / "min é'ari"))
    monkeypatch.setenv("RAMBO_ENV_CACHE", "-cache $HOME `x`")  # relative, shell characters
    for name in provenance.RUN_ENVIRONMENT[2:]:
        monkeypatch.delenv(name, raising=False)
    argv = ["--run-dir", "runs/a 'q'", "--dataset", "-dash dir/ds é.npz"]
    monkeypatch.setattr("sys.argv", [str(script), *argv])
    record = provenance.script_invocation(script, argv)
    assert record["argv"] == argv and record["cwd"] == str(where)  # the fields as before
    assert record["environment"] == {
        "MINARI_DATASETS_PATH": str(tmp_path / "min é'ari"),
        "RAMBO_ENV_CACHE": "-cache $HOME `x`",
    }
    # pasted elsewhere, in a shell without the variables: the same folder, data and words
    fresh = {k: v for k, v in os.environ.items() if k not in provenance.RUN_ENVIRONMENT}
    fresh["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{fresh.get('PATH', '')}"
    out = subprocess.run(
        ["bash", "-c", record["command"]],
        cwd=tmp_path,
        env=fresh,
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(out.stdout)
    assert seen == {"cwd": str(where), "argv": argv, "env": record["environment"]}
    # the command still ends in python, the script as typed and the words (what tests read)
    assert shlex.split(record["command"])[-len(argv) - 2 :] == [
        Path(sys.executable).name,
        str(script),
        *argv,
    ]


def test_utf8_mode_set_by_a_variable_is_recorded(monkeypatch):
    monkeypatch.setenv("PYTHONUTF8", "1")
    record = provenance.script_invocation(__file__, [])
    assert record["environment"]["PYTHONUTF8"] == "1"
    assert " PYTHONUTF8=1 " in record["command"]


def test_an_ascii_locale_records_the_real_names_not_surrogates(tmp_path):
    where = tmp_path / "ré 日本"
    where.mkdir()
    cache = os.fsencode(str(tmp_path / "cä"))
    argv = [b"--run-dir", "runs/é 日".encode()]
    record = invocation_in_c_locale("-c", argv, os.fsencode(where), cache)
    assert record["cwd"] == str(where)  # was '…/r\udcc3\udca9 \udce6…'
    assert record["argv"] == ["--run-dir", "runs/é 日"]
    assert record["environment"]["RAMBO_ENV_CACHE"] == str(tmp_path / "cä")
    assert "\\udc" not in json.dumps(record) and str(where) in record["command"]


def test_recorded_text_reads_undecoded_bytes_as_utf8_or_escapes():
    assert provenance.recorded_text("/tmp/r\udcc3\udca9") == "/tmp/ré"
    assert provenance.recorded_text("/tmp/x\udcff") == "/tmp/x\\xff"  # not UTF-8: an escape
    assert provenance.recorded_text("plain é") == "plain é"
    json.dumps(provenance.recorded_text("a\ud800")).encode("utf-8")  # a stray surrogate


def test_script_command_is_the_script_as_typed(monkeypatch, tmp_path):
    script = ROOT / "scripts" / "cotrain.py"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(script), "--resume", "R"])
    words = shlex.split(provenance.script_command(script))
    assert words[1] == str(script) and Path(words[1]).is_file()  # pastes from this folder
    monkeypatch.setattr("sys.argv", ["/usr/bin/pytest"])  # main(argv) from Python
    words = shlex.split(provenance.script_command(script))
    assert (tmp_path / words[1]).resolve() == script.resolve()


def test_interpreter_x_options_are_kept(monkeypatch):
    monkeypatch.setattr("sys._xoptions", {"utf8": True, "frozen_modules": "off"})
    words = shlex.split(provenance.script_command(__file__))
    assert words[1:5] == ["-X", "utf8", "-X", "frozen_modules=off"]
