"""The judge's side of assignment 5: its trusted copy of the architecture, the MNIST images it
holds, the folders it prepares for the student's process, and the measurements and charts.

Public (students receive it with the public checks): nothing here is secret. Test labels stay
in the judge: the folders the student's code reads hold training images only (a training pool
and, as its "test" split, a validation slice of the training set). Every accuracy is computed
here, on the student's weights loaded into `MultiLayerPerceptron` below.
"""

from __future__ import annotations

import ast
import functools
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from grader.checklib import (
    MnistData,
    Remote,
    assigned_values,
    cuda_available,
    describe,
    ensure_mnist,
    expect_float,
    flows_from,
    load_into,
    read_idx,
    say,
    trusted_checkpoint,
    write_mnist_folder,
)
from grader.plots import Series, confusion_matrix, line_chart

__all__ = ["cuda_available"]

CHECKPOINT = "mnist_mlp.pt"
MODULE_FILE = "mnist_mlp.py"
INPUT_DIM, HIDDEN_DIM, OUTPUT_DIM = 784, 1024, 10
DIGITS = [str(d) for d in range(10)]
HISTORY_KEYS = ("train_acc", "test_acc", "train_loss", "test_loss")

# What the student's process sees of MNIST: training images only. The first POOL images of the
# training split are its training set; the VALIDATION images after them are its "test" split.
POOL, VALIDATION = 3000, 1000

# Short training runs: train(root, epochs=1, limit=SHORT_LIMIT, seed=...) must reach SHORT_ACCURACY
# on the judge's test images (clean). Calibrated in reference/05_mnist_mlp/calibrate.py short.
SHORT_LIMIT = 2000
SHORT_ACCURACY = 0.64
# Calibration (2026-11-23, torch 2.14.1 CPU, offline subset; calibrate.py short 0-49): one epoch on
# the first 2,000 images with the lecture's recipe (batches of 128 in order, Adam lr 0.001,
# cross-entropy) reaches 0.826-0.845 on the 1,000 test images (worst seed 30: error 0.174); 0.64
# allows an error of 0.36, a factor of 2.07. Untrained: 0.05-0.18.

# The checks' perturbation of test images: each image scaled by a factor drawn from PERTURB_SCALE,
# plus Gaussian noise of PERTURB_NOISE, clipped to [0, 1], with a fresh seed in every run. A
# trained network barely notices; a lookup of the exact test images finds nothing.
PERTURB_SCALE = (0.85, 0.95)
PERTURB_NOISE = 0.02


# --- the architecture -------------------------------------------------------------------------


class MultiLayerPerceptron(torch.nn.Module):
    """Lecture program 5-7 with logits out: Linear(784, 1024) -> tanh -> Linear(1024, 10)."""

    def __init__(self, input_dim=INPUT_DIM, hidden_dim=HIDDEN_DIM, output_dim=OUTPUT_DIM):
        super().__init__()
        self.model = torch.nn.Sequential(
            torch.nn.Linear(input_dim, hidden_dim),
            torch.nn.Tanh(),
            torch.nn.Linear(hidden_dim, output_dim),
        )

    def forward(self, x):
        return self.model(x.reshape(x.shape[0], -1))


def expected_shapes(input_dim=INPUT_DIM, hidden_dim=HIDDEN_DIM, output_dim=OUTPUT_DIM) -> dict[str, tuple[int, ...]]:
    """State-dict key -> shape of the prescribed architecture."""
    model = MultiLayerPerceptron(input_dim, hidden_dim, output_dim)
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


# The lecture also keeps the two layers as self.input_layer and self.hidden_layer: the same
# modules, so their weights appear twice in the state dict. Those duplicates are accepted.
_ALIASES = {"input_layer.": "model.0.", "hidden_layer.": "model.2."}
_LAYER_KEY = re.compile(r"^model\.(\d+)\.(weight|bias)$")


def _layer_names(state: dict[str, torch.Tensor]) -> dict[str, str]:
    """Prescribed key -> the student's key, for the two linear layers of `self.model` (a Flatten
    put first shifts them to model.1 and model.3; the lecture's duplicate names are left out)."""
    indices = sorted({int(m.group(1)) for k in state if (m := _LAYER_KEY.match(k))})
    if len(indices) != 2:
        return {}
    rename = {indices[0]: 0, indices[1]: 2}
    return {f"model.{rename[int(m.group(1))]}.{m.group(2)}": k for k in state if (m := _LAYER_KEY.match(k))}


