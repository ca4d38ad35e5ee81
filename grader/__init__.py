"""An automated grader for a PyTorch neural-network course.

Student code runs in a sandboxed worker process; the checks run in a separate judge process
that only ever receives plain data back. See README.md for the commands.
"""

__version__ = "0.1.0"
