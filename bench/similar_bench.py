"""Similar artists: model time and quality on the demo store, and on two real data sets.

    python bench/similar_bench.py --db STORE [--truth GROUND_TRUTH_DIR] [--realdata DIR]

STORE is a (migrated) copy of the SYNTHETIC demo store, e.g.
`cp data/labelradar.duckdb /tmp/sim.duckdb && python -m app refresh --only similar --db
/tmp/sim.duckdb` (read only here). GROUND_TRUTH_DIR defaults to the demo build's
ground_truth folder next to the store's files.

1. Demo store: read, weight + embed, cluster, neighbours and potential-streams times for
   each weighting x embedder; scored against the planted truth: adjusted Rand index of the
   clusters, planted-community neighbours among the 10 nearest, and the hit rate of the
   planted under-served countries in the top 5 when ranking by gap (this model) and by
   modelled volume (the neighbours' average streams), in the same run. Against the obvious
   alternative for neighbours, the listener graph itself (Jaccard of the listener sets):
   time and neighbour purity.
2. Real data under ../shared/realdata (absent -> said so): Spotify charts artist x country
   streams and Last.fm HetRec 2011 artist x listener plays: neighbours of a few well-known
   artists and the time taken.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.metrics import adjusted_rand_score

# The repo lives beside shared/ (as in CI); --realdata overrides (e.g. from a worktree).
from truth import ground_truth_dir

from analytics.similar import clusters, embedding, evaluation, neighbours
from analytics.similar import potential as similar_geo

ROOT = Path(__file__).resolve().parents[1]
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"


def timed(fn, *args, **kw):
    t = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - t


def purity(community: np.ndarray, idx: np.ndarray, k: int = 10) -> float:
    return float((community[idx[:, :k]] == community[:, None]).sum(axis=1).mean())


def jaccard_neighbours(m: sp.csr_matrix, k: int) -> np.ndarray:
    """The graph alternative: nearest artists by Jaccard overlap of their listener sets."""
    b = sp.csr_matrix(m, copy=True)
    b.data = np.ones_like(b.data)
    co = (b @ b.T).toarray()
    size = np.asarray(b.sum(axis=1)).ravel()
    jac = co / (size[:, None] + size[None, :] - co)
    np.fill_diagonal(jac, -np.inf)
    return np.argsort(-jac, axis=1, kind="stable")[:, :k]


def rank_frame(ids, countries, values) -> pd.DataFrame:
    a, c = values.shape
    f = pd.DataFrame(
        {"artist_id": np.repeat(ids, c), "country": np.tile(countries, a), "v": values.ravel()}
    )
    f["rank"] = f.groupby("artist_id")["v"].rank(method="first", ascending=False)
    return f


def demo(db: Path, truth: Path) -> None:
    from data.results import similar as similar_batch
    from data.store import open_store

    print(f"## Demo store (SYNTHETIC): {db}")
    with open_store(db, read_only=True) as store:
        (rows, countries_rows), t_read = timed(
            lambda: (similar_batch.listener_streams(store), similar_batch.country_streams(store))
        )
    print(
        f"read listener x artist pairs: {len(rows):,}, artist x country rows: "
        f"{len(countries_rows):,} in {t_read:.2f} s"
    )
    lm, t_matrix = timed(embedding.listener_matrix, rows)
    print(
        f"matrix {lm.matrix.shape[0]} artists x {lm.matrix.shape[1]:,} listeners, "
        f"{lm.matrix.nnz:,} non-zeros in {t_matrix:.2f} s"
    )
    artists = pd.read_csv(truth / "artists.csv").set_index("artist_id")
    community = artists.loc[lm.artist_ids, "community"].to_numpy()
    underserved = pd.read_csv(truth / "underserved.csv")
    streams, countries = similar_geo.country_matrix(countries_rows, lm.artist_ids)
    print()
    print(
        "| weighting | embedder | embed s | cluster s | clusters | ARI | same-community "
        "of 10 nearest | top-5 hit: gap | top-5 hit: volume (original) |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for weighting in ("log", "bm25", "none"):
        for embedder in ("svd", "als"):
            x, t_embed = timed(
                lambda w=weighting, e=embedder: embedding.embed(
                    embedding.weight(lm.matrix, w), 32, e
                )
            )
            cl, t_cluster = timed(clusters.cluster, x)
            idx, score = neighbours.neighbours(x)
            res = similar_geo.potential_streams(streams, idx, score, k=10)
            by_gap = similar_geo.potential_frame(lm.artist_ids, countries, res)
            vol = evaluation.modelled_volume(streams, idx, score, k=10)
            by_vol = rank_frame(lm.artist_ids, countries, vol)
            hit_gap, n = evaluation.top_hit_rate(by_gap, underserved)
            hit_vol, _ = evaluation.top_hit_rate(by_vol, underserved)
            print(
                f"| {weighting} | {embedder} | {t_embed:.2f} | {t_cluster:.2f} | "
                f"{cl.n_clusters} | {adjusted_rand_score(community, cl.labels):.3f} | "
                f"{purity(community, idx):.2f} | {hit_gap:.2f} ({n} artists) | {hit_vol:.2f} |"
            )
    # the chosen model, end to end, against the listener-graph alternative
    x, t_embed = timed(lambda: embedding.embed(embedding.weight(lm.matrix, "log"), 32, "svd"))
    (idx, score), t_nb = timed(neighbours.neighbours, x)
    _, t_pot = timed(similar_geo.potential_streams, streams, idx, score, 10)
    jac, t_jac = timed(jaccard_neighbours, lm.matrix, 10)
    print()
    print(
        f"chosen (log + SVD 32): embed {t_embed:.3f} s + neighbours {t_nb:.3f} s, "
        f"purity {purity(community, idx):.2f}; potential streams {t_pot:.3f} s"
    )
    print(
        f"listener-graph Jaccard neighbours: {t_jac:.3f} s, purity {purity(community, jac):.2f}"
        f"; time ratio graph / embedding = {t_jac / (t_embed + t_nb):.2f}"
    )


def show(ids, names: dict, idx, score, picks: list[str], k: int = 5) -> None:
    pos = {names[a]: i for i, a in enumerate(ids)}
    for name in picks:
        if name not in pos:
            print(f"- {name}: not in the data")
            continue
        i = pos[name]
        nb = ", ".join(
            f"{names[ids[j]]} ({s:.2f})" for j, s in zip(idx[i, :k], score[i, :k], strict=True)
        )
        print(f"- {name}: {nb}")


def spotify(realdata: Path) -> None:
    path = realdata / "spotify_charts_artist_region" / "artist_stats.csv"
    print("\n## Spotify charts, artist x country streams (real)")
    if not path.exists():
        print(f"ABSENT: {path} not found, skipped")
        return
    t0 = time.perf_counter()
    df = pd.read_csv(path)
    rows = df.rename(columns={"region": "listener_id", "artist_total_streams": "streams"})
    rows = rows[rows["streams"] > 0]
    # artists charting in at least 3 countries: the rest have no country profile to compare
    keep = rows.groupby("artist_id")["listener_id"].transform("size") >= 3
    rows = rows[keep]
    lm = embedding.listener_matrix(rows[["artist_id", "listener_id", "streams"]])
    x = embedding.embed(embedding.weight(lm.matrix, "log"), 16, "svd")
    cl = clusters.cluster(x)
    idx, score = neighbours.neighbours(x, k=10)
    t = time.perf_counter() - t0
    names = dict(zip(df["artist_id"], df["main_artist"], strict=False))
    print(
        f"{len(df):,} rows; {lm.matrix.shape[0]:,} artists in >= 3 countries x "
        f"{lm.matrix.shape[1]} countries; {cl.n_clusters} clusters; read + model {t:.2f} s"
    )
    top = rows.groupby("artist_id")["streams"].sum().sort_values(ascending=False)
    picks = [names[a] for a in top.index[:4]] + ["Bad Bunny", "BTS", "Coldplay"]
    show(lm.artist_ids, names, idx, score, list(dict.fromkeys(picks)))


def lastfm(realdata: Path) -> None:
    root = realdata / "lastfm_hetrec2011_2k"
    print("\n## Last.fm HetRec 2011, artist x listener plays (real)")
    if not (root / "user_artists.dat").exists():
        print(f"ABSENT: {root} not found, skipped")
        return
    t0 = time.perf_counter()
    ua = pd.read_csv(
        root / "user_artists.dat",
        sep="\t",
        comment="/",
        header=None,
        names=["listener_id", "artist_id", "streams"],
    )
    arts = pd.read_csv(
        root / "artists.dat",
        sep="\t",
        header=None,
        usecols=[0, 1],
        names=["artist_id", "name"],
        quoting=3,
    )
    t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    lm = embedding.listener_matrix(ua)
    x = embedding.embed(embedding.weight(lm.matrix, "log"), 64, "svd")
    t_embed = time.perf_counter() - t1
    cl, t_cluster = timed(clusters.cluster, x)
    (idx, score), t_nb = timed(neighbours.neighbours, x, 10)
    names = dict(zip(arts["artist_id"], arts["name"], strict=False))
    print(
        f"{len(ua):,} plays rows; {lm.matrix.shape[0]:,} artists x {lm.matrix.shape[1]:,} "
        f"listeners; read {t_read:.2f} s, weight + embed (SVD 64) {t_embed:.2f} s, cluster "
        f"{t_cluster:.2f} s ({cl.n_clusters} clusters), neighbours {t_nb:.2f} s"
    )
    # well-known artists with enough listeners for a meaningful profile
    picks = ["The Beatles", "Radiohead", "Britney Spears", "Metallica", "Daft Punk", "Shakira"]
    show(lm.artist_ids, names, idx, score, picks)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, required=True)
    ap.add_argument("--truth", type=Path, help="ground truth dir (default: from the store)")
    ap.add_argument("--realdata", type=Path, default=REALDATA)
    args = ap.parse_args()
    demo(args.db, args.truth or ground_truth_dir(args.db))
    spotify(args.realdata)
    lastfm(args.realdata)


if __name__ == "__main__":
    main()
