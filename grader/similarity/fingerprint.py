"""Fingerprints of Python code, winnowed and compared by `copydetect` (the MOSS algorithm).

The code is first normalised from Python's own tokens, in copydetect's scheme (its
`filter_code`, which tokenizes with Pygments five times slower than `tokenize` on the course's
files): comments, docstrings, whitespace and line breaks go; every name a student chooses
(variables, parameters, attributes, called functions) becomes ``V``, a defined function's name
``F``, a class's ``O``; string literals become ``S``; keywords, built-in names, numbers and
operators stay. Hashes of every K-character run of that text are winnowed by copydetect (the
smallest of each WINDOW consecutive hashes is kept), so a shared run of at least
K + WINDOW - 1 characters is always found and one shorter than K never is. The order of
functions hardly matters: a set of fingerprints has no order, only the few runs that straddle
two functions change. copydetect then turns the fingerprints two files share into the regions
of each file they cover (`get_copied_slices`), mapped back here to the characters of the text.

What every student receives (`template_hashes`: the skeleton, the template notebook converted
as grading converts it, the statement's code) is subtracted from each file's fingerprints, all
of its runs, not only the winnowed ones, so two untouched skeletons share nothing.

The runs are hashed here, the same way in every process (copydetect's own hashing uses Python's
`hash`, which each interpreter seeds anew, so scores would differ slightly from run to run).
"""

from __future__ import annotations

import bisect
import builtins
import io
import itertools
import keyword
import tokenize
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

with warnings.catch_warnings():  # copydetect imports matplotlib.pyplot for its own reports
    warnings.simplefilter("ignore")
    from copydetect.utils import find_fingerprint_overlap, get_copied_slices, winnow

__all__ = [
    "WINDOW",
    "Fingerprint",
    "K",
    "Overlap",
    "fingerprint",
    "line_ranges",
    "normalise",
    "overlap",
    "template_hashes",
]

K = 25  # characters of normalised code in one fingerprint: shorter shared runs are noise
WINDOW = 4  # winnowing window: every shared run of K + WINDOW - 1 = 28 characters is found
_BASE = np.uint64(1_000_003)
_KEPT_NAMES = frozenset(keyword.kwlist) | frozenset(dir(builtins))
_SKIPPED: set[int] = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
_FSTRING_START = getattr(tokenize, "FSTRING_START", -2)  # Python 3.12: f-strings as several tokens
_FSTRING = frozenset({_FSTRING_START, getattr(tokenize, "FSTRING_END", -3)})
_SKIPPED |= _FSTRING
_STATEMENT_START = frozenset({-1, tokenize.NEWLINE})  # INDENT and DEDENT are skipped: a NEWLINE came before
_AFTER_DOCSTRING = frozenset({tokenize.NEWLINE, tokenize.COMMENT, tokenize.NL})


@dataclass(frozen=True)
class Normalised:
    """Code in copydetect's normal form; `starts[i]` and `ends[i]`: the characters of the original
    text that character i came from."""

    text: str
    starts: np.ndarray
    ends: np.ndarray


