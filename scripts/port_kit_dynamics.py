"""Port a dynamics ensemble trained by OfflineRL-Kit into rambo-env's model cache (issue 15's model A/B).

    python scripts/kit_side_by_side.py 0 0 1 /tmp/kit.csv 0 /tmp/kit-dynamics.pt   # Kit trains it
    python scripts/port_kit_dynamics.py /tmp/kit-dynamics.pt --dataset hopper-medium \\
        --mle-max-epochs 1
    python scripts/cotrain.py --mle-max-epochs 1 --mle-max-time-s none --mle-max-steps none ...  # runs in it

The Kit model is rewritten exactly into a :class:`GaussianEnsemble` (reward first, observations
normalised with rambo-env's ε = 1e-6 instead of Kit's 1e-3: the input scaler, the Δobs head and
the log-variance bounds absorb the per-dimension factor) and saved under the cache key that
``scripts/cotrain.py`` computes for the given dataset, seed and MLE budget flags, so that run
loads it instead of training its own. ``--check`` compares both models' predictions with Kit's
code (needs ``KIT_ROOT``). Research tool: not used by the package.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import check_working_folder, interrupt_quietly_while_importing

interrupt_quietly_while_importing("port_kit_dynamics", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder

import numpy as np
import torch

from agents.cotrain_setup import CotrainConfig
from rambo_env.command_line import accept_negative_numbers
from rambo_env.data.loaders import load_dataset
from rambo_env.dynamics import io
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble
from rambo_env.dynamics.training import MLEConfig
from rambo_env.normalization import ObsNormalizer
from rambo_env.policies import non_finite_weight
from rambo_env.run_io import (
    on_closed_pipe,
    report_user_error,
    safe_reason,
    tolerant_console,
    whole_number,
)


def port(kit: dict, normalizer: ObsNormalizer, cfg: EnsembleConfig) -> GaussianEnsemble:
    """Kit's state (``scripts/kit_side_by_side.py`` DYNAMICS.pt) -> an equivalent GaussianEnsemble."""
    state = kit["model"]
    obs_dim = int(np.asarray(kit["obs_mean"]).size)
    kit_std = np.asarray(kit["obs_std"], np.float64).reshape(-1)  # std + 1e-3 (Kit)
    kit_mean = np.asarray(kit["obs_mean"], np.float64).reshape(-1)
    # Kit's normalised obs x_k = c x + d in terms of ours x (same raw obs, other mean / std).
    c = torch.as_tensor(normalizer.std / kit_std, dtype=torch.float32)
    d = torch.as_tensor((normalizer.mean - kit_mean) / kit_std, dtype=torch.float32)
    action_dim = state["backbones.0.weight"].shape[1] - obs_dim
    ens = GaussianEnsemble(obs_dim, action_dim, cfg)
    t = obs_dim + 1
    order = torch.tensor([obs_dim, *range(obs_dim)])  # ours [r, Δobs] <- Kit [Δobs, r]
    scale = torch.cat([torch.ones(1), 1.0 / c])  # per our target dim: Δx_ours = Δx_kit / c
    shift = torch.cat([torch.zeros(1), -2.0 * torch.log(c)])  # log-variance shift
    with torch.no_grad():
        for i, layer in enumerate(ens.hidden):
            layer.weight.copy_(state[f"backbones.{i}.weight"])
            layer.bias.copy_(state[f"backbones.{i}.bias"])
        w, b = state["output_layer.weight"], state["output_layer.bias"]  # [E, H, 2T], [E, 1, 2T]
        ens.mean_head.weight.copy_(w[..., :t][..., order] * scale)
        ens.mean_head.bias.copy_(b[..., :t][..., order] * scale)
        ens.logvar_head.weight.copy_(w[..., t:][..., order])
        ens.logvar_head.bias.copy_(b[..., t:][..., order] + shift)
        ens.max_logvar.copy_(state["max_logvar"].reshape(-1)[order] + shift)
        ens.min_logvar.copy_(state["min_logvar"].reshape(-1)[order] + shift)
    mu = torch.as_tensor(np.asarray(kit["scaler_mu"]).reshape(-1), dtype=torch.float32)
    sd = torch.as_tensor(np.asarray(kit["scaler_std"]).reshape(-1), dtype=torch.float32)
    sd = torch.where(sd < 1e-12, torch.ones_like(sd), sd)
    div = torch.cat([c, torch.ones(action_dim)])
    offset = torch.cat([d, torch.zeros(action_dim)])
    ens.set_input_stats((mu - offset) / div, sd / div)
    ens.set_elites(state["elites"].reshape(-1).tolist())
    return ens