def canonical_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The state dict with the prescribed key names: the lecture's duplicate names (input_layer.*,
    hidden_layer.*: the same modules as model.0 and model.2) dropped, the linear layers of
    `self.model` named model.0 and model.2. Anything else is left for load_into to explain."""
    kept = dict(state)
    for alias, target in _ALIASES.items():
        for key in [k for k in kept if k.startswith(alias)]:
            twin = target + key[len(alias) :]
            if twin in kept and torch.equal(kept[twin], kept[key]):
                del kept[key]
    names = _layer_names(kept)
    if len(names) == len(kept) == 4:
        return {mine: kept[theirs] for mine, theirs in names.items()}
    return kept


def trusted(state: dict[str, torch.Tensor], what: str) -> MultiLayerPerceptron:
    """The judge's own MultiLayerPerceptron holding the student's weights (eval mode)."""
    return load_into(MultiLayerPerceptron(), canonical_state(state), what)


def trusted_from_checkpoint(path) -> MultiLayerPerceptron:
    """The checkpoint at `path`, read with weights_only=True and loaded into the trusted copy."""
    return trusted_checkpoint(path, MultiLayerPerceptron(), CHECKPOINT, adapt=canonical_state)


def fresh_state(seed: int) -> dict[str, torch.Tensor]:
    """The weights of a freshly initialised trusted model (the same for the same seed)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return {k: v.clone() for k, v in MultiLayerPerceptron().state_dict().items()}


# --- the data the judge holds -----------------------------------------------------------------


@dataclass
class JudgeData:
    """MNIST as the judge holds it: test images with their labels, and the training split."""

    source: MnistData
    test_x: torch.Tensor  # (N, 1, 28, 28) float32 in [0, 1], exactly what ToTensor gives
    test_y: torch.Tensor  # (N,) int64
    train_images: np.ndarray  # (M, 28, 28) uint8
    train_labels: np.ndarray  # (M,) int64

    @property
    def label(self) -> str:
        return self.source.label

    @property
    def test_label(self) -> str:
        return say(
            f"the {len(self.test_y):,} test images of {self.label}",
            f"{self.label}의 테스트 이미지 {len(self.test_y):,}장",
        )


@functools.lru_cache(maxsize=2)
def judge_data(data_dir) -> JudgeData:
    """The data set under `data_dir` (full MNIST, or the offline subset built there).

    Read with grader.data's checked IDX reader: the very files and bytes torchvision's MNIST reads
    (tests/test_data.py compares the two), without importing torchvision into the judge."""
    source = ensure_mnist(Path(data_dir))
    train_images = read_idx(source.raw("train-images-idx3-ubyte"))
    if len(train_images) < POOL + VALIDATION:
        raise AssertionError(
            say(
                f"{source.label} has fewer than {POOL + VALIDATION} training images; the checks need them",
                f"{source.label}의 학습 이미지가 {POOL + VALIDATION}장보다 적습니다. 검사에 그만큼 필요합니다",
            )
        )
    train_labels = read_idx(source.raw("train-labels-idx1-ubyte"))
    return JudgeData(
        source=source,
        test_x=as_inputs(read_idx(source.raw("t10k-images-idx3-ubyte"))),
        test_y=torch.from_numpy(read_idx(source.raw("t10k-labels-idx1-ubyte")).astype(np.int64)),
        train_images=train_images[: POOL + VALIDATION].copy(),
        train_labels=train_labels[: POOL + VALIDATION].astype(np.int64),
    )


def as_inputs(images: np.ndarray) -> torch.Tensor:
    """uint8 images (N, 28, 28) as the float tensors ToTensor makes of them, (N, 1, 28, 28)."""
    return torch.from_numpy(np.ascontiguousarray(images)).unsqueeze(1).float().div(255)


