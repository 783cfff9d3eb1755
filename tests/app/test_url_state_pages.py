"""Every page's own selection lives in the URL: a link opens the same view, and a crafted
value (another label's id, an unknown word) is ignored without an error or a leak."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data.store import open_store
from tests.support.apptest import open_page

# page, the selectbox's widget key, its URL parameter, the kind of id it takes
SELECTIONS = [
    ("catalog", "catalog_track", "top_track", "isrc"),
    ("forecast", "forecast_pick", "subject", "artist"),
    ("fans", "fans_artist", "fan_artist", "artist"),
    ("similar", "similar_artist", "similar_artist", "artist"),
    ("alerts", "alerts_event", "event", "event"),
    ("recommend", "recommend_track", "audience_track", "isrc"),
    ("campaigns", "campaigns_pick", "campaign", "campaign"),
    ("budget", "budget_track", "track", "isrc"),
]
ID_SQL = {
    "isrc": "SELECT DISTINCT isrc FROM catalog WHERE label {op} (SELECT unnest(?)) ORDER BY 1",
    "artist": "SELECT DISTINCT artist_id FROM catalog WHERE label {op} (SELECT unnest(?)) "
    "ORDER BY 1",
    "campaign": "SELECT campaign_id FROM campaign_lift WHERE label_id {op} (SELECT unnest(?)) "
    "ORDER BY 1",
    "event": "SELECT event_id FROM alert_events WHERE label {op} (SELECT unnest(?)) ORDER BY 1",
}


@pytest.fixture(scope="module")
def ids(demo_db: Path) -> dict[tuple[str, bool], list[str]]:
    """(kind, nora's?) -> ids of that kind of nora's label, or of the other label only."""
    with open_store(demo_db, read_only=True) as store:
        cur = store.cursor()
        mine = [
            r[0] for r in store.state.read("SELECT label FROM user_labels WHERE username = 'nora'")
        ]
        assert mine
        out = {}
        for kind, sql in ID_SQL.items():
            own = [str(r[0]) for r in cur.execute(sql.format(op="IN"), [mine]).fetchall()]
            other = [str(r[0]) for r in cur.execute(sql.format(op="NOT IN"), [mine]).fetchall()]
            out[(kind, True)] = own
            out[(kind, False)] = [i for i in other if i not in set(own)]
    return out


def _value(at: AppTest, key: str) -> object:
    assert not at.exception, [e.value for e in at.exception]
    return at.selectbox(key=key).value


@pytest.mark.parametrize(("page", "key", "param", "kind"), SELECTIONS)
def test_link_opens_the_selection_and_ignores_crafted_ids(
    page: str,
    key: str,
    param: str,
    kind: str,
    demo_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    ids: dict[tuple[str, bool], list[str]],
) -> None:
    at = open_page(demo_db, monkeypatch, "nora", f"../pages/{page}.py")
    default = _value(at, key)
    assert at.query_params.get(param) == str(default)  # the URL says what is shown

    # A link naming another of nora's options opens it (the first few ids are tried: not
    # every id of the label is an option, e.g. a track without a forecast).
    opened = None
    for candidate in [i for i in ids[(kind, True)] if i != str(default)][:8]:
        at.query_params[param] = candidate
        at.run()
        if str(_value(at, key)) == candidate:
            opened = candidate
            break
    assert opened is not None, "no link opened another selection"
    assert at.query_params.get(param) == opened

    # Another label's id, or words, change nothing and are not echoed in the URL.
    crafted = [*ids[(kind, False)][:2], "<b>nope</b>"]
    assert len(crafted) == 3
    for value in crafted:
        at.query_params[param] = value
        at.run()
        assert str(_value(at, key)) == opened, value
        assert at.query_params.get(param) == opened


def test_users_tab_and_account_from_the_link(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(
        demo_db,
        monkeypatch,
        "admin",
        "../pages/users.py",
        query_params={"tab": "Audit log", "account": "vera"},
    )
    assert at.session_state["users_tab"] == "Audit log"
    assert at.selectbox(key="edit_user_name").value == "vera"
    crafted = open_page(
        demo_db, monkeypatch, "admin", "../pages/users.py", query_params={"tab": "Secrets"}
    )
    assert crafted.session_state["users_tab"] == "Add user"


def test_forecast_kind_and_catalog_split_from_the_link(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_page(
        demo_db, monkeypatch, "nora", "../pages/forecast.py", query_params={"for": "Track"}
    )
    assert at.session_state["forecast_kind"] == "Track"
    assert at.selectbox(key="forecast_pick").label == "Track"
    at = open_page(
        demo_db, monkeypatch, "nora", "../pages/catalog.py", query_params={"split": "nonsense"}
    )
    assert at.session_state["catalog_split"] == "DSP"
    assert at.query_params.get("split") == "DSP"


def test_fans_comparison_from_the_link(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, ids: dict[tuple[str, bool], list[str]]
) -> None:
    """The compared artists are a repeated parameter; another label's artist is dropped."""
    at = open_page(demo_db, monkeypatch, "nora", "../pages/fans.py")
    chosen = str(_value(at, "fans_artist"))
    mine = [a for a in ids[("artist", True)] if a != chosen]
    crafted = ids[("artist", False)][0]
    at.query_params["compare"] = [*mine, crafted]
    at.run()
    _value(at, "fans_artist")
    compared = at.session_state["fans_compare"]
    assert compared and len(compared) <= 3
    assert set(compared) <= set(mine) and crafted not in compared
    assert at.query_params.get("compare") == compared  # the URL says what is compared
