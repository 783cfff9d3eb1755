"""Fit and choose the recommender, then derive what the pages need: likely adopters of each
track, their segments, and the tracks to promote next to a track's listeners or a segment."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from analytics.recommend import cold_start, evaluation
from analytics.recommend.matrix import Interactions, from_pairs, time_split
from analytics.recommend.models import Model, Popularity, candidates

Progress = Callable[[str, float], None]
SEGMENT = ("country", "age_band", "gender")


@dataclass(frozen=True)
class RecommendParams:
    holdout_months: int = 1  # the latest months are the test of the model choice
    eval_listeners: int = 2000  # listeners sampled for the listener-wise metrics
    k: int = 10  # cut-off of the listener-wise metrics
    new_track_k: int = 100  # cut-off of the new-track adopter precision
    min_adopters: int = 10  # held-out adopters a track needs to be evaluated
    adopters: int = 200  # likely adopters kept per track
    listener_top: int = 20  # tracks kept per listener
    promote_top: int = 50  # tracks kept per audience and label
    factors: int = 32
    seed: int = 0
    # The job compares the models that fit in its time budget on a store of demo size; the
    # bench (bench/recommend_bench.py) compares every model, user-user KNN and BPR included.
    models: tuple[str, ...] = ("popularity", "item_knn", "als")

    def as_dict(self) -> dict:
        return asdict(self)


NO_LISTENERS = "none"
NO_LISTENERS_NOTE = (
    "no listener-level streams in the store: recommendations need listener ids, "
    "which chart imports do not have"
)


@dataclass
class RecommendModel:
    production: str
    metrics: pd.DataFrame  # model, metric, value (held-out, time split)
    adopters: pd.DataFrame  # isrc, rank, listener_id, score, country, age_band, gender
    segments: pd.DataFrame  # isrc, country, age_band, gender, adopters, expected_adopters
    promote: pd.DataFrame  # kind, key, rank, isrc, score, lift, reason
    listener_tracks: pd.DataFrame  # listener_id, rank, isrc, score
    hit_rate: float  # held-out share of a track's listed adopters who adopted it

    @classmethod
    def without_listeners(cls) -> RecommendModel:
        """No listener-level streams (e.g. a store of chart imports): nothing to learn from,
        so every result is empty and the summary says why."""
        return cls(
            production=NO_LISTENERS,
            metrics=pd.DataFrame(columns=["model", "metric", "value"]),
            adopters=pd.DataFrame(
                columns=["isrc", "rank", "listener_id", "score", "country", "age_band", "gender"]
            ),
            segments=pd.DataFrame(
                columns=["isrc", "country", "age_band", "gender", "adopters", "expected_adopters"]
            ),
            promote=pd.DataFrame(
                columns=["kind", "key", "rank", "isrc", "score", "lift", "reason"]
            ),
            listener_tracks=pd.DataFrame(columns=["listener_id", "rank", "isrc", "score"]),
            hit_rate=0.0,
        )

    def summary(self) -> dict:
        if self.production == NO_LISTENERS:
            return {"production": NO_LISTENERS, "note": NO_LISTENERS_NOTE}
        ndcg = self.metrics[self.metrics.metric == "ndcg@10"].set_index("model")["value"]
        return {
            "production": self.production,
            "ndcg@10": {m: round(float(v), 4) for m, v in ndcg.items()},
            "hit_rate": round(self.hit_rate, 4),
            "tracks": int(self.adopters["isrc"].nunique()),
            "adopter_rows": len(self.adopters),
            "promote_rows": len(self.promote),
        }


def _item_scores_cold(
    model: Model, cols: np.ndarray, siblings: dict, fallback: np.ndarray
) -> np.ndarray:
    """Listener scores for items `cols`; an item without plays borrows the mean score of its
    artist's other items, or the popularity fallback when the artist has none."""
    out = np.empty((len(fallback), len(cols)))
    warm = [j for j, c in enumerate(cols) if c not in siblings]
    if warm:
        out[:, warm] = model.item_scores(cols[warm])
    for j, c in enumerate(cols):
        if c in siblings:
            sib = siblings[c]
            out[:, j] = model.item_scores(sib).mean(axis=1) if len(sib) else fallback
    return out


