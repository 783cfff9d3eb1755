"""Sizes and knobs of the synthetic demo world. Everything it makes is labelled synthetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

# The 48 markets of the demo world with a rough relative market size (streams weight).
# Synthetic weights, not real market figures.
MARKETS: dict[str, float] = {
    "US": 20.0,
    "BR": 7.0,
    "MX": 5.5,
    "GB": 6.0,
    "DE": 6.0,
    "FR": 4.0,
    "JP": 3.5,
    "ES": 3.0,
    "IT": 2.8,
    "CA": 3.0,
    "AU": 2.6,
    "NL": 1.8,
    "SE": 1.6,
    "PL": 1.6,
    "AR": 2.0,
    "CO": 1.8,
    "CL": 1.4,
    "PH": 2.0,
    "ID": 2.2,
    "IN": 3.0,
    "TR": 1.4,
    "KR": 1.2,
    "NO": 0.9,
    "DK": 0.8,
    "FI": 0.7,
    "BE": 0.9,
    "AT": 0.7,
    "CH": 0.8,
    "IE": 0.6,
    "PT": 0.7,
    "NZ": 0.5,
    "ZA": 0.8,
    "NG": 0.7,
    "EG": 0.6,
    "SA": 0.8,
    "AE": 0.5,
    "IL": 0.5,
    "TH": 1.0,
    "VN": 1.0,
    "MY": 0.8,
    "SG": 0.5,
    "TW": 0.8,
    "PE": 0.9,
    "EC": 0.5,
    "CZ": 0.6,
    "RO": 0.6,
    "HU": 0.5,
    "GR": 0.5,
}

LABEL_NAMES = (
    "Northern Lights Records",
    "Harbor Sound",
    "Velvet Static",
    "Sol Mayor Música",
    "Quiet Giant Recordings",
    "Paper Kite Audio",
)


@dataclass(frozen=True)
class SynthConfig:
    """What to generate. Use `SynthConfig.preset(name)` and override fields as needed."""

    size: str
    labels: int
    artists: int
    tracks_per_artist: float  # mean; heavy-tailed per artist
    countries: int
    days: int
    listeners: int
    communities: int
    campaigns: int
    end_date: dt.date = dt.date(2026, 9, 30)
    artist_volume: float = 900.0  # median artist's baseline streams per day, all tracks
    event_track_share: float = 0.45  # share of eligible tracks that get a planted event
    # Share of the remaining loud tracks that get a moderate playlist add (a level shift).
    level_shift_share: float = 0.5
    underserved_share: float = 0.5  # share of artists with planted under-served countries
    cross_community: float = 0.12  # share of a listener's artists from outside its community
    new_track_share: float = 0.3  # share of tracks released within the period (the rest older)
    # campaigns target a track in a territory where it streams at least this many a day
    # (median): labels promote what already has an audience there, and a lift must stand
    # out of the day-to-day noise for its truth to be recoverable
    campaign_min_daily: float = 100.0

    @property
    def start_date(self) -> dt.date:
        return self.end_date - dt.timedelta(days=self.days - 1)

    @staticmethod
    def preset(name: str, **overrides: object) -> SynthConfig:
        if name not in PRESETS:
            raise ValueError(f"unknown size {name!r}: choose one of {', '.join(PRESETS)}")
        return replace(PRESETS[name], **overrides)


PRESETS: dict[str, SynthConfig] = {
    # Seconds: for tests. Small but with every kind of planted structure.
    "tiny": SynthConfig(
        size="tiny",
        labels=2,
        artists=16,
        tracks_per_artist=3,
        countries=10,
        days=120,
        listeners=3000,
        communities=3,
        campaigns=24,
        artist_volume=400.0,
        level_shift_share=0.0,  # keeps the tiny store's rows (and recorded answers) as they were
    ),
    # The app's demo store: several labels, >= 100 artists, >= 1,000 tracks, >= 40 countries.
    "demo": SynthConfig(
        size="demo",
        labels=4,
        artists=120,
        tracks_per_artist=9,
        countries=48,
        days=365,
        listeners=60000,
        communities=8,
        campaigns=400,
    ),
    # Benchmarks: as large as this 2-core, 24 GiB machine handles in a few minutes.
    "large": SynthConfig(
        size="large",
        labels=6,
        artists=600,
        tracks_per_artist=10,
        countries=48,
        days=365,
        listeners=300000,
        communities=12,
        campaigns=2000,
    ),
}
