"""Registration of ``RamboModel-<env>-<level>`` ids (entry points only: nothing heavy is imported)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

import gymnasium as gym
import numpy as np

from rambo_env.logging import note

__all__ = [
    "ENVS",
    "LEVELS",
    "RenderModeNone",
    "check_time_limit_is_python_int",
    "env_ids",
    "make_call_locals",
    "refuse_video_recorder",
    "register_envs",
]

ENVS = ("hopper", "halfcheetah", "walker2d")
LEVELS = ("random", "medium", "medium-replay", "medium-expert", "expert")


def env_ids() -> list[str]:
    return [f"RamboModel-{env}-{level}" for env in ENVS for level in LEVELS]


def make_call_locals() -> dict[str, Any] | None:
    """The local variables of the ``gym.make`` call that is constructing the caller's env
    (``max_episode_steps``, ``env_spec``, ``kwargs``, …), or None outside ``gym.make``.

    gymnasium adds its ``TimeLimit`` after the constructor returns and never passes
    ``max_episode_steps`` to it, so an env that must agree with its time limit reads it here, at
    construction, before any expensive work (the model envs' ``max_episode_steps`` check, the
    illustrative toy's ``horizon`` check). ``gym.make_vec`` in sync / async mode builds each env
    through ``gym.make``, so it is found there too."""
    frame = calling_frame(gym.envs.registration.make.__code__)
    return None if frame is None else dict(frame.f_locals)


def make_vec_call_locals() -> dict[str, Any] | None:
    """The local variables of the ``gym.make_vec`` call constructing the caller's env (its
    ``env_spec``, the user's ``kwargs``), or None outside ``gym.make_vec``."""
    frame = calling_frame(gym.envs.registration.make_vec.__code__)
    return None if frame is None else dict(frame.f_locals)


def calling_frame(code: CodeType) -> FrameType | None:
    """The innermost frame on the caller's stack running ``code`` (gymnasium's ``make``,
    ``make_vec``, …), or None: the one stack walk of the checks that read a library's call
    from its frame (:func:`make_call_locals`, :func:`make_vec_call_locals`)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code is not code:
        frame = frame.f_back
    return frame


def is_sb3_env_util(code: CodeType, name: str) -> bool:
    """Whether ``code`` is SB3's ``stable_baselines3/common/env_util.py`` function ``name``
    (``make_vec_env``, or ``_init``: its env maker), by file and name: SB3 is not imported here.
    Read by :func:`sb3_default_render_mode` and the model envs' once-per-SubprocVecEnv notes."""
    return code.co_name == name and Path(code.co_filename).parts[-2:] == ("common", "env_util.py")


#: The advice of an env that renders nothing for a ``render_mode`` given to SB3's
#: ``make_vec_env``: its own default ``"rgb_array"`` is taken as None (probes 23, 97 row 20;
#: probe 131 R5: :func:`sb3_default_render_mode`), one in ``env_kwargs`` is the user's.
SB3_RENDER_MODE_FIX = (
    "with SB3's make_vec_env, leave render_mode out of env_kwargs (its own default "
    '"rgb_array" is taken as None)'
)


def sb3_default_render_mode(render_mode: Any) -> bool:
    """Whether ``render_mode`` is the ``"rgb_array"`` that SB3's ``make_vec_env`` passes by
    itself, its ``env_kwargs`` naming none (read on the stack: its env maker ``_init``). An env
    that renders nothing takes it as None. Probe 131 R5: refused, and under ``SubprocVecEnv``
    the caller saw only ``ConnectionResetError`` (the clear error stayed in the worker's
    traceback); one the user gives in ``env_kwargs`` is still refused."""
    if render_mode != "rgb_array":
        return False
    frame = sys._getframe(1)
    while frame is not None:
        if is_sb3_env_util(frame.f_code, "_init"):
            env_kwargs = frame.f_locals.get("env_kwargs")
            return isinstance(env_kwargs, dict) and "render_mode" not in env_kwargs
        frame = frame.f_back
    return False


#: The video recorders refused over an env that renders nothing: the qualified name of their
#: constructor and the package they come from (a user's class of the same name is not refused).
_RECORDERS = {
    "VecVideoRecorder.__init__": "stable_baselines3.",
    "RecordVideo.__init__": "gymnasium.",  # probe 127 (N7)
    # probe 129 row 8: gymnasium's render wrappers were its raw "Expected env.render_mode …"
    "HumanRendering.__init__": "gymnasium.",
    "RenderCollection.__init__": "gymnasium.",
    "AddRenderObservation.__init__": "gymnasium.",
}


def refuse_video_recorder(env: Any, why: str | dict[str, str]) -> None:
    """One ValueError when a video recorder (SB3's ``VecVideoRecorder``, gymnasium's
    ``RecordVideo``) or one of gymnasium's render wrappers (``HumanRendering``,
    ``RenderCollection``, ``AddRenderObservation``: :data:`_RECORDERS`) is being built over ``env``, an env that renders nothing
    (``why``: why, and what to record instead, or that per recorder class name; called where the
    recorder reads the env's ``metadata`` / ``render_mode``, before its own check). Carry45
    (probe 112): was SB3's ``AssertionError: The render_mode must be 'rgb_array', not None``,
    then an ignored ``AttributeError`` from its ``__del__``, and gym.make's
    ``render_mode="rgb_array"`` (what the assertion asks for) is refused by the model envs; probe
    127 (N7): gymnasium's ``Render mode is None … initialise with rgb_array`` likewise.
    Outside a recorder's ``__init__`` (the frames above, by name: neither package is imported
    here) nothing happens."""
    frame = sys._getframe(1)
    while frame is not None:
        package = _RECORDERS.get(frame.f_code.co_qualname)
        if package and str(frame.f_globals.get("__name__", "")).startswith(package):
            break
        frame = frame.f_back
    if frame is None:
        return
    name = frame.f_code.co_qualname.partition(".")[0]
    recorder = frame.f_locals.get("self")
    if recorder is not None:
        recorder.recorded_frames = []  # its __del__ reads it: no "Exception ignored" after ours
    text = why if isinstance(why, str) else why.get(name, why.get("*", ""))
    verb = "record" if "Video" in name else "render"
    raise ValueError(f"{name}: {type(env).__name__} has no frames to {verb}: {text}")


class RenderModeNone:
    """The ``render_mode`` of an env that renders nothing: None (settable, as gymnasium's
    attribute), and gymnasium's ``RecordVideo`` reading it (its first read of the env) is one
    clear error (:func:`refuse_video_recorder`; probe 127, N7: was gymnasium's "Render mode is
    None … Initialize your environment with a render_mode that returns an image, such as
    rgb_array", advice the env then refuses)."""

    def __init__(self, why: str | dict[str, str]) -> None:
        self.why = why

    def __get__(self, env: Any, owner: type | None = None) -> Any:
        if env is None:
            return None
        refuse_video_recorder(env, self.why)
        return env.__dict__.get("_render_mode")

    def __set__(self, env: Any, value: Any) -> None:
        env.__dict__["_render_mode"] = value


class _EveryRenderMode(list):
    """The ``render_modes`` :func:`renders_nothing` shows ``gym.make`` alone: an empty list (what
    gymnasium's ``_check_metadata`` takes without a warning) that holds every ``render_mode`` to
    ``in``, so ``gym.make`` neither warns nor adds a render wrapper before the env's constructor,
    which refuses any ``render_mode`` with its own clear error."""

    def __contains__(self, mode: object) -> bool:
        return True


class _RendersNothing(property):
    """The ``metadata`` descriptor of :func:`renders_nothing`."""

    def __init__(self, why: str | dict[str, str]) -> None:
        super().__init__()
        self.of_class: dict[str, Any] = {"render_modes": []}
        self.why = why

    def __get__(self, env: Any, owner: type | None = None) -> Any:
        if env is not None:  # an instance's own dict, a copy of the class's
            refuse_video_recorder(env, self.why)
            return env.__dict__.setdefault("_metadata", dict(self.of_class))
        if sys._getframe(1).f_code is gym.envs.registration.make.__code__:
            # probe 146: a dict on every gymnasium (the property itself, returned until then,
            # is skipped by 1.4's make only: 1.1-1.3 raised InvalidMetadata "Expect the
            # environment metadata to be dict, actual type: <class 'module'>")
            return {"render_modes": _EveryRenderMode()}
        return self.of_class  # probe 97 row 19: was the property ('property' object …)

    def __set__(self, env: Any, value: Any) -> None:
        env.__dict__["_metadata"] = value


def renders_nothing(why: str | dict[str, str] = "it renders nothing") -> property:
    """``metadata`` of an env that renders nothing (``{"render_modes": []}``): ``gym.make`` reads
    a class attribute ``metadata`` before constructing the env and, for a ``render_mode`` not in
    its ``render_modes``, warns first, so under ``python -W error`` its UserWarning hid the env's
    own clear refusal of ``render_mode`` (probe 91a row 7). Read by ``gym.make`` itself its
    ``render_modes`` hold every mode (:class:`_EveryRenderMode`), so ``gym.make`` passes any
    ``render_mode`` on and the constructor's ValueError comes first (on every gymnasium 1.1-1.4:
    probe 146); read on the class anywhere else it is the plain dict of gymnasium's convention
    (probe 97 row 19: ``IllustrativeMDP.metadata["render_modes"]`` and a subclass's
    ``{**IllustrativeMDP.metadata, …}`` failed on the property); an instance's ``metadata`` is a
    plain dict of its own, settable like gymnasium's attribute. ``why``: what SB3's
    ``VecVideoRecorder`` over the env is told (:func:`refuse_video_recorder`)."""
    return _RendersNothing(why)


def check_time_limit_is_python_int(limit: Any, default: str) -> None:
    """Refuse a numpy integer ``max_episode_steps`` given to ``gym.make`` (other than gymnasium's
    -1, no TimeLimit), at construction: gymnasium's ``TimeLimit``, added after the constructor
    returns, takes only a Python int (probe 55: ``gym.make("RamboModel-hopper-random", mdp=mdp,
    max_episode_steps=np.int64(5))`` was its raw "Expect the `max_episode_steps` to be an integer,
    actually: <class 'numpy.int64'>", after the model was built). ``default``: what leaving it
    out gives ("rollout_length (5) steps"). The value gymnasium holds cannot be converted here."""
    if isinstance(limit, np.integer) and limit != -1:
        raise ValueError(
            f"max_episode_steps: gymnasium's TimeLimit takes a Python int, got "
            f"numpy.{type(limit).__name__}({int(limit)}); pass max_episode_steps=int(…) "
            f"({int(limit)}), or leave it out: the default already gives {default}"
        )


_MODEL_ENTRY = "rambo_env.envs.model_env:RamboModelEnv"

#: The ids found registered to another entry point, each said once per process.
_TAKEN_SAID: set[str] = set()


def _say_taken(env_id: str, entry: Any) -> None:
    """One warning per id that was registered by someone else before ``import rambo_env`` (probe
    91 row 18: skipped without a word, so ``gym.make(env_id, dataset=…)`` built their class); a
    re-registration of ours (``importlib.reload``) is quiet."""
    if entry == _MODEL_ENTRY or env_id in _TAKEN_SAID:
        return
    _TAKEN_SAID.add(env_id)
    shown = entry if isinstance(entry, str) else getattr(entry, "__qualname__", repr(entry))
    note(
        f"[rambo_env] WARNING: the Gymnasium id {env_id} was already registered (entry point "
        f"{shown}), so rambo_env did not register its own: gym.make({env_id!r}) builds that "
        "one; register yours under another id, or build rambo_env.RamboModelEnv(dataset=…) directly",
    )


def register_envs() -> None:
    """Register every ``RamboModel-<env>-<level>`` id; idempotent."""
    for env in ENVS:
        for level in LEVELS:
            env_id = f"RamboModel-{env}-{level}"
            if env_id in gym.registry:
                _say_taken(env_id, gym.registry[env_id].entry_point)
                continue
            gym.register(
                id=env_id,
                entry_point=_MODEL_ENTRY,
                vector_entry_point="rambo_env.envs.vector_env:RamboModelVectorEnv",
                kwargs={
                    "dataset": f"{env}-{level}",
                    "registered_env": env,
                    "registered_dataset": f"{env}-{level}",
                },
                disable_env_checker=True,
            )
    _register_toys()


def _register_toys() -> None:
    """The paper's toy MDPs (App. C.1, C.3); see rambo_env/envs/toys.py."""
    from rambo_env.envs.toys import ILLUSTRATIVE_HORIZON, ILLUSTRATIVE_ID, SINGLE_TRANSITION_ID

    if SINGLE_TRANSITION_ID not in gym.registry:
        gym.register(id=SINGLE_TRANSITION_ID, entry_point="rambo_env.envs.toys:SingleTransitionEnv")
    if ILLUSTRATIVE_ID not in gym.registry:
        gym.register(
            id=ILLUSTRATIVE_ID,
            entry_point="rambo_env.envs.toys:IllustrativeMDP",
            max_episode_steps=ILLUSTRATIVE_HORIZON,
        )
