"""Probe 131 R2, R4: ledger.py's run folder '–dash' (a positional that names an existing path)
was refused as a mistyped option, without a word on ./ or --; a legacy-format torch file saved
with pickle protocol 3 printed torch's "Detected pickle protocol 3" warning five times (an error
under -W error), one with protocol 4 was "not a behaviour actor"."""

from __future__ import annotations

import argparse
import warnings

import pytest
import torch

from rambo_env.policies import POLICY_DIR, load_actor
from rambo_env.run_io import accept_negative_numbers, load_checkpoint


def _parser(positional: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="x")
    parser.add_argument("--ledger")
    if positional:
        parser.add_argument("runs", nargs="+")
    return accept_negative_numbers(parser)


def test_an_existing_path_with_a_typed_dash_is_a_positional(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "\u2013dash").mkdir()
    assert _parser(True).parse_args(["\u2013dash"]).runs == ["\u2013dash"]
    assert _parser(True).parse_args(["--ledger", "L", "\u2013dash"]).runs == ["\u2013dash"]
    with pytest.raises(SystemExit):
        _parser(True).parse_args(["\u2013nope"])
    said = capsys.readouterr().err
    assert "en dash" in said and "'./\u2013nope'" in said and "after --" in said
    with pytest.raises(SystemExit):  # an option typed with an en dash is still refused
        _parser(True).parse_args(["\u2013-ledger", "L", "\u2013dash"])
    assert "type --ledger" in capsys.readouterr().err


def test_a_script_without_positionals_gives_no_path_hint(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "\u2013dash").mkdir()
    with pytest.raises(SystemExit):
        _parser(False).parse_args(["\u2013dash"])
    said = capsys.readouterr().err
    assert "en dash" in said and "./" not in said


def _legacy(tmp_path, protocol: int, zipped: bool = False):
    obj = torch.load(POLICY_DIR / "hopper_medium.pt", weights_only=True)
    path = tmp_path / f"a{protocol}{'z' if zipped else ''}.pt"
    torch.save(obj, path, _use_new_zipfile_serialization=zipped, pickle_protocol=protocol)
    return path


def test_a_legacy_protocol_3_actor_loads_without_torchs_warning(tmp_path):
    path = _legacy(tmp_path, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # was: "not a behaviour actor (UserWarning: Detected …)"
        load_actor(path)


@pytest.mark.parametrize(("protocol", "zipped"), [(4, False), (5, False), (4, True)])
def test_a_protocol_4_file_says_what_it_is(tmp_path, protocol, zipped):
    path = _legacy(tmp_path, protocol, zipped)
    for load in (load_actor, load_checkpoint):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError) as refused:
                load(path)
        said = str(refused.value)
        assert type(refused.value).__name__ == "PickleProtocolError"
        assert f"pickle protocol {protocol}" in said and "not a behaviour actor" not in said
        assert "default protocol" in said and "weights_only=False" not in said
        assert ("legacy" in said) != zipped
