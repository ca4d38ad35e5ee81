"""Helpers for check authors: exact-type expectations and syntax-tree questions.

Everything here runs in the judge on plain data or on the student's source parsed with `ast`
(nothing of the student's is imported). Failure messages are written for the student.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = [
    "assigned_values",
    "call_name",
    "calls",
    "describe",
    "expect_float",
    "expect_floats",
    "expect_int",
    "expect_raises",
    "fed_by_call",
    "find_function",
]


def describe(value: Any) -> str:
    """How a value is named in feedback: `5 (an int)`, or `an object of type gates.Anything`."""
    from grader.judge.client import Remote

    if isinstance(value, Remote):
        return f"an object of type {value.type_name}"
    text = repr(value)
    if len(text) > 80:
        text = text[:77] + "..."
    kind = type(value).__name__
    article = "an" if kind[:1] in "aeiou" else "a"
    return f"{text} ({article} {kind})"


def expect_int(value: Any, want: int, call: str) -> None:
    """`value` must be exactly the int `want` (a bool or float is refused with a clear message)."""
    if type(value) is not int:
        raise AssertionError(f"{call} returned {describe(value)}; expected the int {want}")
    if value != want:
        raise AssertionError(f"{call} returned {value}, expected {want}")


def expect_float(value: Any, what: str) -> float:
    """`value` as a finite float; ints are accepted, anything else fails with a message."""
    if type(value) not in (int, float):
        raise AssertionError(f"{what} must be a plain Python float, got {describe(value)}")
    if not math.isfinite(value):
        raise AssertionError(f"{what} must be finite, got {value!r}")
    return float(value)


def expect_floats(value: Any, n: int, what: str) -> list[float]:
    """`value` as a list or tuple of `n` finite floats."""
    if type(value) not in (list, tuple) or len(value) != n:
        raise AssertionError(f"{what} must be a list of {n} floats, got {describe(value)}")
    return [expect_float(v, f"{what}[{i}]") for i, v in enumerate(value)]


# --- syntax trees ----------------------------------------------------------------------------


def find_function(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    """The top-level `def name(...)`, or None."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


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


def fed_by_call(
    expr: ast.AST, names: set[str], values: dict[str, list[ast.expr]], _seen: frozenset[str] = frozenset()
) -> bool:
    """Whether `expr` contains a call to one of `names`, directly or through local variables."""
    for node in ast.walk(expr):
        if call_name(node) in names:
            return True
        if (
            isinstance(node, ast.Name)
            and node.id in values
            and node.id not in _seen
            and any(fed_by_call(v, names, values, _seen | {node.id}) for v in values[node.id])
        ):
            return True
    return False


def expect_raises(kind: type[BaseException], function: Any, *args: Any, call: str, why: str = "") -> None:
    """Calling `function(*args)` must raise `kind` (checked on the student's exception type)."""
    from grader.judge.client import RemoteError

    try:
        value = function(*args)
    except RemoteError as exc:
        if isinstance(exc, kind):
            return
        raise AssertionError(f"{call} raised {exc.type_name}; it must raise {kind.__name__}{why}") from None
    raise AssertionError(f"{call} returned {describe(value)}; it must raise {kind.__name__}{why}")
