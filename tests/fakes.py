"""Test doubles: a runner that starts nothing, so report, batch and command-line tests run fast."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from grader.course import Assignment
from grader.results import AssignmentResult, Scope

__all__ = ["FakeRunner"]


class FakeRunner:
    """A `grader.runner.Runner` that returns results from a function of (assignment, folder, scope)."""

    def __init__(self, produce: Callable[[Assignment, Path, Scope], AssignmentResult]):
        self.produce = produce
        self.calls: list[tuple[int, Path, Scope]] = []
        self.hidden: list[Path] = []

    def run(
        self,
        assignment: Assignment,
        folder: Path,
        *,
        scope: Scope,
        notebooks: Mapping[str, Path] | None = None,
    ) -> AssignmentResult:
        self.calls.append((assignment.id, folder, scope))
        return self.produce(assignment, folder, scope)

    def hide(self, folders: Sequence[Path]) -> None:
        self.hidden += folders

    def isolation(self) -> None:
        """None: no student code runs, so no isolation is needed."""
        return None

    def cancel(self) -> None:
        pass

    def close(self) -> None:
        pass
