"""Assignment 5: MNIST with a multi-layer perceptron on the GPU (a complete example submission).

Lecture program 5-7 with its two bugs fixed: the test loop moves its inputs to the device too,
and the loss is the cross-entropy of the logits (not a squared error on class indices), so the
model's last layer has no activation. The device comes from get_device() or the caller; no
other line names "cuda".
"""

from __future__ import annotations

import torch
from torchvision import datasets
from torchvision.transforms import ToTensor


class MultiLayerPerceptron(torch.nn.Module):
    """784 -> hidden (tanh) -> 10 logits; `self.model` holds the layers (keys model.0.*, model.2.*)."""

    def __init__(self, input_dim=784, hidden_dim=1024, output_dim=10):
        super().__init__()
        self.model = torch.nn.Sequential(
            torch.nn.Linear(input_dim, hidden_dim),
            torch.nn.Tanh(),
            torch.nn.Linear(hidden_dim, output_dim),
        )

    def forward(self, x):
        """x of shape (N, 1, 28, 28) or (N, 784) -> logits of shape (N, 10)."""
        return self.model(x.reshape(x.shape[0], -1))


def get_device():
    """The GPU when there is one, else the CPU."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def load_mnist(root, train):
    """torchvision's MNIST under `root` (never downloaded here), images as tensors in [0, 1]."""
    return datasets.MNIST(root=root, train=train, download=False, transform=ToTensor())


def train_epoch(model, loader, optimizer, loss_fn, device):
    """One pass over `loader`, one optimizer step per batch; returns (accuracy, mean loss per image)."""
    model.train()
    correct, total_loss, count = 0, 0.0, 0
    for X, y in loader:
        X, y = X.to(device), y.to(device)
        pred = model(X)
        cost = loss_fn(pred, y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        correct += (pred.argmax(dim=1) == y).sum().item()
        total_loss += cost.item() * len(y)
        count += len(y)
    return correct / count, total_loss / count


def test_epoch(model, loader, loss_fn, device):
    """Evaluate on `loader` in eval mode without building a graph; returns (accuracy, mean loss per image)."""
    model.eval()
    correct, total_loss, count = 0, 0.0, 0
    with torch.no_grad():
        for X, y in loader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            correct += (pred.argmax(dim=1) == y).sum().item()
            total_loss += loss_fn(pred, y).item() * len(y)
            count += len(y)
    return correct / count, total_loss / count


def train(root, epochs=30, batch_size=128, lr=1e-3, device=None, limit=None, seed=0):
    """The lecture's recipe: Adam, cross-entropy, batches of `batch_size` in order; returns (model, history)."""
    torch.manual_seed(seed)
    device = get_device() if device is None else torch.device(device)
    training_data = load_mnist(root, train=True)
    if limit is not None:
        training_data = torch.utils.data.Subset(training_data, range(min(limit, len(training_data))))
    test_data = load_mnist(root, train=False)
    train_loader = torch.utils.data.DataLoader(training_data, batch_size=batch_size)
    test_loader = torch.utils.data.DataLoader(test_data, batch_size=batch_size, shuffle=False)

    model = MultiLayerPerceptron().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    history = {"train_acc": [], "test_acc": [], "train_loss": [], "test_loss": []}
    for _ in range(epochs):
        acc, loss = train_epoch(model, train_loader, optimizer, loss_fn, device)
        history["train_acc"].append(acc)
        history["train_loss"].append(loss)
        acc, loss = test_epoch(model, test_loader, loss_fn, device)
        history["test_acc"].append(acc)
        history["test_loss"].append(loss)
    return model, history


def load_model(path):
    """A MultiLayerPerceptron holding the state dict saved at `path`, on the CPU, in eval mode."""
    model = MultiLayerPerceptron()
    model.load_state_dict(torch.load(path, weights_only=True, map_location="cpu"))
    return model.eval()
