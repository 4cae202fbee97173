"""Probe 142 row 51: ``make_mdp(ds, precision="auto")`` (cotrain's default) was refused."""

from __future__ import annotations

import pytest

from rambo_env.dynamics import ensemble as ensemble_module
from rambo_env.model import check_make_mdp_options, make_mdp
from tests.envs.tiny_mdp import TINY_ENSEMBLE, TINY_MLE, make_tiny_dataset


@pytest.mark.parametrize("native, resolved", [(True, "bf16"), (False, "fp32")])
def test_make_mdp_resolves_auto_precision_as_cotrain(monkeypatch, native, resolved):
    monkeypatch.setattr(ensemble_module, "native_bf16", lambda device: native)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    mdp = make_mdp(make_tiny_dataset(), precision="auto", cache=False, **kwargs)
    assert mdp.ensemble.precision == resolved  # was: precision: expected one of ('fp32', 'bf16')
    mdp.ensemble.set_precision("fp32")
    mdp.ensemble.set_precision("auto")
    assert mdp.ensemble.precision == resolved


def test_the_library_default_stays_fp32_and_bad_values_are_refused(monkeypatch):
    monkeypatch.setattr(ensemble_module, "native_bf16", lambda device: True)
    check_make_mdp_options(cache=True, progress=False, precision="auto", compile=False)
    with pytest.raises(ValueError, match=r"expected one of .*'auto'.*got 'fp16'"):
        check_make_mdp_options(cache=True, progress=False, precision="fp16", compile=False)
    kwargs = dict(device="cpu", ensemble_config=TINY_ENSEMBLE, mle_config=TINY_MLE, progress=False)
    assert make_mdp(make_tiny_dataset(), cache=False, **kwargs).ensemble.precision == "fp32"
