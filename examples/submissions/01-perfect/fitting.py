"""Assignment 3: fitting x² and sin(x) with a neural network (a complete example submission).

Lecture exercises 1 and 2: Linear(1, 256) -> ReLU -> Linear(256, 256) -> ReLU -> Linear(256, 1),
Adam with learning rate 0.001, batches of 100 uniform samples, summed squared error.
"""

from __future__ import annotations

import math
import random

import torch


def _layers():
    return torch.nn.Sequential(
        torch.nn.Linear(1, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 256),
        torch.nn.ReLU(),
        torch.nn.Linear(256, 1),
    )


def make_square_model():
    """Exercise 1: the model as an nn.Sequential (state-dict keys 0.weight ... 4.bias)."""
    return _layers()


class SinModel(torch.nn.Module):
    """Exercise 2: the same layers inside a class (state-dict keys layer.0.weight ... layer.4.bias)."""

    def __init__(self):
        super().__init__()
        self.layer = _layers()

    def forward(self, x):
        y = self.layer(x)
        return y


def _train(model, target, low, high, steps, batch_size, lr, seed):
    """The lecture's loop: a fresh batch of uniform samples in [low, high] every step."""
    rng = random.Random(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    costs = []
    for _ in range(steps):
        xs = [low + rng.random() * (high - low) for _ in range(batch_size)]
        x_train = torch.tensor([[x] for x in xs], dtype=torch.float32)
        y_train = torch.tensor([[target(x)] for x in xs], dtype=torch.float32)
        cost = ((model(x_train) - y_train) ** 2).sum()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return costs


def train_square(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    """Fit x² on [-100, 100]; returns (model, the cost of every step)."""
    torch.manual_seed(seed)  # the initial weights
    model = make_square_model()
    costs = _train(model, lambda x: x**2, -100.0, 100.0, steps, batch_size, lr, seed)
    return model, costs


def train_sin(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    """Fit sin(x) on [-10, 10]; returns (model, the cost of every step)."""
    torch.manual_seed(seed)
    model = SinModel()
    costs = _train(model, math.sin, -10.0, 10.0, steps, batch_size, lr, seed)
    return model, costs


def save_model(model, path):
    """Save the weights only, as in the lecture: torch.save(model.state_dict(), path)."""
    torch.save(model.state_dict(), path)


def load_square_model(path):
    model = make_square_model()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()


def load_sin_model(path):
    model = SinModel()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()
