"""Calibrate the fit_torch thresholds of assignment 2 on the reference (lecture) recipe.

Run from the repository root:  .venv/bin/python reference/02_gradient_descent/calibrate.py
It prints the numbers recorded in CALIBRATION.md and next to the thresholds in the checks:
  - the lecture's recipe (lr 0.001, 10,000 steps) on DATA: distance to the least squares solution;
  - the checks' short runs: distance of the float32 torch result from the same steps in float64
    (public test_fit_torch_follows_fit, hidden test_fit_torch_follows_fit_elsewhere), and from the
    least squares solution (hidden test_fit_torch_reaches_least_squares, lr 0.01 and 1,000 steps);
  - the same with the mean squared error instead of the sum, which the checks must reject.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
LECTURE_SEEDS = range(10)  # 10,000 steps each: 4-6 s a run on the 2-core machine
SHORT_SEEDS = range(100)


def load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


reference = load("gradient_descent_reference", Path(__file__).with_name("gradient_descent.py"))
support = load("gd_support", ROOT / "assignments" / "02_gradient_descent" / "checks" / "public" / "gd_support.py")
hidden = load(
    "gd_hidden", ROOT / "assignments" / "02_gradient_descent" / "checks" / "hidden" / "test_gradient_descent_hidden.py"
)


def fit_torch_mse(data, lr, steps, seed):
    """The known mistake: the mean squared error instead of the sum."""
    torch.manual_seed(seed)
    x = torch.tensor([[float(x)] for x, _ in data])
    y = torch.tensor([[float(y)] for _, y in data])
    layer = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    for _ in range(steps):
        cost = ((layer(x) - y) ** 2).mean()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return layer.weight.item(), layer.bias.item()


def from_trajectory(fit, data, lr, steps, seed):
    """Largest difference between a torch run and the same steps in float64 from the same start."""
    got = fit(data, lr=lr, steps=steps, seed=seed)
    want = support.lecture_fit(data, lr, steps, *support.linear_start(seed))
    return max(abs(g - w) for g, w in zip(got, want))


def from_least_squares(fit, lr, steps, seed):
    return support.closeness_to_least_squares(fit(support.DATA, lr=lr, steps=steps, seed=seed))


def report(label: str, values: dict[int, float], worst=max) -> None:
    seed = worst(values, key=values.__getitem__)
    word = "worst" if worst is max else "best"
    print(f"| {label} | {min(values)}-{max(values)} | {word} {values[seed]:.2e} (seed {seed}) |", flush=True)


def main() -> None:
    torch.set_num_threads(1)
    started = time.perf_counter()
    print(f"torch {torch.__version__}, CPU, {torch.get_num_threads()} thread\n")
    print("| run | seeds | distance |\n|---|---|---|")
    fit = reference.fit_torch
    report(
        "lecture recipe (lr 0.001, 10,000 steps) vs least squares",
        {s: from_least_squares(fit, 0.001, 10_000, s) for s in LECTURE_SEEDS},
    )
    report(
        "mean squared error, lecture recipe, vs least squares",
        {s: from_least_squares(fit_torch_mse, 0.001, 10_000, s) for s in LECTURE_SEEDS[:5]},
        worst=min,
    )
    report(
        "public: lr 0.001, 300 steps vs float64 steps",
        {s: from_trajectory(fit, support.DATA, 0.001, 300, s) for s in SHORT_SEEDS},
    )
    report(
        "mean squared error, lr 0.001, 300 steps vs float64 steps",
        {s: from_trajectory(fit_torch_mse, support.DATA, 0.001, 300, s) for s in SHORT_SEEDS},
        worst=min,
    )
    for data, lr, steps, _ in hidden.TORCH_RUNS:
        which = "DATA" if data is support.DATA else "OTHER_DATA"
        report(
            f"hidden: {which}, lr {lr}, {steps} steps vs float64 steps",
            {s: from_trajectory(fit, data, lr, steps, s) for s in SHORT_SEEDS},
        )
    report(
        "hidden: lr 0.01, 1,000 steps vs least squares",
        {s: from_least_squares(fit, 0.01, 1000, s) for s in SHORT_SEEDS},
    )
    report(
        "mean squared error, lr 0.01, 1,000 steps, vs least squares",
        {s: from_least_squares(fit_torch_mse, 0.01, 1000, s) for s in SHORT_SEEDS},
        worst=min,
    )
    started_one = time.perf_counter()
    fit(support.DATA, lr=0.001, steps=10_000, seed=0)
    print(f"\none run of the lecture's recipe: {time.perf_counter() - started_one:.1f} s")
    print(f"calibration: {time.perf_counter() - started:.0f} s in all")


if __name__ == "__main__":
    main()
