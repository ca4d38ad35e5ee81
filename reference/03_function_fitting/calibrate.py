"""Calibrate the thresholds of assignment 3's checks on the lecture's own recipe.

    .venv/bin/python reference/03_function_fitting/calibrate.py full     # 10,000 steps per seed and task
    .venv/bin/python reference/03_function_fitting/calibrate.py short    # the checks' short runs
    .venv/bin/python reference/03_function_fitting/calibrate.py cost     # the summed-cost statistics

Every measure is the one the checks compute (imported from the checks' support module), on
models trained by the reference solution: Adam with lr 0.001, batches of 100 uniform samples,
summed squared error. One line of JSON per run; a summary with the worst value at the end.
Results are written to CHECKPOINTS.md by hand, and each threshold's comment quotes them.
One torch thread: the machine is shared (a full run takes about 30-45 s per task and seed).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import torch

sys.dont_write_bytecode = True  # no __pycache__ beside the checks
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1] / "assignments" / "03_function_fitting" / "checks" / "public"))

import fitting  # noqa: E402  (the reference solution beside this script)
import fitting_support as support  # noqa: E402  (the checks' own measures)

SHORT_STEPS = 200  # test_short_training_* in the checks
COST_STEPS = 40  # test_cost_is_summed_squared_error and its hidden twin


def trained(task, **kwargs):
    model, costs = getattr(fitting, task.trainer)(**kwargs)
    return support.load_trusted(task, model.state_dict(), task.checkpoint), costs


def full(seeds: list[int]) -> list[dict]:
    rows = []
    for seed in seeds:
        for task in support.TASKS.values():
            started = time.perf_counter()
            model, costs = trained(task, seed=seed)
            row = {
                "kind": "full",
                "task": task.name,
                "seed": seed,
                "seconds": round(time.perf_counter() - started, 1),
                "grid_mse": support.grid_mse(model, task),
                "max_abs_error": support.max_abs_error(model, task),
                "last_cost": costs[-1],
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def short(seeds: list[int]) -> list[dict]:
    rows = []
    for seed in seeds:
        for task in support.TASKS.values():
            model, _ = trained(task, steps=SHORT_STEPS, seed=seed)
            torch.manual_seed(seed)
            untrained = getattr(fitting, task.make)()  # the reference's initial weights for this seed
            row = {
                "kind": "short",
                "task": task.name,
                "seed": seed,
                "grid_mse": support.grid_mse(model, task),
                "untrained_grid_mse": support.grid_mse(untrained, task),
            }
            if task is support.SIN:  # what test_short_training_sin measures
                row["part_mse"] = support.grid_mse(model, task, support.SIN_SHORT_RUN_PART)
                row["untrained_part_mse"] = support.grid_mse(untrained, task, support.SIN_SHORT_RUN_PART)
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def cost(seeds: list[int]) -> list[dict]:
    """lr = 0 keeps the model fixed, so the mean cost estimates batch_size x E[(f(x) - target)²]."""
    rows = []
    for seed in seeds:
        for task in support.TASKS.values():
            for batch_size in (50, 100):
                model, costs = trained(task, steps=COST_STEPS, batch_size=batch_size, lr=0.0, seed=seed)
                mean, var = support.squared_error_moments(model, task)
                observed = sum(costs) / len(costs)
                ratio = observed / (batch_size * mean)
                z = (sum(costs) - COST_STEPS * batch_size * mean) / math.sqrt(COST_STEPS * batch_size * var)
                row = {
                    "kind": "cost",
                    "task": task.name,
                    "seed": seed,
                    "batch_size": batch_size,
                    "ratio": ratio,
                    "z": z,
                }
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows


def summary(rows: list[dict]) -> None:
    keys = [("full", "grid_mse"), ("full", "max_abs_error"), ("short", "grid_mse"), ("short", "part_mse")]
    keys += [("short", "untrained_grid_mse"), ("short", "untrained_part_mse")]
    for kind, key in keys:
        for task in support.TASKS:
            values = [r[key] for r in rows if r["kind"] == kind and r["task"] == task and key in r]
            if values:
                worst = max(values)
                print(f"{kind:5} {task:6} {key:18} seeds={len(values):2}  best={min(values):.6g}  worst={worst:.6g}")
    for task in support.TASKS:
        runs = [r for r in rows if r["kind"] == "cost" and r["task"] == task]
        if runs:
            ratios = [r["ratio"] for r in runs]
            largest_z = max(abs(r["z"]) for r in runs)
            spread = f"min={min(ratios):.4f}  max={max(ratios):.4f}  |z|<={largest_z:.2f}"
            print(f"cost  {task:6} ratio runs={len(runs)}  {spread}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["full", "short", "cost"])
    parser.add_argument("--seeds", type=int, nargs="+", help="default: 0-9 for full, 0-19 otherwise")
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = args.seeds or (list(range(10)) if args.what == "full" else list(range(20)))
    rows = {"full": full, "short": short, "cost": cost}[args.what](seeds)
    summary(rows)


if __name__ == "__main__":
    main()
