"""The course definition: `assignments/NN_slug/assignment.toml` and the check folders beside it.

Loaded and validated when the grader starts; a broken file is reported with the file and the
key at fault (`CourseError`).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from grader.data import DATA_SETS
from grader.errors import CourseError

__all__ = ["Assignment", "Course", "Limits", "find_course"]

_DIR_RE = re.compile(r"^(\d{2})_([a-z][a-z0-9_]*)$")
_FILE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.(py|pt)$")
# What `gpu = ...` may say: "none" (the default: the checks never use CUDA) or "optional" (they
# use it where the machine has it; GPU-only checks are skipped, their points not counted, without).
GPU_MODES = ("none", "optional")


@dataclass(frozen=True)
class Limits:
    """Per-assignment limits on what student code may use; all enforced from outside the worker."""

    call_timeout_s: float = 10.0  # one call into student code
    check_timeout_s: float = 60.0  # all student calls of one check together
    import_timeout_s: float = 30.0  # importing the student's module
    judge_timeout_s: float = 900.0  # the whole judge run of one assignment
    memory_mb: int = 3072  # resident memory of the worker beyond what torch itself needs
    output_bytes: int = 65536  # captured stdout/stderr kept per check
    transfer_mb: int = 256  # largest message a worker may send back
    file_mb: int = 64  # largest file the worker may write (RLIMIT_FSIZE; a memfd or tmpfs file too)
    open_files: int = 256  # files, sockets and pipes the worker may hold open at once (RLIMIT_NOFILE)


@dataclass(frozen=True)
class Assignment:
    """One assignment of the course, as its assignment.toml describes it."""

    id: int
    slug: str
    title: str
    points: float
    files: tuple[str, ...]
    module: str
    dir: Path
    checkpoints: tuple[str, ...] = ()
    preload: tuple[str, ...] = ()  # libraries the worker imports before its limits (`[worker] preload`)
    data: tuple[str, ...] = ()  # data sets the checks read (names of grader.data.DATA_SETS)
    gpu: str = "none"  # "optional": the checks use CUDA where the machine has it (GPU_MODES)
    limits: Limits = field(default_factory=Limits)
    title_ko: str = ""  # the title in Korean (`title_ko`); the English one where none is given

    def title_in(self, lang: str) -> str:
        """The title in `lang` (`grader.i18n`): the Korean one, where given, for "ko"."""
        return self.title_ko if lang == "ko" and self.title_ko else self.title

    @property
    def label(self) -> str:
        return f"{self.id:02d}_{self.slug}"

    @property
    def statement(self) -> Path:
        return self.dir / "README.md"

    @property
    def device_dependent(self) -> bool:
        """Whether a verdict may differ between a machine with CUDA and one without."""
        return self.gpu != "none"

    @property
    def worker_preload(self) -> tuple[str, ...]:
        """What the worker imports before its limits: the declared libraries and, for checks that
        use the GPU, the CUDA context (CUDA's address-space reservation would exceed the limit)."""
        return self.preload + (("grader.cuda_warmup",) if self.device_dependent else ())

    @property
    def submitted_files(self) -> tuple[str, ...]:
        return self.files + self.checkpoints

    def check_files(self, visibility: str) -> list[Path]:
        folder = self.dir / "checks" / visibility
        if not folder.is_dir():
            return []
        return sorted(folder.glob("test_*.py"))

    @property
    def has_hidden_checks(self) -> bool:
        return bool(self.check_files("hidden"))


@dataclass
class Course:
    """All assignments found under a course root (the folder holding `assignments/`)."""

    root: Path
    assignments: dict[int, Assignment]

    @classmethod
    def load(cls, root: Path) -> Course:
        folder = root / "assignments"
        if not folder.is_dir():
            raise CourseError("no assignments/ folder here", path=root)
        found: dict[int, Assignment] = {}
        for sub in sorted(folder.iterdir()):
            if not sub.is_dir() or sub.name.startswith((".", "_")):
                continue
            assignment = load_assignment(sub)
            if assignment.id in found:
                raise CourseError(
                    f"assignment id {assignment.id} is also used by {found[assignment.id].dir.name}",
                    path=sub / "assignment.toml",
                    key="id",
                )
            found[assignment.id] = assignment
        if not found:
            raise CourseError("no assignments found", path=folder)
        return cls(root=root, assignments=found)

    def get(self, assignment_id: int) -> Assignment:
        try:
            return self.assignments[assignment_id]
        except KeyError:
            known = ", ".join(str(i) for i in sorted(self.assignments))
            raise CourseError(f"there is no assignment {assignment_id} (the course has {known})") from None

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.assignments[i] for i in sorted(self.assignments))

    @property
    def reference_root(self) -> Path:
        return self.root / "reference"

    @property
    def template_root(self) -> Path:
        return self.root / "student_template"


