"""The app with single sign-on configured (AppTest seeds st.user as the provider would):
sign-in page, mapped groups, the no-access page, re-checks on every run, sign-out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app import sso
from data import audit
from data import sso as sso_data
from data.store import open_store

MAIN = Path(__file__).resolve().parents[2] / "app" / "main.py"
SECRETS = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "a-long-random-secret-for-tests",
        "acme": {
            "client_id": "label-radar",
            "client_secret": "s3cret",
            "server_metadata_url": "https://id.acme.test/.well-known/openid-configuration",
        },
    },
    "sso": {"names": {"acme": "Acme ID"}},
}
ANN = {
    "is_logged_in": True,
    "provider": "acme",
    "email": "ann@acme.test",
    "iat": 1_900_000_000,
    "groups": ["lr-label-a", "staff"],
}


@pytest.fixture
def db(mini_db_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LABELRADAR_DB", str(mini_db_copy))
    with open_store(mini_db_copy, read_only=True) as store:
        sso_data.map_group(store, "lr-label-a", "viewer", ["Label A"], actor="test")
    return mini_db_copy


def app(user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(MAIN), default_timeout=60)
    at.secrets = SECRETS
    if user is not None:
        at.user = dict(user)
    return at


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def label_options(at: AppTest) -> list[str]:
    return list(next(ms for ms in at.sidebar.multiselect if ms.label == "Label").options)


def session_log(db: Path) -> list[tuple[str, str]]:
    """(actor, action) of the SSO users' session entries (the copied store has others)."""
    store = open_store(db, read_only=True)  # the published store, as the app reads it
    log = audit.entries(store, entity="session")
    log = log[log["actor"].str.endswith("@acme.test")]
    return list(zip(log["actor"], log["action"], strict=True))


def test_sign_in_page_offers_the_provider_beside_the_form(db: Path) -> None:
    at = app().run()
    no_exception(at)
    assert [b.label for b in at.button] == ["Sign in with Acme ID", "Sign in"]
    assert [ti.label for ti in at.text_input] == ["Username", "Password"]


def test_mapped_groups_give_a_scoped_session(db: Path) -> None:
    at = app(ANN).run()
    no_exception(at)
    assert not [ti for ti in at.text_input if ti.label == "Password"]  # signed in, not the form
    assert label_options(at) == ["Label A"]
    assert any(  # safe_text puts an invisible word joiner after "@" (no mailto autolink)
        "ann@acme.test" in c.value.replace("\u2060", "") and "single sign-on" in c.value
        for c in at.caption
    )
    at.run()  # a rerun is not a new sign-in
    assert session_log(db) == [("ann@acme.test", "session.sign_in")]


def test_unmapped_user_sees_the_no_access_page_audited_once(db: Path) -> None:
    at = app({**ANN, "email": "bob@acme.test", "groups": ["staff"]}).run()
    no_exception(at)
    assert not at.metric and not at.text_input
    assert any(sso.NO_ACCESS in w.value for w in at.warning)
    assert any(
        "bob@acme.test" in m.value.replace("\u2060", "") and "`staff`" in m.value
        for m in at.markdown
    )
    at.run()
    app({**ANN, "email": "bob@acme.test", "groups": ["staff"]}).run()  # a reload
    assert session_log(db) == [("bob@acme.test", "session.sign_in_denied")]


def test_mapping_changes_apply_on_the_next_run_and_unmapping_signs_out(db: Path) -> None:
    at = app(ANN).run()
    assert label_options(at) == ["Label A"]
    store = open_store(db, read_only=True)
    sso_data.map_group(store, "lr-label-a", "viewer", ["Label B"], actor="test")
    at.run()
    no_exception(at)
    assert label_options(at) == ["Label B"]

    sso_data.unmap_group(store, "lr-label-a", actor="test")
    at.run()
    no_exception(at)
    assert not at.metric and not at.sidebar.multiselect
    assert any(sso.REVOKED in i.value for i in at.info)
    assert any(sso.NO_ACCESS in w.value for w in at.warning)
    assert session_log(db) == [
        ("ann@acme.test", "session.sign_in"),
        ("ann@acme.test", "session.access_revoked"),
    ]
    revoked = audit.entries(store, entity="session").iloc[-1]
    assert json.loads(revoked["after"])["groups"] == ["lr-label-a", "staff"]


def test_sign_out_ends_the_provider_identity(db: Path) -> None:
    at = app(ANN).run()
    next(b for b in at.sidebar.button if b.label == "Sign out").click()
    at.run()
    no_exception(at)
    assert at.user == {"is_logged_in": False}  # st.logout cleared st.user
    assert not at.metric
    assert [b.label for b in at.button] == ["Sign in with Acme ID", "Sign in"]


def test_local_accounts_still_sign_in_beside_sso(db: Path) -> None:
    at = app().run()
    fields = {ti.label: ti for ti in at.text_input}
    fields["Username"].input("viewer_a")
    fields["Password"].input("viewer-pass-1")
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    no_exception(at)
    assert label_options(at) == ["Label A"]
    assert not any("single sign-on" in c.value for c in at.caption)
