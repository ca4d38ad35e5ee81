"""Calibrate the thresholds of assignment 5 on the lecture's recipe, over several seeds.

Run from the repository root (on the offline subset: about 20 s per full seed, 1 s per short
seed, on one CPU thread):

    .venv/bin/python reference/05_mnist_mlp/calibrate.py short 0-49   # the checks' short runs
    .venv/bin/python reference/05_mnist_mlp/calibrate.py full 0-4     # 30 epochs, batch 128, Adam 1e-3

Add --data-dir DIR to calibrate on another data set (grader.data decides, as the checks do).
Every measurement is made as the checks make it (mnist_support: the judge's trusted copy, its
test images, the folders the student's process gets). The accuracy on MNIST wobbles from epoch to
epoch, so `full` measures the model after every epoch from EARLIEST on, each as likely to be a
student's final model, on the test images under three perturbations. CHECKPOINTS.md records
the output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
sys.path[:0] = [str(HERE), str(REPO / "assignments" / "05_mnist_mlp" / "checks" / "public"), str(REPO)]

import mnist_mlp  # noqa: E402  (the reference solution: the lecture's recipe)
import mnist_support as support  # noqa: E402

from grader.data import data_root  # noqa: E402

EPOCHS, EARLIEST = 30, 10
PERTURBATION_SEEDS = (1, 2, 3)
LIMIT_LIMIT, LIMIT_POISONED = 1000, 2000  # as test_training_respects_limit


def seeds(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def test_accuracy(model: torch.nn.Module, data: support.JudgeData) -> float:
    return support.accuracy(support.trusted(model.state_dict(), "model"), data.test_x, data.test_y)


def short(data: support.JudgeData, chosen: list[int]) -> None:
    clean = support.worker_folder(data)
    poisoned = support.worker_folder(data, clean=LIMIT_LIMIT, poisoned=LIMIT_POISONED)
    rows = []
    for seed in chosen:
        torch.manual_seed(seed)
        untrained = test_accuracy(mnist_mlp.MultiLayerPerceptron(), data)
        model, _ = mnist_mlp.train(clean, epochs=1, limit=support.SHORT_LIMIT, device="cpu", seed=seed)
        short_acc = test_accuracy(model, data)
        model, _ = mnist_mlp.train(poisoned, epochs=1, limit=LIMIT_LIMIT, device="cpu", seed=seed)
        limit_acc = test_accuracy(model, data)
        model, _ = mnist_mlp.train(poisoned, epochs=1, limit=None, device="cpu", seed=seed)
        ignored = test_accuracy(model, data)
        rows.append((seed, untrained, short_acc, limit_acc, ignored))
        print(
            f"seed {seed:3d}: untrained {untrained:.3f}  short {short_acc:.3f}  limit {limit_acc:.3f}  "
            f"limit ignored {ignored:.3f}",
            flush=True,
        )
    for index, name in (
        (1, "untrained"),
        (2, "short (limit 2000, 1 epoch)"),
        (3, "limit 1000 of the trap"),
        (4, "trap with limit ignored"),
    ):
        values = [r[index] for r in rows]
        worst = min(range(len(rows)), key=lambda i: values[i])
        print(f"{name}: {min(values):.3f} (seed {rows[worst][0]}) to {max(values):.3f}")


def train_watching(root: str, seed: int, epochs: int) -> list[tuple[int, torch.nn.Module]]:
    """mnist_mlp.train's loop, step for step, keeping a copy of the model after every epoch."""
    torch.manual_seed(seed)
    training = torch.utils.data.DataLoader(mnist_mlp.load_mnist(root, train=True), batch_size=128)
    test = torch.utils.data.DataLoader(mnist_mlp.load_mnist(root, train=False), batch_size=128, shuffle=False)
    model = mnist_mlp.MultiLayerPerceptron()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    kept = []
    for epoch in range(1, epochs + 1):
        mnist_mlp.train_epoch(model, training, optimizer, loss_fn, "cpu")
        mnist_mlp.test_epoch(model, test, loss_fn, "cpu")
        copy = mnist_mlp.MultiLayerPerceptron()
        copy.load_state_dict(model.state_dict())
        kept.append((epoch, copy))
    return kept


def same_as_train(root: str) -> None:
    ((_, watched),) = train_watching(root, 3, 1)
    trained, _ = mnist_mlp.train(root, epochs=1, device="cpu", seed=3)
    a, b = watched.state_dict(), trained.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a), "train_watching no longer follows mnist_mlp.train"


def full(data: support.JudgeData, chosen: list[int]) -> None:
    root = str(data.source.root)
    same_as_train(root)
    perturbed = [support.perturbed(data.test_x, seed=s) for s in PERTURBATION_SEEDS]
    worst_overall, worst_digit = (1.0, None), (1.0, None)
    for seed in chosen:
        for epoch, model in train_watching(root, seed, EPOCHS):
            judged = support.trusted(model.state_dict(), "model")
            clean = support.accuracy(judged, data.test_x, data.test_y)
            for p_seed, x in zip(PERTURBATION_SEEDS, perturbed):
                counts = support.confusion(data.test_y, support.predictions(judged, x))
                acc = sum(counts[d][d] for d in range(10)) / len(data.test_y)
                digits = support.per_digit_accuracy(counts)
                digit = min(range(10), key=lambda d: digits[d])
                if epoch >= EARLIEST:
                    worst_overall = min(worst_overall, (acc, (seed, epoch, p_seed)), key=lambda t: t[0])
                    worst_digit = min(worst_digit, (digits[digit], (seed, epoch, p_seed, digit)), key=lambda t: t[0])
                if p_seed == PERTURBATION_SEEDS[0]:
                    print(
                        f"seed {seed} epoch {epoch:2d}: clean {clean:.4f}  perturbed {acc:.4f}  "
                        f"worst digit {digit} {digits[digit]:.3f}",
                        flush=True,
                    )
    print(
        f"worst perturbed accuracy from epoch {EARLIEST} on: {worst_overall[0]:.4f} at (seed, epoch, perturbation) "
        f"{worst_overall[1]}"
    )
    print(
        f"worst digit from epoch {EARLIEST} on: {worst_digit[0]:.3f} at (seed, epoch, perturbation, digit) "
        f"{worst_digit[1]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["short", "full"])
    parser.add_argument("seeds", type=seeds)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(1)
    data = support.judge_data(str(data_root(args.data_dir)))
    print(f"data set: {data.label}; torch {torch.__version__}")
    (short if args.mode == "short" else full)(data, args.seeds)


if __name__ == "__main__":
    main()
