"""Calibrate the thresholds of assignment 4 on the lecture's recipe, over several seeds.

Run from the repository root (3 to 5 minutes per full seed on one CPU thread):

    .venv/bin/python reference/04_minmax/calibrate.py short 0-19     # the checks' short runs
    .venv/bin/python reference/04_minmax/calibrate.py full 0-9       # 10,000 steps, batch 100, Adam 1e-3

Every measurement is made exactly as the checks make it (minmax_support, the judge's trusted
copy). Adam's cost on this problem jumps now and then until the very end, so the model a
student saves after step 10,000 may happen to sit on a jump. `full` therefore measures not only
the final model of each seed but also the model after every 20th of the last 2,000 steps (100
late states per seed, each as likely to be someone's final model as the real final one), and
the thresholds are at least twice the worst of all of them. CHECKPOINTS.md records the output.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path[:0] = [str(HERE), str(REPO / "assignments" / "04_minmax" / "checks" / "public")]

import minmax  # noqa: E402  (the reference solution: the lecture's recipe)
import minmax_support as support  # noqa: E402

SAVE_DIR = Path("/tmp/minmax_calibration")
MAE_POINTS = support.mae_points()  # the points the checks measure mean absolute errors on
DENSE = support.dense_grid(201)  # step 0.5, edges and diagonal included: final models
COARSE = support.dense_grid(51)  # step 2, edges and diagonal included: late states
SHORT_STEPS = (50, 100, 200)
WATCH_LAST, WATCH_EVERY = 2000, 20


def measure(model: torch.nn.Module, grid: torch.Tensor) -> dict[str, float]:
    """Every quantity a check on the submitted checkpoint looks at."""
    row = {f"mae_{head}": value for head, value in support.mean_abs_errors(model, MAE_POINTS).items()}
    errors = support.abs_errors(model, grid)
    pred, swapped = support.predict(model, grid), support.predict(model, grid.flip(1))
    for head in support.HEADS:
        row[f"worst_{head}"] = float(errors[head].max())
        row[f"asym_{head}"] = float(np.abs(pred[head] - swapped[head]).max())
    row["min_over_max"] = float((pred["min"] - pred["max"]).max())  # > 0: predicted min above predicted max
    return row


def train_watching(seed: int, steps: int = 10_000) -> tuple[torch.nn.Module, list[dict[str, float]]]:
    """minmax.train's loop, draw for draw, measuring the model after each watched late step."""
    torch.manual_seed(seed)
    model = minmax.MinMaxModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    late = []
    for step in range(1, steps + 1):
        x = torch.rand(100, 2) * 100
        pred_max, pred_min = model(x)
        cost = minmax.minmax_cost(x, pred_max, pred_min)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        if step > steps - WATCH_LAST and step % WATCH_EVERY == 0 and step < steps:
            late.append(measure(model, COARSE))
    return model, late


def same_as_train() -> None:
    """The watched loop follows minmax.train exactly (checked on a short run)."""
    watched, _ = train_watching(3, steps=60)
    trained, _ = minmax.train(steps=60, seed=3)
    a, b = watched.state_dict(), trained.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a), "train_watching no longer follows minmax.train"


def full(seeds: list[int]) -> None:
    same_as_train()
    SAVE_DIR.mkdir(exist_ok=True)
    finals, lates = [], []
    for seed in seeds:
        started = time.perf_counter()
        model, late = train_watching(seed)
        torch.save(model.state_dict(), SAVE_DIR / f"seed{seed}.pt")
        final = measure(support.trusted(model.state_dict(), "calibration"), DENSE)
        finals.append(final)
        lates.extend(late)
        print(f"seed {seed} ({time.perf_counter() - started:.0f} s) final: {_line(final)}", flush=True)
        print(f"seed {seed} worst of {len(late)} late states: {_line(_worst(late))}", flush=True)
    print(f"worst final model over seeds {seeds[0]}-{seeds[-1]}: {_line(_worst(finals))}", flush=True)
    print(f"worst of all {len(lates)} late states: {_line(_worst(lates))}", flush=True)


def _worst(rows: list[dict[str, float]]) -> dict[str, float]:
    return {k: max(r[k] for r in rows) for k in rows[0]}


def _line(row: dict[str, float]) -> str:
    return " ".join(f"{k}={v:.4f}" for k, v in row.items())


def short(seeds: list[int]) -> None:
    worst: dict[str, float] = {}
    for seed in seeds:
        parts = []
        for steps in SHORT_STEPS:
            model, costs = minmax.train(steps=steps, batch_size=100, lr=1e-3, seed=seed)
            model = support.trusted(model.state_dict(), "calibration")
            for head, value in support.mean_abs_errors(model, MAE_POINTS).items():
                key = f"mae_{head}_{steps}"
                worst[key] = max(worst.get(key, 0.0), value)
                parts.append(f"{key}={value:.3f}")
        torch.manual_seed(seed)  # the model train(seed=seed) starts from
        untrained = support.mean_abs_errors(support.trusted(minmax.MinMaxModel().state_dict(), "x"), MAE_POINTS)
        first = costs[0] / 100
        worst["first_cost_per_sample_max"] = max(worst.get("first_cost_per_sample_max", 0.0), first)
        worst["first_cost_per_sample_min"] = min(worst.get("first_cost_per_sample_min", np.inf), first)
        parts.append(f"untrained_max={untrained['max']:.2f} untrained_min={untrained['min']:.2f}")
        parts.append(f"first_cost/100={first:.0f}")
        print(f"seed {seed}: " + " ".join(parts), flush=True)
    print("worst over seeds " + " ".join(f"{k}={v:.4f}" for k, v in worst.items()), flush=True)


def seed_range(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


if __name__ == "__main__":
    torch.set_num_threads(1)
    mode, seeds = sys.argv[1], seed_range(sys.argv[2])
    {"full": full, "short": short}[mode](seeds)
