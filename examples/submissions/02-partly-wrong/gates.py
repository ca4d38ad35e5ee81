"""Copies two of the lecture's mistakes and skips input checks: loses points, not all."""

import torch

AND_WEIGHTS = (0.5, 0.5, -0.7)
OR_WEIGHTS = (0.6, 0.6, -0.5)
NAND_WEIGHTS = (-0.5, -0.5, 0.7)


def perceptron(x, w, b):
    result = sum(a * c for a, c in zip(x, w)) + b
    if result <= 0:  # the lecture's gate code: a sum of exactly 0 gives 0
        return 0
    return 1


def AND(x1, x2):
    return perceptron([x1, x2], AND_WEIGHTS[:2], AND_WEIGHTS[2])


def OR(x1, x2):
    return perceptron([x1, x2], OR_WEIGHTS[:2], OR_WEIGHTS[2])


def NAND(x1, x2):
    return perceptron([x1, x2], NAND_WEIGHTS[:2], NAND_WEIGHTS[2])


def XOR(x1, x2):
    return int(x1 != x2)  # right answers, but not a network of gates


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    torch.manual_seed(seed)
    x = torch.tensor(inputs, dtype=torch.float32)
    y = torch.tensor(targets, dtype=torch.float32).reshape(-1, 1)
    layer = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD(layer.parameters(), lr=lr)
    for _ in range(epochs):
        loss = torch.mean((y - torch.tanh(layer(x))) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return layer.weight.detach().reshape(-1).tolist(), layer.bias.item()
