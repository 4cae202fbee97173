"""Probe 130 R1 / R2: the torch-file check of probe 128 refused torch's legacy (non-zip)
format, which ``torch.load`` still reads: a behaviour actor or a run checkpoint re-saved with
``_use_new_zipfile_serialization=False`` was called "not a torch file" (and the checkpoint
advice was to start a new run). Plain pickles stay refused."""

import pickle

import pytest
import torch

from rambo_env.run_io import check_torch_magic


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_torch_legacy_format_passes_the_check(tmp_path, protocol):
    path = tmp_path / "legacy.pt"
    torch.save(
        {"w": torch.ones(3)}, path, _use_new_zipfile_serialization=False, pickle_protocol=protocol
    )
    check_torch_magic(path)  # no error (torch's own reader then decides)
    if protocol == 2:  # torch.save's legacy default; its weights-only reader takes only this
        assert torch.load(path, weights_only=True)["w"].sum() == 3


def test_torch_zip_format_passes_and_plain_pickles_are_refused(tmp_path):
    good = tmp_path / "zip.pt"
    torch.save({"w": torch.ones(3)}, good)
    check_torch_magic(good)
    for protocol in (2, 4, 5):
        bad = tmp_path / f"plain{protocol}.pkl"
        bad.write_bytes(pickle.dumps({"w": [1.0, 2.0]}, protocol=protocol))
        with pytest.raises(ValueError, match="not a torch file"):
            check_torch_magic(bad)


def test_load_checkpoint_reads_a_legacy_format_checkpoint(tmp_path):
    from rambo_env.run_io import load_checkpoint

    path = tmp_path / "checkpoint.pt"
    torch.save({"iteration": 3}, path, _use_new_zipfile_serialization=False)
    assert load_checkpoint(path)["iteration"] == 3
