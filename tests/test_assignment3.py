"""Assignment 3: known-wrong solutions lose points on the check aimed at their mistake, and
alternative correct solutions keep full marks. (Reference and skeleton: tests/test_validate.py.)

Code variants are graded with the reference checkpoints; checkpoint variants with the reference
code. The checkpoint trained on the wrong interval was made by
`train_checkpoints.py --square-low 0 --out tests/submissions/03_function_fitting/wrong_interval`.
"""

from __future__ import annotations

import io

import pytest
import torch

from grader.results import AssignmentResult
from tests.conftest import REPO
from tests.harness import (
    NOTEBOOK,
    PORTABLE,
    Solution,
    assert_full_marks,
    assert_loses_points_on,
    assert_same_verdicts,
    grade_solutions,
    spread,
    variant,
    with_notebooks,
)
from tests.notebooks import WORK

REFERENCE_DIR = REPO / "reference" / "03_function_fitting"
REFERENCE = (REFERENCE_DIR / "fitting.py").read_text(encoding="utf-8")
SQUARE_PT = REFERENCE_DIR / "square_model.pt"
SIN_PT = REFERENCE_DIR / "sin_model.pt"
SUBMISSIONS = REPO / "tests" / "submissions" / "03_function_fitting"
ALTERNATIVES = sorted(SUBMISSIONS.glob("alternative_*.py"))

PICKLING_SAVE = [
    ("    torch.save(model.state_dict(), path)", "    torch.save(model, path)"),
    (
        "def load_square_model(path):\n    model = make_square_model()\n"
        "    model.load_state_dict(torch.load(path, weights_only=True))\n    return model.eval()",
        "def load_square_model(path):\n    return torch.load(path, weights_only=False)",
    ),
    (
        "def load_sin_model(path):\n    model = SinModel()\n"
        "    model.load_state_dict(torch.load(path, weights_only=True))\n    return model.eval()",
        "def load_sin_model(path):\n    loaded = torch.load(path, weights_only=False)\n"
        "    if isinstance(loaded, dict):\n        model = SinModel()\n        model.load_state_dict(loaded)\n"
        "        return model\n    return loaded",
    ),
]

# (name, [(old, new), ...] applied to the reference code, the checks that must fail)
WRONG_CODE = [
    (
        "first ReLU missing",
        [("        torch.nn.Linear(1, 256),\n        torch.nn.ReLU(),\n", "        torch.nn.Linear(1, 256),\n")],
        ["test_architecture[square]", "test_architecture[sin]", "test_checkpoint_forward_matches"],
    ),
    (
        "Tanh instead of the last ReLU",
        [
            (
                "        torch.nn.ReLU(),\n        torch.nn.Linear(256, 1),",
                "        torch.nn.Tanh(),\n        torch.nn.Linear(256, 1),",
            )
        ],
        ["test_architecture[square]", "test_architecture[sin]", "test_checkpoint_forward_matches"],
    ),
    (
        "SinModel.forward adds a constant",
        [("        y = self.layer(x)\n", "        y = self.layer(x) + 0.05\n")],
        ["test_architecture[sin]", "test_checkpoint_forward_matches[sin]"],
    ),
    (
        "SinModel.forward skips the hidden layer",
        [("        y = self.layer(x)\n", "        y = self.layer[4](self.layer[1](self.layer[0](x)))\n")],
        ["test_architecture[sin]", "test_checkpoint_forward_matches[sin]"],
    ),
    (
        "mean instead of summed cost",
        [("cost = ((model(x_train) - y_train) ** 2).sum()", "cost = ((model(x_train) - y_train) ** 2).mean()")],
        ["test_cost_is_summed_squared_error", "test_cost_is_summed_squared_error_sin"],
    ),
    (
        "seed ignored",
        [
            ("    torch.manual_seed(seed)  # the initial weights\n", ""),
            ("    torch.manual_seed(seed)\n", ""),
            ("rng = random.Random(seed)", "rng = random.Random()"),
        ],
        ["test_training_reproducible[square]", "test_training_reproducible[sin]"],
    ),
    (
        "seed always 0",
        [
            ("    torch.manual_seed(seed)  # the initial weights\n", "    torch.manual_seed(0)\n"),
            ("    torch.manual_seed(seed)\n", "    torch.manual_seed(0)\n"),
            ("rng = random.Random(seed)", "rng = random.Random(0)"),
        ],
        ["test_training_reproducible[square]", "test_training_reproducible[sin]"],
    ),
    (
        "x² sampled from [0, 100]",
        [("lambda x: x**2, -100.0, 100.0", "lambda x: x**2, 0.0, 100.0")],
        ["test_short_training_square"],
    ),
    (
        "sin trained on cos",
        [("costs = _train(model, math.sin,", "costs = _train(model, math.cos,")],
        ["test_short_training_sin"],
    ),
    (
        "optimizer never steps",
        [("        optimizer.step()\n", "")],
        ["test_short_training_square", "test_short_training_sin"],
    ),
    (
        "costs kept as tensors",
        [("costs.append(cost.item())", "costs.append(cost)")],
        ["test_short_training_square", "test_cost_is_summed_squared_error", "test_training_reproducible"],
    ),
    (
        "save_model pickles the whole model",
        PICKLING_SAVE,
        ["test_save_load_round_trip[square]", "test_save_load_round_trip[sin]"],
    ),
    (
        "loader ignores its path",
        [
            (
                "    model = make_square_model()\n    model.load_state_dict(torch.load(path, weights_only=True))",
                '    model = make_square_model()\n    model.load_state_dict(torch.load("square_model.pt"))',
            )
        ],
        ["test_save_load_round_trip[square]"],
    ),
]


