"""Public checks of assignment 1: students run these with `grader check 1`."""

import pytest

from grader.checklib import expect_floats, expect_int, say, title

INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]
TRUTH = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}


def step(x, w, b):
    """The course's perceptron, computed in the judge."""
    return 1 if sum(xi * wi for xi, wi in zip(x, w)) + b >= 0 else 0


@pytest.mark.points(2)
def test_perceptron_step_rule(submission):
    """perceptron follows the step rule, a sum of exactly 0 included"""
    cases = [
        ([1, 1], [0.5, 0.5], -0.7, 1),
        ([1, 0], [0.5, 0.5], -0.7, 0),
        ([0, 0], [0.5, 0.5], -0.7, 0),
        ([1, 1], [1.0, 1.0], -2.0, 1),  # sum is exactly 0: the step rule gives 1
        ([0, 0], [0.6, 0.6], 0.0, 1),  # sum is exactly 0 again
        ([2, -3, 1], [1.5, 0.5, -1.0], 0.25, 1),
        ([2, -3, 1], [1.5, 0.5, -1.0], -0.75, 0),
    ]
    for x, w, b, want in cases:
        expect_int(submission.perceptron(x, w, b), want, f"perceptron({x}, {w}, {b})")


@pytest.mark.points(1)
@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
@title(ko="가중치 세 개로 만든 퍼셉트론이 해당 게이트를 계산한다")
def test_weights_compute_gate(submission, gate):
    """the weight triple computes its gate under the step rule"""
    weights = getattr(submission, f"{gate}_WEIGHTS")
    triple = expect_floats(weights, 3, f"{gate}_WEIGHTS")
    w1, w2, b = triple
    for (x1, x2), want in zip(INPUTS, TRUTH[gate]):
        got = step((x1, x2), (w1, w2), b)
        assert got == want, say(
            f"{gate}_WEIGHTS = {tuple(triple)} gives {got} for inputs ({x1}, {x2}); {gate} must give {want}",
            f"{gate}_WEIGHTS = {tuple(triple)}는 입력 ({x1}, {x2})에 대해 {got}을(를) 냅니다. "
            f"{gate}는 {want}이어야 합니다.",
        )


@pytest.mark.points(1)
@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
def test_truth_table(submission, gate):
    """the gate function has the right truth table"""
    function = getattr(submission, gate)
    for (x1, x2), want in zip(INPUTS, TRUTH[gate]):
        expect_int(function(x1, x2), want, f"{gate}({x1}, {x2})")


@pytest.mark.points(2)
def test_xor_truth_table(submission):
    """XOR has the right truth table (1 exactly when the inputs differ)"""
    for (x1, x2), want in zip(INPUTS, TRUTH["XOR"]):
        expect_int(submission.XOR(x1, x2), want, f"XOR({x1}, {x2})")


@pytest.mark.points(2)
def test_train_perceptron_learns_or(submission):
    """train_perceptron learns OR (seed 0)"""
    targets = [-1.0, 1.0, 1.0, 1.0]
    result = submission.train_perceptron([list(p) for p in INPUTS], targets, seed=0)
    assert type(result) in (list, tuple) and len(result) == 2, (
        f"train_perceptron must return (weights, bias), got {result!r}"
    )
    (w1, w2), b = expect_floats(result[0], 2, "the weights"), expect_floats([result[1]], 1, "the bias")[0]
    for (x1, x2), t in zip(INPUTS, targets):
        s = w1 * x1 + w2 * x2 + b
        assert (s > 0) == (t > 0), (
            f"after training on OR, w·x + b = {s:.3f} for inputs ({x1}, {x2}); "
            f"its sign must be that of the target {t:+.0f}"
        )
