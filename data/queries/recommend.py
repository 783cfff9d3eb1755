"""Scoped reads of the recommend feature's persisted results (see data/migrations/016).

Scope policy: a track is shown, and its adopters, segments and promotion list are read,
only when the track is in scope; every recommended track is in scope too (other labels'
tracks inform the model but never appear). Listener ids are the hashed ids the DSP
delivered. Every function joins the catalog for the label condition itself."""

from __future__ import annotations

import pandas as pd

from data.queries import Filters, model_where, read_df, scoped, where
from data.scope import Scope
from data.store import Store


def _track_in_scope(scope: Scope, alias: str) -> tuple[str, list]:
    return where(scope, None, catalog_alias=alias)


@scoped
def recommend_track_options(
    store: Store, scope: Scope, filters: Filters | None = None
) -> pd.DataFrame:
    """isrc, track_title, artist_name, label, adopters: the in-scope tracks with likely
    adopters (sidebar label / artist filters apply), most adopters first."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"SELECT c.isrc, c.track_title, c.artist_name, c.label, count(*) AS adopters "
        f"FROM recommend_adopters a JOIN catalog c USING (isrc) WHERE {cond} "
        f"GROUP BY ALL ORDER BY c.artist_name, c.track_title, c.isrc",
        params,
    )


@scoped
def recommend_adopters(store: Store, scope: Scope, isrc: str, limit: int = 200) -> pd.DataFrame:
    """rank, listener_id, score, country, age_band, gender, fan_type: the likely adopters of
    an in-scope track, best first. fan_type is the listener's persisted fan type for the
    track's artist ('not yet a fan' when the listener does not stream the artist)."""
    cond, params = _track_in_scope(scope, "c")
    return read_df(
        store,
        f"SELECT a.rank, a.listener_id, a.score, a.country, a.age_band, a.gender, "
        f"coalesce(f.profile, 'not yet a fan') AS fan_type "
        f"FROM recommend_adopters a JOIN catalog c USING (isrc) "
        f"LEFT JOIN fan_assignments f ON f.artist_id = c.artist_id "
        f"AND f.listener_id = a.listener_id "
        f"WHERE a.isrc = ? AND {cond} ORDER BY a.rank LIMIT ?",
        [isrc, *params, int(limit)],
    )


@scoped
def recommend_segments(store: Store, scope: Scope, isrc: str) -> pd.DataFrame:
    """country, age_band, gender, adopters, expected_adopters of an in-scope track, most
    expected adopters first."""
    cond, params = _track_in_scope(scope, "c")
    return read_df(
        store,
        f"SELECT s.country, s.age_band, s.gender, s.adopters, s.expected_adopters "
        f"FROM recommend_segments s JOIN catalog c USING (isrc) WHERE s.isrc = ? AND {cond} "
        f"ORDER BY s.expected_adopters DESC, s.country, s.age_band, s.gender",
        [isrc, *params],
    )


def _promote(
    store: Store, scope: Scope, kind: str, key: str, key_cond: str, key_params: list, limit: int
) -> pd.DataFrame:
    cond_b, params_b = _track_in_scope(scope, "b")
    return read_df(
        store,
        f"SELECT row_number() OVER (ORDER BY p.rank) AS rank, p.isrc, b.track_title, "
        f"b.artist_name, b.label, p.score, p.lift, p.reason "
        f"FROM recommend_promote p JOIN catalog b ON b.isrc = p.isrc "
        f"WHERE p.kind = ? AND p.key = ? AND {cond_b} AND {key_cond} ORDER BY p.rank LIMIT ?",
        [kind, key, *params_b, *key_params, int(limit)],
    )


@scoped
def recommend_promote_to_fans(
    store: Store, scope: Scope, isrc: str, limit: int = 10
) -> pd.DataFrame:
    """What to promote next to the listeners of an in-scope track: rank (among tracks in
    scope), isrc, track_title, artist_name, label, score, lift, reason."""
    cond_a, params_a = _track_in_scope(scope, "a")
    key_cond = f"EXISTS (SELECT 1 FROM catalog a WHERE a.isrc = p.key AND {cond_a})"
    return _promote(store, scope, "track", isrc, key_cond, params_a, limit)


