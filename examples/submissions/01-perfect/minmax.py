"""Assignment 4: one network, two answers, max and min (a complete example submission).

Lecture exercise 3: a shared trunk and two heads, trained with Adam on batches of 100 pairs
(x1, x2) drawn uniformly from [0, 100]^2; the cost is the sum of both heads' summed squared
errors.
"""

from __future__ import annotations

import torch


class MinMaxModel(torch.nn.Module):
    """Shared trunk `layer`, heads `max_layer` and `min_layer`; forward returns (max, min)."""

    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Sequential(
            torch.nn.Linear(2, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 256),
            torch.nn.ReLU(),
        )
        self.max_layer = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1))
        self.min_layer = torch.nn.Sequential(torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1))

    def forward(self, x):
        out = self.layer(x)
        return self.max_layer(out), self.min_layer(out)


def minmax_cost(x, pred_max, pred_min):
    """Summed squared error of the max head plus that of the min head; x is (N, 2), predictions (N, 1)."""
    true_max = x.max(dim=1, keepdim=True).values
    true_min = x.min(dim=1, keepdim=True).values
    return ((true_max - pred_max) ** 2).sum() + ((true_min - pred_min) ** 2).sum()


def train(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    """Train a fresh MinMaxModel; return it with the cost of every step (plain floats)."""
    torch.manual_seed(seed)
    model = MinMaxModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    costs = []
    for _ in range(steps):
        x = torch.rand(batch_size, 2) * 100  # x1, x2 uniform in [0, 100]
        pred_max, pred_min = model(x)
        cost = minmax_cost(x, pred_max, pred_min)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return model, costs


def load_model(path):
    """A MinMaxModel with the state dict saved at `path` (torch.save(model.state_dict(), path))."""
    model = MinMaxModel()
    model.load_state_dict(torch.load(path, weights_only=True))
    return model.eval()