def normalise(text: str) -> Normalised:
    """`text` normalised as the module's docstring says. Code Python cannot tokenize is normalised
    up to where it stops (a statement's code block, say, may be a fragment)."""
    lines = [0, *itertools.accumulate(len(line) + 1 for line in text.split("\n"))]
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    previous = -1  # the type of the last significant token (NEWLINE counts)
    after = ""  # the last token, when a name
    depth = 0  # inside an f-string (3.12 tokens)
    pending: tuple[int, int] | None = None  # a string that is a docstring if a NEWLINE follows
    try:
        for kind, string, (row, col), (end_row, end_col), _ in tokenize.generate_tokens(io.StringIO(text).readline):
            if pending is not None:
                if kind not in _AFTER_DOCSTRING:
                    out.append("S")
                    starts.append(pending[0])
                    ends.append(pending[1])
                pending = None
            if kind in _SKIPPED or depth:
                if kind == tokenize.NEWLINE:
                    previous, after = kind, ""
                elif kind in _FSTRING:
                    depth += 1 if kind == _FSTRING_START else -1
                    if depth == 1 and kind == _FSTRING_START:
                        out.append("S")
                        starts.append(lines[row - 1] + col)
                        ends.append(lines[row - 1] + col + 1)
                continue
            begin, finish = lines[row - 1] + col, lines[end_row - 1] + end_col
            if kind == tokenize.STRING:
                if previous in _STATEMENT_START:
                    pending = (begin, finish)  # a string standing alone: a docstring, unless more follows
                    previous, after = kind, ""
                    continue
                piece = "S"
            elif kind == tokenize.NAME and string not in _KEPT_NAMES:
                piece = "F" if after == "def" else "O" if after == "class" else "V"
            else:
                piece = string
            out.append(piece)
            starts.extend([begin] * len(piece))
            ends.extend([finish] * len(piece))
            previous, after = kind, string if kind == tokenize.NAME else ""
    except (tokenize.TokenError, SyntaxError):
        pass  # what came before the error is kept
    if pending is not None:
        out.append("S")
        starts.append(pending[0])
        ends.append(pending[1])
    return Normalised("".join(out), np.array(starts, dtype=np.int32), np.array(ends, dtype=np.int32))


@dataclass(frozen=True)
class Fingerprint:
    """One file of one student: the code compared (as grading reads it) and its fingerprints.

    `hashes`: the winnowed fingerprints less what every student receives; `positions`: where each
    winnowed fingerprint starts in the normalised code (`code`), to find the regions of a pair.
    """

    text: str
    hashes: frozenset[int]
    positions: dict[int, list[int]]
    code: Normalised

    @property
    def size(self) -> int:
        return len(self.hashes)


def fingerprint(text: str, template: frozenset[int] = frozenset()) -> Fingerprint:
    """The fingerprints of `text`, less the hashes in `template`."""
    code = normalise(text)
    positions: dict[int, list[int]] = {}
    hashes = _kgram_hashes(code.text)
    if len(hashes):
        selected, where = winnow(hashes, WINDOW, remove_duplicates=False)
        for value, index in zip(selected.tolist(), where.tolist()):
            positions.setdefault(value, []).append(index)
    return Fingerprint(text, frozenset(positions) - template, positions, code)


def template_hashes(texts: Iterable[str]) -> frozenset[int]:
    """Every K-character run of the normalised `texts` (code each student starts from)."""
    found: set[int] = set()
    for text in texts:
        found.update(_kgram_hashes(normalise(text).text).tolist())
    return frozenset(found)


def _kgram_hashes(filtered: str) -> np.ndarray:
    """A polynomial hash (modulo 2**64) of every K-character run of `filtered`."""
    codes = np.frombuffer(filtered.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).astype(np.uint64)
    count = len(codes) - K + 1
    if count <= 0:
        return np.zeros(0, dtype=np.int64)
    hashes = np.zeros(count, dtype=np.uint64)
    with np.errstate(over="ignore"):
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
    found_a, found_b = find_fingerprint_overlap(set(shared), set(shared), a.positions, b.positions)
    return Overlap(
        _spans(get_copied_slices(found_a, K), a.code),
        _spans(get_copied_slices(found_b, K), b.code),
        _share(shared, a),
        _share(shared, b),
    )


def _spans(slices: np.ndarray, code: Normalised) -> tuple[tuple[int, int], ...]:
    """copydetect's slices of the normalised code as character ranges of the original text."""
    if len(slices) == 0 or len(slices[0]) == 0 or len(code.text) == 0:
        return ()
    last = len(code.text) - 1
    spans = [
        (int(code.starts[min(int(s), last)]), int(code.ends[min(int(e) - 1, last)]))
        for s, e in zip(slices[0], slices[1])
    ]
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
