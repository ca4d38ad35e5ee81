"""A notebook handed in for `NAME.py`: the module the worker imports, made by a rule a student can read.

The notebook is read with `nbformat` (size-capped, validated) and never executed as a whole:
its code cells are parsed, one top-level statement at a time, and what a module needs is kept
while what runs work is left out. The rule, in the order it is applied:

1. A cell whose first line is ``# grader: skip`` is left out; one whose first line is
   ``# grader: keep`` is kept whole (magics still removed). Markdown and raw cells are not code.
2. IPython syntax is removed: line magics (``%matplotlib inline``), shell lines (``!pip install``),
   ``x = !ls``, help lines (``torch.tensor?``). A cell magic (``%%bash``, ``%%writefile``) leaves
   its cell out, except ``%%time``, ``%%timeit`` and ``%%capture``, whose body is Python and goes
   through the rule like any cell. A cell that does not parse is left out and reported.
3. Kept: imports (those of notebook-only packages such as ``IPython`` and ``google.colab`` made
   optional; those of plotting libraries such as ``matplotlib`` only when kept code uses them),
   ``def`` and ``class``, and assignments to plain names whose value builds
   configuration or data: ``DATA = [(2, 4), ...]``, ``device = "cuda" if ... else "cpu"``,
   ``loss_fn = nn.MSELoss()``, ``model = MyNet()``. ``if`` and ``try`` blocks made only of such
   statements are kept too.
4. Left out: everything that runs work. Expression statements (calls, ``print``, plots, a
   bare name shown as output), loops, ``with`` blocks, ``if __name__ == "__main__":``,
   assignments to attributes or items, and assignments whose value calls a function the
   notebook defines (``model, losses = train(...)``), shows, prints, plots, reads or writes
   files or data sets (``torch.save``, ``torch.load``, ``datasets.MNIST``, ``DataLoader``,
   ``open``), or uses a name that only left-out code defines, or that nothing defines before it
   (it would stop the import with a NameError).

Line numbers are kept exact: a `SourceMap` records the cell and line of every line of the
module, and the report lists the cells left out and why.
"""

from __future__ import annotations

import ast
import builtins
import json
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import i18n
from grader.errors import SubmissionError
from grader.sources import SourceMap

__all__ = ["MAX_NOTEBOOK_BYTES", "CellOutcome", "Conversion", "convert", "ipython_lines", "read_notebook"]

MAX_NOTEBOOK_BYTES = 32 * 1024 * 1024  # outputs (plots) make notebooks large; the code is a tiny part
MAX_CELLS = 2000
MAX_CODE_BYTES = 1024 * 1024  # all code cells together, as for a .py file

_DIRECTIVE = re.compile(r"^\s*#\s*grader\s*:\s*(skip|keep)\s*$", re.IGNORECASE)
_BODY_MAGICS = {"time", "timeit", "capture", "prun"}  # cell magics that run their body as Python
# Packages that exist only where a notebook runs: their imports become optional in the module.
_NOTEBOOK_ONLY = ("IPython", "google.colab", "ipywidgets", "tqdm.notebook", "matplotlib_inline", "ipykernel")
# Libraries for showing things: imported only when kept code uses them (matplotlib alone takes ~1 s).
_FOR_SHOW = ("matplotlib", "seaborn", "plotly")
# Calls that show, print, plot, read or write: work, never configuration (canonical dotted names).
_WORK_BUILTINS = {"print", "input", "open", "display", "exec", "eval", "breakpoint", "exit", "quit", "help"}
_WORK_PREFIXES = (
    "grader",  # result = grader.check(2): the notebook checking itself
    "matplotlib",
    "seaborn",
    "IPython",
    "google.colab",
    "PIL.Image.open",
    "torch.save",
    "torch.load",
    "torch.hub",
    "torch.utils.data.DataLoader",
    "torch.utils.data.dataloader",
    "torchvision.datasets",
    "torchvision.io",
    "numpy.load",
    "numpy.save",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "numpy.fromfile",
    "pandas.read_",
    "urllib",
    "requests",
    "subprocess",
    "shutil",
    "os.system",
    "time.sleep",
)


@dataclass(frozen=True)
class CellOutcome:
    """What became of one code cell: kept whole, partly, or left out, and why."""

    cell: int  # 1-based position among all the notebook's cells
    first_line: str
    kept: str  # "all", "part" or "none"
    reasons: tuple[str, ...] = ()  # why (parts of) it were left out


