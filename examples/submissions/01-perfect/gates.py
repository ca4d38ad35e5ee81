"""A complete, correct submission written differently from the reference."""

import torch

AND_WEIGHTS = (1.0, 1.0, -1.5)
OR_WEIGHTS = (1.0, 1.0, -0.5)
NAND_WEIGHTS = (-1.0, -1.0, 1.5)


def perceptron(x, w, b):
    if len(x) != len(w):
        raise ValueError("x and w must have the same length")
    return int(sum(a * c for a, c in zip(x, w)) + b >= 0)


def _check(*bits):
    for bit in bits:
        if bit not in (0, 1) or type(bit) not in (int, bool):
            raise ValueError(f"a gate input must be 0 or 1, not {bit!r}")


def AND(x1, x2):
    _check(x1, x2)
    return perceptron([x1, x2], AND_WEIGHTS[:2], AND_WEIGHTS[2])


def OR(x1, x2):
    _check(x1, x2)
    return perceptron([x1, x2], OR_WEIGHTS[:2], OR_WEIGHTS[2])


def NAND(x1, x2):
    _check(x1, x2)
    return perceptron([x1, x2], NAND_WEIGHTS[:2], NAND_WEIGHTS[2])


def XOR(x1, x2):
    s1 = NAND(x1, x2)
    s2 = OR(x1, x2)
    y = AND(s1, s2)
    return y


class Perceptron(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Tanh())

    def forward(self, x):
        return self.model(x)


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    torch.manual_seed(seed)
    x = torch.tensor(inputs, dtype=torch.float32)
    y = torch.tensor([[t] for t in targets], dtype=torch.float32)
    model = Perceptron()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for _ in range(epochs):
        loss = torch.mean((y - model(x)) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    layer = model.model[0]
    return [float(v) for v in layer.weight[0]], float(layer.bias[0])
