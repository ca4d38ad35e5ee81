"""Classes for the similarity tests and benchmark, made from the course's own known solutions.

`renamed` renames every name a module binds (functions, classes, parameters, variables; not
``self``, ``cls`` or dunder names, which Python's conventions fix), keeping comments and layout;
`reordered` reverses the order of the top-level functions and classes; `restyled` changes only
comments and spacing. `solutions(n)` are the independent solutions of assignment n: the
reference and the alternatives in tests/submissions/ (not ``alternative_chain``, which is the
reference with one function rewritten: a copy by construction, as the known-wrong variants of
tests/test_assignment*.py are).
"""

from __future__ import annotations

import ast
import io
import random
import tokenize
from pathlib import Path

from tests.conftest import REPO

FILES = {
    1: ("01_gates", "gates.py"),
    2: ("02_gradient_descent", "gradient_descent.py"),
    3: ("03_function_fitting", "fitting.py"),
    4: ("04_minmax", "minmax.py"),
    5: ("05_mnist_mlp", "mnist_mlp.py"),
}
NOT_INDEPENDENT = {"alternative_chain"}


def solutions(assignment: int) -> dict[str, str]:
    """The independent solutions of `assignment` by name: ``reference`` first, then the alternatives."""
    slug, name = FILES[assignment]
    found = {"reference": (REPO / "reference" / slug / name).read_text(encoding="utf-8")}
    for path in sorted((REPO / "tests" / "submissions" / slug).glob("*.py")):
        if path.stem not in NOT_INDEPENDENT:
            found[path.stem] = path.read_text(encoding="utf-8")
    return found


def skeleton(assignment: int) -> str:
    return (REPO / "student_template" / FILES[assignment][1]).read_text(encoding="utf-8")


def renamed(source: str, seed: int = 0) -> str:
    """`source` with every name it binds replaced by a made-up one (attributes of the same name too)."""
    bound: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    bound = {b for b in bound if b not in ("self", "cls", "_") and not b.startswith("__")}
    rng = random.Random(seed)
    words = ["alpha", "beta", "gamma", "delta", "omega", "kappa", "sigma", "theta", "zeta", "lam"]
    new = {b: f"{rng.choice(words)}_{i}{rng.randrange(100)}" for i, b in enumerate(sorted(bound))}
    tokens = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME and tok.string in new:
            tok = tok._replace(string=new[tok.string])
        tokens.append(tok)
    return tokenize.untokenize(tokens)


def reordered(source: str) -> str:
    """`source` with its top-level functions and classes in reverse order."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    defs = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if len(defs) < 2:
        return source

    def first(node: ast.stmt) -> int:
        return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) - 1

    start, end = first(defs[0]), defs[-1].end_lineno or len(lines)
    chunks = ["".join(lines[first(n) : n.end_lineno]).rstrip("\n") + "\n\n\n" for n in defs]
    between = [n for n in tree.body if first(defs[0]) <= first(n) < end and n not in defs]
    moved = "".join(
        "".join(lines[first(n) : n.end_lineno]) for n in between
    )  # statements among the defs stay before them
    return "".join(lines[:start]) + moved + "".join(reversed(chunks)) + "".join(lines[end:])


def restyled(source: str) -> str:
    """`source` with comments added and changed and its spacing changed: the same code otherwise."""
    out = []
    strings = _string_lines(source)
    for number, line in enumerate(source.splitlines(), start=1):
        if number in strings or not line.strip():
            out.append(line)
            continue
        code = line
        if "'" not in line and '"' not in line:  # the spacing of strings is their content: left alone
            code = line.split("  #")[0].rstrip().replace(" = ", "  =  ").replace(", ", ",").replace(" + ", "+")
        if code.endswith("\\"):
            out.append(code)
        else:
            out.append(f"{code}    # step {number}: see the notes")
        if number % 4 == 0:
            out.append("")
    return "# my solution, written on my own\n" + "\n".join(out) + "\n"


def _string_lines(source: str) -> set[int]:
    """The lines inside multi-line strings (left as they are)."""
    lines: set[int] = set()
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING and tok.start[0] != tok.end[0]:
            lines.update(range(tok.start[0], tok.end[0] + 1))
    return lines


def write_student(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
