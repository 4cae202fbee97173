"""Probe 122 rows 2, 12, 23, 25: what the notes-through-logging change (probe 118 row 7) still
changed or refused.

- row 2: a module's own logger (``rambo_env.dynamics.training``'s ``logging.getLogger(__name__)``)
  had its INFO line ``MLE pretraining: …`` printed among the notes (logging had dropped it);
- row 12: ``set_verbosity("WARNING")`` / ``set_verbosity(numpy.int64(30))`` were refused;
- row 23: a host's ``logging.config.dictConfig`` after ``import rambo_env`` disabled the logger:
  every note, the WARNING lines too, vanished without a word;
- row 25: the settings did not reach another process (a sweep's trials): :func:`state` /
  :func:`apply_state` carry them."""

from __future__ import annotations

import logging
import subprocess
import sys

import numpy as np
import pytest

import rambo_env.logging as rlog
from tests.test_logging_probe118 import _default_logging  # noqa: F401 (autouse)


def test_a_module_loggers_info_line_is_not_printed(capsys):
    module_log = logging.getLogger("rambo_env.dynamics.training")
    module_log.info("MLE pretraining: 2 epochs")
    rlog.note("[rambo_env] note: kept")
    out, err = capsys.readouterr()
    assert (out, err) == ("[rambo_env] note: kept\n", "")  # was: the MLE line on stdout too


def test_a_module_loggers_records_under_debug_with_their_traceback(capsys):
    module_log = logging.getLogger("rambo_env.dynamics.training")
    rlog.set_verbosity("DEBUG")
    try:
        raise OSError("disk gone")
    except OSError:
        module_log.debug("MLE checkpoint x: budget stop not recorded", exc_info=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("MLE checkpoint x: budget stop not recorded\nTraceback")
    assert "OSError: disk gone" in err  # was: the message alone, on stdout


def test_a_module_loggers_warning_still_reaches_stderr(capsys):
    logging.getLogger("rambo_env.dynamics.training").warning("a module warning")
    assert capsys.readouterr() == ("", "a module warning\n")  # as logging's last resort did


@pytest.mark.parametrize(
    ("level", "expected"),
    [("WARNING", 30), ("DEBUG", 10), (np.int64(30), 30), (np.int32(40), 40), (5, 5)],
)
def test_set_verbosity_takes_what_set_level_takes(level, expected):
    rlog.set_verbosity(level)  # was: ValueError for a name or a numpy integer
    assert rlog.get_verbosity() == expected


@pytest.mark.parametrize("level", ["warning", "bogus", True, 10.0, None])
def test_set_verbosity_still_refuses_what_is_no_level(level):
    with pytest.raises(ValueError, match="set_verbosity: expected a logging level"):
        rlog.set_verbosity(level)
    assert rlog.get_verbosity() == rlog.INFO


_HOST = """
import logging.config
import rambo_env.logging as rlog
from tests.test_logging_probe118 import _default_logging  # noqa: F401 (autouse)
logging.config.dictConfig({CONFIG})
rlog.note("[rambo_env] note: an INFO note")
rlog.note("[rambo_env] WARNING: a warning line")
print("END")
"""


def _host(config: str) -> str:
    script = _HOST.replace("{CONFIG}", config)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def test_a_hosts_dict_config_after_import_keeps_the_warning_lines():
    out = _host("{'version': 1, 'root': {'level': 'INFO'}}")
    assert out == "[rambo_env] WARNING: a warning line\nEND\n"  # was: "END" alone


def test_a_hosts_dict_config_that_keeps_existing_loggers_keeps_every_note():
    out = _host("{'version': 1, 'disable_existing_loggers': False}")
    assert out == "[rambo_env] note: an INFO note\n[rambo_env] WARNING: a warning line\nEND\n"


def test_a_hosts_dict_config_silencing_rambo_env_is_followed():
    config = "{'version': 1, 'loggers': {'rambo_env': {'level': 'ERROR', 'handlers': []}}}"
    assert _host(config) == "END\n"


def test_state_carries_the_settings_to_another_process(capsys):
    rlog.set_verbosity(rlog.WARNING)
    rlog.disable_default_handler()
    settings = rlog.state()
    rlog.set_verbosity(rlog.INFO)
    rlog.enable_default_handler()
    rlog.apply_state(settings)  # what a sweep trial does first
    assert rlog.get_verbosity() == rlog.WARNING and not rlog.notes_printed()
    rlog.note("[rambo_env] WARNING: silenced with the handler")
    assert capsys.readouterr() == ("", "")
