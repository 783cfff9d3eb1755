"""Hostile text for the "text never becomes markup" tests: a corpus, a store that carries it
in every name a page shows, and checks that tell live markup from escaped text.

The checks model how Streamlit turns a markdown string into a page: CommonMark with
backslash escapes, then transforms that run on the parsed text (escapes already removed):
emoji and icon shortcodes, GFM autolinks of URLs and e-mail addresses. A check must flag
the raw corpus (tests/app/test_safe_text.py shows it does) and pass its escaped form.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from data import rollups
from data.scope import Scope
from data.store import open_store
from tests.support.tiny_demo import private_copy, shared_build

EVIL_HOST = "evil.example"
TRAP_HOST = "127.0.0.1:9"  # nothing listens there: a request to it means an image loaded

PHISHING_LINK = (
    f"[Session expired - sign in again](https://{EVIL_HOST}/login) ![t](http://{TRAP_HOST}/p.png)"
)
APPROVE_NOW = (
    f":red[**APPROVE NOW**] [approve](https://{EVIL_HOST}/ok) ![i](http://{TRAP_HOST}/i.png)"
)

CORPUS: tuple[str, ...] = (
    PHISHING_LINK,
    APPROVE_NOW,
    ":smile: :material/home: :streamlit: :+1: :blue-badge[VIP]",
    f'<img src=http://{TRAP_HOST}/x.png> <a href="https://{EVIL_HOST}/a">click</a>',
    "<script>alert(1)</script><b>bold</b>",
    r"Back\slash \*not bold\* C:\Users\x \[x\]",
    "$E = mc^2$ and $$x$$ for $5",
    f"https://{EVIL_HOST}/raw www.{EVIL_HOST} mail@{EVIL_HOST}",
    "abc\u202egnp.exe done \u2067rtl",
    "# Heading\n\n> quote\n- item\n\n    indented code",
    '=HYPERLINK("https://evil.example/x","Click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    " =1+2",
    "a -> b <- c -- d >= e ~= f",
    "Q" * 600,  # a very long name
    "100% {streams_text} %{x} %{meta} |col|",
)

# One value per kind of string, where a store has fewer rows than the corpus.
LABEL = f"[Label](https://{EVIL_HOST}/label) :red[Records] <b>L</b>"
NOTE = f"{APPROVE_NOW} {PHISHING_LINK}"
RETURN_NOTE = (
    f"Please fix :material/warning: <img src=http://{TRAP_HOST}/n.png> [here](https://{EVIL_HOST})"
)

# Query parameters of a crafted link (the reflected case: budget hand-off and filters).
TERRITORIES = f"US,ZZ,{PHISHING_LINK}"  # ZZ: well-formed, no data


def hostile_query_params(isrc: str) -> dict[str, str]:
    return {
        "track": isrc,
        "goal": "expand",
        "territories": TERRITORIES,
        "label": LABEL,
        "artist": PHISHING_LINK,
        "country": f"US,{APPROVE_NOW}",
        "from": PHISHING_LINK,
    }


def plant(path: Path) -> None:
    """Put the corpus into a demo store: artist names, track titles, one label (and who
    sees it) and playlist ids. Ids are left alone, so the batch job results still join."""
    with open_store(path) as store:
        cur = store.cursor()
        cur.execute("BEGIN TRANSACTION")
        artists = [
            r[0]
            for r in cur.execute("SELECT DISTINCT artist_id FROM catalog ORDER BY 1").fetchall()
        ]
        for i, artist_id in enumerate(artists):
            cur.execute(
                "UPDATE catalog SET artist_name = ? WHERE artist_id = ?",
                [CORPUS[i % len(CORPUS)], artist_id],
            )
        tracks = [r[0] for r in cur.execute("SELECT isrc FROM catalog ORDER BY 1").fetchall()]
        for i, isrc in enumerate(tracks):
            cur.execute(
                "UPDATE catalog SET track_title = ? WHERE isrc = ?",
                [CORPUS[(i + 1) % len(CORPUS)], isrc],
            )
        first = cur.execute("SELECT min(label) FROM catalog").fetchone()[0]
        cur.execute("UPDATE catalog SET label = ? WHERE label = ?", [LABEL, first])
        rollups.sync_catalog(cur)  # as a catalog load does: the rollups carry the label
        with store.state.transaction() as tx:
            tx.execute("UPDATE user_labels SET label = ? WHERE label = ?", [LABEL, first])
        cur.execute(
            "CREATE TEMP TABLE hostile_playlists AS SELECT playlist_id AS old, "
            "dense_rank() OVER (ORDER BY playlist_id) - 1 AS n FROM "
            "(SELECT DISTINCT playlist_id FROM trend_facts WHERE playlist_id IS NOT NULL)"
        )
        cur.execute(
            "UPDATE trend_facts SET playlist_id = ? || ' #' || CAST(h.n AS VARCHAR) "
            "FROM hostile_playlists h WHERE trend_facts.playlist_id = h.old AND h.n % 2 = 0",
            [CORPUS[0]],
        )
        cur.execute(
            "UPDATE trend_facts SET playlist_id = ? || ' #' || CAST(h.n AS VARCHAR) "
            "FROM hostile_playlists h WHERE trend_facts.playlist_id = h.old AND h.n % 2 = 1",
            [APPROVE_NOW],
        )
        cur.execute("COMMIT")


def add_proposals(path: Path) -> None:
    """Proposals with hostile notes, awaiting the admin's review (and one sent back)."""
    from data.workflow import budget as bp

    with open_store(path) as store:
        cur = store.cursor()
        rows = store.state.read(
            "SELECT u.username, l.label FROM users u JOIN user_labels l "
            "ON l.username = u.username WHERE u.role = 'manager' ORDER BY 1, 2"
        )
        by_user: dict[str, list[str]] = {}
        for name, label in rows:
            by_user.setdefault(name, []).append(label)
        managers = list(by_user.items())
        plan = [
            {"country": "US", "usd": 100.0, "include": True, "groups": [APPROVE_NOW],
             "artists": [PHISHING_LINK], "genres": [CORPUS[10]]},
        ]  # fmt: skip
        ids = []
        for username, labels in managers:
            isrc = cur.execute(
                "SELECT b.isrc FROM budget_assets b JOIN catalog c USING (isrc) "
                "WHERE c.label IN (SELECT unnest(?)) AND b.in_model ORDER BY 1 LIMIT 1",
                [labels],
            ).fetchone()[0]
            scope = Scope(username=username, role="manager", labels=frozenset(labels))
            ids.append(
                bp.submit(
                    store, scope, isrc=isrc, goal="expand", total_usd=500.0, plan=plan, comment=NOTE
                )  # fmt: skip
            )
        admin_labels = frozenset(
            r[0] for r in cur.execute("SELECT DISTINCT label FROM catalog").fetchall()
        )
        admin = Scope(username="admin", role="admin", labels=admin_labels)
        bp.decide(store, admin, ids[0], "return", RETURN_NOTE)


