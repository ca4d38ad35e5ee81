"""The judge's side of assignment 4: its trusted copy of the prescribed architecture, the points
it evaluates on, the errors it measures and the charts it draws.

Public (students receive it with the public checks): nothing here is secret. Every verdict on a
trained model is computed with these functions, in the judge, on the student's weights loaded
into `MinMaxModel` below; the student's own class is only asked to agree with it.
"""

from __future__ import annotations

import numpy as np
import torch

from grader.checklib import Remote, describe, expect_float, load_into, say, trusted_checkpoint
from grader.plots import Series, heatmap, line_chart

CHECKPOINT = "minmax_model.pt"
LOW, HIGH = 0.0, 100.0  # x1 and x2 are uniform in [0, 100], as in the lecture
HEADS = ("max", "min")

# Short training runs: the checks call train(steps=SHORT_STEPS, seed=...) with batches of 100 and
# Adam lr 0.001, then measure each head's mean absolute error on mae_points(); it must be at most
# SHORT_MAE. An untrained model is off by about 67 (max) and 34 (min).
SHORT_STEPS = 100
SHORT_MAE = {"max": 2.0, "min": 2.0}
# Calibration (2026-11-22, torch 2.14.1 CPU; reference/04_minmax/calibrate.py short 0-99): the
# reference (the lecture's recipe: batches of 100, Adam lr 0.001) run for 100 steps with seeds 0-99
# is off by 0.252-0.796 (max head, worst seed 98) and 0.240-0.842 (min head, worst seed 45) on
# mae_points(); 2.0 leaves a factor of 2.5 and 2.4. Untrained: 65.3-69.3 (max) and 31.7-35.7 (min).


class MinMaxModel(torch.nn.Module):
    """Lecture exercise 3, exactly: trunk `layer`, heads `max_layer` and `min_layer`."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Sequential(
            torch.nn.Linear(2, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 256),
            torch.nn.ReLU(),
        )
        self.max_layer = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1))
        self.min_layer = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1))

    def forward(self, x):
        out = self.layer(x)
        return self.max_layer(out), self.min_layer(out)


def expected_shapes() -> dict[str, tuple[int, ...]]:
    """State-dict key -> shape of the prescribed architecture, in order."""
    return {k: tuple(v.shape) for k, v in MinMaxModel().state_dict().items()}


def trusted(state: dict[str, torch.Tensor], what: str) -> MinMaxModel:
    """The judge's own MinMaxModel holding the student's weights (eval mode)."""
    return load_into(MinMaxModel(), state, what)


def trusted_from_checkpoint(path) -> MinMaxModel:
    """The checkpoint at `path`, read with weights_only=True and loaded into the trusted copy."""
    return trusted_checkpoint(path, MinMaxModel(), CHECKPOINT)


# --- points ---------------------------------------------------------------------------------


def random_points(n: int, seed: int) -> torch.Tensor:
    """`n` pairs (x1, x2) uniform in [0, 100]^2, float32, shape (n, 2); the same for the same seed."""
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.uniform(LOW, HIGH, size=(n, 2)).astype(np.float32))


def mae_points() -> torch.Tensor:
    """The 2,000 random pairs on which mean absolute errors are measured (the same every run)."""
    return random_points(2000, seed=2026)


def grid_points(cells: int) -> torch.Tensor:
    """Centres of a cells x cells grid over [0, 100]^2, row by row (x2), x1 varying fastest."""
    step = (HIGH - LOW) / cells
    centres = LOW + step * (np.arange(cells) + 0.5)
    x1, x2 = np.meshgrid(centres, centres)  # x1 varies along a row
    return torch.from_numpy(np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32))


def dense_grid(per_side: int = 201) -> torch.Tensor:
    """per_side x per_side points including the edges and the diagonal (for calibration)."""
    values = np.linspace(LOW, HIGH, per_side)
    x1, x2 = np.meshgrid(values, values)
    return torch.from_numpy(np.stack([x1.ravel(), x2.ravel()], axis=1).astype(np.float32))


# --- measurements ---------------------------------------------------------------------------


def truth(x: torch.Tensor) -> dict[str, np.ndarray]:
    """The true max and min of each row of x, in float64."""
    pairs = x.detach().double().numpy()
    return {"max": pairs.max(axis=1), "min": pairs.min(axis=1)}


def predict(model: torch.nn.Module, x: torch.Tensor) -> dict[str, np.ndarray]:
    """The trusted model's two heads on x, as float64 arrays of shape (N,)."""
    with torch.no_grad():
        pred_max, pred_min = model(x)
    return {"max": pred_max.double().numpy().reshape(-1), "min": pred_min.double().numpy().reshape(-1)}


