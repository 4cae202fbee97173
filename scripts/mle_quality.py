"""MLE pretraining time-to-quality (issue 12): holdout MSE against wall seconds per (batch, lr).

    python scripts/mle_quality.py                                   # hopper-medium, official vs larger batches
    python scripts/mle_quality.py --variants 256:3e-4,1024:1e-3 --max-time-s 600 --out mle.csv

Trains a fresh paper-sized ensemble (Alg. 1 line 1, App. B.1) once per variant on the same data,
seed and holdout split, for the same wall budget (or epochs), and prints per variant the epochs
reached, the elites' holdout MSE and how many target dims still have their predicted log-variance
on the learnable lower bound while the actual error is smaller (an early-stopped model: its
rollouts are noisier than the data).
Nothing is cached; ``--out`` writes one CSV row per epoch (variant, epoch, seconds, holdout MSE).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.data.loaders import load_dataset
from rambo_env.dynamics.ensemble import EnsembleConfig, GaussianEnsemble, resolve_device
from rambo_env.dynamics.training import MLEConfig, model_tensors, train_mle
from rambo_env.normalization import ObsNormalizer
from rambo_env.run_io import (
    accept_negative_numbers,
    atomic_write,
    check_writable,
    exit_on_interrupt,
    resolve_torch_threads,
    user_path,
)


def parse_variants(text: str) -> list[tuple[int, float]]:
    """``"256:3e-4,1024:1e-3"`` -> ``[(256, 3e-4), (1024, 1e-3)]``."""
    out = []
    for item in text.split(","):
        try:
            batch, lr = item.split(":")
            variant = (int(batch), float(lr))
        except ValueError:
            raise ValueError(f"--variants: expected BATCH:LR[,BATCH:LR...], got {item!r}") from None
        if variant[0] < 1 or not 0 < variant[1] < math.inf:  # was: lr inf accepted
            raise ValueError(f"--variants: batch must be >= 1 and lr finite and > 0, got {item!r}")
        if variant in out:  # was: the same variant trained twice
            raise ValueError(
                f"--variants: {item!r} is given twice (batch {variant[0]}, lr {variant[1]:g})"
            )
        out.append(variant)
    return out


def main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--dataset", default="hopper-medium")
    p.add_argument("--variants", default="256:3e-4,1024:1e-3,4096:3e-3",
                   help="BATCH:LR pairs (official: 256:3e-4)")  # fmt: skip
    p.add_argument("--max-time-s", type=float, default=300.0, help="wall budget per variant")
    p.add_argument("--max-epochs", type=int, default=None, help="epoch budget per variant")
    p.add_argument("--min-logvar-init", type=float, default=EnsembleConfig.init_min_logvar)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--device", default="auto")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=user_path, default=None, help="CSV of holdout MSE per epoch")
    args = accept_negative_numbers(p).parse_args(argv)
    variants = parse_variants(args.variants)
    threads, _ = resolve_torch_threads(args.threads)  # 1 <= threads <= 4 per core
    if not args.max_time_s > 0:
        raise ValueError(f"--max-time-s: expected > 0, got {args.max_time_s}")
    if args.max_epochs is not None and args.max_epochs < 1:  # before the dataset load
        raise ValueError(f"--max-epochs: expected >= 1, got {args.max_epochs}")
    if args.seed < 0:  # was accepted (torch wraps a negative seed)
        raise ValueError(f"--seed: expected >= 0, got {args.seed}")
    if args.out is not None:
        check_out(args.out)
    torch.set_num_threads(threads)
    device = resolve_device(args.device)
    dataset = load_dataset(args.dataset)
    normalizer = ObsNormalizer.from_dataset(dataset)
    x_all, y_all = model_tensors(dataset, normalizer, device)
    rows = torch.randperm(x_all.shape[0], generator=torch.Generator().manual_seed(0))[:5000]
    probe_x, probe_y = x_all[rows.to(device)], y_all[rows.to(device)]
    obs_dim, action_dim = dataset.observations.shape[1], dataset.actions.shape[1]
    rows, results = [], []
    for batch, lr in variants:
        gen = torch.Generator().manual_seed(args.seed)
        ens_cfg = EnsembleConfig(init_min_logvar=args.min_logvar_init)
        ensemble = GaussianEnsemble(obs_dim, action_dim, ens_cfg, generator=gen)
        cfg = MLEConfig(lr=lr, batch_size=batch, max_time_s=args.max_time_s,
                        max_epochs=args.max_epochs, seed=args.seed)  # fmt: skip
        report = train_mle(ensemble, dataset, normalizer, cfg, device=device, progress=False)
        at_floor = int(ensemble.logvar_at_floor(probe_x, probe_y).sum())
        elite_mse = sum(report.holdout_mse[i] for i in report.elites) / len(report.elites)
        result = {"batch": batch, "lr": lr, "epochs": report.epochs, "wall_s": report.wall_s,
                  "elite_holdout_mse": elite_mse, "logvar_at_floor_dims": at_floor,
                  "target_dims": ensemble.target_dim, "stopped_by": report.stopped_by}  # fmt: skip
        results.append(result)
        print(f"batch {batch:5d} lr {lr:.0e}: {report.epochs} epoch(s) in {report.wall_s:.0f} s "
              f"({report.stopped_by}), elites' holdout MSE {elite_mse:.5f}, log-var on its lower "
              f"bound in {at_floor} of {ensemble.target_dim} dims where its error is smaller", flush=True)  # fmt: skip
        for epoch, (sec, mse) in enumerate(zip(report.epoch_end_s, report.holdout_history,
                                               strict=True), start=1):  # fmt: skip
            rows.append(
                {"batch": batch, "lr": lr, "epoch": epoch, "seconds": sec, "holdout_mse": mse}
            )
    if args.out is not None:

        def write(tmp: Path) -> None:
            with tmp.open("w", newline="") as f:
                writer = csv.DictWriter(
                    f, fieldnames=["batch", "lr", "epoch", "seconds", "holdout_mse"]
                )
                writer.writeheader()
                writer.writerows(rows)

        atomic_write(args.out, write)  # a failed write names the file; no temp file is left
    return results


def check_out(out: Path) -> None:
    """``--out`` can be written (checked before any training): not a folder, its parent a folder
    (created if missing)."""
    if out.is_dir():
        raise ValueError(f"--out: {out} is a folder; give a CSV file path")
    # Was only created: an unwritable folder (/proc) failed after all the training.
    check_writable(out.parent, "--out: folder", "give a CSV file path in a writable folder")


if __name__ == "__main__":
    try:
        exit_on_interrupt("mle_quality", "no CSV written; rerun the same command", main)
    except (ValueError, OSError) as err:  # bad input, a missing dataset, an unwritable --out
        print(f"error: {err}", file=sys.stderr)
        sys.exit(2)
