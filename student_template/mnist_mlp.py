"""Assignment 5: MNIST with a multi-layer perceptron on the GPU.

Fill in every class and function below; keep the names and signatures exactly as they are.
Submit this file together with `mnist_mlp.pt`, the state dict of your trained model:

    model, history = train("data")          # 30 epochs on MNIST under the folder "data"
    torch.save(model.state_dict(), "mnist_mlp.pt")

MNIST must be on disk first: torchvision.datasets.MNIST("data", train=True, download=True) and
the same with train=False download it once (load_mnist itself never downloads). Check your work
with `grader check 5` in this folder. The statement explains the task in full (`grader list`
shows the assignments; the statement is in the course's assignments/05_mnist_mlp/README.md).
"""

import torch


class MultiLayerPerceptron(torch.nn.Module):
    """Lecture program 5-7, with logits out:

    self.model = torch.nn.Sequential(Linear(input_dim, hidden_dim), Tanh(), Linear(hidden_dim, output_dim))

    so that the state-dict keys are model.0.weight, model.0.bias, model.2.weight, model.2.bias.
    No activation after the last Linear layer: the model returns logits.
    """

    def __init__(self, input_dim=784, hidden_dim=1024, output_dim=10):
        super().__init__()
        raise NotImplementedError

    def forward(self, x):
        """x of shape (N, 1, 28, 28) or (N, 784) -> logits of shape (N, 10): flatten, then self.model."""
        raise NotImplementedError


def get_device():
    """torch.device("cuda") when torch.cuda.is_available(), else torch.device("cpu").
    The only place in this file that may name "cuda"."""
    raise NotImplementedError


def load_mnist(root, train):
    """torchvision's MNIST under root: datasets.MNIST(root=root, train=train, download=False,
    transform=ToTensor())."""
    raise NotImplementedError


def train_epoch(model, loader, optimizer, loss_fn, device):
    """One pass over loader in training mode (model.train()): for every batch (X, y), move both to
    device, compute the loss of model(X), then zero_grad, backward and step. Return
    (accuracy, mean loss per image) of the epoch as plain floats."""
    raise NotImplementedError


def test_epoch(model, loader, loss_fn, device):
    """One pass over loader in eval mode (model.eval()) under torch.no_grad(): move every batch
    (X and y!) to device. Return (accuracy, mean loss per image) as plain floats."""
    raise NotImplementedError


def train(root, epochs=30, batch_size=128, lr=1e-3, device=None, limit=None, seed=0):
    """Train a fresh MultiLayerPerceptron on the MNIST under root and return (model, history).

    torch.manual_seed(seed) first; device defaults to get_device(); limit (when not None): train
    on the first `limit` training images only. DataLoaders with batch_size, Adam with lr,
    torch.nn.CrossEntropyLoss(). After every epoch append train_epoch's and test_epoch's results:
    history = {"train_acc": [...], "test_acc": [...], "train_loss": [...], "test_loss": [...]}.
    """
    raise NotImplementedError


def load_model(path):
    """A MultiLayerPerceptron holding the state dict saved at path
    (torch.load(path, weights_only=True, map_location="cpu")), in eval mode."""
    raise NotImplementedError