def evaluate(
    data: pd.DataFrame, listeners: pd.DataFrame, artist_of: pd.Series, p: RecommendParams
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Held-out metrics of every candidate on the time split, and each model's hit rate."""
    split = time_split(data, p.holdout_months)
    train, test = split.train.plays, split.test
    rows = evaluation.eval_rows(test, train, p.eval_listeners, p.seed)
    binary = split.train.binary()
    has_plays = np.asarray(binary.sum(axis=0)).ravel() > 0
    adopters = np.asarray(test.sum(axis=0)).ravel()
    new_items = np.flatnonzero(~has_plays & (adopters >= p.min_adopters))
    warm_items = np.flatnonzero(has_plays & (adopters >= p.min_adopters))[:200]
    siblings = cold_start.sibling_items(split.train.items, artist_of, has_plays)
    test_csc, binary_csc = test.tocsc(), binary.tocsc()
    records, hit = [], {}
    for model in candidates(tuple(p.models), p.seed, p.factors):
        model.fit(train)
        m = evaluation.ranking_metrics(model.scores, train, test, rows, p.k)
        fallback = Popularity().fit(train).user_activity
        cold = _item_scores_cold(model, new_items, siblings, fallback) if len(new_items) else None
        precisions = [
            evaluation.adopter_precision(
                cold[:, j], test_csc[:, c].toarray().ravel() > 0, p.new_track_k
            )
            for j, c in enumerate(new_items)
        ]
        m[f"new_track_precision@{p.new_track_k}"] = (
            float(np.mean(precisions)) if precisions else float("nan")  # no new track held out
        )
        warm = model.item_scores(warm_items) if len(warm_items) else np.zeros((0, 0))
        hits = []
        for j, c in enumerate(warm_items):
            s = warm[:, j].copy()
            s[binary_csc[:, c].toarray().ravel() > 0] = -np.inf
            hits.append(
                evaluation.adopter_precision(s, test_csc[:, c].toarray().ravel() > 0, p.adopters)
            )
        hit[model.name] = float(np.mean(hits)) if hits else 0.0
        m[f"adopter_precision@{p.adopters}"] = hit[model.name]
        records += [(model.name, k, v) for k, v in m.items()]
    records += _cold_listeners(split.train.listeners, binary, test, listeners, p)
    return pd.DataFrame(records, columns=["model", "metric", "value"]), hit


def _cold_listeners(
    ids: np.ndarray, binary: sp.csr_matrix, test: sp.csr_matrix, listeners: pd.DataFrame, p
) -> list[tuple[str, str, float]]:
    """Listeners first seen in the held-out months: popularity within their country x age
    band against popularity overall (NDCG@k)."""
    rows = np.flatnonzero((np.diff(test.indptr) > 0) & (np.diff(binary.indptr) == 0))
    if len(rows) == 0:
        return []
    rows = rows[: p.eval_listeners]
    seg = listeners.set_index("listener_id").reindex(ids)
    key = (seg["country"].astype(str) + "|" + seg["age_band"].astype(str)).to_numpy()
    segments, counts = cold_start.segment_popularity(binary, key)
    of_row = np.searchsorted(segments, key)
    overall = np.asarray(binary.sum(axis=0)).ravel()
    metric = f"cold_listener_ndcg@{p.k}"
    by_segment = evaluation.ranking_metrics(lambda r: counts[of_row[r]], binary, test, rows, p.k)
    by_all = evaluation.ranking_metrics(
        lambda r: np.tile(overall, (len(r), 1)), binary, test, rows, p.k
    )
    return [
        ("segment_popularity", metric, by_segment[f"ndcg@{p.k}"]),
        ("popularity", metric, by_all[f"ndcg@{p.k}"]),
    ]


def choose(metrics: pd.DataFrame, k: int = 10) -> str:
    """The model with the best held-out NDCG@k (popularity when nothing beats it)."""
    ndcg = metrics[metrics.metric == f"ndcg@{k}"].set_index("model")["value"]
    return str(ndcg.sort_values(ascending=False, kind="stable").index[0])


def _full_scores(model: Model, data: Interactions, batch: int = 2048) -> np.ndarray:
    """[listeners, items] float32 scores, 0 where the listener already streams the item."""
    n = data.shape[0]
    out = np.zeros(data.shape, dtype=np.float32)
    for i in range(0, n, batch):
        rows = np.arange(i, min(n, i + batch))
        out[rows] = model.scores(rows)
    seen = data.plays.tocoo()
    out[seen.row, seen.col] = 0.0
    return out


def _promote(
    kind: str,
    keys: np.ndarray,
    member: sp.csr_matrix,
    scores: np.ndarray,
    binary: sp.csr_matrix,
    labels: np.ndarray,
    top: int,
) -> pd.DataFrame:
    """For each group of listeners (rows of `member`): items ranked by the group's mean score
    for items its listeners do not stream yet, the `top` best of each label (so every scope
    keeps a full list), with the lift behind the reason."""
    size = np.maximum(np.asarray(member.sum(axis=1)).ravel(), 1)[:, None]
    mean = np.asarray(member @ scores) / size
    share = np.asarray((member @ binary).todense()) / size
    base = np.asarray(binary.sum(axis=0)).ravel() / max(binary.shape[0], 1)
    lift = np.where(base > 0, share / np.where(base > 0, base, 1), 0.0)
    if kind == "track":  # a track is not promoted to its own listeners
        mean[np.arange(len(keys)), np.arange(len(keys))] = -np.inf
    g_idx, i_idx = [], []
    for label in np.unique(labels):
        cols = np.flatnonzero(labels == label)
        n = min(top, len(cols))
        best = cols[np.argsort(-mean[:, cols], axis=1, kind="stable")[:, :n]]
        g_idx.append(np.repeat(np.arange(len(keys)), n))
        i_idx.append(best.ravel())
    g = np.concatenate(g_idx) if g_idx else np.zeros(0, int)
    i = np.concatenate(i_idx) if i_idx else np.zeros(0, int)
    out = pd.DataFrame(
        {"kind": kind, "key": keys[g], "isrc_idx": i, "score": mean[g, i], "lift": lift[g, i]}
    )
    out = out[np.isfinite(out["score"])]
    out = out.sort_values(["key", "score", "isrc_idx"], ascending=[True, False, True])
    out["rank"] = out.groupby("key").cumcount() + 1
    return out


# A group streams a track "as much as average" within this factor of 1 either way.
AVERAGE_BAND = 0.1


def reason(who: str, lift: float) -> str:
    """Why a track is promoted to `who`: how their share of its listeners compares with
    the average listener's (`lift`, 1 = average). The model also ranks tracks a group
    barely streams yet (from what it does stream): said so, not "0.0x more than average"."""
    if lift >= 1 + AVERAGE_BAND:
        return f"{who} stream it {lift:.1f}x as much as the average listener"
    if lift > 1 - AVERAGE_BAND:
        return f"{who} stream it about as much as the average listener"
    if lift > 0:
        return (
            f"{who} stream it less than the average listener so far ({lift:.1f}x); the "
            "model ranks it from what they already play"
        )
    return f"{who} have not streamed it yet; the model ranks it from what they already play"


def _reasons(promote: pd.DataFrame) -> list[str]:
    """Why each track is promoted (see `reason`)."""
    out = []
    for kind, key, lift in zip(promote["kind"], promote["key"], promote["lift"], strict=True):
        if kind == "track":
            who = "listeners of this track"
        else:
            country, age = key.split("|")
            who = f"listeners in {country} aged {age}"
        out.append(reason(who, float(lift)))
    return out


def fit(
    monthly: pd.DataFrame,
    listeners: pd.DataFrame,
    tracks: pd.DataFrame,
    params: RecommendParams | None = None,
    progress: Progress | None = None,
) -> RecommendModel:
    """`monthly`: listener_id, isrc, month, streams; `listeners`: listener_id, country,
    age_band, gender; `tracks`: isrc, artist_id (every catalogue track, played or not)."""
    p = params or RecommendParams()
    say = progress or (lambda stage, fraction: None)
    if monthly.empty:
        return RecommendModel.without_listeners()
    artist_of = tracks.set_index("isrc")["artist_id"]
    say("comparing models on the held-out months", 0.05)
    metrics, hit = evaluate(monthly, listeners, artist_of, p)
    production = choose(metrics, p.k)

    say(f"fitting {production} on all months", 0.6)
    items = np.sort(tracks["isrc"].unique())
    data = from_pairs(monthly, np.sort(monthly["listener_id"].unique()), items)
    model = candidates((production,), p.seed, p.factors)[0].fit(data.plays)
    binary = data.binary()
    has_plays = np.asarray(binary.sum(axis=0)).ravel() > 0
    siblings = cold_start.sibling_items(items, artist_of, has_plays)
    coo = binary.tocoo()
    seen = np.zeros(data.shape, dtype=bool)
    seen[coo.row, coo.col] = True
    scores = _full_scores(model, data)
    for c, sib in siblings.items():  # tracks nobody streams yet: their artist's listeners
        scores[:, c] = scores[:, sib].mean(axis=1) if len(sib) else 0.0
    if isinstance(model, Popularity):  # listeners ranked for a track by how much they stream
        activity = model.user_activity.astype(np.float32)
        col_scores = np.repeat(activity[:, None], len(items), axis=1)
    else:
        col_scores = scores.copy()
    col_scores[seen] = -np.inf

    say("likely adopters and segments", 0.8)
    demo = listeners.set_index("listener_id").reindex(data.listeners)
    k = min(p.adopters, data.shape[0])
    by_item = np.ascontiguousarray(col_scores.T)  # [items, listeners]: rows partition fast
    del col_scores
    part = np.argpartition(-by_item, k - 1, axis=1)[:, :k]  # unordered
    order = np.argsort(-np.take_along_axis(by_item, part, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(part, order, axis=1)
    adopters = pd.DataFrame(
        {
            "isrc": np.repeat(items, k),
            "rank": np.tile(np.arange(1, k + 1), len(items)),
            "listener_id": data.listeners[top.ravel()],
            "score": np.take_along_axis(by_item, top, axis=1).ravel().astype(float),
        }
    )
    adopters = adopters[np.isfinite(adopters["score"])].reset_index(drop=True)
    for col in SEGMENT:
        adopters[col] = demo[col].to_numpy()[
            pd.Index(data.listeners).get_indexer(adopters.listener_id)
        ]
    rate = hit.get(production, 0.0)
    segments = adopters.groupby(["isrc", *SEGMENT], as_index=False, observed=True).size()
    segments = segments.rename(columns={"size": "adopters"})
    segments["expected_adopters"] = segments["adopters"] * rate

    say("tracks to promote next", 0.9)
    fans = binary.T.tocsr()  # each track's listeners
    labels = tracks.set_index("isrc")["label"].reindex(items).fillna("").to_numpy()
    promote_tracks = _promote("track", items, fans, scores, binary, labels, p.promote_top)
    seg_key = (demo["country"].astype(str) + "|" + demo["age_band"].astype(str)).to_numpy()
    keys, inverse = np.unique(seg_key, return_inverse=True)
    member = sp.csr_matrix(
        (np.ones(len(inverse)), (inverse, np.arange(len(inverse)))), shape=(len(keys), len(inverse))
    )
    promote_segments = _promote("segment", keys, member, scores, binary, labels, p.promote_top)
    promote = pd.concat([promote_tracks, promote_segments], ignore_index=True)
    promote["isrc"] = items[promote.pop("isrc_idx").to_numpy()]
    promote["reason"] = _reasons(promote)

    top_l = min(p.listener_top, len(items))
    masked = scores.copy()
    masked[seen] = -np.inf
    part = np.argpartition(-masked, top_l - 1, axis=1)[:, :top_l]
    order = np.argsort(-np.take_along_axis(masked, part, axis=1), axis=1, kind="stable")
    best = np.take_along_axis(part, order, axis=1)
    listener_tracks = pd.DataFrame(
        {
            "listener_id": np.repeat(data.listeners, top_l),
            "rank": np.tile(np.arange(1, top_l + 1), len(data.listeners)),
            "isrc": items[best.ravel()],
            "score": np.take_along_axis(masked, best, axis=1).ravel().astype(float),
        }
    )
    listener_tracks = listener_tracks[np.isfinite(listener_tracks["score"])]
    return RecommendModel(
        production=production,
        metrics=metrics,
        adopters=adopters,
        segments=segments,
        promote=promote[["kind", "key", "rank", "isrc", "score", "lift", "reason"]],
        listener_tracks=listener_tracks.reset_index(drop=True),
        hit_rate=rate,
    )
