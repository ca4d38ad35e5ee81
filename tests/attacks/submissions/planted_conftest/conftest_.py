"""Planted conftest.py (stored as conftest_.py; the test renames it)."""

import os
import sys


def _mark(tag):
    """Leave a file in /tmp when imported by anything but the worker (whose arguments end with its JSON config)."""
    if any(arg.lstrip().startswith("{") for arg in sys.argv):
        return
    namespace = {}
    try:
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "attack_env.py"), encoding="utf-8") as fh:
            exec(fh.read(), namespace)
        with open(f"/tmp/{namespace['MARK']}-{tag}", "w", encoding="utf-8") as fh:
            fh.write(repr(sys.argv))
    except OSError:
        pass


_mark("conftest-imported")

import pytest  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome, report.longrepr = "passed", None


def pytest_collection_modifyitems(items):
    for item in items:
        item.add_marker(pytest.mark.skip(reason="planted"))
