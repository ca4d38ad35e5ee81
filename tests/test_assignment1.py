"""Assignment 1: known-wrong solutions lose points on the check aimed at their mistake, and
alternative correct solutions keep full marks. (Reference and skeleton: tests/test_validate.py.)
"""

from __future__ import annotations

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

REFERENCE = (REPO / "reference" / "01_gates" / "gates.py").read_text(encoding="utf-8")
ALTERNATIVES = REPO / "tests" / "submissions" / "01_gates"

# (name, [(old, new), ...] applied to the reference, the checks that must fail)
WRONG = [
    (
        "lecture boundary: a sum of exactly 0 gives 0",
        [("return 1 if total >= 0 else 0", "return 1 if total > 0 else 0")],
        ["test_perceptron_step_rule", "test_perceptron_definition_exact"],
    ),
    (
        "XOR written as the lecture's XNOR",
        [("return AND(NAND(x1, x2), OR(x1, x2))", "return NAND(NAND(x1, x2), OR(x1, x2))")],
        ["test_xor_truth_table"],
    ),
    (
        "XOR not built from gates",
        [("return AND(NAND(x1, x2), OR(x1, x2))", "return int(_bit(x1) != _bit(x2))")],
        ["test_xor_is_two_layers_of_gates"],
    ),
    (
        "gate inputs not validated",
        [('    raise ValueError(f"gate inputs must be 0 or 1, got {value!r}")', "    return value")],
        ["test_gate_input_validation"],
    ),
    (
        "gates return a bool",
        [("return 1 if total >= 0 else 0", "return total >= 0")],
        ["test_perceptron_step_rule", "test_truth_table", "test_xor_truth_table"],
    ),
    (
        "length mismatch not detected",
        [("    if len(x) != len(w):\n", "    if False:\n")],
        ["test_perceptron_length_mismatch"],
    ),
    (
        "AND weights that compute OR",
        [("AND_WEIGHTS = (0.5, 0.5, -0.7)", "AND_WEIGHTS = (0.6, 0.6, -0.5)")],
        ["test_weights_compute_gate[AND]", "test_truth_table[AND]"],
    ),
    (
        "training stops after 3 epochs",
        [("for _ in range(epochs):", "for _ in range(min(epochs, 3)):")],
        ["test_train_perceptron_separates"],
    ),
    (
        "seed ignored",
        [("    torch.manual_seed(seed)\n", "")],
        ["test_train_perceptron_reproducible"],
    ),
    (
        "training returns tensors",
        [
            (
                "return linear.weight.detach().reshape(-1).tolist(), linear.bias.item()",
                "return linear.weight.detach().reshape(-1), linear.bias.detach()",
            )
        ],
        ["test_train_perceptron_learns_or", "test_train_perceptron_separates", "test_train_perceptron_reproducible"],
    ),
]


# Some of them also handed in as notebooks: conversion does not depend on the mistake (its rules:
# tests/test_notebook.py; every reference graded as a notebook: tests/test_handed_in.py).
NOTEBOOK_NAMES = spread([w[0] for w in WRONG])
# Graded once more with the portable launcher forced (what Windows and macOS get): a known-wrong
# solution and a correct one.
PORTABLE_NAMES = ["XOR written as the lecture's XNOR", "alternative_numpy"]


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, AssignmentResult]:
    """Every known-wrong and alternative solution, graded with public and hidden checks."""
    solutions: dict[str, Solution] = {name: {"gates.py": variant(REFERENCE, r)} for name, r, _ in WRONG}
    for path in sorted(ALTERNATIVES.glob("alternative_*.py")):
        solutions[path.stem] = {"gates.py": path}
    solutions["example 01-perfect"] = {"gates.py": REPO / "examples" / "submissions" / "01-perfect" / "gates.py"}
    solutions = with_notebooks(solutions, "gates.py", NOTEBOOK_NAMES, WORK[1])
    return grade_solutions(1, solutions, tmp_path_factory.mktemp("a1"), portable=PORTABLE_NAMES)


@pytest.mark.parametrize(("name", "replacements", "targets"), WRONG, ids=[w[0] for w in WRONG])
def test_known_wrong_solution_loses_points_on_its_check(graded, name, replacements, targets):
    assert_loses_points_on(graded[name], targets, name)


@pytest.mark.parametrize("name", NOTEBOOK_NAMES)
def test_known_wrong_solution_handed_in_as_a_notebook_loses_the_same_points(graded, name):
    assert_same_verdicts(graded[name], graded[name + NOTEBOOK], name)


@pytest.mark.parametrize("name", ["alternative_numpy", "alternative_chain", "example 01-perfect"])
def test_alternative_correct_solution_keeps_full_marks(graded, name):
    assert_full_marks(graded[name], name)


def test_feedback_names_the_mistake(graded):
    xnor = {t.id.split("::")[1]: t for t in graded["XOR written as the lecture's XNOR"].tests}
    assert xnor["test_xor_truth_table"].feedback == "XOR(0, 0) returned 1, expected 0"
    bools = {t.id.split("::")[1]: t for t in graded["gates return a bool"].tests}
    assert "returned True (a bool); expected the int 1" in bools["test_perceptron_step_rule"].feedback


@pytest.mark.parametrize("name", PORTABLE_NAMES)
def test_the_portable_launcher_gives_the_same_verdicts(graded, name):
    assert_same_verdicts(graded[name], graded[name + PORTABLE], name)
