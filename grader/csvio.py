"""CSV in and out: the instructor's tables read one way, and every CSV the grader writes made safe.

Reading (`read_table`): the files an instructor keeps in a spreadsheet (roster, extensions,
submission times, overrides). UTF-8 with or without the byte-order mark Excel writes; any other
encoding is refused with a hint rather than guessed. Header names are matched without regard to
case or surrounding spaces; blank lines are skipped; every row keeps its line number so an error
can name it.

Writing (`csv_text`, `safe_cell`): a spreadsheet runs a cell that starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return as a formula. Names in a gradebook come from students
(folder names, LMS display names) and rosters, so every text cell that starts that way gets a
leading single quote, as OWASP's CSV injection advice says. Numbers the grader writes stay
numbers: they are passed as ``int``/``float`` and never quoted, so ``-3`` points stays ``-3``
(a number cannot hold a formula). Text that merely looks like a number (``"-3"``) is text and is
quoted: only values the grader computed are trusted as numbers. A carriage return inside a
cell becomes a line feed, which the writer quotes, so no reader sees a row end there.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.errors import InputFileError

__all__ = ["FORMULA_STARTS", "Cell", "Row", "csv_text", "read_table", "safe_cell"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


def safe_cell(value: Cell) -> str | int | float:
    """`value` as a cell no spreadsheet runs: text starting like a formula gets a leading ``'``;
    numbers are written as numbers (integral floats without ``.0``); None is an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):  # a bool is an int to Python; it is text to a spreadsheet
        return str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return int(value)
        return round(value, 6) if math.isfinite(value) else str(value)
    text = "'" + value if value.startswith(FORMULA_STARTS) else value
    # csv's writer quotes a cell holding its line terminator ("\n") but not a lone "\r", which
    # other readers take as the end of a row: a carriage return becomes a quoted line break
    return text.replace("\r\n", "\n").replace("\r", "\n")


def csv_text(rows: Iterable[Sequence[Cell]]) -> str:
    """The CSV text of `rows`, every cell through `safe_cell` (the one way the grader writes CSV)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


@dataclass(frozen=True)
class Row:
    """One row of an instructor's table: its line number in the file and its cells by column
    (lower-case header name; a missing cell is an empty string)."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


def read_table(
    path: Path,
    *,
    required: Sequence[str],
    optional: Sequence[str] = (),
    extra: Literal["refuse", "ignore"] = "refuse",
    error: type[InputFileError] = InputFileError,
) -> list[Row]:
    """The rows of the CSV file at `path` whose header names every `required` column.

    Columns are matched case-insensitively; `extra` columns are refused (a misspelt ``reason``
    would otherwise be lost without a word) or ignored (rosters exported from an LMS carry many).
    Cells are stripped of surrounding spaces; rows of empty cells are skipped. Raises `error`
    naming the file and line for a file that cannot be read, is not UTF-8, lacks a column, holds
    a column twice or has a row with more cells than the header.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(f"cannot be read ({exc.strerror or exc})", path=path) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise error(
            "is not UTF-8 text: save it as 'CSV UTF-8' (Excel) or UTF-8 (other programs)", path=path, line=line
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise error(f"is not a readable CSV file ({exc})", path=path, line=1) from None
    if header is None:
        raise error("is empty: it needs a header line naming its columns", path=path)
    names = [h.strip().lower() for h in header]
    _check_header(path, names, required, optional, extra, error)
    rows: list[Row] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                raise error(f"has {len(cells)} cells but the header names {len(names)} columns", path=path, line=line)
            row = {name: cell.strip() for name, cell in zip(names, cells) if name}
            rows.append(Row(line, row))
    except csv.Error as exc:
        raise error(f"is not a readable CSV file ({exc})", path=path, line=reader.line_num) from None
    return rows


def _check_header(
    path: Path,
    names: list[str],
    required: Sequence[str],
    optional: Sequence[str],
    extra: str,
    error: type[InputFileError],
) -> None:
    known = (*required, *optional)
    for name in names:
        if name and names.count(name) > 1:
            raise error(f"the column '{name}' appears twice", path=path, line=1)
        if name and extra == "refuse" and name not in known:
            raise error(f"unknown column '{name}' (known: {', '.join(known)})", path=path, line=1)
    for name in required:
        if name not in names:
            raise error(f"the column '{name}' is missing (the header line must name it)", path=path, line=1)
