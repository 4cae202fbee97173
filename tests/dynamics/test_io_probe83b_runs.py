"""Probe 83b: the model cache's interrupted writes."""

from __future__ import annotations

from rambo_env.dynamics import io


def test_the_cache_lock_clears_its_targets_interrupted_writes(tmp_path):
    # probe 83 row 19: a kill -9 during the MLE checkpoint's write left
    # '.dynamics-<key>.partial.pt.XXXX.tmp' in the model cache for good
    partial = tmp_path / "dynamics-abc.partial.pt"
    stray = tmp_path / ".dynamics-abc.partial.pt.ap6z0svt.tmp"
    other = tmp_path / ".dynamics-def.partial.pt.k2j4m1xz.tmp"  # another key's: maybe live
    stray.write_bytes(b"cut")
    other.write_bytes(b"writing")
    with io.cache_lock(partial):
        assert not stray.exists()
        assert other.exists()
