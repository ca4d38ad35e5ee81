"""What check authors see of a submission: the module proxy and the submitted files.

`Submission` forwards attribute reads and calls to the worker; `StudentFiles` reads the
submitted files as text in the judge (for syntax-tree checks) without importing anything.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from grader.errors import MissingName, RemoteError
from grader.i18n import text
from grader.judge.client import ROOT, WorkerClient
from grader.sources import SourceMap, read_source

__all__ = ["StudentFiles", "Submission"]


# What hypothesis looks for on a test's arguments: never the student's to answer.
_HYPOTHESIS_HOOKS = frozenset({"execute_example", "setup_example", "teardown_example"})


class Submission:
    """The student's module, as a proxy: ``submission.AND(1, 1)`` runs in the worker."""

    def __init__(self, client: WorkerClient, module_file: str):
        self._client = client
        self._module_file = module_file

    def __getattr__(self, name: str) -> Any:
        if name.startswith(("_", "hypothesis_")) or name in _HYPOTHESIS_HOOKS:  # asked by hypothesis, not a check
            raise AttributeError(name)
        try:
            return self._client.getattr(ROOT, name)
        except RemoteError as exc:
            if exc.type_name != "AttributeError":
                raise
            defined = ", ".join(exc.names[:20]) or text("judge.nothing_public")
            raise MissingName(text("judge.missing_name", file=self._module_file, name=name, defined=defined)) from None

    def __repr__(self) -> str:
        return f"<submission {self._module_file}>"


class StudentFiles:
    """The submitted files, read in the judge as text or bytes; never imported."""

    def __init__(self, folder: Path, names: list[str], sources: Mapping[str, SourceMap] | None = None):
        self._folder = folder
        self._names = set(names)
        self._sources = dict(sources or {})

    def path(self, name: str) -> Path:
        """Where a declared file of the submission is (it may not exist: a checkpoint not handed in)."""
        if name not in self._names:
            raise KeyError(f"{name} is not one of this assignment's submitted files")
        path = self._folder / name
        if path.is_symlink() or (path.exists() and not path.is_file()):
            # A link could point at anything the judge can read (a reference checkpoint, say).
            raise AssertionError(text("judge.not_a_file", name=name))
        return path

    def source(self, name: str) -> str:
        """The file's text, decoded as Python decodes it (a BOM, a coding declaration)."""
        return read_source(self.path(name), name)

    def tree(self, name: str) -> ast.Module:
        return ast.parse(self.source(name), filename=name)

    def location(self, name: str, line: int) -> str:
        """How to tell the student where line `line` of `name` is: 'line 12', or 'cell 4, line 3'
        when `name` was made from a notebook."""
        source_map = self._sources.get(name)
        return text("sources.line", line=line) if source_map is None else source_map.where(line)
