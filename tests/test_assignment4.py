"""Assignment 4: known-wrong solutions lose points on the check aimed at their mistake, and
alternative correct solutions keep full marks. (Reference and skeleton: tests/test_validate.py.)
"""

from __future__ import annotations

import importlib.util
import io
import sys

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

REFERENCE_DIR = REPO / "reference" / "04_minmax"
REFERENCE = (REFERENCE_DIR / "minmax.py").read_text(encoding="utf-8")
CHECKPOINT = REFERENCE_DIR / "minmax_model.pt"
ALTERNATIVES = REPO / "tests" / "submissions" / "04_minmax"

FORWARD_CHECKS = ["test_forward_matches_trusted", "test_forward_matches_on_random_inputs"]
COST_CHECKS = ["test_cost_on_an_example", "test_cost_formula"]
TRUNK_END = "            torch.nn.Linear(256, 256),\n            torch.nn.ReLU(),\n        )"
LOAD_STATE = "model.load_state_dict(torch.load(path, weights_only=True))\n    return model.eval()"

# (name, [(old, new), ...] applied to the reference, the checkpoint to submit, the checks that must fail)
WRONG = [
    (
        "heads swapped: forward returns (min, max)",
        [("return self.max_layer(out), self.min_layer(out)", "return self.min_layer(out), self.max_layer(out)")],
        "reference",
        FORWARD_CHECKS,
    ),
    (
        "heads swapped and trained that way (the checkpoint's heads are swapped too)",
        [("return self.max_layer(out), self.min_layer(out)", "return self.min_layer(out), self.max_layer(out)")],
        "swapped",
        [
            *FORWARD_CHECKS,
            "test_checkpoint_error[max]",
            "test_checkpoint_close_to_max_and_min",
            "test_checkpoint_max_not_below_min",
        ],
    ),
    (
        "forward ignores x2",
        [("out = self.layer(x)", "out = self.layer(torch.stack([x[:, 0], x[:, 0]], dim=1))")],
        "reference",
        FORWARD_CHECKS,
    ),
    (
        "no ReLU at the end of the trunk (same keys)",
        [(TRUNK_END, "            torch.nn.Linear(256, 256),\n        )")],
        "reference",
        FORWARD_CHECKS,
    ),
    (
        "untrained checkpoint",
        [],
        "untrained",
        ["test_checkpoint_error[max]", "test_checkpoint_error[min]", "test_checkpoint_close_to_max_and_min"],
    ),
    (
        "checkpoint saved as a whole pickled model",
        [(LOAD_STATE, "return torch.load(path, weights_only=False).eval()")],
        "pickled",
        ["test_checkpoint_is_a_state_dict", "test_checkpoint_error", "test_checkpoint_close_to_max_and_min"],
    ),
    (
        "no checkpoint submitted",
        [],
        None,
        ["test_checkpoint_is_a_state_dict", "test_checkpoint_error", "test_forward_matches_trusted"],
    ),
    (
        "cost with mean instead of sum",
        [(".sum() + ((true_min - pred_min) ** 2).sum()", ".mean() + ((true_min - pred_min) ** 2).mean()")],
        "reference",
        [*COST_CHECKS, "test_training_reports_summed_cost"],
    ),
    (
        "cost counts only the max head",
        [(".sum() + ((true_min - pred_min) ** 2).sum()", ".sum()")],
        "reference",
        [*COST_CHECKS, "test_short_training_lowers_error", "test_short_training_other_seed"],
    ),
    (
        "seed ignored",
        [("    torch.manual_seed(seed)\n", "")],
        "reference",
        ["test_training_reproducible"],
    ),
    (
        "learning rate ignored (Adam with lr 1e-5)",
        [("torch.optim.Adam(model.parameters(), lr=lr)", "torch.optim.Adam(model.parameters(), lr=1e-5)")],
        "reference",
        ["test_short_training_lowers_error", "test_short_training_other_seed"],
    ),
    (
        "costs kept as tensors",
        [("costs.append(cost.item())", "costs.append(cost)")],
        "reference",
        ["test_short_training_lowers_error", "test_training_reproducible", "test_training_reports_summed_cost"],
    ),
]


