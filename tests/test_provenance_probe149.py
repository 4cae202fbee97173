"""Probe 148 (row "non-UTF-8 cwd"): a run started in an ASCII locale from a folder whose name is
not UTF-8 (``lat\\xe9``, latin-1) recorded ``cd '/tmp/x/lat\\xe9 ré' && …``, the escape as text,
a folder bash cannot enter: such a word is recorded as bash's ``$'…\\xe9…'``, which pastes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from rambo_env import provenance
from tests.scripts import invocation_in_c_locale

ROOT = Path(__file__).resolve().parent.parent

#: A stand-in script: prints the bytes of where it runs and of its words.
ECHO = """import json, os, sys
print(json.dumps({"cwd": os.getcwdb().hex(), "argv": [os.fsencode(w).hex() for w in sys.argv[1:]]}))
"""


def test_a_folder_name_that_is_not_utf8_is_recorded_as_a_word_bash_pastes(tmp_path):
    script = tmp_path / "echo.py"
    script.write_text(ECHO, encoding="utf-8")
    where = os.fsencode(tmp_path) + b"/lat\xe9 r\xc3\xa9 'q'"
    os.mkdir(where)
    argv = [b"--run-dir", b"runs/\xff \xc3\xa9", b"--dataset", b"ds.npz"]
    cache = os.fsencode(tmp_path) + b"/c\xe4"
    record = invocation_in_c_locale(str(script), argv, where, cache)
    assert record["command"].startswith("cd $'") and "\\xe9 ré \\'q\\''" in record["command"]
    assert record["cwd"].endswith("/lat\\xe9 ré 'q'")  # the recorded fields as before
    assert record["argv"][1] == "runs/\\xff é"
    pasted = subprocess.run(
        ["bash", "-c", record["command"]],
        cwd="/",
        env={k: v for k, v in os.environ.items() if k != "RAMBO_ENV_CACHE"},
        capture_output=True,
        text=True,
    )
    assert pasted.returncode == 0, pasted.stderr  # was: cd: …/lat\xe9 ré: No such file
    seen = json.loads(pasted.stdout)
    assert bytes.fromhex(seen["cwd"]) == where
    assert [bytes.fromhex(word) for word in seen["argv"]] == argv


def test_recorded_word():
    assert provenance.recorded_word("/tmp/r\udcc3\udca9 x") == "'/tmp/ré x'"  # UTF-8 bytes
    assert provenance.recorded_word("/tmp/x\udcff'\\") == "$'/tmp/x\\xff\\'\\\\'"
    assert provenance.recorded_word("a\udce9\n") == "$'a\\xe9\\x0a'"
    assert provenance.recorded_word("plain") == "plain"
    assert provenance.recorded_word("a\ud800") == "'a\\ud800'"  # no bytes behind it
