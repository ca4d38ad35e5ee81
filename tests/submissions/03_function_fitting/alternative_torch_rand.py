"""A correct solution written differently: torch.rand sampling from a seeded generator, layers
appended to an empty Sequential, one generic training loop, mse_loss with reduction="sum"."""

import torch
import torch.nn.functional as F

SIZES = [(1, 256), (256, 256), (256, 1)]


def _sequential():
    model = torch.nn.Sequential()
    for index, (n_in, n_out) in enumerate(SIZES):
        model.append(torch.nn.Linear(n_in, n_out))
        if index < len(SIZES) - 1:
            model.append(torch.nn.ReLU())
    return model


def make_square_model():
    return _sequential()


class SinModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = _sequential()

    def forward(self, x):
        return self.layer(x)


def _fit(model, function, low, high, steps, batch_size, lr, seed):
    generator = torch.Generator().manual_seed(seed + 12345)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for _ in range(steps):
        x = low + (high - low) * torch.rand(batch_size, 1, generator=generator)
        cost = F.mse_loss(model(x), function(x), reduction="sum")
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        history.append(float(cost))
    return history


def train_square(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    model = make_square_model()
    return model, _fit(model, torch.square, -100.0, 100.0, steps, batch_size, lr, seed)


def train_sin(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    torch.manual_seed(seed)
    model = SinModel()
    return model, _fit(model, torch.sin, -10.0, 10.0, steps, batch_size, lr, seed)


def save_model(model, path):
    torch.save(model.state_dict(), path)


def _load(model, path):
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    model.eval()
    return model


def load_square_model(path):
    return _load(make_square_model(), path)


def load_sin_model(path):
    return _load(SinModel(), path)