def _reference_module():
    """The reference solution imported as `minmax` (pickle names classes by their module)."""
    spec = importlib.util.spec_from_file_location("minmax", REFERENCE_DIR / "minmax.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _checkpoints() -> dict[str, bytes | object]:
    module = _reference_module()
    torch.manual_seed(0)
    untrained = io.BytesIO()
    torch.save(module.MinMaxModel().state_dict(), untrained)
    pickled = io.BytesIO()
    sys.modules["minmax"] = module
    try:
        torch.save(module.load_model(str(CHECKPOINT)), pickled)  # the whole model, not its state dict
    finally:
        del sys.modules["minmax"]
    swapped = io.BytesIO()  # what training with a forward that returns (min_layer, max_layer) leaves
    state = torch.load(CHECKPOINT, weights_only=True)
    heads = {"max_layer.": "min_layer.", "min_layer.": "max_layer."}
    torch.save({heads.get(k[:10], k[:10]) + k[10:]: v for k, v in state.items()}, swapped)
    return {
        "reference": CHECKPOINT,
        "untrained": untrained.getvalue(),
        "pickled": pickled.getvalue(),
        "swapped": swapped.getvalue(),
    }


# Graded once more with the portable launcher forced (what Windows and macOS get): a known-wrong
# solution and a correct one.
PORTABLE_NAMES = ["heads swapped: forward returns (min, max)", "alternative_loops"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, AssignmentResult]:
    """Every known-wrong and alternative solution, graded with public and hidden checks."""
    checkpoints = _checkpoints()
    solutions: dict[str, Solution] = {}
    for name, replacements, checkpoint, _ in WRONG:
        solutions[name] = {"minmax.py": variant(REFERENCE, replacements)}
        if checkpoint is not None:
            solutions[name]["minmax_model.pt"] = checkpoints[checkpoint]
    for path in sorted(ALTERNATIVES.glob("alternative_*.py")):
        solutions[path.stem] = {"minmax.py": path, "minmax_model.pt": CHECKPOINT}
    solutions = with_notebooks(solutions, "minmax.py", NOTEBOOK_NAMES, WORK[4])
    return grade_solutions(4, solutions, tmp_path_factory.mktemp("a4"), portable=PORTABLE_NAMES)


CODE_NAMES = [name for name, replacements, _, _ in WRONG if replacements]  # wrong code
# Some of them also handed in as notebooks: conversion does not depend on the mistake (its rules:
# tests/test_notebook.py; every reference graded as a notebook: tests/test_handed_in.py).
NOTEBOOK_NAMES = spread(CODE_NAMES)


@pytest.mark.parametrize(("name", "replacements", "checkpoint", "targets"), WRONG, ids=[w[0] for w in WRONG])
def test_known_wrong_solution_loses_points_on_its_check(graded, name, replacements, checkpoint, targets):
    assert_loses_points_on(graded[name], targets, name)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_known_wrong_solution_handed_in_as_a_notebook_loses_the_same_points(graded, name):
    assert_same_verdicts(graded[name], graded[name + NOTEBOOK], name)


@pytest.mark.parametrize("name", ["alternative_loops", "alternative_lecture"])
def test_alternative_correct_solution_keeps_full_marks(graded, name):
    assert_full_marks(graded[name], name)


def _feedback(result: AssignmentResult, check: str) -> str:
    return next(t.feedback for t in result.tests if t.id.split("::")[1] == check)


def test_feedback_names_the_mistake(graded):
    swapped = _feedback(graded["heads swapped: forward returns (min, max)"], "test_forward_matches_trusted")
    assert "returns (min, max)" in swapped
    pickled = _feedback(graded["checkpoint saved as a whole pickled model"], "test_checkpoint_is_a_state_dict")
    assert "whole pickled model" in pickled and "torch.save(model.state_dict(), path)" in pickled
    missing = _feedback(graded["no checkpoint submitted"], "test_checkpoint_is_a_state_dict")
    assert missing.startswith("minmax_model.pt is missing")
    mean = _feedback(graded["cost with mean instead of sum"], "test_cost_on_an_example")
    assert "returned 10 " in mean and "expected 30" in mean


def test_report_draws_error_maps_and_cost_curve(graded):
    tests = {t.id.split("::")[1]: t for t in graded["alternative_loops"].tests}
    for head in ("max", "min"):
        (plot,) = tests[f"test_checkpoint_error[{head}]"].plots
        assert plot["svg"].startswith("<svg") and "x1" in plot["svg"] and "x2" in plot["svg"]
    (curve,) = tests["test_short_training_lowers_error"].plots
    assert "training step" in curve["svg"] and "log scale" in curve["svg"]


@pytest.mark.parametrize("name", PORTABLE_NAMES)
def test_the_portable_launcher_gives_the_same_verdicts(graded, name):
    assert_same_verdicts(graded[name], graded[name + PORTABLE], name)
