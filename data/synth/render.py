"""Render the planted world into trend-report rows (vectorised numpy, chunked by track)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pyarrow as pa

from data.synth import segments
from data.synth.world import ACTIVE, DSPS, PASSIVE, World
from data.vocab import AGE_BANDS, DEVICES, GENDERS, OSES, SOURCES, SUBSCRIPTIONS

REGIONS = {
    "US": ("California", "Texas", "New York", "Florida", "Illinois", "Georgia"),
    "GB": ("England", "Scotland", "Wales", "Northern Ireland"),
    "DE": ("Bayern", "Berlin", "Hamburg", "Nordrhein-Westfalen"),
    "BR": ("São Paulo", "Rio de Janeiro", "Minas Gerais", "Bahia"),
    "MX": ("Ciudad de México", "Jalisco", "Nuevo León"),
    "FR": ("Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie"),
}
PLAYLIST_SOURCES = ("editorial_playlist", "algorithmic_playlist", "user_playlist", "chart")
# Active-context probability multiplier by age band: younger listeners search and save more.
AGE_ACTIVE = np.array([1.12, 1.1, 1.0, 0.95, 0.9, 0.85, 0.8, 1.0])
ACTIVE_SOURCE_P = np.array([0.16, 0.34, 0.14, 0.1, 0.26])
PASSIVE_SOURCE_P = np.array([0.26, 0.38, 0.16, 0.1, 0.1])
DEVICE_BY_AGE = np.array([0.72, 0.1, 0.07, 0.02, 0.04, 0.02, 0.0, 0.02, 0.01])
OS_BY_DEVICE = np.array(
    [
        [0.46, 0.52, 0, 0, 0, 0.01, 0.01],  # mobile
        [0, 0, 0.62, 0.31, 0.05, 0.01, 0.01],  # desktop
        [0.55, 0.43, 0, 0, 0, 0.01, 0.01],  # tablet
        [0, 0.3, 0, 0, 0, 0.6, 0.1],  # tv
        [0, 0, 0, 0, 0, 0.8, 0.2],  # speaker
        [0, 0, 0, 0, 0, 0.9, 0.1],  # console
        [0.45, 0.45, 0, 0, 0, 0.05, 0.05],  # car
        [0, 0, 0.5, 0.35, 0.05, 0.05, 0.05],  # web
        [0, 0, 0, 0, 0, 0, 1.0],  # unknown
    ]
)


def _cdf(p: np.ndarray) -> np.ndarray:
    c = np.cumsum(p / p.sum(axis=-1, keepdims=True), axis=-1)
    c[..., -1] = 1.0
    return c


def _draw(rng: np.random.Generator, cdf_rows: np.ndarray) -> np.ndarray:
    """One categorical draw per row from that row's cumulative distribution."""
    u = rng.random(len(cdf_rows))
    return (u[:, None] > cdf_rows).sum(axis=1).clip(0, cdf_rows.shape[1] - 1)


