"""Shared fixtures: a hand-made tiny store (fast, known answers) and the generated tiny demo.

`mini_db`      session-scoped path to a small store built with SQL: two labels, three
               artists, five tracks, three countries, 60 days, four accounts (USERS).
`mini_db_copy` a private copy of it for tests that write (user management).
`demo_db`      session-scoped path to `build_demo_store(size="tiny")`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from data import aggregates, passwords, users
from data.backup import copy_store
from data.store import open_store

# New hashes in tests cost what they did before the OWASP cost (about 40 ms, not 0.4 s);
# tests/data/test_password_hashing.py checks the real default and the upgrade to it.
passwords.HASH_COST = passwords.ScryptCost(n=2**14, r=8, p=1)

ROOT = Path(__file__).resolve().parents[1]

# scripts/test.sh runs the suite under pytest-xdist with --dist loadfile: each test module
# stays on one worker, so module-scoped fixtures and tests that build on an earlier test of
# their module keep working.
BROWSER_DIR = ROOT / "tests" / "browser"


def pytest_itemcollected(item: pytest.Item) -> None:
    """Every test under tests/browser is a browser test."""
    if BROWSER_DIR in Path(str(item.path)).parents:
        item.add_marker(pytest.mark.browser)


# The modules that take 45 s or more (measured with --durations), longest first. xdist hands
# whole modules to its workers in collection order (scripts/test.sh passes
# --no-loadscope-reorder, which stops xdist from putting the modules with the most tests
# first), so these start first and the many short modules fill in at the end, instead of one
# worker running a two-minute browser test alone while the other has finished.
SLOW_FIRST = (
    "tests/app/test_feature_contracts.py",
    "tests/browser/test_hostile_text.py",
    "tests/browser/test_browser_always_on.py",
    "tests/browser/test_browser.py",
    "tests/browser/test_browser_today.py",
    "tests/browser/test_browser_tour.py",
    "tests/app/test_app.py",
    "tests/app/test_cli.py",
    "tests/app/alerts/test_alerts_split_artist.py",
    "tests/browser/test_browser_events.py",
    "tests/app/test_cli_golden.py",
    "tests/data/test_hostile_inputs.py",
    "tests/data/test_validation.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Slow modules first, in SLOW_FIRST's order; every other module and every module's own
    tests keep their order (a stable sort on the module alone)."""
    rank = {name: n for n, name in enumerate(SLOW_FIRST)}

    def module_rank(item: pytest.Item) -> int:
        path = Path(str(item.path)).relative_to(ROOT).as_posix()
        return rank.get(path, len(SLOW_FIRST))

    items.sort(key=module_rank)


# username -> (password, role, labels)
USERS = {
    "admin": ("root-pass-1", "admin", ["Label A", "Label B"]),
    "viewer_a": ("viewer-pass-1", "viewer", ["Label A"]),
    "manager_b": ("manager-pass-1", "manager", ["Label B"]),
    "gone": ("left-pass-1", "viewer", ["Label A"]),  # disabled after creation
}

# isrc, title, artist_id, artist_name, label. Titles carry markup on purpose: it must be
# shown verbatim, never interpreted.
TRACKS = [
    ("QZA000000001", "Aurora Rising", "AR1", "Alpha Aurora", "Label A"),
    ("QZA000000002", "Northern <b>Glow</b>", "AR1", "Alpha Aurora", "Label A"),
    ("QZA000000003", "Brackets & Stars", "AR2", "Zoë & the <Brackets>", "Label A"),
    ("QZB000000001", "Bravo Secret Song", "BR1", "Beta Band", "Label B"),
    ("QZB000000002", "Bravo Hidden Track", "BR1", "Beta Band", "Label B"),
]
COUNTRIES = ("US", "BR", "DE")
DSPS = ("spotify", "apple")
START = dt.date(2025, 1, 1)
DAYS = 60
END = START + dt.timedelta(days=DAYS - 1)


def _fact_rows() -> list[tuple]:
    """Deterministic facts. AR2 streams only in US and BR (so AR2 + DE has no data)."""
    rows = []
    for t_i, (isrc, _title, artist, _name, _label) in enumerate(TRACKS):
        for d in range(DAYS):
            day = START + dt.timedelta(days=d)
            for c_i, country in enumerate(COUNTRIES):
                if artist == "AR2" and country == "DE":
                    continue
                for s_i, dsp in enumerate(DSPS):
                    base = 10 * (t_i + 1) + 3 * c_i + s_i + d // 10
                    # active (search) with a listener id, passive (editorial) without
                    listener = f"L{(t_i + d + c_i) % 7}" if dsp == "spotify" else None
                    rows.append((1, day, dsp, isrc, country, "search", listener, base))
                    rows.append((1, day, dsp, isrc, country, "editorial_playlist", None, base // 2))
    return rows


def build_mini_store(path: Path) -> Path:
    store = open_store(path)
    cur = store.cursor()
    cur.execute("BEGIN TRANSACTION")
    cur.executemany(
        "INSERT INTO catalog (isrc, track_title, artist_id, artist_name, label, genre, "
        "release_date, load_id) VALUES (?, ?, ?, ?, ?, 'pop', DATE '2024-06-01', 1)",
        TRACKS,
    )
    cur.executemany(
        "INSERT INTO trend_facts (load_id, date, dsp, isrc, country, region, age_band, gender, "
        "subscription, device, os, source, playlist_id, listener_id, streams) "
        "VALUES (?, ?, ?, ?, ?, NULL, '25-34', 'female', 'premium', 'mobile', 'ios', ?, NULL, "
        "?, ?)",
        _fact_rows(),
    )
    aggregates.refresh(cur, START, END)
    cur.execute("COMMIT")
    for name, (password, role, labels) in USERS.items():
        users.add_user(store, name, password, role, labels, actor="fixture")
    users.update_user(store, "gone", actor="fixture", disabled=True)
    store.close()
    return path


@pytest.fixture(scope="session")
def mini_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small hand-made store (read it, do not write it: use mini_db_copy to write)."""
    return build_mini_store(tmp_path_factory.mktemp("mini") / "mini.duckdb")


@pytest.fixture
def mini_db_copy(mini_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "mini-copy.duckdb"
    copy_store(mini_db, target)
    return target


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated tiny demo store (synthetic flag, demo accounts) with every batch job
    run: this worker's copy of the session's one build (tests/support/tiny_demo.py)."""
    from tests.support.tiny_demo import tiny_demo_copy

    return tiny_demo_copy(tmp_path_factory, tmp_path_factory.mktemp("demo") / "demo.duckdb")


@pytest.fixture(scope="session")
def pg_cluster():
    """A real PostgreSQL server for this test session (skipped, with the reason, only when
    the server binaries are not installed: `scripts/test.sh` installs them)."""
    from tests.support import postgres

    if postgres.bin_dir() is None:
        pytest.skip("PostgreSQL server binaries missing (apt-get install postgresql)")
    with postgres.running_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_state_url(pg_cluster) -> str:
    """The URL of a fresh, empty PostgreSQL database for one test's workflow state."""
    return pg_cluster.new_database()


@pytest.fixture(scope="session")
def spark_session():
    """The one SparkSession (local[2]) of the test run, shared by every `spark` test."""
    pytest.importorskip("pyspark")
    from data.engine.spark import session

    return session()
