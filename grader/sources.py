"""Student source files as Python reads them, and where a line of a converted notebook came from.

`read_source` decodes a `.py` file the way the interpreter does (a UTF-8 byte-order mark, a
PEP 263 ``# -*- coding: cp949 -*-`` declaration, UTF-8 otherwise), so a file that Python
imports is never refused for its encoding. Only bytes Python itself cannot decode make it
`ungradable`, with the encoding to save in.

A notebook handed in for ``NAME.py`` is turned into that module by `grader.notebook`; its
`SourceMap` says, for every line of the module, which cell and line of the notebook it came
from. The judge rewrites every location in feedback with it (``File "gates.py", line 57`` becomes
``File "gates.ipynb", cell 4, line 3``), so a student never reads about a file they did not write.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import i18n
from grader.errors import SubmissionError

__all__ = ["SourceMap", "decode_source", "read_source"]


def decode_source(raw: bytes, name: str) -> str:
    """`raw` decoded as Python decodes a source file, or `SubmissionError` naming the bad byte."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        if "unknown encoding" in str(exc.msg) or "encoding problem" in str(exc.msg):  # a codec Python lacks
            raise SubmissionError(i18n.text("sources.unknown_encoding", name=name, error=exc.msg), file=name) from None
        encoding = "utf-8"  # undecodable bytes in the first two lines: said precisely below
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        shown = "UTF-8" if encoding in ("utf-8", "utf-8-sig") else encoding
        byte = f"0x{raw[exc.start]:02x}"
        raise SubmissionError(
            i18n.text("sources.undecodable", name=name, encoding=shown, byte=byte, line=line), file=name
        ) from None
    if encoding == "utf-8" and text.startswith("\ufeff"):
        text = text[1:]  # detect_encoding gave up before seeing the BOM (bad bytes on line 2)
    return text  # \r\n and a lone \r are line ends to Python's parser as they are


def read_source(path: Path, name: str | None = None) -> str:
    """The text of the Python file at `path`, decoded as the interpreter would."""
    return decode_source(path.read_bytes(), name or path.name)


_FRAME = re.compile(r'File "(?P<file>[^"\n]+)", line (?P<line>\d+)')
_PAREN = re.compile(r"\((?P<file>[\w.-]+), line (?P<line>\d+)\)")
_COLON = re.compile(r"(?<![\w.-])(?P<file>[\w.-]+\.py):(?P<line>\d+):")


@dataclass(frozen=True)
class SourceMap:
    """Where each line of a generated module came from: `lines[i]` is (cell, line) of module line i + 1.

    Cells are numbered from 1 in the order the notebook shows them, markdown cells included, so
    a student counts them on screen; (0, 0) marks a line with no origin.
    """

    module_file: str  # the file the worker imports, e.g. gates.py
    origin: str  # what the student handed in, e.g. gates.ipynb
    lines: tuple[tuple[int, int], ...]

    def where(self, line: int) -> str:
        """'cell 4, line 3' for module line `line` (1-based)."""
        if 1 <= line <= len(self.lines) and self.lines[line - 1][0] > 0:
            cell, within = self.lines[line - 1]
            return i18n.text("sources.cell_line", cell=cell, line=within)
        return i18n.text("sources.added_line")

    def rewrite(self, text: str) -> str:
        """`text` with every mention of the module (file, file and line) told in the notebook's terms."""
        if self.module_file not in text:
            return text

        def frame(match: re.Match[str]) -> str:
            if match["file"] != self.module_file:
                return match[0]
            return f'File "{self.origin}", {self.where(int(match["line"]))}'

        def paren(match: re.Match[str]) -> str:
            if match["file"] != self.module_file:
                return match[0]
            return f"({self.origin}, {self.where(int(match['line']))})"

        def colon(match: re.Match[str]) -> str:
            if match["file"] != self.module_file:
                return match[0]
            return f"{self.origin}, {self.where(int(match['line']))}:"

        text = _FRAME.sub(frame, text)
        text = _PAREN.sub(paren, text)
        text = _COLON.sub(colon, text)
        return re.sub(rf"(?<![\w.-]){re.escape(self.module_file)}(?![\w-])", self.origin, text)

    def to_dict(self) -> dict[str, Any]:
        return {"module_file": self.module_file, "origin": self.origin, "lines": [list(p) for p in self.lines]}

    @classmethod
    def from_dict(cls, data: Any) -> SourceMap:
        if not isinstance(data, dict) or set(data) != {"module_file", "origin", "lines"}:
            raise ValueError("a source map has exactly module_file, origin and lines")
        lines = data["lines"]
        if not isinstance(lines, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(type(v) is int for v in p) for p in lines
        ):
            raise ValueError("source map lines are pairs of integers")
        return cls(str(data["module_file"]), str(data["origin"]), tuple((p[0], p[1]) for p in lines))
