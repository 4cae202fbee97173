"""Probe 69: sweep.json's spec read back (``SweepSpec.from_dict``) checks each value's type before
converting it; a trial's WriteFailedError reaches the sweep's summary as its one-line message."""

from __future__ import annotations

import copy
import dataclasses
import errno
import json
import pickle
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from agents.cotrain_setup import CotrainConfig
from agents.sweep import SweepResources, SweepSpec, load_sweep, trial_errors
from rambo_env.presets import RamboPreset
from rambo_env.run_io import WriteFailedError

sweep_cli = SimpleNamespace(
    **runpy.run_path(str(Path(__file__).resolve().parents[2] / "scripts" / "sweep.py"))
)


def _spec_dict() -> dict:
    base = CotrainConfig(dataset="hopper-random", n_iterations=2)
    spec = SweepSpec(datasets=("hopper-random",), configs=((2, 3e-4),), seeds=(0, 1), base=base)
    return json.loads(json.dumps(spec.to_dict()))


@pytest.mark.parametrize(
    ("pair", "said"),
    [
        ([2.7, 3e-4], "configs[0]: k: expected an int >= 1, got 2.7 (a float)"),
        ([True, 3e-4], "configs[0]: k: expected an int >= 1, got True (a bool)"),
        (["2", 3e-4], "configs[0]: k: expected an int >= 1, got '2' (a str)"),
        ([2, "3e-4"], "configs[0]: λ: expected a number >= 0, got '3e-4' (a str)"),
        ([2, None], "configs[0]: λ: expected a number >= 0, got None"),
        ([2], "configs[0]: expected a [k, λ] pair, got [2]"),
    ],
)
def test_from_dict_refuses_a_config_of_another_type_naming_it(pair, said):
    # probe 69 rows 45 / 47: was k = 2 / 1 for 2.7 / true, '2' / '3e-4' taken as numbers, a raw
    # TypeError of float(None)
    data = _spec_dict()
    data["configs"] = [pair]
    with pytest.raises(ValueError) as err:
        SweepSpec.from_dict(data)
    assert str(err.value) == said


def test_from_dict_names_a_missing_key_and_a_str_of_datasets():
    # probe 69 row 47: was a bare KeyError 'base', and "datasets: duplicates in ['h', 'o', …]"
    data = _spec_dict()
    del data["base"]
    with pytest.raises(ValueError, match=r"^spec: no 'base' key; its keys are \['datasets'"):
        SweepSpec.from_dict(data)
    data = _spec_dict()
    data["datasets"] = "hopper-random"
    with pytest.raises(ValueError, match=r"^datasets: expected a tuple or list, got str"):
        SweepSpec.from_dict(data)
    data = _spec_dict()
    data["base"] = 5
    with pytest.raises(ValueError, match=r"^base: expected an object"):
        SweepSpec.from_dict(data)
    good = _spec_dict()  # legitimate input: unchanged
    spec = SweepSpec.from_dict(good)
    assert spec.configs == (RamboPreset(2, 3e-4),) and spec.seeds == (0, 1)
    good["configs"] = [[5, 0]]  # an int λ is a number
    assert SweepSpec.from_dict(good).configs == (RamboPreset(5, 0.0),)


@pytest.mark.parametrize("k", [2.7, True])
def test_a_hand_edited_sweep_json_k_is_a_damaged_file_in_report_only(tmp_path, capsys, k):
    # probe 69 row 45: --report-only / --resume took k 2.7 / true as k = 2 / 1 without a word
    data = {"spec": _spec_dict(), "resources": dataclasses.asdict(SweepResources())}
    data["spec"]["configs"] = [[k, 3e-4]]
    (tmp_path / "sweep.json").write_text(json.dumps(data))
    with pytest.raises(ValueError) as err:
        load_sweep(tmp_path)
    text = str(err.value)
    assert text.startswith(f"{tmp_path / 'sweep.json'}: damaged sweep.json (ValueError: ")
    assert f"configs[0]: k: expected an int >= 1, got {k!r}" in text
    assert sweep_cli.main(["--report-only", str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {text}\n")


def test_a_trials_write_failed_error_is_its_one_line_message_in_the_summary():
    # probe 69 row 33: Ray pickles a trial's exception; the sweep said "errored trial …:
    # AttributeError: 'str' object has no attribute 'errno'"
    err = WriteFailedError(
        Path("/r/checkpoint.pt"), OSError(errno.ENOSPC, "No space left on device")
    )
    shipped = pickle.loads(pickle.dumps(err))  # what Ray's worker -> driver hand-over does
    ray_error = SimpleNamespace(cause=copy.deepcopy(shipped))  # RayTaskError's cause
    (line,), repeat = trial_errors([("hopper-random-k2-lam3e-4-s0", ray_error)])
    assert line == f"hopper-random-k2-lam3e-4-s0: WriteFailedError: {err}"
    assert "the disk holding /r is full" in line and not repeat
