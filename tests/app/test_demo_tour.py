"""The guided demo on the (synthetic) demo store: every step's Go link opens its page with the
story's subject pre-selected, and Next / Back walk the six steps with no exception."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import demo_tour
from tests.support.apptest import open_page

# Which widget each page pre-selects from a step's link: (URL parameter, widget key).
PRESELECTED = {
    "alerts": [("event", "alerts_event"), ("alert", "alerts_pick"), ("status", "alerts_status")],
    "similar": [("similar_artist", "similar_artist")],
    "recommend": [("audience_track", "recommend_track")],
    "budget": [("track", "budget_track")],
}


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _sidebar_text(at: AppTest) -> str:
    return " ".join(
        [m.value for m in at.sidebar.get("markdown")] + [c.value for c in at.sidebar.caption]
    )


def test_tour_walks_every_step(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, "nora", "../pages/catalog.py")
    steps = at.session_state[demo_tour.K_PLAN][1]
    assert [s.page for s in steps] == ["alerts", "alerts", "similar", "recommend", "budget"] + [
        "budget"
    ]
    assert "Guided demo" in [e.label for e in at.expander]
    assert any(link.label == "Go: open this view" for link in at.sidebar.get("page_link"))
    for i, step in enumerate(steps):
        assert step.title in _sidebar_text(at)
        # Go: the step's page with its link's query parameters
        at.query_params.clear()
        at.query_params.update(step.params)
        at.switch_page(f"../pages/{step.page}.py").run()
        _ok(at)
        for param, key in PRESELECTED[step.page]:
            if param in step.params:
                assert str(at.selectbox(key=key).value) == step.params[param], (step.title, key)
        if step.page == "budget":
            territories = step.params["territories"].split(",")
            assert territories and all(len(c) == 2 for c in territories)
        if i < len(steps) - 1:
            at.button(key="tour_next").click().run()
            _ok(at)
    assert at.button(key="tour_next").disabled
    at.button(key="tour_back").click().run()
    _ok(at)
    assert steps[-2].title in _sidebar_text(at)


def test_tour_only_on_demo_or_when_asked(mini_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hand-made test store is not a demo store: no stepper unless the link asks."""
    at = open_page(mini_db, monkeypatch, "admin", "../pages/catalog.py", password="root-pass-1")
    assert "Guided demo" not in [e.label for e in at.expander]
    at = open_page(
        mini_db,
        monkeypatch,
        "admin",
        "../pages/catalog.py",
        password="root-pass-1",
        query_params={"tour": "1"},
    )
    assert "Guided demo" in [e.label for e in at.expander]
