"""Assignment 2: gradient descent by hand.

Fill in every function below; keep the names and signatures exactly as they are. Check your
work with `grader check 2` in this folder. The statement explains the task in full (`grader list`
shows the assignments; the statement is in the course's assignments/02_gradient_descent/README.md).

cost, gradient, step and fit are written by hand in plain Python (NumPy is allowed): no torch and
no automatic differentiation in them or in any helper they call. Only fit_torch uses torch.
Data sets are lists of (x, y) pairs, such as DATA.
"""

import math  # noqa: F401  (math.isfinite is useful in fit)

import torch  # noqa: F401  (for fit_torch only)

# The lecture's three points (x, y).
DATA = [(2, 4), (4, 7), (8, 8)]


def cost(a, b, data):
    """The summed squared error of the line y = a*x + b: the sum of (a*x + b - y)**2 over data."""
    raise NotImplementedError


def gradient(a, b, data):
    """(d cost/d a, d cost/d b) at (a, b), from the partial derivatives you derived by hand.

    Returns a pair of floats. At a = b = 0 on DATA it is (-200, -38).
    """
    raise NotImplementedError


def step(a, b, data, alpha):
    """One gradient descent update: (a - alpha * d cost/d a, b - alpha * d cost/d b).

    Returns the new (a, b). From a = b = 0 on DATA with alpha = 0.001 it is (0.2, 0.038).
    """
    raise NotImplementedError


def fit(data, alpha=0.001, steps=100_000, a=0.0, b=0.0):
    """Start from (a, b) and apply `steps` updates with learning rate alpha; return the final (a, b).

    Raise FloatingPointError as soon as a or b is no longer finite (alpha too large: divergence).
    """
    raise NotImplementedError


def fit_torch(data, lr=0.001, steps=10_000, seed=0):
    """The same fit with PyTorch: call torch.manual_seed(seed), then build torch.nn.Linear(1, 1),
    minimise the summed squared error ((layer(x) - y) ** 2).sum() with torch.optim.SGD(lr=lr)
    for `steps` steps, and return (weight, bias) as plain Python floats (use .item())."""
    raise NotImplementedError
