"""The Kalman filter with shared covariance recursions against statsmodels and against the
per-series vectorised filter, on the same model and parameters (SYNTHETIC series).

    python bench/alerts_filter_speed.py                      # 200 series compared; 10k, 100k
    python bench/alerts_filter_speed.py --sizes 10000        # a quicker run
    python bench/alerts_filter_speed.py --dense-sizes 10000 100000   # per-series at 100k too

The catalogue: log-streams with a weekday pattern and a random-walk level. Observation
variances come from a few volume classes (detection quantises each series' variance to a
1% grid, so tracks of similar volume share it); missing days are what a delivery feed has:
days missing for the whole feed, series that start later (new releases) and a share of
quiet tracks with missing days of their own (`--own-missing`, default 10% of series, 5% of
their days). Series with the same variance, start and missing days share one covariance
recursion until the first day they disagree (a series missing a day of its own, or
starting late, splits off a copy of the recursion on that day); an intervention gives the
series a recursion of its own. The figure printed as "recursions" counts them all.

1. Equivalence: statsmodels' UnobservedComponents (local linear trend + 7-day stochastic
   seasonal, known initial state, `filter(params)`) series by series vs
   analytics.alerts.kalman.kalman_filter once over all of them: max |difference| of the
   log-likelihoods, filtered states and one-step predictive variances; the per-series
   filter (analytics.alerts.kalman_dense) too.
2. Speed at N series x 365 days, same run: the shared filter (with interventions, as
   detection runs it), the per-series filter (at --dense-sizes only: minutes at 100k),
   and statsmodels extrapolated from its measured ms/series on the compared sample (a
   loop over series: linear in N). Load averages are printed: the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
import warnings

import numpy as np

from analytics.alerts.kalman import Hyper, initial_state, kalman_filter
from analytics.alerts.kalman_dense import kalman_filter_dense

HP = Hyper(irregular=0.006, level=1e-6, trend=5e-6, seasonal=1e-7)
VARIANCES = HP.irregular + np.array([0.0, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016])


def series(n: int, days: int, seed: int, own_missing: float) -> tuple[np.ndarray, np.ndarray]:
    """log-streams [n, days] (NaN = missing) and each series' observation variance."""
    rng = np.random.default_rng(seed)
    dow = np.log([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])[np.arange(days) % 7]
    level = rng.uniform(2, 9, size=(n, 1)) + np.cumsum(rng.normal(0, 0.01, (n, days)), axis=1)
    y = (level + dow + rng.normal(0, 0.1, (n, days))).astype(np.float64)
    feed_missing = np.random.default_rng(99).choice(days, size=3, replace=False)
    y[:, feed_missing] = np.nan  # the feed did not deliver: every series misses the day
    late = rng.random(n) < 0.2  # released during the year: missing before the release day
    start = np.where(late, rng.integers(0, days - 30, size=n), 0)
    y[np.arange(days)[None, :] < start[:, None]] = np.nan
    quiet = rng.random(n) < own_missing  # low-volume tracks: days with no streams at all
    y[quiet[:, None] & (rng.random((n, days)) < 0.05)] = np.nan
    return y, VARIANCES[rng.integers(0, len(VARIANCES), size=n)]


def first_values(y: np.ndarray) -> np.ndarray:
    first = np.argmax(~np.isnan(y), axis=1)
    return y[np.arange(len(y)), first]


def statsmodels_filter(y: np.ndarray, H: np.ndarray, st) -> tuple[list, float, float]:
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    t0, c0 = time.perf_counter(), time.process_time()
    results = []
    for i in range(len(y)):
        mod = UnobservedComponents(
            y[i], level="local linear trend", seasonal=7, stochastic_seasonal=True
        )
        mod.ssm.initialize_known(st.a[i], st.P[i])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.append(mod.filter(HP.as_sm_params(H[i])))
    return results, time.perf_counter() - t0, time.process_time() - c0


