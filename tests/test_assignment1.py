"""Assignment 1 against its reference, its skeleton, known-wrong and alternative solutions.

Every reference passes every check; the skeleton scores zero on every graded check; each
known-wrong solution loses points on the check aimed at its mistake; each alternative correct
solution keeps full marks. The solutions are graded in parallel, two judges at a time.
"""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.course import Course
from grader.results import AssignmentResult
from grader.runner import JudgeRunner
from tests.conftest import REPO

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


def _variant(source: str, replacements: list[tuple[str, str]]) -> str:
    for old, new in replacements:
        assert old in source, f"the reference no longer contains {old!r}: update this variant"
        source = source.replace(old, new)
    return source


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, AssignmentResult]:
    """Every solution of interest, graded with public and hidden checks."""
    root = tmp_path_factory.mktemp("a1")
    folders: dict[str, Path] = {}

    def place(name: str, source: str) -> None:
        folder = root / name.replace(" ", "_").replace(":", "").replace("'", "")
        folder.mkdir()
        (folder / "gates.py").write_text(source, encoding="utf-8")
        folders[name] = folder

    place("reference", REFERENCE)
    place("skeleton", (REPO / "student_template" / "gates.py").read_text(encoding="utf-8"))
    for name, replacements, _ in WRONG:
        place(name, _variant(REFERENCE, replacements))
    for path in sorted(ALTERNATIVES.glob("alternative_*.py")):
        place(path.stem, path.read_text(encoding="utf-8"))
    example = REPO / "examples" / "submissions" / "01-perfect"
    folders["example 01-perfect"] = root / "example"
    shutil.copytree(example, folders["example 01-perfect"])

    assignment = Course.load(REPO).get(1)
    runner = JudgeRunner(threads=1)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(runner.run, assignment, folder, scope="all") for name, folder in folders.items()}
        return {name: future.result() for name, future in futures.items()}


def failed_ids(result: AssignmentResult) -> set[str]:
    return {t.id.split("::", 1)[1] for t in result.tests if t.status != "passed"}


def test_reference_scores_full_marks(graded):
    result = graded["reference"]
    assert result.status == "graded", result.message
    assert failed_ids(result) == set(), [t.feedback for t in result.tests if not t.passed]
    assert result.score == result.max_score == 25


def test_skeleton_imports_and_scores_zero_on_every_graded_check(graded):
    result = graded["skeleton"]
    assert result.status == "graded", result.message
    graded_checks = [t for t in result.tests if t.max_score > 0]
    assert graded_checks and all(t.status == "failed" for t in graded_checks)
    assert result.score == 0
    assert not any("importing" in t.feedback for t in result.tests)


@pytest.mark.parametrize(("name", "replacements", "targets"), WRONG, ids=[w[0] for w in WRONG])
def test_known_wrong_solution_loses_points_on_its_check(graded, name, replacements, targets):
    result = graded[name]
    assert result.status == "graded", result.message
    failed = failed_ids(result)
    for target in targets:
        assert any(f == target or f.startswith(target + "[") for f in failed), (
            f"{name}: expected {target} to fail; failed: {sorted(failed)}"
        )
    assert result.score < result.max_score


@pytest.mark.parametrize("name", ["alternative_numpy", "example 01-perfect"])
def test_alternative_correct_solution_keeps_full_marks(graded, name):
    result = graded[name]
    assert result.status == "graded", result.message
    assert result.score == result.max_score, [(t.name, t.feedback) for t in result.tests if not t.passed]


def test_feedback_names_the_mistake(graded):
    xnor = {t.id.split("::")[1]: t for t in graded["XOR written as the lecture's XNOR"].tests}
    assert xnor["test_xor_truth_table"].feedback == "XOR(0, 0) returned 1, expected 0"
    bools = {t.id.split("::")[1]: t for t in graded["gates return a bool"].tests}
    assert "returned True (a bool); expected the int 1" in bools["test_perceptron_step_rule"].feedback
