"""The alerts model's one entry point on a small hand-made catalogue: a planted spike is
found, explained from the windows it asks for, forecast, and continued online."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.alerts import AlertsInputs, Previous, fit
from analytics.alerts.continuation import NONE, context_of, state_rows
from analytics.alerts.detect import DetectConfig, detect, fit_hyper
from analytics.alerts.series import Series, artist_series, track_series, with_labels

ACTIVE = ("search", "collection")
START = pd.Timestamp("2026-01-01")
DAYS, SPIKE_DAY = 150, 110
ISRCS = [f"T{i}" for i in range(6)]
CATALOG = pd.DataFrame({"isrc": ISRCS, "artist_id": ["A0"] * 3 + ["A1"] * 3, "label": ["L"] * 6})
NO_LISTENERS = pd.DataFrame(columns=["key", "listener_id", "date", "source"])


def _totals(days: int = DAYS) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    counts = rng.poisson(200.0, size=(len(ISRCS), DAYS)).astype(float)
    counts[0, SPIKE_DAY : SPIKE_DAY + 3] *= 4  # a three-day spike on T0
    dates = pd.date_range(START, periods=DAYS)
    rows = [(isrc, dates[t], counts[i, t]) for i, isrc in enumerate(ISRCS) for t in range(days)]
    return pd.DataFrame(rows, columns=["isrc", "date", "streams"])


class Reader:
    """Records what the model asks for; no listener or stream rows behind it."""

    def __init__(self) -> None:
        self.asked: list[pd.DataFrame] = []
        self.benchmark: list[tuple] = []

    def benchmark_listeners(self, lo, hi, tracks: int) -> pd.DataFrame:
        self.benchmark.append((lo, hi, tracks))
        return NO_LISTENERS

    def windows(self, windows: pd.DataFrame, growth_windows: pd.DataFrame):
        self.asked.append(windows)
        dims = pd.DataFrame(columns=["key", "isrc", "dsp", "source", "playlist_id"])
        dims = dims.assign(during=pd.Series(dtype=bool), streams=pd.Series(dtype=float))
        return dims, pd.Series(dtype=float), NO_LISTENERS

    def slices(self, windows: pd.DataFrame) -> pd.DataFrame:
        self.asked.append(windows)
        return pd.DataFrame(columns=["key", "date", "streams"])


def _inputs(totals: pd.DataFrame, previous: Previous | None = None) -> AlertsInputs:
    repeats = pd.DataFrame(columns=["isrc", "date", "repeat"])
    return AlertsInputs(totals, repeats, CATALOG, ACTIVE, previous)


@pytest.fixture(scope="module")
def full():
    reader = Reader()
    return fit(_inputs(_totals()), reader), reader


def test_the_planted_spike_is_found_and_its_windows_read(full):
    model, reader = full
    spike_on = (START + pd.Timedelta(days=SPIKE_DAY)).date()
    track = model.alerts[model.alerts.subject == "track"]
    assert list(zip(track.isrc, track.kind, track.event_date, strict=True)) == [
        ("T0", "spike", spike_on)
    ]
    assert model.mode == "full" and model.note is None
    assert model.data_through == (START + pd.Timedelta(days=DAYS - 1)).date()
    assert (model.tracks, model.artists, model.monitored_tracks) == (6, 2, 6)
    last = (START + pd.Timedelta(days=DAYS - 1)).date()
    assert reader.benchmark == [(last - pd.Timedelta(days=89), last, 200)]
    # one read for all alerts: the track's window, 28 days before to 6 days after onset
    (asked,) = reader.asked
    row = asked[asked.key == track.alert_key.iloc[0]].iloc[0]
    assert (row.isrc, row.lo, row.onset, row.hi) == (
        "T0",
        spike_on - pd.Timedelta(days=28),
        spike_on,
        spike_on + pd.Timedelta(days=6),
    )
    assert track.cause.iloc[0] == "not enough data to attribute the change"
    assert not track.opportunity.iloc[0]


def test_bands_forecast_28_days_for_every_monitored_subject(full):
    model, _ = full
    fc = model.bands[model.bands.is_forecast].groupby(["subject", "subject_id"]).size()
    assert len(fc) == 8 and set(fc) == {28}
    assert model.params["mode"] == "full" and model.params["fitted_series"] > 0


def test_new_days_continue_from_the_saved_state(full):
    model, _ = full
    cut = DAYS - 10
    first = fit(_inputs(_totals(cut)), Reader())
    previous = Previous(first.params, first.data_through, first.state)
    online = fit(_inputs(_totals(), previous), Reader())
    assert online.mode == "online" and online.days_filtered == 10
    assert online.params["fitted_series"] == 0
    # a full run with other settings is not continued
    other = DetectConfig(z_rapid=5.0)
    assert fit(_inputs(_totals(), previous), Reader(), cfg=other).mode == "full"


def test_no_data_and_too_little_history_are_notes():
    empty = pd.DataFrame(columns=["isrc", "date", "streams"])
    model = fit(_inputs(empty), Reader())
    assert (model.note, model.data_through, len(model.alerts)) == ("no trend data", None, 0)
    short = fit(_inputs(_totals(10)), Reader())
    assert "at least 28 observed days" in short.note
    assert short.data_through == (START + pd.Timedelta(days=9)).date()


def test_saved_state_rows_give_back_the_context():
    totals = _totals()
    tracks = track_series(totals, pd.DataFrame(columns=["isrc", "date", "repeat"]))
    hp, _ = fit_hyper(tracks.counts)
    det = detect(tracks.counts, hp)
    rows = state_rows("track", tracks, det)
    ctx = context_of(rows, tracks.ids, tracks.dates[-1] + pd.Timedelta(days=1))
    want = det.context
    never = want.last_rapid <= NONE // 2  # saved as "no date": any far past reads back
    want.last_rapid = np.where(never, NONE, want.last_rapid)
    np.testing.assert_array_equal(ctx.state.a, want.state.a)
    np.testing.assert_array_equal(ctx.state.P, want.state.P)
    for name in ("obs_var", "start", "seen", "monitored", "run", "armed", "last_rapid"):
        np.testing.assert_array_equal(getattr(ctx, name), getattr(want, name), err_msg=name)
    assert context_of(rows, np.array(["T0", "unknown"]), tracks.dates[-1]) is None


def test_series_subtract_replays_and_sum_artists():
    dates = pd.to_datetime(["2026-01-01", "2026-01-03"])
    totals = pd.DataFrame({"isrc": ["T0", "T1", "T0"], "date": [dates[0]] * 2 + [dates[1]]})
    totals["streams"] = [10.0, 5.0, 8.0]
    repeats = pd.DataFrame({"isrc": ["T0"], "date": [dates[0]], "repeat": [4.0]})
    s = track_series(totals, repeats)
    assert list(s.ids) == ["T0", "T1"] and len(s.dates) == 3  # the missing day is a column
    np.testing.assert_array_equal(s.total, [[10, np.nan, 8], [5, np.nan, np.nan]])
    np.testing.assert_array_equal(s.counts, [[6, np.nan, 8], [5, np.nan, np.nan]])
    a = artist_series(s, CATALOG)
    assert isinstance(a, Series) and list(a.ids) == ["A0"]
    np.testing.assert_array_equal(a.counts, [[11, np.nan, 8]])


def test_an_artist_on_two_labels_is_one_unit_per_label():
    dates = pd.to_datetime(["2026-01-01", "2026-01-02"])
    totals = pd.DataFrame(
        {"isrc": ["T0", "T1", "T2", "T0", "T2"], "date": [dates[0]] * 3 + [dates[1]] * 2}
    )
    totals["streams"] = [10.0, 5.0, 7.0, 8.0, 2.0]
    catalog = pd.DataFrame(
        {"isrc": ["T0", "T1", "T2"], "artist_id": ["A0"] * 3, "label": ["L2", "L1", "L2"]}
    )
    tracks = with_labels(track_series(totals, pd.DataFrame()), catalog)
    assert list(tracks.labels) == ["L2", "L1", "L2"]
    a = artist_series(tracks, catalog)
    assert list(zip(a.ids, a.labels, strict=True)) == [("A0", "L1"), ("A0", "L2")]
    # L1 holds T1 only (no row on the second day); L2 sums T0 and T2
    np.testing.assert_array_equal(a.counts, [[5, np.nan], [17, 10]])


def test_a_split_artists_units_are_fitted_and_explained_apart():
    """T1 moves to label M: artist A0 is two units, (A0, L) with T0 and T2 and (A0, M)
    with T1; the spike on T0 is an alert of the first unit, whose windows read T0 and T2."""
    catalog = CATALOG.assign(label=["L", "M", "L", "L", "L", "L"])
    reader = Reader()
    inputs = AlertsInputs(_totals(), pd.DataFrame(), catalog, ACTIVE)
    model = fit(inputs, reader)
    artist_state = model.state[model.state.subject == "artist"]
    units = list(zip(artist_state.subject_id, artist_state.label, strict=True))
    assert units == [("A0", "L"), ("A0", "M"), ("A1", "L")] and model.artists == 3
    assert dict(zip(model.state.subject_id, model.state.label, strict=True))["T1"] == "M"
    artist = model.alerts[model.alerts.subject == "artist"]
    assert len(artist) and set(zip(artist.artist_id, artist.label, strict=True)) == {("A0", "L")}
    assert artist.alert_key.str.startswith("A0|L|spike|").all()
    (asked,) = reader.asked
    for key in artist.alert_key:
        assert set(asked[asked.key == key].isrc) == {"T0", "T2"}
