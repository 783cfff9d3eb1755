"""The large-store comparison (`quick_report`) agrees with the row-by-row one: the hand-made
mini store (SYNTHETIC, tests/conftest.py) against a copy, then against a copy with one
changed sum. No Spark needed."""

from __future__ import annotations

from pathlib import Path

import duckdb

from data.backup import copy_store
from data.engine.compare import quick_report, table_report


def test_quick_report_finds_the_one_changed_row(mini_db: Path, tmp_path: Path) -> None:
    same = copy_store(mini_db, tmp_path / "same.duckdb")
    report = quick_report(mini_db, same)
    assert report == table_report(mini_db, same)
    assert all(not diffs for _, _, diffs in report)
    rows = dict((t, n) for t, n, _ in report)
    assert rows["agg_daily"] > 0 and rows["trend_facts"] == 5 * 60 * 2 * 2 * 3 - 60 * 2 * 2

    changed = copy_store(mini_db, tmp_path / "changed.duckdb")
    con = duckdb.connect(str(changed))
    con.execute(
        "UPDATE agg_daily SET streams = streams + 1 WHERE isrc = 'QZA000000001' "
        "AND date = DATE '2025-01-01' AND country = 'US' AND dsp = 'spotify' "
        "AND source = 'search'"
    )
    con.close()
    bad = {t: diffs for t, _, diffs in quick_report(mini_db, changed) if diffs}
    assert list(bad) == ["agg_daily"]
    (diff,) = bad["agg_daily"]
    assert diff.what.startswith("streams: 1 rows differ")
