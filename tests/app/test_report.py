"""The stakeholder report: one self-contained HTML page (no external script, style or image),
with its charts' titles, data text escaped, and only what the reader may see."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app import report
from app.cli import main
from data.queries import operator_scope
from data.store import open_store
from data.users import get_user

PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "h1", "h2", "p", "div", "b"}
PAGE_TAGS |= {"span", "section", "table", "thead", "tbody", "tr", "th", "td", "footer", "script"}


class Tags(HTMLParser):
    """Every start tag with its attributes (script bodies are not parsed as markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def assert_self_contained(page: str) -> None:
    tags = tags_of(page)
    assert {t for t, _ in tags} <= PAGE_TAGS, {t for t, _ in tags} - PAGE_TAGS
    assert not [a for _, a in tags if "src" in a or "href" in a]  # nothing loads from outside
    assert page.count("window.PlotlyConfig") == 1  # the library inlined once


def _ids(db: Path, username: str, other: bool) -> tuple[str, str]:
    """An (isrc, artist id) of the user's labels, or of a label the user may not see."""
    with open_store(db, read_only=True) as store:
        user = get_user(store, username)
        assert user is not None
        op = "NOT IN" if other else "IN"
        return (
            store.cursor()
            .execute(
                f"SELECT isrc, artist_id FROM catalog WHERE label {op} (SELECT unnest(?)) "
                "AND artist_id NOT IN (SELECT artist_id FROM catalog WHERE label "
                f"{'IN' if other else 'NOT IN'} (SELECT unnest(?))) ORDER BY 1 LIMIT 1",
                [list(user.labels), list(user.labels)],
            )
            .fetchone()
        )


def test_cli_writes_a_self_contained_track_report(
    demo_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    isrc, _ = _ids(demo_db, "nora", other=False)
    out = tmp_path / "track.html"
    assert main(["report", "--db", str(demo_db), "--track", isrc, "--out", str(out), "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    page = out.read_text(encoding="utf-8")
    assert_self_contained(page)
    assert answer["kind"] == "track" and answer["charts"]
    for title in answer["charts"]:  # each chart's title is in its figure's JSON
        assert json.dumps(title)[1:-1].replace("<", "\\u003c") in page
    for section in ("Top territories", "Fan mix", "Recent alerts", "Territory budgets"):
        assert section in page


def test_as_user_sees_only_their_labels(demo_db: Path, tmp_path: Path, capsys) -> None:
    theirs, their_artist = _ids(demo_db, "nora", other=True)
    out = tmp_path / "x.html"
    for flag, ident in (("--track", theirs), ("--artist", their_artist)):
        code = main(
            ["report", "--db", str(demo_db), flag, ident, "--out", str(out), "--as", "nora"]
        )
        assert code != 0
        assert "in your labels" in capsys.readouterr().err
        assert not out.exists()
    assert main(["report", "--db", str(demo_db), "--track", theirs, "--out", str(out)]) == 0


def test_artist_report_holds_only_the_readers_labels(demo_db: Path) -> None:
    """An artist report for nora lists only nora's labels."""
    _, artist = _ids(demo_db, "nora", other=False)
    with open_store(demo_db, read_only=True) as store:
        nora = get_user(store, "nora")
        assert nora is not None
        built = report.build(store, nora.scope(), artist_id=artist)
        everything = report.build(store, operator_scope(store), artist_id=artist)
    assert set(built.labels) <= set(nora.labels)
    assert built.subject == everything.subject
    assert [s.title for s in built.sections] == [s.title for s in everything.sections]


def test_the_command_prints_only_its_answer(demo_db: Path, tmp_path: Path) -> None:
    """In a fresh process (as a user runs it): Streamlit's "No runtime found" warnings, one
    per cached helper imported outside a served app, are not printed."""
    import subprocess
    import sys

    isrc, _ = _ids(demo_db, "nora", other=False)
    out = tmp_path / "r.html"
    done = subprocess.run(
        [sys.executable, "-m", "app", "report", "--db", str(demo_db), "--track", isrc]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert done.stdout.startswith("Wrote the track report on ")
