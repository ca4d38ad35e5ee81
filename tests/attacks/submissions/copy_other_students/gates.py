"""Attack: copy another student's solution from the grader's scratch folders or the submissions folder."""

import glob
import json
import os
import tempfile

import attack_env

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    raise NotImplementedError


def AND(x1, x2):
    raise NotImplementedError


def OR(x1, x2):
    raise NotImplementedError


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    raise NotImplementedError


def _candidates():
    paths = []
    for pid in attack_env.grader_processes(include_grader=True):
        try:
            folder = os.readlink(f"/proc/{pid}/cwd")
            with open(os.path.join(folder, "job.json"), encoding="utf-8") as fh:
                submission = json.load(fh)["submission_dir"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        paths.append(os.path.join(submission, "gates.py"))
        paths += glob.glob(os.path.join(os.path.dirname(submission), "*", "gates.py"))
    for base in dict.fromkeys([tempfile.gettempdir(), "/tmp", "/var/tmp"]):
        for depth in range(1, 5):
            paths += glob.glob(os.path.join(base, "grader-*", *(["*"] * depth), "gates.py"))
    return list(dict.fromkeys(paths))


def _works(source):
    if "attack_env" in source or source.startswith('"""Attack'):
        return False  # this suite's other attacks: running them here would only add noise
    namespace = {}
    try:
        exec(compile(source, "other.py", "exec"), namespace)
        return namespace["AND"](1, 1) == 1 and namespace["AND"](0, 1) == 0
    except Exception:
        return False


MINE = os.path.realpath(__file__)
CANDIDATES = [p for p in _candidates() if os.path.realpath(p) != MINE]
print(f"{len(CANDIDATES)} other gates.py files visible", flush=True)
for _path in CANDIDATES:
    try:
        with open(_path, encoding="utf-8") as _fh:
            _source = _fh.read()
    except (OSError, UnicodeDecodeError):
        continue
    attack_env.succeeded(f"read another student's file {_path}")
    if _works(_source):
        exec(compile(_source, "gates.py", "exec"), globals())
        break
else:
    raise ImportError("no other student's solution could be read")
