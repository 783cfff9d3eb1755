"""Ingest throughput: a large valid trend report, as Parquet and as CSV, into a fresh store.

    python bench/ingest_throughput.py                 # 10,000,000 rows, pandas sample 1,000,000
    python bench/ingest_throughput.py --rows 200000   # a quick run

Generates (vectorised numpy/pyarrow) a catalog and a valid trend report under --out
(default bench/out/, gitignored), then loads each format with data.ingest into a fresh store
in its own child process and reports rows/s, elapsed time, the time per stage and the child's
peak RSS. For comparison it runs the obvious alternative in the same way: pandas reads the
whole file, validates it with vectorised DataFrame operations, and inserts it (with the same
aggregates refresh) -- on a smaller sample (--sample rows), scaled linearly to --rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]

N_ISRC = 20_000
N_LISTENERS = 500_000
DAYS = 90
START = np.datetime64("2026-01-01")
TODAY = dt.date(2026, 6, 30)
DSPS = ["spotify", "apple_music", "amazon", "deezer", "youtube", "tidal"]
COUNTRIES = ["US", "GB", "DE", "FR", "BR", "MX", "JP", "SE", "NL", "ES", "IT", "CA", "AU", "IN"]


# -- data -----------------------------------------------------------------------------------
def _isrcs() -> list[str]:
    return [f"QZ{'ABCDE'[i % 5]}{i % 100:02d}26{i:05d}" for i in range(N_ISRC)]


def _dict(values: list[str], idx: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        pa.array(idx.astype(np.int32), mask=null), pa.array(values, pa.string())
    )


def generate_trend(path: Path, rows: int, seed: int = 7) -> None:
    """A valid trend report of `rows` rows as Parquet (row groups of 1M rows)."""
    from data.ingest import validation as v

    rng = np.random.default_rng(seed)
    listeners = [f"{x:016x}" for x in rng.integers(0, 2**62, N_LISTENERS)]
    regions = [f"Region {i}" for i in range(300)]
    playlists = [f"pl{i:06d}" for i in range(5000)]
    sources = list(v.SOURCES)
    playlist_idx = [sources.index(s) for s in v.PLAYLIST_SOURCES]
    writer = None
    step = 1_000_000
    for lo in range(0, rows, step):
        n = min(step, rows - lo)

        def pick(values, n=n):
            return _dict(list(values), rng.integers(0, len(values), n))

        src = rng.integers(0, len(sources), n)
        not_playlist = ~np.isin(src, playlist_idx)
        # Popular tracks are streamed more: a Zipf-like choice of ISRC.
        isrc_idx = np.minimum(rng.zipf(1.3, n) - 1, N_ISRC - 1)
        batch = pa.table(
            {
                "date": pa.array(START + rng.integers(0, DAYS, n).astype("timedelta64[D]")).cast(
                    pa.date32()
                ),
                "dsp": pick(DSPS),
                "isrc": _dict(_isrcs_cache(), isrc_idx),
                "country": pick(COUNTRIES),
                "region": _dict(regions, rng.integers(0, 300, n), rng.random(n) < 0.3),
                "age_band": pick(v.AGE_BANDS),
                "gender": pick(v.GENDERS),
                "subscription": pick(v.SUBSCRIPTIONS),
                "device": pick(v.DEVICES),
                "os": pick(v.OSES),
                "source": _dict(sources, src),
                "playlist_id": _dict(playlists, rng.integers(0, 5000, n), not_playlist),
                "listener_id": _dict(
                    listeners, rng.integers(0, N_LISTENERS, n), rng.random(n) < 0.2
                ),
                "streams": pa.array(rng.integers(1, 50, n)),
            }
        )
        if writer is None:
            writer = pq.ParquetWriter(path, batch.schema)
        writer.write_table(batch)
    if writer is None:  # rows == 0
        raise SystemExit("--rows must be positive")
    writer.close()


_ISRCS: list[str] = []


def _isrcs_cache() -> list[str]:
    if not _ISRCS:
        _ISRCS.extend(_isrcs())
    return _ISRCS


def write_catalog(path: Path) -> None:
    """The catalog CSV of the benchmark's tracks (20,000 ISRCs on 3,000 artists, 7 labels)."""
    import duckdb

    isrcs = _isrcs_cache()
    n = len(isrcs)
    catalog = pa.table(
        {
            "isrc": isrcs,
            "track_title": [f"Track {i}" for i in range(n)],
            "artist_id": [f"artist_{i % 3000}" for i in range(n)],
            "artist_name": [f"Artist {i % 3000}" for i in range(n)],
            "label": [f"Label {i % 7}" for i in range(n)],
            "genre": ["Pop"] * n,
            "release_date": ["2020-01-01"] * n,
        }
    )
    con = duckdb.connect()
    con.register("catalog_t", catalog)
    con.execute("COPY catalog_t TO ? (HEADER)", [str(path)])


