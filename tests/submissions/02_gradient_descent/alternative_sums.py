"""A correct solution written differently: the gradient from the sums of x², x, xy and y, an inlined
update in fit, and the lecture's torch code with FloatTensor and functional.mse_loss(sum)."""

import math

import torch
import torch.nn.functional as F

DATA = [(2, 4), (4, 7), (8, 8)]


def sums(data):
    n = len(data)
    sx = sum(x for x, _ in data)
    sy = sum(y for _, y in data)
    sxx = sum(x * x for x, _ in data)
    sxy = sum(x * y for x, y in data)
    return n, sx, sy, sxx, sxy


def cost(a, b, data):
    total = 0
    for x, y in data:
        total += (a * x + b - y) * (a * x + b - y)
    return total


def gradient(a, b, data):
    # cost = sum((a x + b - y)^2), so d/da = 2 (a Σx² + b Σx - Σxy) and d/db = 2 (a Σx + b n - Σy)
    n, sx, sy, sxx, sxy = sums(data)
    return 2 * (a * sxx + b * sx - sxy), 2 * (a * sx + b * n - sy)


def step(a, b, data, alpha):
    da, db = gradient(a, b, data)
    a -= alpha * da
    b -= alpha * db
    return a, b


def fit(data, alpha=0.001, steps=100_000, a=0.0, b=0.0):
    n, sx, sy, sxx, sxy = sums(data)
    a = float(a)
    b = float(b)
    for rep in range(steps):
        da = 2 * (a * sxx + b * sx - sxy)
        db = 2 * (a * sx + b * n - sy)
        a, b = a - alpha * da, b - alpha * db
        if math.isinf(a) or math.isinf(b) or math.isnan(a) or math.isnan(b):
            raise FloatingPointError("alpha is too large: gradient descent diverged at step %d" % (rep + 1))
    return a, b


def fit_torch(data, lr=0.001, steps=10_000, seed=0):
    torch.manual_seed(seed)
    x_train = torch.FloatTensor([[x] for x, _ in data])
    y_train = torch.FloatTensor([[y] for _, y in data])
    layer = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    for i in range(steps):
        cost = F.mse_loss(layer(x_train), y_train, reduction="sum")
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    return layer.weight.item(), layer.bias.item()
