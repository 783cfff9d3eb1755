"""Continuing detection from the state the last run saved, instead of refiltering history.

The saved rows hold each series' filter state and detection context with days as dates;
`Context` holds them as day offsets relative to the first day of the next block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from analytics.alerts.detect import Context, DetectConfig, Detection
from analytics.alerts.kalman import FilterState, Hyper, K
from analytics.alerts.series import Series, label_list

NONE = -(10**6)  # "never" as a day offset (no spike / drop so far)


@dataclass(frozen=True)
class Previous:
    """What the last run left to continue from: its recorded parameters, the day its data
    ran through and the filter-state rows it saved."""

    params: dict[str, Any]
    data_through: Any  # datetime.date | None
    state: pd.DataFrame


@dataclass(frozen=True)
class Plan:
    """An online run: the saved hyperparameters, each subject's context, first new day."""

    hyper: Hyper
    hyper_artist: Hyper
    contexts: dict[str, Context]
    first_new_day: int


def state_rows(subject: str, series: Series, det: Detection) -> pd.DataFrame:
    """The context to continue from, one row per series (days as dates)."""
    ctx = det.context
    day0 = series.dates[-1] + pd.Timedelta(days=1)

    def date_of(rel: np.ndarray) -> list:
        return [None if r <= NONE // 2 else (day0 + pd.Timedelta(days=int(r))).date() for r in rel]

    return pd.DataFrame(
        {
            "subject": subject,
            "subject_id": series.ids,
            "label": label_list(series),
            "through": series.dates[-1].date(),
            "obs_var": ctx.obs_var,
            "state": list(ctx.state.a),
            "cov": list(ctx.state.P.reshape(len(series.ids), -1)),
            "start_date": date_of(ctx.start),
            "seen": ctx.seen,
            "monitored": ctx.monitored,
            "run": [list(map(int, r)) for r in ctx.run],
            "armed": [list(map(bool, r)) for r in ctx.armed],
            "last_spike": date_of(ctx.last_rapid[:, 0]),
            "last_drop": date_of(ctx.last_rapid[:, 1]),
            "steps": list(ctx.steps),
        }
    )


def context_of(
    rows: pd.DataFrame, ids: np.ndarray, day0: pd.Timestamp, labels: np.ndarray | None = None
) -> Context | None:
    """The saved context for `ids` (days relative to day0), or None if any is missing.

    With `labels`, a series is (id, label): an artist unit whose label changed, or a
    track that moved label, has no saved context (its series is a different one)."""
    if labels is None:
        rows, wanted = rows.set_index("subject_id"), list(ids)
    else:
        rows = rows.set_index(["subject_id", "label"])
        wanted = list(zip(ids, labels, strict=True))
    if not rows.index.is_unique or not set(wanted) <= set(rows.index):
        return None
    if "steps" not in rows or rows.steps.isna().any():
        return None  # saved before the level-shift monitor: a full run
    r = rows.loc[wanted]

    def rel(dates: pd.Series) -> np.ndarray:
        d = pd.to_datetime(dates)
        return np.where(d.isna(), NONE, (d - day0).dt.days.fillna(0)).astype(np.int64)

    return Context(
        state=FilterState(
            np.stack(r.state.map(np.asarray)),
            np.stack(r["cov"].map(np.asarray)).reshape(-1, K, K),
        ),
        obs_var=r.obs_var.to_numpy(dtype=float),
        start=rel(r.start_date),
        seen=r.seen.to_numpy(dtype=bool),
        monitored=r.monitored.to_numpy(dtype=bool),
        run=np.stack(r.run.map(np.asarray)).astype(np.int64),
        armed=np.stack(r.armed.map(np.asarray)).astype(bool),
        last_rapid=np.column_stack([rel(r.last_spike), rel(r.last_drop)]),
        # start days in it are already relative to the day after the saved run (= day0)
        steps=np.stack(r.steps.map(lambda v: np.asarray(v, dtype=float))),
    )


def plan(prev: Previous | None, tracks: Series, artists: Series, cfg: DetectConfig) -> Plan | None:
    """An online plan when the saved state can simply be continued with the new days: same
    settings, state saved at the last run's data_through, new days since, and no series new
    to the model. Else None (a full run)."""
    if prev is None or prev.params.get("config") != cfg.as_dict() or "hyper" not in prev.params:
        return None
    rows = prev.state
    if rows.empty or prev.data_through is None:
        return None
    through = pd.Timestamp(rows.through.max())
    if rows.through.nunique() != 1 or through.date() != prev.data_through:
        return None
    if tracks.dates[-1] <= through or tracks.dates[0] > through:
        return None
    lo = int(tracks.dates.get_loc(through)) + 1
    day0 = tracks.dates[lo]
    contexts = {}
    for name, series in (("track", tracks), ("artist", artists)):
        c = context_of(rows[rows.subject == name], series.ids, day0, series.labels)
        if c is None:
            return None
        fresh = ~c.seen & ~np.isnan(series.counts[:, lo:]).all(axis=1)
        if fresh.any():  # a series first seen now needs a proper prior: full run
            return None
        contexts[name] = c
    hp = Hyper(**prev.params["hyper"])
    return Plan(hp, Hyper(**prev.params.get("hyper_artist", hp.__dict__)), contexts, lo)
