"""Synthetic artist names and track titles (deterministic for a seed).

A few names carry quotes, markup-like text, emoji and right-to-left script on purpose: the
store and the pages must keep and show them verbatim.
"""

from __future__ import annotations

import numpy as np

_FIRST = (
    "Velvet",
    "Neon",
    "Harbor",
    "Paper",
    "Silver",
    "Echo",
    "Golden",
    "Quiet",
    "Crimson",
    "Lunar",
    "Static",
    "Wild",
    "Glass",
    "Northern",
    "Cobalt",
    "Midnight",
    "Solar",
    "Hollow",
    "Amber",
    "Electric",
    "Saint",
    "Lost",
    "Rosa",
    "Atlas",
    "Indigo",
    "Copper",
    "Marble",
    "Ivory",
    "Young",
)
_SECOND = (
    "Foxes",
    "Avenue",
    "Tides",
    "Kites",
    "Canyon",
    "Parade",
    "Hearts",
    "Giants",
    "Season",
    "Engines",
    "Motel",
    "Garden",
    "Riot",
    "Choir",
    "Lanes",
    "Collective",
    "Ghosts",
    "Signal",
    "Harbour",
    "Rivers",
    "Machines",
    "Mirrors",
    "Orchard",
    "Satellites",
    "Wolves",
    "Club",
)
_SOLO = (
    "Mara Quinn",
    "Theo Lark",
    "Ines Duarte",
    "Kofi Mensah",
    "Yuna Park",
    "Lior Ben-Ami",
    "Sofia Reyes",
    "Jonas Berg",
    "Amara Eze",
    "Nico Vale",
    "Lena Moreau",
    "Rafa Cruz",
)
_SPECIAL = (
    'The "Quoted" Band',
    "Zoë & the <Brackets>",
    "Moonlight 🌙 Avenue",
    "نور الليل",
)
_WORDS = (
    "Afterglow",
    "Satellite",
    "Paper Planes",
    "Honey",
    "Gravity",
    "Late Trains",
    "Undertow",
    "Summer Static",
    "Blue Hour",
    "Runaway",
    "Lighthouse",
    "Wildfire",
    "Low Tide",
    "Daydream",
    "Heartline",
    "Neon Rain",
    "Golden Days",
    "Silhouette",
    "Northbound",
    "Overdrive",
    "Carousel",
    "Fever",
    "Midnight Drive",
    "Echoes",
    "Paradise Lost",
    "Shiver",
    "Waves",
    "Radio Silence",
    "Slow Motion",
    "Stardust",
    "Cold Water",
    "Vertigo",
    "Mirage",
    "Firefly",
    "Homesick",
)


def artist_names(rng: np.random.Generator, n: int) -> list[str]:
    """n distinct names; the special verbatim-test names come first when n allows."""
    names: list[str] = list(_SPECIAL[: max(0, min(len(_SPECIAL), n // 20))])
    seen = set(names)
    solo = list(_SOLO)
    rng.shuffle(solo)
    while len(names) < n:
        if solo and rng.random() < 0.25:
            name = solo.pop()
        else:
            # Redraw on a clash; "The ..." doubles the pool before a name would repeat.
            name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
            if name in seen:
                name = f"The {name}"
        if name not in seen:
            names.append(name)
            seen.add(name)
    order = rng.permutation(n)
    return [names[i] for i in order]


def track_titles(rng: np.random.Generator, n: int) -> list[str]:
    """n track titles (repeats across artists are fine, as in real catalogs)."""
    titles = []
    for _ in range(n):
        title = str(rng.choice(_WORDS))
        r = rng.random()
        if r < 0.12:
            title += " (Remix)"
        elif r < 0.18:
            title += " - Acoustic"
        elif r < 0.22:
            title = f"{title}, Pt. {int(rng.integers(2, 4))}"
        titles.append(title)
    return titles
