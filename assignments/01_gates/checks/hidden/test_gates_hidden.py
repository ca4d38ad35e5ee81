"""Hidden checks of assignment 1: run at grading time only, never shipped to students."""

import ast
import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from grader.checklib import (
    assigned_values,
    call_name,
    calls,
    expect_float,
    expect_floats,
    expect_int,
    expect_raises,
    fed_by_call,
    find_function,
    say,
    title,
)

INPUTS = [(0, 0), (0, 1), (1, 0), (1, 1)]
TRUTH = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}
GATES = {"AND", "OR", "NAND"}

# Multiples of 1/4 in [-10, 10]: every product and sum is exact in floating point, so any
# order of summation gives the same answer and a sum of exactly 0 comes up often.
quarters = st.integers(-40, 40).map(lambda k: k / 4)


def step(x, w, b):
    return 1 if math.fsum(xi * wi for xi, wi in zip(x, w)) + b >= 0 else 0


@st.composite
def same_length(draw, values):
    n = draw(st.integers(1, 5))
    return draw(st.lists(values, min_size=n, max_size=n)), draw(st.lists(values, min_size=n, max_size=n))


@pytest.mark.points(2)
@title(ko="perceptron이 경계를 포함한 여러 입력에서 정의와 일치한다")
@settings(max_examples=150)
@given(xw=same_length(quarters), b=quarters)
def test_perceptron_definition_exact(submission, xw, b):
    """perceptron matches the definition on many inputs, boundary included"""
    x, w = xw
    expect_int(
        submission.perceptron(x, w, b),
        step(x, w, b),
        say("perceptron(x, w, b) on a hidden input", "숨겨진 입력에 대한 perceptron(x, w, b)"),
    )


@pytest.mark.points(1)
@title(ko="perceptron이 임의의 실수 입력에서 정의와 일치한다")
@settings(max_examples=100)
@given(xw=same_length(st.floats(-1e3, 1e3)), b=st.floats(-1e3, 1e3))
def test_perceptron_definition_reals(submission, xw, b):
    """perceptron matches the definition on arbitrary real inputs"""
    x, w = xw
    total = math.fsum(xi * wi for xi, wi in zip(x, w)) + b
    scale = math.fsum(abs(xi * wi) for xi, wi in zip(x, w)) + abs(b) + 1.0
    assume(abs(total) > 1e-9 * scale)  # away from rounding noise at the boundary
    expect_int(
        submission.perceptron(x, w, b),
        step(x, w, b),
        say("perceptron(x, w, b) on real-valued inputs", "실수 입력에 대한 perceptron(x, w, b)"),
    )


@pytest.mark.points(1)
@title(ko="x와 w의 길이가 다르면 perceptron이 ValueError를 발생시킨다")
@settings(max_examples=30)
@given(x=st.lists(quarters, min_size=0, max_size=6), w=st.lists(quarters, min_size=0, max_size=6))
def test_perceptron_length_mismatch(submission, x, w):
    """perceptron raises ValueError when x and w differ in length"""
    assume(len(x) != len(w))
    expect_raises(
        ValueError,
        submission.perceptron,
        x,
        w,
        0.0,
        call=say(
            f"perceptron(x of length {len(x)}, w of length {len(w)}, b)",
            f"perceptron(길이 {len(x)}인 x, 길이 {len(w)}인 w, b)",
        ),
    )


@pytest.mark.points(1)
@title(ko="각 게이트 함수가 자신의 가중치 세 개로 만든 퍼셉트론이다")
def test_gates_use_their_weights(submission):
    """each gate function is the perceptron with its own weight triple"""
    for gate in sorted(GATES):
        w1, w2, b = expect_floats(getattr(submission, f"{gate}_WEIGHTS"), 3, f"{gate}_WEIGHTS")
        function = getattr(submission, gate)
        for x1, x2 in INPUTS:
            want = step((x1, x2), (w1, w2), b)
            got = function(x1, x2)
            assert got == want, say(
                f"{gate}({x1}, {x2}) returned {got!r} but {gate}_WEIGHTS gives {want}; "
                f"compute {gate} with perceptron and {gate}_WEIGHTS",
                f"{gate}({x1}, {x2})의 반환값은 {got!r}인데 {gate}_WEIGHTS로 계산하면 {want}입니다. "
                f"{gate}는 perceptron과 {gate}_WEIGHTS를 사용해 계산하세요",
            )


@pytest.mark.points(0.5)
@pytest.mark.parametrize("gate", ["AND", "OR", "NAND", "XOR"])
@title(ko="게이트 입력은 0 또는 1이어야 하고(True, False 허용), 그 밖의 값이면 ValueError가 발생한다")
def test_gate_input_validation(submission, gate):
    """gate inputs must be 0 or 1 (True and False allowed); anything else raises ValueError"""
    function = getattr(submission, gate)
    for bad in (2, -1, 0.5, "1", None):
        for args in ((bad, 1), (0, bad)):
            expect_raises(
                ValueError,
                function,
                *args,
                call=f"{gate}{args!r}",
                why=say(" (inputs must be 0 or 1)", " (입력은 0 또는 1이어야 합니다)"),
            )
    for (x1, x2), want in zip(INPUTS, TRUTH[gate]):
        expect_int(function(bool(x1), bool(x2)), want, f"{gate}({bool(x1)}, {bool(x2)})")


