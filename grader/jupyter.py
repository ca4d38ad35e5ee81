"""`grader.check(N)` inside a notebook: the public checks of assignment N on the notebook itself.

It runs exactly what ``grader check N`` runs on that file (the notebook converted by
`grader.notebook`, sandboxed worker, judge apart), shows the report in the notebook and returns
the `AssignmentResult`. The notebook is found without being named:

- Colab: its content comes from Colab's own notebook API (``google.colab._message``), so what is
  checked is what is on screen, saved or not; the other files (checkpoints) come from the
  current folder (``/content``).
- Jupyter Lab and Notebook: the path the server gives the kernel (``JPY_SESSION_NAME``), or the
  running servers' sessions, matched by this kernel's id.
- VS Code: the path it puts in the notebook's namespace (``__vsc_ipynb_file__``).

A notebook read from disk must be saved: when cells ran after the last save (the execution
counts saved in the file stop before the cells this kernel ran since), the check refuses with
"save the notebook first", since it would grade what the file holds rather than what the
student sees.
"""

from __future__ import annotations

import io
import json
import os
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import i18n
from grader.errors import GraderError, StaleNotebook
from grader.results import AssignmentResult
from grader.version import __version__

__all__ = ["CheckResult", "check", "find_notebook"]

_COLAB_TIMEOUT_S = 30.0
_SERVER_TIMEOUT_S = 2.0


@dataclass(repr=False)
class CheckResult(AssignmentResult):
    """An `AssignmentResult` that prints as one line in a notebook (the report is shown above it)."""

    def __repr__(self) -> str:
        from grader.results import points

        return (
            f"<AssignmentResult {self.id} · {self.title}: {points(self.score)}/{points(self.max_score)} "
            f"({self.status}, {'public checks' if self.scope == 'public' else 'all checks'})>"
        )

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass(frozen=True)
class Located:
    """Which notebook to check and the folder whose other files (checkpoints) go with it."""

    notebook: Path
    folder: Path
    from_disk: bool  # False: Colab's live copy, written to a temporary file


def check(
    assignment: int,
    notebook: str | os.PathLike[str] | None = None,
    *,
    course: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    show: bool = True,
    lang: str | None = None,
) -> CheckResult:
    """Run the public checks of `assignment` on this notebook (or on `notebook`) and show the report.

    Returns the result (`score`, `max_score`, `tests`). The HTML report is also written to
    ``grader-report/N.html`` beside the notebook. `lang`: ``"en"`` or ``"ko"`` (default:
    ``GRADER_LANG``, else the locale).
    """
    i18n.use(i18n.choose(lang))
    from grader.course import find_course
    from grader.data import prepare
    from grader.grading import check_folder
    from grader.runner import JudgeRunner

    found = find_course(Path(course) if course is not None else None)
    target = found.get(assignment)
    data = Path(data_dir) if data_dir is not None else None
    with tempfile.TemporaryDirectory(prefix="grader-nb-") as tmp:
        located = find_notebook(notebook, Path(tmp))
        if located.from_disk:
            _refuse_stale(located.notebook)
        if target.data:
            prepare(list(target.data), data)
        report_dir = located.folder / "grader-report"
        results = check_folder(
            course=found,
            assignment_ids=[assignment],
            folder=located.folder,
            notebooks={f"{target.module}.py": located.notebook},
            student=located.notebook.name,
            report_dir=report_dir,
            runner=JudgeRunner(data_dir=data),
        )
    result = CheckResult(**vars(results[0]))
    if show:
        _show(result, report_dir / f"{assignment}.html")
    return result


# --- which notebook ------------------------------------------------------------------------


def find_notebook(explicit: str | os.PathLike[str] | None, scratch: Path) -> Located:
    """The notebook to check: `explicit`, else the one this kernel runs (Colab's copy goes to `scratch`)."""
    if explicit is not None:
        path = Path(explicit).expanduser()
        if path.suffix.lower() != ".ipynb":
            raise GraderError(i18n.text("jupyter.not_a_notebook", path=path))
        if not path.is_file():
            raise GraderError(i18n.text("jupyter.no_notebook", path=path, cwd=Path.cwd()))
        return Located(path.resolve(), path.resolve().parent, True)
    if "google.colab" in sys.modules:
        return _colab_notebook(scratch)
    running = _jupyter_notebook()
    if running is None:
        raise GraderError(i18n.text("jupyter.which_notebook"))
    return Located(running, running.parent, True)


def _colab_notebook(scratch: Path) -> Located:
    """Colab's notebook as the browser holds it, written to `scratch` under its own name."""
    try:
        from google.colab import _message  # type: ignore[import-not-found]

        reply = _message.blocking_request("get_ipynb", request="", timeout_sec=_COLAB_TIMEOUT_S)
    except Exception as exc:  # Colab's API, whatever goes wrong in it
        raise GraderError(i18n.text("jupyter.colab_error", type=type(exc).__name__, error=exc)) from None
    content = reply.get("ipynb") if isinstance(reply, dict) else None
    if not isinstance(content, dict):
        raise GraderError(i18n.text("jupyter.colab_empty"))
    name = str(content.get("metadata", {}).get("colab", {}).get("name") or "notebook.ipynb")
    name = Path(name.replace("\\", "/")).name or "notebook.ipynb"
    if not name.lower().endswith(".ipynb"):
        name += ".ipynb"
    path = scratch / name
    path.write_text(json.dumps(content), encoding="utf-8")
    return Located(path, Path.cwd(), False)


