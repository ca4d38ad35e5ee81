"""The judge's side of assignment 3: the trusted architecture, the evaluation grids, error
measures and charts. Students receive this file with the public checks; nothing in it is secret.

Every verdict on a model is computed here, in the judge: the student's weights (a submitted
checkpoint read with weights_only=True, or a state dict pulled from the worker) are loaded into
the trusted copy of the prescribed architecture and evaluated on inputs the judge chooses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from grader.checklib import SAVE_HINT, Remote, describe, expect_floats, load_into, say, trusted_checkpoint
from grader.plots import Series, line_chart

GRID_POINTS = 401  # the public error grid: every 0.5 on [-100, 100], every 0.05 on [-10, 10]
DENSE_POINTS = 2001  # the hidden worst-point grid
EXPECTATION_POINTS = 20001  # integrates over the uniform distribution of the training samples


def trusted_layers() -> torch.nn.Sequential:
    """Linear(1, 256) -> ReLU -> Linear(256, 256) -> ReLU -> Linear(256, 1), as prescribed."""
    return torch.nn.Sequential(
        torch.nn.Linear(1, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 1),
    )


class TrustedSinModel(torch.nn.Module):
    """The class of exercise 2: the layers live in `self.layer` (keys layer.0.weight ...)."""

    def __init__(self) -> None:
        super().__init__()
        self.layer = trusted_layers()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layer(x)


@dataclass(frozen=True)
class Task:
    """One of the two exercises: what is fitted, on which interval, and the student's names."""

    name: str  # "square" or "sin": the parameter id of the checks
    label: str  # how the function is written in feedback and charts
    low: float
    high: float
    checkpoint: str  # the submitted file
    make: str  # the student's constructor: make_square_model or SinModel
    loader: str  # load_square_model or load_sin_model
    trainer: str  # train_square or train_sin

    def target(self, x: torch.Tensor) -> torch.Tensor:
        return x**2 if self.name == "square" else torch.sin(x)

    def trusted(self) -> torch.nn.Module:
        return trusted_layers() if self.name == "square" else TrustedSinModel()

    def grid(self, points: int = GRID_POINTS, part: tuple[float, float] | None = None) -> torch.Tensor:
        """Evenly spaced inputs over the training interval (or `part` of it), endpoints included,
        shape (points, 1)."""
        low, high = part if part is not None else (self.low, self.high)
        return torch.linspace(low, high, points, dtype=torch.float32).reshape(-1, 1)

    @property
    def interval(self) -> str:
        return f"[{self.low:g}, {self.high:g}]"


# After a few hundred steps the sin(x) network has learned the middle of [-10, 10]; the outer
# waves take thousands of steps. The short-run check of train_sin measures this middle part.
SIN_SHORT_RUN_PART = (-4.0, 4.0)

SQUARE = Task(
    name="square",
    label="x²",
    low=-100.0,
    high=100.0,
    checkpoint="square_model.pt",
    make="make_square_model",
    loader="load_square_model",
    trainer="train_square",
)
SIN = Task(
    name="sin",
    label="sin(x)",
    low=-10.0,
    high=10.0,
    checkpoint="sin_model.pt",
    make="SinModel",
    loader="load_sin_model",
    trainer="train_sin",
)
TASKS = {"square": SQUARE, "sin": SIN}


# --- models in the judge -----------------------------------------------------------------------


def submitted_model(student_files, task: Task) -> torch.nn.Module:
    """The submitted checkpoint, read with weights_only=True, in the trusted architecture."""
    try:
        path = student_files.path(task.checkpoint)
    except KeyError:  # not submitted (or over the size limit): the worker never got it either
        raise AssertionError(
            say(
                f"{task.checkpoint} is missing from your work folder: train your model and {SAVE_HINT}",
                f"작업 폴더에 {task.checkpoint} 파일이 없습니다. 모델을 학습시킨 뒤 {SAVE_HINT}",
            )
        ) from None
    return trusted_checkpoint(path, task.trusted(), task.checkpoint)


def load_trusted(task: Task, state: dict, what: str) -> torch.nn.Module:
    """The trusted architecture holding the student's weights (key or shape mismatches explained)."""
    return load_into(task.trusted(), state, what)


def expect_model(value, call: str) -> Remote:
    """What the student returned must be a model (it stays in the worker as a handle)."""
    if not isinstance(value, Remote) or not value.is_callable:
        raise AssertionError(
            say(
                f"{call} must give a torch.nn.Module, got {describe(value)}",
                f"{call}: torch.nn.Module을 돌려주어야 합니다. 받은 값: {describe(value)}",
            )
        )
    return value


def student_outputs(model: Remote, x: torch.Tensor, call: str) -> torch.Tensor:
    """The student's model applied to x (shape (N, 1)) in the worker; must be a tensor."""
    got = model(x)
    if type(got) is not torch.Tensor:
        raise AssertionError(
            say(
                f"{call} on a tensor of shape {tuple(x.shape)} must return a tensor, got {describe(got)}",
                f"{call}: 모양이 {tuple(x.shape)}인 텐서를 넣으면 텐서를 반환해야 합니다. 반환값: {describe(got)}",
            )
        )
    return got


