"""Probe 83b: command-line flags (scripts/cotrain.py) and the status lists the docs quote."""

from __future__ import annotations

import pytest

from tests.scripts import load_script


def test_torch_threads_auto_is_none(capsys):
    # probe 83 row 3: was "'auto' is not a whole number (such as 1000, 1e3 or 2.5e5)", rc 2
    parser = load_script("cotrain").build_parser()
    assert parser.parse_args(["--torch-threads", "auto"]).torch_threads is None
    assert parser.parse_args(["--torch-threads", "2"]).torch_threads == 2
    with pytest.raises(SystemExit):
        parser.parse_args(["--torch-threads", "many"])
    err = capsys.readouterr().err
    assert (
        "--torch-threads: 'many' is not a whole number; give one (such as 1 or 4), or auto" in err
    )
    assert "2.5e5" not in err
