"""The latent synthetic world: who exists, who listens to whom, what happens when.

Everything planted here is written out as ground truth, so that the analytics can be
scored against it: artist communities, per-artist fan-type mixtures, country affinities with
under-served countries, day-of-week seasonality, per-track events with their cause, and
campaigns with their true lift.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.synth import shifts
from data.synth.campaigns import plant_campaigns
from data.synth.config import LABEL_NAMES, MARKETS, SynthConfig
from data.synth.names import artist_names, track_titles
from data.synth.segments import segment_multipliers
from data.vocab import ACTIVE_SOURCES, DEVICES, PASSIVE_SOURCES

GENRES = (
    "pop",
    "hip-hop",
    "latin",
    "rock",
    "electronic",
    "indie",
    "r&b",
    "k-pop",
    "country",
    "afrobeats",
    "jazz",
    "metal",
)
# Countries where a genre's community is over-represented (flavour, and structure to find).
HOME = {
    "latin": ("MX", "AR", "CO", "CL", "PE", "EC", "ES", "US"),
    "k-pop": ("KR", "JP", "PH", "ID", "TH", "VN", "MY", "TW"),
    "afrobeats": ("NG", "ZA", "GB", "US", "AE"),
    "country": ("US", "CA", "AU", "NZ", "IE"),
    "metal": ("FI", "SE", "NO", "DE", "PL", "CZ"),
    "electronic": ("DE", "NL", "BE", "GB", "FR", "AU"),
}
ACTIVE, PASSIVE = ACTIVE_SOURCES, PASSIVE_SOURCES
DSPS = ("spotify", "apple_music", "amazon", "youtube", "deezer", "tidal", "pandora")
FAN_TYPES = ("passive", "casual", "diehard")
# Total streams of one listener for one artist over the data window, per fan type:
# lognormal (median, sigma). Planted so that the three profiles overlap but are distinct.
FAN_STREAMS = {"passive": (3.0, 0.7), "casual": (22.0, 0.5), "diehard": (130.0, 0.5)}
# Multiplicative day-of-week pattern, Monday first (planted seasonality).
DOW = np.array([0.96, 0.95, 0.97, 0.99, 1.12, 1.06, 0.95])


@dataclass
class World:
    """The planted world. Arrays are indexed by the integer ids in the DataFrames."""

    cfg: SynthConfig
    seed: int
    dates: np.ndarray  # datetime64[D], the data window
    countries: list[str]
    market: np.ndarray  # [C] relative market size
    communities: pd.DataFrame  # community, genre
    comm_country: np.ndarray  # [K, C] community country shares
    comm_age: np.ndarray  # [K, 8]
    comm_gender: np.ndarray  # [K, 4]
    artists: pd.DataFrame
    artist_country: np.ndarray  # [A, C] actual country shares (after under-serving)
    artist_country_expected: np.ndarray  # [A, C] shares had nothing been planted
    underserved: pd.DataFrame  # artist_id, country, factor
    tracks: pd.DataFrame
    baseline: np.ndarray  # [T, D] expected daily streams before events (dow included)
    events: pd.DataFrame  # ground-truth events (what detection should find)
    components: list[dict]  # extra stream components (events, campaigns) to render as rows
    listeners: pd.DataFrame
    fans: pd.DataFrame  # listener x artist: fan_type, streams
    campaigns: pd.DataFrame  # the campaigns.csv rows
    campaign_truth: pd.DataFrame  # campaign_id, true incremental streams
    country_response: pd.DataFrame  # per country: response ceiling and spend scale
    # [age, gender, subscription] planted campaign response multipliers (data/synth/segments)
    segment_multiplier: np.ndarray | None = None


def _dirichlet_rows(rng: np.random.Generator, alpha: np.ndarray) -> np.ndarray:
    g = rng.gamma(alpha)
    return g / g.sum(axis=-1, keepdims=True)


def _countries(cfg: SynthConfig) -> tuple[list[str], np.ndarray]:
    ranked = sorted(MARKETS.items(), key=lambda kv: -kv[1])[: cfg.countries]
    return [c for c, _ in ranked], np.array([w for _, w in ranked])


def _communities(rng, cfg, countries, market):
    k = cfg.communities
    genres = list(GENRES[:k])
    affinity = rng.lognormal(0.0, 0.6, size=(k, len(countries)))
    for i, genre in enumerate(genres):
        for j, c in enumerate(countries):
            if c in HOME.get(genre, ()):
                affinity[i, j] *= 5.0
    comm_country = market[None, :] * affinity
    comm_country /= comm_country.sum(axis=1, keepdims=True)
    base_age = np.array([0.08, 0.30, 0.28, 0.16, 0.09, 0.05, 0.02, 0.02])
    tilt = {"k-pop": 0, "pop": 0, "hip-hop": 1, "jazz": 4, "country": 3, "metal": 2}
    comm_age = np.empty((k, 8))
    for i, genre in enumerate(genres):
        a = base_age * 60
        if genre in tilt:
            a[tilt[genre]] *= 2.2
        comm_age[i] = _dirichlet_rows(rng, a)
    comm_gender = _dirichlet_rows(rng, np.tile([40.0, 40.0, 2.0, 4.0], (k, 1)))
    frame = pd.DataFrame({"community": range(k), "genre": genres})
    return frame, comm_country, comm_age, comm_gender


def _artists(rng, cfg, comm_country, countries):
    n, k = cfg.artists, cfg.communities
    # Round-robin then shuffle: every community gets artists, sizes differ by at most one.
    community = rng.permutation(np.arange(n) % k)
    popularity = rng.lognormal(0.0, 1.2, size=n)
    volume = cfg.artist_volume * popularity / np.median(popularity)
    pop_pct = pd.Series(popularity).rank(pct=True).to_numpy()
    # Fan mixtures: more popular artists have more diehards (as observed in real fan data).
    alpha = np.stack([np.full(n, 5.0), np.full(n, 3.5), 1.0 + 3.0 * pop_pct], axis=1)
    mix = _dirichlet_rows(rng, alpha * 2.0)
    labels = [LABEL_NAMES[i % len(LABEL_NAMES)] for i in range(cfg.labels)]
    label = [labels[i % cfg.labels] for i in rng.permutation(n)]
    names = artist_names(rng, n)
    frame = pd.DataFrame(
        {
            "artist_id": [f"ART{i:04d}" for i in range(n)],
            "artist_name": names,
            "label": label,
            "community": community,
            "popularity": popularity,
            "daily_volume": volume,
            "active_share": rng.uniform(0.40, 0.72, size=n),
            "mix_passive": mix[:, 0],
            "mix_casual": mix[:, 1],
            "mix_diehard": mix[:, 2],
        }
    )
    expected = comm_country[community] * rng.lognormal(0.0, 0.2, size=(n, len(countries)))
    expected /= expected.sum(axis=1, keepdims=True)
    actual = expected.copy()
    rows = []
    for a in np.flatnonzero(rng.random(n) < cfg.underserved_share):
        # Plant 1-2 under-served countries among the community's big markets for this artist.
        top = np.argsort(-expected[a])[: min(8, len(countries))]
        for c in rng.choice(top, size=int(rng.integers(1, 3)), replace=False):
            factor = float(rng.uniform(0.12, 0.3))
            actual[a, c] *= factor
            rows.append((frame.artist_id[a], countries[c], factor))
    actual /= actual.sum(axis=1, keepdims=True)
    underserved = pd.DataFrame(rows, columns=["artist_id", "country", "factor"])
    return frame, actual, expected, underserved


def _tracks(rng, cfg, artists, start):
    n_art = len(artists)
    total = int(round(n_art * cfg.tracks_per_artist))
    weights = _dirichlet_rows(rng, np.full(n_art, 1.5)) * (total - n_art)
    counts = 1 + np.floor(weights).astype(int)
    for a in rng.choice(n_art, size=total - counts.sum(), replace=True):
        counts[a] += 1
    artist_idx = np.repeat(np.arange(n_art), counts)
    share = np.concatenate([_dirichlet_rows(rng, np.full(c, 0.8)) for c in counts])
    new = rng.random(total) < cfg.new_track_share
    offset = np.where(
        new,
        rng.integers(0, max(1, int(cfg.days * 0.85)), size=total),
        -rng.integers(30, 3000, size=total),
    )
    release = np.datetime64(start) + offset.astype("timedelta64[D]")
    prefix = np.array(["US", "GB", "DE", "SE", "BR"])[artist_idx % 5]
    isrc = [
        f"{p}LR{(2 + i // 10**7) % 10}{26 if o >= 0 else 20 + (i % 6):02d}{i:05d}"
        for i, (p, o) in enumerate(zip(prefix, offset, strict=True))
    ]
    genres = artists.genre.to_numpy()[artist_idx]
    return pd.DataFrame(
        {
            "isrc": isrc,
            "track_title": track_titles(rng, total),
            "artist_idx": artist_idx,
            "artist_id": artists.artist_id.to_numpy()[artist_idx],
            "artist_name": artists.artist_name.to_numpy()[artist_idx],
            "label": artists.label.to_numpy()[artist_idx],
            "genre": genres,
            "release_date": release,
            "release_offset": offset,
            "share": share,
            "level": artists.daily_volume.to_numpy()[artist_idx] * share,
            "decay_days": rng.uniform(2000, 6000, size=total),
        }
    )


def _baseline(tracks, dates):
    d = np.arange(len(dates))
    dow = DOW[(dates.astype("datetime64[D]").view("int64") - 4) % 7]  # 1970-01-01 is Thursday
    released = d[None, :] >= tracks.release_offset.to_numpy()[:, None]
    age = (d[None, :] - np.minimum(tracks.release_offset.to_numpy(), 0)[:, None]).clip(0)
    decay = np.exp(-age / tracks.decay_days.to_numpy()[:, None])
    return tracks.level.to_numpy()[:, None] * decay * dow[None, :] * released


def _pick_dsp(rng, weights):
    dsps, p = zip(*weights.items(), strict=True)
    return str(rng.choice(dsps, p=np.array(p) / sum(p)))


def _events(rng, cfg, tracks, baseline, dates, artist_country, countries):
    """Plant one event on a share of the tracks with enough volume to see it."""
    n_days = len(dates)
    lo, hi = 60, n_days - 21
    events, components = [], []
    if hi <= lo:
        return pd.DataFrame(), components
    median = np.median(baseline[:, lo:], axis=1)
    eligible = np.flatnonzero((median >= 60) & (tracks.release_offset.to_numpy() <= lo - 30))
    chosen = eligible[rng.random(len(eligible)) < cfg.event_track_share]
    kinds = rng.choice(
        ["editorial", "viral", "growth", "decline"], size=len(chosen), p=[0.35, 0.25, 0.2, 0.2]
    )
    for t, kind in zip(chosen, kinds, strict=True):
        d0 = int(rng.integers(lo, hi))
        level = float(np.median(baseline[t, max(0, d0 - 28) : d0]))
        artist = int(tracks.artist_idx[t])
        isrc = tracks.isrc[t]
        extra = np.zeros(n_days)
        base = {"isrc": isrc, "artist_id": tracks.artist_id[t], "track": int(t)}
        if kind == "editorial":
            dsp = _pick_dsp(rng, {"spotify": 0.6, "apple_music": 0.25, "amazon": 0.15})
            playlist = f"{dsp}:editorial:{int(rng.integers(1, 60)):04d}"
            magnitude = float(rng.uniform(0.8, 2.5))
            length = int(rng.integers(21, 43))
            extra[d0 : d0 + length] = magnitude * level
            cause = {
                "cause_dimension": "playlist_id",
                "cause_value": playlist,
                "dsp": dsp,
                "source": "editorial_playlist",
                "playlist_id": playlist,
            }
            events.append(
                {
                    **base,
                    **cause,
                    "kind": "spike",
                    "date": dates[d0],
                    "cause": f"editorial playlist add on {dsp}",
                    "magnitude": magnitude,
                }
            )
            if d0 + length < n_days - 3:
                events.append(
                    {
                        **base,
                        **cause,
                        "kind": "drop",
                        "date": dates[d0 + length],
                        "cause": f"editorial playlist removal on {dsp}",
                        "magnitude": magnitude,
                    }
                )
            components.append(
                {
                    "track": t,
                    "extra": extra,
                    "dsp": dsp,
                    "sources": {"editorial_playlist": 1.0},
                    "playlist_id": playlist,
                    "countries": artist_country[artist],
                }
            )
        elif kind == "viral":
            magnitude = float(rng.uniform(1.5, 4.0))
            tau = float(rng.uniform(3, 8))
            span = np.arange(n_days - d0)
            extra[d0:] = magnitude * level * np.exp(-span / tau)
            hot = np.argsort(-artist_country[artist])[:8]
            focus = np.zeros(len(countries))
            focus[rng.choice(hot, size=int(rng.integers(1, 4)), replace=False)] = 1.0
            where = 0.3 * artist_country[artist] + 0.7 * focus / focus.sum()
            events.append(
                {
                    **base,
                    "kind": "spike",
                    "date": dates[d0],
                    "cause": "viral moment: search spike",
                    "cause_dimension": "source",
                    "cause_value": "search",
                    "dsp": None,
                    "source": "search",
                    "playlist_id": None,
                    "magnitude": magnitude,
                }
            )
            components.append(
                {
                    "track": t,
                    "extra": extra,
                    "dsp": None,
                    "sources": {"search": 0.75, "collection": 0.25},
                    "playlist_id": None,
                    "countries": where,
                }
            )
        else:
            dsp = _pick_dsp(rng, {"spotify": 0.7, "apple_music": 0.15, "youtube": 0.15})
            magnitude = float(rng.uniform(0.8, 1.8))
            ramp = int(rng.integers(35, 61))
            span = np.arange(n_days) - d0
            rising = np.clip(span / ramp, 0.0, 1.0)
            extra[:] = magnitude * level * (rising if kind == "growth" else 1.0 - rising)
            verb = "growth" if kind == "growth" else "decline"
            events.append(
                {
                    **base,
                    "kind": verb,
                    "date": dates[d0],
                    "cause": f"algorithmic playlist {verb} on {dsp}",
                    "cause_dimension": "source",
                    "cause_value": "algorithmic_playlist",
                    "dsp": dsp,
                    "source": "algorithmic_playlist",
                    "playlist_id": None,
                    "magnitude": magnitude,
                }
            )
            components.append(
                {
                    "track": t,
                    "extra": extra,
                    "dsp": dsp,
                    "sources": {"algorithmic_playlist": 1.0},
                    "playlist_id": None,
                    "countries": artist_country[artist],
                }
            )
    frame = pd.DataFrame(events)
    if not frame.empty:
        frame.insert(0, "event_id", [f"EV{i:05d}" for i in range(len(frame))])
        frame = frame.drop(columns=["track"])
    return frame, components


def _listeners(rng, cfg, world_parts):
    countries, comm_country, comm_age, comm_gender, artists, actual, expected = world_parts
    n, k = cfg.listeners, cfg.communities
    comm_size = np.bincount(artists.community, weights=artists.popularity**0.5, minlength=k)
    community = rng.choice(k, size=n, p=comm_size / comm_size.sum())
    country = np.empty(n, dtype=int)
    age = np.empty(n, dtype=int)
    gender = np.empty(n, dtype=int)
    for c in range(k):
        idx = np.flatnonzero(community == c)
        country[idx] = rng.choice(len(countries), size=len(idx), p=comm_country[c])
        age[idx] = rng.choice(8, size=len(idx), p=comm_age[c])
        gender[idx] = rng.choice(4, size=len(idx), p=comm_gender[c])
    sub = rng.choice(4, size=n, p=[0.46, 0.47, 0.05, 0.02])
    device = rng.choice(
        len(DEVICES), size=n, p=[0.62, 0.14, 0.05, 0.03, 0.05, 0.01, 0.04, 0.04, 0.02]
    )
    os_for_device = {
        0: [0.45, 0.53, 0, 0, 0, 0.01, 0.01],
        1: [0, 0, 0.62, 0.3, 0.06, 0.01, 0.01],
        2: [0.55, 0.43, 0, 0, 0, 0.01, 0.01],
    }
    os_ = np.array(
        [
            rng.choice(
                7,
                p=np.array(os_for_device.get(d, [0, 0, 0, 0, 0, 0.8, 0.2]))
                / sum(os_for_device.get(d, [0, 0, 0, 0, 0, 0.8, 0.2])),
            )
            for d in device
        ]
    )
    listeners = pd.DataFrame(
        {
            "listener_id": [f"L{(i * 2654435761) % 2**32:08x}{i:06d}" for i in range(n)],
            "community": community,
            "country_idx": country,
            "age_idx": age,
            "gender_idx": gender,
            "sub_idx": sub,
            "device_idx": device,
            "os_idx": os_,
        }
    )

    # Which artists each listener streams: mostly its own community, weighted by popularity and
    # by how much the artist's country shares favour the listener's country (so planted
    # under-served countries also have fewer listeners). Gumbel top-k = weighted sampling
    # without replacement, vectorised per (community, country) group.
    n_art = len(artists)
    follows = np.minimum(1 + rng.poisson(2.5, size=n), n_art)
    pop = artists.popularity.to_numpy() ** 0.8
    member = artists.community.to_numpy()[None, :] == np.arange(k)[:, None]  # [K, A]
    pairs_l, pairs_a = [], []
    for (c, ctry), grp in listeners.groupby(["community", "country_idx"]).groups.items():
        idx = np.asarray(grp)
        affinity = actual[:, ctry] / np.maximum(expected[:, ctry], 1e-12)
        own = pop * member[c] * affinity
        anyone = pop * affinity
        w = (
            1 - cfg.cross_community
        ) * own / own.sum() + cfg.cross_community * anyone / anyone.sum()
        keys = np.log(w)[None, :] + rng.gumbel(size=(len(idx), n_art))
        order = np.argsort(-keys, axis=1)
        for row, listener in enumerate(idx):
            chosen = order[row, : follows[listener]]
            pairs_l.append(np.full(len(chosen), listener))
            pairs_a.append(chosen)
    li = np.concatenate(pairs_l)
    ai = np.concatenate(pairs_a)

    # Fan type of each pair from the artist's planted mixture, tilted towards diehard for the
    # youngest listeners (a planted demographic pattern for the breakdowns).
    mix = artists[["mix_passive", "mix_casual", "mix_diehard"]].to_numpy()[ai]
    young = np.isin(listeners.age_idx.to_numpy()[li], [0, 1])
    mix[young, 2] *= 1.4
    mix /= mix.sum(axis=1, keepdims=True)
    u = rng.random(len(li))[:, None]
    fan_type = (u > np.cumsum(mix, axis=1)).sum(axis=1).clip(0, 2)
    medians = np.array([FAN_STREAMS[t][0] for t in FAN_TYPES])[fan_type]
    sigmas = np.array([FAN_STREAMS[t][1] for t in FAN_TYPES])[fan_type]
    streams = np.maximum(1, np.round(rng.lognormal(np.log(medians), sigmas))).astype(int)
    fans = pd.DataFrame(
        {
            "listener_idx": li,
            "artist_idx": ai,
            "fan_type": np.array(FAN_TYPES)[fan_type],
            "streams": streams,
        }
    )
    return listeners, fans


def _with_shifts(events: pd.DataFrame, shift_events: list[dict]) -> pd.DataFrame:
    """The planted events plus the moderate adds, each event with its shape: `step` (a
    large playlist add or its end), `impulse` (a viral moment), `ramp` (growth, decline)
    or `level_shift` (a moderate add or its end)."""
    if events.empty and not shift_events:
        return events
    shape = {"spike": "step", "drop": "step", "growth": "ramp", "decline": "ramp"}
    if not events.empty:
        events = events.assign(
            shape=np.where(events.source == "search", "impulse", events.kind.map(shape))
        )
    out = pd.concat([events, pd.DataFrame(shift_events)], ignore_index=True)
    out["event_id"] = [f"EV{i:05d}" for i in range(len(out))]
    return out


def build_world(cfg: SynthConfig, seed: int) -> World:
    """Draw the whole planted world for a config and seed (deterministic)."""
    rng = np.random.default_rng(seed)
    start = cfg.start_date
    dates = np.arange(np.datetime64(start), np.datetime64(cfg.end_date + dt.timedelta(days=1)))
    countries, market = _countries(cfg)
    communities, comm_country, comm_age, comm_gender = _communities(rng, cfg, countries, market)
    artists, actual, expected, underserved = _artists(rng, cfg, comm_country, countries)
    artists = artists.merge(communities, on="community", how="left")
    tracks = _tracks(rng, cfg, artists, start)
    baseline = _baseline(tracks, dates)
    events, components = _events(rng, cfg, tracks, baseline, dates, actual, countries)
    listeners, fans = _listeners(
        rng, cfg, (countries, comm_country, comm_age, comm_gender, artists, actual, expected)
    )
    # The moderate adds draw from their own seed, so planting them first changes no other
    # draw; a campaign then lifts everything its territory streams of the track (organic,
    # listener-level and planted events alike), as the lift model measures it.
    taken = set(events.isrc) if not events.empty else set()
    shift_events, shift_components = shifts.plant(
        seed, cfg.level_shift_share, tracks, baseline, dates, actual, taken
    )
    campaigns, campaign_truth, response, campaign_components = plant_campaigns(
        rng, cfg, (tracks, baseline, dates, countries, market, actual),
        (listeners, fans), components + shift_components,
    )  # fmt: skip
    events = _with_shifts(events, shift_events)
    return World(
        cfg=cfg,
        seed=seed,
        dates=dates,
        countries=countries,
        market=market,
        communities=communities,
        comm_country=comm_country,
        comm_age=comm_age,
        comm_gender=comm_gender,
        artists=artists,
        artist_country=actual,
        artist_country_expected=expected,
        underserved=underserved,
        tracks=tracks,
        baseline=baseline,
        events=events,
        components=components + campaign_components + shift_components,
        listeners=listeners,
        fans=fans,
        campaigns=campaigns,
        campaign_truth=campaign_truth,
        country_response=response,
        segment_multiplier=segment_multipliers(seed),
    )
