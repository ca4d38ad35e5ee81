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

copydetect hashes with Python's `hash`, which differs from one interpreter to the next: the
fingerprints of one comparison are made in one process, or in processes forked from it.
"""

from __future__ import annotations

import bisect
import copy
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

with warnings.catch_warnings():  # copydetect imports matplotlib.pyplot for its own reports
    warnings.simplefilter("ignore")
    from copydetect import CodeFingerprint, compare_files
    from copydetect.utils import filter_code, hashed_kgrams

__all__ = ["K", "WINDOW", "Fingerprint", "fingerprint", "overlap", "template_hashes"]

K = 25  # characters of normalised code in one fingerprint: shorter shared runs are noise
WINDOW = 4  # winnowing window: every shared run of K + WINDOW - 1 = 28 characters is found
_LANGUAGE = "python"


@dataclass
class Fingerprint:
    """One file of one student: the code compared (as grading reads it) and its fingerprints.

    `hashes` is copydetect's winnowed set less what every student receives; `code` keeps where
    each fingerprint lies, to find the matching regions of a pair.
    """

    text: str
    hashes: frozenset[int]
    code: CodeFingerprint

    @property
    def size(self) -> int:
        return len(self.hashes)


def fingerprint(text: str, template: frozenset[int] = frozenset()) -> Fingerprint:
    """The fingerprints of `text`, less the hashes in `template`."""
    code = CodeFingerprint("code.py", K, WINDOW, filter=True, language=_LANGUAGE, fp=_Reader(text))
    code.filtered_code = code.filtered_code[:1]  # only its emptiness is read again (compare_files)
    return Fingerprint(text, frozenset(int(h) for h in code.hashes) - template, code)


def template_hashes(texts: Iterable[str]) -> frozenset[int]:
    """Every K-character run of the normalised `texts` (code each student starts from)."""
    found: set[int] = set()
    for text in texts:
        filtered, _ = filter_code(text, "code.py", _LANGUAGE)
        if len(filtered) >= K:
            found.update(int(h) for h in hashed_kgrams(filtered, K))
    return frozenset(found)


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
    left, right = copy.copy(a.code), copy.copy(b.code)
    left.hashes, right.hashes = set(shared), set(shared)
    _, _, (slices_a, slices_b) = compare_files(left, right)
    return Overlap(_spans(slices_a, a.text), _spans(slices_b, b.text), _share(shared, a), _share(shared, b))


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


class _Reader:
    """The `fp` copydetect reads a file's text from."""

    def __init__(self, text: str):
        self._text = text

    def read(self) -> str:
        return self._text
