"""Scoped reads of the budget feature: tracks with an audience model, one track's model
status, the model pieces for an in-scope track, proposals and their audit trail.

Every public function is registered with `@scoped` from data.queries. The audience model of a
category is learned from the whole catalogue (an aggregate, shown for an in-scope track);
the identities of other labels' assets in it are blanked: only in-scope artists can appear
as interests.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from data.queries import Filters, joins_state, model_where, read_df, scoped, where
from data.results.budget import load_model
from data.scope import Scope
from data.store import Store


def _in_scope(store: Store, scope: Scope, isrc: str) -> bool:
    cond, params = where(scope, None)
    row = (
        store.cursor()
        .execute(f"SELECT count(*) FROM catalog c WHERE c.isrc = ? AND {cond}", [isrc, *params])
        .fetchone()
    )
    return bool(row[0])


@scoped
def budget_tracks(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """isrc, track_title, artist_id, artist_name, label, in_model for in-scope tracks that
    have an audience model (labels and artists of the filters apply)."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"SELECT c.isrc, c.track_title, c.artist_id, c.artist_name, c.label, b.in_model "
        f"FROM budget_assets b JOIN catalog c USING (isrc) WHERE {cond} "
        f"ORDER BY c.artist_name, c.track_title, c.isrc",
        params,
    )


@scoped
def budget_track(store: Store, scope: Scope, isrc: str) -> pd.DataFrame:
    """isrc, track_title, artist_name, label and in_model (null without a model) of one
    in-scope track; no row when it is unknown or out of scope."""
    cond, params = where(scope, None)
    return read_df(
        store,
        f"SELECT c.isrc, c.track_title, c.artist_name, c.label, b.in_model FROM catalog c "
        f"LEFT JOIN budget_assets b USING (isrc) WHERE c.isrc = ? AND {cond}",
        [isrc, *params],
    )


@scoped
def budget_inputs(store: Store, scope: Scope, isrc: str) -> dict[str, Any]:
    """The persisted model pieces for an in-scope track as frames ({} when out of scope or
    without a model). Other labels' assets keep their genre but lose isrc and artist."""
    if not _in_scope(store, scope, isrc):
        return {}
    m = load_model(store, isrc)
    if m is None:
        return {}
    cond, params = where(scope, None)
    visible = read_df(
        store,
        f"SELECT c.isrc, c.artist_name FROM catalog c WHERE {cond} AND c.isrc IN "
        f"(SELECT isrc FROM budget_assets WHERE category = ? AND in_model)",
        [*params, m.category],
    )
    names = dict(zip(visible["isrc"], visible["artist_name"], strict=True))
    assets = m.assets.copy()
    assets["artist_name"] = assets["isrc"].map(names)
    assets["isrc"] = assets["isrc"].where(assets["isrc"].isin(names.keys()))
    own = read_df(store, "SELECT artist_name FROM catalog WHERE isrc = ?", [isrc])
    return {
        "asset": pd.DataFrame(
            [
                {
                    "isrc": m.isrc,
                    "category": m.category,
                    "in_model": m.in_model,
                    "row_idx": m.row_idx,
                    "lam": m.lam,
                    "artist_name": own["artist_name"].iloc[0],
                }
            ]
        ),
        "e_row": pd.DataFrame({"e": m.e_row}),
        "e": pd.DataFrame(m.e),
        "x": pd.DataFrame(m.x),
        "y": pd.DataFrame(m.y),
        "groups": m.groups,
        "assets": assets,
        "territories": m.territories,
        "base": m.base,
        "response": m.response,
    }


@scoped
@joins_state
def budget_proposals(store: Store, scope: Scope, filters: Filters | None = None) -> pd.DataFrame:
    """Proposals for in-scope tracks, newest first, with track and artist names."""
    cond, params = model_where(scope, filters)
    return read_df(
        store,
        f"SELECT p.proposal_id, p.isrc, c.track_title, c.artist_name, p.label, p.goal, "
        f"p.total_usd, p.plan, p.status, p.comment, p.created_by, p.created_at, "
        f"p.updated_by, p.updated_at, p.version FROM budget_proposals p "
        f"JOIN catalog c ON c.isrc = p.isrc WHERE {cond} ORDER BY p.proposal_id DESC",
        params,
        state=("budget_proposals",),
    )


@scoped
@joins_state
def proposal_audit(
    store: Store, scope: Scope, filters: Filters | None = None, proposal_id: int | None = None
) -> pd.DataFrame:
    """Audit entries (who, when, action, before, after) of in-scope proposals, oldest first."""
    cond, params = model_where(scope, filters)
    extra, more = ("", []) if proposal_id is None else (" AND a.entity_id = ?", [str(proposal_id)])
    return read_df(
        store,
        f"SELECT a.audit_id, a.logged_at, a.actor, a.action, a.entity_id AS proposal_id, "
        f"a.before, a.after FROM audit_log a JOIN budget_proposals p "
        f"ON a.entity = 'budget_proposal' AND a.entity_id = CAST(p.proposal_id AS VARCHAR) "
        f"JOIN catalog c ON c.isrc = p.isrc WHERE {cond}{extra} ORDER BY a.audit_id",
        params + more,
        state=("audit_log", "budget_proposals"),
    )