def validation(data: JudgeData) -> tuple[torch.Tensor, torch.Tensor]:
    """The worker's "test" split (training images POOL..POOL+VALIDATION) as inputs and labels."""
    stop = POOL + VALIDATION
    return as_inputs(data.train_images[POOL:stop]), torch.from_numpy(data.train_labels[POOL:stop])


_folders: dict[tuple[str, int, int], str] = {}


def worker_folder(data: JudgeData, *, clean: int = POOL, poisoned: int = 0) -> str:
    """A folder in torchvision's MNIST layout for the student's process, made of training images
    only: its training split is the first `clean` training images followed by `poisoned` more
    whose labels are shifted by one (a trap for code that ignores `limit`); its test split is
    the validation slice. Test images and their labels never go there."""
    key = (str(data.source.root), clean, poisoned)
    if key not in _folders:
        if clean + poisoned > POOL:
            raise ValueError("the training pool has only POOL images")
        labels = data.train_labels[: clean + poisoned].copy()
        labels[clean:] = (labels[clean:] + 1) % 10
        root = Path(tempfile.mkdtemp(prefix="mnist-for-worker-"))
        write_mnist_folder(
            root,
            data.train_images[: clean + poisoned],
            labels,
            data.train_images[POOL : POOL + VALIDATION],
            data.train_labels[POOL : POOL + VALIDATION],
        )
        root.chmod(0o755)
        _folders[key] = str(root)
    return _folders[key]


def perturbed(x: torch.Tensor, seed: int | None = None) -> torch.Tensor:
    """`x` lightly perturbed: each image dimmed by a random factor, plus a little noise."""
    generator = torch.Generator().manual_seed(secrets.randbits(63) if seed is None else seed)
    low, high = PERTURB_SCALE
    scale = low + (high - low) * torch.rand(len(x), 1, 1, 1, generator=generator)
    noise = PERTURB_NOISE * torch.randn(x.shape, generator=generator)
    return (x * scale + noise).clamp(0.0, 1.0)


# --- measurements -----------------------------------------------------------------------------


def logits(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([model(part) for part in x.split(2000)])


def predictions(model: torch.nn.Module, x: torch.Tensor) -> torch.Tensor:
    return logits(model, x).argmax(dim=1)


def accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return float((predictions(model, x) == y).double().mean())


def cross_entropy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    """Mean cross-entropy per image of the model's logits."""
    return float(torch.nn.functional.cross_entropy(logits(model, x), y))


def confusion(y: torch.Tensor, predicted: torch.Tensor) -> list[list[int]]:
    """counts[true][predicted]."""
    flat = np.bincount(y.numpy() * 10 + predicted.numpy(), minlength=100)
    return flat.reshape(10, 10).tolist()


def per_digit_accuracy(counts: list[list[int]]) -> list[float]:
    return [row[d] / max(1, sum(row)) for d, row in enumerate(counts)]


# --- charts -----------------------------------------------------------------------------------


def confusion_chart(counts: list[list[int]], title: str) -> str:
    return confusion_matrix(
        counts,
        title=title,
        labels=DIGITS,
        x_label=say("predicted digit", "예측한 숫자"),
        y_label=say("true digit", "실제 숫자"),
    )


def learning_curves(history: dict[str, list[float]], title: str) -> list[str]:
    """Accuracy and loss per epoch, training and test split, as two charts."""
    epochs = list(range(1, len(history["train_acc"]) + 1))
    charts = []
    for quantity, name in (("acc", say("accuracy", "정확도")), ("loss", say("loss", "손실"))):
        series = [
            Series(epochs, history[f"train_{quantity}"], say("train", "학습 데이터")),
            Series(epochs, history[f"test_{quantity}"], say("test split", "테스트 데이터"), dashed=True),
        ]
        y_range = (0.0, 1.0) if quantity == "acc" else None
        charts.append(
            line_chart(series, title=f"{title}: {name}", x_label=say("epoch", "에포크"), y_label=name, y_range=y_range)
        )
    return charts


# --- the student's side, seen from the judge --------------------------------------------------


def worker_torch(submission):
    """The student's `torch` module, which stays in their process (to build loaders and optimizers there)."""

    try:
        module = submission.torch
    except AttributeError:
        raise AssertionError(
            say(
                f"{MODULE_FILE} must `import torch` at the top, as the skeleton does: the checks build the DataLoader, "
                "loss function and optimizer they pass to your functions with it",
                f"{MODULE_FILE}은(는) 스켈레톤처럼 맨 위에서 `import torch`를 해야 합니다. 검사가 이 모듈로 "
                "DataLoader, 손실 함수, 옵티마이저를 만들어 여러분의 함수에 넘깁니다",
            )
        ) from None
    assert isinstance(module, Remote) and module.type_name == "module", say(
        f"`torch` in {MODULE_FILE} must be the torch module (import torch), got {describe(module)}",
        f"{MODULE_FILE}의 `torch`는 torch 모듈(import torch)이어야 합니다. 받은 값: {describe(module)}",
    )
    return module


def worker_device(submission, kind: str):
    """torch.device(kind), made in the student's process."""
    return worker_torch(submission).device(kind)


def worker_loader(submission, root: str, *, train: bool, batch_size: int = 128):
    """DataLoader(load_mnist(root, train), batch_size) in the student's process, in order."""

    dataset = submission.load_mnist(root, train=train)
    assert isinstance(dataset, Remote), say(
        f"load_mnist(root, train={train}) must return the torchvision MNIST data set, got {describe(dataset)}",
        f"load_mnist(root, train={train})은(는) torchvision의 MNIST 데이터셋을 반환해야 합니다. 반환값: "
        f"{describe(dataset)}",
    )
    return worker_torch(submission).utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=False)


