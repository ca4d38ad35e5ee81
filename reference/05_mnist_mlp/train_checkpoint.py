"""Train the reference checkpoint of assignment 5 with the lecture's recipe and report it.

Run from the repository root:

    .venv/bin/python reference/05_mnist_mlp/train_checkpoint.py [--data-dir DIR]

The data set is the one the grader uses (grader.data: --data-dir, $GRADER_DATA, the cache
folder; full MNIST when it is there, else the offline subset of 4,000/1,000 real digits).
Writes reference/05_mnist_mlp/mnist_mlp.pt (a state dict) and prints the seed, the data set,
the time and the accuracies measured exactly as the checks measure them; CHECKPOINTS.md
records the output.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path[:0] = [str(HERE), str(REPO / "assignments" / "05_mnist_mlp" / "checks" / "public"), str(REPO)]

import mnist_mlp  # noqa: E402  (the reference solution beside this script)
import mnist_support as support  # noqa: E402  (the judge's trusted copy and measurements)

from grader.data import data_root  # noqa: E402

SEED, EPOCHS = 0, 30
REPORT_PERTURBATION_SEED = 1  # the checks draw a fresh perturbation each run; this one is for the record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="MNIST folder (default: $GRADER_DATA, else the cache folder)")
    args = parser.parse_args()
    torch.set_num_threads(1)  # one thread is what graders use
    data = support.judge_data(str(data_root(args.data_dir)))
    started = time.perf_counter()
    model, history = mnist_mlp.train(str(data.source.root), epochs=EPOCHS, device="cpu", seed=SEED)
    elapsed = time.perf_counter() - started
    path = HERE / support.CHECKPOINT
    torch.save(model.state_dict(), path)

    judged = support.trusted_from_checkpoint(path)
    clean = support.accuracy(judged, data.test_x, data.test_y)
    noisy_x = support.perturbed(data.test_x, seed=REPORT_PERTURBATION_SEED)
    counts = support.confusion(data.test_y, support.predictions(judged, noisy_x))
    noisy = sum(counts[d][d] for d in range(10)) / len(data.test_y)
    worst = min(support.per_digit_accuracy(counts))
    print(f"data set: {data.label} ({data.source.root})")
    print(f"seed {SEED}: {EPOCHS} epochs, batches of 128 in order, Adam lr 1e-3, {elapsed:.0f} s on 1 CPU thread")
    print(f"torch {torch.__version__}; {path.name}: {path.stat().st_size:,} bytes")
    print(f"accuracy on {data.test_label}: {clean:.4f} as given, {noisy:.4f} perturbed; worst digit {worst:.3f}")
    print("history test_acc by epoch: " + " ".join(f"{a:.3f}" for a in history["test_acc"]))


if __name__ == "__main__":
    main()
