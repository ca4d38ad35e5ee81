"""A correct solution close to the lecture's code: random.random() and math.sin, lists turned
into torch.FloatTensor, a class whose layers are named in an OrderedDict and whose forward
walks through them one by one."""

import random
from collections import OrderedDict
from math import sin

import torch


def make_square_model():
    model = torch.nn.Sequential(
        torch.nn.Linear(1, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(), torch.nn.Linear(256, 1)
    )
    return model


class SinModel(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.layer = torch.nn.Sequential(
            OrderedDict(
                [
                    ("0", torch.nn.Linear(1, 256)),
                    ("1", torch.nn.ReLU()),
                    ("2", torch.nn.Linear(256, 256)),
                    ("3", torch.nn.ReLU()),
                    ("4", torch.nn.Linear(256, 1)),
                ]
            )
        )

    def forward(self, x):
        y = x
        for layer in self.layer:
            y = layer(y)
        return y


def train_square(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    random.seed(seed)
    torch.manual_seed(seed)
    model = make_square_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    costs = []
    for i in range(steps):
        x_train = []
        y_train = []
        for j in range(batch_size):
            x = random.random() * 200 - 100
            x_train.append([x])
            y_train.append([x**2])
        x_train = torch.FloatTensor(x_train)
        y_train = torch.FloatTensor(y_train)
        cost = ((model(x_train) - y_train) ** 2).sum()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return model, costs


def train_sin(steps=10_000, batch_size=100, lr=1e-3, seed=0):
    random.seed(seed)
    torch.manual_seed(seed)
    model = SinModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    costs = []
    for i in range(steps):
        x_train = []
        y_train = []
        for j in range(batch_size):
            x = random.random() * 20 - 10
            x_train.append([x])
            y_train.append([sin(x)])
        x_train = torch.FloatTensor(x_train)
        y_train = torch.FloatTensor(y_train)
        cost = ((model(x_train) - y_train) ** 2).sum()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    return model, costs


def save_model(model, path):
    torch.save(model.state_dict(), path)


def load_square_model(path):
    model = make_square_model()
    model.load_state_dict(torch.load(path))
    return model


def load_sin_model(path):
    model = SinModel()
    model.load_state_dict(torch.load(path))
    return model
