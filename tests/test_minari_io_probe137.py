"""Probe 137 (found while rechecking): under ``ulimit -v 850000`` an allocation failure while
Minari read a dataset (h5py's "memory allocation failed for chunk", a MemoryError) was "its
episode data are unreadable …; re-create it": the data were blamed for the limit."""

from __future__ import annotations

import pytest

from rambo_env import host_limits, requirements
from rambo_env.data import minari_io

LIMIT = " (address-space limit ulimit -v = 850000 kB)"


@pytest.mark.parametrize(
    "err",
    [
        KeyError("Unable to synchronously open object (memory allocation failed for chunk)"),
        OSError(
            "Can't synchronously read data (memory allocation failed for on disk image buffer)"
        ),
        MemoryError("Unable to allocate 3.48 KiB for an array with shape (297, 3)"),
    ],
)
def test_an_allocation_failure_reading_a_minari_dataset_names_the_limit(monkeypatch, err):
    monkeypatch.setattr(requirements, "address_space_limit_text", lambda: LIMIT)
    monkeypatch.setattr(host_limits, "address_space_limit_text", lambda: LIMIT)
    with pytest.raises(ValueError) as said:
        minari_io._raise_if_out_of_memory("rambo/hopper/medium-v0", err)
    text = str(said.value)
    assert text.startswith(
        f"not enough memory to read the Minari dataset 'rambo/hopper/medium-v0'{LIMIT}"
    )
    assert "raise the limit" in text and "re-create" not in text


def test_a_damaged_file_is_still_damaged():
    minari_io._raise_if_out_of_memory("x/y-v0", OSError("Unable to open file (truncated file)"))
