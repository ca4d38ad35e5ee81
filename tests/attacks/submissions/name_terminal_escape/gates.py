"""Assignment 1: perceptron logic gates.

Fill in every function and weight triple below; keep the names and signatures exactly as
they are. Check your work with `grader check 1` in this folder. The statement explains the
task in full (`grader list` shows the assignments; the statement is in the course's
assignments/01_gates/README.md).
"""

# (w1, w2, b) of a single perceptron computing each gate under the step rule.
AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    """Return 1 if sum(x_i * w_i) + b >= 0, else 0.

    Raise ValueError when x and w do not have the same length.
    """
    raise NotImplementedError


def AND(x1, x2):
    """The perceptron with AND_WEIGHTS. Inputs must be 0 or 1 (True/False allowed),
    anything else raises ValueError. Returns the int 0 or 1."""
    raise NotImplementedError


def OR(x1, x2):
    """The perceptron with OR_WEIGHTS; same input rules as AND."""
    raise NotImplementedError


def NAND(x1, x2):
    """The perceptron with NAND_WEIGHTS; same input rules as AND."""
    raise NotImplementedError


def XOR(x1, x2):
    """A two-layer network built by calling the gates above (one perceptron cannot do it)."""
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    """Train torch.nn.Linear(2, 1) followed by tanh with mean squared error and SGD.

    inputs: list of [x1, x2] pairs; targets: list of -1.0 / +1.0.
    Call torch.manual_seed(seed) first. Return (weights, bias) as plain Python floats:
    a list of two floats and a float.
    """
    raise NotImplementedError
