"""Train the reference checkpoint of assignment 4 with the lecture's recipe and report it.

Run from the repository root:  .venv/bin/python reference/04_minmax/train_checkpoint.py
Writes reference/04_minmax/minmax_model.pt (a state dict) and prints the seed, the time and the
errors measured exactly as the checks measure them; CHECKPOINTS.md records the output.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path[:0] = [str(HERE), str(REPO / "assignments" / "04_minmax" / "checks" / "public")]

import minmax  # noqa: E402  (the reference solution beside this script)
import minmax_support as support  # noqa: E402  (the judge's trusted copy and measurements)

SEED = 0


def main() -> None:
    torch.set_num_threads(1)  # the machine is shared; one thread is also what graders use
    started = time.perf_counter()
    model, costs = minmax.train(steps=10_000, batch_size=100, lr=1e-3, seed=SEED)
    elapsed = time.perf_counter() - started
    path = HERE / support.CHECKPOINT
    torch.save(model.state_dict(), path)

    judged = support.trusted_from_checkpoint(path)
    public = support.mean_abs_errors(judged, support.mae_points())
    dense = support.abs_errors(judged, support.dense_grid())
    print(f"seed {SEED}: 10,000 steps of 100 samples, Adam lr 1e-3, {elapsed:.0f} s on 1 CPU thread")
    print(f"torch {torch.__version__}; final cost {costs[-1]:.4g}, mean of the last 100: {sum(costs[-100:]) / 100:.4g}")
    for head in support.HEADS:
        worst = dense[head].max()
        print(
            f"{head} head: mean |error| {public[head]:.4f} on the checks' 2,000 points, worst {worst:.4f} on the grid"
        )


if __name__ == "__main__":
    main()
