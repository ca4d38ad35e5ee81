"""Assignment 3: fitting x² and sin(x) with a neural network (lecture exercises 1 and 2).

Fill in every function below; keep the names and signatures exactly as they are. Submit this
file together with the two checkpoints you train with it, square_model.pt and sin_model.pt.
Check your work with `grader check 3` in this folder. The statement explains the task in full
(assignments/03_function_fitting/README.md in the course repository).

Both models: Linear(1, 256) -> ReLU -> Linear(256, 256) -> ReLU -> Linear(256, 1).
Training: Adam with learning rate lr, a fresh batch of batch_size uniform samples every step,
cost = ((model(x_train) - y_train) ** 2).sum().
"""

import torch


def make_square_model():
    """Exercise 1: return the model as a torch.nn.Sequential of the five layers above.

    Its state-dict keys are 0.weight, 0.bias, 2.weight, 2.bias, 4.weight, 4.bias.
    """
    raise NotImplementedError


class SinModel(torch.nn.Module):
    """Exercise 2: the same five layers, stored as self.layer = torch.nn.Sequential(...).

    Its state-dict keys are layer.0.weight, layer.0.bias, ..., layer.4.bias.
    """

    def __init__(self):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        """x of shape (N, 1) -> predictions of shape (N, 1): apply self.layer, nothing else."""
        raise NotImplementedError


def train_square(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    """Fit y = x² on [-100, 100]; return (model, costs).

    Call torch.manual_seed(seed) first (and seed your sampling of x), build make_square_model(),
    and train it for `steps` steps with torch.optim.Adam(model.parameters(), lr=lr). Every step
    draws batch_size values of x uniformly in [-100, 100], computes
    cost = ((model(x_train) - y_train) ** 2).sum(), then zero_grad, backward and step.
    costs is a list with the cost of every step as a plain float (cost.item()).
    The same seed must give the same model and costs.
    """
    raise NotImplementedError


def train_sin(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    """Fit y = sin(x) on [-10, 10] with a SinModel; return (model, costs). Same rules as train_square."""
    raise NotImplementedError


def save_model(model, path):
    """Save the weights only: torch.save(model.state_dict(), path)."""
    raise NotImplementedError


def load_square_model(path):
    """Build make_square_model(), load the state dict saved at path into it, and return it."""
    raise NotImplementedError


def load_sin_model(path):
    """Build a SinModel, load the state dict saved at path into it, and return it."""
    raise NotImplementedError
