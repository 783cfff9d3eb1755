"""Every page names its metrics in words: no technical name (S(T), p10, a snake_case result
column ...) is a visible label (widget and metric labels, table headers, chart titles and
axis titles). The technical names live in the help tooltips (app/wording.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import wording
from app.features import FEATURES
from tests.support.apptest import open_page

SNAKE = re.compile(r"\b[a-z0-9]+(?:_[a-z0-9]+)+\b")
TECHNICAL = wording.technical_names()


def _chart_labels(spec: str) -> Iterator[str]:
    layout = json.loads(spec).get("layout", {})
    title = layout.get("title")
    yield title.get("text", "") if isinstance(title, dict) else str(title or "")
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            yield (axis.get("title") or {}).get("text", "") or ""
    yield ((layout.get("legend") or {}).get("title") or {}).get("text", "") or ""


def _table_headers(df) -> Iterator[str]:
    config = json.loads(df.proto.columns or "{}")
    for col in df.value.columns:
        cfg = config.get(f"name:{col}") or config.get(str(col)) or {}
        if not cfg.get("hidden"):
            yield cfg.get("label") or str(col)


def visible_labels(at: AppTest) -> list[str]:
    """The label text a user reads on the page (not the data, not the help tooltips)."""
    out: list[str] = [m.label for m in at.metric]
    out += [h.value for kind in ("header", "subheader", "title") for h in at.get(kind)]
    for node in [*at.main, *at.sidebar]:
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "label") and node.type != "metric":
            out.append(proto.label)
    for df in at.dataframe:
        out += list(_table_headers(df))
    for chart in at.get("plotly_chart"):
        out += list(_chart_labels(chart.proto.spec))
    return [t for t in out if t]


def jargon(texts: list[str]) -> list[str]:
    """The labels that show a technical name."""
    return [t for t in texts if SNAKE.search(t) or any(name in t for name in TECHNICAL)]


def lower_case(texts: list[str]) -> list[str]:
    """The labels that start with a small letter ("audience group" beside "Fan type")."""
    return [t for t in texts if t.strip()[:1].islower()]


def test_the_check_catches_jargon() -> None:
    assert jargon(["Score S(T)", "streams_per_usd", "p10 (streams)", "Audience fit score"]) == [
        "Score S(T)",
        "streams_per_usd",
        "p10 (streams)",
    ]


def test_vocabulary_help_names_the_technical_quantity() -> None:
    assert wording.label("expected_streams_per_100usd") == "Extra streams per $100"
    assert "expected_streams_per_usd" in wording.technical_names()
    assert wording.label("audience_fit_score") == "Audience fit score"
    assert "S(T)" in (wording.help_text("audience_fit_score") or "")
    cfg = wording.column_config(["audience_fit_score", "unknown_col"], {})
    assert cfg == {
        "audience_fit_score": {
            "label": "Audience fit score",
            "help": wording.help_text("audience_fit_score"),
        }
    }


@pytest.mark.parametrize("page", [f.name for f in FEATURES])
def test_page_shows_no_technical_names(
    page: str, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(demo_db, monkeypatch, "admin", f"../pages/{page}.py")
    labels = visible_labels(at)
    assert labels, "the page drew no labels at all"
    assert not jargon(labels), jargon(labels)
    assert not lower_case(labels), lower_case(labels)
