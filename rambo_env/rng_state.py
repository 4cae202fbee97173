"""The process's random number generators: :func:`get_rng_state` (python, numpy's legacy global,
torch CPU and CUDA) as weights-only-loadable data, :func:`set_rng_state` to restore them, and
:func:`restore_generator` for one saved generator, also one saved on another kind of device.

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.get_rng_state``).
"""

from __future__ import annotations

import hashlib
import random
from typing import TYPE_CHECKING, Any

import numpy as np

from rambo_env.json_files import _to_lists
from rambo_env.logging import note

if TYPE_CHECKING:
    import torch

__all__ = ["CUDA_GENERATOR_STATE_BYTES", "get_rng_state", "restore_generator", "set_rng_state"]


def get_rng_state() -> dict[str, Any]:
    """Global RNG states (python, numpy legacy, torch CPU and CUDA) as weights-only-loadable data.

    SB3's replay buffers sample with the global numpy RNG and its policies with torch's, so these
    are what a resumed run needs to continue the same random stream.
    """
    import torch

    name, keys, pos, has_gauss, cached = np.random.get_state()  # noqa: NPY002 (SB3 samples with it)
    state: dict[str, Any] = {
        "python": _to_lists(random.getstate()),
        "numpy": {
            "name": name,
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


#: Bytes of a CUDA generator's state (Philox: a 64-bit seed and a 64-bit offset); a CPU one's
#: (Mersenne Twister) is ``torch.Generator().get_state().numel()``.
CUDA_GENERATOR_STATE_BYTES = 16


_SAID_RESEEDED: set[tuple[str, str]] = set()


def restore_generator(
    generator: torch.Generator, state: torch.Tensor, what: str, *, say: bool = True
) -> None:
    """Set ``generator`` to a saved ``get_state()``, also one saved on another kind of device.

    A CUDA generator's state cannot continue on the CPU, nor the reverse (their algorithms differ:
    a run made on a GPU and resumed or read on a laptop got torch's raw "Expected a
    CPUGeneratorImplState of size 5056 but found the input RNG state size to be 16"). Such a state
    seeds ``generator`` instead (deterministically: the same checkpoint gives the same numbers), and
    one line per process says so. A state of neither kind is a ``ValueError`` naming ``what``.
    """
    import torch

    if not isinstance(state, torch.Tensor) or state.dtype != torch.uint8 or state.dim() != 1:
        raise ValueError(
            f"{what}: expected a torch generator state (a 1-d uint8 tensor from get_state()), "
            f"got {type(state).__name__} {getattr(state, 'dtype', '')}"
        )
    state = state.detach().cpu()
    own = generator.device.type
    own_bytes = generator.get_state().numel()
    if state.numel() == own_bytes:
        generator.set_state(state)
        return
    other = "cuda" if own == "cpu" else "cpu"
    other_bytes = {"cpu": torch.Generator().get_state().numel(), "cuda": CUDA_GENERATOR_STATE_BYTES}
    if state.numel() != other_bytes[other]:
        raise ValueError(
            f"{what}: a generator state of {state.numel()} bytes, but a {own} generator's has "
            f"{own_bytes} (and a {other} one's {other_bytes[other]}): not a saved generator state"
        )
    saved_on = other
    digest = hashlib.blake2b(state.numpy().tobytes(), digest_size=8).digest()
    generator.manual_seed(int.from_bytes(digest, "little") & (2**63 - 1))
    if say and (saved_on, own) not in _SAID_RESEEDED:
        _SAID_RESEEDED.add((saved_on, own))
        note(
            f"[rambo_env] WARNING: random-number states saved on {saved_on} cannot continue on "
            f"{own} ({what} and the like): each is re-seeded from its saved state, so the run goes "
            f"on, but its numbers differ from an uninterrupted run on {saved_on}",
        )


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the states captured by :func:`get_rng_state`."""
    import torch

    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    np_state = state["numpy"]
    keys = np_state["keys"].numpy().astype(np.uint32)
    np.random.set_state(  # noqa: NPY002
        (
            np_state["name"],
            keys,
            np_state["pos"],
            np_state["has_gauss"],
            np_state["cached_gaussian"],
        )
    )
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        # a run saved on a node with more GPUs than this one: the GPUs that exist here
        for index, cuda_state in enumerate(state["cuda"][: torch.cuda.device_count()]):
            torch.cuda.set_rng_state(cuda_state.cpu(), index)
