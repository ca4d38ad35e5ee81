"""Assignment 4: one network, two answers, max and min.

Fill in every class and function below; keep the names and signatures exactly as they are.
Submit this file together with `minmax_model.pt`, the state dict of your trained model:

    model, costs = train()
    torch.save(model.state_dict(), "minmax_model.pt")

Check your work with `grader check 4` in this folder. The statement explains the task in full
(`grader list` shows the assignments; the statement is in the course's
assignments/04_minmax/README.md).
"""

import torch


class MinMaxModel(torch.nn.Module):
    """Lecture exercise 3: one shared trunk and two heads.

    self.layer     = Linear(2, 256) -> ReLU -> Linear(256, 256) -> ReLU -> Linear(256, 256) -> ReLU
    self.max_layer = Linear(256, 256) -> ReLU -> Linear(256, 1)
    self.min_layer = Linear(256, 256) -> ReLU -> Linear(256, 1)
    each built with torch.nn.Sequential, so that the state-dict keys are layer.0.weight, ...,
    max_layer.0.weight, ..., min_layer.2.bias.
    """

    def __init__(self):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        """x of shape (N, 2) -> (max, min), two tensors of shape (N, 1): the trunk's output
        goes through max_layer and through min_layer."""
        raise NotImplementedError


def minmax_cost(x, pred_max, pred_min):
    """The cost of one batch, a tensor with a single value:

    sum over the rows of (max(x1, x2) - pred_max)^2  +  sum over the rows of (min(x1, x2) - pred_min)^2

    x has shape (N, 2); pred_max and pred_min have shape (N, 1). Sums, not means.
    """
    raise NotImplementedError


def train(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    """Train a fresh MinMaxModel as in the lecture and return (model, costs).

    Call torch.manual_seed(seed) first (and random.seed(seed) if you draw with `random`).
    Each step draws batch_size pairs (x1, x2) uniformly from [0, 100], computes minmax_cost on
    them and takes one step of torch.optim.Adam with learning rate lr. costs is the list of
    the cost of every step as plain Python floats (cost.item()). The same seed must give the
    same result.
    """
    raise NotImplementedError


def load_model(path):
    """A MinMaxModel holding the state dict saved at path (use torch.load(path, weights_only=True))."""
    raise NotImplementedError
