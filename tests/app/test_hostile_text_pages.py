"""Every page, for an admin, on a store whose names, labels, playlist ids and proposal notes
are hostile text, opened through a crafted link: nothing the data or the URL says becomes
a link, an image, a colour directive or other markup, and no page fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit.config
from streamlit.testing.v1 import AppTest

from app import widgets
from app.features import FEATURES
from app.safe_text import md
from data.store import open_store
from data.synth.build import DEMO_PASSWORDS
from tests.support import hostile_text as ht

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
PAGES = tuple(f.name for f in FEATURES)  # every registered page
# Elements that show their text as it is (st.text, st.code, tables); selectbox options are
# plain too, and are not among the fields read below (their labels and help are).
PLAIN = {"text", "code", "arrow_data_frame", "arrow_table", "json"}
MARKDOWN_FIELDS = {"body", "label", "help", "labels", "caption", "placeholder"}
# Markup the app writes on purpose (st.badge is a badge directive).
APP_MARKUP = {f":orange-badge[:material/science: {widgets.DEMO_BADGE}]"}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ht.build_hostile_store(
        tmp_path_factory, tmp_path_factory.mktemp("hostile") / "store.duckdb"
    )


@pytest.fixture(scope="module")
def isrc(db: Path) -> str:
    """A modelled track of the planted label (its title is hostile too)."""
    with open_store(db, read_only=True) as s:
        return (
            s.cursor()
            .execute(
                "SELECT b.isrc FROM budget_assets b JOIN catalog c USING (isrc) "
                "WHERE c.label = ? AND b.in_model ORDER BY 1 LIMIT 1",
                [ht.LABEL],
            )
            .fetchone()[0]
        )


def _strings(message, names=MARKDOWN_FIELDS) -> Iterator[str]:
    """Every string in the proto fields that Streamlit renders as markdown."""
    for field, value in message.ListFields():
        single = isinstance(value, str | bytes) or not hasattr(value, "__iter__")
        items = [value] if single or hasattr(value, "ListFields") else value
        for item in items:
            if hasattr(item, "ListFields"):
                yield from _strings(item, names)
            elif field.name in names and isinstance(item, str):
                yield item


def rendered_markdown(at: AppTest) -> list[str]:
    out = []
    for node in [*at.main, *at.sidebar]:
        if getattr(node, "type", None) in PLAIN or getattr(node, "proto", None) is None:
            continue
        extra = {"options"} if node.type in ("radio", "button_group") else set()
        out += list(_strings(node.proto, MARKDOWN_FIELDS | extra))
    return out


def check_page(at: AppTest) -> list[str]:
    """The page's markdown, after asserting none of it, and none of its charts, is markup."""
    assert not at.exception, [e.value for e in at.exception]
    texts = [t for t in rendered_markdown(at) if t not in APP_MARKUP]
    live = {t[:120]: ht.live_markup(t) for t in texts if ht.live_markup(t)}
    assert not live, live
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        assert ht.plotly_markup(spec) == [], ht.plotly_markup(spec)[:5]
    for deck in at.get("deck_gl_json_chart"):
        assert ht.deck_tooltip_modes(deck.proto.tooltip) <= {"text"}
    return texts


def test_every_page_shows_hostile_text_as_text(db: Path, isrc: str, monkeypatch) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    at = AppTest.from_file(str(MAIN), default_timeout=120)
    at.query_params.update(ht.hostile_query_params(isrc))
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input("admin")
    fields["Password"].input(DEMO_PASSWORDS["admin"])
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()

    seen: dict[str, list[str]] = {}
    for page in PAGES:
        at.switch_page(f"../pages/{page}.py")
        at.run()
        seen[page] = check_page(at)
        assert [t.value for t in at.title], page  # the page drew, not just the sidebar

    # the table toolbar's own CSV export (formulas as they are) is off for this app
    assert streamlit.config.get_option("client.disableDataExport") is True
    everything = "\n".join(t for texts in seen.values() for t in texts)
    assert ht.EVIL_HOST not in everything and r"evil\.example" in everything  # only escaped
    # the crafted link's notices name what was wrong, never what the link said
    notices = " ".join(w.value for w in at.sidebar.warning)
    assert "cannot see" in notices and "evil" not in notices
    # the hand-off's well-formed unknown territory is named; the hostile one is dropped
    budget = "\n".join(seen["budget"])
    assert "No audience data for this track in ZZ (named by the link)" in budget
    # the stored note reaches the approver escaped (the review queue opens first)
    assert f"Comment: {md(ht.NOTE)}" in seen["budget"]
    # names appear in their escaped form where the page writes markdown
    similar = "\n".join(seen["similar"])
    assert "**All listed similar artists of " in similar
    assert any(md(c) in similar for c in ht.CORPUS if ht.live_markup(c))


def test_report_keeps_hostile_names_as_text(db: Path) -> None:
    """The stakeholder report (app/report) escapes every data text and keeps charts inert."""
    from app import report
    from data.queries import operator_scope
    from tests.app.test_report import assert_self_contained

    with open_store(db, read_only=True) as store:
        scope = operator_scope(store)
        rows = (
            store.cursor()
            .execute(
                "SELECT isrc, artist_id, artist_name FROM catalog WHERE label = ? ORDER BY 1",
                [ht.LABEL],
            )
            .fetchall()
        )
        assert rows
        pages = []
        for isrc, artist_id, _ in rows[:3]:
            for kw in ({"isrc": isrc}, {"artist_id": artist_id}):
                built = report.build(store, scope, **kw)
                for section in built.sections:
                    if section.figure is not None:
                        assert not ht.plotly_markup(section.figure.to_plotly_json())
                pages.append((built, report.to_html(built)))
    for built, page in pages:
        assert_self_contained(page)
        assert page.count("<b>") == len(built.facts)  # the facts' own bold, nothing injected
        assert "&lt;b&gt;L&lt;/b&gt;" in page  # the hostile label, escaped
        assert "<script>alert(1)" not in page
