"""Wheel build hook: bundle the public half of the course inside the package.

Only a whitelist travels, the one `grader dist` uses too (`grader.dist.public_course_files`):
each assignment's `assignment.toml`, its statement (`README*.md`) and the files of
`checks/public/`. Reference solutions and hidden checks are never read here, so they cannot
end up in the wheel (tests/test_wheel.py builds one and checks).
"""

from __future__ import annotations

import sys
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        sys.path.insert(0, self.root)  # the source tree's grader package: dist.py imports nothing heavy
        try:
            from grader.dist import public_course_files
        finally:
            sys.path.remove(self.root)
        build_data["force_include"].update(public_course_files(Path(self.root), prefix="grader/_course/"))
