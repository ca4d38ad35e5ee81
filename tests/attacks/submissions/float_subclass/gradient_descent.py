"""Attack: floats that agree with anything (pytest.approx, <, abs, subtraction)."""

DATA = [(2, 4), (4, 7), (8, 8)]


class Agreeable(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __lt__(self, other):
        return True

    def __le__(self, other):
        return True

    def __sub__(self, other):
        return Agreeable(0.0)

    def __rsub__(self, other):
        return Agreeable(0.0)

    def __abs__(self):
        return Agreeable(0.0)

    __hash__ = float.__hash__


def cost(a, b, data):
    return Agreeable(123.0)


def gradient(a, b, data):
    return Agreeable(1.0), Agreeable(-2.0)


def step(a, b, data, alpha):
    return Agreeable(1.0), Agreeable(1.0)


def fit(data, alpha=0.001, steps=100_000, a=0.0, b=0.0):
    return Agreeable(1.0), Agreeable(1.0)


def fit_torch(data, lr=0.001, steps=10_000, seed=0):
    return Agreeable(1.0), Agreeable(1.0)
