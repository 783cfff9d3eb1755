"""Every page renders for users who see both labels of an artist split across them, and for a
user of one of the labels, on the SYNTHETIC split-artist store."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from app.features import FEATURES
from data.synth import DEMO_PASSWORDS
from tests.app.test_app import MAIN, no_exception, sign_in
from tests.support.split_artist import SplitStore, build_split_store


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> SplitStore:
    return build_split_store(
        tmp_path_factory, tmp_path_factory.mktemp("split-pages") / "split.duckdb"
    )


@pytest.mark.parametrize("user", ["admin", "vera", "nora", "hugo"])
def test_every_page_renders_on_the_split_store(
    user: str, split: SplitStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(split.path))
    at = AppTest.from_file(str(MAIN), default_timeout=90)
    sign_in(at, user, DEMO_PASSWORDS[user])
    no_exception(at)
    role = at.session_state["lr_user"].role
    for feature in (f for f in FEATURES if role in f.roles):
        at.switch_page(f"../pages/{feature.page_file}").run()
        no_exception(at)
