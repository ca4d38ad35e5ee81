"""Imported by workers whose checks may use the GPU (`gpu = "optional"` in assignment.toml):
creates the CUDA context before the worker's memory limit is applied. Does nothing without a CUDA device.
Never imported by the judge, which must not initialise CUDA."""

from grader.devices import create_cuda_context

CUDA_READY = create_cuda_context()