@dataclass(frozen=True)
class Conversion:
    """The module made from a notebook, where each of its lines came from, and each cell's fate."""

    source: str
    source_map: SourceMap
    cells: tuple[CellOutcome, ...]

    def notes(self) -> list[str]:
        """What a student reads in the report about how their notebook was read."""
        origin = self.source_map.origin
        code = len(self.cells)
        left = [c for c in self.cells if c.kept != "all"]
        cells = i18n.text("notebook.cells_one" if code == 1 else "notebook.cells", count=code)
        if not left:
            return [i18n.text("notebook.all_kept", origin=origin, cells=cells)]
        notes = [i18n.text("notebook.some_left", origin=origin, cells=cells)]
        for c in left:
            key = "notebook.cell_left" if c.kept == "none" else "notebook.cell_partly"
            snippet = f" ({_shorten(c.first_line)})" if c.first_line else ""
            reasons = "; ".join(sorted(c.reasons, key=_line_order))
            notes.append(i18n.text(key, cell=c.cell, snippet=snippet, reasons=reasons))
        notes.append(i18n.text("notebook.decide"))
        return notes


def read_notebook(path: Path, name: str | None = None) -> Any:
    """The notebook at `path` as an `nbformat` v4 node, or `SubmissionError` saying what is wrong."""
    name = name or path.name
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(
            i18n.text("notebook.too_large", name=name, limit_mib=MAX_NOTEBOOK_BYTES // 2**20), file=name
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SubmissionError(i18n.text("notebook.not_utf8", name=name), file=name) from None
    return parse_notebook(text, name)


def parse_notebook(text: str, name: str) -> Any:
    """`text` (a notebook's JSON) as a validated v4 node; `SubmissionError` when it is not one."""
    import nbformat  # ~0.2 s: only when a notebook is handed in

    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise SubmissionError(i18n.text("notebook.not_json", name=name, error=_first_line(exc)), file=name) from None
    if not isinstance(data, dict) or ("cells" not in data and "worksheets" not in data):
        raise SubmissionError(i18n.text("notebook.no_cells", name=name), file=name)
    try:
        with warnings.catch_warnings():  # nbformat warns of missing cell ids, which it then adds itself
            warnings.simplefilter("ignore")
            node = nbformat.reads(json.dumps(data), as_version=4, capture_validation_error={})
            nbformat.validate(node, relax_add_props=True)
    except Exception as exc:  # nbformat raises several kinds: not a notebook, whatever the reason
        raise SubmissionError(
            i18n.text("notebook.invalid", name=name, type=type(exc).__name__, error=_first_line(exc)), file=name
        ) from None
    if len(node.cells) > MAX_CELLS:
        raise SubmissionError(
            i18n.text("notebook.too_many_cells", name=name, count=len(node.cells), limit=MAX_CELLS), file=name
        )
    return node


def convert(node: Any, *, origin: str, module_file: str) -> Conversion:
    """The module `module_file` made from the notebook `node` (from `read_notebook`) by the rule above."""
    cells = [(index, _cell_text(cell)) for index, cell in enumerate(node.cells, start=1) if cell.cell_type == "code"]
    if sum(len(text.encode("utf-8", "surrogatepass")) for _, text in cells) > MAX_CODE_BYTES:
        raise SubmissionError(
            i18n.text("notebook.too_much_code", origin=origin, limit_kib=MAX_CODE_BYTES // 1024), file=origin
        )
    builder = _Builder()
    for index, text in cells:
        builder.add_cell(index, text)
    source, lines, outcomes = builder.finish()
    return Conversion(source, SourceMap(module_file, origin, tuple(lines)), tuple(outcomes))


def _cell_text(cell: Any) -> str:
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# --- IPython syntax ------------------------------------------------------------------------

_HELP = re.compile(r"^\??[\w.]+(\(\))?\?{1,2}$|^\?{1,2}[\w.]+$")
_MAGIC_ASSIGN = re.compile(r"^[\w.,\s()\[\]*]+=\s*[%!]")


def _is_magic(stripped: str) -> bool:
    code = stripped.split("#", 1)[0].rstrip() if not stripped.startswith(("!", "%")) else stripped
    return bool(
        stripped.startswith(("%", "!"))
        or _HELP.match(code)
        or (_MAGIC_ASSIGN.match(stripped) and "==" not in stripped.split("=", 1)[0])
    )


def _magic_lines(lines: list[str]) -> Iterator[int]:
    """Indexes of lines that are IPython syntax where a statement starts (not inside a string,
    brackets or a continued line), which is where IPython itself looks for them."""
    depth = 0
    quote: str | None = None
    continued = False
    for index, line in enumerate(lines):
        if depth == 0 and quote is None and not continued and _is_magic(line.lstrip()):
            yield index
            continue
        continued = False
        j, end = 0, len(line)
        while j < end:
            c = line[j]
            if quote is not None:
                if c == "\\":
                    j += 2
                    continue
                if line.startswith(quote, j):
                    j += len(quote)
                    quote = None
                    continue
                j += 1
                continue
            if c == "#":
                break
            if c in "'\"":
                quote = c * 3 if line.startswith(c * 3, j) else c
                j += len(quote)
                continue
            if c in "([{":
                depth += 1
            elif c in ")]}":
                depth = max(0, depth - 1)
            elif c == "\\" and j == end - 1:
                continued = True
            j += 1
        if quote is not None and len(quote) == 1 and not line.endswith("\\"):
            quote = None  # an unterminated one-line string: a syntax error the parser reports


def ipython_lines(text: str) -> list[int]:
    """The numbers (from 1) of the lines of `text` that are IPython syntax, as a notebook cell's
    would be removed: what a notebook downloaded as .py keeps (``!pip install torch``)."""
    return [index + 1 for index in _magic_lines(text.split("\n"))]


def _strip_ipython(text: str) -> tuple[str, list[str]]:
    """The cell's Python, with IPython lines blanked (or `pass` where a block needs a statement),
    and what was removed. Line numbers are unchanged."""
    lines = text.split("\n")
    removed: list[str] = []
    for index in _magic_lines(lines):
        line = lines[index]
        stripped = line.lstrip()
        indent = line[: len(line) - len(stripped)]
        removed.append(_magic_kind(stripped))
        lines[index] = f"{indent}pass" if indent else ""
    return "\n".join(lines), removed


def _magic_kind(stripped: str) -> str:
    if stripped.startswith("!"):
        return i18n.text("notebook.shell")
    if stripped.startswith("%"):
        return i18n.text("notebook.magic", name=stripped.split()[0])
    if "=" in stripped and not stripped.endswith("?"):
        return i18n.text("notebook.magic_assign")
    return i18n.text("notebook.help")


# --- the rule ------------------------------------------------------------------------------


@dataclass
class _Builder:
    """Goes through the cells in order, keeping names and imports in view across cells."""

    out: list[tuple[str, tuple[int, int], int]] = field(default_factory=list)  # text, origin, import it waits on
    future: list[tuple[str, tuple[int, int], int]] = field(default_factory=list)
    aliases: dict[str, str] = field(default_factory=dict)  # name -> dotted origin, from imports
    functions: set[str] = field(default_factory=set)  # functions the notebook defines
    dropped: set[str] = field(default_factory=set)  # names only left-out code has bound
    bound: set[str] = field(default_factory=lambda: set(dir(builtins)))  # names defined by the time a line runs
    used: set[str] = field(default_factory=set)  # names kept code reads
    waiting: list[tuple[set[str], int, str]] = field(default_factory=list)  # plotting imports: names, cell, reason
    outcomes: list[CellOutcome] = field(default_factory=list)

    def finish(self) -> tuple[str, list[tuple[int, int]], list[CellOutcome]]:
        """The module, where each of its lines came from, and what became of each cell."""
        unused = {i + 1 for i, (names, _, _) in enumerate(self.waiting) if not names & self.used}
        late: dict[int, list[str]] = {}
        for number in sorted(unused):
            _, cell, reason = self.waiting[number - 1]
            late.setdefault(cell, []).append(reason)
        # Written as UTF-8 whatever a kept cell's own coding comment says (the first two lines decide).
        rows = [("# -*- coding: utf-8 -*-", (0, 0))] + [
            (text, origin) for text, origin, waits in (*self.future, *self.out) if waits not in unused
        ]
        kept = {cell for _, (cell, _) in rows}
        outcomes = [_with_reasons(o, late[o.cell], o.cell in kept) if o.cell in late else o for o in self.outcomes]
        return "".join(text + "\n" for text, _ in rows), [origin for _, origin in rows], outcomes

    def add_cell(self, cell: int, text: str) -> None:
        self.outcomes.append(self._cell(cell, text))

    def _cell(self, cell: int, text: str) -> CellOutcome:
        lines = text.split("\n")
        directive = _DIRECTIVE.match(lines[0]) if lines else None
        first = next((ln.strip() for ln in lines[1 if directive else 0 :] if ln.strip()), "")
        if directive and directive.group(1).lower() == "skip":
            return CellOutcome(cell, first, "none", (i18n.text("notebook.skip_marked"),))
        if first.startswith("%%"):
            magic = first[2:].split()[0] if len(first) > 2 else ""
            if magic not in _BODY_MAGICS:
                return CellOutcome(cell, first, "none", (i18n.text("notebook.cell_magic", magic=magic),))
            start = next(i for i, ln in enumerate(lines) if ln.strip() == first)
            lines[start] = ""
        python, removed = _strip_ipython("\n".join(lines))
        try:
            tree = ast.parse(python)
            compile(tree, "<cell>", "exec", dont_inherit=True)  # what only the compiler refuses, too
        except SyntaxError as exc:
            return CellOutcome(cell, first, "none", (i18n.text("notebook.syntax", error=exc.msg, line=exc.lineno),))
        except (ValueError, RecursionError, MemoryError) as exc:
            return CellOutcome(cell, first, "none", (i18n.text("notebook.unparsable", error=_first_line(exc)),))
        source_lines = python.split("\n")
        if directive:  # keep: the whole cell, IPython lines removed
            self.out.extend((line, (cell, i), 0) for i, line in enumerate(source_lines, start=1))
            for node in tree.body:
                self.used.update(_names_in(node))
                self._bind(node, kept=True)
            return CellOutcome(cell, first, "all")
        if not tree.body and removed:
            return CellOutcome(
                cell, first, "none", (i18n.text("notebook.only_ipython", commands=", ".join(_dedupe(removed))),)
            )
        reasons: list[str] = []
        for node in tree.body:
            reason = self._verdict(node)
            if reason is None:
                self._emit(cell, source_lines, node)
            else:
                reasons.append(i18n.text("notebook.at_line", line=_first_lineno(node), reason=reason))
            self._bind(node, kept=reason is None)
        if not reasons:
            return CellOutcome(cell, first, "all")
        kept = "part" if len(reasons) < len(tree.body) else "none"
        return CellOutcome(cell, first, kept, tuple(reasons))

    # --- deciding --------------------------------------------------------------------------

    def _verdict(self, node: ast.stmt) -> str | None:
        """None to keep `node`; otherwise what it does, as the reason it was left out."""
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return None
        if isinstance(node, (ast.Pass, ast.Global, ast.Nonlocal)):
            return None
        if isinstance(node, ast.Expr):
            if isinstance(node.value, ast.Constant):
                return None  # a string on its own: documentation
            return self._expression_reason(node.value)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if not all(_plain_names(t) for t in targets):
                return i18n.text("notebook.attribute")
            if node.value is None:
                return None
            return self._value_reason(node.value)
        if isinstance(node, ast.If):
            if _is_main_guard(node.test):
                return i18n.text("notebook.main_guard")
            return self._block_reason(node, [node.test], [*node.body, *node.orelse], i18n.text("notebook.if_block"))
        if isinstance(node, (ast.Try, ast.TryStar)):
            body = [*node.body, *node.orelse, *node.finalbody, *(s for h in node.handlers for s in h.body)]
            tests = [h.type for h in node.handlers if h.type is not None]
            return self._block_reason(node, tests, body, i18n.text("notebook.try_block"))
        if isinstance(node, (ast.For, ast.AsyncFor, ast.While)):
            return i18n.text("notebook.loop")
        if isinstance(node, (ast.With, ast.AsyncWith)):
            return i18n.text("notebook.with_block")
        return i18n.text("notebook.statement", kind=type(node).__name__.lower())

    def _block_reason(self, node: ast.stmt, tests: list[ast.expr], body: list[ast.stmt], what: str) -> str | None:
        for test in tests:
            if (reason := self._value_reason(test)) is not None:
                return i18n.text("notebook.condition", what=what, reason=reason)
        for inner in body:
            if self._verdict(inner) is not None:
                return i18n.text("notebook.block_work", what=what)
        return None

    def _value_reason(self, value: ast.expr) -> str | None:
        for name in _names_read(value):
            if name == "get_ipython":
                return i18n.text("notebook.get_ipython")
            if name in self.dropped:
                return i18n.text("notebook.dropped_name", name=name)
            if name not in self.bound:
                return i18n.text("notebook.undefined_name", name=name)
        for call in _calls(value):
            if (reason := self._call_reason(call)) is not None:
                return reason
        return None

    def _expression_reason(self, value: ast.expr) -> str:
        if isinstance(value, ast.Call):
            return i18n.text("notebook.calls", name=_callee_text(value))
        if isinstance(value, (ast.Await, ast.Yield, ast.YieldFrom)):
            return i18n.text("notebook.runs_code")
        return i18n.text("notebook.shows_value")

    def _call_reason(self, call: ast.Call) -> str | None:
        root, dotted = _callee(call.func)
        if root is None:
            return None
        if root in self.functions:
            return i18n.text("notebook.runs_function", name=root)
        if root == "get_ipython":
            return i18n.text("notebook.get_ipython")
        canonical = self.aliases.get(root, root if root in _WORK_BUILTINS else "")
        if not canonical:
            return None  # a method of a value the notebook built, or a class: configuration
        full = canonical + dotted
        if root in _WORK_BUILTINS and canonical == root:
            return i18n.text("notebook.calls", name=root)
        for prefix in _WORK_PREFIXES:
            if full == prefix or full.startswith(prefix + ".") or (prefix.endswith("_") and full.startswith(prefix)):
                return i18n.text("notebook.calls_work", name=root + dotted)
        return None

    # --- names -----------------------------------------------------------------------------

    def _bind(self, node: ast.stmt, *, kept: bool) -> None:
        """Record the names `node` binds at module level, and the dotted origins of what it imports."""
        if kept:
            for inner in _statements(node):
                if isinstance(inner, (ast.Import, ast.ImportFrom)):
                    self._alias(inner)
        for name in _bound_names(node):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and name == node.name:
                self.functions.add(name)
            elif kept:
                self.functions.discard(name)
            if kept:
                self.dropped.discard(name)
                self.bound.add(name)
            else:
                self.dropped.add(name)

    def _alias(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if isinstance(node, ast.Import):
                bound = alias.asname or alias.name.split(".")[0]
                self.aliases[bound] = alias.name if alias.asname else bound
            elif alias.name != "*":
                base = "." * node.level + (node.module or "")
                self.aliases[alias.asname or alias.name] = f"{base}.{alias.name}"

    # --- writing ---------------------------------------------------------------------------

    def _emit(self, cell: int, lines: list[str], node: ast.stmt) -> None:
        start = _first_lineno(node)
        end = node.end_lineno or start
        first_col = 0 if start < node.lineno or not lines[start - 1][: node.col_offset].strip() else node.col_offset
        segment = [lines[i - 1] for i in range(start, end + 1)]
        end_col = node.end_col_offset
        if end_col is not None:
            tail = lines[end - 1][end_col:]
            if tail.strip() and not tail.strip().startswith("#"):  # more statements after a `;`
                segment[-1] = segment[-1][:end_col]
        segment[0] = segment[0][first_col:]
        origins = [(cell, i) for i in range(start, end + 1)]
        waits = 0
        if isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_from(node, _FOR_SHOW):
            names = set(_bound_names(node))
            modules = ", ".join(sorted({m.split(".")[0] for m in _modules(node)}))
            self.waiting.append((names, cell, i18n.text("notebook.import_unused", line=start, modules=modules)))
            waits = len(self.waiting)
        else:
            self.used.update(_names_in(node))
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            self.future.extend((text, origin, 0) for text, origin in zip(segment, origins))
        elif isinstance(node, (ast.Import, ast.ImportFrom)) and _imports_from(node, _NOTEBOOK_ONLY):
            self.out.append(("try:", origins[0], 0))
            self.out.extend(("    " + text, origin, 0) for text, origin in zip(segment, origins))
            self.out.append(("except ImportError:  # only where a notebook runs", origins[-1], 0))
            self.out.append(("    pass", origins[-1], 0))
        else:
            self.out.extend((text, origin, waits) for text, origin in zip(segment, origins))


def _statements(node: ast.stmt) -> Iterator[ast.stmt]:
    """`node` and the statements in its blocks (not in functions or classes)."""
    yield node
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        for name in ("body", "orelse", "finalbody"):
            for inner in getattr(node, name, []):
                yield from _statements(inner)
        for handler in getattr(node, "handlers", []):
            for inner in handler.body:
                yield from _statements(inner)


def _first_lineno(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _plain_names(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, ast.Starred):
        return _plain_names(target.value)
    if isinstance(target, (ast.Tuple, ast.List)):
        return all(_plain_names(t) for t in target.elts)
    return False


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and any(isinstance(n, ast.Name) and n.id == "__name__" for n in [test.left, *test.comparators])
        and any(isinstance(n, ast.Constant) and n.value == "__main__" for n in [test.left, *test.comparators])
    )


def _names_read(value: ast.expr) -> Iterator[str]:
    """Names `value` reads from the module (a comprehension's own variables are not)."""
    own = {n.id for n in ast.walk(value) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    lambdas = [n for n in ast.walk(value) if isinstance(n, ast.Lambda)]
    own.update(a.arg for n in lambdas for a in ast.walk(n.args) if isinstance(a, ast.arg))
    for node in ast.walk(value):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id not in own:
            yield node.id


def _calls(value: ast.expr) -> Iterator[ast.Call]:
    """The calls `value` makes when evaluated (not those inside a lambda's body)."""
    stack: list[ast.AST] = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _callee(func: ast.expr) -> tuple[str | None, str]:
    """(root name, '.attr.attr') of a call's target: plt.plot -> ('plt', '.plot'); f()() -> ('f', '')."""
    attrs: list[str] = []
    while True:
        if isinstance(func, ast.Attribute):
            attrs.append(func.attr)
            func = func.value
        elif isinstance(func, ast.Call):
            attrs.clear()  # MyNet().to(device): what matters is the innermost call, checked on its own
            func = func.func
        elif isinstance(func, ast.Subscript):
            attrs.clear()
            func = func.value
        else:
            break
    if isinstance(func, ast.Name):
        return func.id, "".join("." + a for a in reversed(attrs))
    return None, ""


def _callee_text(call: ast.Call) -> str:
    root, dotted = _callee(call.func)
    return (root or "a function") + dotted


def _bound_names(node: ast.stmt) -> Iterator[str]:
    """The module-level names `node` binds (not those local to a function, class or comprehension)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node.name
        return
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name != "*":
                yield alias.asname or alias.name.split(".")[0]
        return
    stack: list[ast.AST] = list(ast.iter_child_nodes(node))
    while stack:
        inner = stack.pop()
        if isinstance(inner, ast.stmt) and not isinstance(inner, _BLOCKS):
            yield from _bound_names(inner)
        elif isinstance(inner, ast.Name) and isinstance(inner.ctx, (ast.Store, ast.Del)):
            yield inner.id
        elif not isinstance(inner, (ast.Lambda, *_SCOPES)):
            stack.extend(ast.iter_child_nodes(inner))


_SCOPES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_BLOCKS = (ast.If, ast.Try, ast.TryStar, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith)


def _modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    return [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]


def _imports_from(node: ast.Import | ast.ImportFrom, packages: tuple[str, ...]) -> bool:
    """Whether every module `node` imports belongs to one of `packages`."""
    return all(any(m == p or m.startswith(p + ".") for p in packages) for m in _modules(node))


def _names_in(node: ast.stmt) -> set[str]:
    """Every name `node` reads, in function bodies too (attribute roots included)."""
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _with_reasons(outcome: CellOutcome, reasons: list[str], anything_kept: bool) -> CellOutcome:
    kept = "part" if anything_kept else "none"
    return CellOutcome(outcome.cell, outcome.first_line, kept, (*outcome.reasons, *reasons))


def _line_order(reason: str) -> int:
    """Reasons about line N sort by N; the others first."""
    match = re.match(r"(?:line )?(\d+)", reason)  # "line 3 calls ...", "3번째 줄: ..."
    return int(match.group(1)) if match else 0


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _shorten(line: str, width: int = 48) -> str:
    line = line.strip()
    return line if len(line) <= width else line[: width - 1] + "…"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0][:200] if lines else type(exc).__name__
