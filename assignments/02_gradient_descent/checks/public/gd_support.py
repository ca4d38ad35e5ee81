"""Shared by the checks of assignment 2 (public: students receive it with the public checks).

Everything here runs in the judge: the lecture's data and loop in float64, the starting line of
torch.nn.Linear(1, 1) for a seed, result parsing with feedback, and the syntax-tree rule that
cost, gradient, step and fit are written by hand (no torch, no automatic differentiation).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass

from grader.checklib import describe, expect_float, say, top_level_functions

DATA = [(2, 4), (4, 7), (8, 8)]
LEAST_SQUARES = (17 / 28, 3.5)  # the solution of d cost/d a = d cost/d b = 0 on DATA: a = 0.607142857...
HAND_WRITTEN = ("cost", "gradient", "step", "fit")


# --- the lecture's gradient descent, computed in the judge ---------------------------------------


def lecture_gradient(a, b, data):
    """The lecture's loop body: sums of 2*(a*x + b - y)*x and 2*(a*x + b - y)."""
    da = db = 0.0
    for x, y in data:
        da += 2 * (a * x + b - y) * x
        db += 2 * (a * x + b - y)
    return da, db


def lecture_fit(data, alpha, steps, a=0.0, b=0.0):
    """`steps` updates of the lecture's loop from (a, b), in float64."""
    for _ in range(steps):
        da, db = lecture_gradient(a, b, data)
        a, b = a - alpha * da, b - alpha * db
    return a, b


# (weight, bias) of torch.nn.Linear(1, 1) created right after torch.manual_seed(seed), seeds 0-9, read
# with torch 2.14.1 on the CPU. A table, so the judge need not import torch (3-8 s on the grading
# machine); tests/test_assignment2.py recomputes it with torch to catch a torch version that changes it.
TORCH_STARTS = {
    0: (-0.007486820220947266, 0.5364435911178589),
    1: (0.5152631998062134, -0.44137823581695557),
    2: (0.22939014434814453, -0.23797428607940674),
    3: (-0.9914729595184326, -0.7888612747192383),
    4: (0.1192772388458252, 0.11818480491638184),
    5: (0.6605037450790405, -0.7477781772613525),
    6: (0.144395112991333, 0.10775101184844971),
    7: (0.06984508037567139, -0.602393627166748),
    8: (0.1958545446395874, 0.6905922889709473),
    9: (0.3115689754486084, -0.39595460891723633),
}


def torch_start(seed):
    """(weight, bias) of torch.nn.Linear(1, 1) created right after torch.manual_seed(seed)."""
    if seed in TORCH_STARTS:
        return TORCH_STARTS[seed]
    return linear_start(seed)


def linear_start(seed):
    """`torch_start` computed with torch itself."""
    import torch

    with torch.random.fork_rng(devices=[]):  # leave the caller's own generator alone
        torch.manual_seed(seed)
        layer = torch.nn.Linear(1, 1)
    return layer.weight.item(), layer.bias.item()


def expect_pair(value, call):
    """`value` as two finite floats (a, b), or a failed check that says what came back."""
    if type(value) not in (list, tuple) or len(value) != 2:
        raise AssertionError(
            say(
                f"{call} must return a pair of floats (a, b), got {describe(value)}",
                f"{call}: 실수 두 개로 된 쌍 (a, b)를 반환해야 합니다. 반환값: {describe(value)}",
            )
        )
    return tuple(expect_float(v, f"{call}[{i}]") for i, v in enumerate(value))


def close(got, want, tol):
    return all(abs(g - w) <= tol for g, w in zip(got, want))


def fmt(pair):
    return "(" + ", ".join(f"{v:.10g}" for v in pair) + ")"


# --- the syntax-tree rule ------------------------------------------------------------------------

# Modules that differentiate for you (or are torch): none of them may appear in the hand-written
# functions or in any module-level helper they call.
BANNED_MODULES = {"torch", "autograd", "jax", "functorch", "tensorflow", "theano", "sympy", "mxnet", "paddle"}
# Attributes that only automatic differentiation has: `.backward()`, `.grad`, `torch.autograd`, ...
BANNED_ATTRIBUTES = {
    "backward",
    "grad",
    "requires_grad",
    "requires_grad_",
    "autograd",
    "jacobian",
    "hessian",
    "jacfwd",
    "jacrev",
    "vjp",
    "jvp",
    "value_and_grad",
    "GradientTape",
}
# Ways to reach a module without an import statement the rule could see.
BANNED_CALLS = {"__import__", "import_module", "eval", "exec"}


@dataclass(frozen=True)
class Use:
    """One forbidden use: where it is and what it is."""

    function: str
    line: int
    what: str


def _top_package(name):
    return (name or "").split(".")[0]


