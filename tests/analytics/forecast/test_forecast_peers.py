"""Young tracks borrow their peers' decay: planted half-lives, known ratios."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.forecast import build_panel
from analytics.forecast import features as ft
from analytics.forecast.peers import best_blend, blend, peer_curves, peer_offsets

START = pd.Timestamp("2026-01-05")


def _world(days: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Synthetic: artist A0's tracks halve every 10 days, every other artist's every 60 days;
    2 % noise. Track T000 (A0) and T001 (A1) are released 10 days before the end; T099
    streams from the first day (a catalogue track of unknown age, never a peer)."""
    rng = np.random.default_rng(0)
    frames, meta = [], []
    for i in range(100):
        artist = f"A{i % 5}"
        release = days - 10 if i in (0, 1) else int(rng.integers(1, days - 120))
        release = 0 if i == 99 else release
        half_life = 10.0 if artist == "A0" else 60.0
        age = np.arange(days - release)
        mean = rng.uniform(1000, 5000) * 0.5 ** (age / half_life)
        streams = mean * rng.lognormal(0, 0.02, len(age))
        frames.append(
            pd.DataFrame(
                {
                    "isrc": f"T{i:03d}",
                    "date": START + pd.to_timedelta(release + age, unit="D"),
                    "streams": streams,
                    "active": streams * 0.4,
                }
            )
        )
        meta.append((f"T{i:03d}", artist, "L1", "pop"))
    tracks = pd.DataFrame(meta, columns=["isrc", "artist_id", "label", "genre"])
    return pd.concat(frames, ignore_index=True), tracks


def _expected(half_life: float, age: int, h: int) -> float:
    """log of streams h days on over the mean of the last 7 days, at `age`."""
    week = np.mean([0.5 ** ((age - j) / half_life) for j in range(7)])
    return float(np.log(0.5 ** ((age + h) / half_life) / week))


def test_young_tracks_get_their_own_artists_decay_else_the_genres() -> None:
    daily, tracks = _world()
    panel = build_panel(daily, tracks, absent_is_zero=True)
    st = ft.origin_stats(panel)
    last = panel.streams.shape[1] - 1
    curves = peer_curves(panel, st, last, 28 + 90)
    rows = panel.series.reset_index().set_index("series_id").loc[["T000", "T001"], "index"]
    r = np.repeat(rows.to_numpy(), 2)
    h = np.array([30, 60, 30, 60])
    off = peer_offsets(panel, curves, st, r, np.full(4, last), h, young_days=28)
    age = int(st.age[r[0], last])
    assert age == 9
    want = [_expected(10, age, 30), _expected(10, age, 60)]
    want += [_expected(60, age, 30), _expected(60, age, 60)]
    np.testing.assert_allclose(off, want, atol=0.08)
    # old series, artist totals and a track of unknown age get no peer forecast
    other = peer_offsets(panel, curves, st, np.array([5, panel.n - 1]), np.full(2, last), h[:2], 28)
    assert np.isnan(other).all()
    assert np.isnan(curves[panel.n - 1]).all()


def test_blend_weight_is_chosen_on_held_out_errors_and_moves_the_band() -> None:
    rng = np.random.default_rng(2)
    n = 4_000
    peer = rng.normal(-1.0, 0.5, n)
    model_median = rng.normal(0.0, 0.5, n)
    assert best_blend(model_median, peer, peer + rng.normal(0, 0.05, n)) == 0.0
    assert best_blend(model_median, peer, model_median) == 1.0
    half = 0.5 * model_median + 0.5 * peer
    assert best_blend(model_median, peer, half) == pytest.approx(0.5)
    qs = np.array([[-0.2, 0.0, 0.3], [-0.2, 0.0, 0.3]])
    out = blend(qs, np.array([-1.0, np.nan]), 0.25)
    np.testing.assert_allclose(out, [[-0.95, -0.75, -0.45], [-0.2, 0.0, 0.3]])
