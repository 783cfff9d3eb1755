"""Planted taste communities: listeners of a community stream its artists' tracks; the
models must find the community, for listeners and for a track released in the held-out
month (cold start through its artist's other tracks)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics import recommend

COMMUNITIES, LISTENERS, ARTISTS, TRACKS = 3, 200, 3, 4  # per community / per artist


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(7)
    tracks, rows, listeners = [], [], []
    for c in range(COMMUNITIES):
        for a in range(ARTISTS):
            for t in range(TRACKS):
                tracks.append((f"T{c}{a}{t}", f"A{c}{a}", "Mine" if c == 0 else "Theirs"))
    # one new track per community, streamed only in the last month
    tracks += [(f"N{c}", f"A{c}0", "Mine" if c == 0 else "Theirs") for c in range(COMMUNITIES)]
    months = pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"])
    for c in range(COMMUNITIES):
        for i in range(LISTENERS):
            lid = f"L{c}{i:04d}"
            listeners.append((lid, ["US", "BR", "DE"][c], "18-24", "female"))
            own = [t for t in tracks if t[0].startswith(f"T{c}")]
            for isrc, _, _ in [own[j] for j in rng.choice(len(own), 5, replace=False)]:
                for m in months[: rng.integers(1, 4)]:
                    rows.append((lid, isrc, m, float(rng.integers(1, 20))))
            if i % 3 == 0 and rng.random() < 0.3:  # a little cross-community listening
                rows.append((lid, f"T{(c + 1) % COMMUNITIES}00", months[0], 1.0))
            if rng.random() < 0.3 and i % 2 == 0:  # adopters of the new track
                rows.append((lid, f"N{c}", months[2], 3.0))
    monthly = pd.DataFrame(rows, columns=["listener_id", "isrc", "month", "streams"])
    return (
        monthly,
        pd.DataFrame(listeners, columns=["listener_id", "country", "age_band", "gender"]),
        pd.DataFrame(tracks, columns=["isrc", "artist_id", "label"]),
    )


@pytest.fixture(scope="module")
def model(planted) -> recommend.RecommendModel:
    monthly, listeners, tracks = planted
    return recommend.fit(monthly, listeners, tracks, recommend.RecommendParams(min_adopters=5))


def _metric(model: recommend.RecommendModel, name: str, metric: str) -> float:
    m = model.metrics
    return float(m[(m.model == name) & (m.metric == metric)]["value"].iloc[0])


def test_production_model_beats_popularity(model) -> None:
    assert model.production != "popularity"
    best = _metric(model, model.production, "ndcg@10")
    assert best >= 1.3 * _metric(model, "popularity", "ndcg@10")


def test_new_track_adopters_come_from_its_community(model) -> None:
    new = _metric(model, model.production, "new_track_precision@100")
    assert new >= 2 * _metric(model, "popularity", "new_track_precision@100")
    # after the fit on all months, the likely adopters of community 1's track are community 1
    top = model.adopters[model.adopters.isrc == "T100"].head(50)
    assert (top.listener_id.str[1] == "1").mean() > 0.9
    assert set(top.country) == {"BR"}


def test_adopters_do_not_stream_the_track_yet(model, planted) -> None:
    monthly = planted[0]
    streamed = set(zip(monthly.listener_id, monthly.isrc, strict=True))
    pairs = set(zip(model.adopters.listener_id, model.adopters.isrc, strict=True))
    assert not pairs & streamed


def test_promote_next_stays_in_the_community_with_a_reason(model) -> None:
    p = model.promote
    fans = p[(p.kind == "track") & (p.key == "T000")].sort_values("rank")
    mine = fans[fans.isrc.str.startswith("T0")].head(5)
    assert len(mine) == 5 and "T000" not in set(fans.isrc)
    assert (mine.lift > 1.5).all()
    assert mine.reason.iloc[0].startswith("listeners of this track stream it ")
    seg = p[(p.kind == "segment") & (p.key == "DE|18-24")].sort_values("rank")
    assert seg.isrc.iloc[0].startswith(("T2", "N2"))
    assert "listeners in DE aged 18-24 stream it" in seg.reason.iloc[0]
