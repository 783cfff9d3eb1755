"""Display names of catalogue vocabulary (pure: shared by the analytics' sentences and the
app's labels)."""

from __future__ import annotations

# The DSPs' own spellings of their names; any other feed's slug reads as words ("my_dsp" ->
# "My Dsp"). The slug stays in the data, the links and the command line's JSON.
DSP_NAMES = {
    "spotify": "Spotify",
    "apple_music": "Apple Music",
    "amazon": "Amazon Music",
    "deezer": "Deezer",
    "youtube": "YouTube",
    "tidal": "TIDAL",
    "pandora": "Pandora",
    "soundcloud": "SoundCloud",
}


def dsp_name(slug: str) -> str:
    """A DSP's name as people write it, from its trend-report slug."""
    return DSP_NAMES.get(slug, str(slug).replace("_", " ").title())


def source_name(slug: str) -> str:
    """A stream source as words ("editorial_playlist" -> "Editorial playlist")."""
    text = str(slug).replace("_", " ")
    return text[:1].upper() + text[1:]