def worker_model(submission, state: dict[str, torch.Tensor]):
    """A MultiLayerPerceptron() of the student's holding `state` (prescribed key names), in their process."""

    model = submission.MultiLayerPerceptron()
    assert isinstance(model, Remote) and model.is_callable, say(
        f"MultiLayerPerceptron() must create a torch.nn.Module, got {describe(model)}",
        f"MultiLayerPerceptron()은 torch.nn.Module을 만들어야 합니다. 받은 값: {describe(model)}",
    )
    theirs = model.state_dict()
    trusted(
        theirs, say("the state dict of MultiLayerPerceptron()", "MultiLayerPerceptron()의 state dict")
    )  # keys and shapes as prescribed
    names = _layer_names(theirs)
    model.call_method("load_state_dict", {names[k]: v for k, v in state.items()}, strict=False)
    loaded = canonical_state(model.state_dict())
    assert all(torch.equal(loaded[k], v) for k, v in state.items()), say(
        "load_state_dict on your MultiLayerPerceptron did not take the weights given to it",
        "여러분의 MultiLayerPerceptron에서 load_state_dict가 주어진 가중치를 받아들이지 않았습니다",
    )
    return model


def run_train(submission, root: str, *, epochs: int, limit: int, seed: int, device=None):
    """Call the student's train in the worker; return (the model as a Remote, the history as floats)."""

    call = f"train(root, epochs={epochs}, limit={limit}, seed={seed}, device=...)"
    kwargs = {"epochs": epochs, "batch_size": 128, "lr": 1e-3, "limit": limit, "seed": seed}
    result = submission.train(root, device=device, **kwargs) if device is not None else submission.train(root, **kwargs)
    assert type(result) is tuple and len(result) == 2, say(
        f"{call} must return (model, history), got {describe(result)}",
        f"{call}은(는) (모델, history)를 반환해야 합니다. 반환값: {describe(result)}",
    )
    model, history = result
    assert isinstance(model, Remote) and model.is_callable, say(
        f"{call} must return the trained MultiLayerPerceptron first, got {describe(model)}",
        f"{call}이(가) 반환하는 첫 번째 값은 학습한 MultiLayerPerceptron이어야 합니다. 받은 값: {describe(model)}",
    )
    assert type(history) is dict and set(history) >= set(HISTORY_KEYS), say(
        f"{call} must return the history second: a dict with the keys {', '.join(HISTORY_KEYS)}, got "
        f"{describe(history)}",
        f"{call}이(가) 반환하는 두 번째 값은 history, 즉 {', '.join(HISTORY_KEYS)} 키를 가진 dict여야 합니다. "
        f"받은 값: {describe(history)}",
    )
    plain: dict[str, list[float]] = {}
    for key in HISTORY_KEYS:
        values = history[key]
        assert type(values) is list and len(values) == epochs, say(
            f'history["{key}"] of {call} must be a list with one value per epoch ({epochs}), got {describe(values)}',
            f'{call}의 history["{key}"]는 에포크마다 값 하나씩({epochs}개) 담은 리스트여야 합니다. '
            f"받은 값: {describe(values)}",
        )
        plain[key] = [
            expect_float(v, say(f'history["{key}"][{i}] of {call}', f'{call}의 history["{key}"][{i}]'))
            for i, v in enumerate(values)
        ]
    return model, plain


