"""A run saved on one kind of device continues on another (found on a lent H200, session 36).

A CUDA generator's state (Philox, 16 bytes) cannot be set on a CPU generator (Mersenne Twister,
5056 bytes) nor the reverse: a run trained on a GPU then resumed or diagnosed on a CPU machine
failed with "state['generator']: not what ModelAdversary.state_dict() saves for this model
(RuntimeError: Expected a CPUGeneratorImplState of size 5056 but found the input RNG state size to
be 16)". Here a CPU run's checkpoint is given the generator states a CUDA run saves; the CUDA
side (``tests/test_cuda.py``) runs both directions for real.
"""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
import torch

from agents.cotrain import load_session, run_cotrain
from rambo_env import rng_state, run_io
from rambo_env.run_io import CUDA_GENERATOR_STATE_BYTES, restore_generator
from tests.agents.test_buffer import _buffer, _fill, dataset  # noqa: F401 (fixture)
from tests.agents.test_cotrain import tiny_config, tiny_hopper  # noqa: F401 (fixture)


def _cuda_state(seed: int) -> torch.Tensor:
    """What ``torch.Generator('cuda').manual_seed(seed).get_state()`` gives: seed and offset."""
    return torch.tensor([seed, 0], dtype=torch.int64).view(torch.uint8).clone()


@pytest.fixture(autouse=True)
def _say_again(monkeypatch):
    monkeypatch.setattr(rng_state, "_SAID_RESEEDED", set())


def test_a_cuda_generator_state_reseeds_a_cpu_generator_once_and_deterministically(capsys):
    assert _cuda_state(3).numel() == CUDA_GENERATOR_STATE_BYTES
    a, b = torch.Generator(), torch.Generator()
    restore_generator(a, _cuda_state(3), "the generator")
    restore_generator(b, _cuda_state(3), "the generator")
    assert torch.equal(torch.rand(5, generator=a), torch.rand(5, generator=b))
    c = torch.Generator()
    restore_generator(c, _cuda_state(4), "the generator")
    assert not torch.equal(torch.rand(5, generator=c), torch.rand(5, generator=torch.Generator()))
    out = capsys.readouterr().out
    assert out.count("WARNING: random-number states saved on cuda cannot continue on cpu") == 1
    # a state of this device kind is restored exactly, without a word
    src = torch.Generator().manual_seed(7)
    torch.rand(3, generator=src)
    d = torch.Generator()
    restore_generator(d, src.get_state(), "the generator")
    assert torch.equal(torch.rand(4, generator=d), torch.rand(4, generator=src))
    assert capsys.readouterr().out == ""
    with pytest.raises(ValueError, match=r"^the generator: a generator state of 7 bytes"):
        restore_generator(torch.Generator(), torch.zeros(7, dtype=torch.uint8), "the generator")
    with pytest.raises(ValueError, match=r"^the generator: expected a torch generator state"):
        restore_generator(torch.Generator(), [1, 2], "the generator")


def test_a_pickled_buffer_from_cuda_unpickles_on_cpu(dataset):  # noqa: F811 (fixture)
    buf = _buffer(dataset, seed=3)
    _fill(buf, 3)
    state = buf.__getstate__()
    state["generator"] = _cuda_state(3)
    clone = pickle.loads(pickle.dumps(buf))
    clone.__setstate__(state)  # was torch's raw RuntimeError
    assert clone.sample(8).observations.shape == (8, 3)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a CPU-only machine's case")
def test_a_buffer_pickled_on_a_gpu_comes_back_on_the_cpu(dataset):  # noqa: F811 (fixture)
    """Probe 74 rows 2-3: a buffer pickled on a GPU (device cuda, a CUDA generator state) was
    torch's raw "Cannot get CUDA generator without ATen_cuda library" (or, holding its dataset,
    "Torch not compiled with CUDA enabled") on a CPU-only machine."""
    from agents.buffer import MixedReplayBuffer

    buf = _buffer(dataset, seed=3)
    _fill(buf, 3)
    state = buf.__getstate__()
    state["device"], state["generator"] = torch.device("cuda"), _cuda_state(3)
    clone = MixedReplayBuffer.__new__(MixedReplayBuffer)
    clone.__setstate__(state)
    assert clone.device.type == "cpu" and clone.real.obs.device.type == "cpu"
    assert clone.sample(8).observations.shape == (8, 3)


def test_a_run_saved_on_cuda_resumes_and_loads_on_cpu(tiny_hopper, tmp_path, capsys):  # noqa: F811
    run_dir = tmp_path / "run"
    cfg = tiny_config(tiny_hopper, stop_at_iteration=2)
    assert run_cotrain(cfg, run_dir)["iterations_completed"] == 2
    path = run_dir / run_io.CHECKPOINT_NAME
    state = run_io.load_checkpoint(path)
    cuda_like = copy.deepcopy(state)  # the three device generators, as a CUDA run saves them
    cuda_like["adversary"]["generator"] = _cuda_state(0)
    cuda_like["buffer_generator"] = _cuda_state(1)
    cuda_like["callback"]["q_generator"] = _cuda_state(2)
    run_io.save_checkpoint(path, cuda_like)
    capsys.readouterr()
    _session, history = load_session(run_dir, device="cpu")  # diagnose.py's way in
    assert history.iteration == 2
    resumed = run_cotrain(dataclasses.replace(cfg, stop_at_iteration=None), run_dir, resume=True)
    assert (resumed["status"], resumed["iterations_completed"]) == ("finished", 4)
    out = capsys.readouterr().out
    assert out.count("random-number states saved on cuda cannot continue on cpu") == 1
