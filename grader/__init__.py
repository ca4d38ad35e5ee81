"""An automated grader for a PyTorch neural-network course.

Student code runs in a sandboxed worker process; the checks run in a separate judge process
that only ever receives plain data back. See README.md for the commands.

In a notebook, ``import grader; grader.check(N)`` runs the public checks of assignment N on the
notebook itself and shows the report (`grader.jupyter.check`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grader.version import __version__

__all__ = ["__version__", "check"]

if TYPE_CHECKING:
    from grader.jupyter import CheckResult


def check(assignment: int, notebook: Any = None, **options: Any) -> CheckResult:
    """Run the public checks of `assignment` on this notebook (or the notebook at `notebook`),
    show the report and return the result: ``grader.check(2)``, ``grader.check(2, "hw2.ipynb")``.

    Options: `course` (a course folder), `data_dir` (where the data sets are), `show` (False: no report shown).
    """
    from grader.jupyter import check as run_check  # imported on use: `import grader` stays light

    return run_check(assignment, notebook, **options)
