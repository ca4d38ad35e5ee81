"""Attack: a gradient with two equal components, so that a hidden check's assume() filters every example.

cost is a constant and gradient its (correct) zero derivative, which is worth the finite-difference
check; step and fit are wrong. With both partial derivatives equal, the hidden step check can never
find an example it keeps: hypothesis fails its health check, and the assignment would become a grader
error (never charged) instead of a low grade.
"""

DATA = [(2, 4), (4, 7), (8, 8)]


def cost(a, b, data):
    return 0.0


def gradient(a, b, data):
    return 0.0, 0.0


def step(a, b, data, alpha):
    return a, b


def fit(data, alpha=0.001, steps=100_000, a=0.0, b=0.0):
    return 0.0, 0.0


def fit_torch(data, lr=0.001, steps=10_000, seed=0):
    return 0.0, 0.0