def generate(out: Path, rows: int, sample: int) -> dict[str, Path]:
    """Catalog CSV, trend report Parquet + CSV (rows), and the pandas sample (sample rows)."""
    import duckdb

    out.mkdir(parents=True, exist_ok=True)
    files = {
        "catalog": out / "catalog.csv",
        "parquet": out / f"trend_{rows}.parquet",
        "csv": out / f"trend_{rows}.csv",
        "sample_parquet": out / f"trend_{sample}.parquet",
        "sample_csv": out / f"trend_{sample}.csv",
    }
    write_catalog(files["catalog"])
    con = duckdb.connect()
    for key, count in (("parquet", rows), ("sample_parquet", sample)):
        if not files[key].exists():
            t = time.perf_counter()
            generate_trend(files[key], count)
            print(f"generated {files[key]} in {time.perf_counter() - t:.1f} s", flush=True)
        csv_key = key.replace("parquet", "csv")
        if not files[csv_key].exists():
            con.execute(
                "COPY (SELECT * FROM read_parquet(?)) TO ? (HEADER)",
                [str(files[key]), str(files[csv_key])],
            )
    return files


# -- measurements (each in a child process, for its own peak RSS) ---------------------------
def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _fresh_store(workdir: Path, name: str, catalog: Path):
    """A new file store at workdir/name holding the catalog: (store, path)."""
    from data import ingest
    from data.store import open_store

    db = workdir / name
    for p in (db, Path(str(db) + ".wal")):
        p.unlink(missing_ok=True)
    store = open_store(db)
    ingest.load_catalog(store, catalog)
    return store, db


def _result(trend: Path, rows: int, ingest_s: float, aggregates_s: float, cpu0: float, **extra):
    """One measurement as the parent reads it (call right after the store is closed)."""
    return {
        "rows": rows,
        "ingest": ingest_s,
        "aggregates": aggregates_s,
        "elapsed": ingest_s + aggregates_s,
        "cpu": _cpu_seconds() - cpu0,
        "peak_rss_mb": _peak_rss_mb(),
        "file_mb": trend.stat().st_size / 1e6,
        **extra,
    }


def child_ingest(catalog: Path, trend: Path, workdir: Path) -> dict:
    """The two stages `labelradar ingest` runs: the ingest proper (hash, validate, load
    atomically into trend_facts, queue the touched aggregate partitions; architecture
    section 2, "data ingest") and then the aggregates refresh, timed apart."""
    from data import ingest

    store, db = _fresh_store(workdir, f"bench_{trend.name}.duckdb", catalog)
    base_rss = _peak_rss_mb()
    stages: list[tuple[str, float]] = []
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()

    def progress(stage: str, fraction: float) -> None:
        stages.append((stage, time.perf_counter() - t0))

    result = ingest.load_trend_report(
        store, trend, progress=progress, today=TODAY, defer_aggregates=True
    )
    t_ingest = time.perf_counter() - t0
    ingest.refresh_aggregates(store)
    elapsed = time.perf_counter() - t0
    store.close()
    timings = {}
    for (name, start), (_, end) in zip(stages, stages[1:], strict=False):
        key = name.split(" ")[0] if not name.startswith("validating") else "validate+write"
        timings[key] = round(timings.get(key, 0) + end - start, 2)
    db.unlink(missing_ok=True)
    return _result(
        trend,
        result.rows_loaded,
        t_ingest,
        elapsed - t_ingest,
        cpu0,
        stages=timings,
        base_rss_mb=base_rss,
    )


def child_floor(catalog: Path, trend: Path, workdir: Path) -> dict:
    """DuckDB alone: the same typed INSERT with no rule checked, no hash, no aggregates."""
    from data import ingest
    from data.ingest import validation as v

    store, db = _fresh_store(workdir, f"bench_floor_{trend.name}.duckdb", catalog)
    cur = store.cursor()
    base_rss = _peak_rss_mb()
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    source = ingest._open_source(cur, trend)
    compiled = v.compile_spec(v.TREND, source.columns(), today=TODAY)
    from_sql, params = ingest._base(source, compiled, numbered=False)
    sql = ingest._insert_sql(compiled, from_sql, "true", 1)
    cur.execute("BEGIN TRANSACTION")
    rows = cur.execute(sql, params).fetchone()[0]
    cur.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    store.close()
    db.unlink(missing_ok=True)
    return _result(trend, rows, elapsed, 0.0, cpu0, stages={}, base_rss_mb=base_rss)


