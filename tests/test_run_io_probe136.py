"""Probe 136: a script's failure mid-run under an address-space limit is one line naming the
limit (R5); an option's prefix or a cotrain.py flag given to the wrong script is named (R1-R4)."""

from __future__ import annotations

from rambo_env import host_limits, requirements, run_io

MAP_FAILED = "libXau-154567c4.so.6.0.0: failed to map segment from shared object"
LIMIT = " (address-space limit ulimit -v = 1000000 kB)"


def test_report_failure_one_lines_an_import_that_fails_to_map_under_ulimit_v(monkeypatch, capsys):
    # R5: was a full traceback ending in the ImportError, the limit not named
    monkeypatch.setattr(requirements, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.setattr(host_limits, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.delenv("RAMBO_ENV_TRACEBACK", raising=False)
    status = run_io.report_failure("make_dataset", ImportError(MAP_FAILED), "no dataset was saved")
    err = capsys.readouterr().err
    assert status == 1
    assert "Traceback" not in err
    assert f"[make_dataset] error: out of memory{LIMIT} (ImportError: {MAP_FAILED})" in err
    assert "[make_dataset] stopped on this error: no dataset was saved" in err


def test_report_failure_keeps_the_traceback_of_the_same_error_without_a_limit(monkeypatch, capsys):
    monkeypatch.setattr(requirements, "address_space_limit_text", lambda: "")
    monkeypatch.setattr(host_limits, "address_space_limit_text", lambda: "")
    monkeypatch.delenv("RAMBO_ENV_TRACEBACK", raising=False)
    try:
        raise ImportError(MAP_FAILED)
    except ImportError as err:
        assert run_io.report_failure("make_dataset", err, "nothing") == 1
    err = capsys.readouterr().err
    assert "Traceback" in err
    assert "out of memory" not in err
