"""Planted past campaigns (SYNTHETIC): where a label spent, what it bought, and the truth.

The history is planned market by market, as a label's is: each market with a track busy
enough to promote gets a share of the campaigns (the square root of how many such series
it has, so the biggest market leads without taking half of them), and within a market the
budgets tried span the market's usual cost widely and evenly (stratified draws), so every
territory's history holds spends below its half-saturation and past its plateau. A campaign
lifts everything its territory streams of the track during the campaign: the organic rows,
the listener-level rows and any planted event's rows alike, which is what a lift model
measured against the territory's counterfactual sees.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtri

from analytics.campaigns import hill as hill_curve
from data.synth.config import SynthConfig

# Every OVERLAP_EVERY-th campaign overlaps the one before it on the same series; campaigns
# on DEAD_PLATFORM have no effect at all (about one in six: the false-positive check).
OVERLAP_EVERY = 10
DEAD_PLATFORM = "other"
CAMPAIGN_GAP = 14  # days kept clear between other campaigns on one series
PLATFORMS = ("meta", "google", "tiktok", "snap", "dsp_marquee", "other")
# A market's plan holds at most this many campaigns per series worth promoting: a year fits
# about seven 3-6 week campaigns with their gaps on one series.
PER_SERIES = 5
SPEND_SIGMA = 1.2  # log-sd of a campaign's spend around the market's usual cost
SPEND_STRATA = 5  # a market's budgets cycle through this many equal-probability bands


def listener_daily(
    tracks: pd.DataFrame, listeners: pd.DataFrame, fans: pd.DataFrame, shape: tuple[int, int],
    n_days: int,
) -> np.ndarray:  # fmt: skip
    """[T, C] expected listener-level streams per day of each track in each country from its
    release on (the renderer spreads a fan's streams over the artist's tracks by their share
    and uniformly over the days since release). shape: (artists, countries)."""
    per_artist = np.zeros(shape)
    country = listeners.country_idx.to_numpy()[fans.listener_idx.to_numpy()]
    np.add.at(per_artist, (fans.artist_idx.to_numpy(), country), fans.streams.to_numpy())
    share = tracks.share / tracks.groupby("artist_idx").share.transform("sum")
    first = np.clip(tracks.release_offset.to_numpy(), 0, n_days - 1)
    return per_artist[tracks.artist_idx.to_numpy()] * (share.to_numpy() / (n_days - first))[:, None]


def market_quotas(n_series: np.ndarray, total: int) -> np.ndarray:
    """Campaigns per country: proportional to sqrt(eligible series), at most PER_SERIES per
    series (water-filling), rounded by largest remainder to sum to `total`."""
    n = n_series.astype(float)
    cap = PER_SERIES * n
    if cap.sum() <= total:  # a small world: fill every market in proportion to its capacity
        q = total * cap / max(cap.sum(), 1.0)
    else:
        q, free, left = np.zeros_like(n), n > 0, float(total)
        w = np.sqrt(n)
        while left > 1e-9 and free.any():
            step = left * w * free / (w * free).sum()
            full = free & (q + step >= cap)
            if not full.any():
                q += step
                break
            left -= float((cap[full] - q[full]).sum())
            q[full] = cap[full]
            free &= ~full
    base = np.floor(q + 1e-9).astype(int)
    order = np.argsort(-(q - base), kind="stable")
    base[order[: max(total - int(base.sum()), 0)]] += 1
    return base


def _free_start(
    taken: list[tuple[int, int]], start: int, length: int, first: int, n_days: int
) -> int:
    """The start nearest `start` that keeps CAMPAIGN_GAP days clear of the series' other
    campaigns (`taken`: [start, end) pairs); `start` itself when none fits. Only the planted
    follow-ups overlap, so the overlaps are known and few."""

    def free(s: int) -> bool:
        return max(first, 0) <= s <= n_days - length and all(
            s + length + CAMPAIGN_GAP <= a or s >= b + CAMPAIGN_GAP for a, b in taken
        )

    options = [start] + [b + CAMPAIGN_GAP for _, b in taken]
    options += [a - CAMPAIGN_GAP - length for a, _ in taken]
    fits = [s for s in options if free(s)]
    return int(min(fits, key=lambda s: abs(s - start))) if fits else start


def _response(rng: np.random.Generator, countries: list[str], rich: np.ndarray, typical):
    """Per country: the planted Hill curve (ceiling, half-saturation, steepness)."""
    c_n = len(countries)
    ceiling = np.round(rng.uniform(0.08, 0.6, size=c_n), 3)
    half = np.round(typical * rng.lognormal(0.0, 0.35, size=c_n))
    steep = np.round(rng.uniform(1.0, 2.0, size=c_n), 2)
    return pd.DataFrame(
        {
            "country": countries,
            "ceiling": ceiling,
            "half_saturation_usd": half,
            "hill": steep,
            "plateau_usd": np.round(hill_curve.plateau(half, steep)),
            "cpm_usd": np.round(2.0 + 10.0 * rich**0.5, 2),
            # the older names of ceiling and half-saturation, read by bench/budget_als.py
            "max_uplift": ceiling,
            "spend_scale_usd": half,
        }
    )


class _Spends:
    """Per market, budgets drawn band by band: each run of SPEND_STRATA campaigns in a market
    takes one draw from each equal-probability band of lognormal(typical, SPEND_SIGMA)."""

    def __init__(self, rng: np.random.Generator, typical: np.ndarray):
        self.rng, self.typical, self.bands = rng, typical, {}

    def draw(self, c: int) -> float:
        bands = self.bands.setdefault(c, [])
        if not bands:
            bands.extend(self.rng.permutation(SPEND_STRATA).tolist())
        u = (bands.pop() + self.rng.random()) / SPEND_STRATA
        return float(np.round(self.typical[c] * np.exp(SPEND_SIGMA * ndtri(u)), 2))


def plant_campaigns(rng: np.random.Generator, cfg: SynthConfig, world: tuple, audience: tuple,
                    components: list[dict]):  # fmt: skip
    """Past campaigns with a planted saturating (Hill) response per territory.

    world: (tracks, baseline, dates, countries, market, artist_country); audience:
    (listeners, fans); components: the planted events' stream components.
    Incremental streams = (everything the track streams in the territory over the campaign,
    expected) x ceiling_c x spend^h_c / (spend^h_c + K_c^h_c): a campaign can lift a
    territory by at most ceiling_c; K_c (half_saturation_usd) is the spend that buys half of
    it and h_c in [1, 2] how S-shaped the curve is. Ceiling and K are drawn independently (K
    grows with how expensive the market is). plateau_usd is where the marginal uplift per
    dollar falls to 10 % of the curve's best (analytics.campaigns.hill). Lifts stay a
    country-level effect, small against a track's worldwide streams.
    Returns (campaigns, truth, response, components).
    """
    tracks, baseline, dates, countries, market, artist_country = world
    n_days = len(dates)
    c_n = len(countries)
    rich = market / market.max()
    typical = 300 + 2500 * rich**0.5  # USD a campaign usually costs in the market
    response = _response(rng, countries, rich, typical)
    listener = listener_daily(tracks, *audience, artist_country.shape, n_days)
    artist = tracks.artist_idx.to_numpy()
    released = np.arange(n_days)[None, :] >= tracks.release_offset.to_numpy()[:, None]
    by_track: dict[int, list[dict]] = {}
    for comp in components:
        by_track.setdefault(int(comp["track"]), []).append(comp)

    def level(t: int, c: int, lo: int, hi: int) -> np.ndarray:
        """Expected daily streams of track t in country c over [lo, hi), all rows."""
        out = (
            baseline[t, lo:hi] * artist_country[artist[t], c] + listener[t, c] * released[t, lo:hi]
        )
        for comp in by_track.get(t, []):
            out = out + comp["extra"][lo:hi] * comp["countries"][c]
        return out

    territory_daily = np.median(baseline, axis=1)[:, None] * artist_country[artist] + listener
    # at least 50 eligible series (the busiest ones) even in a small world
    busiest = np.sort(territory_daily, axis=None)[::-1]
    floor = min(cfg.campaign_min_daily, float(busiest[min(49, busiest.size - 1)]))
    # a track out for at least half the period: room for a pre-period before its campaigns
    out_long = tracks.release_offset.to_numpy() < n_days // 2
    eligible = (territory_daily >= floor) & (territory_daily > 0) & out_long[:, None]
    if not eligible.any() or n_days < 30:
        return pd.DataFrame(), pd.DataFrame(), response, []
    plan = rng.permutation(
        np.repeat(np.arange(c_n), market_quotas(eligible.sum(axis=0), cfg.campaigns))
    )
    spends = _Spends(rng, typical)
    rows, truth, out = [], [], []
    previous: tuple[int, int, int, int] | None = None
    booked: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for i in range(cfg.campaigns):
        length = int(rng.integers(21, 43))
        if previous is not None and i % OVERLAP_EVERY == OVERLAP_EVERY - 1:
            # a follow-up push on the same track and territory that starts mid-way through
            # the previous one: overlapping campaigns the lift model must not double-count
            t, c, p_start, p_length = previous
            start = min(p_start + p_length // 2, n_days - length)
        else:
            c = int(plan[i])
            options = np.flatnonzero(eligible[:, c])
            # the market's least promoted busy tracks first: one series holds few campaigns
            load = np.array([len(booked.get((int(o), c), [])) for o in options])
            t = int(rng.choice(options[load == load.min()]))
            first = max(0, int(tracks.release_offset[t]))
            start = int(rng.integers(first, n_days - length))
            start = _free_start(booked.get((t, c), []), start, length, first, n_days)
        booked.setdefault((t, c), []).append((start, start + length))
        previous = (t, c, start, length)
        r = response.iloc[c]
        spend = spends.draw(c)
        platform = str(rng.choice(PLATFORMS))
        uplift = float(hill_curve.hill(spend, r.ceiling, r.half_saturation_usd, r.hill))
        if platform == DEAD_PLATFORM:
            uplift = 0.0  # the "dead" channel: spend that moves nothing (lift truth is zero)
        territory = level(t, c, start, start + length)
        extra = np.zeros(n_days)
        extra[start : start + length] = territory * uplift
        impressions = int(spend / r.cpm_usd * 1000)
        clicks = int(impressions * rng.uniform(0.004, 0.02))
        cid = f"CMP{i:05d}"
        rows.append(
            {
                "campaign_id": cid,
                "isrc": tracks.isrc[t],
                "country": countries[c],
                "platform": platform,
                "start_date": dates[start],
                "end_date": dates[start + length - 1],
                "spend_usd": spend,
                "impressions": impressions,
                "clicks": clicks,
                "reach": int(impressions / rng.uniform(1.8, 3.5)),
            }
        )
        truth.append(
            {
                "campaign_id": cid,
                "isrc": tracks.isrc[t],
                "country": countries[c],
                "spend_usd": spend,
                "uplift": float(uplift),
                "baseline_streams": float(territory.sum()),
                "true_incremental_streams": float(extra.sum()),
            }
        )
        where = np.zeros(c_n)
        where[c] = 1.0
        out.append(
            {
                "track": t,
                "extra": extra,
                "dsp": None,
                "sources": {"search": 0.5, "artist": 0.3, "collection": 0.2},
                "playlist_id": None,
                "countries": where,
                "campaign_id": cid,
            }
        )
    return pd.DataFrame(rows), pd.DataFrame(truth), response, out