@pytest.mark.points(2)
@title(ko="XOR이 게이트 함수로 만든 2층 네트워크이다")
def test_xor_is_two_layers_of_gates(student_files):
    """XOR is a two-layer network of the gate functions"""
    tree = student_files.tree("gates.py")
    xor = find_function(tree, "XOR")
    assert xor is not None, say(
        "define XOR with `def XOR(x1, x2):` at the top level of gates.py",
        "gates.py의 최상위에 `def XOR(x1, x2):`로 XOR을 정의하세요",
    )
    gate_calls = calls(xor, GATES)
    called = sorted({call_name(c) for c in calls(xor)} - {None}) or say("none of them", "없음")
    assert len(gate_calls) >= 2, say(
        f"XOR must call the gate functions AND, OR or NAND (at least two of them, in two layers); it calls {called}",
        f"XOR은 게이트 함수 AND, OR, NAND를 두 층에 걸쳐 두 번 이상 호출해야 합니다. 지금 호출하는 함수: {called}",
    )
    values = assigned_values(xor)
    layered = any(fed_by_call(arg, GATES, values) for call in gate_calls for arg in call.args)
    assert layered, say(
        "XOR calls the gates side by side but never feeds one gate's output into another: "
        "a two-layer network passes the first layer's outputs to the second layer's gate",
        "XOR이 게이트들을 나란히 호출하기만 하고, 한 게이트의 출력을 다른 게이트의 입력으로 넘기지 않습니다. "
        "2층 네트워크에서는 첫 번째 층의 출력이 두 번째 층 게이트의 입력이 됩니다",
    )
    returns = [node.value for node in ast.walk(xor) if isinstance(node, ast.Return)]
    assert returns and all(_is_gate_output(value, values) for value in returns), say(
        "XOR must return the output of its last gate, with nothing computed around it",
        "XOR은 마지막 게이트의 출력을 그대로 반환해야 합니다. 그 출력에 다른 계산을 덧붙이지 마세요",
    )


def _is_gate_output(value, values):
    """A gate call, or a local name that only ever holds a gate call."""
    if value is None:
        return False
    if call_name(value) in GATES:
        return True
    return isinstance(value, ast.Name) and all(call_name(v) in GATES for v in values.get(value.id, [None]))


SEPARATION_MARGIN = 0.25
# Calibration (2026-11-22, torch 2.14.1, CPU): the reference, which is lecture program 5-6
# (Linear(2, 1) + tanh, MSE, SGD lr 0.1, 500 epochs), trained with seeds 0-99 on each gate
# classifies every point with a margin t * (w.x + b) of at least 1.022 (AND, seed 3; OR 1.131,
# NAND 1.027). 0.25 leaves a factor of 4; a perceptron trained for only a few epochs stays
# below it (tests/test_assignment1.py: "training stops after 3 epochs").
TARGETS = {"AND": [-1.0, -1.0, -1.0, 1.0], "OR": [-1.0, 1.0, 1.0, 1.0], "NAND": [1.0, 1.0, 1.0, -1.0]}


def _trained(submission, gate, seed):
    result = submission.train_perceptron([list(p) for p in INPUTS], TARGETS[gate], seed=seed)
    assert type(result) in (list, tuple) and len(result) == 2, say(
        f"train_perceptron must return (weights, bias), got {result!r}",
        f"train_perceptron은 (가중치, 편향) 쌍을 반환해야 하는데, 반환값이 {result!r}입니다",
    )
    weights = expect_floats(result[0], 2, say("the returned weights", "반환된 가중치"))
    bias = expect_float(result[1], say("the returned bias", "반환된 편향"))
    return weights, bias


@pytest.mark.points(1)
@pytest.mark.parametrize("gate", ["AND", "OR", "NAND"])
@title(ko="train_perceptron이 여러 seed에서 게이트를 학습한다")
def test_train_perceptron_separates(submission, gate):
    """train_perceptron learns the gate for several seeds"""
    for seed in (1, 2, 3):
        (w1, w2), b = _trained(submission, gate, seed)
        for (x1, x2), t in zip(INPUTS, TARGETS[gate]):
            margin = t * (w1 * x1 + w2 * x2 + b)
            assert margin >= SEPARATION_MARGIN, say(
                f"trained on {gate} with seed {seed}, the perceptron gives w·x + b = {w1 * x1 + w2 * x2 + b:.3f} "
                f"for inputs ({x1}, {x2}) with target {t:+.0f}: it must be on the target's side "
                f"by at least {SEPARATION_MARGIN}. Train with tanh, mean squared error and SGD for all epochs.",
                f"seed {seed}로 {gate}를 학습한 퍼셉트론이 입력 ({x1}, {x2})(목표값 {t:+.0f})에서 "
                f"w·x + b = {w1 * x1 + w2 * x2 + b:.3f}을(를) 냅니다. 이 값은 목표값 쪽으로 {SEPARATION_MARGIN} 이상 "
                "떨어져 있어야 합니다. tanh, 평균 제곱 오차, SGD로 모든 에포크를 빠짐없이 학습하세요.",
            )


@pytest.mark.points(1)
@title(ko="train_perceptron이 일반 float를 반환하고, 같은 seed면 같은 결과를 낸다")
def test_train_perceptron_reproducible(submission):
    """train_perceptron returns plain floats and the same result for the same seed"""
    first = _trained(submission, "OR", 7)
    second = _trained(submission, "OR", 7)
    assert first == second, say(
        f"two runs with seed 7 gave {first} and {second}; seed torch's generator with torch.manual_seed(seed)",
        f"seed 7로 두 번 실행했더니 {first}와(과) {second}로 결과가 달랐습니다. "
        "torch.manual_seed(seed)로 torch의 난수 생성기 시드를 설정하세요",
    )
    other = _trained(submission, "OR", 8)
    assert other != first, say(
        "seeds 7 and 8 gave identical weights: the seed argument must be used",
        "seed 7과 8로 학습한 가중치가 똑같습니다. seed 인자를 실제로 사용해야 합니다",
    )
