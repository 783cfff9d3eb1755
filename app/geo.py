"""Country names, map positions and an offline world outline (no network, no map token)."""

from __future__ import annotations

import functools
import warnings
from typing import Any

import pandas as pd
import pycountry
from countryinfo import CountryInfo


@functools.lru_cache(maxsize=1)
def country_table() -> pd.DataFrame:
    """country (ISO alpha-2), name, lat, lon for every ISO 3166 country."""
    rows = []
    for c in pycountry.countries:
        name = getattr(c, "common_name", None) or c.name
        lat = lon = None
        latlng = _latlng(c.alpha_2)
        if latlng is not None:
            lat, lon = latlng
        rows.append((c.alpha_2, name, lat, lon))
    return pd.DataFrame(rows, columns=["country", "name", "lat", "lon"])


# Territories for which countryinfo has neither a position nor a capital position.
_FALLBACK = {"AQ": (-75.0, 0.0), "BV": (-54.43, 3.38), "UM": (19.28, 166.65)}


def _latlng(code: str) -> tuple[float, float] | None:
    """The country's position; the capital's for the few territories without one."""
    info = CountryInfo(code)
    for getter in (info.latlng, info.capital_latlng):
        try:
            value = getter()
        except Exception:  # countryinfo raises for a few territories: try the next source
            continue
        if value and isinstance(value[0], list):  # several capitals: take the first
            value = value[0]
        if value and len(value) == 2:
            return float(value[0]), float(value[1])
    return _FALLBACK.get(code)


@functools.lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    table = country_table()
    return dict(zip(table["country"], table["name"], strict=True))


def country_name(code: str) -> str:
    """The country's common name, or the code itself when it is not an ISO code."""
    return _names().get(str(code).upper(), str(code))


def with_positions(df: pd.DataFrame, column: str = "country") -> pd.DataFrame:
    """`df` plus name, lat, lon columns (NaN where a country has no known position)."""
    table = country_table().rename(columns={"country": column})
    out = df.merge(table, on=column, how="left")
    out["name"] = out["name"].fillna(out[column])
    return out


def _rounded(coords: Any) -> Any:
    if isinstance(coords, list | tuple):
        if coords and isinstance(coords[0], int | float):
            return [round(float(v), 2) for v in coords]
        return [_rounded(c) for c in coords]
    return coords


@functools.lru_cache(maxsize=1)
def world_outline() -> dict[str, Any]:
    """A GeoJSON FeatureCollection of country shapes (low resolution, ~0.3 MB).

    Used as the map's base layer so the map needs neither tiles nor a token.
    """
    features = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for c in pycountry.countries:
            try:
                geo = CountryInfo(c.alpha_2).geo_json()
            except Exception:  # small territories have no shape in countryinfo
                continue
            for feature in (geo or {}).get("features", []):
                geometry = feature.get("geometry") or {}
                if "coordinates" not in geometry:
                    continue
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"country": c.alpha_2},
                        "geometry": {
                            "type": geometry["type"],
                            "coordinates": _rounded(geometry["coordinates"]),
                        },
                    }
                )
    return {"type": "FeatureCollection", "features": features}
