"""Assignment 2: known-wrong solutions lose points on the check aimed at their mistake, and
alternative correct solutions keep full marks. (Reference and skeleton: tests/test_validate.py.)
"""

from __future__ import annotations

import importlib.util
import sys

import pytest

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

REFERENCE = (REPO / "reference" / "02_gradient_descent" / "gradient_descent.py").read_text(encoding="utf-8")
ALTERNATIVES = REPO / "tests" / "submissions" / "02_gradient_descent"
SUPPORT = REPO / "assignments" / "02_gradient_descent" / "checks" / "public" / "gd_support.py"

HAND_LOOP = """    for done in range(1, steps + 1):
        a, b = step(a, b, data, alpha)
"""
# fit with the update written out, so that variants which slow down `gradient` keep fit fast.
INLINE_LOOP = """    for done in range(1, steps + 1):
        da = db = 0.0
        for x, y in data:
            da += 2 * (a * x + b - y) * x
            db += 2 * (a * x + b - y)
        a, b = a - alpha * da, b - alpha * db
"""
HAND_GRADIENT = """    da = db = 0.0
    for x, y in data:
        error = a * x + b - y
        da += 2 * error * x
        db += 2 * error
    return da, db
"""
BACKWARD_GRADIENT = """    a = torch.tensor(float(a), dtype=torch.float64, requires_grad=True)
    b = torch.tensor(float(b), dtype=torch.float64, requires_grad=True)
    total = sum((a * x + b - y) ** 2 for x, y in data)
    total.backward()
    return a.grad.item(), b.grad.item()
"""
HELPER_GRADIENT = """    return _derivatives(a, b, data)


def _derivatives(a, b, data):
    a = T.tensor(float(a), dtype=T.float64, requires_grad=True)
    b = T.tensor(float(b), dtype=T.float64, requires_grad=True)
    return tuple(g.item() for g in derivative(cost(a, b, data), (a, b)))
"""
FINITE_DIFFERENCE_GRADIENT = """    h = 1e-4
    return (
        (cost(a + h, b, data) - cost(a - h, b, data)) / (2 * h),
        (cost(a, b + h, data) - cost(a, b - h, data)) / (2 * h),
    )
"""
FINITE_CHECK = """        if not (math.isfinite(a) and math.isfinite(b)):
            raise FloatingPointError(f"gradient descent diverged at step {done} (alpha={alpha} is too large)")
"""
END_CHECK = """    if not (math.isfinite(a) and math.isfinite(b)):
        raise FloatingPointError("gradient descent diverged")
"""

# (name, [(old, new), ...] applied to the reference, the checks that must fail)
WRONG = [
    (
        "gradient with the wrong sign",
        [("error = a * x + b - y", "error = y - a * x - b")],
        ["test_lecture_first_gradient", "test_gradient_closed_form", "test_gradient_is_derivative_of_cost"],
    ),
    (
        "the pseudo-code typo: a updated with db",
        [("return a - alpha * da, b - alpha * db", "return a - alpha * db, b - alpha * db")],
        ["test_lecture_first_update", "test_step_uses_each_partial_derivative"],
    ),
    (
        "mean instead of sum",
        [
            (
                "return sum((a * x + b - y) ** 2 for x, y in data)",
                "return sum((a * x + b - y) ** 2 for x, y in data) / len(data)",
            ),
            ("    return da, db\n", "    return da / len(data), db / len(data)\n"),
        ],
        ["test_cost_on_lecture_data", "test_cost_formula", "test_gradient_closed_form", "test_lecture_first_gradient"],
    ),
    (
        "mean in cost only",
        [
            (
                "return sum((a * x + b - y) ** 2 for x, y in data)",
                "return sum((a * x + b - y) ** 2 for x, y in data) / len(data)",
            )
        ],
        ["test_cost_formula", "test_gradient_is_derivative_of_cost"],
    ),
    (
        "gradient missing the factor 2",
        [("da += 2 * error * x", "da += error * x"), ("db += 2 * error", "db += error")],
        ["test_lecture_first_gradient", "test_gradient_closed_form", "test_gradient_is_derivative_of_cost"],
    ),
    (
        "autograd inside gradient",
        [(HAND_GRADIENT, BACKWARD_GRADIENT), (HAND_LOOP, INLINE_LOOP)],
        ["test_written_by_hand"],
    ),
    (
        "autograd in a helper reached through an alias",
        [
            ("import torch\n", "import torch\nimport torch as T\nfrom torch.autograd import grad as derivative\n"),
            (HAND_GRADIENT, HELPER_GRADIENT),
            (HAND_LOOP, INLINE_LOOP),
        ],
        ["test_written_by_hand"],
    ),
    (
        "gradient by finite differences of cost",
        [(HAND_GRADIENT, FINITE_DIFFERENCE_GRADIENT)],
        ["test_written_by_hand"],
    ),
    (
        "fit never raises on divergence",
        [(FINITE_CHECK, "")],
        [
            "test_fit_raises_on_divergence",
            "test_fit_raises_for_every_large_alpha",
            "test_fit_stops_at_first_non_finite_step",
        ],
    ),
    (
        "fit checks for divergence only after its loop",
        [(FINITE_CHECK, ""), ("    return a, b\n\n\ndef fit_torch", END_CHECK + "    return a, b\n\n\ndef fit_torch")],
        ["test_fit_stops_at_first_non_finite_step"],
    ),
    (
        "fit checks only for nan",
        [("if not (math.isfinite(a) and math.isfinite(b)):", "if math.isnan(a) or math.isnan(b):")],
        ["test_fit_stops_at_first_non_finite_step"],
    ),
    (
        "fit ignores steps",
        [("for done in range(1, steps + 1):", "for done in range(1, 100_000 + 1):")],
        ["test_fit_uses_start_and_steps"],
    ),
    (
        "fit ignores the start values",
        [("a, b = float(a), float(b)", "a, b = 0.0, 0.0")],
        ["test_fit_uses_start_and_steps"],
    ),
    (
        "fit_torch with the mean squared error",
        [("cost = ((layer(x_train) - y_train) ** 2).sum()", "cost = ((layer(x_train) - y_train) ** 2).mean()")],
        ["test_fit_torch_follows_fit", "test_fit_torch_follows_fit_elsewhere", "test_fit_torch_reaches_least_squares"],
    ),
    (
        "fit_torch ignores lr",
        [("lr=lr)", "lr=0.001)")],
        ["test_fit_torch_follows_fit_elsewhere", "test_fit_torch_reaches_least_squares"],
    ),
    (
        "fit_torch ignores the seed",
        [("    torch.manual_seed(seed)\n", "")],
        ["test_fit_torch_follows_fit", "test_fit_torch_seeded"],
    ),
    (
        "fit_torch returns tensors",
        [
            (
                "return layer.weight.item(), layer.bias.item()",
                "return layer.weight.detach()[0, 0], layer.bias.detach()[0]",
            )
        ],
        ["test_fit_torch_follows_fit", "test_fit_torch_seeded"],
    ),
]


