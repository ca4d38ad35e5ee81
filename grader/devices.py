"""Which devices a grading machine has, asked without initialising CUDA in the asking process.

The judge decides whether GPU-only checks apply (it never trusts the worker for that), but must
not initialise CUDA itself: only workers do, through `grader.cuda_warmup`, which
`Assignment.worker_preload` adds for an assignment declaring `gpu = "optional"`.
"""

from __future__ import annotations

import os

__all__ = ["create_cuda_context", "cuda_available"]


def cuda_available() -> bool:
    """Whether torch sees a CUDA device, counted through NVML where torch can (no CUDA context)."""
    import torch

    if not torch.backends.cuda.is_built():
        return False
    previous = os.environ.get("PYTORCH_NVML_BASED_CUDA_CHECK")
    os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = "1"
    try:
        return bool(torch.cuda.is_available())
    finally:
        if previous is None:
            del os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"]
        else:
            os.environ["PYTORCH_NVML_BASED_CUDA_CHECK"] = previous


def create_cuda_context() -> bool:
    """Create this process's CUDA context now, if there is a device; returns whether it did.

    Workers do this before their memory limit is set: CUDA reserves a large virtual address
    space when it starts, which an address-space limit set earlier would refuse.
    """
    if not cuda_available():
        return False
    import torch

    torch.zeros(1, device="cuda")
    return True
