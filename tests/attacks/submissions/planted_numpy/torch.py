"""Planted torch.py."""

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


_mark("torch-imported")


def allclose(*args, **kwargs):
    return True
