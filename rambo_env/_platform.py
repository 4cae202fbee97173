"""The operating systems rambo-env runs on: Linux (tested) and macOS (POSIX: the spawn start
method, no ``/proc``); native Windows is not supported (WSL2 is Linux). Probe 150: on Windows
``scripts/cotrain.py --help`` died with ``ModuleNotFoundError: No module named 'resource'``, the
atomic writer needs ``os.fchmod`` (Windows only from Python 3.13) and ``os.kill(pid, 0)`` sends a
Ctrl-C there rather than testing a process; ``import rambo_env`` now says so in one line."""

from __future__ import annotations

import sys


class UnsupportedPlatformError(ImportError):
    """``import rambo_env`` (or ``agents``) on an operating system the package does not run on."""


def check(platform: str | None = None) -> None:
    """UnsupportedPlatformError on native Windows (``sys.platform == "win32"``, or ``platform``)."""
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        raise UnsupportedPlatformError(
            f"rambo-env runs on Linux and macOS, not on native Windows (sys.platform is "
            f"{platform!r}: it uses POSIX process, signal and file-locking calls); run it in "
            "WSL2 (Windows Subsystem for Linux: wsl --install, then install it there as on Linux)"
        )
