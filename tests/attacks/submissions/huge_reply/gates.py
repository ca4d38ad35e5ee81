"""Attack: replies too large or too deep for the judge."""

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    return bytes(100 * 1024 * 1024)


def AND(x1, x2):
    value = 0
    for _ in range(200):
        value = [value]
    return value


def OR(x1, x2):
    return list(range(10_000_000))


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    raise NotImplementedError
