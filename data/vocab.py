"""The fixed vocabularies of spec/trend-report.md, in one place.

The ENUM types of data/migrations/001_initial.sql spell the same lists; a test checks that
they agree.
"""

from __future__ import annotations

AGE_BANDS = ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")
GENDERS = ("female", "male", "nonbinary", "unknown")
SUBSCRIPTIONS = ("premium", "free", "trial", "unknown")
DEVICES = ("mobile", "desktop", "tablet", "tv", "speaker", "console", "car", "web", "unknown")
OSES = ("ios", "android", "windows", "macos", "linux", "other", "unknown")
# Active: the listener's intentional choice. Passive: programmed by the DSP or curators.
ACTIVE_SOURCES = ("search", "collection", "album", "artist", "user_playlist")
PASSIVE_SOURCES = ("editorial_playlist", "algorithmic_playlist", "radio", "chart", "other")
# Unknown: the delivery does not say (public chart data carries no source at all).
UNKNOWN_SOURCE = "unknown"
SOURCES = ACTIVE_SOURCES + PASSIVE_SOURCES + (UNKNOWN_SOURCE,)
PLAYLIST_SOURCES = ("editorial_playlist", "algorithmic_playlist", "user_playlist", "chart")
PLATFORMS = ("meta", "google", "tiktok", "snap", "dsp_marquee", "other")
ROLES = ("admin", "manager", "viewer")
# The worldwide territory: public charts publish a "global" chart beside the country ones.
# Its streams are the sum of all countries', so it is stored under this reserved code (a
# user-assigned ISO 3166-1 code, never a real country) and left out of every country-level
# total and map; the Data health page and the worldwide chart rows keep it.
WORLDWIDE = "XW"
# ISRCs made up for tracks known only from chart data start with this reserved prefix ("XX"
# is no ISRC agency's country code); catalog.isrc_placeholder marks them too.
PLACEHOLDER_ISRC_PREFIX = "XX"


def sql_list(values: tuple[str, ...]) -> str:
    """A SQL IN-list literal of fixed vocabulary values (never of user input)."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"