def build_hostile_store(factory: pytest.TempPathFactory, path: Path) -> Path:
    """A private copy at `path` of the tiny demo store with the corpus planted, every batch
    job run on it, and proposals with hostile notes (built once per test session)."""
    return private_copy(shared_build(factory, "hostile-text", _build_hostile), path)


def _build_hostile(path: Path) -> None:
    from app.jobs import run_jobs
    from data.synth import build_demo_store

    build_demo_store(path, size="tiny", seed=0, out_dir=path.parent / "files")
    plant(path)
    with open_store(path) as store:
        run_jobs(store)
    add_proposals(path)


# -- checks ---------------------------------------------------------------------------------
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
# Markdown constructs, looked for in the source with escapes and code spans masked.
_SOURCE_MARKUP = {
    "link or image": re.compile(r"\]\("),
    "image": re.compile(r"!\["),
    "html tag": re.compile(r"<[A-Za-z/!?]"),
    "autolink": re.compile(r"<[A-Za-z][A-Za-z0-9+.-]*:"),
    "directive": re.compile(r":[A-Za-z][\w-]*\["),
    "math": re.compile(r"\$[^$\s][^$]*\$"),
    "heading": re.compile(r"(?m)^ {0,3}#{1,6}(\s|$)"),
    "block quote": re.compile(r"(?m)^ {0,3}>"),
    "code block": re.compile(r"(?m)^ {4,}\S"),
}
# Streamlit's transforms of the parsed text (after escapes are resolved).
_TEXT_MARKUP = {
    "shortcode": re.compile(r":[\w+-][\w+-]*:"),
    "url": re.compile(r"(?i)https?://|www\."),
    "e-mail": re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"),
}


def live_markup(source: str) -> list[str]:
    """What in a markdown string Streamlit would render as markup rather than text.

    App-authored bold, code spans and list markers are allowed; links, images, HTML,
    directives, math, shortcodes, URLs and e-mail addresses are not (the app writes
    none in markdown, so any of them came from data)."""
    masked = _CODE_SPAN.sub("§", _ESCAPED.sub("§", source))
    found = [name for name, rx in _SOURCE_MARKUP.items() if rx.search(masked)]
    text = _ESCAPED.sub(lambda m: m.group(0)[1], _CODE_SPAN.sub("§", source))
    found += [name for name, rx in _TEXT_MARKUP.items() if rx.search(text)]
    return found


_PLOTLY_TAG = re.compile(r"<(/?)(\w+)")
_PLOTLY_FIELD = re.compile(r"%\{([^}]*)\}")
ALLOWED_PLOTLY_TAGS = {"br", "extra"}  # the hover templates' own


def plotly_markup(figure: dict[str, Any]) -> list[str]:
    """Tags other than the templates' own <br>/<extra>, placeholders that are not the
    templates' own fields, and strings plotly would typeset as LaTeX, in a figure spec."""
    found = []
    for text in _strings(figure):
        found += [
            f"tag <{t}>" for _, t in _PLOTLY_TAG.findall(text) if t not in ALLOWED_PLOTLY_TAGS
        ]
        found += [
            f"placeholder %{{{f}}}"
            for f in _PLOTLY_FIELD.findall(text)
            if not re.fullmatch(r"(x|y|z|text|customdata\[\d\])(\|[^}]*|:[^}]*)?", f)
        ]
        if re.search(r"\$[^$]+\$", text):
            found.append("latex")
    return found


def _strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v)]
    return []


def deck_tooltip_modes(tooltip_json: str) -> set[str]:
    """The tooltip kinds ("text", "html") of a pydeck chart's tooltip (as sent to the
    browser: the DeckGlJsonChart element's `tooltip` field)."""
    return set((json.loads(tooltip_json or "{}") or {}).keys())
