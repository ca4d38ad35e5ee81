"""Attack: values that claim to equal anything."""


class Anything:
    """Equal to everything, and an int, a float and true when asked."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __int__(self):
        return 1

    def __index__(self):
        return 1

    def __float__(self):
        return 1.0

    def __bool__(self):
        return True

    def __len__(self):
        return 2

    def __iter__(self):
        return iter([Anything(), Anything()])

    def __getitem__(self, index):
        return Anything()

    __hash__ = object.__hash__


class LyingInt(int):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = int.__hash__


class LyingFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __gt__(self, other):
        return True

    def __ge__(self, other):
        return True

    __hash__ = float.__hash__


class LyingTuple(tuple):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = tuple.__hash__


class LyingList(list):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __len__(self):
        return 2

    __hash__ = None


AND_WEIGHTS = LyingTuple((LyingFloat(0.0), LyingFloat(0.0), LyingFloat(0.0)))
OR_WEIGHTS = Anything()
NAND_WEIGHTS = LyingTuple((0.0, 0.0, 0.0))


def perceptron(x, w, b):
    return LyingInt(7)


def AND(x1, x2):
    return Anything()


def OR(x1, x2):
    return LyingInt(5)


def NAND(x1, x2):
    return LyingFloat(0.5)


def XOR(x1, x2):
    return LyingList([3])


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    return LyingList([LyingFloat(0.0), LyingFloat(0.0)]), LyingFloat(0.0)
