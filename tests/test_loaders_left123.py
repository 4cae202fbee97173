"""Probe 123 rows 14-15: ``--dataset walker2d-expert`` (no expert policy shipped) first promised a
generation of "about 1-4 min per million on 2 cores", then failed at once; the errors of
``expert`` and ``medium-replay`` pointed to ``make_dataset.py --train-policy`` without saying that
it trains an SAC agent online first (README: the shipped medium agents took 53-155 min)."""

from __future__ import annotations

import pytest

from rambo_env.data.loaders import DatasetUnavailableError, load_dataset


@pytest.mark.parametrize(
    ("name", "cost"),
    [
        ("walker2d-expert", "which first trains an expert SAC agent online: hours on 2 CPU cores"),
        ("hopper-medium-expert", "which first trains an expert SAC agent online: hours"),
        ("hopper-medium-replay", "which first trains a medium SAC agent online: the shipped ones "
         "took 53-155 min on 2 CPU cores"),
    ],
)  # fmt: skip
def test_no_generation_promise_before_a_level_that_cannot_be_generated(capsys, name, cost):
    with pytest.raises(DatasetUnavailableError) as info:
        load_dataset(name)
    out = capsys.readouterr()
    assert "--train-policy" in str(info.value) and cost in str(info.value)
    assert "generating" not in out.out + out.err and "per million" not in out.out + out.err