# Some of them also handed in as notebooks: conversion does not depend on the mistake (its rules:
# tests/test_notebook.py; every reference graded as a notebook: tests/test_handed_in.py).
NOTEBOOK_NAMES = spread([w[0] for w in WRONG])
# Graded once more with the portable launcher forced (what Windows and macOS get): a known-wrong
# solution and a correct one.
PORTABLE_NAMES = ["fit_torch returns tensors", "alternative_lecture"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, AssignmentResult]:
    """Every known-wrong and alternative solution, graded with public and hidden checks."""
    solutions: dict[str, Solution] = {name: {"gradient_descent.py": variant(REFERENCE, r)} for name, r, _ in WRONG}
    for path in sorted(ALTERNATIVES.glob("alternative_*.py")):
        solutions[path.stem] = {"gradient_descent.py": path}
    solutions = with_notebooks(solutions, "gradient_descent.py", NOTEBOOK_NAMES, WORK[2])
    return grade_solutions(2, solutions, tmp_path_factory.mktemp("a2"), portable=PORTABLE_NAMES)


@pytest.mark.parametrize(("name", "replacements", "targets"), WRONG, ids=[w[0] for w in WRONG])
def test_known_wrong_solution_loses_points_on_its_check(graded, name, replacements, targets):
    assert_loses_points_on(graded[name], targets, name)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_known_wrong_solution_handed_in_as_a_notebook_loses_the_same_points(graded, name):
    assert_same_verdicts(graded[name], graded[name + NOTEBOOK], name)


@pytest.mark.parametrize("name", sorted(p.stem for p in ALTERNATIVES.glob("alternative_*.py")))
def test_alternative_correct_solution_keeps_full_marks(graded, name):
    assert_full_marks(graded[name], name)


def feedback(result: AssignmentResult, check: str) -> str:
    return next(t.feedback for t in result.tests if t.id.split("::")[1].startswith(check))


def test_feedback_names_the_mistake(graded):
    typo = graded["the pseudo-code typo: a updated with db"]
    assert "typo, `a = a - α b'`" in feedback(typo, "test_lecture_first_update")
    assert "typo" in feedback(typo, "test_step_uses_each_partial_derivative")
    assert "(the factor 2 is missing)" in feedback(graded["gradient missing the factor 2"], "test_gradient_closed_form")
    assert "(the sign is wrong)" in feedback(graded["gradient with the wrong sign"], "test_gradient_closed_form")
    assert "(you returned the mean)" in feedback(graded["mean instead of sum"], "test_cost_formula")
    assert "you returned the mean" in feedback(graded["mean instead of sum"], "test_cost_on_lecture_data")
    autograd = feedback(graded["autograd inside gradient"], "test_written_by_hand")
    assert "`gradient` uses `torch`" in autograd and "`.backward`" in autograd
    helper = feedback(graded["autograd in a helper reached through an alias"], "test_written_by_hand")
    assert "reached through gradient → _derivatives" in helper and "`derivative`" in helper
    assert "calls `cost`" in feedback(graded["gradient by finite differences of cost"], "test_written_by_hand")
    never = feedback(graded["fit never raises on divergence"], "test_fit_raises_on_divergence")
    assert never.startswith("fit(DATA, alpha=0.1) returned (nan, nan)")
    late = feedback(graded["fit checks for divergence only after its loop"], "test_fit_stops_at_first_non_finite_step")
    assert "did not finish within" in late
    nan_only = feedback(graded["fit checks only for nan"], "test_fit_stops_at_first_non_finite_step")
    assert "returned (-inf" in nan_only and "math.isfinite" in nan_only
    assert "not the mean" in feedback(graded["fit_torch with the mean squared error"], "test_fit_torch_follows_fit")


def load_support():
    spec = importlib.util.spec_from_file_location("gd_support_under_test", SUPPORT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_torch_start_table_matches_this_torch():
    """The judge reads Linear(1, 1)'s starting line from a table: it must be what torch gives."""
    support = load_support()
    for seed, start in support.TORCH_STARTS.items():
        assert support.linear_start(seed) == start, f"seed {seed}: regenerate TORCH_STARTS in gd_support.py"


@pytest.mark.parametrize("name", PORTABLE_NAMES)
def test_the_portable_launcher_gives_the_same_verdicts(graded, name):
    assert_same_verdicts(graded[name], graded[name + PORTABLE], name)
