"""The messages between the grader's processes: one codec, both sides, nothing forgotten in silence."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import CodecError, MessageError
from grader.messages import JudgeJob, Message, RunnerOptions, WorkerConfig, WorkerIsolation, ZygoteRequest
from grader.sources import SourceMap

EXAMPLES: list[Message] = [
    RunnerOptions(threads=2, data_dir=Path("/data"), private=(Path("/course"), Path("/out"))),
    RunnerOptions(),
    JudgeJob(
        assignment_dir=Path("/course/assignments/01_gates"),
        submission_dir=Path("/subs/alice"),
        files=("gates.py",),
        visibilities=("public", "hidden"),
        results_path=Path("/tmp/j/results.json"),
        threads=1,
        scratch=Path("/tmp/j"),
        data_dir=Path("/data"),
        collect_only=False,
        sources={"gates.py": SourceMap("gates.py", "gates.ipynb", ((1, 1), (2, 3)))},
        isolate=True,
        private=(Path("/course"),),
        require=("network", "filesystem"),
    ),
    WorkerConfig(
        preload=("torch",),
        threads=1,
        memory_bytes=2 << 30,
        cpu_seconds=660,
        file_bytes=64 << 20,
        open_files=256,
        processes=32,
        max_bytes=16 << 20,
        isolate=WorkerIsolation(keep=("/w/run1", "/w/home1"), share=("/tmp",), private=("/course",)),
    ),
    WorkerConfig.bare(),
    ZygoteRequest(module="grader.worker", args=("5", "100", "{}"), cwd="/w", env={"HOME": "/w"}, fds=(5,)),
]
IDS = [f"{type(m).__name__}-{i}" for i, m in enumerate(EXAMPLES)]


@pytest.mark.parametrize("message", EXAMPLES, ids=IDS)
def test_each_message_survives_the_trip_through_json(message):
    text = message.to_json()
    assert json.loads(text) == message.to_dict()
    assert type(message).from_json(text) == message


@pytest.mark.parametrize("message", EXAMPLES, ids=IDS)
def test_an_unknown_key_is_refused(message):
    data = message.to_dict() | {"surprise": 1}
    with pytest.raises(MessageError, match=r"unknown key.*surprise"):
        type(message).from_dict(data)


@pytest.mark.parametrize("message", EXAMPLES, ids=IDS)
def test_every_missing_key_is_refused(message):
    for field in dataclasses.fields(message):  # type: ignore[arg-type]
        data = message.to_dict()
        del data[field.name]
        with pytest.raises(MessageError, match=rf"missing key.*{field.name}"):
            type(message).from_dict(data)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"threads": "1"}, "WorkerConfig.threads"),
        ({"threads": True}, "WorkerConfig.threads"),  # a bool is no count
        ({"preload": "torch"}, "WorkerConfig.preload"),
        ({"preload": ["torch", 3]}, r"WorkerConfig.preload\[1\]"),
        ({"isolate": {"keep": [], "share": []}}, "WorkerConfig.isolate: missing key"),
        ({"memory_bytes": None}, "WorkerConfig.memory_bytes"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(change, where):
    data = EXAMPLES[3].to_dict() | change
    with pytest.raises(MessageError, match=where):
        WorkerConfig.from_dict(data)


def test_nested_and_mapped_values_are_checked_too():
    env = EXAMPLES[5].to_dict() | {"env": {"HOME": 1}}
    with pytest.raises(MessageError, match=r"ZygoteRequest\.env\.HOME"):
        ZygoteRequest.from_dict(env)
    job = EXAMPLES[2].to_dict()
    job["sources"] = {"gates.py": {"module_file": "gates.py"}}
    with pytest.raises(MessageError, match=r"JudgeJob\.sources\.gates\.py"):
        JudgeJob.from_dict(job)
    with pytest.raises(MessageError, match="not JSON"):
        RunnerOptions.from_json("{")
    with pytest.raises(MessageError, match="expected an object"):
        RunnerOptions.from_json("[]")


def test_a_message_error_is_a_codec_error():
    assert issubclass(MessageError, CodecError)


def test_the_worker_bootstrap_loads_nothing_heavy():
    """The worker reads its configuration before any library: the messages module must stay light."""
    code = (
        "import sys, grader.worker.__main__; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'torch', 'numpy', 'pytest', 'jinja2'}))"
    )
    out = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