@scoped
def recommend_promote_to_segment(
    store: Store, scope: Scope, country: str = "", age_band: str = "", limit: int = 10
) -> pd.DataFrame:
    """What to promote next to the listeners of a country x age band segment (same columns
    as recommend_promote_to_fans); empty for an unknown segment."""
    return _promote(store, scope, "segment", f"{country}|{age_band}", "true", [], limit)


@scoped
def recommend_segment_options(store: Store, scope: Scope) -> pd.DataFrame:
    """key, country, age_band: the segments with a promotion list of tracks in scope."""
    cond, params = _track_in_scope(scope, "b")
    return read_df(
        store,
        f"SELECT DISTINCT p.key, split_part(p.key, '|', 1) AS country, "
        f"split_part(p.key, '|', 2) AS age_band FROM recommend_promote p "
        f"JOIN catalog b ON b.isrc = p.isrc WHERE p.kind = 'segment' AND {cond} ORDER BY 1",
        params,
    )


@scoped
def recommend_listener_tracks(
    store: Store, scope: Scope, listener_id: str = "", limit: int = 10
) -> pd.DataFrame:
    """rank (among tracks in scope), isrc, track_title, score: a listener's next tracks."""
    cond, params = _track_in_scope(scope, "c")
    return read_df(
        store,
        f"SELECT row_number() OVER (ORDER BY l.rank) AS rank, l.isrc, c.track_title, l.score "
        f"FROM recommend_listener_tracks l JOIN catalog c USING (isrc) "
        f"WHERE l.listener_id = ? AND {cond} ORDER BY l.rank LIMIT ?",
        [listener_id, *params, int(limit)],
    )


COLD_START_DAYS = 90  # popularity window for listeners the model has not seen


@scoped
def recommend_cold_start_tracks(
    store: Store, scope: Scope, listener_id: str = "", limit: int = 10
) -> pd.DataFrame:
    """rank, isrc, track_title, score, country, age_band: for a listener the model has not
    seen (too new for the held-out split), the in-scope tracks most popular within the
    listener's segment (country x age band: where most of their streams come from), scored
    by the share of the segment's listeners who stream each over the last 90 days."""
    cond, params = _track_in_scope(scope, "c")
    return read_df(
        store,
        f"""WITH seg AS (
              SELECT arg_max(country, streams) AS country,
                     arg_max(age_band::VARCHAR, streams) AS age_band
              FROM trend_facts WHERE listener_id = ? HAVING count(*) > 0),
            recent AS (
              SELECT t.isrc, t.listener_id FROM trend_facts t, seg
              WHERE t.listener_id IS NOT NULL AND t.country = seg.country
                AND t.age_band::VARCHAR = seg.age_band
                AND t.date > (SELECT max(date) FROM trend_facts) - INTERVAL {COLD_START_DAYS} DAY),
            pop AS (
              SELECT isrc, count(DISTINCT listener_id)::DOUBLE
                     / (SELECT count(DISTINCT listener_id) FROM recent) AS score
              FROM recent GROUP BY isrc)
            SELECT row_number() OVER (ORDER BY p.score DESC, p.isrc) AS rank, p.isrc,
                   c.track_title, p.score, seg.country, seg.age_band
            FROM pop p JOIN catalog c USING (isrc), seg
            WHERE {cond} ORDER BY p.score DESC, p.isrc LIMIT ?""",
        [listener_id, *params, int(limit)],
    )


@scoped
def recommend_metrics(store: Store, scope: Scope) -> pd.DataFrame:
    """model, metric, value: held-out metrics behind the model choice (aggregate figures,
    no track or listener in them; empty for a scope without labels)."""
    cond, params = _track_in_scope(scope, "c")
    return read_df(
        store,
        f"SELECT model, metric, value FROM recommend_metrics "
        f"WHERE EXISTS (SELECT 1 FROM catalog c WHERE {cond}) ORDER BY model, metric",
        params,
    )