# --- syntax-tree questions --------------------------------------------------------------------

_CUDA_TEXT = re.compile(r"^\s*cuda(:\d+)?\s*$")


def cuda_mentions(tree: ast.Module, source: str) -> list[tuple[int, str]]:
    """(line, code) of every `.cuda(...)` call and "cuda" string outside get_device."""
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == "get_device":
            allowed.update(id(n) for n in ast.walk(node))
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # docstrings, bare strings
            allowed.add(id(node.value))
    found = []
    for node in ast.walk(tree):
        if id(node) in allowed:
            continue
        hard_coded = (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "cuda"
        ) or (isinstance(node, ast.Constant) and isinstance(node.value, str) and _CUDA_TEXT.match(node.value))
        if hard_coded:
            found.append((node.lineno, ast.get_source_segment(source, node) or "cuda"))
    return sorted(set(found))


def _parameters(function: ast.FunctionDef) -> list[str]:
    return [a.arg for a in function.args.posonlyargs + function.args.args]


def _mentions(expr: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(expr))


def _carries_device(expr: ast.AST, device: str, values: dict[str, list[ast.expr]]) -> bool:
    """Whether `expr` goes through a call given the device (X.to(device), helper(X, device)),
    directly or through the local variables it reads."""

    def given_the_device(node: ast.AST) -> bool:
        return isinstance(node, ast.Call) and any(
            _mentions(a, device) for a in [*node.args, *(k.value for k in node.keywords)]
        )

    return flows_from(expr, given_the_device, values)


def moves_inputs_to_device(function: ast.FunctionDef) -> bool:
    """Whether every input the function gives its model was moved with the device argument."""

    params = _parameters(function)
    if len(params) < 2:
        return False
    model, device = params[0], ("device" if "device" in params else params[-1])
    values = assigned_values(function)
    inputs = [
        call.args[0]
        for call in ast.walk(function)
        if isinstance(call, ast.Call)
        and call.args
        and (
            (isinstance(call.func, ast.Name) and call.func.id == model)
            or (
                isinstance(call.func, ast.Attribute)
                and call.func.attr == "forward"
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == model
            )
        )
    ]
    if inputs:
        return all(_carries_device(x, device, values) for x in inputs)
    # No model(...) call here: the batch goes to a helper, which must be given the device too.
    loop_vars = {
        n.id
        for loop in ast.walk(function)
        if isinstance(loop, ast.For)
        for n in ast.walk(loop.target)
        if isinstance(n, ast.Name)
    }
    return any(
        isinstance(call, ast.Call)
        and any(_mentions(a, device) for a in call.args)
        and any(_mentions(a, v) for a in call.args for v in loop_vars)
        for call in ast.walk(function)
    )


_NO_GRAD = {"no_grad", "inference_mode"}


def builds_no_graph(function: ast.FunctionDef) -> bool:
    """Whether the function's work runs under torch.no_grad() / torch.inference_mode() (a `with`
    block or a decorator) or after torch.set_grad_enabled(False)."""

    def name(node: ast.AST) -> str | None:
        target = node.func if isinstance(node, ast.Call) else node
        if isinstance(target, ast.Attribute):
            return target.attr
        return target.id if isinstance(target, ast.Name) else None

    if any(name(d) in _NO_GRAD for d in function.decorator_list):
        return True
    for node in ast.walk(function):
        if isinstance(node, ast.With) and any(name(item.context_expr) in _NO_GRAD for item in node.items):
            return True
        if (
            isinstance(node, ast.Call)
            and name(node) == "set_grad_enabled"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value is False
        ):
            return True
    return False
