"""The grader's version: in results, reports and cache keys (a new version regrades everything).

A module of its own, importing nothing, so that any module may read it without importing the
package's `__init__` for it (which reaches `grader.jupyter`).
"""

__version__ = "0.1.0"
