"""What a rejects file and a malformed-CSV error show a person: formulas defused, one line
per distinct problem."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from data import ingest

TODAY = dt.date(2026, 6, 30)
FORMULAS = [
    ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
    ("+cmd", "'+cmd"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    (" =cmd", "' =cmd"),
    ("   @x", "'   @x"),
    ("\tfoo", "'\tfoo"),
    ("\rbar", "'\rbar"),
    ("plain", "plain"),
    ("a=b", "a=b"),
]


def test_rejects_file_defuses_formula_prefixes(loaded, files):
    # Parquet: a CSV cannot carry a lone CR inside a field through DuckDB's reader
    rows = [files.trend_row(1)] + [
        files.trend_row(2, region=value, streams="0") for value, _ in FORMULAS
    ]
    result = ingest.load_trend_report(
        loaded, files.parquet("f.parquet", rows), accept_valid=True, today=TODAY
    )
    assert (result.rows_loaded, result.rows_rejected) == (1, len(FORMULAS))
    with open(result.rejects_file, encoding="utf-8", newline="") as f:
        regions = [r["region"] for r in csv.DictReader(f)]
    assert regions == [written for _, written in FORMULAS]
    # the stored row is not touched: only what a spreadsheet opens is defused
    assert loaded.cursor().execute("SELECT region FROM trend_facts").fetchall() == [("New York",)]


@pytest.mark.parametrize("bad", [',"New York', ',"New"York', ',"New York"x'])
def test_a_bad_quote_is_one_line_per_distinct_problem(loaded, files, bad):
    rows = [files.trend_row(i % 5 + 1) for i in range(30)]
    rows[9]["region"] = 'Paris, "Rive" Gauche'  # a later quoted field the bad one runs into
    path = files.csv("q.csv", rows)
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[3] = lines[3].replace(",New York", bad, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(ingest.IngestError) as caught:
        ingest.load_trend_report(loaded, path, today=TODAY)
    err = caught.value
    shown = str(err).splitlines()[1:]
    kinds = [(p.line, p.rule.split(" (reported")[0]) for p in err.problems]
    assert len(kinds) == len(set(kinds)) and len(shown) == len(err.problems) <= 3
    assert any("quoted field" in p.rule for p in err.problems)
