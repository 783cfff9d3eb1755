"""Headless tests of the whole app (streamlit.testing.v1.AppTest) against the mini store."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import audit, users
from data.store import open_store
from data.synth.build import DEMO_PASSWORDS
from tests.conftest import END, USERS

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
CATALOG = "../pages/catalog.py"
ADMIN = "../pages/users.py"


@pytest.fixture
def app(mini_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("LABELRADAR_DB", str(mini_db))
    return AppTest.from_file(str(MAIN), default_timeout=60)


def sign_in(at: AppTest, username: str, password: str | None = None) -> AppTest:
    at.run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input(username)
    fields["Password"].input(password if password is not None else USERS[username][0])
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()


def sign_in_catalog(at: AppTest, username: str, password: str | None = None) -> AppTest:
    """Sign in, then open the Catalog (the app lands on Today, which reads the ranking)."""
    sign_in(at, username, password)
    return at.switch_page(CATALOG).run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def top_tracks(at: AppTest):
    return next(df.value for df in at.dataframe if "track" in df.value.columns)


def all_text(at: AppTest) -> str:
    """Every string the page shows in tables, metrics, markdown and widgets' options."""
    parts = [str(df.value.to_csv()) for df in at.dataframe]
    parts += [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [str(o) for ms in at.multiselect for o in ms.options]
    parts += [str(o) for sb in at.selectbox for o in sb.options]
    return "\n".join(parts)


# -- sign-in ---------------------------------------------------------------------------------
def test_visitor_sees_only_the_sign_in_form(app: AppTest) -> None:
    app.run()
    no_exception(app)
    assert [ti.label for ti in app.text_input] == ["Username", "Password"]
    assert [b.label for b in app.button] == ["Sign in"]
    assert not app.metric and not app.dataframe and not app.multiselect
    assert not app.get("plotly_chart") and not app.get("deck_gl_json_chart")
    assert not app.sidebar.multiselect and not app.sidebar.button


@pytest.mark.parametrize(
    "username,password", [("admin", "wrong-password"), ("nobody", "whatever-1"), ("gone", None)]
)
def test_wrong_credentials_are_refused(app: AppTest, username: str, password: str | None) -> None:
    sign_in(app, username, password)
    no_exception(app)
    assert any("Wrong username or password" in e.value for e in app.error)
    assert not app.metric and not app.dataframe
    assert "lr_user" not in app.session_state


def test_admin_sees_the_catalog(app: AppTest) -> None:
    sign_in_catalog(app, "admin")
    no_exception(app)
    assert [t.value for t in app.title] == ["Catalog"]
    assert [m.label for m in app.metric] == [
        "Streams",
        "Listeners (where known)",
        "Active share",
        "Tracks streamed",
    ]
    assert len(app.get("plotly_chart")) == 2  # streams over time + track drill-down
    assert len(app.get("deck_gl_json_chart")) == 1
    assert len(app.dataframe) == 3  # top countries, top tracks, track countries
    buttons = [b.label for b in app.get("download_button")]
    assert buttons.count("Download CSV") == 3  # one per table
    assert {"Download track report (HTML)", "Download artist report (HTML)"} <= set(buttons)
    tracks = top_tracks(app)
    assert set(tracks["label"]) == {"Label A", "Label B"}
    # data text is passed through verbatim (st.dataframe shows it as text)
    assert "Northern <b>Glow</b>" in set(tracks["track"])
    # the map has no base-map provider (renders offline, no token)
    deck = json.loads(app.get("deck_gl_json_chart")[0].proto.json)
    assert deck["mapStyle"] == "__MAP_STYLE__"  # pydeck's "no base map" (map_provider=None)
    assert "mapProvider" not in deck and "cartocdn" not in json.dumps(deck)
    layers = {layer["id"]: layer for layer in deck["layers"]}
    assert layers["countries"]["data"]["type"] == "FeatureCollection"  # offline outline
    assert {p["name"] for p in layers["streams"]["data"]} == {"United States", "Brazil", "Germany"}


def test_kpis_compare_with_the_previous_period(app: AppTest) -> None:
    app.query_params.update({"from": "2025-02-01", "to": "2025-02-10"})
    sign_in_catalog(app, "admin")
    no_exception(app)
    streams = next(m for m in app.metric if m.label == "Streams")
    assert streams.delta and streams.delta.endswith("%")
    assert streams.value.replace(",", "").isdigit()


def test_viewer_of_label_a_sees_no_label_b(app: AppTest) -> None:
    sign_in_catalog(app, "viewer_a")
    no_exception(app)
    text = all_text(app)
    assert "Label B" not in text and "Bravo" not in text and "Beta Band" not in text
    assert set(top_tracks(app)["label"]) == {"Label A"}
    # the users page is not in a viewer's navigation
    with pytest.raises(ValueError):
        app.switch_page(ADMIN)


def test_query_param_with_another_labels_name_shows_nothing_of_it(app: AppTest) -> None:
    app.query_params["label"] = "Label B"
    sign_in_catalog(app, "viewer_a")
    no_exception(app)
    text = all_text(app)
    assert "Bravo" not in text and "Beta Band" not in text
    assert any("label you cannot see" in w.value for w in app.sidebar.warning)
    assert app.multiselect(key="flt_labels").value == []
    assert app.query_params.get("label") is None  # dropped from the shared URL too


def test_filter_with_no_data_shows_a_friendly_message(app: AppTest) -> None:
    sign_in_catalog(app, "admin")
    app.multiselect(key="flt_artists").set_value(["AR2"])
    app.multiselect(key="flt_countries").set_value(["DE"])
    app.run()
    no_exception(app)
    assert any("No streams match these filters" in i.value for i in app.info)
    assert not app.metric and not app.get("plotly_chart")


def test_filters_are_mirrored_in_the_url(app: AppTest) -> None:
    sign_in_catalog(app, "admin")
    assert app.query_params["to"] == END.isoformat()
    app.multiselect(key="flt_countries").set_value(["US", "BR"])
    app.multiselect(key="flt_labels").set_value(["Label A"])
    app.run()
    no_exception(app)
    assert app.query_params["country"] == ["US", "BR"]
    assert app.query_params["label"] == "Label A"
    tracks = top_tracks(app)
    assert set(tracks["label"]) == {"Label A"}


def test_a_shared_url_restores_the_view(app: AppTest) -> None:
    app.query_params.update(
        {
            "label": "Label A",
            "artist": "AR1",
            "country": "US,BR",
            "from": "2025-02-01",
            "to": "2025-02-15",
        }
    )
    sign_in_catalog(app, "admin")
    no_exception(app)
    flt = app.session_state["lr_filters"]
    assert flt.labels == ("Label A",) and flt.artist_ids == ("AR1",)
    assert flt.countries == ("US", "BR")
    assert (flt.date_from, flt.date_to) == (dt.date(2025, 2, 1), dt.date(2025, 2, 15))
    assert set(top_tracks(app)["artist"]) == {"Alpha Aurora"}
    assert not app.sidebar.warning


def test_invalid_query_params_are_ignored_with_a_notice(app: AppTest) -> None:
    app.query_params.update(
        {"from": "not-a-date", "country": "ZZ", "artist": "<script>", "label": "Nope"}
    )
    sign_in_catalog(app, "admin")
    no_exception(app)
    warnings = " ".join(w.value for w in app.sidebar.warning)
    assert "dates are not valid" in warnings and "country" in warnings
    assert "artist" in warnings and "label" in warnings
    assert "<script>" not in warnings  # notices never echo the link's text
    flt = app.session_state["lr_filters"]
    assert flt.countries == () and flt.artist_ids == () and flt.labels == ()
    assert flt.date_to == END
    assert app.metric  # the page still works


def test_filters_survive_a_page_switch(app: AppTest) -> None:
    sign_in_catalog(app, "admin")
    app.multiselect(key="flt_countries").set_value(["BR"])
    app.run()
    app.switch_page(ADMIN).run()
    no_exception(app)
    assert [t.value for t in app.title] == ["Users"]
    app.switch_page(CATALOG).run()
    no_exception(app)
    assert app.multiselect(key="flt_countries").value == ["BR"]
    assert app.session_state["lr_filters"].countries == ("BR",)


def test_track_drill_down_follows_the_selected_track(app: AppTest) -> None:
    sign_in_catalog(app, "admin")
    app.selectbox(key="catalog_track").set_value("QZA000000003")
    app.run()
    no_exception(app)
    track_countries = app.dataframe[-1].value
    assert set(track_countries["country"]) == {"US", "BR"}  # AR2 never streams in DE
    app.segmented_control(key="catalog_split").set_value("Active / passive").run()
    no_exception(app)


def test_sign_out_returns_to_the_sign_in_form(app: AppTest) -> None:
    sign_in(app, "viewer_a")
    next(b for b in app.sidebar.button if b.label == "Sign out").click()
    app.run()
    no_exception(app)
    assert [ti.label for ti in app.text_input] == ["Username", "Password"]
    assert not app.metric


# -- administration --------------------------------------------------------------------------
@pytest.fixture
def admin_app(mini_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[AppTest, Path]:
    monkeypatch.setenv("LABELRADAR_DB", str(mini_db_copy))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    sign_in(at, "admin")
    at.switch_page(ADMIN).run()
    no_exception(at)
    return at, mini_db_copy


def test_admin_adds_a_user(admin_app: tuple[AppTest, Path]) -> None:
    at, db = admin_app
    add = [ti for ti in at.text_input if ti.form_id == "add_user"]
    by_label = {ti.label: ti for ti in add}
    by_label["Username"].input("new.viewer")
    by_label["Password"].input("new-pass-123")
    by_label["Repeat password"].input("new-pass-123")
    next(ms for ms in at.multiselect if ms.form_id == "add_user").set_value(["Label B"])
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    no_exception(at)
    assert any("Added user" in s.value for s in at.success)
    accounts = at.dataframe[0].value
    assert "new.viewer" in set(accounts["username"])

    store = open_store(db, read_only=True)  # the published store, as the app reads it
    user = users.get_user(store, "new.viewer")
    assert user is not None and user.role == "viewer" and user.labels == ("Label B",)
    log = audit.entries(store, entity="user", entity_id="new.viewer")
    assert list(log["action"]) == ["user.add"] and list(log["actor"]) == ["admin"]


def test_admin_add_user_errors_are_shown(admin_app: tuple[AppTest, Path]) -> None:
    at, _db = admin_app
    add = {ti.label: ti for ti in at.text_input if ti.form_id == "add_user"}
    add["Username"].input("viewer_a")  # exists already
    add["Password"].input("whatever-123")
    add["Repeat password"].input("whatever-123")
    next(ms for ms in at.multiselect if ms.form_id == "add_user").set_value(["Label A"])
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    no_exception(at)
    assert any("already exists" in e.value for e in at.error)


def test_admin_disables_a_user_and_their_session_ends(
    admin_app: tuple[AppTest, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    at, db = admin_app
    viewer = AppTest.from_file(str(MAIN), default_timeout=60)
    sign_in_catalog(viewer, "viewer_a")
    assert viewer.metric

    at.selectbox(key="edit_user_name").set_value("viewer_a").run()
    edit_form = f"edit_user_{'viewer_a'}"
    next(t for t in at.toggle if t.form_id == edit_form).set_value(True)
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    no_exception(at)
    assert any("Saved changes" in s.value for s in at.success)

    viewer.run()  # the viewer's next interaction
    no_exception(viewer)
    assert not viewer.metric
    assert [ti.label for ti in viewer.text_input] == ["Username", "Password"]
    assert any("no longer active" in i.value for i in viewer.info)


def test_admin_cannot_lock_themselves_out(admin_app: tuple[AppTest, Path]) -> None:
    at, _db = admin_app
    at.selectbox(key="edit_user_name").set_value("admin").run()
    next(t for t in at.toggle if t.form_id == "edit_user_admin").set_value(True)
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    no_exception(at)
    assert any("cannot disable your own account" in e.value for e in at.error)


# -- store problems and the demo badge -------------------------------------------------------
def test_missing_store_gives_the_build_command(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(tmp_path / "nothing-here.duckdb"))
    at = AppTest.from_file(str(MAIN), default_timeout=60).run()
    no_exception(at)
    assert any("labelradar demo" in e.value for e in at.error)
    assert not (tmp_path / "nothing-here.duckdb").exists()  # we did not create one


def test_a_failed_refresh_on_open_is_a_warning_not_an_error(mini_db_copy: Path, monkeypatch):
    """The app only reads the published store: a pending refresh that a writing command
    failed to finish (and recorded) is a sidebar warning, and the pages still work."""
    import duckdb

    from data import aggregates

    with open_store(mini_db_copy) as store, store.transaction() as cur:
        aggregates.queue(cur, 1, END, END, ["spotify"])  # a refresh left pending

    def fails(cur):
        raise duckdb.ConversionException("value out of range for INT64")

    monkeypatch.setattr(aggregates, "refresh_backlog", fails)
    with open_store(mini_db_copy) as store:  # the next writing command retries, and fails
        assert "aggregate refresh failed" in store.backlog_problem
    monkeypatch.undo()
    monkeypatch.setenv("LABELRADAR_DB", str(mini_db_copy))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    sign_in_catalog(at, "admin")
    no_exception(at)
    assert len(at.metric) == 4  # the pages work on the aggregates as they were
    assert any("labelradar doctor --repair" in w.value for w in at.sidebar.warning)


def has_demo_badge(at: AppTest) -> bool:
    return any("Demo data (synthetic)" in m.value for m in at.markdown)  # st.badge is markdown


def test_no_demo_badge_on_a_real_store(app: AppTest) -> None:
    app.run()
    assert not has_demo_badge(app)


def test_demo_store_shows_the_badge_and_signs_in(demo_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(demo_db))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.run()
    assert has_demo_badge(at)
    sign_in_catalog(at, "admin", DEMO_PASSWORDS["admin"])
    no_exception(at)
    assert len(at.metric) == 4 and at.get("deck_gl_json_chart")
    assert has_demo_badge(at)


def test_a_user_whose_labels_have_no_data_gets_a_message(mini_db_copy: Path, monkeypatch) -> None:
    store = open_store(mini_db_copy, read_only=True)
    users.add_user(store, "newbie", "first-day-pass-1", "viewer", ["Label C"], actor="test")
    monkeypatch.setenv("LABELRADAR_DB", str(mini_db_copy))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    sign_in_catalog(at, "newbie", "first-day-pass-1")
    no_exception(at)
    assert any("No streams match" in i.value for i in at.info)
    assert not at.metric and not at.dataframe


def test_locked_store_gives_a_clear_message(mini_db_copy: Path, monkeypatch) -> None:
    import subprocess
    import sys

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
            "print('locked', flush=True); time.sleep(60)",
            str(mini_db_copy),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        monkeypatch.setenv("LABELRADAR_DB", str(mini_db_copy))
        at = AppTest.from_file(str(MAIN), default_timeout=60).run()
        no_exception(at)
        message = " ".join(e.value for e in at.error)
        assert "in use by another process" in message and "labelradar demo" in message
        assert not at.text_input  # no sign-in form without a store
    finally:
        holder.terminate()
        holder.wait(timeout=10)


def test_admin_sets_labels_role_and_password(admin_app: tuple[AppTest, Path]) -> None:
    at, db = admin_app
    at.selectbox(key="edit_user_name").set_value("viewer_a").run()
    form = "edit_user_viewer_a"
    next(s for s in at.selectbox if s.form_id == form).set_value("manager")
    next(m for m in at.multiselect if m.form_id == form).set_value(["Label B"])
    next(t for t in at.text_input if t.form_id == form).input("fresh-pass-42")
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    no_exception(at)
    assert any("Saved changes" in s.value for s in at.success)
    log = audit.entries(open_store(db, read_only=True), entity="user", entity_id="viewer_a")
    assert list(log["action"])[-1] == "user.update"

    user = AppTest.from_file(str(MAIN), default_timeout=60)
    sign_in(user, "viewer_a", "viewer-pass-1")  # the old password no longer works
    assert any("Wrong username or password" in e.value for e in user.error)
    sign_in_catalog(user, "viewer_a", "fresh-pass-42")
    no_exception(user)
    assert set(top_tracks(user)["label"]) == {"Label B"}


# -- sign-in hardening -----------------------------------------------------------------------
def test_repeated_failures_lock_the_account_for_a_while(mini_db_copy: Path, monkeypatch) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(mini_db_copy))
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    for _ in range(4):
        sign_in(at, "viewer_a", "not-the-password")
        assert [e.value for e in at.error] == [
            "Wrong username or password, or the account is disabled."
        ]
    sign_in(at, "viewer_a", "not-the-password")  # the fifth: wrong, and now locked
    assert len(at.error) == 2 and at.error[1].value.startswith("Too many failed sign-ins.")
    sign_in(at, "viewer_a")  # the right password, refused unchecked
    no_exception(at)
    assert len(at.error) == 1
    assert re.fullmatch(
        r"Too many failed sign-ins\. Try again at \d\d:\d\d:\d\d UTC \(in \d+ s\)\.",
        at.error[0].value,
    )
    assert "lr_user" not in at.session_state and not at.metric

    other = AppTest.from_file(str(MAIN), default_timeout=60)  # another browser: same account
    sign_in(other, "viewer_a")
    assert other.error[0].value.startswith("Too many failed sign-ins.")
    sign_in_catalog(other, "admin")  # that browser itself is not locked out
    no_exception(other)
    assert other.metric
    log = audit.entries(open_store(mini_db_copy, read_only=True), entity="session")
    assert list(log.action).count("session.lockout") == 2  # the name and the browser


def test_admin_is_told_why_a_password_is_refused(admin_app: tuple[AppTest, Path]) -> None:
    at, db = admin_app
    add = {ti.label: ti for ti in at.text_input if ti.form_id == "add_user"}
    add["Username"].input("new.viewer")
    add["Password"].input("Qwerty123!")
    add["Repeat password"].input("Qwerty123!")
    next(ms for ms in at.multiselect if ms.form_id == "add_user").set_value(["Label A"])
    next(b for b in at.button if b.label == "Add user").click()
    at.run()
    no_exception(at)
    assert any("commonly used passwords" in e.value for e in at.error)
    assert users.get_user(open_store(db, read_only=True), "new.viewer") is None

    at.selectbox(key="edit_user_name").set_value("viewer_a").run()
    form = "edit_user_viewer_a"
    next(t for t in at.text_input if t.form_id == form).input("viewer_a-2026")
    next(b for b in at.button if b.label == "Save changes").click()
    at.run()
    no_exception(at)
    assert any("must not contain the user name" in e.value for e in at.error)
