"""A correct solution written the way the lecture writes program 5-7: the layers kept as
attributes as well as in self.model (so the state dict names them twice), X.view(-1, 784) in the
loops, accuracy divided by len(dataloader.dataset), and the epoch's loss as the mean of the
batches' losses."""

import torch
from torchvision import datasets
from torchvision.transforms import ToTensor


class MultiLayerPerceptron(torch.nn.Module):
    def __init__(self, input_dim=784, hidden_dim=1024, output_dim=10):
        super(MultiLayerPerceptron, self).__init__()
        self.input_layer = torch.nn.Linear(in_features=input_dim, out_features=hidden_dim, bias=True)
        self.hidden_layer = torch.nn.Linear(in_features=hidden_dim, out_features=output_dim, bias=True)
        self.activation = torch.nn.Tanh()
        self.model = torch.nn.Sequential(self.input_layer, self.activation, self.hidden_layer)

    def forward(self, x):
        return self.model(x.view(len(x), -1))


def get_device():
    if torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")


def load_mnist(root, train):
    return datasets.MNIST(root=root, train=train, download=False, transform=ToTensor())


def train_epoch(model, loader, optimizer, loss_fn, device):
    acc = 0
    loss = 0
    model.train()
    for X, y in loader:
        X = X.view(-1, 784).to(device)
        y = y.to(device)
        pred = model(X)
        cost = loss_fn(pred, y)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        acc += torch.sum(torch.argmax(pred, dim=1) == y).item()
        loss += cost.item()
    return acc / len(loader.dataset), loss / len(loader)


def test_epoch(model, loader, loss_fn, device):
    acc = 0
    loss = 0
    model.eval()
    with torch.no_grad():
        for X, y in loader:
            X = X.view(-1, 784).to(device)
            y = y.to(device)
            pred = model(X)
            cost = loss_fn(pred, y)
            acc += torch.sum(torch.argmax(pred, dim=1) == y).item()
            loss += cost.item()
    return acc / len(loader.dataset), loss / len(loader)


def train(root, epochs=30, batch_size=128, lr=1e-3, device=None, limit=None, seed=0):
    torch.manual_seed(seed)
    if device is None:
        device = get_device()
    history = dict()
    history["train_acc"] = list()
    history["test_acc"] = list()
    history["train_loss"] = list()
    history["test_loss"] = list()

    training_data = load_mnist(root, train=True)
    test_data = load_mnist(root, train=False)
    if limit is not None:
        training_data = torch.utils.data.Subset(training_data, list(range(limit)))
    train_dataloader = torch.utils.data.DataLoader(training_data, batch_size=batch_size)
    test_dataloader = torch.utils.data.DataLoader(test_data, batch_size=batch_size, shuffle=False)

    MLP = MultiLayerPerceptron(input_dim=784, hidden_dim=1024, output_dim=10)
    MLP = MLP.to(device)
    optimizer = torch.optim.Adam(MLP.parameters(), lr=lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    for _ in range(epochs):
        acc, loss = train_epoch(MLP, train_dataloader, optimizer, loss_fn, device)
        history["train_acc"].append(acc)
        history["train_loss"].append(loss)
        acc, loss = test_epoch(MLP, test_dataloader, loss_fn, device)
        history["test_acc"].append(acc)
        history["test_loss"].append(loss)
    return MLP, history


def load_model(path):
    model = MultiLayerPerceptron()
    model.load_state_dict(torch.load(path, weights_only=True, map_location="cpu"))
    model.eval()
    return model
