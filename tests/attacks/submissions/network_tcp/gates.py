"""Attack: talk to the network (a listener of the test on the loopback interface)."""

import socket

import attack_env

AND_WEIGHTS = (0.0, 0.0, 0.0)
OR_WEIGHTS = (0.0, 0.0, 0.0)
NAND_WEIGHTS = (0.0, 0.0, 0.0)


def perceptron(x, w, b):
    raise NotImplementedError


def AND(x1, x2):
    raise NotImplementedError


def OR(x1, x2):
    raise NotImplementedError


def NAND(x1, x2):
    raise NotImplementedError


def XOR(x1, x2):
    raise NotImplementedError


def train_perceptron(inputs, targets, epochs=500, lr=0.1, seed=0):
    raise NotImplementedError


def _talk():
    reached = []
    try:
        with socket.create_connection(("127.0.0.1", attack_env.TCP_PORT), timeout=3) as conn:
            conn.sendall(attack_env.MARK.encode())
            reached.append("tcp")
    except OSError as exc:
        print("tcp:", exc, flush=True)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.sendto(attack_env.MARK.encode(), ("127.0.0.1", attack_env.UDP_PORT))
    except OSError as exc:
        print("udp:", exc, flush=True)
    return reached


REACHED = _talk()
if REACHED:
    attack_env.succeeded(f"connected to 127.0.0.1:{attack_env.TCP_PORT}")
raise ImportError(f"network reached: {REACHED}")