def check(kit: dict, ens: GaussianEnsemble, normalizer: ObsNormalizer, dataset) -> float:
    """Largest |difference| of raw next-obs / reward means and log-variances against Kit's code."""
    if not os.environ.get("KIT_ROOT"):  # was: a raw KeyError after the port
        raise ValueError("--check: set KIT_ROOT to an OfflineRL-Kit checkout")
    sys.path.insert(0, os.environ["KIT_ROOT"])
    try:
        from offlinerlkit.modules import EnsembleDynamicsModel
    except ImportError as err:  # was: a raw ModuleNotFoundError traceback after the port
        raise ValueError(
            f"--check: importing OfflineRL-Kit from KIT_ROOT={os.environ['KIT_ROOT']!r} failed "
            f"({type(err).__name__}: {err}); point KIT_ROOT at a complete checkout (e3ce697)"
        ) from None

    state = kit["model"]
    obs_dim = ens.obs_dim
    model = EnsembleDynamicsModel(
        obs_dim=obs_dim,
        action_dim=ens.action_dim,
        hidden_dims=[state["backbones.0.weight"].shape[2]] * len(ens.hidden),
        num_ensemble=ens.n_members,
        num_elites=ens.n_elites,
        weight_decays=[0.0] * (len(ens.hidden) + 1),
    )
    model.load_state_dict(state)
    rng = np.random.default_rng(0)
    idx = rng.integers(0, dataset.n_transitions, 512)
    obs, act = dataset.observations[idx], dataset.actions[idx]
    obs_k = (obs - np.asarray(kit["obs_mean"])) / np.asarray(kit["obs_std"])
    x = (np.concatenate([obs_k, act], 1) - kit["scaler_mu"]) / kit["scaler_std"]
    with torch.no_grad():
        mean_k, logvar_k = model(x.astype(np.float32))  # [E, B, T] Kit order, Kit units
        next_k = mean_k[..., :obs_dim] * torch.as_tensor(np.asarray(kit["obs_std"]).reshape(-1))
        obs_t = torch.as_tensor(normalizer.normalize(obs), dtype=torch.float32)
        mean_o, logvar_o = ens(obs_t, torch.as_tensor(act))  # [E, B, T] ours
        next_o = mean_o[..., 1:] * torch.as_tensor(normalizer.std)
        lv_obs_k = logvar_k[..., :obs_dim] + 2 * torch.log(
            torch.as_tensor(np.asarray(kit["obs_std"]).reshape(-1))
        )
        lv_obs_o = logvar_o[..., 1:] + 2 * torch.log(torch.as_tensor(normalizer.std))
    return max(
        float((next_k - next_o).abs().max()),  # raw Δobs
        float((mean_k[..., obs_dim] - mean_o[..., 0]).abs().max()),  # reward
        float((lv_obs_k - lv_obs_o).abs().max()),  # raw-unit log-variance
        float((logvar_k[..., obs_dim] - logvar_o[..., 0]).abs().max()),
    )


#: Entries of the DYNAMICS.pt that ``scripts/kit_side_by_side.py`` writes.
KIT_KEYS = ("model", "obs_mean", "obs_std", "scaler_mu", "scaler_std")


def read_kit_file(path: Path) -> dict:
    """The Kit model file, or ValueError naming it (missing, a folder, unreadable, other keys).

    Pickled (numpy arrays inside): load only files you made with ``kit_side_by_side.py``."""
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise ValueError(
            f"kit_file: {path} {what}; pass the DYNAMICS.pt written by scripts/kit_side_by_side.py"
        )
    try:
        kit = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as err:  # a damaged or foreign file
        raise ValueError(f"kit_file: {path}: unreadable ({safe_reason(err)})") from None
    missing = [k for k in KIT_KEYS if not isinstance(kit, dict) or k not in kit]
    if missing:
        raise ValueError(
            f"kit_file: {path} has no {missing} entries: not a DYNAMICS.pt written by "
            "scripts/kit_side_by_side.py"
        )
    check_kit_values(kit, path)  # probe 59: was saved into the model cache without a word
    return kit


