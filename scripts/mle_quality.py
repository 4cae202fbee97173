"""MLE pretraining time-to-quality (issue 12): holdout MSE against wall seconds per (batch, lr).

    python scripts/mle_quality.py                                   # hopper-medium, official vs larger batches
    python scripts/mle_quality.py --variants 256:3e-4,1024:1e-3 --max-time-s 600 --out mle.csv
    python scripts/mle_quality.py --variants 256:3e-4,256:3e-4:bf16 --max-epochs 10 --n-transitions 20000

Trains a fresh paper-sized ensemble (Alg. 1 line 1, App. B.1) once per variant on the same data,
seed and holdout split, for the same wall budget (or epochs), and prints per variant the epochs
reached, the elites' holdout MSE and how many target dims still have their predicted log-variance
on the learnable lower bound while the actual error is smaller (an early-stopped model: its
rollouts are noisier than the data).
Nothing is cached; ``--out`` writes one CSV row per epoch (dataset, variant, epoch, seconds,
``holdout_mse_mean_of_members``: the holdout MSE of all the ensemble's members at that epoch's
end), and on each variant's last row ``elites_holdout_mse_final``: the printed elites' holdout
MSE (the elites' mean after their best weights are restored). It is rewritten after every
variant, so an interrupted run keeps the variants it finished. An existing ``--out`` keeps its
other variants' rows (a note says so; an older CSV's ``holdout_mse`` column is read as the
members'); a variant run again replaces its own.
``--checkpoint-dir DIR`` checkpoints each variant after every epoch and resumes it: a measurement
to the official early stop (hours) spans sessions, its seconds counting every session's.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rambo_env.requirements import check_working_folder, interrupt_quietly_while_importing

interrupt_quietly_while_importing("mle_quality", __name__)  # probe 131 note (a)
check_working_folder()  # before torch, whose import dies raw in a deleted working folder

import numpy as np
import torch

from rambo_env.command_line import accept_negative_numbers, empty_item_problem
from rambo_env.data.dataset import OfflineDataset
from rambo_env.data.loaders import load_dataset
from rambo_env.dynamics.ensemble import (
    EMULATED_BF16,
    PRECISIONS,
    EnsembleConfig,
    GaussianEnsemble,
    native_bf16,
    resolve_device,
)
from rambo_env.dynamics.training import (
    MLEConfig,
    check_checkpoint_room,
    holdout_rows,
    model_tensors,
    train_mle,
)
from rambo_env.normalization import ObsNormalizer
from rambo_env.run_io import (
    RUN_SEED_LIMIT,
    WriteFailedError,
    atomic_write,
    check_free_space,
    check_output_file,
    check_seed,
    check_torch_compile_cache,
    check_writable,
    exit_on_interrupt,
    report_user_error,
    resolve_torch_threads,
    thread_count,
    tolerant_console,
    user_file_path,
    user_path,
    whole_number,
    with_elsewhere,
)


def check_batches_fit(variants: list[tuple[int, float, str]], n: int) -> None:
    """Refuse a variant whose batch exceeds the training split of ``n`` rows (after train_mle's
    holdout): it trains on one batch of every row per epoch, so its row is not that batch size.
    Probe 32: "batch 5000" on a 3000-row dataset was run and labelled so."""
    n_train = n - holdout_rows(n, MLEConfig())
    too_big = [f"{b}:{lr:g}:{p}" for b, lr, p in variants if b > n_train]
    if too_big:
        raise ValueError(
            f"--variants: batch size above the training split in {too_big}: the dataset's {n} "
            f"transitions leave {n_train} for training after the {n - n_train}-transition "
            "holdout, so each epoch would be one batch of them all, not that batch size; use "
            f"batches of at most {n_train}, or more data (--n-transitions, a larger --dataset)"
        )


def parse_variants(text: str) -> list[tuple[int, float, str]]:
    """``"256:3e-4,1024:1e-3:bf16"`` -> ``[(256, 3e-4, "fp32"), (1024, 1e-3, "bf16")]`` (the
    optional third field is the ensemble's precision, issue 12's bf16 check)."""
    empty = empty_item_problem(text, "BATCH:LR[:PRECISION][,...]")  # probe 157: was "got ''"
    if empty:
        raise ValueError(f"--variants: {empty}")
    out = []
    for item in text.split(","):
        try:
            batch, lr, *rest = item.split(":")
            precision = rest[0] if len(rest) == 1 else "fp32" if not rest else "too many"
            variant = (int(batch), float(lr), precision)
        except ValueError:
            raise ValueError(
                f"--variants: expected BATCH:LR[:PRECISION][,...], got {item!r}"
            ) from None
        if variant[0] < 1 or not 0 < variant[1] < math.inf:  # was: lr inf accepted
            raise ValueError(f"--variants: batch must be >= 1 and lr finite and > 0, got {item!r}")
        if precision not in PRECISIONS:
            raise ValueError(f"--variants: precision must be one of {PRECISIONS}, got {item!r}")
        if variant in out:  # was: the same variant trained twice
            raise ValueError(
                f"--variants: {item!r} is given twice (batch {variant[0]}, lr {variant[1]:g}, "
                f"{precision})"
            )
        out.append(variant)
    return out


#: This script's option of a co-training setting another codebase names (``--epoch``,
#: ``--n-epochs``): probe 137, they were sent to cotrain.py past this script's --max-epochs.
OWN_FIELD_FLAGS = {"n_iterations": "--max-epochs"}
OWN_FIELD_NOTES = {
    "n_iterations": "this script trains the dynamics model alone, and --max-epochs caps the epochs "
    "of its MLE training (per variant; co-training iterations are cotrain.py's --n-iterations)"
}


def main(argv: list[str] | None = None) -> list[dict]:
    """The measurement; a failed write (a full disk, ``ulimit -f``) advises this script's own
    output flags (issue 14: was --run-dir / RAMBO_ENV_CACHE, which it does not take): the flag
    of the file that failed (probe 69 rows 28, 29), both where it is not known."""
    try:
        return _main(argv)
    except WriteFailedError as err:
        raise with_elsewhere(err, "--checkpoint-dir, --out") from err


def _main(argv: list[str] | None = None) -> list[dict]:
    p = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # probe 134 row 8: no silent prefix match
    )
    p.add_argument(
        "--dataset", default="hopper-medium", help="dataset to fit (default: %(default)s)"
    )
    p.add_argument("--env-id", default=None,
                   help="registered Gymnasium env of the data, overriding the dataset's (as "
                        "scripts/cotrain.py --env-id: your own env + a file naming none)")  # fmt: skip
    p.add_argument("--variants", default="256:3e-4,1024:1e-3,4096:3e-3",
                   help="BATCH:LR pairs (official: 256:3e-4; default: %(default)s)")  # fmt: skip
    p.add_argument(
        "--max-time-s",
        type=float,
        default=300.0,
        help="wall budget per variant (default: %(default)s)",
    )
    p.add_argument("--max-epochs", type=whole_number, default=None, help="epoch budget per variant")
    p.add_argument("--n-transitions", type=whole_number, default=None,
                   help="train on this many transitions drawn from the dataset (seed 0; default all)")  # fmt: skip
    p.add_argument("--min-logvar-init", type=float, default=EnsembleConfig.init_min_logvar,
                   help="initial min log-variance bound (default: %(default)s)")  # fmt: skip
    p.add_argument(
        "--threads",
        type=thread_count,
        default=1,
        help="torch threads; none / auto: the automatic choice (default: %(default)s)",
    )
    p.add_argument("--device", default="auto", help="torch device (default: %(default)s)")
    p.add_argument("--seed", type=whole_number, default=0, help="seed (default: %(default)s)")
    p.add_argument("--out", type=user_file_path, default=None,
                   help="CSV of holdout MSE per epoch: holdout_mse_mean_of_members (all members, "
                        "that epoch), and on each variant's last row elites_holdout_mse_final (the "
                        "printed elites' holdout MSE, their best weights restored); its folder is "
                        "created; an existing one keeps its other variants' rows, the variants run "
                        "now replace their own")  # fmt: skip
    p.add_argument("--checkpoint-dir", type=user_path, default=None,
                   help="checkpoint each variant there after every epoch and resume it (runs of "
                        "hours over several sessions; removed at the early stop)")  # fmt: skip
    p.field_flags = OWN_FIELD_FLAGS  # type: ignore[attr-defined]
    p.field_notes = OWN_FIELD_NOTES  # type: ignore[attr-defined]
    args = accept_negative_numbers(p).parse_args(argv)
    variants = parse_variants(args.variants)
    threads, _ = resolve_torch_threads(args.threads, "--threads")  # 1 <= threads <= 4 per core
    if not args.max_time_s > 0:
        raise ValueError(f"--max-time-s: expected > 0, got {args.max_time_s}")
    if args.max_epochs is not None and args.max_epochs < 1:  # before the dataset load
        raise ValueError(f"--max-epochs: expected >= 1, got {args.max_epochs}")
    if args.seed < 0:  # was accepted (torch wraps a negative seed)
        raise ValueError(f"--seed: expected >= 0, got {args.seed}")
    # was: torch's raw "Overflow when unpacking long long"; probe 32: one range in every script
    check_seed(args.seed, "--seed", limit=RUN_SEED_LIMIT)
    if args.n_transitions is not None and args.n_transitions < 2:
        raise ValueError(f"--n-transitions: expected >= 2, got {args.n_transitions}")
    try:  # probe 20: was checked per variant, after the dataset load (minutes when generated)
        ens_cfg = EnsembleConfig(init_min_logvar=args.min_logvar_init)
    except ValueError as err:
        raise ValueError(f"--min-logvar-init: {err}") from None
    earlier: list[dict] = []
    if args.out is not None:
        check_out(args.out)
        earlier = read_earlier_rows(args.out)
        check_out_room(args.out, variants)  # probe 69 row 28: was found after the first variant
    if args.checkpoint_dir is not None:
        check_writable(args.checkpoint_dir, "--checkpoint-dir: folder", "give a writable folder")
    check_torch_compile_cache()  # the first Adam imports torch._dynamo, which makes it
    torch.set_num_threads(threads)
    device = resolve_device(args.device, "--device")
    if any(v[2] == "bf16" for v in variants) and not native_bf16(device):
        print(  # was: silent, and a --max-time-s budget starved the emulated bf16 variant
            f"[mle_quality] WARNING: bf16 variant(s) {EMULATED_BF16}, so a --max-time-s "
            "budget gives them far fewer epochs; compare them with --max-epochs",
            flush=True,
        )
    dataset = load_dataset(args.dataset, env_id=args.env_id)
    if args.n_transitions is not None:
        dataset = subset(dataset, args.n_transitions)
    check_batches_fit(variants, dataset.n_transitions)
    normalizer = ObsNormalizer.from_dataset(dataset)
    x_all, y_all = model_tensors(dataset, normalizer, device)
    rows = torch.randperm(x_all.shape[0], generator=torch.Generator().manual_seed(0))[:5000]
    probe_x, probe_y = x_all[rows.to(device)], y_all[rows.to(device)]
    obs_dim, action_dim = dataset.observations.shape[1], dataset.actions.shape[1]
    rows, results = [], []
    for batch, lr, precision in variants:
        gen = torch.Generator().manual_seed(args.seed)
        ensemble = GaussianEnsemble(obs_dim, action_dim, ens_cfg, generator=gen)
        ensemble.set_precision(precision)
        cfg = MLEConfig(lr=lr, batch_size=batch, max_time_s=args.max_time_s,
                        max_epochs=args.max_epochs, seed=args.seed)  # fmt: skip
        checkpoint = None  # the data, model and config are checked by train_mle's fingerprint
        if args.checkpoint_dir is not None:  # probe 26: was named by the variant only, so a
            # second dataset's run overwrote the first one's progress
            checkpoint = args.checkpoint_dir / (
                f"mle_quality-{dataset.fingerprint()[:12]}-s{args.seed}-b{batch}-lr{lr:g}-"
                f"{precision}.partial.pt"
            )
            legacy = args.checkpoint_dir / f"mle_quality-b{batch}-lr{lr:g}-{precision}.partial.pt"
            if legacy.is_file() and not checkpoint.exists():
                print(
                    f"[mle_quality] note: {legacy} (named before the dataset was in the name) is "
                    f"not read; if it is this dataset's, rename it to {checkpoint.name}",
                    flush=True,
                )
            # probe 69 row 29: a full disk was found at the end of the first epoch
            check_checkpoint_room(
                ensemble,
                checkpoint,
                "the MLE checkpoint (weights, two Adam moments, best weights)",
                "--checkpoint-dir",
            )
        try:
            report = train_mle(ensemble, dataset, normalizer, cfg, device=device, progress=False,
                               checkpoint_path=checkpoint)  # fmt: skip
        except WriteFailedError as err:  # only its checkpoint is written there
            raise with_elsewhere(err, "--checkpoint-dir") from err
        at_floor = int(ensemble.logvar_at_floor(probe_x, probe_y).sum())
        elite_mse = sum(report.holdout_mse[i] for i in report.elites) / len(report.elites)
        result = {"batch": batch, "lr": lr, "precision": precision, "epochs": report.epochs, "wall_s": report.wall_s,
                  "elite_holdout_mse": elite_mse, "logvar_at_floor_dims": at_floor,
                  "target_dims": ensemble.target_dim, "stopped_by": report.stopped_by}  # fmt: skip
        results.append(result)
        print(f"batch {batch:5d} lr {lr:.0e} {precision}: {report.epochs} epoch(s) in {report.wall_s:.0f} s "
              f"({report.stopped_by}), elites' holdout MSE {elite_mse:.5f}, log-var on its lower "
              f"bound in {at_floor} of {ensemble.target_dim} dims where its error is smaller", flush=True)  # fmt: skip
        # probe 103 row 20: was one column holdout_mse holding the members' mean before the
        # restore (0.2147) while the line above printed the elites' after it (0.19761)
        for epoch, (sec, mse) in enumerate(zip(report.epoch_end_s, report.holdout_history,
                                               strict=True), start=1):  # fmt: skip
            rows.append({"dataset": dataset.name, "batch": batch, "lr": lr, "precision": precision, "epoch": epoch,
                         "seconds": sec, MEMBERS_COLUMN: mse})  # fmt: skip
        if report.holdout_history:  # this variant's last row
            rows[-1][ELITES_COLUMN] = elite_mse
        if args.out is not None:  # after every variant (was: only at the end, so a run of
            try:  # hours killed … kept nothing)
                write_rows(args.out, merged_rows(earlier, rows))
            except WriteFailedError as err:
                raise with_elsewhere(err, "--out") from err
    return results


#: The holdout MSE of all the ensemble's members at an epoch's end (``MLEReport.holdout_history``).
MEMBERS_COLUMN = "holdout_mse_mean_of_members"
#: On a variant's last row: the elites' holdout MSE after their best weights are restored (printed).
ELITES_COLUMN = "elites_holdout_mse_final"
#: The members' column in CSVs written before probe 103 (the same values).
LEGACY_MEMBERS_COLUMN = "holdout_mse"
CSV_FIELDS = [
    "dataset",
    "batch",
    "lr",
    "precision",
    "epoch",
    "seconds",
    MEMBERS_COLUMN,
    ELITES_COLUMN,
]


def _variant_key(row: dict) -> tuple:
    return (str(row.get("dataset") or ""), int(row["batch"]), float(row["lr"]), row["precision"])


def read_earlier_rows(out: Path) -> list[dict]:
    """The rows an existing ``--out`` CSV holds (issue 14: an earlier run's results were replaced
    without a word). They are kept; :func:`merged_rows` replaces only the rows of a variant (dataset,
    batch, lr, precision) run again. One note names what is kept; a file that is not such a CSV
    is refused before any training."""
    if not out.is_file():
        return []
    try:
        with out.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            rows = list(reader)
            header = reader.fieldnames or []
        needed = {"batch", "lr", "precision", "epoch", "seconds"}
        if not needed <= set(header) or not {MEMBERS_COLUMN, LEGACY_MEMBERS_COLUMN} & set(header):
            raise ValueError(f"its columns are {header}")
        for row in rows:  # a CSV of before probe 103: its holdout_mse is the members' mean
            if LEGACY_MEMBERS_COLUMN in row and not row.get(MEMBERS_COLUMN):
                row[MEMBERS_COLUMN] = row.pop(LEGACY_MEMBERS_COLUMN)
        for row in rows:
            _variant_key(row)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, csv.Error) as err:
        raise ValueError(
            f"--out: {out} exists but is not a mle_quality CSV ({str(err)[:80]}); its rows would "
            "be replaced: pick another --out, or move that file"
        ) from None
    variants = sorted({_variant_key(r) for r in rows}, key=str)
    named = ", ".join(
        f"{b}:{lr:g}" + (f":{p}" if p != "fp32" else "") + (f" ({d})" if d else "")
        for d, b, lr, p in variants[:6]
    )
    print(
        f"[mle_quality] note: --out {out} holds {len(rows)} row(s) of earlier variant(s) "
        f"({named}{', …' if len(variants) > 6 else ''}): they are kept; a variant run again "
        "replaces its own rows",
        flush=True,
    )
    return rows


def merged_rows(earlier: list[dict], rows: list[dict]) -> list[dict]:
    """``earlier`` rows of variants not in ``rows``, then ``rows`` (a row of a CSV written before
    the dataset column matches the variant on any dataset)."""
    now = {_variant_key(r) for r in rows}

    def replaced(row: dict) -> bool:
        key = _variant_key(row)
        return key in now or (not key[0] and any(k[1:] == key[1:] for k in now))

    return [r for r in earlier if not replaced(r)] + rows


def write_rows(out: Path, rows: list[dict]) -> None:
    """The CSV of every finished variant's epochs (atomic: a failed write names the file and
    leaves no temp file)."""

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=CSV_FIELDS, extrasaction="ignore", restval="")
            writer.writeheader()
            writer.writerows(rows)

    atomic_write(out, write)


def subset(dataset: OfflineDataset, n: int) -> OfflineDataset:
    """``n`` transitions of ``dataset`` drawn without replacement (seed 0), same env and name.

    A drawn row whose successor in the dataset was not drawn ends a fragment: it is marked a
    timeout (was: unmarked, so every subset warned of thousands of "rows that end an episode
    without a flag"; the rows' own next states, which MLE trains on, are unchanged)."""
    total = dataset.observations.shape[0]
    if n > total:  # was: silently the whole dataset
        raise ValueError(
            f"--n-transitions: {n} > the {total} transitions of dataset {dataset.name!r}; give at "
            "most that many, or leave it out for all"
        )
    if n == total:
        return dataset
    rows = np.sort(np.random.default_rng(0).permutation(total)[:n])
    fields = ("observations", "actions", "rewards", "next_observations", "terminals", "timeouts")
    arrays = {name: getattr(dataset, name)[rows] for name in fields}
    cut = np.append(rows[1:] != rows[:-1] + 1, False)  # the last row has no successor anyway
    arrays["timeouts"] = arrays["timeouts"] | (cut & ~arrays["terminals"])
    return OfflineDataset.from_arrays(arrays, env_id=dataset.env_id, name=f"{dataset.name}[{n}]")


def check_out_room(out: Path, variants: list[tuple[int, float, str]]) -> None:
    """:class:`WriteFailedError` naming ``--out`` when its disk has less free room than a lower
    bound of the CSV: the earlier rows it keeps (the file is replaced through a temp file
    beside it), the header and one row of each variant with one-character numbers."""
    earlier = out.stat().st_size if out.is_file() else 0
    need = earlier + len(",".join(CSV_FIELDS)) + 2
    need += sum(len(f"x,{batch},{lr},{precision},1,0,0\r\n") for batch, lr, precision in variants)
    check_free_space(out, need, "the --out CSV", elsewhere="--out")


def check_out(out: Path) -> None:
    """``--out`` can be written (checked before any training): not a folder, its parent a folder
    (created if missing)."""
    # Was only created: an unwritable folder (/proc) failed after all the training; a name too
    # long gave a bare "[Errno 36] File name too long".
    check_output_file(out, "--out", "give a CSV file path in a writable folder", ".csv")


if __name__ == "__main__":
    tolerant_console()
    try:
        exit_on_interrupt(
            "mle_quality",
            "the --out CSV holds the variants printed above (no CSV if none was); rerun the others "
            "(with --checkpoint-dir, the interrupted variant resumes from its last finished epoch)",
            main,
            # probe 86 row 12: an exception mid-way through a variant was a bare traceback
            failed="the --out CSV holds the variants printed above (no CSV if none was); once the "
            "cause is fixed, rerun the same command (with --checkpoint-dir, each variant resumes "
            "from its last finished epoch, the failed one too)",
        )
    except (ValueError, OSError) as err:  # bad input, a missing dataset, an unwritable --out
        sys.exit(report_user_error(err))  # was: a bare print; RAMBO_ENV_TRACEBACK=1 ignored
