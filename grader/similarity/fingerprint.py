"""Fingerprints of Python code, made and compared by `copydetect` (winnowing, as MOSS does).

`copydetect` tokenizes the code with Pygments and rewrites it before hashing: comments,
docstrings' text, whitespace and line breaks go; every variable, attribute and function name
becomes one letter (so renaming hides nothing); string literals become one letter. Hashes of
every K-character run of that text are winnowed (the smallest of each WINDOW consecutive
hashes is kept), so a shared run of at least K + WINDOW - 1 characters is always found and one
shorter than K never is. The order of functions hardly matters: a set of fingerprints has no
order, only the few runs that straddle two functions change.

What every student receives (`template_hashes`: the skeleton, the template notebook converted
as grading converts it, the statement's code) is subtracted from each file's fingerprints, all
of its runs, not only the winnowed ones, so two untouched skeletons share nothing.

The runs are hashed here, the same way in every process, and winnowed by copydetect: its own
hashing uses Python's `hash`, which each interpreter seeds anew.
"""

from __future__ import annotations

import bisect
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

with warnings.catch_warnings():  # copydetect imports matplotlib.pyplot for its own reports
    warnings.simplefilter("ignore")
    from copydetect import compare_files
    from copydetect.utils import filter_code, winnow

__all__ = ["WINDOW", "Fingerprint", "K", "Overlap", "fingerprint", "line_ranges", "overlap", "template_hashes"]

K = 25  # characters of normalised code in one fingerprint: shorter shared runs are noise
WINDOW = 4  # winnowing window: every shared run of K + WINDOW - 1 = 28 characters is found
_LANGUAGE = "python"
_BASE = np.uint64(1_000_003)


@dataclass(frozen=True)
class Fingerprint:
    """One file of one student: the code compared (as grading reads it) and its fingerprints.

    `hashes`: the winnowed fingerprints less what every student receives; `positions`: where
    each winnowed fingerprint starts in the normalised code, `offsets`: copydetect's map from
    there back to `text` (both to find the matching regions of a pair).
    """

    text: str
    hashes: frozenset[int]
    positions: dict[int, list[int]]
    offsets: np.ndarray
    length: int  # of the normalised code

    @property
    def size(self) -> int:
        return len(self.hashes)


def fingerprint(text: str, template: frozenset[int] = frozenset()) -> Fingerprint:
    """The fingerprints of `text`, less the hashes in `template`."""
    filtered, offsets = filter_code(text, "code.py", _LANGUAGE)
    positions: dict[int, list[int]] = {}
    hashes = _kgram_hashes(filtered)
    if len(hashes):
        selected, where = winnow(hashes, WINDOW, remove_duplicates=False)
        for value, index in zip(selected.tolist(), where.tolist()):
            positions.setdefault(value, []).append(index)
    return Fingerprint(text, frozenset(positions) - template, positions, offsets, len(filtered))


def template_hashes(texts: Iterable[str]) -> frozenset[int]:
    """Every K-character run of the normalised `texts` (code each student starts from)."""
    found: set[int] = set()
    for text in texts:
        found.update(_kgram_hashes(filter_code(text, "code.py", _LANGUAGE)[0]).tolist())
    return frozenset(found)


def _kgram_hashes(filtered: str) -> np.ndarray:
    """A polynomial hash of every K-character run of `filtered`, the same in every process
    (copydetect's own `hashed_kgrams` uses Python's `hash`, seeded anew by each interpreter, which
    would make scores differ slightly from run to run)."""
    codes = np.frombuffer(filtered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - K + 1
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64
        for t in range(K):
            hashes = hashes * _BASE + codes[t : t + count]
    return hashes.view(np.int64)


@dataclass(frozen=True)
class Overlap:
    """Where two files share fingerprints: character ranges [start, end) in each file's text, and
    the share of each file's fingerprints (less the template's) that the other file has too."""

    spans_a: tuple[tuple[int, int], ...]
    spans_b: tuple[tuple[int, int], ...]
    coverage_a: float
    coverage_b: float


def overlap(a: Fingerprint, b: Fingerprint, shared: frozenset[int]) -> Overlap:
    """The regions of `a` and `b` made of the fingerprints in `shared` (their common ones that count)."""
    if not shared:
        return Overlap((), (), 0.0, 0.0)
    _, _, (slices_a, slices_b) = compare_files(_Code(a, shared), _Code(b, shared))
    return Overlap(_spans(slices_a, a.text), _spans(slices_b, b.text), _share(shared, a), _share(shared, b))


class _Code:
    """What copydetect's `compare_files` reads of a file's fingerprints (its `CodeFingerprint`)."""

    def __init__(self, fp: Fingerprint, shared: frozenset[int]):
        self.k = K
        self.hashes = set(shared)
        self.hash_idx = fp.positions
        self.filtered_code = "x" * min(fp.length, 1)
        self.token_coverage = max(fp.length, 1)
        self.offsets = fp.offsets


def _spans(slices: np.ndarray, text: str) -> tuple[tuple[int, int], ...]:
    if len(slices) == 0 or len(slices[0]) == 0:
        return ()
    spans = [(max(0, int(s)), min(len(text), int(e))) for s, e in zip(slices[0], slices[1])]
    return tuple((s, e) for s, e in spans if s < e)


def _share(shared: frozenset[int], of: Fingerprint) -> float:
    return round(len(shared) / of.size, 4) if of.size else 0.0


def line_ranges(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The 1-based, inclusive line ranges the character `spans` of `text` cover, merged."""
    starts = [0]
    starts.extend(i + 1 for i, c in enumerate(text) if c == "\n")
    ranges: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        first = bisect.bisect_right(starts, start)
        last = bisect.bisect_right(starts, max(start, end - 1))
        if ranges and first <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(ranges[-1][1], last))
        else:
            ranges.append((first, last))
    return ranges
