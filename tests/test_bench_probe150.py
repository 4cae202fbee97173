"""Probe 150: ``rambo_env.bench`` imported ``resource`` at its top (POSIX only), so on Windows
every script importing ``agents.cotrain`` died with ``ModuleNotFoundError`` (even ``--help``);
and ``peak_rss_mib`` divided ``ru_maxrss`` by 1024 everywhere, though macOS gives it in bytes
(Linux: KiB), a figure 1024x too large there."""

from __future__ import annotations

import math
import resource
import sys
import types

from rambo_env import bench
from tests.scripts import run_python


def _platform(monkeypatch, name: str) -> None:
    class _Sys(types.ModuleType):
        def __getattr__(self, attr):
            return getattr(sys, attr)

    fake = _Sys("sys")
    fake.platform = name
    monkeypatch.setattr(bench, "sys", fake)


def test_peak_rss_is_mib_on_linux_and_on_macos(monkeypatch):
    monkeypatch.setattr(resource, "getrusage", lambda who: types.SimpleNamespace(ru_maxrss=2**30))
    _platform(monkeypatch, "linux")
    assert bench.peak_rss_mib() == 2**20  # KiB
    _platform(monkeypatch, "darwin")
    assert bench.peak_rss_mib() == 1024  # bytes (was: 2**20, 1024x too large)


def test_peak_rss_without_the_resource_module_is_nan(monkeypatch):
    monkeypatch.setitem(sys.modules, "resource", None)  # import resource: ImportError
    assert math.isnan(bench.peak_rss_mib())


NO_RESOURCE = """
import sys

class _NoResource:
    def find_spec(self, name, path=None, target=None):
        if name == "resource":
            raise ModuleNotFoundError("No module named 'resource'", name=name)

sys.modules.pop("resource", None)
sys.meta_path.insert(0, _NoResource())
import rambo_env.bench
print("imported")
"""


def test_the_module_imports_without_resource(tmp_path):
    done = run_python(NO_RESOURCE, tmp_path)
    assert done.stdout.strip() == "imported", done.stderr  # was: ModuleNotFoundError
