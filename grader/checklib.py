"""The check-author API: what a check file may import from the grader, with `grader.plots`.

Check files (`assignments/NN_slug/checks/*/`) import from the grader only this module and
`grader.plots` (a test of the course enforces it), so the engine can change behind them. Every
helper here runs in the judge on plain data or on the student's source parsed with `ast`
(nothing of the student's is imported). Failure messages are written for the student.

What it exports:

- the student's side, seen from the judge: `Remote` (a handle on an object that stays in the
  student's process: call it, read its attributes), `RemoteError` (what a student's call raised;
  `isinstance(exc, ValueError)` asks about the student's exception type);
- expectations on returned values: `describe`, `expect_int`, `expect_float`, `expect_floats`,
  `expect_raises`;
- syntax-tree questions on the student's source: `find_function`, `require_function`,
  `top_level_functions`, `is_stub`, `call_name`, `calls`, `assigned_values`, `flows_from`,
  `fed_by_call`;
- checkpoints: `load_checkpoint` (weights only, with messages), `load_into` (into the judge's
  trusted architecture), `trusted_checkpoint` (both), `SAVE_HINT`;
- the student's language: `say(en, ko)` (a feedback message in both languages; the one the
  student reads is chosen) and `@title(ko=...)` (a check's Korean title; the English one is
  the first line of its docstring);
- the machine: `cuda_available` (asked without creating a CUDA context in the judge);
- data sets the grader prepares (`data = [...]` in assignment.toml; `grader.data`): `MnistData`,
  `ensure_mnist`, `read_idx`, `write_mnist_folder`.

The fixtures (`submission`, `student_files`, `plots`, `data_dir`) and `@pytest.mark.points(n)`
come from the grader's pytest plugin: see CONTRIBUTING.md.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.data import MnistData, ensure_mnist, read_idx, write_mnist_folder
from grader.devices import cuda_available
from grader.errors import RemoteError
from grader.i18n import pick, text
from grader.judge.client import Remote

__all__ = [
    "SAVE_HINT",
    "MnistData",
    "Remote",
    "RemoteError",
    "assigned_values",
    "call_name",
    "calls",
    "cuda_available",
    "describe",
    "ensure_mnist",
    "expect_float",
    "expect_floats",
    "expect_int",
    "expect_raises",
    "fed_by_call",
    "find_function",
    "flows_from",
    "is_stub",
    "load_checkpoint",
    "load_into",
    "read_idx",
    "require_function",
    "say",
    "title",
    "top_level_functions",
    "trusted_checkpoint",
    "write_mnist_folder",
]


def say(en: str, ko: str) -> str:
    """A message for the student in English and Korean: the one in the student's language.

    ``assert ok, say(f"XOR(1, 1) returned {got}", f"XOR(1, 1)이 {got}을(를) 반환했습니다")``
    """
    return pick(en, ko)


def title(*, ko: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The Korean title of a check (its English title is the first line of its docstring)."""

    def mark(function: Callable[..., Any]) -> Callable[..., Any]:
        function.__grader_title_ko__ = ko  # type: ignore[attr-defined]
        return function

    return mark


def describe(value: Any) -> str:
    """How a value is named in feedback: `5 (an int)`, or `an object of type gates.Anything`."""
    if isinstance(value, Remote):
        return text("checklib.remote_object", type=value.type_name)
    shown = repr(value)
    if len(shown) > 80:
        shown = shown[:77] + "..."
    kind = type(value).__name__
    article = "an" if kind[:1] in "aeiou" else "a"
    return text("checklib.value", value=shown, article=article, type=kind)


def expect_int(value: Any, want: int, call: str) -> None:
    """`value` must be exactly the int `want` (a bool or float is refused with a clear message)."""
    if type(value) is not int:
        raise AssertionError(text("checklib.not_int", call=call, value=describe(value), want=want))
    if value != want:
        raise AssertionError(text("checklib.wrong_int", call=call, value=value, want=want))


