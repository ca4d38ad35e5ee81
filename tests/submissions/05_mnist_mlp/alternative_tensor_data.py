"""A correct solution that holds the training set as one tensor on the device (the fast way on a
GPU: no per-image conversion in every epoch), shuffles it with a seeded generator, puts a
Flatten in front of the layers (so they are model.1 and model.3), and uses the functional
cross-entropy and the no_grad decorator."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from torchvision import datasets, transforms


class MultiLayerPerceptron(nn.Module):
    def __init__(self, input_dim=784, hidden_dim=1024, output_dim=10):
        super().__init__()
        self.model = nn.Sequential(nn.Flatten(), nn.Linear(input_dim, hidden_dim), nn.Tanh(), nn.Linear(hidden_dim, output_dim))

    def forward(self, x):
        return self.model(x)


def get_device():
    return torch.device("cuda") if torch.cuda.is_available() else torch.device("cpu")


def load_mnist(root, train):
    return datasets.MNIST(root, train=train, download=False, transform=transforms.ToTensor())


def train_epoch(model, loader, optimizer, loss_fn, device):
    model.train()
    hits = seen = 0
    total = 0.0
    for images, labels in loader:
        images, labels = images.to(device, non_blocking=True), labels.to(device)
        logits = model(images)
        loss = loss_fn(logits, labels)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        hits += int((logits.argmax(1) == labels).sum())
        total += float(loss) * labels.numel()
        seen += labels.numel()
    return hits / seen, total / seen


@torch.no_grad()
def test_epoch(model, loader, loss_fn, device):
    model.eval()
    hits = seen = 0
    total = 0.0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        logits = model(images)
        hits += int((logits.argmax(1) == labels).sum())
        total += float(loss_fn(logits, labels)) * labels.numel()
        seen += labels.numel()
    return hits / seen, total / seen


def as_tensors(dataset, device, limit=None):
    """The whole data set as two tensors on device, exactly as ToTensor would give them."""
    images = dataset.data[:limit].unsqueeze(1).float().div(255)
    return TensorDataset(images.to(device), dataset.targets[:limit].to(device))


def train(root, epochs=30, batch_size=128, lr=1e-3, device=None, limit=None, seed=0):
    torch.manual_seed(seed)
    device = torch.device(device) if device is not None else get_device()
    training = as_tensors(load_mnist(root, True), device, limit)
    test = as_tensors(load_mnist(root, False), device)
    shuffle = torch.Generator().manual_seed(seed)
    train_loader = DataLoader(training, batch_size=batch_size, shuffle=True, generator=shuffle)
    test_loader = DataLoader(test, batch_size=batch_size)
    model = MultiLayerPerceptron().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = {"train_acc": [], "test_acc": [], "train_loss": [], "test_loss": []}
    for _ in range(epochs):
        for split, result in (
            ("train", train_epoch(model, train_loader, optimizer, F.cross_entropy, device)),
            ("test", test_epoch(model, test_loader, F.cross_entropy, device)),
        ):
            history[f"{split}_acc"].append(result[0])
            history[f"{split}_loss"].append(result[1])
    return model, history


def load_model(path):
    state = torch.load(path, weights_only=True, map_location="cpu")
    model = MultiLayerPerceptron()
    model.model[1].load_state_dict({"weight": state["model.0.weight"], "bias": state["model.0.bias"]})
    model.model[3].load_state_dict({"weight": state["model.2.weight"], "bias": state["model.2.bias"]})
    return model.eval()
