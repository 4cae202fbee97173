"""Probe 124 rows 40, 42: seeds of one dataset trained on different data (the dataset
regenerated or deleted and generated anew during the sweep) were averaged in table.md without a
word; their fingerprints (results.json's, else config.json's) now differ and the report refuses."""

from __future__ import annotations

import json

import pytest

from rambo_env.sweep_report import PAPER_CONFIGS, build_report, to_markdown
from tests.test_sweep_report import results

A = PAPER_CONFIGS[0]


def _run(root, name, data, fingerprint_in_config=None):
    (root / name).mkdir(parents=True)
    (root / name / "results.json").write_text(json.dumps(data))
    if fingerprint_in_config is not None:  # a run whose results.json records none
        resolved = {"dataset": {"fingerprint": fingerprint_in_config}}
        (root / name / "config.json").write_text(json.dumps({"config": {}, "resolved": resolved}))


def test_seeds_of_one_dataset_on_different_data_are_refused(tmp_path):
    _run(tmp_path, "s0", {**results(A, 0, 3.0, [1.0]), "dataset_fingerprint": "d146ef4c" * 2})
    _run(tmp_path, "s11", {**results(A, 11, 3.2, [1.0]), "dataset_fingerprint": "d146ef4c" * 2})
    _run(tmp_path, "s21", results(A, 21, 0.5, [1.0]), fingerprint_in_config="ffdc6c24" * 2)
    with pytest.raises(ValueError, match="on different data") as refused:
        build_report(tmp_path)
    said = str(refused.value)
    assert "d146ef4c" * 2 in said and "ffdc6c24" * 2 in said and str(tmp_path / "s21") in said


def test_seeds_on_the_same_data_or_recording_none_are_tabled(tmp_path):
    _run(tmp_path, "s0", {**results(A, 0, 3.0, [1.0]), "dataset_fingerprint": "d146ef4c" * 2})
    _run(tmp_path, "s1", results(A, 1, 3.2, [1.0]), fingerprint_in_config="d146ef4c" * 2)
    _run(tmp_path, "s2", results(A, 2, 3.4, [1.0]))  # records none: not compared
    assert "3.2 ± 0.2" in to_markdown(build_report(tmp_path))