def expect_float(value: Any, what: str) -> float:
    """`value` as a finite float; ints are accepted, anything else fails with a message."""
    if type(value) not in (int, float):
        raise AssertionError(text("checklib.not_float", what=what, value=describe(value)))
    if not math.isfinite(value):
        raise AssertionError(text("checklib.not_finite", what=what, value=repr(value)))
    return float(value)


def expect_floats(value: Any, n: int, what: str) -> list[float]:
    """`value` as a list or tuple of `n` finite floats."""
    if type(value) not in (list, tuple) or len(value) != n:
        raise AssertionError(text("checklib.not_floats", what=what, n=n, value=describe(value)))
    return [expect_float(v, f"{what}[{i}]") for i, v in enumerate(value)]


# --- syntax trees ----------------------------------------------------------------------------


def find_function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    """The first top-level `def name(...)`, or None."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def require_function(tree: ast.Module, name: str, file: str) -> ast.FunctionDef:
    """The top-level `def name(...)` of `file`; fails, telling the student, when there is none."""
    function = find_function(tree, name)
    assert function is not None, text("checklib.no_function", file=file, name=name)
    return function


def top_level_functions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every top-level function by name (`async def` included; a later definition wins, as in Python)."""
    return {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}


def is_stub(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body that only raises NotImplementedError (besides a docstring or `...`): not written yet."""
    body = [s for s in function.body if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    exc = body[0].exc
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id == "NotImplementedError"


def call_name(node: ast.AST) -> str | None:
    """`f` for ``f(...)`` and ``obj.f(...)``; None for anything else."""
    if not isinstance(node, ast.Call):
        return None
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def calls(node: ast.AST, names: Iterable[str] | None = None) -> list[ast.Call]:
    """Every call under `node` (to one of `names`, when given), in source order."""
    wanted = set(names) if names is not None else None
    found = [n for n in ast.walk(node) if isinstance(n, ast.Call) and (wanted is None or call_name(n) in wanted)]
    return sorted(found, key=lambda n: (n.lineno, n.col_offset))


def assigned_values(function: ast.FunctionDef) -> dict[str, list[ast.expr]]:
    """Local name -> the expressions assigned to it (tuple unpacking maps element-wise)."""
    values: dict[str, list[ast.expr]] = {}

    def bind(target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            values.setdefault(target.id, []).append(value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            parts: Sequence[ast.expr] = value.elts if isinstance(value, (ast.Tuple, ast.List)) else []
            for i, element in enumerate(target.elts):
                bind(element, parts[i] if i < len(parts) else value)

    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bind(target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            bind(node.target, node.value)
    return values


def flows_from(expr: ast.AST, matches: Callable[[ast.AST], bool], values: dict[str, list[ast.expr]]) -> bool:
    """Whether a node of `expr` matches, directly or through the local variables it reads
    (`values`: what each local name is assigned, from `assigned_values`).

    Linear in the size of the function: every assigned expression is walked once, and the names
    that carry a match are found by following "is read by" edges back from the direct matches (a
    chain of locals that double at each step, ``x2 = x1 + x1``, costs what its text costs).
    """
    carriers = _carriers(matches, values)
    return any(matches(node) or (isinstance(node, ast.Name) and node.id in carriers) for node in ast.walk(expr))


def _carriers(matches: Callable[[ast.AST], bool], values: dict[str, list[ast.expr]]) -> set[str]:
    """The local names whose value matches, directly or through other locals."""
    readers: dict[str, set[str]] = {}
    carriers: set[str] = set()
    for name, assigned in values.items():
        for value in assigned:
            for node in ast.walk(value):
                if matches(node):
                    carriers.add(name)
                elif isinstance(node, ast.Name) and node.id in values:
                    readers.setdefault(node.id, set()).add(name)
    queue = list(carriers)
    while queue:
        for reader in readers.get(queue.pop(), ()):
            if reader not in carriers:
                carriers.add(reader)
                queue.append(reader)
    return carriers


def fed_by_call(expr: ast.AST, names: set[str], values: dict[str, list[ast.expr]]) -> bool:
    """Whether `expr` contains a call to one of `names`, directly or through local variables."""
    return flows_from(expr, lambda node: call_name(node) in names, values)


def expect_raises(kind: type[BaseException], function: Any, *args: Any, call: str, why: str = "") -> None:
    """Calling `function(*args)` must raise `kind` (checked on the student's exception type).

    `why` follows the message: `` (inputs must be 0 or 1)``, or `say(...)` of it in both languages."""
    try:
        value = function(*args)
    except RemoteError as exc:
        if isinstance(exc, kind):
            return
        raise AssertionError(
            text("checklib.wrong_exception", call=call, type=exc.type_name, kind=kind.__name__, why=why)
        ) from None
    raise AssertionError(text("checklib.no_exception", call=call, value=describe(value), kind=kind.__name__, why=why))


# --- checkpoints -----------------------------------------------------------------------------

if TYPE_CHECKING:
    SAVE_HINT: str  # "save it with torch.save(model.state_dict(), path)", in the student's language


def __getattr__(name: str) -> Any:
    """`SAVE_HINT`, in the language spoken when it is read (a check file imports it after the
    judge chose the language; the zygote may have imported this module before)."""
    if name == "SAVE_HINT":
        return text("checklib.save_hint")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_checkpoint(path: Any, *, max_bytes: int = 256 * 1024 * 1024) -> dict[str, Any]:
    """A submitted checkpoint as a dict of plain tensors, read in the judge with `weights_only=True`.

    Fails with a message the student can act on when the file is missing, is not a file that
    `torch.save` wrote, or holds anything but a state dict (a whole pickled model, say).
    """
    import torch

    from grader.errors import CodecError
    from grader.protocol import check_torch_archive

    path = Path(path)
    if not path.is_file():
        raise AssertionError(text("checklib.checkpoint_missing", file=path.name))
    if path.stat().st_size > max_bytes:
        raise AssertionError(text("checklib.checkpoint_too_large", file=path.name, limit_mib=max_bytes // 2**20))
    try:
        check_torch_archive(str(path), max_bytes)
    except CodecError as exc:
        raise AssertionError(text("checklib.not_a_checkpoint", file=path.name, error=exc)) from None
    try:
        loaded = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as exc:
        raise AssertionError(
            text("checklib.pickled_model", file=path.name, error=str(exc).splitlines()[0][:160])
        ) from None
    if not isinstance(loaded, dict) or not all(
        isinstance(k, str) and type(v) is torch.Tensor for k, v in loaded.items()
    ):
        raise AssertionError(text("checklib.not_a_state_dict", file=path.name))
    return dict(loaded)


def load_into(model: Any, state: dict[str, Any], what: str) -> Any:
    """Load `state` into the judge's trusted `model`, explaining any key or shape mismatch."""
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        none = text("checklib.none")
        raise AssertionError(
            text("checklib.wrong_names", what=what, missing=missing or none, unexpected=unexpected or none)
        )
    shapes = [
        text("checklib.shape", name=k, got=tuple(state[k].shape), want=tuple(v.shape))
        for k, v in expected.items()
        if state[k].shape != v.shape
    ]
    if shapes:
        raise AssertionError(text("checklib.wrong_shapes", what=what, shapes="; ".join(shapes)))
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})
    return model.eval()


def trusted_checkpoint(
    path: Any, model: Any, what: str, *, adapt: Callable[[dict[str, Any]], dict[str, Any]] | None = None
) -> Any:
    """The checkpoint at `path` (`load_checkpoint`) in the judge's trusted `model`, in eval mode.

    `adapt` renames the state's keys first, for checks that accept an equivalent layout.
    """
    state = load_checkpoint(path)
    return load_into(model, adapt(state) if adapt is not None else state, what)
