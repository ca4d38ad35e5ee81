"""Assignment 5 timings: grading one MNIST submission, and an epoch of the reference on a GPU.

    .venv/bin/python bench/mnist.py [--data-dir DIR] [--repeat R]

Always: grades the reference solution of assignment 5 (public and hidden checks) R times on the
CPU, one at a time, and prints the wall time with the data set it ran on (the offline subset of
4,000/1,000 images when DIR holds no MNIST; acceptance: under 60 s).

When torch sees a CUDA device, also:
  (a) the reference's training epoch with the lecture's DataLoader (every image converted by
      ToTensor in every epoch, each batch copied to the GPU) against the same epoch over the
      data set held as one tensor on the GPU, and their ratio;
  (b) the wall time of grading the same submission on the GPU machine (the checks then pass
      torch.device("cuda") to train and run the GPU-only checks).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "reference" / "05_mnist_mlp")]

from grader.course import Course  # noqa: E402
from grader.data import MnistData, data_root, ensure_mnist  # noqa: E402
from grader.devices import cuda_available  # noqa: E402
from grader.runner import JudgeRunner  # noqa: E402


def grade_reference(data_dir: Path, repeat: int) -> tuple[float, str]:
    """Median wall time of grading the reference with every check, and a summary of the result."""
    course = Course.load(ROOT)
    assignment = course.get(5)
    runner = JudgeRunner(threads=1, data_dir=data_dir)
    walls, summary = [], ""
    with tempfile.TemporaryDirectory(prefix="bench-mnist-") as tmp:
        folder = Path(tmp) / "submission"
        shutil.copytree(course.reference_root / assignment.label, folder)
        for _ in range(repeat):
            started = time.perf_counter()
            result = runner.run(assignment, folder, scope="all")
            walls.append(time.perf_counter() - started)
            skipped = sum(t.status == "skipped" for t in result.tests)
            summary = (
                f"{result.status}, {result.score:g}/{result.max_score:g}, {len(result.tests)} checks, {skipped} skipped"
            )
    return statistics.median(walls), summary


def epoch_times(data: MnistData, repeat: int) -> tuple[float, float]:
    """Seconds per training epoch on the GPU: the lecture's DataLoader, then one GPU tensor."""
    import mnist_mlp
    import torch

    device = torch.device("cuda")
    root = str(data.root)
    training = mnist_mlp.load_mnist(root, train=True)
    loader = torch.utils.data.DataLoader(training, batch_size=128)
    images = training.data.unsqueeze(1).float().div(255).to(device)
    labels = training.targets.to(device)
    resident = list(zip(images.split(128), labels.split(128)))
    loss_fn = torch.nn.CrossEntropyLoss()

    def timed(batches) -> float:
        torch.manual_seed(0)
        model = mnist_mlp.MultiLayerPerceptron().to(device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        mnist_mlp.train_epoch(model, batches, optimizer, loss_fn, device)  # warm-up: kernels, allocator
        torch.cuda.synchronize()
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            mnist_mlp.train_epoch(model, batches, optimizer, loss_fn, device)
            torch.cuda.synchronize()
            runs.append(time.perf_counter() - started)
        return statistics.median(runs)

    return timed(loader), timed(resident)  # the reference's train_epoch only iterates its loader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, help="MNIST folder (default: $GRADER_DATA, else the cache folder)")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    root = data_root(args.data_dir)
    data = ensure_mnist(root)
    print(f"data set: {data.label} under {data.root}")
    gpu = cuda_available()

    # The grader uses the GPU whenever it sees one, so the CPU figure comes from a machine without
    # CUDA, and (b) is the figure of a GPU machine.
    if not gpu:
        wall, summary = grade_reference(root, args.repeat)
        print(f"grading one submission on the CPU: {wall:.1f} s wall (median of {args.repeat}; {summary})")
        print("no CUDA device: the GPU figures (epoch times, grading on the GPU) are not measured here")
        return

    import torch

    print(f"device: {torch.cuda.get_device_name(0)}")
    wall, summary = grade_reference(root, args.repeat)
    print(f"(b) grading one submission on the GPU machine: {wall:.1f} s wall (median of {args.repeat}; {summary})")
    loader_s, resident_s = epoch_times(data, max(3, args.repeat))
    print(
        f"(a) one training epoch of the reference over {data.n_train:,} images: lecture's DataLoader "
        f"{loader_s:.3f} s, data set as one GPU tensor {resident_s:.3f} s, ratio {loader_s / resident_s:.1f}x"
    )


if __name__ == "__main__":
    main()