def state_bytes(value) -> bytes:
    buffer = io.BytesIO()
    torch.save(value, buffer)
    return buffer.getvalue()


def reference_square() -> torch.nn.Sequential:
    model = torch.nn.Sequential(
        torch.nn.Linear(1, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1)
    )
    model.load_state_dict(torch.load(SQUARE_PT, weights_only=True))
    return model


def untrained_square() -> bytes:
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(1, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1)
    )
    return state_bytes(model.state_dict())


# (name, files replacing the reference's, the checks that must fail)
WRONG_CHECKPOINTS = [
    (
        "untrained square checkpoint",
        lambda: {"square_model.pt": untrained_square()},
        ["test_checkpoint_error[square]", "test_checkpoint_worst_error[square]"],
    ),
    (
        "square checkpoint pickled as a whole model",
        lambda: {"square_model.pt": state_bytes(reference_square())},
        ["test_checkpoint_loads[square]", "test_checkpoint_error[square]", "test_checkpoint_forward_matches[square]"],
    ),
    (
        "checkpoints swapped",
        lambda: {"square_model.pt": SIN_PT, "sin_model.pt": SQUARE_PT},
        ["test_checkpoint_loads[square]", "test_checkpoint_loads[sin]", "test_checkpoint_error"],
    ),
    (
        "square checkpoint trained on [0, 100]",
        lambda: {"square_model.pt": SUBMISSIONS / "wrong_interval" / "square_model.pt"},
        ["test_checkpoint_error[square]", "test_checkpoint_worst_error[square]"],
    ),
]


CODE_NAMES = [name for name, _, _ in WRONG_CODE]  # wrong code
# Some of them also handed in as notebooks: conversion does not depend on the mistake (its rules:
# tests/test_notebook.py; every reference graded as a notebook: tests/test_handed_in.py).
NOTEBOOK_NAMES = spread(CODE_NAMES)


def with_reference_checkpoints(code: str | object) -> Solution:
    return {"fitting.py": code, "square_model.pt": SQUARE_PT, "sin_model.pt": SIN_PT}  # type: ignore[dict-item]


# Graded once more with the portable launcher forced (what Windows and macOS get): a known-wrong
# solution and a correct one.
PORTABLE_NAMES = ["save_model pickles the whole model", "alternative_torch_rand"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, AssignmentResult]:
    """Every known-wrong and alternative solution, graded with public and hidden checks."""
    solutions: dict[str, Solution] = {}
    for name, replacements, _ in WRONG_CODE:
        solutions[name] = with_reference_checkpoints(variant(REFERENCE, replacements))
    for name, files, _ in WRONG_CHECKPOINTS:
        solutions[name] = {**with_reference_checkpoints(REFERENCE), **files()}
    for path in ALTERNATIVES:
        solutions[path.stem] = with_reference_checkpoints(path)
    solutions = with_notebooks(solutions, "fitting.py", NOTEBOOK_NAMES, WORK[3])
    return grade_solutions(3, solutions, tmp_path_factory.mktemp("a3"), portable=PORTABLE_NAMES)


WRONG = [(name, targets) for name, _, targets in WRONG_CODE + WRONG_CHECKPOINTS]


@pytest.mark.parametrize(("name", "targets"), WRONG, ids=[w[0] for w in WRONG])
def test_known_wrong_solution_loses_points_on_its_check(graded, name, targets):
    assert_loses_points_on(graded[name], targets, name)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_known_wrong_solution_handed_in_as_a_notebook_loses_the_same_points(graded, name):
    assert_same_verdicts(graded[name], graded[name + NOTEBOOK], name)


@pytest.mark.parametrize("name", [p.stem for p in ALTERNATIVES])
def test_alternative_correct_solution_keeps_full_marks(graded, name):
    assert_full_marks(graded[name], name)


def test_there_are_two_alternatives():
    assert len(ALTERNATIVES) >= 2


def feedback(result: AssignmentResult, check: str) -> str:
    return next(t.feedback for t in result.tests if t.id.endswith("::" + check))


def test_feedback_names_the_mistake(graded):
    pickled = feedback(graded["square checkpoint pickled as a whole model"], "test_checkpoint_loads[square]")
    assert "weights_only=True" in pickled and "torch.save(model.state_dict(), path)" in pickled
    mean = feedback(graded["mean instead of summed cost"], "test_cost_is_summed_squared_error")
    assert "about the mean over the batch" in mean and ".sum()" in mean
    swapped = feedback(graded["checkpoints swapped"], "test_checkpoint_loads[square]")
    assert "wrong parameter names" in swapped and "layer.0.weight" in swapped
    saving = feedback(graded["save_model pickles the whole model"], "test_save_load_round_trip[sin]")
    assert "torch.save(model.state_dict(), path)" in saving


def test_report_draws_the_curves_and_the_cost(graded):
    result = graded["alternative_torch_rand"]
    plots = {t.id.split("::")[1]: t.plots for t in result.tests}
    assert len(plots["test_checkpoint_error[square]"]) == 1 and len(plots["test_checkpoint_error[sin]"]) == 1
    assert "true x²" in plots["test_checkpoint_error[square]"][0]["svg"]
    assert "log scale" in plots["test_short_training_square"][0]["svg"]


@pytest.mark.parametrize("name", PORTABLE_NAMES)
def test_the_portable_launcher_gives_the_same_verdicts(graded, name):
    assert_same_verdicts(graded[name], graded[name + PORTABLE], name)