def check_kit_values(kit: dict, path: Path) -> None:
    """ValueError naming the entry when the Kit file's numbers cannot make a model: NaN / inf
    weights, max_logvar < min_logvar, obs_std not > 0 (Kit stores std + 1e-3) or non-finite."""
    redo = "re-run scripts/kit_side_by_side.py to write it again"
    state = kit["model"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"kit_file: {path}: its 'model' is not a state dict of tensors; {redo}")
    bad = non_finite_weight(state)
    if bad is not None:
        raise ValueError(f"kit_file: {path}: its weight {bad!r} holds NaN / inf; {redo}")
    try:
        inverted = bool((state["max_logvar"] < state["min_logvar"]).any())
    except (KeyError, RuntimeError) as err:  # missing or mismatched bounds
        raise ValueError(
            f"kit_file: {path}: log-variance bounds ({safe_reason(err)}); {redo}"
        ) from None
    if inverted:
        raise ValueError(f"kit_file: {path}: max_logvar < min_logvar in places; {redo}")
    for key in ("obs_mean", "obs_std", "scaler_mu", "scaler_std"):
        try:
            value = np.asarray(kit[key], np.float64)
        except (TypeError, ValueError) as err:
            raise ValueError(
                f"kit_file: {path}: {key} is not numeric ({safe_reason(err)}); {redo}"
            ) from None
        if not np.all(np.isfinite(value)):
            raise ValueError(f"kit_file: {path}: {key} holds NaN / inf; {redo}")
        if key == "obs_std" and not np.all(value > 0):
            raise ValueError(
                f"kit_file: {path}: obs_std holds values <= 0 (Kit stores std + 1e-3 > 0): "
                f"not a file written by scripts/kit_side_by_side.py; {redo}"
            )


def build_parser() -> argparse.ArgumentParser:
    """The flags; the counts take 1e3 and a flag given twice is refused, as every script's."""
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n")[0],
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    parser.add_argument("kit_file", type=Path, help="DYNAMICS.pt written by kit_side_by_side.py")
    parser.add_argument(
        "--dataset",
        default="hopper-medium",
        help="dataset the model was trained on (default: %(default)s)",
    )
    parser.add_argument(
        "--env-id", default=None, help="env of the data, overriding the dataset's (as cotrain's)"
    )
    parser.add_argument(
        "--seed", type=whole_number, default=0, help="cotrain.py's --seed (default: %(default)s)"
    )
    parser.add_argument(
        "--mle-max-epochs",
        type=whole_number,
        default=1,
        help="cotrain.py's --mle-max-epochs (default: %(default)s)",
    )
    parser.add_argument("--check", action="store_true", help="compare with Kit's code (KIT_ROOT)")
    return accept_negative_numbers(parser)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:  # was: raw tracebacks (a bad flag, a missing or foreign file: after the dataset load)
        run_cfg = dataclasses.replace(
            CotrainConfig(), dataset=args.dataset, env_id=args.env_id, seed=args.seed,
            mle_max_epochs=args.mle_max_epochs, mle_max_time_s=None, mle_max_steps=None,
        )  # fmt: skip
        kit = read_kit_file(args.kit_file)  # before the dataset load (which may generate it)
        dataset = load_dataset(run_cfg.dataset, env_id=run_cfg.env_id)
        normalizer = ObsNormalizer.from_dataset(dataset)
        ens_cfg = EnsembleConfig(hidden_dims=(run_cfg.ensemble_hidden,) * 4)
        mle_cfg = MLEConfig(  # the key cotrain computes (its default mle_lr included)
            lr=run_cfg.mle_lr, max_epochs=run_cfg.mle_max_epochs, max_time_s=None,
            max_steps=run_cfg.mle_max_steps, seed=run_cfg.seed,
        )  # fmt: skip
        try:
            ens = port(kit, normalizer, ens_cfg)
        except (KeyError, IndexError, RuntimeError, ValueError) as err:  # shapes of other data
            raise ValueError(
                f"kit_file: {args.kit_file} does not fit dataset {dataset.name!r} "
                f"({safe_reason(err)}); port the model Kit trained on this dataset"
            ) from None
        if args.check:
            print(
                f"max |Kit - ported| on 512 dataset rows, all members: {check(kit, ens, normalizer, dataset):.2e}"
            )
        path = io.cache_path(io.cache_key(dataset.fingerprint(), ens_cfg, mle_cfg, run_cfg.seed))
        meta = io.cache_meta(dataset.fingerprint(), ens_cfg, mle_cfg, run_cfg.seed)
        io.save_model(
            path, ens, normalizer, mle_cfg, meta={"ported_from": str(args.kit_file), **meta}
        )
    except (ValueError, OSError) as err:
        return report_user_error(err)
    # probe 91 row 15: a closed pipe at the line below ended a saved model with exit status 2
    on_closed_pipe("port_kit_dynamics", lambda: f"the model {path} WAS saved")
    print(
        f"saved {path}: scripts/cotrain.py --mle-max-epochs {args.mle_max_epochs} --mle-max-time-s none "
        "--mle-max-steps none loads it"
    )
    return 0


if __name__ == "__main__":
    tolerant_console()
    raise SystemExit(main())
