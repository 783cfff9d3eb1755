"""Why a change happened and whether it is an opportunity.

Attribution: the excess streams of the change window over what was expected, split by DSP,
by active/passive context, by source and by playlist. Each part's expected streams are its
share of the pre-change window times the expected total, so a component that merely kept
its share explains none of the excess; the shares of the excess sum to 1 per dimension.

Growth potential, from listener-level rows (listener, date, source) over a window:
- passive-to-active conversion: of the listeners first seen in a passive context, the
  share who later stream the track in an active context;
- search conversion: of the listeners first seen via search, the share who later stream it
  from their collection;
- engagement drop-off: of the listeners seen in the first half of the window, the share
  not seen again in the second half.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from analytics.catalog.names import dsp_name

DIMENSIONS = ("dsp", "context", "source", "playlist_id")
NO_PLAYLIST = "(no playlist)"
VERB = {
    "spike": "add",
    "drop": "removal",
    "growth": "growth",
    "decline": "decline",
    "release": "release",
}


@dataclass(frozen=True)
class Attribution:
    parts: list[dict]  # dimension, value, share (of the excess), excess (streams)
    cause: str  # in words, e.g. "editorial playlist add on spotify: 71% of the excess"
    cause_dimension: str | None
    cause_value: str | None
    excess: float


def _with_context(rows: pd.DataFrame, active: Collection[str]) -> pd.DataFrame:
    rows = rows.copy()
    for col in ("dsp", "source"):
        rows[col] = rows[col].astype(str).astype(object)
    rows["context"] = np.where(rows["source"].isin(list(active)), "active", "passive")
    rows["playlist_id"] = (
        rows["playlist_id"].astype(object).where(rows["playlist_id"].notna(), NO_PLAYLIST)
    )
    return rows


def attribute_many(
    rows: pd.DataFrame,
    expected: pd.Series,
    kinds: pd.Series,
    multi_track: set[str] | frozenset[str] = frozenset(),
    *,
    active: Collection[str],
) -> dict[str, Attribution]:
    """Attribution for many changes at once (one groupby per dimension, not per change).

    rows: key, during (bool: change window, else the pre-change window), dsp, source,
    playlist_id, streams (and isrc, optional); expected / kinds: indexed by key (expected
    streams of the change window, the alert kind). For the keys in `multi_track` (artist
    totals) the excess is also split by track (isrc). `active`: the sources a listener
    chooses (active context); the others are passive."""
    out: dict[str, Attribution] = {}
    if rows.empty:
        return {
            k: Attribution([], "not enough data to attribute the change", None, None, 0.0)
            for k in expected.index
        }
    r = _with_context(rows, active)
    totals = r.groupby(["key", "during"]).streams.sum().unstack("during")
    totals = totals.reindex(index=expected.index, columns=[False, True]).fillna(0.0)
    b_total, d_total = totals[False], totals[True]
    excess = d_total - expected
    parts: dict[str, list[dict]] = {k: [] for k in expected.index}
    dims = DIMENSIONS + (("isrc",) if "isrc" in r.columns and multi_track else ())
    for dim in dims:
        tab = r.groupby(["key", dim, "during"]).streams.sum().unstack("during")
        tab = tab.reindex(columns=[False, True]).fillna(0.0)
        keys = tab.index.get_level_values("key")
        b = b_total.reindex(keys).to_numpy()
        diff = (
            tab[True].to_numpy()
            - np.divide(tab[False].to_numpy(), b, out=np.zeros(len(b)), where=b > 0)
            * expected.reindex(keys).to_numpy()
        )
        ex = excess.reindex(keys).to_numpy()
        share = np.divide(diff, ex, out=np.zeros(len(ex)), where=np.abs(ex) > 1e-9)
        frame = pd.DataFrame(
            {"key": keys, "value": tab.index.get_level_values(dim), "share": share, "excess": diff}
        )
        frame = frame[frame.share > 0.02].sort_values(["key", "share"], ascending=[True, False])
        for key, value, sh, dx in frame.groupby("key").head(5).itertuples(index=False):
            if dim == "isrc" and key not in multi_track:
                continue
            parts[key].append(
                {
                    "dimension": dim,
                    "value": str(value),
                    "share": round(float(sh), 4),
                    "excess": round(float(dx), 1),
                }
            )
    # The playlist -> (source, dsp) names, for the cause in words.
    pl = r[r.playlist_id != NO_PLAYLIST].drop_duplicates("playlist_id")
    playlist_names = dict(zip(pl.playlist_id, zip(pl.source, pl.dsp, strict=True), strict=True))
    for key in expected.index:
        if b_total[key] <= 0:
            out[key] = Attribution(
                [], "not enough data to attribute the change", None, None, float(excess[key])
            )
        elif abs(excess[key]) < 1e-9:
            out[key] = Attribution([], "no excess over the forecast to attribute", None, None, 0.0)
        else:
            out[key] = _name_cause(parts[key], playlist_names, kinds[key], float(excess[key]))
    return out


def attribute(
    before: pd.DataFrame,
    during: pd.DataFrame,
    expected_total: float,
    kind: str,
    *,
    active: Collection[str],
) -> Attribution:
    """Split the excess of `during` over `expected_total` by dimension (one change).

    before/during: rows with dsp, source, playlist_id (None = no playlist), streams; the
    pre-change window and the change window. Works for drops too (the 'excess' is then a
    shortfall and the shares are of the shortfall)."""
    rows = pd.concat([before.assign(during=False), during.assign(during=True)])
    rows["key"] = "k"
    expected = pd.Series({"k": expected_total})
    return attribute_many(rows, expected, pd.Series({"k": kind}), active=active)["k"]


def _top(parts: list[dict], dim: str, skip: str | None = None) -> dict | None:
    cands = [p for p in parts if p["dimension"] == dim and p["value"] != skip]
    return max(cands, key=lambda p: p["share"]) if cands else None


def _name_cause(parts: list[dict], playlist_names: dict, kind: str, excess: float):
    track = _top(parts, "isrc")
    if track is not None and track["share"] >= 0.5:
        # An artist total whose change is mostly one track: name the track first.
        inner = _name_cause(
            [p for p in parts if p["dimension"] != "isrc"], playlist_names, kind, excess
        )
        text = f"track {track['value']} ({track['share']:.0%}); {inner.cause}"
        return Attribution(parts, text, inner.cause_dimension, inner.cause_value, excess)
    verb = VERB[kind]
    playlist = _top(parts, "playlist_id", skip=NO_PLAYLIST)
    if playlist is not None and playlist["share"] >= 0.5:
        source, dsp = playlist_names.get(playlist["value"], ("playlist", "?"))
        text = (
            f"{source.replace('_', ' ')} {verb} on {dsp_name(dsp)} ({playlist['value']}): "
            f"{playlist['share']:.0%} of the excess"
        )
        return Attribution(parts, text, "playlist_id", playlist["value"], excess)
    source = _top(parts, "source")
    if source is not None and source["share"] >= 0.4:
        dsp = _top(parts, "dsp")
        where = f" on {dsp_name(dsp['value'])}" if dsp is not None and dsp["share"] >= 0.6 else ""
        name = source["value"].replace("_", " ")
        what = f"{name} {verb}" if "playlist" in name else f"{name} streams {kind}"
        text = f"{what}{where}: {source['share']:.0%} of the excess"
        return Attribution(parts, text, "source", source["value"], excess)
    ctx = _top(parts, "context")
    if ctx is not None:
        text = f"{ctx['value']} listening across sources: {ctx['share']:.0%} of the excess"
        return Attribution(parts, text, "context", ctx["value"], excess)
    return Attribution(parts, "no single cause stands out", None, None, excess)


@dataclass(frozen=True)
class Growth:
    available: bool
    listeners: int
    passive_to_active: float | None
    search_conversion: float | None
    drop_off: float | None
    note: str

    def as_dict(self) -> dict:
        return asdict(self)


MIN_LISTENERS = 20


def growth_metrics(rows: pd.DataFrame | None, start, end, *, active: Collection[str]) -> Growth:
    """Growth-potential metrics from listener rows (listener_id, date, source) in [start, end];
    `active` are the sources a listener chooses (the rest are programmed for them)."""
    if rows is None or rows.empty:
        return Growth(False, 0, None, None, None, "no listener-level rows for this track")
    r = rows[(rows.date >= start) & (rows.date <= end)]
    # Codes in value order: sorting the codes sorts the values (numpy, not a pandas sort
    # of three object columns, which dominated the job's explain step).
    lid, uniq = pd.factorize(r.listener_id, sort=True)
    n = len(uniq)
    if n < MIN_LISTENERS:
        return Growth(
            False,
            n,
            None,
            None,
            None,
            f"only {n} identified listeners in the window (needs {MIN_LISTENERS})",
        )
    # Ties on a listener's first day are broken by source, so reruns agree.
    source = r.source.astype(str).to_numpy()
    src_code, _ = pd.factorize(source, sort=True)
    date = r.date.to_numpy()
    order = np.lexsort((src_code, date, lid))
    code, date, source = lid[order], date[order], source[order]
    is_active = np.isin(source, list(active))
    _, first = np.unique(code, return_index=True)  # rows are sorted: first row per listener
    later = date > date[first][code]

    def conv(first_mask: np.ndarray, later_mask: np.ndarray) -> float | None:
        who = np.flatnonzero(first_mask)  # listener codes (first[] is indexed by code)
        if len(who) < 5:
            return None
        return float(np.isin(who, code[later & later_mask]).mean())

    p2a = conv(~is_active[first], is_active)
    search = conv(source[first] == "search", source == "collection")
    mid = np.datetime64(start + (end - start) / 2)
    early = np.unique(code[date < mid])
    drop = float(1 - np.isin(early, code[date >= mid]).mean()) if len(early) >= 5 else None
    return Growth(True, n, p2a, search, drop, "")


@dataclass(frozen=True)
class Opportunity:
    opportunity: bool
    goal: str | None  # expand | accelerate | sustain
    reason: str


def classify(kind: str, g: Growth, bench: dict[str, float]) -> Opportunity:
    """Opportunity or not, with a campaign goal, against catalogue benchmarks (medians).

    Up (spike/growth/release): converting listeners -> accelerate the trend; reach that converts via
    search but not from passive contexts -> expand to new audiences; neither -> not yet.
    Down (drop/decline): a core that is staying -> sustain (re-engage); leaving -> no."""
    if not g.available:
        return Opportunity(False, None, f"growth potential unavailable: {g.note}")
    p2a, search, drop = g.passive_to_active, g.search_conversion, g.drop_off

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.0%}"

    if kind in ("spike", "growth", "release"):
        if p2a is not None and p2a >= bench.get("passive_to_active", 0.0):
            return Opportunity(
                True,
                "accelerate",
                f"passive-to-active conversion {pct(p2a)} >= catalogue median "
                f"{pct(bench.get('passive_to_active'))}: new listeners are becoming fans",
            )
        if search is not None and search > 0 and search >= bench.get("search_conversion", 0.0):
            return Opportunity(
                True,
                "expand",
                f"search conversion {pct(search)} >= catalogue median "
                f"{pct(bench.get('search_conversion'))} but passive listeners convert less "
                f"({pct(p2a)}): reach more of the audience that seeks the track out",
            )
        return Opportunity(
            False,
            None,
            f"listeners are not converting (passive-to-active {pct(p2a)}, search "
            f"{pct(search)}, both below the catalogue medians)",
        )
    if drop is not None and drop <= bench.get("drop_off", 1.0):
        return Opportunity(
            True,
            "sustain",
            f"drop-off {pct(drop)} <= catalogue median {pct(bench.get('drop_off'))}: the core "
            f"audience is still there to re-engage",
        )
    return Opportunity(
        False,
        None,
        f"drop-off {pct(drop)} above the catalogue median {pct(bench.get('drop_off'))}: "
        f"listeners are leaving",
    )
