"""What a child of the zygote does between fork and its module: become a fresh interpreter.

`become` is called in the child right after `os.fork()` and never returns to the zygote's code:
`prepare` (also what a judge forked by a template does, `grader.judge.template`) sets PDEATHSIG on
the zygote, its own session, the descriptors arranged (/dev/null, the requester's
pipe, the passed ones at their numbers, nothing else), the folder, the environment, `sys.argv`
and `sys.path`, what libraries derived from the zygote's folders when imported, fresh random
seeds; then the module runs as ``__main__`` and its exit status is returned.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import os
import runpy
import signal
import sys
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.errors import ExitCode
from grader.sandbox import python_command

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4

forked = False  # set in a forked child: see `grader.zygote.forked_child`
BASE_PATH: list[str] = []  # the zygote's sys.path as isolated mode made it, before any import
_MAIN_CODE: dict[str, tuple[Any, Any]] = {}  # module -> (its __main__'s spec, compiled code)


def precompile(modules: tuple[str, ...]) -> None:
    """Find and compile each module's ``__main__`` once, in the zygote (~2 ms a child otherwise)."""
    for module in modules:
        _name, spec, code = runpy._get_module_details(module)  # type: ignore[attr-defined]
        _MAIN_CODE[module] = (spec, code)


@dataclass
class Request:
    """One validated request: what to run, where, and the descriptors that came with it."""

    module: str
    args: list[str]
    cwd: str
    env: dict[str, str]
    fds: list[int]  # received: the stdout pipe, then the passed descriptors
    targets: list[int]  # the numbers the passed descriptors get in the child


def become(request: Request, *, parent_pid: int) -> int:
    """Turn this fresh fork into ``python -I -X utf8 -B -m MODULE ARGS``; run it; return its exit status."""
    global forked
    if not prepare(request, parent_pid=parent_pid):
        return ExitCode.ORPHANED
    sys.path[:] = BASE_PATH
    forked = True
    return _run_module(request.module)


def prepare(request: Request, *, parent_pid: int) -> bool:
    """What every forked child does first; False when its parent died before it could tie itself to it.

    PDEATHSIG on the parent, a session of its own, the descriptors, the folder, the environment,
    `sys.argv`, the libraries' derived folders and fresh random seeds.
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the parent died before PDEATHSIG was set
        return False
    os.setsid()
    _arrange_fds(request.fds, request.targets)
    os.chdir(request.cwd)
    for key in [key for key in os.environ if key not in request.env]:
        del os.environ[key]
    for key, value in request.env.items():  # what differs only: each change is a putenv
        if os.environ.get(key) != value:
            os.environ[key] = value
    sys.argv = [request.module, *request.args]  # runpy puts the module's file first
    sys.orig_argv = python_command(request.module, *request.args)
    tempfile.tempdir = None
    _follow_folders()
    _fresh_state(request.env)
    return True


def _arrange_fds(received: list[int], targets: list[int]) -> None:
    """/dev/null on 0, the pipe on 1 and 2, each passed descriptor at its number; close the rest."""
    top = max([2, *targets, *received]) + 1
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, top) for fd in received]
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    null = fcntl.fcntl(null, fcntl.F_DUPFD_CLOEXEC, top)
    os.dup2(null, 0)
    os.dup2(moved[0], 1)
    os.dup2(moved[0], 2)
    for fd, target in zip(moved[1:], targets):
        os.dup2(fd, target)  # inheritable, as subprocess's pass_fds leaves them
    keep = {0, 1, 2, *targets}
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(3, os.sysconf("SC_OPEN_MAX")))
    for fd in open_fds:
        if fd not in keep:
            with contextlib.suppress(OSError):
                os.close(fd)


def _follow_folders() -> None:
    """Paths libraries derive from the cwd, HOME or TMPDIR when imported: derive them for the child.

    The ones the preloaded libraries have (found by scanning their globals for the zygote's
    folders); without this a child would share the zygote's hypothesis and torch.compile folders.
    """
    cwd = os.getcwd()
    modules: Any = sys.modules  # libraries that may or may not be loaded, attributes that may move
    with contextlib.suppress(Exception):
        modules["multiprocessing.process"].ORIGINAL_DIR = cwd
    with contextlib.suppress(Exception):
        modules["site"].USER_BASE = modules["site"].USER_SITE = None  # computed again when asked
    with contextlib.suppress(Exception):
        hypothesis = modules["hypothesis.configuration"]
        setattr(hypothesis, "__hypothesis_home_directory_default", Path(cwd) / ".hypothesis")
        setattr(hypothesis, "__hypothesis_home_directory", None)
    with contextlib.suppress(Exception):
        dynamo = modules["torch._dynamo.config"]
        dynamo.debug_dir_root = dynamo.default_debug_dir_root()
    with contextlib.suppress(Exception):
        package = modules["torch._dynamo.package"]
        default_cache_dir = modules["torch._inductor.runtime.cache_dir_utils"].default_cache_dir
        folder = os.environ.get("TORCHINDUCTOR_CACHE_DIR") or default_cache_dir()  # not cache_dir(): it sets the env
        package.DynamoCache._path_prefix = os.path.join(os.path.abspath(folder), "dynamo")
    with contextlib.suppress(Exception):
        vision = modules["torchvision._internally_replaced_utils"]
        vision._HOME = os.path.join(vision._get_torch_home(), "datasets", "vision")


def _fresh_state(env: dict[str, str]) -> None:
    """What a new interpreter would have: fresh random seeds, torch's thread count from the env."""
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()
    torch = sys.modules.get("torch")
    if torch is not None:
        torch.default_generator.seed()  # CPU only: CUDA is never touched here
        threads = env.get("OMP_NUM_THREADS", "")
        if threads.isdigit() and int(threads) > 1:
            torch.set_num_threads(int(threads))


def _run_module(module: str) -> int:
    code = 0
    try:
        if module in _MAIN_CODE:  # what run_module(alter_sys=True) does, with the zygote's compiled code
            spec, main_code = _MAIN_CODE[module]
            runpy._run_module_code(main_code, None, "__main__", spec)  # type: ignore[attr-defined]
        else:
            runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as exc:
        code = _exit_status(exc.code)
    except KeyboardInterrupt:
        traceback.print_exc()
        _flush()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)  # as Python does: the parent sees -SIGINT
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    with contextlib.suppress(BaseException):
        atexit._run_exitfuncs()
    _flush()
    return code


def _exit_status(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, int):
        return value & 0xFF
    with contextlib.suppress(BaseException):
        print(value, file=sys.stderr)
    return 1


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(BaseException):
            stream.flush()


def prctl(option: int, value: int) -> None:
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
