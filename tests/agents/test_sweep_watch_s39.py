"""Stop 49's CI (exit 130 after test_sweep.py, no pytest summary): the watch a stop signal
starts (:func:`agents.sweep._exit_when_ray_is_gone`) outlived its sweep and exited the whole
process with 130 when a later ``ray.shutdown()`` of the same Ray session ended the GCS."""

import os
import signal
import time

import pytest

from agents import sweep as sweep_mod


def test_the_watch_a_signal_starts_ends_with_its_sweep(monkeypatch, tmp_path):
    worker = pytest.importorskip("ray._private.worker")

    class Node:
        def __init__(self):
            self.dead: list | None = []

        def dead_processes(self):
            return self.dead

    exits = []
    node = Node()
    monkeypatch.setattr(sweep_mod.os, "_exit", exits.append)
    monkeypatch.setattr(worker, "_global_node", node)
    try:
        with pytest.raises(KeyboardInterrupt), sweep_mod._stops_gracefully(tmp_path):
            os.kill(os.getpid(), signal.SIGINT)  # no Tune running: the handler stops at once
            time.sleep(5)  # the signal arrives before this ends
        time.sleep(0.2)
        node.dead = [("gcs_server", None)]  # a later ray.shutdown() of the same session
        time.sleep(1.5)  # three of the watch's polls
        assert exits == []  # the process lives on
    finally:
        node.dead = None  # an old watch still running ends on unreadable internals
        time.sleep(0.6)