def _jupyter_notebook() -> Path | None:
    """The notebook this Jupyter or VS Code kernel runs, or None when it cannot be told."""
    shell = _ipython()
    vscode = shell.user_ns.get("__vsc_ipynb_file__") if shell is not None else None
    for candidate in (vscode, os.environ.get("JPY_SESSION_NAME")):
        if isinstance(candidate, str) and candidate:
            path = Path(candidate)
            for option in (path, Path.cwd() / path.name):
                if option.suffix == ".ipynb" and option.is_file():
                    return option.resolve()
    return _from_servers()


def _from_servers() -> Path | None:
    """Ask the running Jupyter servers which session has this kernel (as Jupyter's own tools do)."""
    kernel_id = _kernel_id()
    if kernel_id is None:
        return None
    for server in _running_servers():
        url = str(server.get("url", ""))
        if not url.startswith(("http://localhost", "http://127.0.0.1", "https://localhost", "https://127.0.0.1")):
            continue
        query = "?" + urllib.parse.urlencode({"token": server["token"]}) if server.get("token") else ""
        try:
            with urllib.request.urlopen(url.rstrip("/") + "/api/sessions" + query, timeout=_SERVER_TIMEOUT_S) as reply:
                sessions = json.load(reply)
        except Exception:  # a server that went away, a password instead of a token
            continue
        root = Path(str(server.get("root_dir") or server.get("notebook_dir") or "."))
        for session in sessions if isinstance(sessions, list) else []:
            if session.get("kernel", {}).get("id") == kernel_id:
                relative = session.get("path") or session.get("notebook", {}).get("path")
                if isinstance(relative, str) and (root / relative).is_file():
                    return (root / relative).resolve()
    return None


def _kernel_id() -> str | None:
    """This kernel's id, from its connection file's name (kernel-ID.json); None outside a kernel."""
    try:
        from ipykernel.connect import get_connection_file  # type: ignore[import-not-found]

        return Path(get_connection_file()).stem.removeprefix("kernel-")
    except Exception:  # not in a Jupyter kernel
        return None


def _running_servers() -> list[dict[str, Any]]:
    servers: list[dict[str, Any]] = []
    for module in ("jupyter_server.serverapp", "notebook.notebookapp"):
        try:
            app = __import__(module, fromlist=["list_running_servers"])
            servers += list(app.list_running_servers())
        except Exception:  # not installed, or its runtime folder unreadable
            continue
    return servers


# --- saved or not --------------------------------------------------------------------------


def _refuse_stale(path: Path) -> None:
    """`StaleNotebook` when this kernel ran cells after the notebook at `path` was last saved.

    The file keeps each cell's execution count as of its last save. When those counts come from
    this kernel (none above the cell running now) and some cell ran after the highest of them,
    the file is older than what ran; cells that only call ``grader.check`` do not count.
    """
    shell = _ipython()
    if shell is None:
        return
    try:
        saved = json.loads(path.read_text(encoding="utf-8-sig"))
        counts: list[int] = [
            c["execution_count"]
            for c in saved.get("cells", [])
            if isinstance(c, dict) and c.get("cell_type") == "code" and type(c.get("execution_count")) is int
        ]
    except (OSError, ValueError, AttributeError):
        return  # the conversion says what is wrong with the file
    current = int(getattr(shell, "execution_count", 0))
    last_saved = max(counts, default=0)
    if not counts or last_saved >= current:
        return  # not saved from this kernel's run (cleared outputs, restarted kernel): nothing to compare
    history = shell.user_ns.get("In", [])
    ran_since = [
        n
        for n in range(last_saved + 1, current)
        if n < len(history) and history[n].strip() and "grader.check" not in history[n]
    ]
    if ran_since:
        cells = ", ".join(f"In [{n}]" for n in ran_since[:5]) + (" …" if len(ran_since) > 5 else "")
        raise StaleNotebook(i18n.text("jupyter.stale", name=path.name, cells=cells))


# --- showing the result --------------------------------------------------------------------


def _ipython() -> Any:
    shell_module = sys.modules.get("IPython")
    if shell_module is None:
        return None
    try:
        return shell_module.get_ipython()
    except Exception:
        return None


def _show(result: AssignmentResult, report: Path) -> None:
    from grader.reports import render_inline
    from grader.terminal import Style, check_summary

    text = check_summary(result, report=str(report), style=Style(io.StringIO()))  # no colours
    shell = _ipython()
    if shell is None or not hasattr(shell, "kernel"):
        print(text)
        return
    from IPython.display import display  # type: ignore[import-not-found]

    html = render_inline(result, report=str(report), version=__version__, lang=result.lang)
    display({"text/html": html, "text/plain": text}, raw=True)
