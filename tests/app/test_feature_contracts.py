"""Contract tests over the feature registry (app/features.py), in the style of scikit-learn's
common estimator checks: every registered feature gets them by being registered.

- a batch job writes its model_runs row in the same transaction as its results;
- a feature page with a model shows the model-run header;
- each subcommand prints the keys its --json promises;
- a feature's query module registers only scoped queries, and its own page exists.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from app.cli import main
from app.features import FEATURES, Feature, with_cli, with_jobs
from app.jobs import load_jobs
from data.backup import copy_store
from data.queries import SCOPED_QUERIES, all_queries
from data.results import runs
from data.store import open_store
from data.synth import DEMO_PASSWORDS
from tests.app.test_app import MAIN, no_exception, sign_in

ROOT = Path(__file__).resolve().parents[2]


def _ids(features: tuple[Feature, ...]) -> list[str]:
    return [f.name for f in features]


def _checksums(db: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-free hash of every table's rows."""
    with open_store(db, read_only=True) as store:
        cur = store.cursor()
        tables = [
            r[0]
            for r in cur.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = 'main' AND table_type = 'BASE TABLE' ORDER BY 1"
            ).fetchall()
        ]
        return {
            t: tuple(
                cur.execute(f"SELECT count(*), coalesce(sum(hash(x)), 0) FROM {t} x").fetchone()
            )
            for t in tables
        }


@pytest.fixture
def store_copy(demo_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "contract.duckdb"
    copy_store(demo_db, target)
    return target


# -- registry shape ---------------------------------------------------------------------------
def test_every_feature_has_its_places() -> None:
    for f in FEATURES:
        assert (ROOT / "pages" / f.page_file).exists(), f.name
        assert (ROOT / "app" / f.name / "__init__.py").exists(), f.name
    assert _ids(with_jobs()) == list(load_jobs())


# -- batch jobs -------------------------------------------------------------------------------
@pytest.mark.parametrize("feature", with_jobs(), ids=_ids(with_jobs()))
def test_job_records_its_run_in_the_transaction_of_its_results(
    feature: Feature, store_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _checksums(store_copy)
    real = runs.record

    def record_then_fail(*args: Any, **kwargs: Any) -> int:
        real(*args, **kwargs)
        raise RuntimeError("crash right after the run row was written")

    monkeypatch.setattr(runs, "record", record_then_fail)
    with open_store(store_copy) as store, pytest.raises(RuntimeError, match="crash right after"):
        feature.job_module().run(store, lambda stage, fraction: None)
    # Neither the run row nor any result survived: they were one transaction. (That every
    # job records its run when nothing fails: tests/app/test_cli.py, the refresh of all jobs.)
    assert _checksums(store_copy) == before


# -- pages ------------------------------------------------------------------------------------
@pytest.mark.parametrize("feature", with_jobs(), ids=_ids(with_jobs()))
def test_page_shows_the_model_run_header(
    feature: Feature, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABELRADAR_DB", str(demo_db))
    at = AppTest.from_file(str(MAIN), default_timeout=90)
    sign_in(at, "admin", DEMO_PASSWORDS["admin"])
    at.switch_page(f"../pages/{feature.page_file}").run()
    no_exception(at)
    captions = [c.value for c in at.caption]
    assert any(" computed " in c and " UTC" in c for c in captions), captions


# -- command line -----------------------------------------------------------------------------
def _cli_cases() -> list[tuple[str, str, tuple[str, ...]]]:
    cases = []
    for f in with_cli():
        module = f.cli_module()
        for command, keys in getattr(module, "JSON_KEYS", {"(missing JSON_KEYS)": ()}).items():
            cases.append((f.name, command, tuple(keys)))
    return cases


@pytest.mark.parametrize("feature,command,keys", _cli_cases())
def test_json_prints_the_promised_keys(
    feature: str, command: str, keys: tuple[str, ...], demo_db: Path, tmp_path: Path, capsys
) -> None:
    db = tmp_path / "cli.duckdb"
    copy_store(demo_db, db)
    with open_store(db, read_only=True) as store:
        artist, isrc = (
            store.cursor()
            .execute("SELECT artist_id, isrc FROM catalog ORDER BY artist_id, isrc LIMIT 1")
            .fetchone()
        )
    module = importlib.import_module(f"app.{feature}.cli")
    argv = [a.format(artist_id=artist, isrc=isrc) for a in module.EXAMPLE_ARGS.get(command, [])]
    capsys.readouterr()
    assert main([command, *argv, "--db", str(db), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(keys) <= set(out), (command, sorted(out))


# -- scoped queries ---------------------------------------------------------------------------
@pytest.mark.parametrize("feature", FEATURES, ids=_ids(FEATURES))
def test_query_module_registers_only_scoped_queries(feature: Feature) -> None:
    all_queries()
    try:
        module = importlib.import_module(f"data.queries.{feature.name}")
    except ModuleNotFoundError:
        pytest.skip(f"{feature.name} reads no catalog data of its own")
    public = [
        fn
        for name, fn in vars(module).items()
        if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not name.startswith("_")
    ]
    assert public, f"data/queries/{feature.name}.py has no queries"
    for fn in public:
        assert SCOPED_QUERIES.get(fn.__name__) is fn, f"{fn.__name__} is not @scoped"
        params = list(inspect.signature(fn).parameters)
        assert params[:2] == ["store", "scope"], (fn.__name__, params)