def train_and_load(submission, task: Task, steps: int, **kwargs) -> tuple[Remote, torch.nn.Module, list[float]]:
    """Run the student's trainer; return its model, the trusted copy holding its weights, and the costs."""
    arguments = ", ".join([f"steps={steps}", *(f"{k}={v!r}" for k, v in kwargs.items())])
    call = f"{task.trainer}({arguments})"
    result = getattr(submission, task.trainer)(steps=steps, **kwargs)
    if type(result) not in (tuple, list) or len(result) != 2:
        raise AssertionError(
            say(
                f"{call} must return (model, costs), got {describe(result)}",
                f"{call}은(는) (모델, 손실 목록)을 반환해야 합니다. 반환값: {describe(result)}",
            )
        )
    model = expect_model(result[0], say(f"the first value returned by {call}", f"{call}이(가) 반환한 첫 번째 값"))
    costs = expect_floats(
        result[1],
        steps,
        say(
            f"the costs returned by {call} (one plain float per step)",
            f"{call}이(가) 반환한 손실 목록 (단계마다 일반 float 하나)",
        ),
    )
    trusted = load_trusted(task, model.state_dict(), say(f"the model returned by {call}", f"{call}이(가) 반환한 모델"))
    return model, trusted, costs


def predict(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model(x)


def grid_mse(model: torch.nn.Module, task: Task, part: tuple[float, float] | None = None) -> float:
    """Mean squared error on the evenly spaced grid (over `part` of the interval when given)."""
    x = task.grid(GRID_POINTS, part)
    return float(((predict(model, x).double() - task.target(x.double())) ** 2).mean())


def max_abs_error(model: torch.nn.Module, task: Task, points: int = DENSE_POINTS) -> float:
    """The largest |prediction - target| on a dense grid: the worst point of the curve."""
    x = task.grid(points)
    return float((predict(model, x).double() - task.target(x.double())).abs().max())


def squared_error_moments(model: torch.nn.Module, task: Task) -> tuple[float, float]:
    """Mean and variance of (model(x) - target(x))² for x uniform on the interval.

    Midpoints of EXPECTATION_POINTS equal cells: the integral to far better than the noise of
    a few thousand random samples.
    """
    cell = (task.high - task.low) / EXPECTATION_POINTS
    x = task.low + cell * (torch.arange(EXPECTATION_POINTS, dtype=torch.float64) + 0.5)
    x = x.to(torch.float32).reshape(-1, 1)
    squared = (predict(model, x).double() - task.target(x.double())) ** 2
    return float(squared.mean()), float(squared.var())


def forward_mismatch(got: torch.Tensor, want: torch.Tensor) -> float | None:
    """The largest difference between the student's outputs and the trusted ones, or None if
    they agree to float32 rounding (relative 1e-4, plus 1e-4 of the largest trusted output).

    The absolute part follows the outputs compared, not the function's scale: a freshly
    initialised model's outputs are a hundredth of a trained one's, and a tolerance of 1e-4 of
    x²'s scale (10,000) let a Tanh in place of the last ReLU through for about 1 seed in 100; with
    this one, none in 2,000."""
    if tuple(got.shape) != tuple(want.shape):
        return math.inf
    got, want = got.double(), want.double()
    if not bool(torch.isfinite(got).all()):
        return math.inf
    tolerance = 1e-4 * want.abs() + 1e-4 * float(want.abs().max())
    if bool(((got - want).abs() <= tolerance).all()):
        return None
    return float((got - want).abs().max())


def rmse(mse: float) -> str:
    return f"{math.sqrt(mse):.4g}"


# --- charts ------------------------------------------------------------------------------------


def curve_chart(model: torch.nn.Module, task: Task, title: str) -> str:
    """The model's curve (evaluated in the judge) and the true function, on the public grid.

    The true function is drawn last, dashed, so that it stays visible where the curves agree."""
    x = task.grid()
    xs = x.reshape(-1).tolist()
    return line_chart(
        [
            Series(
                xs,
                predict(model, x).reshape(-1).tolist(),
                say("your model", "여러분의 모델"),
                color="#d9480f",
                width=3.0,
            ),
            Series(
                xs,
                task.target(x).reshape(-1).tolist(),
                say(f"true {task.label}", f"실제 {task.label}"),
                color="#1d2330",
                dashed=True,
            ),
        ],
        title=title,
        x_label="x",
        y_label="y",
    )


def cost_chart(costs: list[float], title: str) -> str:
    """The cost of every training step, on a log scale."""
    steps = list(range(1, len(costs) + 1))
    return line_chart(
        [Series(steps, costs, say("your cost of each step", "단계별 손실"))],
        title=title,
        x_label=say("training step", "학습 단계"),
        y_label=say("cost of the step's batch (log scale)", "그 단계 배치의 손실 (로그 스케일)"),
        log_y=True,
    )
