"""JSON files: :func:`write_json` (atomic; non-finite floats as ``null``, numpy and torch values as
Python ones), :func:`read_json` (UTF-8, a byte-order mark read past) and :func:`as_json` (a record
as it reads back).

Split out of :mod:`rambo_env.run_io`, which still exports these names
(``run_io.write_json``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from rambo_env.atomic_files import atomic_write

__all__ = ["as_json", "read_json", "write_json"]


def write_json(path: str | Path, data: Any) -> Path:
    """Atomically write ``data`` as indented JSON; non-finite floats become ``null``."""
    text = json.dumps(_json_safe(data), indent=2, sort_keys=False, allow_nan=False)
    return atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))


def as_json(data: Any) -> Any:
    """``data`` as :func:`write_json` stores it and :func:`read_json` reads it back (tuples as
    lists, non-finite floats as None): to compare a record with its copy in a JSON file."""
    return json.loads(json.dumps(_json_safe(data), allow_nan=False))


def read_json(path: str | Path) -> Any:
    """The JSON in ``path``; a file that is not UTF-8 text (JSON is UTF-8) is a
    ``json.JSONDecodeError`` naming the file, as for any other text that is not JSON (was: a raw
    ``'utf-8' codec can't decode byte 0xff …`` naming no file, e.g. from ``sweep.py``). A leading
    UTF-8 byte-order mark (a Windows editor's save) is read past (issue 14: the file was called
    "damaged; restore it from a backup")."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: file not found")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise json.JSONDecodeError(  # the callers name the file
            f"not UTF-8 text (byte {data[err.start]:#04x}; JSON is UTF-8)", "", err.start
        ) from None
    return json.loads(text)


def _to_lists(x: Any) -> Any:
    if isinstance(x, tuple | list):
        return [_to_lists(v) for v in x]
    return x


def _json_safe(x: Any) -> Any:
    """Replace NaN/inf by None, numpy scalars/arrays by python values, paths by strings."""
    if isinstance(x, dict):
        return {str(k): _json_safe(v) for k, v in x.items()}
    if isinstance(x, list | tuple):
        return [_json_safe(v) for v in x]
    if isinstance(x, np.ndarray):
        return _json_safe(x.tolist())
    if isinstance(x, np.generic):
        return _json_safe(x.item())
    if isinstance(x, float):
        return x if math.isfinite(x) else None
    if isinstance(x, Path):
        return str(x)
    return x
