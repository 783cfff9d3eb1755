"""The vectorised Kalman filter against statsmodels on the same model and parameters.

    python bench/alerts_filter_speed.py                      # compare 200 series; 10k and 100k
    python bench/alerts_filter_speed.py --sizes 10000        # a quicker run

1. Equivalence and speed on the same series: statsmodels' UnobservedComponents (local
   linear trend + 7-day stochastic seasonal, known initial state, `filter(params)`) in a
   loop over --compare series, and analytics.alerts.kalman.kalman_filter once over all of
   them (batch dimension = series). Prints max |difference| of the log-likelihoods and of
   the filtered states, and the speed ratio.
2. Scale: the vectorised filter over N series x 365 days (synthetic log-streams with
   missing days), in chunks of --chunk series so that the [chunk, 8, 8] covariance stays
   small; prints seconds, series/s and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings
from pathlib import Path

import numpy as np

from analytics.alerts.kalman import Hyper, initial_state, kalman_filter

ROOT = Path(__file__).resolve().parents[1]

HP = Hyper(irregular=0.006, level=1e-6, trend=5e-6, seasonal=1e-7)


def series(n: int, days: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dow = np.log([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])[np.arange(days) % 7]
    level = rng.uniform(2, 9, size=(n, 1)) + np.cumsum(rng.normal(0, 0.01, (n, days)), axis=1)
    y = (level + dow + rng.normal(0, 0.1, (n, days))).astype(np.float64)
    y[rng.random((n, days)) < 0.03] = np.nan  # missing days
    return y


def compare(n: int, days: int) -> None:
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    y = series(n, days, 1)
    H = np.full(n, HP.irregular)
    st = initial_state(y[:, 0])
    t0 = time.perf_counter()
    out = kalman_filter(y, HP, H, st, keep_filtered=True)
    ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    llf_diff, state_diff = 0.0, 0.0
    results = []
    for i in range(n):
        mod = UnobservedComponents(
            y[i], level="local linear trend", seasonal=7, stochastic_seasonal=True
        )
        mod.ssm.initialize_known(st.a[i], st.P[i])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            results.append(mod.filter(HP.as_sm_params(H[i])))
    theirs = time.perf_counter() - t0
    for i, res in enumerate(results):
        llf_diff = max(llf_diff, abs(float(np.nansum(res.llf_obs)) - out.llf_obs[i].sum()))
        state_diff = max(state_diff, float(np.abs(res.filtered_state.T - out.filtered[i]).max()))
    print(f"equivalence on {n} series x {days} days (3% missing days):")
    print(
        f"  max |llf difference| {llf_diff:.2e}; max |filtered state difference| {state_diff:.2e}"
    )
    print(
        f"  statsmodels loop {theirs:.2f} s ({theirs / n * 1000:.1f} ms/series); vectorised "
        f"{ours:.3f} s; ratio {theirs / ours:.0f}x"
    )


def scale(n: int, days: int, chunk: int) -> None:
    t0 = time.perf_counter()
    gen = 0.0
    for lo in range(0, n, chunk):
        g0 = time.perf_counter()
        y = series(min(chunk, n - lo), days, lo)
        gen += time.perf_counter() - g0
        st = initial_state(y[:, 0])
        kalman_filter(y, HP, HP.irregular, st, intervene_z=4.5, out_dtype=np.float32)
    total = time.perf_counter() - t0 - gen
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{n:>7} series x {days} days: filter {total:6.1f} s ({n / total:,.0f} series/s), "
        f"chunks of {chunk}; data generation {gen:.1f} s excluded; peak RSS {rss:,.0f} MiB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--compare", type=int, default=200)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--chunk", type=int, default=5_000)
    args = ap.parse_args()
    compare(args.compare, args.days)
    for n in args.sizes:
        scale(n, args.days, args.chunk)


if __name__ == "__main__":
    main()