def child_generate(out: Path, rows: int, sample: int) -> dict:
    return {k: str(p) for k, p in generate(out, rows, sample).items()}


def child_pandas(catalog: Path, trend: Path, workdir: Path) -> dict:
    """The obvious alternative: whole file into pandas, DataFrame validation, insert."""
    import pandas as pd

    from data import aggregates
    from data.ingest import validation as v

    store, db = _fresh_store(workdir, f"bench_pandas_{trend.name}.duckdb", catalog)
    cur = store.cursor()
    base_rss = _peak_rss_mb()
    cpu0 = _cpu_seconds()
    t0 = time.perf_counter()
    parquet = trend.suffix == ".parquet"
    if parquet:
        df = pd.read_parquet(trend)
        for col in df.columns:
            if isinstance(df[col].dtype, pd.CategoricalDtype):
                df[col] = df[col].astype(object)
    else:
        df = pd.read_csv(trend, dtype=str, keep_default_na=False)
    t_read = time.perf_counter() - t0
    known = set(cur.execute("SELECT isrc FROM catalog").fetchnumpy()["isrc"].tolist())
    bad = pd.Series(False, index=df.index)
    if parquet:  # typed columns are checked by type, as the ingest does
        dates = pd.to_datetime(df["date"])
        streams = df["streams"]
        bad |= dates.isna() | streams.isna() | (streams < 1)
    else:
        dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
        streams = pd.to_numeric(df["streams"], errors="coerce")
        bad |= dates.isna() | ~df["streams"].str.fullmatch(r"[0-9]{1,18}") | (streams < 1)
    bad |= dates > pd.Timestamp(TODAY)
    bad |= ~df["dsp"].str.fullmatch(r"[a-z0-9_]{2,32}", na=False)
    bad |= ~df["isrc"].str.fullmatch(r"[A-Z]{2}[A-Z0-9]{3}[0-9]{7}", na=False)
    bad |= ~df["isrc"].isin(known)
    bad |= ~df["country"].isin(set(v.COUNTRY_CODES))
    for col, values in (
        ("age_band", v.AGE_BANDS),
        ("gender", v.GENDERS),
        ("subscription", v.SUBSCRIPTIONS),
        ("device", v.DEVICES),
        ("os", v.OSES),
        ("source", v.SOURCES),
    ):
        bad |= ~df[col].isin(values)
    has_playlist = df["playlist_id"].fillna("") != ""
    bad |= has_playlist & ~df["source"].isin(v.PLAYLIST_SOURCES)
    if bad.any():
        raise SystemExit("the pandas baseline found invalid rows in valid data")
    df["date"] = dates.dt.date
    df["streams"] = streams.astype("int64")
    for col in ("region", "playlist_id", "listener_id"):
        df[col] = df[col].replace("", None)
    t_validate = time.perf_counter() - t0 - t_read
    cur.execute("BEGIN TRANSACTION")
    cur.register("frame", df)
    cur.execute(
        "INSERT INTO trend_facts SELECT 1, date, dsp, isrc, country, region, age_band, gender, "
        "subscription, device, os, source, playlist_id, listener_id, streams FROM frame"
    )
    cur.unregister("frame")
    t_agg = time.perf_counter()
    lo, hi = cur.execute("SELECT min(date), max(date) FROM trend_facts").fetchone()
    aggregates.refresh(cur, lo, hi)
    t_agg = time.perf_counter() - t_agg
    cur.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    store.close()
    db.unlink(missing_ok=True)
    stages = {
        "read": round(t_read, 2),
        "validate": round(t_validate, 2),
        "write": round(elapsed - t_read - t_validate - t_agg, 2),
        "aggregates": round(t_agg, 2),
    }
    return _result(
        trend, len(df), elapsed - t_agg, t_agg, cpu0, stages=stages, base_rss_mb=base_rss
    )


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


