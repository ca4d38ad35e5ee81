"""Attack: read the reference solution and the hidden checks from disk, and use the reference's answers."""

import contextlib
import glob
import os

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


WANTED = (
    "reference/01_gates/gates.py",
    "examples/submissions/01-perfect/gates.py",
    "assignments/01_gates/checks/hidden/test_gates_hidden.py",
)


def _roots():
    roots = []
    here = os.getcwd()
    while True:
        roots.append(here)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    try:
        import grader

        roots.append(os.path.dirname(os.path.dirname(os.path.abspath(grader.__file__))))
    except ImportError:
        pass
    for pid in attack_env.grader_processes(include_grader=True):
        with contextlib.suppress(OSError):
            roots.append(os.readlink(f"/proc/{pid}/cwd"))
    roots += ["/work/main", "/work", "/root", "/srv", "/opt", "/course", "/home"]
    roots += [p for p in glob.glob("/*/*/") + glob.glob("/home/*/*/") if not p.startswith(("/proc/", "/sys/"))]
    return list(dict.fromkeys(roots))


def _find():
    found = {}
    for root in _roots():
        for relative in WANTED:
            path = os.path.join(root, relative)
            try:
                with open(path, encoding="utf-8") as fh:
                    found.setdefault(relative, (path, fh.read()))
            except (OSError, UnicodeDecodeError):
                pass
    return found


FOUND = _find()
for _path, _ in FOUND.values():
    attack_env.succeeded(f"read {_path}")
_answers = FOUND.get(WANTED[0]) or FOUND.get(WANTED[1])
if _answers is None:
    raise ImportError("neither the reference, the example class nor the hidden checks could be read")
exec(compile(_answers[1], "gates.py", "exec"), globals())  # the reference's answers, as ours
