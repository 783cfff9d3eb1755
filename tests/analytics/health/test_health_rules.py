"""The data-health rules on hand-made feeds with known answers."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from analytics.health import HealthInputs, fit

DAY0 = dt.date(2026, 3, 1)


def _coverage(tracks: list[int], dsp: str = "feed") -> pd.DataFrame:
    rows = [
        (dsp, DAY0 + dt.timedelta(days=i), n, max(1, n // 10), n * 100)
        for i, n in enumerate(tracks)
        if n > 0  # a day with nothing delivered has no coverage row at all
    ]
    return pd.DataFrame(rows, columns=["dsp", "date", "tracks", "countries", "streams"])


def _no_cells() -> pd.DataFrame:
    cols = ["load_id", "dsp", "date", "rows", "fingerprint", "loaded_at", "file_name"]
    return pd.DataFrame(columns=cols)


def _kinds(model) -> list[tuple[dt.date, str]]:
    return [(r.date, r.kind) for r in model.issues.itertuples()]


def test_missing_and_partial_days_against_the_usual_count() -> None:
    tracks = [200] * 20
    tracks[12] = 0  # missing
    tracks[15] = 40  # a fifth of the usual
    tracks[17] = 120  # 60 %: a smaller day, not a partial one
    model = fit(HealthInputs(_coverage(tracks), _no_cells()))
    assert _kinds(model) == [
        (DAY0 + dt.timedelta(days=12), "missing_day"),
        (DAY0 + dt.timedelta(days=15), "partial_day"),
    ]
    cov = model.coverage.set_index("date")
    assert len(cov) == 20 and cov.loc[DAY0 + dt.timedelta(days=12), "tracks"] == 0
    assert cov.loc[DAY0 + dt.timedelta(days=15), "expected_tracks"] == 200
    detail = model.issues.set_index("kind").detail
    assert detail["partial_day"] == "40 tracks against a usual 200; 4 countries against a usual 20"


def test_a_partial_day_is_said_in_counts() -> None:
    """A day of one track and one country against medians of 205.5 and 20.5 (the real
    US chart's broken deliveries read "1 tracks against a usual 205.5")."""
    tracks = [205, 206] * 10 + [10]  # countries: n // 10, so 1 on the last day
    model = fit(HealthInputs(_coverage(tracks), _no_cells()))
    assert model.issues.detail.tolist() == [
        "10 tracks against a usual 206; 1 country against a usual 20"
    ]


def test_small_feeds_noise_and_short_history_are_not_flagged() -> None:
    small = [12, 9, 14, 11, 12, 13, 10, 12, 11, 3, 12]  # 3 of 12 is within small-count noise
    early = [200, 20, 200]  # too few earlier days to know what is usual
    cov = pd.concat([_coverage(small, "small"), _coverage(early, "new")])
    assert fit(HealthInputs(cov, _no_cells())).issues.empty


def test_duplicate_and_late_deliveries() -> None:
    day = [DAY0 + dt.timedelta(days=i) for i in range(4)]
    t0 = pd.Timestamp("2026-03-05 06:00")
    cells = pd.DataFrame(
        [
            (1, "feed", day[0], 50, "h0", t0, "history.csv"),
            (1, "feed", day[1], 50, "h1", t0, "history.csv"),
            (1, "feed", day[3], 50, "h3", t0, "history.csv"),
            (2, "feed", day[1], 50, "h1", t0 + pd.Timedelta(days=1), "again.csv"),
            (3, "feed", day[2], 50, "h2", t0 + pd.Timedelta(days=6), "backfill.csv"),
        ],
        columns=["load_id", "dsp", "date", "rows", "fingerprint", "loaded_at", "file_name"],
    )
    model = fit(HealthInputs(_coverage([50, 50, 50, 50]), cells))
    issues = model.issues.set_index(["date", "kind"]).detail
    assert list(issues.index) == [(day[1], "duplicate"), (day[2], "late")]
    assert "load 2" in issues[(day[1], "duplicate")] and "history.csv" in issues.iloc[0]
    assert "6.0 days" in issues[(day[2], "late")]