def compare(n: int, days: int, own_missing: float) -> tuple[float, float]:
    """Prints the equivalence; returns statsmodels' wall and CPU seconds per series."""
    y, H = series(n, days, 1, own_missing)
    st = initial_state(first_values(y))
    t0 = time.perf_counter()
    out = kalman_filter(y, HP, H, st, keep_filtered=True)
    ours = time.perf_counter() - t0
    dense = kalman_filter_dense(y, HP, H, st, keep_filtered=True)
    results, theirs, theirs_cpu = statsmodels_filter(y, H, st)
    llf, state, fvar = 0.0, 0.0, 0.0
    for i, res in enumerate(results):
        llf = max(llf, abs(float(np.nansum(res.llf_obs)) - out.llf_obs[i].sum()))
        state = max(state, float(np.abs(res.filtered_state.T - out.filtered[i]).max()))
        fvar = max(fvar, float(np.abs(res.forecasts_error_cov[0, 0] - out.pred_var[i]).max()))
    same = max(float(np.abs(dense.filtered - out.filtered).max()), 0.0)
    print(f"equivalence on {n} series x {days} days ({np.isnan(y).mean():.1%} missing cells):")
    print(
        f"  vs statsmodels: max |llf difference| {llf:.2e}; max |filtered state difference| "
        f"{state:.2e}; max |F difference| {fvar:.2e}; vs the per-series filter {same:.2e}"
    )
    print(
        f"  statsmodels loop {theirs:.2f} s, CPU {theirs_cpu:.2f} s ({theirs / n * 1000:.2f} "
        f"ms/series); shared filter {ours:.3f} s; ratio {theirs / ours:.0f}x on these {n} series"
    )
    return theirs / n, theirs_cpu / n


def timed(fn, n: int, days: int, chunk: int, own_missing: float) -> tuple[float, float, int]:
    """Wall and CPU seconds (this process, user + system) in `fn`, data generation
    excluded, and the covariance recursions run. CPU time is printed beside the wall time
    because the machine is shared: under load the wall time mostly measures the others."""
    total, cpu, slots = 0.0, 0.0, 0
    for lo in range(0, n, chunk):
        y, H = series(min(chunk, n - lo), days, 1000 + lo, own_missing)
        st = initial_state(first_values(y))
        t0, c0 = time.perf_counter(), time.process_time()
        kw = {"loglik": False} if fn is kalman_filter else {}
        out = fn(y, HP, H, st, intervene_z=4.5, out_dtype=np.float32, **kw)
        total += time.perf_counter() - t0
        cpu += time.process_time() - c0
        slots += out.slots or len(y)
        del out
    return total, cpu, slots


def scale(n: int, days: int, chunk: int, own_missing: float, sm_per_series: tuple, dense: bool):
    load = os.getloadavg()[0]
    shared, cpu, slots = timed(kalman_filter, n, days, chunk, own_missing)
    load = max(load, os.getloadavg()[0])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sm, sm_cpu = sm_per_series[0] * n, sm_per_series[1] * n
    per_series = ""
    if dense:
        d, d_cpu, _ = timed(kalman_filter_dense, n, days, chunk, own_missing)
        per_series = f"per-series filter {d:6.2f} s, CPU {d_cpu:.2f} s ({d / shared:.1f}x slower); "
    print(
        f"{n:>7} series x {days} days (chunks of {chunk}): shared filter {shared:6.2f} s, CPU "
        f"{cpu:.2f} s ({slots:,} covariance recursions); {per_series}statsmodels ~{sm:,.0f} s "
        f"extrapolated ({sm / shared:.0f}x slower; CPU {sm_cpu:,.0f} s, {sm_cpu / cpu:.0f}x); "
        f"peak RSS {rss:,.0f} MiB; "
        f"1-min load average up to {load:.1f} on {os.cpu_count()} cores"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", type=int, default=200)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--chunk", type=int, default=25_000)
    ap.add_argument("--own-missing", type=float, default=0.1)
    ap.add_argument("--dense-sizes", type=int, nargs="*", default=[10_000])
    args = ap.parse_args()
    per_series = compare(args.compare, args.days, args.own_missing)
    for n in args.sizes:
        scale(n, args.days, args.chunk, args.own_missing, per_series, n in args.dense_sizes)


if __name__ == "__main__":
    main()
