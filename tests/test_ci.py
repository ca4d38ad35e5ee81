"""CI on push: the student template's workflow is valid and the command it runs speaks GitHub's language."""

from __future__ import annotations

import base64
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from grader.exporters.github import CLASSROOM_FIELDS
from tests.conftest import REPO

WORKFLOW = REPO / "student_template" / ".github" / "workflows" / "grade.yml"
GRADER = Path(sys.executable).with_name("grader")


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def grading_step() -> dict:
    (job,) = workflow()["jobs"].values()
    (step,) = [s for s in job["steps"] if "grader check" in s.get("run", "")]
    return step


def test_the_workflow_is_valid_yaml_that_runs_on_push():
    data = workflow()
    triggers = data.get("on", data.get(True))  # YAML 1.1 reads a bare `on` key as True
    assert "push" in triggers
    (job,) = data["jobs"].values()
    assert job["runs-on"] and job["timeout-minutes"] <= 60
    assert grading_step()["run"].strip() == "grader check --all --ci"
    reporter = [s for s in job["steps"] if "autograding-grading-reporter" in s.get("uses", "")]
    assert reporter and reporter[0]["with"]["runners"] == "grader"
    assert reporter[0]["env"] == {"GRADER_RESULTS": "${{ steps.grader.outputs.result }}"}


@pytest.fixture(scope="module")
def ci_run(tmp_path_factory):
    """The workflow's grading command, run as GitHub runs it, in a student repository made from the template."""
    repo = tmp_path_factory.mktemp("student-repo")
    shutil.copytree(REPO / "student_template", repo, dirs_exist_ok=True)
    shutil.copy(REPO / "reference" / "01_gates" / "gates.py", repo / "gates.py")
    github = tmp_path_factory.mktemp("github")
    env = os.environ | {
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(github / "summary.md"),
        "GITHUB_OUTPUT": str(github / "output"),
    }
    argv = shlex.split(grading_step()["run"])
    assert argv[0] == "grader"
    proc = subprocess.run([str(GRADER), *argv[1:]], cwd=repo, env=env, capture_output=True, text=True)
    return proc, github


def test_the_ci_command_prints_points_and_annotations(ci_run):
    proc, _ = ci_run
    assert proc.returncode == 1, proc.stderr  # the skeletons of assignments 2 to 5 fail
    lines = proc.stdout.splitlines()
    (total,) = [ln for ln in lines if ln.startswith("Points ")]
    score, max_score = (float(x) for x in total.removeprefix("Points ").split("/"))
    assert score > 0 and score < max_score
    errors = [ln for ln in lines if ln.startswith("::error ")]
    assert errors and all("title=Assignment " in ln for ln in errors)
    assert any("file=gradient_descent.py" in ln for ln in errors)
    assert not any("file=gates.py" in ln for ln in errors), "the reference passes every public check"


def test_the_ci_command_writes_the_job_summary_and_the_classroom_result(ci_run):
    proc, github = ci_run
    summary = (github / "summary.md").read_text(encoding="utf-8")
    assert "| Assignment | Status | Checks passed | Points |" in summary and "**Total**" in summary
    (line,) = (github / "output").read_text().splitlines()
    key, _, value = line.partition("=")
    result = json.loads(base64.b64decode(value))
    assert key == "result" and set(result) == set(CLASSROOM_FIELDS)
    assert result["status"] == "fail"
    total = next(ln for ln in proc.stdout.splitlines() if ln.startswith("Points "))
    assert total == f"Points {sum(t['score'] for t in result['tests']):g}/{result['max_score']:g}"
