"""Probe 132 (typing notes): a typed user got no checking from rambo-env: no ``py.typed`` marker
(mypy: "missing library stubs or py.typed marker"), every lazy top-level export was ``Any``
(module ``__getattr__``), and ``make_agent`` / ``train_mle`` were ``(*Any, **Any) -> Any`` (their
decorators erased the signature)."""

from __future__ import annotations

import ast
import inspect
import tomllib
import typing
from pathlib import Path

import rambo_env
from agents.factory import make_agent
from rambo_env.dynamics.training import train_mle
from rambo_env.run_io import numpy_underflow_ignored

ROOT = Path(__file__).resolve().parents[1]


def test_both_packages_ship_a_py_typed_marker():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    for package in ("rambo_env", "agents"):
        assert (ROOT / package / "py.typed").is_file(), package
        assert "py.typed" in package_data.get(package, []), package  # into the wheel


def _type_checking_names() -> dict[str, str]:
    """``{name: module}`` of the imports under ``if TYPE_CHECKING:`` in rambo_env/__init__.py."""
    tree = ast.parse((ROOT / "rambo_env" / "__init__.py").read_text())
    (block,) = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
    ]
    return {
        alias.asname or alias.name: node.module
        for node in block.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }


def test_the_type_checking_imports_are_the_lazy_exports_and_all():
    names = _type_checking_names()
    assert names == rambo_env._LAZY  # same names, from the same modules
    assert set(rambo_env.__all__) == {"__version__", "register_envs", *rambo_env._LAZY}
    for name in rambo_env.__all__:  # each resolves at run time too
        assert getattr(rambo_env, name) is not None


def test_decorated_entry_points_keep_their_signature_for_type_checkers():
    """The decorators are typed ``(fn: _F) -> _F`` with ``_F`` a TypeVar bound to callables (was:
    ``Callable[..., Any]`` for make_agent's and train_mle's), so checkers see the function's own
    signature; at run time functools.wraps keeps it too."""
    import agents.factory
    import rambo_env.run_io

    decorators = {
        agents.factory: agents.factory._numpy_scalars_as_python,
        rambo_env.run_io: rambo_env.run_io.trains_with_grad("x"),
    }
    for module, decorator in decorators.items():
        annotations = decorator.__annotations__  # text (from __future__ import annotations)
        (param,) = [v for k, v in annotations.items() if k != "return"]
        assert param == annotations["return"], annotations
        assert isinstance(getattr(module, param), typing.TypeVar), param
    assert numpy_underflow_ignored.__annotations__ == {"fn": "_F", "return": "_F"}
    for fn in (make_agent, train_mle):
        assert inspect.signature(fn) == inspect.signature(fn.__wrapped__)
