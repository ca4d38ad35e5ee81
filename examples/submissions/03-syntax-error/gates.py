AND_WEIGHTS = (0.5, 0.5, -0.7)


def perceptron(x, w, b)
    return 1 if sum(a * c for a, c in zip(x, w)) + b >= 0 else 0
