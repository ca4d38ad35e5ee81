"""The right code in a file with the wrong name (gate.py instead of gates.py)."""


def perceptron(x, w, b):
    return 1 if sum(a * c for a, c in zip(x, w)) + b >= 0 else 0
