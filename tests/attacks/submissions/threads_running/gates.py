"""Attack: threads that keep running after every call returns."""

import threading
import time

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


def _busy():
    """Works forever, in short bursts (a thread that spins without pause only slows the grading of this
    submission down, by holding the GIL, without testing anything more)."""
    while True:
        sum(range(20_000))
        time.sleep(0.005)


def _chatter():
    while True:
        print("a thread is still running", flush=True)
        time.sleep(0.2)


def _waiter():
    threading.Event().wait()


threading.Thread(target=_busy).start()
threading.Thread(target=_waiter).start()
threading.Thread(target=_busy, daemon=True).start()
threading.Thread(target=_chatter).start()