def abs_errors(model: torch.nn.Module, x: torch.Tensor) -> dict[str, np.ndarray]:
    """|prediction - truth| of each head at every row of x."""
    want, got = truth(x), predict(model, x)
    return {head: np.abs(got[head] - want[head]) for head in HEADS}


def mean_abs_errors(model: torch.nn.Module, x: torch.Tensor) -> dict[str, float]:
    """Mean absolute error of each head on the rows of x."""
    return {head: float(errors.mean()) for head, errors in abs_errors(model, x).items()}


def cost_formula(x: np.ndarray, pred_max: np.ndarray, pred_min: np.ndarray) -> float:
    """The lecture's cost in float64: sum((max - pred_max)^2) + sum((min - pred_min)^2)."""
    x, pred_max, pred_min = (np.asarray(a, dtype=np.float64) for a in (x, pred_max, pred_min))
    true_max, true_min = x.max(axis=1, keepdims=True), x.min(axis=1, keepdims=True)
    return float(((true_max - pred_max) ** 2).sum() + ((true_min - pred_min) ** 2).sum())


# --- charts ---------------------------------------------------------------------------------

MAP_CELLS = 30


def error_map(model: torch.nn.Module, head: str, title: str) -> str:
    """Heat map of |prediction - truth| of one head over [0, 100]^2 (30 x 30 cell centres)."""
    errors = abs_errors(model, grid_points(MAP_CELLS))[head].reshape(MAP_CELLS, MAP_CELLS)
    return heatmap(
        errors.tolist(),
        title=title,
        x_range=(LOW, HIGH),
        y_range=(LOW, HIGH),
        x_label="x1",
        y_label="x2",
        value_label=say(f"|predicted {head} - true {head}|", f"|예측한 {head} - 실제 {head}|"),
    )


def cost_curve(costs: list[float], title: str) -> str:
    """The cost of every training step, on a log scale."""
    steps = list(range(1, len(costs) + 1))
    return line_chart(
        [Series(steps, costs, say("cost of the batch", "배치의 손실"))],
        title=title,
        x_label=say("training step", "학습 단계"),
        y_label=say("cost (log scale)", "손실 (로그 스케일)"),
        log_y=True,
    )


# --- the student's side, seen from the judge ------------------------------------------------


def run_train(submission, *, steps: int, seed: int, batch_size: int = 100):
    """Call the student's train in the worker; return (the model as a Remote, the costs as floats)."""
    call = f"train(steps={steps}, batch_size={batch_size}, seed={seed})"
    result = submission.train(steps=steps, batch_size=batch_size, lr=1e-3, seed=seed)
    assert type(result) is tuple and len(result) == 2, say(
        f"{call} must return (model, costs), got {describe(result)}",
        f"{call}은(는) (모델, 손실 목록)을 반환해야 합니다. 반환값: {describe(result)}",
    )
    model, costs = result
    assert isinstance(model, Remote), say(
        f"{call} must return the trained MinMaxModel first, got {describe(model)}",
        f"{call}이(가) 반환하는 첫 번째 값은 학습한 MinMaxModel이어야 합니다. 받은 값: {describe(model)}",
    )
    assert type(costs) is list and len(costs) == steps, say(
        f"{call} must return the list of the {steps} costs of every step second, got {describe(costs)}",
        f"{call}이(가) 반환하는 두 번째 값은 매 단계의 손실 {steps}개를 담은 리스트여야 합니다. 받은 값: "
        f"{describe(costs)}",
    )
    return model, [expect_float(c, say(f"costs[{i}] of {call}", f"{call}의 costs[{i}]")) for i, c in enumerate(costs)]


