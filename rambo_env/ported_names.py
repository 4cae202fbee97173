"""Setting names of other RAMBO codebases -> this project's setting, or why it has none.

A researcher porting a command or a config from OfflineRL-Kit (``run_example/run_rambo.py``), the
official code (marc-rigter/rambo, ``examples/config/rambo``), CORL or d3rlpy types the names they
know. A spelling matcher alone sent them to a different setting (probe 134 rows 1-7, 11-12:
``--rollout-freq`` -> ``--rollout-length``, ``--model-retain-epochs`` -> ``--mle-max-epochs``,
``--epoch`` -> ``--bc-epochs``, ``--penalty-coef`` -> ``--ent-coef``, ``--task`` -> ``--k``, and the
same for the fields of a ``config.json``). :data:`OTHER_NAMES` is the one table of such names:
``scripts/cotrain.py``, ``scripts/sweep.py`` and ``agents.cotrain.load_config`` look a name up here
first and spell-match only names it does not know (:func:`rambo_env.run_io.unknown_name_hint`).

The table names settings by their :class:`agents.cotrain.CotrainConfig` field; each caller says how
its user sets one (``--n-iterations / --iterations`` on cotrain.py's command line, ``--configs
k:λ`` for sweep.py's λ, the field name in a config.json). Notes write a field as ``{field}``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import NamedTuple

__all__ = ["OTHER_NAMES", "OtherName", "other_name_hint", "parser_field_names"]


class OtherName(NamedTuple):
    """A setting of another codebase: what it is there and what it is here."""

    origin: str  # whose name it is, possessive: "OfflineRL-Kit's"
    what: str  # what the setting is there
    field: str | None  # the CotrainConfig field it is here; None: no such setting here
    note: str = ""  # units, a different thing of a near name, or why there is no setting


_KIT = "OfflineRL-Kit's"
_OFFICIAL = "the official RAMBO code's"
_KIT_OFFICIAL = "OfflineRL-Kit's and the official code's"
_CORL = "CORL's"
_D3RLPY = "d3rlpy's"

_ONCE_PER_ITERATION = (
    "rollouts happen once per iteration, after every {agent_steps_per_iteration} agent steps, as "
    "in the official code{kit}; {rollout_length} is the rollout length k, a different thing"
)
_ITERATIONS = (
    "it counts iterations of {agent_steps_per_iteration} agent steps (default 1000: 1e6 steps = "
    "1000 iterations)"
)
_ENSEMBLE = "the ensemble has 7 members and 5 elites, the official code's, fixed"
_AGENT_FIXED = "fixed at the official value ({value}) for every run"
_ADV_LR = "fixed at the official 3e-4 (AdversaryConfig.lr when the model is built in Python)"
_NO_PENALTY = (
    "RAMBO has no uncertainty penalty: its pessimism is the adversarial model training, weighted "
    "by λ ({adversary_weight})"
)
_DATASET = (
    "give the dataset (hopper-medium-v2, or the generated hopper-medium) there; the Gymnasium env "
    "the policy is evaluated in comes from it ({env_id} names another, e.g. Hopper-v5)"
)


def _fixed(value: str) -> str:
    return _AGENT_FIXED.replace("{value}", value)


#: Names of other codebases (lowercase, ``_`` for ``-``) -> this project's setting. Names the
#: project uses itself (``seed``, ``real_ratio``, ``rollout_length``, ``device``) are not here.
OTHER_NAMES: dict[str, OtherName] = {
    # OfflineRL-Kit run_example/run_rambo.py
    "algo_name": OtherName(
        _KIT,
        "algorithm name (rambo)",
        None,
        "every run here is RAMBO; {algo} picks the SB3 agent trained in it (sac, td3, ddpg, tqc, "
        "crossq)",
    ),
    "task": OtherName(_KIT, "D4RL task, the dataset (hopper-medium-v2)", "dataset", _DATASET),
    "actor_lr": OtherName(_KIT_OFFICIAL, "actor learning rate", None, _fixed("1e-4")),
    "critic_lr": OtherName(_KIT_OFFICIAL, "critic learning rate", None, _fixed("3e-4")),
    "dynamics_lr": OtherName(
        _KIT,
        "learning rate of the dynamics model's MLE training",
        "mle_lr",
        "its default is 1e-3 (README deviation 18; the official code's 3e-4)",
    ),
    "dynamics_adv_lr": OtherName(
        _KIT, "learning rate of the adversarial model update", None, _ADV_LR
    ),
    "hidden_dims": OtherName(
        _KIT,
        "actor / critic hidden layers",
        "agent_hidden",
        "the width of their 2 hidden layers (default 256, as 2 x 256; the number of layers is "
        "fixed)",
    ),
    "gamma": OtherName(_KIT, "discount", None, _fixed("0.99")),
    "tau": OtherName(_KIT_OFFICIAL, "soft target-update rate", None, _fixed("5e-3")),
    "alpha": OtherName(
        _KIT,
        "fixed SAC entropy coefficient (used without --auto-alpha)",
        "ent_coef",
        "a number fixes α ({ent_coef} 0.2); the default auto learns it",
    ),
    "auto_alpha": OtherName(
        _KIT, "automatic entropy tuning switch", "ent_coef", "auto (the default) learns α"
    ),
    "target_entropy": OtherName(
        _KIT, "SAC target entropy", None, "fixed at -dim(A), the official code's (Hopper: -3)"
    ),
    "alpha_lr": OtherName(_KIT, "entropy-coefficient learning rate", None, _fixed("1e-4")),
    "dynamics_hidden_dims": OtherName(
        _KIT,
        "dynamics ensemble hidden layers",
        "ensemble_hidden",
        "the width of its 4 hidden layers (the number of layers is fixed)",
    ),
    "dynamics_weight_decay": OtherName(
        _KIT,
        "per-layer weight decays of the ensemble",
        None,
        "fixed at the official 2.5e-5, 5e-5, 7.5e-5, 7.5e-5, 1e-4",
    ),
    "n_ensemble": OtherName(_KIT, "number of ensemble members", None, _ENSEMBLE),
    "n_elites": OtherName(_KIT, "number of elite members", None, _ENSEMBLE),
    "rollout_freq": OtherName(
        _KIT,
        "rollout frequency (agent steps between model rollouts)",
        None,
        _ONCE_PER_ITERATION.replace("{kit}", " (OfflineRL-Kit's 250 rolls out 4 times as often)"),
    ),
    "dynamics_update_freq": OtherName(
        _KIT,
        "agent steps between adversarial model updates",
        "agent_steps_per_iteration",
        "the adversarial update runs once per iteration, after that many agent steps "
        "({adversary_steps_per_iteration} sets its own number of steps)",
    ),
    "adv_batch_size": OtherName(
        _KIT, "adversary batch size", None, "fixed at 256 (AdversaryConfig.batch_size in Python)"
    ),
    "rollout_batch_size": OtherName(
        _KIT_OFFICIAL, "number of dataset start states rolled out", "n_rollouts"
    ),
    "adv_weight": OtherName(
        _KIT,
        "adversary loss weight λ",
        "adversary_weight",
        "the same units (the presets' 3e-4 is the official code's and OfflineRL-Kit's)",
    ),
    "model_retain_epochs": OtherName(
        _KIT_OFFICIAL,
        "model-pool retention (epochs of rollouts kept)",
        "retain_iterations",
        "iterations of rollouts kept in the model pool; {mle_max_epochs} caps the MLE "
        "pretraining, a different thing",
    ),
    "load_dynamics_path": OtherName(
        _KIT,
        "path of a pretrained dynamics model",
        None,
        "the MLE-trained ensemble is cached ($RAMBO_ENV_CACHE) and reused by every run with the "
        "same dataset, model seed and MLE budget; scripts/port_kit_dynamics.py puts an "
        "OfflineRL-Kit model there",
    ),
    "epoch": OtherName(
        _KIT,
        "number of training epochs",
        "n_iterations",
        _ITERATIONS + "; {bc_epochs} is the behaviour-cloning warm start, a different thing",
    ),
    "step_per_epoch": OtherName(_KIT, "agent steps per epoch", "agent_steps_per_iteration"),
    "eval_episodes": OtherName(_KIT, "episodes per evaluation", "n_eval_episodes"),
    "batch_size": OtherName(_KIT, "agent batch size", None, _fixed("256")),
    "include_ent_in_adv": OtherName(
        _KIT,
        "entropy term in the adversary's advantage",
        None,
        "the advantage has no entropy term, as in the official code",
    ),
    "do_bc": OtherName(_KIT, "BC warm-start switch", "bc_epochs", "0 turns the warm start off"),
    "load_bc_path": OtherName(
        _KIT,
        "path of a pretrained BC policy",
        None,
        "the warm start runs at the start of each run ({bc_epochs} 0 skips it)",
    ),
    "bc_lr": OtherName(_KIT, "BC learning rate", None, "fixed at the official 1e-4"),
    "bc_epoch": OtherName(_KIT, "BC warm-start epochs", "bc_epochs"),
    "bc_batch_size": OtherName(_KIT, "BC batch size", None, "fixed at the official 256"),
    "penalty_coef": OtherName(
        "OfflineRL-Kit's MOPO / MOBILE", "uncertainty-penalty coefficient", None, _NO_PENALTY
    ),
    # the official code's config (examples/config/rambo/base.py and the per-dataset files)
    "config": OtherName(
        _OFFICIAL,
        "config module (examples.config.rambo.mujoco.hopper_medium)",
        "dataset",
        "{dataset} hopper-medium-v2 takes that config's k and λ from Table 5's presets (the "
        "official configs)",
    ),
    "epoch_length": OtherName(_OFFICIAL, "agent steps per epoch", "agent_steps_per_iteration"),
    "n_epochs": OtherName(_OFFICIAL, "number of epochs", "n_iterations", _ITERATIONS),
    "eval_n_episodes": OtherName(_OFFICIAL, "episodes per evaluation", "n_eval_episodes"),
    "eval_deterministic": OtherName(
        _OFFICIAL,
        "deterministic-evaluation switch",
        None,
        "evaluation always takes the actor's mean action, as the official configs do",
    ),
    "discount": OtherName(_OFFICIAL, "discount", None, _fixed("0.99")),
    "reward_scale": OtherName(
        _OFFICIAL, "reward scale", None, "rewards are used unscaled (the official 1.0)"
    ),
    "adv_lr": OtherName(_OFFICIAL, "learning rate of the adversarial model update", None, _ADV_LR),
    "train_adversarial": OtherName(
        _OFFICIAL,
        "adversarial-training switch",
        "adversary_weight",
        "λ = 0 skips the adversarial update, as the official code does",
    ),
    "model_train_freq": OtherName(
        _OFFICIAL,
        "agent steps between model updates",
        "agent_steps_per_iteration",
        "the model is rolled out and trained adversarially once per iteration, after that many "
        "agent steps",
    ),
    "num_networks": OtherName(_OFFICIAL, "number of ensemble members", None, _ENSEMBLE),
    "num_elites": OtherName(_OFFICIAL, "number of elite members", None, _ENSEMBLE),
    "max_model_t": OtherName(
        _OFFICIAL, "time budget of the model's MLE training (seconds)", "mle_max_time_s"
    ),
    "pretrain_bc": OtherName(
        _OFFICIAL, "BC warm-start switch", "bc_epochs", "0 turns the warm start off"
    ),
    "pool_load_path": OtherName(_OFFICIAL, "dataset ('d4rl/hopper-medium-v2')", "dataset"),
    "adversary_loss_weighting": OtherName(_OFFICIAL, "adversary loss weight λ", "adversary_weight"),
    # CORL (pyrallis TrainConfig fields, as flags)
    "env": OtherName(
        _CORL,
        "dataset name (--env hopper-medium-v2)",
        "dataset",
        "the Gymnasium env the policy is evaluated in is {env_id} (Hopper-v5; by default the "
        "dataset's own)",
    ),
    "eval_freq": OtherName(
        _CORL,
        "evaluation period in agent steps",
        "eval_every",
        "it counts iterations of {agent_steps_per_iteration} agent steps, not steps (CORL's "
        "5000 steps = 5)",
    ),
    "n_episodes": OtherName(_CORL, "episodes per evaluation", "n_eval_episodes"),
    "max_timesteps": OtherName(_CORL, "total agent steps", "n_iterations", _ITERATIONS),
    "num_epochs": OtherName(_CORL, "number of epochs", "n_iterations", _ITERATIONS),
    "num_updates_on_epoch": OtherName(_CORL, "agent steps per epoch", "agent_steps_per_iteration"),
    "normalize": OtherName(
        _CORL,
        "observation-normalisation switch",
        None,
        "observations are always z-scored with the dataset's statistics, as in the official code",
    ),
    "normalize_reward": OtherName(
        _CORL,
        "reward-normalisation switch",
        None,
        "rewards are used as the dataset holds them, as in the official code",
    ),
    "train_seed": OtherName(_CORL, "training seed", "seed"),
    "eval_seed": OtherName(
        _CORL, "evaluation seed", "seed", "one seed sets everything, the evaluation episodes too"
    ),
    "num_critics": OtherName(
        _CORL, "number of critics", None, "SB3's 2 critics (clipped double Q), as the official code"
    ),
    "buffer_size": OtherName(
        _CORL,
        "replay-buffer capacity",
        None,
        "the real buffer holds the whole dataset, the model pool {retain_iterations} iterations "
        "of rollouts",
    ),
    # d3rlpy (fit() arguments and its MOPO / COMBO configs)
    "n_steps": OtherName(_D3RLPY, "total gradient steps", "n_iterations", _ITERATIONS),
    "n_steps_per_epoch": OtherName(
        _D3RLPY, "gradient steps per epoch", "agent_steps_per_iteration"
    ),
    "gpu": OtherName(_D3RLPY, "GPU switch", "device", "cuda (or cuda:N), cpu or auto"),
    "rollout_horizon": OtherName(_D3RLPY, "rollout length k", "rollout_length"),
    "rollout_interval": OtherName(
        _D3RLPY,
        "rollout frequency (steps between model rollouts)",
        None,
        _ONCE_PER_ITERATION.replace("{kit}", ""),
    ),
    "n_ensembles": OtherName(_D3RLPY, "number of ensemble members", None, _ENSEMBLE),
    "n_critics": OtherName(
        _D3RLPY,
        "number of critics",
        None,
        "SB3's 2 critics (clipped double Q), as the official code",
    ),
    "actor_learning_rate": OtherName(_D3RLPY, "actor learning rate", None, _fixed("1e-4")),
    "critic_learning_rate": OtherName(_D3RLPY, "critic learning rate", None, _fixed("3e-4")),
    "temp_learning_rate": OtherName(
        _D3RLPY, "entropy-temperature learning rate", None, _fixed("1e-4")
    ),
}


def _key(name: str) -> str:
    """``--rollout-freq`` / ``rollout_freq`` / ``--Rollout-Freq=250`` -> ``rollout_freq``."""
    return name.partition("=")[0].lstrip("-").lower().replace("-", "_")


class _Names(dict):  # type: ignore[type-arg]
    """``{field}`` in a note -> how the caller sets that field."""

    def __init__(self, name_of: Callable[[str], str]) -> None:
        super().__init__()
        self._name_of = name_of

    def __missing__(self, field: str) -> str:
        return self._name_of(field)


def other_name_hint(
    name: str,
    name_of: Callable[[str], str],
    fields: Mapping[str, object] | None = None,
    notes: Mapping[str, str] | None = None,
) -> str | None:
    """``"--epoch is OfflineRL-Kit's number of training epochs; here it is --n-iterations: …"``
    for ``name`` (a flag or a config key) in :data:`OTHER_NAMES`, else None.

    :param name_of: config field -> how this caller's user sets it (cotrain.py: its flags; a
        config.json: the field name). Used for the equivalent and for the fields a note names.
    :param fields: where given, the names the caller already knows: a name among them is not
        another codebase's here (None for every name of the table).
    :param notes: config field -> the note said instead of the table's where this caller's
        equivalent is not the field itself (mle_quality.py's ``--max-epochs`` for
        ``n_iterations``: epochs of its model training, not co-training iterations; "" for none).
    """
    key = _key(name)
    entry = OTHER_NAMES.get(key)
    if entry is None or (fields is not None and key in fields):
        return None
    shown = name.partition("=")[0]
    raw = entry.note if notes is None or entry.field not in notes else notes[entry.field]
    note = raw.format_map(_Names(name_of))
    said = f"{shown} is {entry.origin} {entry.what}"
    if entry.field is None:
        return f"{said}; rambo-env has no such setting: {note}"
    return f"{said}; here it is {name_of(entry.field)}" + (f": {note}" if note else "")


def parser_field_names(parser: argparse.ArgumentParser) -> Callable[[str], str]:
    """config field -> the options of ``parser`` that set it (``--n-iterations / --iterations``):
    the parser's own map of fields (``parser.field_flags``, where a script sets one: sweep.py's
    ``--configs k:λ`` for λ, toys.py's ``--iterations``, make_dataset.py's ``--env --level``),
    else the options whose ``dest`` is the field, else the field named as one this script does
    not set (probe 137: toys.py's ``--epoch`` was sent to cotrain.py, past its own
    ``--iterations``)."""
    own: Mapping[str, str] = getattr(parser, "field_flags", {})

    def name_of(field: str) -> str:
        if field in own:
            return own[field]
        flags = [
            option
            for action in parser._actions
            if action.dest == field
            for option in action.option_strings
            if option.startswith("--")
        ]
        if flags:
            return " / ".join(flags)
        return f"the config field {field} (no option of this script: set it with cotrain.py)"

    return name_of