def load_assignment(folder: Path) -> Assignment:
    """Read and validate one `assignment.toml`."""
    path = folder / "assignment.toml"
    match = _DIR_RE.match(folder.name)
    if not match:
        raise CourseError("assignment folders are named NN_slug (two digits, lower-case slug)", path=folder)
    if not path.is_file():
        raise CourseError("assignment.toml is missing", path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CourseError(f"not valid TOML: {exc}", path=path) from None

    known = {
        "id",
        "slug",
        "title",
        "title_ko",
        "points",
        "files",
        "module",
        "checkpoints",
        "limits",
        "worker",
        "data",
        "gpu",
    }
    _only_keys(data, path, "", known)
    aid = _typed(data, "id", int, path)
    slug = _typed(data, "slug", str, path)
    if aid != int(match.group(1)) or slug != match.group(2):
        raise CourseError(f"id and slug must match the folder name {folder.name}", path=path, key="id")
    title = _typed(data, "title", str, path)
    title_ko = data.get("title_ko", "")
    if not isinstance(title_ko, str):
        raise CourseError("must be a string", path=path, key="title_ko")
    points = _typed(data, "points", (int, float), path)
    if points <= 0:
        raise CourseError("points must be positive", path=path, key="points")
    files = tuple(_typed(data, "files", list, path))
    if not files or not all(isinstance(f, str) and _FILE_RE.match(f) and f.endswith(".py") for f in files):
        raise CourseError("files must be a non-empty list of Python file names", path=path, key="files")
    checkpoints = tuple(data.get("checkpoints", []))
    if not all(isinstance(f, str) and _FILE_RE.match(f) and f.endswith(".pt") for f in checkpoints):
        raise CourseError("checkpoints must be a list of .pt file names", path=path, key="checkpoints")
    module = data.get("module", files[0][:-3])
    if not isinstance(module, str) or f"{module}.py" not in files:
        raise CourseError("module must name one of the files, without .py", path=path, key="module")

    worker = data.get("worker", {})
    _only_keys(worker, path, "worker.", {"preload"})
    preload = tuple(worker.get("preload", []))
    data_sets = tuple(data.get("data", []))
    if not all(isinstance(d, str) and d in DATA_SETS for d in data_sets):
        raise CourseError(f"must be a list of data set names ({', '.join(DATA_SETS)})", path=path, key="data")
    if not all(isinstance(m, str) and all(p.isidentifier() for p in m.split(".")) for m in preload):
        raise CourseError("must be a list of module names", path=path, key="worker.preload")
    if any(m.split(".")[0] == "grader" for m in preload):
        raise CourseError(
            'names libraries only: the grader prepares its own modules (gpu = "optional" creates the CUDA context)',
            path=path,
            key="worker.preload",
        )
    gpu = data.get("gpu", "none")
    if gpu not in GPU_MODES:
        raise CourseError(f"must be one of {', '.join(map(repr, GPU_MODES))}", path=path, key="gpu")

    return Assignment(
        id=aid,
        slug=slug,
        title=title,
        title_ko=title_ko,
        points=float(points),
        files=files,
        module=module,
        dir=folder.resolve(),
        checkpoints=checkpoints,
        preload=preload,
        data=data_sets,
        gpu=gpu,
        limits=_limits(data.get("limits", {}), path),
    )


def _limits(data: Any, path: Path) -> Limits:
    known = {f.name: f for f in fields(Limits)}
    _only_keys(data, path, "limits.", set(known))
    values: dict[str, Any] = {}
    for key, value in data.items():
        want = int if known[key].type == "int" else (int, float)
        if type(value) not in ((want,) if isinstance(want, type) else want) or value <= 0:
            raise CourseError("must be a positive number", path=path, key=f"limits.{key}")
        values[key] = value
    return Limits(**values)


def _only_keys(data: Any, path: Path, prefix: str, allowed: set[str]) -> None:
    if not isinstance(data, dict):
        raise CourseError("must be a table", path=path, key=prefix.rstrip(".") or None)
    for key in data:
        if key not in allowed:
            raise CourseError(f"unknown key (known: {', '.join(sorted(allowed))})", path=path, key=prefix + key)


def _typed(data: dict[str, Any], key: str, kind: Any, path: Path) -> Any:
    if key not in data:
        raise CourseError("is required", path=path, key=key)
    value = data[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) or not isinstance(value, kinds):
        names = " or ".join(k.__name__ for k in kinds)
        raise CourseError(f"must be of type {names}", path=path, key=key)
    return value


# --- where the course lives ----------------------------------------------------------------

_BUNDLED = Path(__file__).resolve().parent / "_course"
_CHECKOUT = Path(__file__).resolve().parent.parent


def find_course(explicit: Path | None = None) -> Course:
    """The course to grade against: `--course`, then `GRADER_COURSE`, then the course checkout
    this package was installed from, then the public course bundled in the wheel."""
    if explicit is not None:
        return Course.load(Path(explicit).resolve())
    env = os.environ.get("GRADER_COURSE")
    if env:
        return Course.load(Path(env).resolve())
    if (_CHECKOUT / "assignments").is_dir() and (_CHECKOUT / "pyproject.toml").is_file():
        return Course.load(_CHECKOUT)
    if (_BUNDLED / "assignments").is_dir():
        return Course.load(_BUNDLED)
    raise CourseError("no course found: pass --course DIR or set GRADER_COURSE")
