"""The note-once claim sockets are closed as the process ends: left to the collector, each was
an "unclosed socket" ResourceWarning under ``python -X dev`` or ``-W default`` (probe 146's side note: seen with
every warning made an error)."""

from __future__ import annotations

import sys

import pytest

from tests.scripts import run_python

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract sockets")

CLAIM = """
import warnings
warnings.simplefilter("default", ResourceWarning)
from rambo_env.envs import model_env
assert model_env._claim_in_tree(("probe146", "claims"), model_env._tree_root()) is True
print("claimed", len(model_env._CLAIMS))
"""


def test_the_claim_sockets_are_closed_at_exit(tmp_path):
    done = run_python(CLAIM, tmp_path)
    assert "claimed 1" in done.stdout
    assert "ResourceWarning" not in done.stderr and "unclosed" not in done.stderr
