"""What a load reports back: its result, or the problems that rejected the file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_SHOWN = 20  # problems listed in an IngestError
MAX_VALUE = 80  # characters of an offending value shown


# -- results and errors -------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file. `line` is the CSV physical line (header = 1), `row` the
    0-based data row (the Parquet row number); None where not applicable."""

    line: int | None
    row: int | None
    column: str | None
    value: str | None
    rule: str

    def __str__(self) -> str:
        parts = []
        if self.line is not None:
            parts.append(f"line {self.line}")
        elif self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.value is not None:
            parts.append(f"value {show(self.value)}")
        return f"{', '.join(parts)}: {self.rule}" if parts else self.rule


class IngestError(Exception):
    """A file was rejected; nothing from it was written (or only what `written` says).
    str() is the whole message."""

    def __init__(
        self,
        file: str | Path,
        problems: list[Problem],
        total: int | None = None,
        *,
        headline: str | None = None,
        written: str | None = None,
    ):
        self.file = Path(file)
        self.written = written  # what of it WAS written, when not nothing (a chart import)
        self.problems = list(problems)
        self.total = max(total if total is not None else 0, len(self.problems))
        if headline is None:
            noun = "problem" if self.total == 1 else "problems"
            headline = f"{self.total:,} {noun} found"
        self.headline = headline
        super().__init__(self._message())

    def _message(self) -> str:
        kept = self.written or "nothing was loaded"
        lines = [f"cannot load {self.file}: {self.headline}; {kept}"]
        lines += [f"  {p}" for p in self.problems[:MAX_SHOWN]]
        more = self.total - min(len(self.problems), MAX_SHOWN)
        if more > 0:
            lines.append(f"  ... and {more:,} more problem{'s' if more != 1 else ''}")
        return "\n".join(lines)


@dataclass(frozen=True)
class LoadResult:
    kind: str
    file: Path
    load_id: int | None
    rows_loaded: int
    rows_rejected: int
    duplicate: bool
    replaced_rows: int
    rejects_file: Path | None
    message: str
    overlapping_rows: int = 0  # rows whose cell an earlier load holds too (both counted)


def show(value: str) -> str:
    """A value for a one-line message: quoted, control characters made visible."""
    return "'" + value.translate({10: "\\n", 13: "\\r", 9: "\\t"}) + "'"


def clip(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 3] + "..."


def plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def fail(path: Path, rule: str, *, line: int | None = None, headline: str | None = None):
    return IngestError(path, [Problem(line, None, None, None, rule)], headline=headline or rule)


def db_message(exc: BaseException) -> str:
    """The first meaningful line of a DuckDB error, without its 'X Error:' prefix."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return re.sub(r"^[A-Za-z ]+Error: ", "", text)
