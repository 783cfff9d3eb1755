"""One plain sentence per opportunity, built from its figures (no model words)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

AGE_WORDS = {"unknown": "of unknown age"}
SUBSCRIPTION_WORDS = {"premium": "paying", "free": "free", "trial": "trial", "unknown": ""}


def _n(x: float) -> str:
    return f"{x:,.0f}"


def audience(segment: str) -> str:
    """'25-34:female:premium' -> 'paying female listeners aged 25-34'."""
    age, gender, sub = (segment.split(":") + ["", "", ""])[:3]
    who = " ".join(
        w for w in (SUBSCRIPTION_WORDS.get(sub, sub), gender if gender != "unknown" else "") if w
    )
    ages = AGE_WORDS.get(age, f"aged {age}")
    return f"{who} listeners {ages}".strip()


def sentence(row: Mapping[str, Any], name: str, place: str, window_days: float) -> str:
    """The reason of one ranked row: what happened, what to do, what it should return."""
    facts = row["facts"]
    days = int(round(window_days))
    ret = (
        f"about {_n(row['expected_streams'])} extra streams over {days} days "
        f"({_n(row['low'])} to {_n(row['high'])}) for ${_n(row['cost_usd'])}"
    )
    action = row["action"]
    if action == "push":
        return (
            f"{name} gets {facts['shortfall']:.0%} fewer streams in {place} than similar "
            f"artists do; a push there should bring {ret}."
        )
    if action == "sustain":
        return (
            f"{name} lost about {_n(facts['daily_loss'])} streams a day in {place} after an "
            f"editorial playlist removal on {facts['date']}; a campaign there should hold "
            f"{ret}."
        )
    if action == "promote":
        return (
            f"{name} came out on {facts['date']}; a campaign in {place} alongside the "
            f"release should add {ret}."
        )
    # The group's uplift is the label's, pooled over every territory its campaigns ran in
    # (candidates.segments): said so, not "in <place>", where it was not measured alone.
    return (
        f"{facts['passive']:.0%} of {name}'s listeners listen only passively, and past "
        f"campaigns of the label lifted {audience(row['segment'])} by {facts['uplift']:.0%} "
        f"(all territories); a campaign to them in {place} should add {ret}."
    )
