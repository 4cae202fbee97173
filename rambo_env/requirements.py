"""The lowest versions of the libraries rambo-env is tested against (``pyproject.toml``).

Probe 25: with the floors declared before (gymnasium 1.0, stable-baselines3 2.4) ``import
rambo_env.envs.vector_env`` failed with a raw ``ImportError: cannot import name 'AutoresetMode'``
and ``FusedSAC.train`` with ``'ReplayBufferSamples' object has no attribute 'discounts'`` after
the whole setup. An environment installed with ``--no-deps`` (or pinned by another project) now
gets one error naming the library, both versions and the command that fixes it, at import.
"""

from __future__ import annotations

import errno
import os
import re
import sys
from importlib import metadata

# distribution -> lowest tested version; keep equal to pyproject.toml (tests/test_requirements.py)
FLOORS: dict[str, str] = {
    "gymnasium": "1.1",  # gymnasium.vector.AutoresetMode
    "stable-baselines3": "2.7",  # ReplayBufferSamples.discounts (n-step buffers)
    "sb3-contrib": "2.7",  # the SB3 it requires
    "minari": "0.5",
    "numpy": "1.24",
}


def version_tuple(version: str) -> tuple[int, ...]:
    """The leading release numbers of ``version`` (``"2.7.0rc1"`` -> ``(2, 7, 0)``)."""
    match = re.match(r"\d+(\.\d+)*", version.strip())
    return tuple(int(p) for p in match.group(0).split(".")) if match else ()


class MissingExtraError(ImportError):
    """An optional dependency (a ``pip install -e '.[extra]'`` extra) is not installed; the
    message names the install command. Scripts report it as one ``error:`` line, exit 2."""


def check_installed(*distributions: str) -> None:
    """Raise one ``ImportError`` if an installed distribution is older than its floor.

    A distribution that is not installed is left to the import that needs it.
    """
    for dist in distributions:
        if dist not in FLOORS:  # probe 63: a raw KeyError
            raise ValueError(
                f"distributions: no floor recorded for {dist!r}; known: {sorted(FLOORS)}"
            )
        try:
            installed = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
        floor = FLOORS[dist]
        if version_tuple(installed) < version_tuple(floor):
            raise ImportError(
                f"rambo-env needs {dist}>={floor}, but {dist} {installed} is installed; "
                f"upgrade it: pip install -U '{dist}>={floor}'"
            )


def check_working_folder() -> None:
    """Exit with one ``error:`` line (status 2) when the process's working folder is gone.

    Probe 31: a script started in a folder deleted after the shell entered it died in ``import
    torch`` with only ``Intel oneMKL FATAL ERROR: Cannot load …/libtorch_cpu.so``. Every
    ``scripts/*.py`` calls this first, before it imports torch (this module imports no torch).
    """
    try:
        os.getcwd()
    except OSError as err:
        if err.errno == errno.ENOENT:
            problem = "no longer exists (it was deleted or moved after the shell entered it)"
        else:
            problem = f"cannot be read ({err.strerror or err})"
        print(
            f"error: the working folder {problem}; cd to an existing folder and run the "
            "command again",
            file=sys.stderr,
        )
        raise SystemExit(2) from None


def escape_unencodable_output() -> None:
    """On a console that cannot encode every character (``PYTHONIOENCODING=ascii``, a latin-1 or
    C locale, a caller's ``open(log, 'w', encoding='ascii')`` as ``sys.stdout``), write what it
    cannot as ``\\xfc`` escapes instead of raising. Probe 66: the library's own notes naming a
    path with ``ü`` raised ``UnicodeEncodeError`` after the work was done; probe 75: a stream
    the caller set after ``import rambo_env`` raised it at a run's first "—". A UTF-8 console,
    or one whose error handler the user set, is left as it is."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        try:
            encoding = codecs.lookup(stream.encoding).name
            if encoding != "utf-8" and stream.errors == "strict":
                stream.reconfigure(errors="backslashreplace")
        except (AttributeError, LookupError, TypeError, ValueError, OSError):
            pass  # replaced (a notebook's), closed or not a text stream: left alone