def banned_module_names(tree):
    """Names bound at module level to a banned module or to something taken from one.

    `import torch as T`, `from torch.autograd import grad`, `backprop = torch.autograd.grad`:
    T, grad and backprop are as forbidden as torch itself.
    """
    banned = set(BANNED_MODULES)
    statements = [n for n in _module_level(tree)]
    for node in statements:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _top_package(alias.name) in BANNED_MODULES:
                    banned.add(alias.asname or _top_package(alias.name))
        elif isinstance(node, ast.ImportFrom) and _top_package(node.module) in BANNED_MODULES:
            banned.update(alias.asname or alias.name for alias in node.names)
    changed = True
    while changed:  # aliases of aliases: T = torch; f = T.autograd.grad
        changed = False
        for node in statements:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if _refers_to(node.value, banned):
                    for name in (n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)):
                        if name not in banned:
                            banned.add(name)
                            changed = True
    return banned


def _module_level(tree):
    """Module-level statements, including those nested in if/try/with blocks, but not in defs."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            stack.extend(getattr(node, field, []) or [])


def _refers_to(expr, names):
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(expr))


def _local_names(function):
    """Parameters and names assigned inside `function` (they shadow module-level aliases)."""
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names.update(a.arg for a in (args.vararg, args.kwarg) if a is not None)
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def direct_uses(function, banned):
    """Forbidden things written in `function` itself."""
    shadowed = _local_names(function) - BANNED_MODULES
    uses = []
    for node in ast.walk(function):
        what = None
        if isinstance(node, ast.Import) and any(_top_package(a.name) in BANNED_MODULES for a in node.names):
            names = ", ".join(a.name for a in node.names)
            what = say(f"imports {names}", f"{names}을(를) import합니다")
        elif isinstance(node, ast.ImportFrom) and _top_package(node.module) in BANNED_MODULES:
            what = say(f"imports from {node.module}", f"{node.module}에서 import합니다")
        elif isinstance(node, ast.Name) and node.id in banned and node.id not in shadowed:
            what = say(f"uses `{node.id}`", f"`{node.id}`을(를) 사용합니다")
        elif isinstance(node, ast.Attribute) and node.attr in BANNED_ATTRIBUTES:
            what = say(f"uses `.{node.attr}`", f"`.{node.attr}`을(를) 사용합니다")
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
            if name in BANNED_CALLS:
                what = say(f"calls `{name}`", f"`{name}`을(를) 호출합니다")
        if what:
            uses.append(Use(function.name, node.lineno, what))
    return uses


def helpers_called(function, functions):
    """Module-level functions that `function` refers to by name (called or passed along)."""
    shadowed = _local_names(function)
    found = {
        n.id
        for n in ast.walk(function)
        if isinstance(n, ast.Name) and n.id in functions and n.id not in shadowed and n.id != function.name
    }
    return sorted(found)


def autodiff_uses(tree, name, where=lambda line: say(f"line {line}", f"{line}행")):
    """Forbidden uses in `name` and in every module-level helper it reaches, as readable lines;
    `where(line)` says where a line is (`student_files.location`: a notebook's cell and line)."""
    functions = top_level_functions(tree)
    banned = banned_module_names(tree)
    found, seen, queue = [], {name}, [(name, [name])]
    while queue:
        current, path = queue.pop(0)
        route = " → ".join(path)
        via = "" if len(path) == 1 else say(f" (reached through {route})", f" ({route} 경로로 호출됨)")
        first = {}  # each kind of use once per function, at its first line
        for use in sorted(direct_uses(functions[current], banned), key=lambda u: u.line):
            first.setdefault(use.what, use)
        found.extend(
            say(
                f"`{u.function}` {u.what} on {where(u.line)}{via}", f"`{u.function}`: {where(u.line)}에서 {u.what}{via}"
            )
            for u in first.values()
        )
        for helper in helpers_called(functions[current], functions):
            if helper not in seen:
                seen.add(helper)
                queue.append((helper, [*path, helper]))
    return found


def reaches(tree, start, target):
    """Whether `start` calls `target`, directly or through module-level helpers."""
    functions = top_level_functions(tree)
    seen, queue = {start}, [start]
    while queue:
        for helper in helpers_called(functions[queue.pop()], functions):
            if helper == target:
                return True
            if helper not in seen:
                seen.add(helper)
                queue.append(helper)
    return False


def closeness_to_least_squares(pair):
    return max(abs(pair[0] - LEAST_SQUARES[0]), abs(pair[1] - LEAST_SQUARES[1]))


def is_finite_pair(value):
    return (
        type(value) in (list, tuple)
        and len(value) == 2
        and all(type(v) in (int, float) and math.isfinite(v) for v in value)
    )
