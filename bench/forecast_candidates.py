"""Cheap per-series and pooled forecasters against Holt-Winters on the real chart data, to
find one that beats it on the stable catalogue series of the Coldplay charts.

    python bench/forecast_candidates.py [--realdata ../shared/realdata] [--data coldplay us]

Same panel (both chart data sets as one), cut-offs, scored series (tracks with >= 7 days of
data, listed in the week before the cut-off), censoring handling (only listed days are
scored; the per-series models below fill unlisted days as the bench's Holt-Winters does, or
treat them as missing) and MASE as `forecast_bench.py`: 90-day MASE of the median, median
over the series scored at a cut-off. Rows chosen on held-out days use the 90 days before the
cut-off only (models fitted 90 days before it, scored on the days up to it). Rows marked
"oracle" choose their setting on the scored days: ceilings, not forecasts.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from forecast_bench import REAL, H, chart_panel, holt_winters, union
from forecast_diagnose import mase, scale_of

from analytics.forecast import Panel

Forecaster = Callable[[np.ndarray], np.ndarray]  # log1p history (n, days) -> (n, H) log median
WEEKS = 8  # weeks the series' own weekday pattern is estimated on


def eligible(panel: Panel, cut: int) -> np.ndarray:
    """The series the bench scores at `cut`: tracks with >= 7 days since their first listed
    day and listed at least once in the week before (the model's `predict` rule)."""
    known = ~np.isnan(panel.streams[:, : cut + 1])
    first = np.where(known.any(axis=1), known.argmax(axis=1), cut + 1)
    listed = known[:, cut - 6 :].any(axis=1)
    return (cut - first + 1 >= 7) & listed & (panel.series["kind"].to_numpy() == "track")


# -- per-series forecasters on log1p streams ------------------------------------------------
def weekday_pattern(logh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The series' weekday effect (listed days against their centred 7-day mean over the last
    WEEKS weeks) on every past day and on the H days ahead."""
    T = logh.shape[1]
    w = logh[:, -7 * WEEKS :]
    centred = pd.DataFrame(w.T).rolling(7, center=True, min_periods=4).mean().to_numpy().T
    dev = w - centred
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        prof = np.nan_to_num(np.column_stack([np.nanmean(dev[:, k::7], axis=1) for k in range(7)]))
    prof -= prof.mean(axis=1, keepdims=True)
    start = T - 7 * WEEKS
    return prof[:, (np.arange(T) - start) % 7], prof[:, (np.arange(T, T + H) - start) % 7]


def level_and_weekday(days: int, how: str) -> Forecaster:
    """A flat level (mean, median or 20-80 % trimmed mean of the last `days` listed days,
    weekday effect taken out) times the series' own weekday pattern."""

    def f(logh: np.ndarray) -> np.ndarray:
        past, ahead = weekday_pattern(logh)
        x = (logh - past)[:, -days:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if how == "trimmed":
                lo, hi = np.nanquantile(x, [0.2, 0.8], axis=1)
                x = np.where((x >= lo[:, None]) & (x <= hi[:, None]), x, np.nan)
            level = np.nanmedian(x, axis=1) if how == "median" else np.nanmean(x, axis=1)
        return level[:, None] + ahead

    return f


def ols_slope(x: np.ndarray, days: int) -> np.ndarray:
    """Least-squares slope per day of each row's listed values over its last `days` (0 with
    fewer than a quarter of them listed)."""
    w = x[:, -days:]
    t = np.where(np.isnan(w), np.nan, np.arange(days, dtype=float)[None, :])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dt = t - np.nanmean(t, axis=1, keepdims=True)
        dx = w - np.nanmean(w, axis=1, keepdims=True)
        var = np.nansum(dt**2, axis=1)
        b = np.nansum(dt * dx, axis=1) / np.where(var > 0, var, 1.0)
    return np.where(((~np.isnan(w)).sum(axis=1) >= days / 4) & (var > 0), b, 0.0)


def with_slope(slope: np.ndarray, weight: float = 0.5) -> np.ndarray:
    """The term that adds `weight` x a slope per day to a flat forecast, undamped."""
    return weight * slope[:, None] * np.arange(1, H + 1)[None, :]


def filled(row: np.ndarray, min_len: int) -> np.ndarray:
    """A series' log history from its first listed day, unlisted days carried forward (as
    the bench's Holt-Winters fits it), padded at the start to `min_len`."""
    s = pd.Series(row).ffill().dropna().to_numpy()
    return np.concatenate([np.full(max(min_len - len(s), 0), s[0]), s])


def ets_ana(logh: np.ndarray) -> np.ndarray:
    """ETS(A,N,A) on logs: level and weekly season, no trend (statsmodels, by likelihood)."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    out = np.empty((len(logh), H))
    for i, row in enumerate(logh):
        m = ExponentialSmoothing(filled(row, 14), seasonal="add", seasonal_periods=7).fit()
        out[i] = m.forecast(H)
    return out


def theta(logh: np.ndarray) -> np.ndarray:
    """The Theta method (statsmodels: weekly deseasonalising, SES plus half the linear drift)."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    out = np.empty((len(logh), H))
    for i, row in enumerate(logh):
        m = ThetaModel(filled(row, 21), period=7, deseasonalize=True, method="additive").fit()
        out[i] = np.asarray(m.forecast(H))
    return out


def local_level(logh: np.ndarray) -> np.ndarray:
    """Local level + weekly seasonal state-space model by maximum likelihood, unlisted days
    treated as missing observations (not carried forward)."""
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    out = np.empty((len(logh), H))
    for i, row in enumerate(logh):
        s = row[int(np.argmax(~np.isnan(row))) :]
        try:
            out[i] = UnobservedComponents(s, level="llevel", seasonal=7).fit(disp=False).forecast(H)
        except (ValueError, np.linalg.LinAlgError):
            out[i] = np.nanmean(s[-7:])
    return out


def hw_log(logh: np.ndarray) -> np.ndarray:
    return np.log1p(holt_winters(np.expm1(logh))[:, :, 1])


BASE: dict[str, Forecaster] = {
    "Holt-Winters (the bench's baseline)": hw_log,
    "ETS(A,N,A) on logs": ets_ana,
    "Theta": theta,
    "local level + weekly season (ML, unlisted = missing)": local_level,
}
SIMPLE: dict[str, Forecaster] = {
    "mean of last 7 listed days x own weekday": level_and_weekday(7, "mean"),
    "median of last 28 listed days x own weekday": level_and_weekday(28, "median"),
    "trimmed mean of last 28 days x own weekday": level_and_weekday(28, "trimmed"),
    "median of last 56 listed days x own weekday": level_and_weekday(56, "median"),
}


# -- pooled: the same track in other countries ------------------------------------------------
def track_of(panel: Panel) -> np.ndarray:
    return panel.series["series_id"].str.rsplit(" | ", n=1).str[0].to_numpy()


def pooled_slope(panel: Panel, cut: int, ix: np.ndarray, days: int) -> np.ndarray:
    """Mean slope of the same track's series (every country and `global`) over `days`."""
    names = track_of(panel)
    allb = ols_slope(np.log1p(panel.streams[:, : cut + 1]), days)
    known = (~np.isnan(panel.streams[:, cut + 1 - days : cut + 1])).sum(axis=1) >= days / 4
    out = np.zeros(len(ix))
    for j, i in enumerate(ix):
        same = (names == names[i]) & known
        out[j] = allb[same].mean() if same.any() else 0.0
    return out


def global_times_share(panel: Panel, cut: int, ix: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Top-down: the track's worldwide row forecast by Holt-Winters, times the country's log
    share (mean of its last 7 listed days, with the country's weekday pattern against the
    world's). Series without a listed `global` row in the last week keep `own`."""
    pos = {s: i for i, s in enumerate(panel.series["series_id"])}
    names = track_of(panel)
    g = np.array([pos.get(f"{names[i]} | global", -1) for i in ix])
    g = np.where(
        (g >= 0) & ~np.isnan(panel.streams[np.maximum(g, 0), cut - 6 : cut + 1]).all(axis=1), g, -1
    )
    has = np.nonzero(g >= 0)[0]
    if not len(has):
        return own
    glog = np.log1p(panel.streams[g[has], : cut + 1])
    share = np.log1p(panel.streams[ix[has], : cut + 1]) - glog
    pred = hw_log(glog) + level_and_weekday(7, "mean")(share)
    out = own.copy()
    ok = np.isfinite(pred).all(axis=1)
    out[has[ok]] = pred[ok]
    return out


# -- the table ------------------------------------------------------------------------------
def held_out_errors(panel: Panel, cut: int, ix: np.ndarray) -> dict[str, np.ndarray]:
    """Each BASE forecaster fitted H days before `cut`, its MASE per series on the listed days
    up to `cut` (NaN where a series has too little history or no listed day)."""
    hc = cut - H
    hist = panel.streams[ix, : hc + 1]
    ok = (~np.isnan(hist)).sum(axis=1) >= 7
    act = panel.streams[ix, hc + 1 : cut + 1]
    scale = scale_of(np.where(ok[:, None], hist, np.nan))
    out = {}
    for name, f in BASE.items():
        err = np.full(len(ix), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = np.expm1(f(np.log1p(hist[ok])))
            err[ok] = np.nanmean(np.abs(act[ok] - pred) / scale[ok, None], axis=1)
        out[name] = err
    return out


def rows_for(panel: Panel, cut: int, ix: np.ndarray) -> dict[str, float]:
    hist = panel.streams[ix, : cut + 1]
    actual = panel.streams[ix, cut + 1 : cut + 1 + H]
    scale = scale_of(hist)
    logh = np.log1p(hist)

    def score(log_pred: np.ndarray) -> float:
        return mase(np.expm1(log_pred), actual, scale)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = {name: f(logh) for name, f in BASE.items()}
        simple = {name: f(logh) for name, f in SIMPLE.items()}
    hw = base["Holt-Winters (the bench's baseline)"]
    flat7 = simple["mean of last 7 listed days x own weekday"]
    out: dict[str, float] = {"series scored": float(len(ix))}
    out.update({name: score(p) for name, p in {**base, **simple}.items()})
    own180 = ols_slope(logh - weekday_pattern(logh)[0], 180)
    out["7-day level + half its own 180-day slope"] = score(flat7 + with_slope(own180))
    out["7-day level + half the track's 180-day slope (all countries)"] = score(
        flat7 + with_slope(pooled_slope(panel, cut, ix, 180))
    )
    out["track's global row (Holt-Winters) x country share"] = score(
        global_times_share(panel, cut, ix, hw)
    )
    out["equal-weight mean of the four models above (logs)"] = score(
        np.mean(list(base.values()), 0)
    )
    # chosen on held-out days before the cut-off
    held = held_out_errors(panel, cut, ix)
    names = list(BASE)
    label_err = {n: float(np.nanmedian(e)) for n, e in held.items()}
    pick = min(label_err, key=lambda n: label_err[n])
    out["held-out pick per data set"] = score(base[pick])
    errs = np.column_stack([held[n] for n in names])
    best = np.full(len(ix), names.index(pick))
    good = np.isfinite(errs).all(axis=1)
    best[good] = np.argmin(errs[good], axis=1)
    stacked = np.stack([base[n] for n in names])
    out["held-out pick per series (else the data set's)"] = score(stacked[best, np.arange(len(ix))])
    w = np.array([1 / label_err[n] for n in names])
    out["held-out inverse-error weights"] = score(np.tensordot(w / w.sum(), stacked, axes=1))
    # ceilings
    grid = np.round(np.arange(-0.2, 0.201, 0.02), 2)
    ramp = np.arange(1, H + 1)[None, :] / H
    out["oracle: Holt-Winters + best common log shift"] = min(score(hw + g) for g in grid)
    out["oracle: Holt-Winters + best common ramp to day 90"] = min(
        score(hw + g * ramp) for g in grid
    )
    print(f"    held-out pick per data set: {pick}", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--realdata", type=Path, default=REAL)
    ap.add_argument("--data", nargs="*", default=["coldplay", "us"], choices=["coldplay", "us"])
    args = ap.parse_args(argv)
    warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: series with no listed day
    files = {
        "us": ("spotify_daily_us_2017/us_data.csv", "Artist"),
        "coldplay": ("spotify_daily_coldplay_2017/coldplay.csv", "Region"),
    }
    panels = []
    for name, (file, key) in files.items():  # US first, as the bench builds the panel
        path = args.realdata / file
        if not path.exists():
            print(f"{path} is absent: not measured")
            return 1
        panels.append(chart_panel(path, ["Track Name", key], key, label=f"real {name}_2017"))
    panel = union(panels)
    T = panel.streams.shape[1]
    cuts = [T - 1 - H - 60, T - 1 - H - 30, T - 1 - H]
    labels = panel.series["label"].to_numpy()
    table = {}
    for name in args.data:
        for cut in cuts:
            ix = np.nonzero(eligible(panel, cut) & (labels == f"real {name}_2017"))[0]
            print(f"  {name} cut {panel.dates[cut].date()}: {len(ix)} series", flush=True)
            table[(name, str(panel.dates[cut].date()))] = rows_for(panel, cut, ix)
    df = pd.DataFrame(table)
    for name in args.data:
        df[(name, "mean")] = df[name].mean(axis=1)
        df[(name, "vs HW")] = df[(name, "mean")] / df.loc[list(BASE)[0], (name, "mean")] - 1
        df.loc["series scored", (name, "vs HW")] = np.nan
    pd.set_option("display.width", 250)
    pd.set_option("display.max_colwidth", 70)
    print(df.sort_index(axis=1, level=0, sort_remaining=False).round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
