"""The Territory budgets page headless (AppTest) on the tiny demo store with all jobs run:
hand-off pre-fill through the sidebar-filter URL sync, caps with notices, edits surviving
page switches, submit, review and export."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import wording
from data.backup import copy_store
from data.store import open_store
from data.synth.build import DEMO_PASSWORDS
from tests.support.budget_track import nora_modelled_track

MAIN = Path(__file__).resolve().parents[3] / "app" / "main.py"
BUDGET = "../pages/budget.py"
CATALOG = "../pages/catalog.py"


@pytest.fixture(scope="module")
def db(demo_db: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("budget-page") / "store.duckdb"
    copy_store(demo_db, path)
    return path


@pytest.fixture(scope="module")
def track(db: Path) -> dict[str, str]:
    """A modelled track of nora's label and the territories the model ranks for it."""
    return nora_modelled_track(db)


def app(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(db))
    return AppTest.from_file(str(MAIN), default_timeout=60)


def sign_in(at: AppTest, username: str) -> AppTest:
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input(username)
    fields["Password"].input(DEMO_PASSWORDS[username])
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def open_budget(at: AppTest) -> AppTest:
    at.switch_page(BUDGET)
    at.run()
    ok(at)
    return at


def plan_key(isrc: str, goal: str) -> str:
    return f"budget_plan:{isrc}:{goal}"


def test_hand_off_link_prefills_track_goal_and_territories(db, track, monkeypatch) -> None:
    at = app(db, monkeypatch)
    # a link from Alerts / Similar artists, with a sidebar filter in the URL as well
    at.query_params.update(
        {
            "track": track["isrc"],
            "goal": "sustain",
            "territories": "br,us,is",  # Iceland: not in the tiny store
            "label": track["label"],
        }
    )
    sign_in(at, "nora")
    open_budget(at)
    assert at.selectbox(key="budget_track").value == track["isrc"]
    assert at.radio(key="budget_goal").value == "sustain"
    plan = at.session_state[plan_key(track["isrc"], "sustain")]
    yes = set(plan.loc[plan["run"] == "Yes", "country"])
    assert yes == {"BR", "US"}  # every requested territory with data is in the plan
    assert any("Iceland" in i.value and "No audience data" in i.value for i in at.info)
    # the filters' URL sync keeps the hand-off parameters and its own
    assert at.query_params["track"] == track["isrc"]
    assert at.query_params["label"] == track["label"]
    # a rerun does not re-apply the hand-off over the user's choice
    at.radio(key="budget_goal").set_value("expand").run()
    ok(at)
    assert at.radio(key="budget_goal").value == "expand"
    assert at.query_params["goal"] == "expand"