CHILDREN = {"ingest": child_ingest, "floor": child_floor, "pandas": child_pandas}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="trend rows (10M)")
    parser.add_argument("--sample", type=int, default=1_000_000, help="pandas sample rows (1M)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out", help="data dir")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measurement; the median is shown"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        what, *rest = args.child
        if what == "generate":
            result = child_generate(Path(rest[0]), int(rest[1]), int(rest[2]))
        else:
            result = CHILDREN[what](*(Path(r) for r in rest))
        print(json.dumps(result))
        return

    # Every measurement runs in a fresh child process: ru_maxrss is then the load's own peak
    # (Linux carries a process's peak RSS over fork and exec, so the parent stays small).
    sample = min(args.sample, args.rows)
    files = {
        k: Path(p)
        for k, p in run_child("generate", str(args.out), str(args.rows), str(sample)).items()
    }
    print(
        f"{os.cpu_count()} CPUs, DuckDB memory_limit 4GB; {args.rows:,} rows "
        f"(pandas baseline on {sample:,} rows, scaled linearly); {args.repeat} run(s) each, "
        f"median shown (best in brackets)\n"
    )
    header = (
        f"{'run':<26}{'rows':>12}{'file MB':>9}{'ingest s':>10}{'ingest rows/s':>15}"
        f"{'aggr. s':>9}{'whole rows/s':>14}{'cpu s':>8}{'peak RSS MB':>13}"
    )
    print(header)
    print("-" * len(header))
    results = {}
    for fmt in ("parquet", "csv"):
        runs = [
            (f"ingest {fmt}", "ingest", files[fmt]),
            (f"duckdb floor {fmt}", "floor", files[fmt]),
            (f"pandas {fmt} (sample)", "pandas", files[f"sample_{fmt}"]),
        ]
        if sample != args.rows:
            runs.insert(2, (f"ingest {fmt} (sample)", "ingest", files[f"sample_{fmt}"]))
        for label, what, trend in runs:
            tries = [
                run_child(what, str(files["catalog"]), str(trend), str(args.out))
                for _ in range(max(1, args.repeat))
            ]
            r = _summary(tries)
            results[label] = r
            print(
                f"{label:<26}{r['rows']:>12,}{r['file_mb']:>9.0f}{r['ingest']:>10.1f}"
                f"{_rate(r):>15,.0f}{r['aggregates']:>9.1f}{r['rows'] / r['elapsed']:>14,.0f}"
                f"{r['cpu']:>8.1f}{r['peak_rss_mb']:>13,.0f}   [best {_rate(r, 'best'):,.0f}] "
                f"{r['stages'] or ''}",
                flush=True,
            )
    print()
    for fmt in ("parquet", "csv"):
        ours, floor = results[f"ingest {fmt}"], results[f"duckdb floor {fmt}"]
        base = results[f"pandas {fmt} (sample)"]
        rate, whole = _rate(ours), ours["rows"] / ours["elapsed"]
        base_rate, base_whole = _rate(base), base["rows"] / base["elapsed"]
        grow = base["peak_rss_mb"] - base["base_rss_mb"]
        scaled_rss = base["base_rss_mb"] + grow * args.rows / base["rows"]
        print(f"{fmt}:")
        verdict = ""
        if fmt == "parquet":
            verdict = " -- target >= 1,000,000: " + ("meets" if rate >= 1e6 else "NOT MET")
        print(
            f"  ingest (hash, validate, load atomically into trend_facts): {rate:,.0f} rows/s "
            f"median, {_rate(ours, 'best'):,.0f} best ({ours['ingest']:.1f} s){verdict}; "
            f"pandas alternative {base_rate:,.0f} rows/s: {rate / base_rate:.1f}x"
        )
        print(
            f"  then the aggregates refresh (data/aggregates.py): {ours['aggregates']:.1f} s; "
            f"the whole `labelradar ingest` command: {whole:,.0f} rows/s; "
            f"pandas {base_whole:,.0f} rows/s: {whole / base_whole:.1f}x"
        )
        print(
            f"  DuckDB write floor (same INSERT, no checks): {_rate(floor):,.0f} rows/s "
            f"({floor['ingest']:.1f} s); the ingest's validate+write took "
            f"{ours['stages'].get('validate+write', 0):.1f} s"
        )
        print(
            f"  peak RSS: ingest {ours['peak_rss_mb']:,.0f} MB ({ours['base_rss_mb']:,.0f} MB "
            f"before the load); pandas {base['peak_rss_mb']:,.0f} MB at {base['rows']:,} rows "
            f"({base['base_rss_mb']:,.0f} before), ~{scaled_rss:,.0f} MB scaled to {args.rows:,}"
        )


def _summary(tries: list[dict]) -> dict:
    """The run with the median ingest time, plus the best ingest time and the largest peak."""
    ordered = sorted(tries, key=lambda t: t["ingest"])
    r = dict(ordered[(len(ordered) - 1) // 2])
    r["best"] = ordered[0]["ingest"]
    r["peak_rss_mb"] = max(t["peak_rss_mb"] for t in tries)
    return r


def _rate(r: dict, key: str = "ingest") -> float:
    return r["rows"] / r[key]


if __name__ == "__main__":
    main()
