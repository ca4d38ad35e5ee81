"""Attack: inject HTML and script into the report."""

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    raise RuntimeError('</pre></code></td><script>alert("exception")</script>')


def AND(x1, x2):
    return '<svg onload=alert("value")>'


def OR(x1, x2):
    raise NotImplementedError


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    raise NotImplementedError


print('<script>alert("output")</script><img src=x onerror=alert(2)>', flush=True)