def test_caps_notice_edits_survive_page_switch_and_submit(db, track, monkeypatch) -> None:
    at = app(db, monkeypatch)
    at.query_params.update({"track": track["isrc"], "goal": "expand"})
    sign_in(at, "nora")
    open_budget(at)
    key = plan_key(track["isrc"], "expand")
    table = next(df.value for df in at.dataframe if "cap_usd" in df.value.columns)
    assert list(table["audience_fit_score"]) == sorted(table["audience_fit_score"], reverse=True)
    cap = float(table["cap_usd"].iloc[0])
    # a budget the capped amount fits in (the planted campaigns set caps of a few $1,000)
    budget = float(max(2000.0, 1000.0 * (cap // 1000 + 2)))
    at.number_input(key=f"{key}:budget").set_value(budget).run()
    # an edit over the cap, as the data editor reports it: reduced to the cap with a notice
    editor = f"{key}:editor:{at.session_state[f'{key}:v']}"
    at.session_state[editor] = {"edited_rows": {0: {"run": "Yes", "usd": cap + 500}}}
    at.run()
    ok(at)
    fixed = at.session_state[key]
    got = float(fixed["usd"].iloc[0])
    assert abs(got - cap) <= 0.5  # the table shows the cap rounded to dollars
    first = fixed["country"].iloc[0]
    notices = [w.value for w in at.warning if w.value.startswith("Spend above")]
    assert notices == [
        f"Spend above ${got:,.0f} in {fixed['territory'].iloc[0]} is unlikely to be "
        f"effective; reduced to ${got:,.0f}."
    ]
    # the expected outcome follows the edit
    streams = next(m for m in at.metric if m.label == wording.label("expected_streams"))
    assert streams.value != "0"
    # a negative amount is refused with a clear message
    bad = fixed.copy()
    bad.loc[bad.index[0], "usd"] = -5
    at.session_state[key] = bad
    at.run()
    assert any("at least $0" in e.value for e in at.error)
    at.session_state[key] = fixed
    at.run()
    assert not at.error, [e.value for e in at.error]
    # edits survive a page switch
    at.switch_page(CATALOG)
    at.run()
    open_budget(at)
    assert at.session_state[key]["usd"].iloc[0] == fixed["usd"].iloc[0]
    assert at.selectbox(key="budget_track").value == track["isrc"]
    assert at.number_input(key=f"{key}:budget").value == budget
    assert not at.error, [e.value for e in at.error]
    # submit for approval creates a proposal with the edited amounts
    next(b for b in at.button if b.label == "Submit for approval").click()
    at.run()
    ok(at)
    assert any("Submitted for approval" in s.value for s in at.success)
    from app import services  # the app's own connection (the process holds the file)

    state = services.store().state
    plan = json.loads(
        state.read("SELECT plan FROM budget_proposals ORDER BY proposal_id DESC")[0][0]
    )
    assert plan[0]["country"] == first and plan[0]["usd"] == fixed["usd"].iloc[0]
    assert plan[0]["groups"]


def test_viewer_cannot_submit_and_admin_reviews(db, track, monkeypatch) -> None:
    at = app(db, monkeypatch)
    at.query_params.update({"track": track["isrc"], "goal": "expand"})
    sign_in(at, "vera")
    open_budget(at)
    assert not [b for b in at.button if b.label == "Submit for approval"]
    assert any("Viewers can plan" in i.value for i in at.info)

    at = app(db, monkeypatch)  # the admin follows the proposal's link to its track
    at.query_params.update({"track": track["isrc"], "goal": "expand"})
    sign_in(at, "admin")
    open_budget(at)
    shown = [c.value for c in at.caption] + [i.value for i in at.info]
    assert any("Awaiting your review" in c for c in shown), shown
    next(b for b in at.button if b.label == "Send back").click()
    at.run()
    assert any("comment" in e.value for e in at.error)  # a reason is required
    next(b for b in at.button if b.label == "Approve").click()
    at.run()
    ok(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Targeting (JSON)" in labels and "Targeting (CSV)" in labels
    hist = next(
        df.value for df in at.dataframe if "action" in df.value.columns and "who" in df.value
    )
    assert list(hist["action"]) == ["submit", "approve"]
    assert list(hist["who"]) == ["nora", "admin"]


def test_model_run_header_and_a_store_without_a_budget_run(db, track, monkeypatch) -> None:
    at = app(db, monkeypatch)
    sign_in(at, "nora")
    open_budget(at)
    assert any(c.value.startswith("Audience model computed ") for c in at.caption)

    bare = db.parent / "no-run.duckdb"
    copy_store(db, bare)
    with open_store(bare) as s:
        s.cursor().execute("DELETE FROM model_runs WHERE job = 'budget'")
    at = app(bare, monkeypatch)
    sign_in(at, "nora")
    open_budget(at)
    assert [i.value for i in at.info] == [
        "The audience model has not been computed on this store yet. An operator can run "
        "`labelradar refresh` (or `labelradar refresh --only budget`)."
    ]
    assert not at.selectbox  # the page stopped before the track picker


def test_hand_off_groups_are_targeted_first_and_crafted_ones_dropped(
    db, track, monkeypatch
) -> None:
    """Audiences hands off its largest adopter groups: they lead the territory's targeting in
    the submitted plan; a group that is not made of known words never reaches the page."""
    at = app(db, monkeypatch)
    at.query_params.update(
        {
            "track": track["isrc"],
            "goal": "accelerate",  # the other tests submit for expand
            "territories": "br",
            "groups": "BR:25-34:female,BR:[evil](http://x):male,US:18-24:nonbinary?",
        }
    )
    sign_in(at, "nora")
    open_budget(at)
    shown = [c.value for c in at.caption if "Audience groups from the link" in c.value]
    assert len(shown) == 1 and "female 25" in shown[0] and "evil" not in shown[0]
    next(b for b in at.button if b.label == "Suggest a split").click()
    at.run()
    next(b for b in at.button if b.label == "Submit for approval").click()
    at.run()
    ok(at)
    assert any("Submitted for approval" in m.value for m in at.success), [e.value for e in at.error]
    from app import services

    state = services.store().state
    plan = json.loads(
        state.read("SELECT plan FROM budget_proposals ORDER BY proposal_id DESC")[0][0]
    )
    brazil = next(i for i in plan if i["country"] == "BR")
    assert brazil["groups"][0] == "female 25-34"
    assert not any("evil" in g for i in plan for g in i["groups"])
