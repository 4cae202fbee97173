"""``FusedSAC``: SB3's SAC with the same gradient step computed in fewer, larger pieces (issue 12).

SB3's ``SAC.train`` runs each gradient step as ~60 small eager ops with three backward passes, a
Python loop over parameters for the Polyak update and four ``.item()`` host syncs. At RAMBO's
sizes (256-row batches, 2 × 256 networks) that overhead costs more than the matmuls.
:class:`FusedSAC` computes the same step (Alg. 1 line 4; SAC of Haarnoja et al. 2018 as SB3
implements it) as

1. one critic-loss function (target actions, target Q, Bellman target, both Q losses),
2. one actor-and-α loss function, evaluated with the critic's weights held constant (SB3 also
   computes the critic's weight gradients there and discards them at the next ``zero_grad``),
3. the library optimizers (fused Adam, :class:`~agents.factory.LrScaledAdam`) and a ``foreach``
   Polyak update,

With ``compile=True`` the whole step — both losses, their gradients (``torch.func``), the Adam
steps and Polyak — is one ``torch.compile`` graph (:meth:`FusedSAC._whole_step`; 14-28 % faster
per step at paper sizes on a 2-core EPYC, README issue 12), and where it does not apply each
loss's forward and backward is compiled (:class:`~rambo_env.compile.MaybeCompiled` falls back to
eager). Same math, same order of random draws: with ``compile=False`` a step equals
``SAC.train``'s bit for bit on the same seed (tested), with ``compile=True`` to float32 rounding
(1e-6 relative after 12 steps: inductor reorders reductions).

It stays an ordinary SB3 ``SAC``: same constructor (plus ``compile``), ``save`` / ``load``,
callbacks, logger keys. Configurations the fused step does not cover (gSDE, batch-norm
statistics, a ``VecNormalize`` env) run the library's ``train`` unchanged.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pickle
import re
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from stable_baselines3 import SAC
from stable_baselines3.common.vec_env import VecNormalize
from torch.func import functional_call, grad_and_value
from torch.nn import functional as F

from rambo_env.compile import MaybeCompiled, cuda_graphs_wanted, static_addresses
from rambo_env.logging import note
from rambo_env.normalization import inputs_are_normalised, raw_scale_evidence
from rambo_env.optim import (
    AdamGroup,
    adam_groups,
    adam_lrs,
    adam_scalars,
    adam_state,
    adam_update,
)
from rambo_env.progress import learn_closes_its_bars
from rambo_env.run_io import (
    atomic_write,
    check_file_or_absent,
    check_flag,
    check_writable,
    counted,
    is_int,
    is_real,
    numpy2_pickle_error,
    numpy_underflow_ignored,
    safe_reason,
    trains_with_grad,
    user_stacklevel,
    warn_each_time,
    with_article,
)

__all__ = ["CheckedSaveLoad", "FusedSAC", "python_optimizer_numbers", "squashed_gaussian_sample"]

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))


def squashed_gaussian_sample(
    actor: torch.nn.Module, obs: torch.Tensor, eps: torch.Tensor, epsilon: float = 1e-6
) -> tuple[torch.Tensor, torch.Tensor]:
    """``tanh(μ + σ·eps)`` and its log-density, as SB3's ``SquashedDiagGaussianDistribution``.

    ``eps`` is the standard-normal draw SB3's ``Normal.rsample`` would make; the arithmetic is the
    library's (``Normal.log_prob`` of the pre-tanh sample minus ``Σ log(1 - a² + ε)``).
    """
    mean, log_std, _ = actor.get_action_dist_params(obs)
    std = torch.ones_like(mean) * log_std.exp()
    gaussian = mean + eps * std
    action = torch.tanh(gaussian)
    log_prob = -((gaussian - mean) ** 2) / (2 * std**2) - std.log() - _LOG_SQRT_2PI
    log_prob = log_prob.sum(dim=1) - torch.sum(torch.log(1 - action**2 + epsilon), dim=1)
    return action, log_prob


def _atomic_save(
    save: Any, path: str | os.PathLike | io.BufferedIOBase, suffix: str, what: str
) -> None:
    """``save(file)`` of an SB3 writer (``save``, ``save_replay_buffer``) into ``path`` atomically,
    its folder checked first; SB3's own ending (``suffix``) is added to a path without one, and an
    open file object is written as it is."""
    _check_file_arg(path, f"the {what}'s {suffix} file to write")
    if not isinstance(path, str | os.PathLike):
        save(path)
        return
    if not Path(path).suffix and Path(path).is_dir():  # probe 30: SB3 wrote PATH.zip beside it
        raise ValueError(
            f"path: {os.fspath(path)} is a folder; pass a file path such as "
            f"{Path(path) / (what + suffix)}"
        )
    target = Path(path) if Path(path).suffix else Path(f"{os.fspath(path)}{suffix}")  # SB3's
    check_writable(target.parent, "path: the folder", f"save the {what} into a writable folder")
    check_file_or_absent(target, "path", f"move it away or save the {what} under another name")

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            save(f)

    atomic_write(target, write)


def _check_file_arg(path: Any, file: str) -> None:
    """One ValueError unless ``path`` is a file path (str / os.PathLike) or an open binary file
    (what SB3's ``save`` / ``load`` take); ``file`` says which file to give. Probe 132 row 8:
    ``load(None)`` / ``save(5)`` were SB3's raw ``TypeError: Path None parameter has invalid
    type: expected one of (<class '_io.BufferedWriter'>, …)``."""
    if not isinstance(path, str | os.PathLike | io.BufferedIOBase):
        raise ValueError(
            f"path: expected a file path (str / pathlib.Path) or an open binary file, got "
            f"{type(path).__name__} {path!r:.60}; give {file}"
        )


def python_optimizer_numbers(model: Any) -> None:
    """Each numpy scalar in the param groups of ``model``'s saved optimizers as the Python value
    (``.item()``). SB3 loads the optimizer states with torch's
    ``weights_only=True``, which refuses numpy scalars: probe 132 row 1: ``set_critic_lr(agent,
    np.float32(3e-4), np.float32(1e-4))`` (or any numpy value set on a group) saved without a
    word a zip that ``load`` refused with torch's raw ``UnpicklingError``."""
    for name in model._get_torch_save_params()[0]:
        holder = model
        for part in name.split("."):
            holder = getattr(holder, part, None)
        for group in getattr(holder, "param_groups", None) or ():
            for key, value in group.items():
                if isinstance(value, np.generic):
                    group[key] = value.item()


def _numpy_in_optimizer_state(path: Any, name: str, cls: str) -> str:
    """The error of ``load`` for a zip whose optimizer state holds numpy numbers (``name``: the
    global torch's weights-only load refused), as :func:`python_optimizer_numbers` now prevents;
    with the one-time load that reads such a file and the save that rewrites it."""
    return (
        f"path: {path}: its optimizer state holds numpy numbers ({name}; an agent saved after "
        "set_critic_lr was given numpy learning rates, before probe 132), which torch's "
        "weights-only load refuses; if you trust the file, load it once with "
        "`with torch.serialization.safe_globals([numpy._core.multiarray.scalar, numpy.dtype, "
        "numpy.dtypes.Float32DType, numpy.dtypes.Float64DType]): "
        f"agent = {cls}.load(path)` (numpy 1: numpy.core.multiarray.scalar) and save it "
        "again with agent.save(path), which writes Python numbers"
    )


@contextlib.contextmanager
def _dataset_by_reference(model: Any) -> Iterator[None]:
    """While ``model`` is saved, its replay buffer and ``replay_buffer_kwargs`` hold a
    :class:`~agents.buffer.DatasetRef` in place of the dataset (probe 23: every ``agent.zip``
    and buffer pickle held the whole dataset, ~140 MB for 1M rows)."""
    from agents.buffer import DatasetRef, MixedReplayBuffer
    from rambo_env.data.dataset import OfflineDataset

    holders = [getattr(model, "replay_buffer_kwargs", None)]
    buffer = getattr(model, "replay_buffer", None)
    if isinstance(buffer, MixedReplayBuffer):
        holders.append(buffer.__dict__)
    swapped = [
        h for h in holders if isinstance(h, dict) and isinstance(h.get("dataset"), OfflineDataset)
    ]
    kept = [h["dataset"] for h in swapped]
    refs = {id(d): DatasetRef.of(d) for d in kept}  # one hash of the arrays per dataset
    try:
        for holder in swapped:
            holder["dataset"] = refs[id(holder["dataset"])]
        yield
    finally:
        for holder, dataset in zip(swapped, kept, strict=True):
            holder["dataset"] = dataset


def _attach_dataset(model: Any, dataset: Any) -> None:
    """``load(path, dataset=…)``: the loaded agent's buffer gets its dataset back (checked)."""
    from agents.buffer import MixedReplayBuffer

    buffer = getattr(model, "replay_buffer", None)
    if not isinstance(buffer, MixedReplayBuffer):
        raise ValueError(
            f"dataset: this agent's replay buffer is {with_article(type(buffer).__name__)}, which samples no "
            "dataset; load it without dataset="
        )
    buffer.attach_dataset(dataset)
    kwargs = getattr(model, "replay_buffer_kwargs", None)
    if isinstance(kwargs, dict):
        kwargs["dataset"] = dataset


#: The threads of this process inside a :meth:`CheckedSaveLoad.learn` or ``run_cotrain``:
#: ``{thread id: [depth, what, thread name, others met meanwhile]}`` (:func:`draws_global_rng`).
_GLOBAL_RNG_USERS: dict[int, list[Any]] = {}
_GLOBAL_RNG_LOCK = threading.Lock()


def _tell_shared_rng(what: str, name: str, others: list[str], started: bool) -> None:
    """The warning of :func:`draws_global_rng`."""
    when = "is running" if started else "ran"
    warn_each_time(
        f"{what} (thread {name!r}): {' and '.join(sorted(set(others)))} {when} in another thread "
        "of this process at the same time; both draw from the process-global torch / numpy "
        "random generators (SB3's action noise and sampling), so neither's numbers are those it "
        "gives alone, nor repeat: run them one after the other, or in separate processes",
        RuntimeWarning,
        stacklevel=user_stacklevel(),
    )


@contextlib.contextmanager
def draws_global_rng(what: str) -> Iterator[None]:
    """Mark ``what`` (an agent's ``learn``, ``run_cotrain``) as drawing from the process-global
    random generators in this thread for the block; when another thread of the process is inside
    one at the same time, each is warned once (the later one on entry, the earlier one on its
    way out). Nested in one thread (``run_cotrain``'s own ``learn`` calls): one. Probe 118 rows
    18, 32: two ``make_agent`` + ``learn`` in two threads gave numbers that differ from those
    of the two one after the other (a=130.93 b=103.31 vs 123.33 / 134.17) and from run to run,
    without a word. A host thread's own draws (``torch.randn``) cannot be seen: the README says
    the numbers repeat only when no other thread draws from the global generators."""
    me = threading.get_ident()
    name = threading.current_thread().name
    with _GLOBAL_RNG_LOCK:
        entry = _GLOBAL_RNG_USERS.setdefault(me, [0, what, name, []])
        entry[0] += 1
        others = [e for t, e in _GLOBAL_RNG_USERS.items() if t != me]
        outermost = entry[0] == 1
        if outermost:
            for other in others:
                other[3].append(f"{what} (thread {name!r})")
    told = outermost and bool(others)
    if told:
        _tell_shared_rng(what, name, [f"{e[1]} (thread {e[2]!r})" for e in others], True)
    try:
        yield
    finally:
        with _GLOBAL_RNG_LOCK:
            entry[0] -= 1
            met = entry[3] if entry[0] == 0 else []
            if entry[0] == 0:
                del _GLOBAL_RNG_USERS[me]
        if met and not told:
            _tell_shared_rng(what, name, met, False)


class CheckedSaveLoad:
    """SB3's ``save`` / ``load`` with a bad path named in one ValueError, and ``predict`` /
    ``learn`` with a bad observation or step count named in one (a mixin before the SB3
    algorithm class: ``FusedSAC``, and the TD3 / DDPG / TQC / CrossQ of
    :data:`agents.factory.AGENT_CLASSES`)."""

    #: What :meth:`load`'s error says writes a loadable file.
    saved_by: str | None = None

    @numpy_underflow_ignored  # probe 118 row 13: a caller's np.seterr
    def predict(self, observation: Any, *args: Any, **kwargs: Any) -> Any:
        """SB3's ``predict``, after refusing non-finite observations (was: torch's raw
        ``Expected parameter loc … to satisfy the constraint Real()`` for SAC, a NaN action
        returned silently for TD3)."""
        check_finite_observation(observation)
        # probe 66 row 55: deterministic="yes" / "False" was taken as truthy
        check_flag(
            kwargs["deterministic"]
            if "deterministic" in kwargs
            else (args[2] if len(args) > 2 else False),
            "deterministic",
        )
        watch_for_raw_observations(self, observation)
        return super().predict(observation, *args, **kwargs)  # type: ignore[misc]

    def _excluded_save_params(self) -> list[str]:
        return [*super()._excluded_save_params(), "_raw_watch", "_dumped_at"]  # type: ignore[misc]

    def dump_logs(self) -> None:
        """SB3's ``dump_logs``, at most once per env step. SB3 dumps every ``log_interval``
        ended episodes, inside its loop over the rows that ended one: the model env's
        50 000 rows all end theirs at the same step, so ``learn``'s default ``log_interval=4``
        dumped 12 500 times per collect, the same numbers each time (probe 104 row 27: 1.8 MB of
        TensorBoard events and 4.5 s instead of 0.6 s for 3 collects). Envs whose episodes end
        one at a time dump as before."""
        step = self.num_timesteps  # type: ignore[attr-defined]
        if self.__dict__.get("_dumped_at") == step:
            return
        self.__dict__["_dumped_at"] = step
        super().dump_logs()  # type: ignore[misc]

    @trains_with_grad("learn")
    def learn(self, total_timesteps: Any, *args: Any, **kwargs: Any) -> Any:
        """SB3's ``learn``, after refusing a step count that is not an int >= 0 (was: ``-1``
        returned at once with nothing learnt, ``2.5`` was taken as 2). ``learn(0)`` stays SB3's
        no-op (it sets up the logger and callbacks). An agent without a logger of its own and
        without ``tensorboard_log`` (one loaded with ``load``, or built without
        :func:`agents.factory.make_agent`) gets :func:`agents.factory.quiet_logger` (issue 14:
        SB3's own made an empty ``<tmp>/SB3-<date>`` folder per ``learn``)."""
        if not (is_int(total_timesteps) and total_timesteps >= 0):
            raise ValueError(
                f"total_timesteps: expected an int >= 0 (env steps to collect), got "
                f"{total_timesteps!r:.60}"
            )
        if self.get_env() is None:  # type: ignore[attr-defined]
            # probe 43 row 65: load(zip[, dataset=ds]).learn(n) was SB3's raw AssertionError
            name = type(self).__name__
            rows = getattr(self, "n_envs", None) or "…"
            raise ValueError(
                f"learn: this agent has no env (loaded without one); pass env= to load (e.g. "
                f"{name}.load(path, env=RamboModelVecEnv(mdp, num_envs={rows}), dataset=ds)) "
                "or call agent.set_env(…) first"
            )
        _warn_zero_learning_rate(self)
        self.__dict__.pop("_dumped_at", None)  # a new learn (its step count may restart) dumps anew
        if not self._custom_logger and self.tensorboard_log is None:  # type: ignore[attr-defined]
            from agents.factory import quiet_logger  # lazy: factory imports us

            self.set_logger(quiet_logger(self.verbose))  # type: ignore[attr-defined]
        # probe 77 row 9: SB3 closes the bar of progress_bar=True only when training ends; an
        # interrupted learn left its rich display holding a notebook's output (later bars died
        # with a RecursionError). Bars this learn opened are closed on every way out.
        with learn_closes_its_bars(), draws_global_rng("learn"):
            return super().learn(int(total_timesteps), *args, **kwargs)  # type: ignore[misc]

    def set_env(self, env: Any, force_reset: bool = True) -> None:
        """SB3's ``set_env``, after the checks :func:`agents.factory.make_agent` makes of its
        env (probe 25: the model env of another dataset's normaliser, or of another k, was
        taken, and the agent trained on two scales or rollouts of another length)."""
        from agents.factory import check_env_fits_agent

        check_env_fits_agent(self, self._wrap_env(env, 0))  # type: ignore[attr-defined]
        super().set_env(env, force_reset)  # type: ignore[misc]

    def save(self, path: str | os.PathLike | io.BufferedIOBase, *args: Any, **kwargs: Any) -> None:
        """SB3's ``save``, after checking that the file's folder can be written: was SB3's raw
        ``RecursionError: maximum recursion depth exceeded`` (``/proc/agent.zip``) or
        ``NotADirectoryError`` (a folder under a file). A path is written atomically (probe 19:
        Ctrl-C or a full disk during SB3's save left a cut zip over the previous agent; a folder
        at the path was saved to ``<path>_2`` with a warning only). Numpy numbers in the
        optimizers' param groups are saved as Python ones (:func:`python_optimizer_numbers`)."""
        python_optimizer_numbers(self)
        save = super().save  # type: ignore[misc]
        with _dataset_by_reference(self):
            _atomic_save(lambda f: save(f, *args, **kwargs), path, ".zip", "agent")

    def set_parameters(
        self, load_path_or_dict: Any, exact_match: bool = True, device: Any = "auto"
    ) -> None:
        """SB3's ``set_parameters``, after checking every given weight against this agent: a
        NaN / inf one, or one of another shape, is one ValueError naming it, and nothing is
        loaded (probe 57: NaN weights were taken without a word, the next ``predict`` was torch's
        raw "Expected parameter loc … found invalid values"; a wrong shape was torch's raw
        "Error(s) in loading state_dict … size mismatch", after the objects before it had been
        loaded). A module none of whose given keys is the agent's is refused too, whatever
        ``exact_match`` (probe 58 row 10: with ``exact_match=False`` it loaded nothing without a
        word). Probe 66 rows 52-54: with ``exact_match=True`` a state dict lacking keys (or
        objects) was torch's / SB3's raw error after the keys given had been copied (a
        half-loaded agent), an empty one loaded nothing without a word, and a missing zip was
        SB3's ``FileNotFoundError … none.zip.zip``: all are checked before anything is copied.
        ``load`` and a run's ``load_session`` go through here."""
        from stable_baselines3.common.save_util import load_from_zip_file

        check_flag(exact_match, "exact_match")
        params = load_path_or_dict
        if not isinstance(params, dict):  # a saved zip: read once, checked, then given to SB3
            try:
                _, params, _ = load_from_zip_file(load_path_or_dict, device=device, load_data=False)
            except (FileNotFoundError, IsADirectoryError) as err:
                problem = (
                    "a folder, not a file"
                    if isinstance(err, IsADirectoryError)
                    else "no such file"
                    + (f" (nor {err.filename})" if err.filename != load_path_or_dict else "")
                )
                raise ValueError(
                    f"path: {load_path_or_dict}: {problem}; give a file written by "
                    f"{self.saved_by or type(self).__name__ + '.save'}"
                ) from None
        if isinstance(params, dict):
            misfit = _parameters_misfit(self, params, exact_match)
            if misfit is not None:
                raise ParametersMisfitError(misfit)
        super().set_parameters(params, exact_match, device)  # type: ignore[misc]
        # Probe 69: SB3's load rebuilds α's optimizer as a plain Adam, which ignores the saved
        # cap (``max_value`` in its group): α grew past ent_coef_max. The cap is put back.
        optimizer = getattr(self, "ent_coef_optimizer", None)
        caps = [g.get("max_value") for g in getattr(optimizer, "param_groups", ())]
        if caps and caps[0] is not None and type(optimizer).__name__ != "LrScaledAdam":
            from agents.factory import set_ent_coef_max  # lazy: factory imports this module

            set_ent_coef_max(self, math.exp(caps[0]))

    @classmethod
    def load(
        cls,
        path: str | os.PathLike | io.BufferedIOBase,
        *args: Any,
        dataset: Any = None,
        **kwargs: Any,
    ) -> Any:
        """SB3's ``load``; a path that is missing, a folder or not a saved agent is one ValueError
        naming it (was: ``FileNotFoundError: … missing.zip.zip``, ``IsADirectoryError``, or
        ``AssertionError: No data found in the saved file`` for a run's ``checkpoint.pt``).
        ``device`` is checked first (probe 22: ``gpu`` / ``""`` / 5 was torch's raw RuntimeError
        after the file was read).

        The file holds a reference to the agent's dataset, not its arrays (:class:`agents.buffer.
        DatasetRef`): the loaded agent acts without it; give ``dataset`` (the same one, checked by
        fingerprint) to train it again.
        """
        from rambo_env.dynamics.ensemble import check_device
        from rambo_env.run_io import check_default_dtype

        _check_file_arg(path, "the agent's .zip file (written by save)")
        check_device(
            kwargs["device"] if "device" in kwargs else args[1] if len(args) > 1 else "auto"
        )
        # probe 118 row 12: float64 loaded float64 weights, torch's raw dtype error at predict
        check_default_dtype(f"{cls.__name__}.load")
        try:
            cls._check_saved_policy(path)
            cls._check_load_env(
                path, kwargs["env"] if "env" in kwargs else args[0] if args else None
            )
            saved_rows = _saved_n_envs(path)
            model = super().load(path, *args, **kwargs)  # type: ignore[misc]
            if model.get_env() is not None:  # load(…, env=…): the checks of set_env
                from agents.factory import check_env_fits_agent

                check_env_fits_agent(model, model.get_env(), n_envs=saved_rows)
            if dataset is not None:
                _attach_dataset(model, dataset)
            return model
        except IsADirectoryError:
            problem = "a folder, not a file"
        except FileNotFoundError as err:  # SB3 tries PATH, then PATH.zip, and names only that
            problem = "no such file" + (f" (nor {err.filename})" if err.filename != path else "")
        except (ParametersMisfitError, KeyError) as err:
            # SB3's load retries a ValueError of set_parameters as an old DQN file, whose
            # params["policy.optimizer"] is then a KeyError: the misfit is its context
            misfit = err if isinstance(err, ParametersMisfitError) else err.__context__
            if not isinstance(misfit, ParametersMisfitError):
                raise
            raise ValueError(f"path: {path}: {misfit.detail}") from None
        except (AssertionError, ValueError) as err:
            if not any(s in str(err) for s in ("No data found", "wasn't a zip-file")):
                raise
            problem = "not an agent saved by save() (a zip with a 'data' entry)"
        except pickle.UnpicklingError as err:
            found = re.search(r"GLOBAL (numpy\S*) was not an allowed global", str(err))
            if found is None:
                raise
            raise ValueError(
                _numpy_in_optimizer_state(path, found.group(1), cls.__name__)
            ) from None
        except ImportError as err:  # probe 96b row 7: a numpy-2 save read under numpy 1
            newer = numpy2_pickle_error(
                err, f"path: {path}", "; or save the agent from a numpy-1 env"
            )
            if newer is None:
                raise
            raise newer from None
        raise ValueError(
            f"path: {path}: {problem}; give a file written by {cls.saved_by or cls.__name__ + '.save'} "
            "(a co-training run's checkpoint.pt is loaded with agents.cotrain.load_session(run_dir))"
        ) from None

    def save_replay_buffer(self, path: str | os.PathLike | io.BufferedIOBase) -> None:
        """SB3's ``save_replay_buffer``, written atomically into a checked folder (probe 20: SB3
        wrote the pickle in place, so Ctrl-C or a full disk during the save of a large model
        pool left a cut file over the previous one; a folder at the path went to ``<path>_2``)."""
        with _dataset_by_reference(self):
            _atomic_save(super().save_replay_buffer, path, ".pkl", "buffer")  # type: ignore[misc]

    def load_replay_buffer(
        self, path: str | os.PathLike | io.BufferedIOBase, *args: Any, **kwargs: Any
    ) -> None:
        """SB3's ``load_replay_buffer``; a missing, folder or damaged file is one ValueError
        naming it, and a plain SB3 ``ReplayBuffer`` (another agent's) is refused for an agent
        that samples real and model transitions, whose buffer is kept (probe 20: was
        ``FileNotFoundError: … missing.pkl.pkl``, pickle's raw ``invalid load key``, and the
        plain buffer was taken: the agent then trained without the real data). So is a buffer of
        another real ratio or model-pool size than the agent's (:func:`_mix_misfit`)."""
        from agents.buffer import DatasetRef, MixedReplayBuffer  # imports no agent class

        _check_file_arg(path, "the buffer's .pkl file (written by save_replay_buffer)")
        truncate = kwargs.get("truncate_last_traj", args[0] if args else True)  # SB3's option
        check_flag(truncate, "truncate_last_traj")  # probe 22: "no" / None: truthy / falsy
        before = getattr(self, "replay_buffer", None)
        try:
            super().load_replay_buffer(path, *args, **kwargs)  # type: ignore[misc]
        except IsADirectoryError:
            problem = "a folder, not a file"
        except FileNotFoundError as err:  # SB3 tries PATH, then PATH.pkl, and names only that
            problem = "no such file" + (f" (nor {err.filename})" if err.filename != path else "")
        except (AssertionError, EOFError, pickle.UnpicklingError, ValueError) as err:
            problem = f"not a replay buffer saved by save_replay_buffer ({safe_reason(err)})"
        except ImportError as err:  # probe 96b row 8: a numpy-2 pickle read under numpy 1
            newer = numpy2_pickle_error(
                err, f"path: {path}", "; or save the buffer from a numpy-1 env"
            )
            if newer is None:
                raise
            raise newer from None
        else:
            if isinstance(before, MixedReplayBuffer) and not isinstance(
                self.replay_buffer, MixedReplayBuffer
            ):
                kind = type(self.replay_buffer).__name__
                self.replay_buffer = before
                raise ValueError(
                    f"path: {path}: {with_article(kind)} (another agent's), but this agent samples real and "
                    "model transitions from an agents.buffer.MixedReplayBuffer; load a buffer "
                    "saved by an agent of agents.factory.make_agent (this agent's buffer is kept)"
                )
            misfit = _buffer_misfit(self.replay_buffer, self) or _mix_misfit(
                self.replay_buffer, before, self
            )
            if misfit is not None:
                self.replay_buffer = before
                raise ValueError(f"path: {path}: {misfit} (this agent's buffer is kept)")
            if isinstance(before, MixedReplayBuffer) and not isinstance(before.dataset, DatasetRef):
                try:  # the buffer was saved with a reference to its dataset: this agent's
                    self.replay_buffer.attach_dataset(before.dataset)
                except ValueError as err:
                    self.replay_buffer = before
                    raise ValueError(f"path: {path}: {err} (this agent's buffer is kept)") from None
            if isinstance(self.replay_buffer, MixedReplayBuffer):
                self.replay_buffer.follow_device()  # saved on another device (probe 74)
            return
        raise ValueError(f"path: {path}: {problem}; give a file written by save_replay_buffer")

    @property
    def normalizer(self) -> Any:
        """The :class:`~rambo_env.normalization.ObsNormalizer` of the agent's data (an agent of
        :func:`agents.factory.make_agent`; None for another, e.g. an rl-zoo or plain SB3 zip loaded with
        this class, which carries none: ``evaluate_policy``'s error then says where one is, probe
        126): the agent acts on its z-scores. It
        is saved in the agent's zip, so a loaded agent is evaluated without rebuilding the mdp:
        ``evaluate_policy(lambda o: agent.predict(o, deterministic=True)[0], "Hopper-v5",
        agent.normalizer)``, or SB3's tools on ``NormalizedObservation(gym.make("Hopper-v5"),
        agent.normalizer)`` (probe 36: it was held by the replay buffer only)."""
        found = getattr(getattr(self, "replay_buffer", None), "normalizer", None)
        if found is None:
            found = (getattr(self, "replay_buffer_kwargs", None) or {}).get("normalizer")
        return found

    @classmethod
    def _check_load_env(cls, path: Any, env: Any) -> None:
        """``load(path, env=…)`` of an agent of :func:`agents.factory.make_agent` (its saved
        replay buffer a :class:`~agents.buffer.MixedReplayBuffer`) with an env that is not a model
        env: the message of ``set_env`` (probe 36: SB3's space check fired first, "Observation
        spaces do not match: … float32 != float64"). Anything unreadable is left to SB3."""
        from stable_baselines3.common.save_util import json_to_data

        from agents.buffer import MixedReplayBuffer
        from agents.factory import check_model_env

        if env is None or not isinstance(path, str | os.PathLike):
            return
        found = Path(path) if Path(path).is_file() else Path(f"{os.fspath(path)}.zip")
        try:
            with zipfile.ZipFile(found) as archive:
                data = json.loads(archive.read("data"))
            saved = json_to_data(json.dumps({"c": data["replay_buffer_class"]})).get("c")
            wrapped = cls._wrap_env(env, 0)  # type: ignore[attr-defined]
        except Exception:  # not a zip, no data entry, not an env, …: SB3's load says so
            return
        if isinstance(saved, type) and issubclass(saved, MixedReplayBuffer):
            check_model_env(wrapped)

    @classmethod
    def _check_saved_policy(cls, path: Any) -> None:
        """A zip saved by another algorithm is one ValueError naming both (probe 19: ``TD3.load``
        of a SAC zip was a raw ``AttributeError: … 'actor_target'``, ``FusedSAC.load`` of a TD3
        zip "'NoneType' object has no attribute 'action_space'", and ``TQC.load`` of a SAC zip
        was taken: a TQC object holding SAC's policy). Anything unreadable is left to SB3."""
        from stable_baselines3.common.save_util import json_to_data

        if not isinstance(path, str | os.PathLike):
            return
        found = Path(path) if Path(path).is_file() else Path(f"{os.fspath(path)}.zip")
        try:
            with zipfile.ZipFile(found) as archive:
                data = json.loads(archive.read("data"))
            saved = json_to_data(json.dumps({"policy_class": data["policy_class"]}))
        except Exception:  # not a zip, no data entry, …: SB3's load says so, named below
            return
        policy, expected = saved.get("policy_class"), cls.policy_aliases.get("MlpPolicy")
        if isinstance(policy, type) and isinstance(expected, type):
            if not issubclass(policy, expected):
                raise ValueError(
                    f"path: {path}: an agent whose policy is {with_article(policy.__name__)} (saved by another "
                    f"algorithm), but {cls.__name__} uses {with_article(expected.__name__)}; load it with the "
                    f"class that saved it{_loader_of(policy, data)}"
                )
        cls._check_saved_td3_kind(path, data)

    @classmethod
    def _check_saved_td3_kind(cls, path: Any, data: dict[str, Any]) -> None:
        """TD3 and DDPG share SB3's TD3Policy, so the policy check cannot tell them apart (probe
        42: ``DDPG.load`` of a TD3 zip was taken, a "DDPG" with policy_delay 2). SB3's DDPG
        fixes ``policy_delay`` 1, ``target_noise_clip`` 0 and ``target_policy_noise`` 0.1, and
        saves them: a zip with all three is a DDPG agent's, any other a TD3 agent's."""
        from stable_baselines3 import DDPG, TD3

        if not issubclass(cls, TD3):
            return
        saved = _td3_kind(data)
        if saved is None:
            return  # not saved by SB3's TD3 / DDPG: left to SB3
        keys = ("policy_delay", "target_noise_clip", "target_policy_noise")
        values = tuple(data.get(key) for key in keys)
        wanted = "DDPG" if issubclass(cls, DDPG) else "TD3"
        if saved != wanted:
            shown = ", ".join(f"{k} {v}" for k, v in zip(keys, values, strict=True))
            raise ValueError(
                f"path: {path}: a {saved} agent ({shown}; DDPG's are fixed at 1, 0.0, 0.1), but "
                f"this is {cls.__name__}.load, which loads {wanted} agents (both use TD3Policy); load it with the class "
                f"that saved it (agents.factory.AGENT_CLASSES[{saved.lower()!r}])"
            )


def _td3_kind(data: dict[str, Any]) -> str | None:
    """``"DDPG"`` or ``"TD3"`` for the saved data of SB3's TD3 / DDPG (both use TD3Policy; SB3's
    DDPG fixes ``policy_delay`` 1, ``target_noise_clip`` 0 and ``target_policy_noise`` 0.1 and
    saves them), None when they are not there."""
    keys = ("policy_delay", "target_noise_clip", "target_policy_noise")
    values = tuple(data.get(key) for key in keys)
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return None
    return "DDPG" if values == (1, 0.0, 0.1) else "TD3"


def _loader_of(policy: type, data: dict[str, Any]) -> str:
    """``: agents.fused.FusedSAC.load (agents.factory.AGENT_CLASSES['sac'])``: the one class of
    :data:`agents.factory.AGENT_CLASSES` whose policy ``policy`` is (TD3 / DDPG told apart by
    :func:`_td3_kind`), else `` (agents.factory.AGENT_CLASSES)``. Probe 45: the error named no
    class."""
    from agents.factory import AGENT_CLASSES

    names = [
        name
        for name, agent_cls in AGENT_CLASSES.items()
        if isinstance(agent_cls.policy_aliases.get("MlpPolicy"), type)
        and issubclass(policy, agent_cls.policy_aliases["MlpPolicy"])
    ]
    if set(names) == {"td3", "ddpg"} and _td3_kind(data) is not None:
        names = [str(_td3_kind(data)).lower()]
    if len(names) != 1:
        return " (agents.factory.AGENT_CLASSES)"
    agent_cls = AGENT_CLASSES[names[0]]
    return (
        f": {agent_cls.__module__}.{agent_cls.__qualname__}.load "
        f"(agents.factory.AGENT_CLASSES[{names[0]!r}])"
    )


def _buffer_misfit(buffer: Any, agent: Any) -> str | None:
    """Why a loaded replay buffer does not fit ``agent``: other observation / action shapes
    (another env's transitions) or another number of VecEnv rows (SB3 stores one transition a
    row and step). Probe 31: a buffer of 8 rows loaded into an agent stepping 4 was taken, then
    SB3's raw ``cannot reshape array of size 8 into shape (8,2)`` at the first collect."""
    obs, act = getattr(buffer, "obs_shape", None), getattr(buffer, "action_dim", None)
    agent_obs = tuple(agent.observation_space.shape)
    agent_act = int(np.prod(agent.action_space.shape))
    if (obs is not None and tuple(obs) != agent_obs) or (act is not None and act != agent_act):
        return (
            f"a buffer of observations of shape {tuple(obs or ())} and {act}-dim actions, but "
            f"this agent's are {agent_obs} and {agent_act}-dim (another env's transitions); "
            "load a buffer saved by an agent of this env"
        )
    rows, agent_rows = getattr(buffer, "n_envs", None), getattr(agent, "n_envs", None)
    if rows is not None and agent_rows is not None and rows != agent_rows:
        return (
            f"a buffer of {counted(rows, 'env')} (VecEnv rows), but this agent steps {agent_rows}: SB3 "
            "stores one transition a row and step, so its first collect would fail; load it "
            f"into an agent on an env of {counted(rows, 'row')} (RamboModelVecEnv(mdp, num_envs={rows}), "
            "make_agent)"
        )
    return None


def _mix_misfit(buffer: Any, before: Any, agent: Any) -> str | None:
    """Why a loaded ``MixedReplayBuffer`` would change what the agent was built to sample: its
    real ratio f or its model pool's size (``retain_iterations``) differ from the agent's own
    buffer's. Probe 112: both were taken without a word (an agent of f = 0.75 sampled the
    loaded 0.25; a pool of 5 iterations kept 1 while ``agent.buffer_size`` still said 5)."""
    from agents.buffer import MixedReplayBuffer  # imports no agent class

    if not (isinstance(buffer, MixedReplayBuffer) and isinstance(before, MixedReplayBuffer)):
        return None
    theirs, ours = float(buffer.real_ratio), float(before.real_ratio)
    if not math.isclose(theirs, ours, rel_tol=1e-9, abs_tol=1e-12):
        # probe 115: 0.05 vs 1 - 0.95 was refused, the message saying 0.05 twice; ratios
        # a rounding apart are one share, and the ones that differ are shown in full
        digits = next(n for n in (3, 6, 9, 12, 17) if f"{theirs:.{n}g}" != f"{ours:.{n}g}")
        theirs_s, ours_s = f"{theirs:.{digits}g}", f"{ours:.{digits}g}"
        return (
            f"a buffer of real_ratio {theirs_s} (the saving agent's share of real "
            f"rows per batch), but this agent was built with real_ratio {ours_s}, "
            "which loading it would replace; load it into an agent made with "
            f"make_agent(…, real_ratio={theirs_s}) (to go on with another share, set "
            "agent.replay_buffer.real_ratio after loading)"
        )
    buffer.real_ratio = before.real_ratio  # the agent's own (equal up to rounding)
    if buffer.buffer_size != before.buffer_size:
        k = getattr(getattr(agent, "train_freq", None), "frequency", None) or 1
        ours, theirs = (b.buffer_size * b.n_envs for b in (before, buffer))
        return (
            f"a buffer whose model pool holds {theirs} transitions ({buffer.buffer_size // k:g} "
            f"iteration(s) of {counted(buffer.n_envs, 'row')} × k = {k}), but this agent's holds "
            f"{ours} ({before.buffer_size // k:g}; make_agent's retain_iterations), which "
            "loading it would replace; load it into an agent made with make_agent(…, "
            f"retain_iterations={buffer.buffer_size // k})"
        )
    return None


def _saved_n_envs(path: Any) -> int | None:
    """The VecEnv rows an agent zip was saved with (SB3's ``n_envs``); None if unreadable."""
    if not isinstance(path, str | os.PathLike):
        return None
    found = Path(path) if Path(path).is_file() else Path(f"{os.fspath(path)}.zip")
    try:
        with zipfile.ZipFile(found) as archive:
            n_envs = json.loads(archive.read("data")).get("n_envs")
    except Exception:  # not a zip, no data entry, …: SB3's load says so
        return None
    return n_envs if isinstance(n_envs, int) and not isinstance(n_envs, bool) else None


#: Evidence (nats of log-likelihood ratio, raw vs normalised) at which
#: :func:`watch_for_raw_observations` warns, and the rows of one call it weighs at most.
RAW_WATCH_NATS, RAW_WATCH_ROWS = 20.0, 256


def watch_for_raw_observations(model: Any, observation: Any) -> None:
    """Warn once when an agent built for RAMBO is given raw (unnormalised) observations.

    Probe 25: ``stable_baselines3.common.evaluation.evaluate_policy(agent, gym.make("Hopper-v5"))``
    scored the policy on raw observations without a word, while the agent acts on z-scores of
    its data's ``ObsNormalizer`` (the model env's). Each ``predict`` weighs whether its
    observations look like N(0, 1) per dimension (normalised) or like N(mean, std) of the data
    (raw): the log-likelihood ratio, accumulated as a CUSUM (never below 0, so the normalised
    model rows of training leave no debt) until it passes :data:`RAW_WATCH_NATS`, over the
    dimensions whose data mean lies more than 3 std from 0 (none: no evidence, no warning).
    The project's own evaluations, which normalise, run inside :func:`normalised_inputs`, and
    ``rambo_env.evaluation.evaluate_policy``'s policy calls inside ``inputs_normalised``.
    """
    state = _raw_watch(model)
    normalizer = getattr(getattr(model, "replay_buffer", None), "normalizer", None)
    if state[0] or normalizer is None or isinstance(observation, dict):
        return
    if inputs_are_normalised():  # probe 77 row 8: evaluate_policy's act, normalised by it
        return
    mean, std = np.asarray(normalizer.mean, np.float64), np.asarray(normalizer.std, np.float64)
    try:  # the rows weighed first, then converted (a collect passes every rollout row)
        x = np.asarray(observation).reshape(-1, mean.shape[0])[:RAW_WATCH_ROWS]
        x = x.astype(np.float64)
    except (TypeError, ValueError):  # another shape: SB3's own checks say so
        return
    # Only dimensions whose data sit far from 0 in their own std tell the two scales apart
    # (Hopper: the torso height, 1.2 ± 0.16). Probe 26: a dimension of mean ≈ 0 and a small
    # std favoured "raw" for every normalised state near the data's mean (the likelihood's
    # narrow-density term), and the project's own evaluation of a custom env warned.
    told = np.abs(mean) > 3 * std
    if not told.any():
        return
    evidence = raw_scale_evidence(x[:, told], mean[told], std[told])  # [rows]
    state[1] = max(0.0, state[1] + float(np.sum(evidence)))
    if state[1] > RAW_WATCH_NATS:
        state[0] = True  # once per agent
        warn_each_time(
            "predict: the observations look raw (unnormalised): they fit the data's mean and "
            "std far better than the normalised scale the agent acts on (mdp.normalizer's "
            "z-scores, as in the model env), so its actions and any score from them are not "
            "the policy's; evaluate through rambo_env.evaluation.NormalizedObservation("
            "gym.make(env_id), agent.normalizer) (with SB3's evaluate_policy / EvalCallback too)",
            stacklevel=user_stacklevel(),
        )


def _warn_zero_learning_rate(model: Any) -> None:
    """Say when ``learn`` would train with learning rate 0: an agent loaded for inference only
    (rl-zoo's ``custom_objects={"learning_rate": 0.0, "lr_schedule": lambda _: 0.0}``), whose
    optimizers take lr 0 since probe 104 rows 33-34; no weight would change."""
    schedule = getattr(model, "lr_schedule", None)
    try:
        lr = schedule(1.0) if callable(schedule) else None
    except Exception:  # a user's schedule: SB3 calls it itself, and says what is wrong
        return
    if is_real(lr) and lr == 0:
        note(
            f"[rambo_env] WARNING: learn: {type(model).__name__}'s learning rate is 0 (loaded "
            "for inference only, e.g. custom_objects={'learning_rate': 0.0, 'lr_schedule': …}): "
            "no network weight will change; load it without those custom_objects to train",
        )


def _raw_watch(model: Any) -> list:
    """``model``'s raw-observation watch state: [warned, evidence in nats] (not saved)."""
    return model.__dict__.setdefault("_raw_watch", [False, 0.0])


@contextlib.contextmanager
def normalised_inputs(model: Any) -> Iterator[None]:
    """``predict`` inside it is given normalised observations (the project's own evaluations):
    :func:`watch_for_raw_observations` weighs nothing there."""
    state = _raw_watch(model)
    warned = state[0]
    state[0] = True
    try:
        yield
    finally:
        state[0] = warned


class ParametersMisfitError(ValueError):
    """Weights given to ``set_parameters`` that do not fit the agent (:func:`_parameters_misfit`)."""

    def __init__(self, detail: str):
        self.detail = detail
        super().__init__(f"set_parameters: {detail}")

    def __reduce__(self) -> tuple[Any, ...]:
        # probe 69 row 36: copy / pickle passed the whole message back: "set_parameters:
        # set_parameters: …"
        return (type(self), (self.detail,), self.__dict__)


def _named_tensors(value: Any, where: str) -> Iterator[tuple[str, torch.Tensor]]:
    """``(where[key]…, tensor)`` for every tensor in a nested state dict (module or optimizer)."""
    if isinstance(value, torch.Tensor):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _named_tensors(item, f"{where}[{key!r}]")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _named_tensors(item, f"{where}[{i}]")


def _parameters_misfit(agent: Any, params: dict[str, Any], exact_match: bool = True) -> str | None:
    """Why ``params`` (``{object name: state dict}``, as ``get_parameters`` gives) cannot be
    loaded into ``agent``: the first tensor of another shape than the agent's (module weights),
    else the first floating tensor holding NaN / inf (weights and optimizer state), else None;
    first of all, a module given no key (or not one) of the agent's, and with ``exact_match``
    objects or module keys missing / extra, and an optimizer state of other group sizes (SB3
    and torch found these only after copying what came before: probe 66 row 52).
    An object name that is not the agent's is refused first of all too."""
    from stable_baselines3.common.save_util import recursive_getattr

    for name, state in params.items():
        try:
            module = recursive_getattr(agent, name)
        except Exception:  # SB3 said "Key … is an invalid object name" after loading those before
            return (
                f"{name!r} is not an object of this agent (its objects: "
                f"{', '.join(agent._get_torch_save_params()[0])}); give agent.get_parameters()'s "
                "names (nothing was loaded)"
            )
        if isinstance(module, torch.optim.Optimizer) and isinstance(state, dict):
            groups, own = state.get("param_groups"), module.state_dict()["param_groups"]
            if not isinstance(groups, list) or [
                len(g.get("params", ())) for g in groups if isinstance(g, dict)
            ] != [len(g["params"]) for g in own]:
                return (
                    f"{name}: the optimizer state's parameter groups do not match this "
                    "agent's (another agent's optimizer?); give agent.get_parameters()"
                    f"[{name!r}] of an agent built like this one (nothing was loaded)"
                )
            continue
        if not (isinstance(module, torch.nn.Module) and isinstance(state, dict)):
            continue
        current = module.state_dict()
        if current and not state:
            # probe 66 row 53: an empty state dict loaded nothing without a word
            return (
                f"{name}: the state dict given is empty; give agent.get_parameters()[{name!r}] "
                "(nothing was loaded)"
            )
        if state and current and not any(key in current for key in state):
            # probe 58 row 10: with exact_match=False torch ignored every key, loading nothing
            given_keys = ", ".join(repr(str(k)) for k in list(state)[:3])
            own_keys = ", ".join(repr(str(k)) for k in list(current)[:3])
            return (
                f"{name}: no given key is one of this agent's (given {given_keys}"
                f"{' …' if len(state) > 3 else ''}; this agent's {own_keys}"
                f"{' …' if len(current) > 3 else ''}); give the state dict of "
                f"agent.get_parameters()[{name!r}], with its key names (nothing was loaded)"
            )
        for key, given in state.items():
            if not (isinstance(given, torch.Tensor) and key in current):
                continue
            if given.shape != current[key].shape:
                return (
                    f"{name}[{key!r}] has shape {tuple(given.shape)}, but this agent's is "
                    f"{tuple(current[key].shape)}: the weights are of an agent of other sizes "
                    "(net_arch, observation or action dims); give weights of an agent built "
                    "like this one (nothing was loaded)"
                )
        if exact_match:
            missing = [str(k) for k in current if k not in state]
            extra = [str(k) for k in state if k not in current]
            if missing or extra:
                listed = "; ".join(
                    f"{what} {', '.join(repr(k) for k in keys[:3])}{' …' if len(keys) > 3 else ''}"
                    f" ({len(keys)})"
                    for what, keys in (("missing", missing), ("unexpected", extra))
                    if keys
                )
                return (
                    f"{name}: keys {listed}; give the whole state dict of "
                    f"agent.get_parameters()[{name!r}], or exact_match=False to load a part "
                    "(nothing was loaded)"
                )
    if exact_match:
        wanted = set(agent._get_torch_save_params()[0])
        if set(params) != wanted:  # SB3 said so after loading the objects given
            missing = ", ".join(sorted(wanted - set(params)))
            extra = ", ".join(sorted(map(str, set(params) - wanted)))
            problem = (f"objects {missing} missing" if missing else "") + (
                f"{'; ' if missing else ''}objects {extra} not saved by this agent" if extra else ""
            )
            return (
                f"{problem} (given {', '.join(map(str, params)) or 'none'}); give all of "
                "agent.get_parameters(), or exact_match=False to load a part (nothing was loaded)"
            )
    for name, state in params.items():
        for where, tensor in _named_tensors(state, name):
            if tensor.is_floating_point() or tensor.is_complex():
                bad = ~torch.isfinite(tensor)
                n_bad = int(bad.sum())
                if n_bad:
                    return (
                        f"{where} holds NaN / inf ({n_bad} of {counted(tensor.numel(), 'entry', 'entries')}); "
                        "load finite weights, e.g. those of a checkpoint saved before the agent "
                        "diverged (nothing was loaded)"
                    )
    return None


def check_finite_observation(observation: Any) -> None:
    """One ValueError naming the first non-finite entry of a numeric observation array (dict
    observations and anything SB3 itself refuses are left to SB3)."""
    if isinstance(observation, dict):
        return
    try:
        obs = np.asarray(observation)
    except (TypeError, ValueError):  # ragged: SB3 says so
        return
    if obs.dtype.kind in "USO":  # probe 21: strings / objects were torch's raw "can't convert"
        raise ValueError(
            f"observation: expected real numbers, got an array of dtype {obs.dtype} "
            f"({str(obs.ravel()[:1].tolist())[:40]} …)"
        )
    if obs.dtype.kind not in "fc" or bool(np.all(np.isfinite(obs))):
        return
    index = [int(i) for i in np.argwhere(~np.isfinite(obs))[0]]
    raise ValueError(
        f"observation{index}: not finite ({obs[tuple(index)]}); the agent acts on finite "
        "observations: drop or fix the non-finite rows"
    )


class _SACLosses(torch.nn.Module):
    """The actor, critic and target critic as one module, so that ``torch.func.functional_call``
    can stand in the critic's or the actor's parameters for the whole step's gradients; ``forward``
    runs one of :meth:`FusedSAC._losses`' loss functions, which close over the same modules."""

    def __init__(self, actor: torch.nn.Module, critic: torch.nn.Module, target: torch.nn.Module):
        super().__init__()
        self.actor, self.critic, self.critic_target = actor, critic, target
        self.losses: dict[str, Any] = {}

    def forward(self, which: str, *args: Any) -> Any:
        return self.losses[which](*args)


def _adam_groups(optimizer: Any, names: dict[int, str]) -> list[AdamGroup] | None:
    """:func:`~rambo_env.optim.adam_groups` with LrScaledAdam's per-group learning-rate factor
    and cap checked as its step checks them."""
    from agents.factory import _check_lr, _check_max_value  # lazy: factory imports this module

    def check_group(group: dict[str, Any]) -> None:
        _check_max_value(group.get("max_value"), "param_group['max_value']")
        _check_lr("param_group['lr_scale']", group.get("lr_scale", 1.0))

    return adam_groups(optimizer, names, check_group)


class FusedSAC(CheckedSaveLoad, SAC):
    """SB3 ``SAC`` whose ``train()`` runs the fused gradient step described in the module docstring.

    Args:
        *args, **kwargs: as :class:`stable_baselines3.SAC`.
        compile: run the two loss functions through ``torch.compile`` (pays over long runs: the
            first compile takes about a minute on a CPU).
    """

    saved_by = "FusedSAC.save / SAC.save"

    def __init__(self, *args: Any, compile: bool = False, **kwargs: Any) -> None:
        self.compile = check_flag(compile, "compile")
        self._fused_losses: tuple[MaybeCompiled, MaybeCompiled] | None = None
        self._fused_key: tuple | None = None
        self._whole: MaybeCompiled | None = None
        self._whole_key: tuple | None = None
        self._graph_sums: torch.Tensor | None = None  # the whole step's own sums (CUDA graphs)
        super().__init__(*args, **kwargs)

    def _excluded_save_params(self) -> list[str]:
        return [*super()._excluded_save_params(), "_fused_losses", "_fused_key", "_whole",
                "_whole_key", "_graph_sums"]  # fmt: skip

    def __getstate__(self) -> dict[str, Any]:
        # The loss functions are closures (not picklable): :meth:`_losses` rebuilds them on the
        # first step after unpickling (multiprocessing, joblib and Ray hand agents over pickled).
        state = self.__dict__.copy()
        state["_fused_losses"] = state["_fused_key"] = state["_whole"] = state["_whole_key"] = None
        state["_graph_sums"] = None
        return state

    @property
    def fused(self) -> bool:
        """True when :meth:`train` can run the fused step for this configuration."""
        return (
            not self.use_sde
            and not self.batch_norm_stats
            and not isinstance(self._vec_normalize_env, VecNormalize)
            and isinstance(self.target_entropy, float)
        )

    def _losses(self) -> tuple[MaybeCompiled, MaybeCompiled]:
        # The loss functions close over the networks: rebuilt when they were made for other
        # objects (a deepcopy of the agent copies the functions, not what they close over), another
        # compile setting or another target entropy. ids are safe: the closures keep those alive.
        key = (id(self.actor), id(self.critic), id(self.critic_target), self.compile,
               float(self.target_entropy))  # fmt: skip
        if self._fused_losses is None or self._fused_key != key:
            actor, critic, target = self.actor, self.critic, self.critic_target
            target_entropy = float(self.target_entropy)

            # SAC (Haarnoja et al. 2018) as SB3 computes it: soft Bellman residual of both Q nets
            def critic_loss(obs, actions, next_obs, rewards, dones, discounts, eps_next, ent_coef):
                with torch.no_grad():  # Bellman target (SAC's soft value of s')
                    next_actions, next_log_prob = squashed_gaussian_sample(
                        actor, next_obs, eps_next
                    )
                    next_q = torch.cat(target(next_obs, next_actions), dim=1)
                    next_q = torch.min(next_q, dim=1, keepdim=True)[0]
                    next_q = next_q - ent_coef * next_log_prob.reshape(-1, 1)
                    target_q = rewards + (1 - dones) * discounts * next_q
                current = critic(obs, actions)
                return 0.5 * sum(F.mse_loss(q, target_q) for q in current)

            # policy loss E[α log π - min Q] and the temperature loss (target entropy -dim A)
            def actor_loss(obs, eps_pi, ent_coef, log_ent_coef):
                actions_pi, log_prob = squashed_gaussian_sample(actor, obs, eps_pi)
                log_prob = log_prob.reshape(-1, 1)
                q_pi = torch.min(torch.cat(critic(obs, actions_pi), dim=1), dim=1, keepdim=True)[0]
                loss = (ent_coef * log_prob - q_pi).mean()
                if log_ent_coef is None:
                    return loss, None
                return loss, -(log_ent_coef * (log_prob + target_entropy).detach()).mean()

            self._fused_losses = (
                MaybeCompiled(critic_loss, enabled=self.compile, name="SAC critic loss"),
                MaybeCompiled(actor_loss, enabled=self.compile, name="SAC actor loss"),
            )
            self._fused_key = key
        return self._fused_losses

    def _whole_step(self) -> tuple[MaybeCompiled, torch.Tensor] | None:
        """The whole gradient step — critic loss, its gradient, its Adam step, actor-and-α loss
        against the updated critic, their gradients and Adam steps, Polyak — as one function that
        ``torch.compile`` takes as one graph (issue 12: at 256-row batches a step's time is its
        small ops, kernel launches and autograd bookkeeping more than its matmuls). Gradients by
        ``torch.func.grad`` with the critic's (then the actor's and log α's) parameters stood
        in, so the critic is held constant in the actor loss exactly as :meth:`train` holds it;
        Adam as :func:`_adam_update`. Same math and draws as the step-by-step path, equal to it
        to float32 rounding (tested). Returns (the compiled function, every Adam group's learning
        rate [groups] float64: critic's, actor's, α's), or None — compile off, a configuration :attr:`fused` does not cover, an actor
        sharing parameters with the critic, an optimizer :func:`_adam_groups` refuses, or no
        optimizer state yet — and then :meth:`train` steps piece by piece."""
        if not (self.compile and self.fused):
            return None
        learned_alpha = self.ent_coef_optimizer is not None and self.log_ent_coef is not None
        actor, critic, target = self.actor, self.critic, self.critic_target
        actor_names = {id(p): f"actor.{n}" for n, p in actor.named_parameters()}
        critic_names = {id(p): f"critic.{n}" for n, p in critic.named_parameters()}
        if actor_names.keys() & critic_names.keys():
            return None  # a shared features extractor: trained by both losses
        optimizers = [(self.critic.optimizer, critic_names), (self.actor.optimizer, actor_names)]
        if learned_alpha:
            optimizers.append((self.ent_coef_optimizer, {id(self.log_ent_coef): "log_ent_coef"}))
        groups = [_adam_groups(opt, names) for opt, names in optimizers]
        if any(g is None for g in groups):
            return None
        all_groups = [g for opt_groups in groups for g in opt_groups]  # critic, actor, α
        lrs = adam_lrs(all_groups, self.device)
        graphs = cuda_graphs_wanted(self.device)  # opt-in (issue 12)
        # the compiled function closes over the modules, the state tensors and the constants
        key = (
            graphs, id(actor), id(critic), id(target), self.compile, float(self.target_entropy),
            learned_alpha, float(self.tau), id(getattr(self, "ent_coef_tensor", None)),
            tuple(tuple((tuple(map(id, g.params + g.exp_avg + g.exp_avg_sq + g.steps)), g.betas,
                          g.eps, g.max_value)
                        for g in opt_groups) for opt_groups in groups),
        )  # fmt: skip
        if self._whole is not None and self._whole_key == key:
            return self._whole, lrs
        critic_loss_fn, actor_loss_fn = self._losses()
        module = _SACLosses(actor, critic, target)
        module.losses = {"critic": critic_loss_fn.fn, "actor": actor_loss_fn.fn}
        critic_groups, actor_groups = groups[0], groups[1]
        n_critic, n_both = len(critic_groups), len(critic_groups) + len(actor_groups)
        alpha_groups = groups[2] if learned_alpha else None
        critic_params = list(critic.parameters())
        target_params = list(target.parameters())
        critic_by_name = {
            n: p for g in critic_groups for n, p in zip(g.names, g.params, strict=True)
        }
        actor_by_name = {n: p for g in actor_groups for n, p in zip(g.names, g.params, strict=True)}
        tau, log_ent_coef = float(self.tau), self.log_ent_coef
        fixed_ent_coef = getattr(self, "ent_coef_tensor", None)

        def whole(obs, actions, next_obs, rewards, dones, discounts, eps_pi, eps_next, lrs, sums,
                  polyak: bool) -> None:  # fmt: skip
            with torch.no_grad():  # gradients by torch.func only: no autograd graph outside
                # Adam's step sizes inside this graph (the MLE step computes them apart): at these
                # sizes a second compiled call's guard check costs what inductor's recomputation
                # of them in each parameter's loop does (session 53: 10.4 vs 10.0 ms per step
                # apart vs inside, 1 thread, profiled; 2 threads inside the spread)
                scalars = adam_scalars(all_groups, lrs)
                ent_coef = torch.exp(log_ent_coef) if learned_alpha else fixed_ent_coef

                def critic_objective(params):
                    return functional_call(
                        module, params, ("critic", obs, actions, next_obs, rewards, dones,
                                         discounts, eps_next, ent_coef)
                    )  # fmt: skip

                grads, critic_loss = grad_and_value(critic_objective)(critic_by_name)
                adam_update(critic_groups, grads, scalars[:n_critic])

                def actor_objective(params, log_alpha):  # fixed α: the actor loss alone
                    loss, alpha_loss = functional_call(
                        module, params, ("actor", obs, eps_pi, ent_coef, log_alpha)
                    )
                    if alpha_loss is None:
                        return loss, loss
                    return loss + alpha_loss, (loss, alpha_loss)  # disjoint parameters

                if learned_alpha:
                    (grads, alpha_grad), (_, (actor_loss, alpha_loss)) = grad_and_value(
                        actor_objective, argnums=(0, 1), has_aux=True
                    )(actor_by_name, log_ent_coef)
                    adam_update(alpha_groups, {"log_ent_coef": alpha_grad}, scalars[n_both:])
                    sums[1] += alpha_loss
                else:
                    grads, (_, actor_loss) = grad_and_value(actor_objective, has_aux=True)(
                        actor_by_name, None
                    )
                adam_update(actor_groups, grads, scalars[n_critic:n_both])
                if polyak:  # SB3's polyak_update
                    torch._foreach_mul_(target_params, 1 - tau)
                    torch._foreach_add_(target_params, critic_params, alpha=tau)
                sums[0] += ent_coef.reshape(())
                sums[2] += critic_loss
                sums[3] += actor_loss

        self._graph_sums = None
        if graphs:  # what the step changes in place stays where it is; sums of its own
            self._graph_sums = torch.zeros(4, device=self.device)
            alpha = [self.log_ent_coef] if learned_alpha else []  # a tensor, not a Parameter
            static_addresses([*adam_state(all_groups), *alpha, self._graph_sums])
        self._whole = MaybeCompiled(
            whole, enabled=True, name="SAC gradient step", fullgraph=True, cuda_graphs=graphs
        )
        self._whole_key = key
        return self._whole, lrs

    def train(self, gradient_steps: int, batch_size: int = 64) -> None:
        """Alg. 1 line 4: SB3's SAC gradient steps on the mixed batch (same math, same random draws),
        fused; see the module docstring."""
        if not self.fused:
            return super().train(gradient_steps, batch_size)
        self.policy.set_training_mode(True)
        optimizers = [self.actor.optimizer, self.critic.optimizer]
        learned_alpha = self.ent_coef_optimizer is not None and self.log_ent_coef is not None
        if learned_alpha:
            optimizers.append(self.ent_coef_optimizer)
        self._update_learning_rate(optimizers)
        critic_loss_fn, actor_loss_fn = self._losses()
        critic_params = list(self.critic.parameters())
        # Held constant in the actor loss: the critic's own weights only. A features extractor
        # shared with the actor (share_features_extractor=True) is the actor's too; SB3's step
        # moves it with the actor loss (probe 78 rows 2 / 22: it was frozen, never trained).
        actor_ids = {id(param) for param in self.actor.parameters()}
        critic_only = [param for param in critic_params if id(param) not in actor_ids]
        target_params = list(self.critic_target.parameters())
        action_dim = int(np.prod(self.action_space.shape))
        # sums of ent_coef, ent_coef_loss, critic_loss, actor_loss; read once at the end (no
        # syncs). Not one row per step: --agent-steps-per-iteration 1e9 allocated 16 GB at once.
        sums = torch.zeros(4, device=self.device)
        gamma = torch.tensor(self.gamma, device=self.device)
        whole = self._whole_step() if gradient_steps else None
        if whole is not None:
            for optimizer in optimizers:
                optimizer.zero_grad()  # the whole step leaves no .grad: none stale either
        for step in range(gradient_steps):
            data = self.replay_buffer.sample(batch_size, env=self._vec_normalize_env)
            rows = data.rewards.shape[0]
            # SB3 draws the actor's noise on s first, then on s' (two Normal.rsample calls)
            eps_pi = torch.empty((rows, action_dim), device=self.device).normal_()
            eps_next = torch.empty((rows, action_dim), device=self.device).normal_()
            if whole is not None and whole[0].active:
                own = self._graph_sums if whole[0].cuda_graphs else None
                if own is not None:  # a new step: the last one's graph outputs are spent
                    torch.compiler.cudagraph_mark_step_begin()
                whole[0](
                    data.observations, data.actions, data.next_observations, data.rewards,
                    data.dones, gamma if data.discounts is None else data.discounts, eps_pi,
                    eps_next, whole[1], sums if own is None else own,
                    step % self.target_update_interval == 0,
                )  # fmt: skip
                if own is not None:  # a CUDA graph adds into its own sums: moved over
                    sums += own
                    own.zero_()
                continue
            if learned_alpha:
                ent_coef = torch.exp(self.log_ent_coef.detach())  # α before this step's update
            else:
                ent_coef = self.ent_coef_tensor

            critic_loss = critic_loss_fn(
                data.observations,
                data.actions,
                data.next_observations,
                data.rewards,
                data.dones,
                gamma if data.discounts is None else data.discounts,  # n-step buffers: γ^n
                eps_next,
                ent_coef,
            )
            self.critic.optimizer.zero_grad()
            critic_loss.backward()
            self.critic.optimizer.step()

            # actor loss against the updated critic, with the critic's weights held constant
            for param in critic_only:
                param.requires_grad_(False)
            try:
                actor_loss, ent_coef_loss = actor_loss_fn(
                    data.observations,
                    eps_pi,
                    ent_coef,
                    self.log_ent_coef if learned_alpha else None,
                )
            finally:
                for param in critic_only:
                    param.requires_grad_(True)
            self.actor.optimizer.zero_grad()
            if ent_coef_loss is not None:
                self.ent_coef_optimizer.zero_grad()
                (actor_loss + ent_coef_loss).backward()  # disjoint parameters
                self.ent_coef_optimizer.step()
            else:
                actor_loss.backward()
            self.actor.optimizer.step()

            if step % self.target_update_interval == 0:
                with torch.no_grad():  # Polyak (SB3's polyak_update, one foreach call)
                    torch._foreach_mul_(target_params, 1 - self.tau)
                    torch._foreach_add_(target_params, critic_params, alpha=self.tau)
            with torch.no_grad():
                sums[0] += ent_coef.reshape(())
                if ent_coef_loss is not None:
                    sums[1] += ent_coef_loss
                sums[2] += critic_loss
                sums[3] += actor_loss
            if step == 0 and whole is None:  # the optimizers' state exists now
                whole = self._whole_step() if gradient_steps > 1 else None

        self._n_updates += gradient_steps
        means = (sums / gradient_steps).tolist() if gradient_steps else [float("nan")] * 4
        self.logger.record("train/n_updates", self._n_updates, exclude="tensorboard")
        self.logger.record("train/ent_coef", means[0])
        self.logger.record("train/actor_loss", means[3])
        self.logger.record("train/critic_loss", means[2])
        if learned_alpha:
            self.logger.record("train/ent_coef_loss", means[1])
