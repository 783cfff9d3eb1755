"""The point maps' circle sizes (hand-made points): a circle's drawn size follows its value,
not its latitude."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from app import charts


def test_equal_values_draw_equal_circles_at_any_latitude() -> None:
    # deck.gl draws metres at the circle's own latitude on Web Mercator, stretched by
    # 1 / cos(latitude): the radius handed to it is shrunk by cos(latitude) to cancel that
    points = pd.DataFrame(
        {
            "name": ["Brazil", "Sweden", "Sweden, half"],
            "lat": [0.0, 60.0, 60.0],
            "lon": [-50.0, 15.0, 15.0],
            "radius": [800_000.0, 800_000.0, 400_000.0],
        }
    )
    deck = charts.point_map(points, layer_id="p", fill_color=[1, 2, 3, 4], tooltip_text="{name}")
    layer = next(layer for layer in deck.layers if layer.id == "p")
    drawn = {p["name"]: p["radius"] for p in layer.data}
    stretch = {"Brazil": 1.0, "Sweden": 2.0, "Sweden, half": 2.0}  # 1 / cos(lat)
    on_screen = {k: r * stretch[k] for k, r in drawn.items()}
    assert on_screen["Sweden"] == pytest.approx(on_screen["Brazil"])
    assert on_screen["Sweden, half"] == pytest.approx(on_screen["Brazil"] / 2)
    assert drawn["Sweden"] == pytest.approx(800_000.0 * math.cos(math.radians(60.0)))
    assert list(points["radius"]) == [800_000.0, 800_000.0, 400_000.0]  # input untouched
