"""scripts/port_kit_dynamics.py: bad inputs are one ``error:`` line, before the dataset load."""

from __future__ import annotations

import re

import pytest
import torch

from tests.scripts import load_script


@pytest.mark.parametrize(
    ("kit", "flags", "message"),
    [
        ("missing", [], r"error: kit_file: .*missing\.pt does not exist; pass the DYNAMICS\.pt"),
        ("folder", [], r"error: kit_file: .* is a folder"),
        ("foreign", [], r"error: kit_file: .*has no \['model', .*\] entries"),
        ("garbage", [], r"error: kit_file: .*unreadable \("),
        ("foreign", ["--seed", "-1"], r"error: seed: expected an int in \[0, 2\*\*31\), got -1"),
    ],
)
def test_port_kit_dynamics_bad_inputs_are_one_line(
    tmp_path, monkeypatch, capsys, kit, flags, message
):
    """Probe 9: each was a raw traceback (FileNotFoundError / KeyError 'model' / ValueError), a
    missing file only after the dataset load (which may generate 1M transitions)."""
    script = load_script("port_kit_dynamics")
    monkeypatch.setattr(script, "load_dataset", lambda name: pytest.fail("dataset loaded first"))
    path = {"missing": tmp_path / "missing.pt", "folder": tmp_path}.get(kit, tmp_path / "k.pt")
    if kit == "foreign":
        torch.save({"a": 1}, path)
    elif kit == "garbage":
        path.write_bytes(b"not a torch file")
    assert script.main([str(path), "--dataset", "x.npz", *flags]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert re.match(message, err), err