def load_student_model(submission):
    """The student's load_model("minmax_model.pt"), a model that stays in the worker."""
    model = submission.load_model(CHECKPOINT)
    assert isinstance(model, Remote) and model.is_callable, say(
        f'load_model("{CHECKPOINT}") must return the MinMaxModel holding the saved weights, got {describe(model)}',
        f'load_model("{CHECKPOINT}")은(는) 저장된 가중치를 담은 MinMaxModel을 반환해야 합니다. '
        f"받은 값: {describe(model)}",
    )
    return model


def forward_outputs(out, n: int, call: str) -> dict[str, np.ndarray]:
    """The student's forward output as {"max": (n,), "min": (n,)}, or a failure saying what is wrong."""
    assert type(out) is tuple and len(out) == 2, say(
        f"{call} must return a tuple (max, min) of two tensors, got {describe(out)}",
        f"{call}은(는) 텐서 두 개로 된 튜플 (max, min)을 반환해야 합니다. 반환값: {describe(out)}",
    )
    for name, value in zip(HEADS, out):
        got = (
            say(f"shape {tuple(value.shape)}", f"모양 {tuple(value.shape)}")
            if type(value) is torch.Tensor
            else describe(value)
        )
        assert type(value) is torch.Tensor and tuple(value.shape) == (n, 1), say(
            f"the {name} returned by {call} must be a tensor of shape ({n}, 1), got {got}",
            f"{call}이(가) 반환한 {name} 값은 모양이 ({n}, 1)인 텐서여야 합니다. 받은 값: {got}",
        )
    return {name: value.double().numpy().reshape(-1) for name, value in zip(HEADS, out)}


def forward_agrees(got: dict[str, np.ndarray], want: dict[str, np.ndarray], x: torch.Tensor, call: str) -> None:
    """The student's forward must give what the trusted copy gives with the same weights."""
    close = {h: np.allclose(got[h], want[h], rtol=FORWARD_RTOL, atol=FORWARD_ATOL) for h in HEADS}
    if all(close.values()):
        return
    swapped = np.allclose(got["max"], want["min"], rtol=FORWARD_RTOL, atol=FORWARD_ATOL) and np.allclose(
        got["min"], want["max"], rtol=FORWARD_RTOL, atol=FORWARD_ATOL
    )
    assert not swapped, say(
        f"{call} returns (min, max): its first output is what min_layer computes and its second what "
        "max_layer computes. forward must return (max, min), in that order",
        f"{call}이(가) (min, max)를 반환합니다. 첫 번째 출력은 min_layer가, 두 번째 출력은 max_layer가 "
        "계산한 값입니다. forward는 (max, min)을 이 순서대로 반환해야 합니다",
    )
    head = next(h for h in HEADS if not close[h])
    row = int(np.argmax(np.abs(got[head] - want[head])))
    x1, x2 = (float(v) for v in x[row])
    raise AssertionError(
        say(
            f"at (x1, x2) = ({x1:.4g}, {x2:.4g}) the {head} returned by {call} is {got[head][row]:.6g}, but the "
            f"prescribed architecture with the same weights gives {want[head][row]:.6g}. forward must be "
            "out = self.layer(x); return self.max_layer(out), self.min_layer(out), with every layer of the statement",
            f"(x1, x2) = ({x1:.4g}, {x2:.4g})에서 {call}이(가) 반환한 {head} 값은 {got[head][row]:.6g}인데, 같은 "
            f"가중치로 정해진 구조를 계산하면 {want[head][row]:.6g}입니다. forward는 out = self.layer(x); return "
            "self.max_layer(out), self.min_layer(out)이어야 하고, 문제에 나온 층을 모두 써야 합니다",
        )
    )


# float32 forward passes of the same weights agree to rounding (about 1e-5 on outputs up to 100);
# the tolerance only absorbs a different summation order, never a different computation.
FORWARD_RTOL, FORWARD_ATOL = 1e-4, 1e-3
