"""Wheel build hook: bundle the public half of the course inside the package.

Only a whitelist travels: each assignment's `assignment.toml`, its statement (`README*.md`)
and the files of `checks/public/`. Reference solutions and hidden checks are never read here,
so they cannot end up in the wheel (tests/test_wheel.py builds one and checks).
"""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


def public_course_files(root: Path) -> dict[str, str]:
    """Map of source path -> path inside the wheel, for the public parts of every assignment."""
    mapping: dict[str, str] = {}
    assignments = root / "assignments"
    if not assignments.is_dir():
        return mapping
    for folder in sorted(p for p in assignments.iterdir() if p.is_dir()):
        target = f"grader/_course/assignments/{folder.name}"
        wanted = [folder / "assignment.toml", *sorted(folder.glob("README*.md"))]
        public = folder / "checks" / "public"
        if public.is_dir():
            wanted += sorted(p for p in public.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in wanted:
            if path.is_file():
                mapping[str(path)] = f"{target}/{path.relative_to(folder).as_posix()}"
    return mapping


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        build_data["force_include"].update(public_course_files(Path(self.root)))
