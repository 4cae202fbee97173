"""Probe 132 rows 1 and 8: numpy learning rates given to ``set_critic_lr`` made ``save`` write a
zip that ``load`` refused (torch's weights-only UnpicklingError); ``load(None)`` / ``save(None)``
were SB3's raw ``TypeError: Path None parameter has invalid type``."""

from __future__ import annotations

import io

import numpy as np
import pytest

from agents.factory import AGENT_CLASSES, set_critic_lr, set_ent_coef_max
from tests.agents.test_factory_probe65 import _make, parts  # noqa: F401 (the fixture)


@pytest.mark.parametrize("kind", [np.float64, np.float32])
def test_numpy_learning_rates_save_a_loadable_agent(parts, tmp_path, kind):  # noqa: F811
    """Row 1: ``set_critic_lr(agent, np.float32(3e-4), np.float32(1e-4))`` stored a numpy
    ``lr_scale``: the saved zip was refused by ``load`` (``Unsupported global: numpy ... scalar``)."""
    agent = _make(parts, actor_lr=1e-4, critic_lr=3e-4)
    set_critic_lr(agent, kind(6e-4), kind(1e-4))
    set_ent_coef_max(agent, kind(2.0))
    # a numpy number set on a group by hand is saved as a Python one too
    agent.actor.optimizer.param_groups[0]["lr"] = kind(1e-4)
    path = tmp_path / "agent.zip"
    agent.save(path)
    loaded = AGENT_CLASSES["sac"].load(path, device="cpu")
    scale = loaded.critic.optimizer.param_groups[0]["lr_scale"]
    assert type(scale) is float and scale == pytest.approx(6.0, rel=1e-6)
    assert type(agent.critic.optimizer.param_groups[0]["lr_scale"]) is float


@pytest.mark.parametrize("bad", [None, 5, b"agent.zip", ["agent.zip"]])
def test_a_path_that_is_no_path_is_named(parts, bad):  # noqa: F811
    """Row 8: was SB3's raw TypeError; now one ValueError naming ``path``, worded like
    ``load_session(None)``'s."""
    cls = AGENT_CLASSES["sac"]
    with pytest.raises(ValueError, match=r"^path: expected a file path \(str / pathlib.Path\) or"):
        cls.load(bad)
    agent = _make(parts)
    with pytest.raises(ValueError, match=r"^path: expected a file path \(str / pathlib.Path\) or"):
        agent.save(bad)
    with pytest.raises(ValueError, match=r"^path: expected a file path"):
        agent.save_replay_buffer(bad)
    with pytest.raises(ValueError, match=r"^path: expected a file path"):
        agent.load_replay_buffer(bad)


def test_an_open_binary_file_still_saves_and_loads(parts):  # noqa: F811
    agent = _make(parts)
    buffer = io.BytesIO()
    agent.save(buffer)
    buffer.seek(0)
    assert type(AGENT_CLASSES["sac"].load(buffer, device="cpu")).__name__ == "FusedSAC"


def test_a_zip_saved_with_numpy_numbers_before_the_fix_is_named_with_its_way_back(
    parts,  # noqa: F811
    tmp_path,
    monkeypatch,
):
    """A zip written by the old save (numpy numbers in an optimizer group) was torch's raw
    UnpicklingError; it is named now, with the one-time load that reads it, and a save after that
    writes a file that loads."""
    import torch

    import agents.fused

    agent = _make(parts, actor_lr=1e-4, critic_lr=3e-4)
    agent.critic.optimizer.param_groups[0]["lr_scale"] = np.float32(3.0)
    path = tmp_path / "old.zip"
    with monkeypatch.context() as patch:
        patch.setattr(agents.fused, "python_optimizer_numbers", lambda model: None)  # the old save
        agent.save(path)
    with pytest.raises(
        ValueError, match=r"old.zip: its optimizer state holds numpy numbers \(numpy"
    ) as err:
        AGENT_CLASSES["sac"].load(path, device="cpu")
    assert "torch.serialization.safe_globals([numpy._core.multiarray.scalar" in str(err.value)
    allowed = [np._core.multiarray.scalar, np.dtype, np.dtypes.Float32DType]
    with torch.serialization.safe_globals(allowed):  # the message's recipe
        old = AGENT_CLASSES["sac"].load(path, device="cpu")
    old.save(path)
    assert AGENT_CLASSES["sac"].load(path, device="cpu").critic.optimizer.param_groups[0][
        "lr_scale"
    ] == pytest.approx(3.0)