class Renderer:
    """Turns a World into Arrow tables with the spec's trend-report columns."""

    def __init__(self, world: World, seed: int):
        self.w = world
        self.rng = np.random.default_rng(seed + 1)
        w = world
        countries = w.countries
        dsp_p = np.tile([0.56, 0.18, 0.1, 0.09, 0.04, 0.02, 0.0], (len(countries), 1))
        for i, c in enumerate(countries):
            if c == "US":
                dsp_p[i] = [0.45, 0.27, 0.12, 0.07, 0.0, 0.03, 0.06]
            elif c in ("FR", "BR", "DE"):
                dsp_p[i, 4] = 0.12
            elif c in ("JP", "GB"):
                dsp_p[i, 1] = 0.28
        self.dsp_cdf = _cdf(dsp_p)
        self.sub_cdf = _cdf(segments.subscription_mix(w.market))
        # Segment splits of campaign rows draw from their own stream (the rest is unchanged).
        self.seg_rng = np.random.default_rng([seed, 14, 1])
        self.age_cdf = _cdf(w.comm_age)
        self.gender_cdf = _cdf(w.comm_gender)
        device_age = np.tile(DEVICE_BY_AGE, (8, 1))
        device_age[4:7, 1] += 0.08  # older listeners: more desktop
        device_age[4:7, 6] += 0.05  # and car
        self.device_cdf = _cdf(device_age)
        self.os_cdf = _cdf(OS_BY_DEVICE)
        self.track_artist = w.tracks.artist_idx.to_numpy()
        self.track_comm = w.artists.community.to_numpy()[self.track_artist]
        self.track_active = w.artists.active_share.to_numpy()[self.track_artist]
        self.isrc = np.array(w.tracks.isrc, dtype=object)
        self.country_arr = np.array(countries, dtype=object)
        self.playlist_pool = {
            s: np.array(
                [[f"{d}:{s.split('_')[0]}:{n:04d}" for n in range(1, 200)] for d in DSPS],
                dtype=object,
            )
            for s in PLAYLIST_SOURCES
        }
        self.region_pool = {
            countries.index(c): np.array(r, dtype=object)
            for c, r in REGIONS.items()
            if c in countries
        }

    # -- dimension draws -----------------------------------------------------------------
    def _source(self, active_p: np.ndarray) -> np.ndarray:
        rng = self.rng
        active = rng.random(len(active_p)) < active_p
        a = rng.choice(len(ACTIVE), size=len(active_p), p=ACTIVE_SOURCE_P)
        p = rng.choice(len(PASSIVE), size=len(active_p), p=PASSIVE_SOURCE_P)
        return np.where(active, a, len(ACTIVE) + p)

    def _regions(self, country: np.ndarray) -> np.ndarray:
        out = np.full(len(country), None, dtype=object)
        for c, pool in self.region_pool.items():
            idx = np.flatnonzero((country == c) & (self.rng.random(len(country)) < 0.35))
            out[idx] = pool[self.rng.integers(0, len(pool), size=len(idx))]
        return out

    def _playlists(self, dsp: np.ndarray, source: np.ndarray) -> np.ndarray:
        """A playlist id on 60% of playlist-sourced rows, from a pool per DSP and kind."""
        out = np.full(len(dsp), None, dtype=object)
        for s in PLAYLIST_SOURCES:
            idx = np.flatnonzero((source == SOURCES.index(s)) & (self.rng.random(len(dsp)) < 0.6))
            if len(idx):
                pool = self.playlist_pool[s]
                out[idx] = pool[dsp[idx], self.rng.integers(0, pool.shape[1], size=len(idx))]
        return out

    def _table(
        self,
        track,
        day,
        country,
        streams,
        *,
        age=None,
        gender=None,
        sub=None,
        device=None,
        os_=None,
        source=None,
        dsp=None,
        playlist=None,
        listener=None,
    ):
        rng = self.rng
        n = len(track)
        comm = self.track_comm[track]
        age = _draw(rng, self.age_cdf[comm]) if age is None else age
        gender = _draw(rng, self.gender_cdf[comm]) if gender is None else gender
        sub = _draw(rng, self.sub_cdf[country]) if sub is None else sub
        device = _draw(rng, self.device_cdf[age]) if device is None else device
        os_ = _draw(rng, self.os_cdf[device]) if os_ is None else os_
        if source is None:
            source = self._source(np.clip(self.track_active[track] * AGE_ACTIVE[age], 0, 0.95))
        dsp = _draw(rng, self.dsp_cdf[country]) if dsp is None else dsp
        if playlist is None:
            playlist = self._playlists(dsp, source)
        dates = self.w.dates[day]
        return pa.table(
            {
                "date": pa.array(dates.astype("datetime64[D]"), type=pa.date32()),
                "dsp": pa.DictionaryArray.from_arrays(pa.array(dsp, pa.int8()), pa.array(DSPS)),
                "isrc": pa.array(self.isrc[track], pa.string()),
                "country": pa.array(self.country_arr[country], pa.string()),
                "region": pa.array(self._regions(country), pa.string()),
                "age_band": _dict(age, AGE_BANDS),
                "gender": _dict(gender, GENDERS),
                "subscription": _dict(sub, SUBSCRIPTIONS),
                "device": _dict(device, DEVICES),
                "os": _dict(os_, OSES),
                "source": _dict(source, SOURCES),
                "playlist_id": pa.array(playlist, pa.string()),
                "listener_id": pa.array(
                    np.full(n, None, dtype=object) if listener is None else listener, pa.string()
                ),
                "streams": pa.array(streams.astype(np.int64)),
            }
        )

    # -- the three kinds of rows ---------------------------------------------------------
    def baseline_rows(self, chunk: int = 150) -> Iterator[pa.Table]:
        """Aggregated rows (no listener id): track x day x country, split into a few rows."""
        w, rng = self.w, self.rng
        n_tracks, n_days = w.baseline.shape
        for lo in range(0, n_tracks, chunk):
            hi = min(n_tracks, lo + chunk)
            mu = w.baseline[lo:hi] * rng.gamma(150.0, 1 / 150.0, size=(hi - lo, n_days))
            share = w.artist_country[self.track_artist[lo:hi]]
            counts = rng.poisson(mu[:, :, None] * share[:, None, :])
            t, d, c = np.nonzero(counts)
            n = counts[t, d, c]
            parts = rng.multinomial(n, [0.5, 0.3, 0.2])
            r, k = np.nonzero(parts)
            yield self._table(t[r] + lo, d[r], c[r], parts[r, k])

    def component_rows(self) -> Iterator[pa.Table]:
        """Rows of planted events and campaigns, in their own DSP / source / playlist."""
        for comp in self.w.components:
            # A component with its own seed (a moderate add) leaves the shared stream alone.
            rng = self.rng if "seed" not in comp else np.random.default_rng(comp["seed"])
            expected = comp["extra"][:, None] * comp["countries"][None, :]
            counts = rng.poisson(expected)
            d, c = np.nonzero(counts)
            if len(d) == 0:
                continue
            n = counts[d, c]
            track = np.full(len(d), comp["track"])
            names, p = zip(*comp["sources"].items(), strict=True)
            source = np.array([SOURCES.index(s) for s in names])[
                rng.choice(len(names), size=len(d), p=np.array(p))
            ]
            dsp = None if comp["dsp"] is None else np.full(len(d), DSPS.index(comp["dsp"]))
            playlist = None
            if comp["playlist_id"] is not None:
                playlist = np.full(len(d), comp["playlist_id"], dtype=object)
            table = self._table(track, d, c, n, source=source, dsp=dsp, playlist=playlist)
            if "campaign_id" in comp and self.w.segment_multiplier is not None:
                table = self._spread_over_segments(table, comp["track"], c, n)
            yield table

    def _spread_over_segments(self, table: pa.Table, track: int, country, n) -> pa.Table:
        """A campaign's rows split over age band x gender x subscription by the planted
        per-segment shares of its extra streams (expected totals unchanged)."""
        w, rng = self.w, self.seg_rng
        k = self.track_comm[track]
        age_p, gender_p = (
            np.diff(self.age_cdf[k], prepend=0),
            np.diff(self.gender_cdf[k], prepend=0),
        )
        sub_p = np.diff(self.sub_cdf, prepend=0, axis=1)
        rows, seg, counts = [], [], []
        for i, (ci, ni) in enumerate(zip(country, n, strict=True)):
            share = segments.extra_shares(
                segments.segment_mix(age_p, gender_p, sub_p[ci]), w.segment_multiplier
            ).ravel()
            split = rng.multinomial(int(ni), share)
            nz = np.flatnonzero(split)
            rows.append(np.full(len(nz), i))
            seg.append(nz)
            counts.append(split[nz])
        idx, s = np.concatenate(rows), np.concatenate(seg)
        age, gender, sub = np.unravel_index(s, segments.SHAPE)
        device = _draw(rng, self.device_cdf[age])
        out = table.take(pa.array(idx))
        for name, values, vocab in (
            ("age_band", age, AGE_BANDS),
            ("gender", gender, GENDERS),
            ("subscription", sub, SUBSCRIPTIONS),
            ("device", device, DEVICES),
            ("os", _draw(rng, self.os_cdf[device]), OSES),
        ):
            out = out.set_column(out.schema.get_field_index(name), name, _dict(values, vocab))
        pos = out.schema.get_field_index("streams")
        return out.set_column(pos, "streams", pa.array(np.concatenate(counts).astype(np.int64)))

    def listener_rows(self) -> pa.Table:
        """Listener-level rows: each fan's total streams spread over a few days and tracks."""
        w, rng = self.w, self.rng
        fans = w.fans
        total = fans.streams.to_numpy()
        n_rows = np.minimum(total, np.minimum(1 + rng.poisson(total / 12.0), 10))
        pair = np.repeat(np.arange(len(fans)), total)
        slot = (rng.random(len(pair)) * n_rows[pair]).astype(np.int64)
        key = np.unique(pair * 16 + slot, return_counts=True)
        pair_of_row, streams = key[0] // 16, key[1]
        artist = fans.artist_idx.to_numpy()[pair_of_row]
        # Track by its share within the artist: one searchsorted over per-artist cumulative
        # shares laid end to end (artist a's tracks cover [a, a + 1)).
        tracks = w.tracks
        within = tracks.groupby("artist_idx").share.cumsum().to_numpy()
        offsets = (
            tracks.artist_idx.to_numpy()
            + within / tracks.groupby("artist_idx").share.transform("sum").to_numpy()
        )
        track = np.searchsorted(offsets, artist + rng.random(len(artist)) * 0.999999)
        track = np.minimum(track, len(tracks) - 1)
        n_days = len(w.dates)
        first = np.clip(tracks.release_offset.to_numpy()[track], 0, n_days - 1)
        day = (first + rng.random(len(track)) * (n_days - first)).astype(int)
        li = fans.listener_idx.to_numpy()[pair_of_row]
        lst = w.listeners
        fan = fans.fan_type.to_numpy()[pair_of_row]
        active_p = np.select([fan == "passive", fan == "casual"], [0.3, 0.55], 0.8)
        country = lst.country_idx.to_numpy()[li]
        return self._table(
            track,
            day,
            country,
            streams,
            age=lst.age_idx.to_numpy()[li],
            gender=lst.gender_idx.to_numpy()[li],
            sub=lst.sub_idx.to_numpy()[li],
            device=lst.device_idx.to_numpy()[li],
            os_=lst.os_idx.to_numpy()[li],
            source=self._source(active_p),
            listener=lst.listener_id.to_numpy()[li],
        )


def _dict(idx: np.ndarray, values: tuple[str, ...]) -> pa.DictionaryArray:
    return pa.DictionaryArray.from_arrays(pa.array(idx, pa.int8()), pa.array(values))
