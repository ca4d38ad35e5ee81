"""Train the reference checkpoints of assignment 3 with the lecture's recipe and save them.

    .venv/bin/python reference/03_function_fitting/train_checkpoints.py [--seed 0]

Writes square_model.pt and sin_model.pt beside this script (state dicts, as in the lecture:
torch.save(model.state_dict(), path)) and prints, for each, the seed, the training time and the
errors the checks measure. Training is deterministic on CPU with one thread, so rerunning with
the same seed rewrites identical weights. CHECKPOINTS.md records the numbers of the committed files.

`--square-low 0` trains only the x² model, on [0, 100] instead of [-100, 100]: the known-wrong
checkpoint of tests/test_assignment3.py (good on the positive half, bad on the negative one).
"""

from __future__ import annotations

import argparse
import json
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the .pt files (default: beside this script)")
    parser.add_argument("--square-low", type=float, help="train only x², sampling x in [SQUARE_LOW, 100] (wrong)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    tasks = [support.SQUARE] if args.square_low is not None else list(support.TASKS.values())
    for task in tasks:
        started = time.perf_counter()
        if args.square_low is not None:
            torch.manual_seed(args.seed)
            model = fitting.make_square_model()
            costs = fitting._train(model, lambda x: x**2, args.square_low, 100.0, 10_000, 100, 1e-3, args.seed)
        else:
            model, costs = getattr(fitting, task.trainer)(seed=args.seed)  # 10,000 steps, batch 100, lr 0.001
        seconds = time.perf_counter() - started
        path = args.out / task.checkpoint
        fitting.save_model(model, path)
        trusted = support.load_trusted(task, torch.load(path, weights_only=True), task.checkpoint)
        row = {
            "file": task.checkpoint,
            "seed": args.seed,
            "interval": [task.low if args.square_low is None else args.square_low, task.high],
            "seconds": round(seconds, 1),
            "grid_mse": support.grid_mse(trusted, task),
            "max_abs_error": support.max_abs_error(trusted, task),
            "last_cost": costs[-1],
            "torch": torch.__version__,
        }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
