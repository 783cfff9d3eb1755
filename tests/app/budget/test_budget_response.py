"""Response curves and the optimiser end to end on the tiny demo store: the budget job fits
them from a STAND-IN campaign_lift (planted truth + noise, tests/support/campaign_lift.py),
`labelradar response` / `optimise`, the page's plan-vs-optimiser view, and stores without
measured lifts (nothing persisted, one clear message)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.budget import job
from app.budget import response as br
from app.cli import main
from data.backup import copy_store
from data.store import open_store
from tests.support import campaign_lift
from tests.support.apptest import open_page

BUDGET = "../pages/budget.py"


def _quiet(stage: str, fraction: float) -> None:
    return None


@pytest.fixture(scope="module")
def curved_db(demo_db: Path, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("budget-response") / "store.duckdb"
    copy_store(demo_db, path)
    with open_store(path, read_only=True) as store:
        files = Path(store.get_meta("demo_files"))
    assert campaign_lift.plant(path, files) > 0
    with open_store(path) as store:
        summary = job.run(store, _quiet)
    assert summary["response_territories"] > 0
    return path


@pytest.fixture(scope="module")
def plain_db(demo_db: Path, tmp_path_factory) -> Path:
    """The tiny store as if no campaign had a measured lift: the budget job persists no
    curves."""
    path = tmp_path_factory.mktemp("budget-no-lift") / "store.duckdb"
    copy_store(demo_db, path)
    with open_store(path) as store:
        with store.transaction() as cur:
            cur.execute("DELETE FROM campaign_lift")
        job.run(store, _quiet)
    return path


def _isrc(db: Path) -> str:
    with open_store(db, read_only=True) as store:
        return (
            store.cursor()
            .execute(
                "SELECT b.isrc FROM budget_assets b JOIN budget_track_country t USING (isrc) "
                "WHERE b.in_model GROUP BY b.isrc ORDER BY sum(t.streams_28d) DESC LIMIT 1"
            )
            .fetchone()[0]
        )


def test_job_persists_a_curve_per_territory(curved_db: Path) -> None:
    with open_store(curved_db, read_only=True) as store:
        cur = store.cursor()
        fitted = dict(cur.execute(
            "SELECT country, n_campaigns FROM territory_response WHERE n_campaigns > 0"
        ).fetchall())  # fmt: skip
        # the planted dead channel ('other': no effect) does not shape the curves
        planted = dict(cur.execute(
            "SELECT country, count(*) FROM campaign_lift WHERE platform <> 'other' GROUP BY 1"
        ).fetchall())  # fmt: skip
        bad = cur.execute(
            "SELECT count(*) FROM territory_response WHERE cap_usd <> plateau_usd "
            "OR plateau_usd <= half_saturation_usd OR len(ceiling_draws) <> 200"
        ).fetchone()[0]
    assert fitted == planted
    assert bad == 0


def test_response_and_optimise_json(curved_db: Path, capsys) -> None:
    isrc = _isrc(curved_db)
    assert main(["response", "--isrc", isrc, "--json", "--db", str(curved_db)]) == 0
    rows = json.loads(capsys.readouterr().out)["territories"]
    assert rows and set(rows[0]) == {
        "country", "ceiling_streams", "half_saturation_usd", "plateau_usd", "cap_usd",
        "n_campaigns",
    }  # fmt: skip
    assert all(r["plateau_usd"] > r["half_saturation_usd"] > 0 for r in rows)
    argv = ["optimise", "--isrc", isrc, "--budget", "3000", "--json", "--db", str(curved_db)]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    spent = sum(r["spend_usd"] for r in out["allocation"])
    assert 0 < spent <= 3000.0 + 1e-6
    t = out["expected_total"]
    assert t["low"] <= t["p50"] <= t["high"]
    assert t["p50"] == pytest.approx(sum(r["expected_streams"] for r in out["allocation"]), rel=0.2)


def test_errors_are_one_line(curved_db: Path, plain_db: Path, capsys) -> None:
    assert main(["response", "--isrc", "ZZ0000000000", "--db", str(curved_db)]) == 1
    assert "unknown ISRC" in capsys.readouterr().err
    isrc = _isrc(curved_db)
    for bad in ("-5", "inf", "nan"):
        argv = ["optimise", "--isrc", isrc, "--budget", bad, "--db", str(curved_db)]
        assert main(argv) == 1
        assert "--budget must be a positive, finite number" in capsys.readouterr().err
    # a budget the territories' caps cannot absorb: the caps' worth, the rest said unspent
    big = ["optimise", "--isrc", isrc, "--budget", "1e9", "--db", str(curved_db)]
    assert main(big) == 0
    out = capsys.readouterr().out
    assert "left unspent" in out and " 0 incremental streams" not in out
    # a store without measured lifts: the job persisted no curves, the CLI says so
    plain = plain_db
    with open_store(plain, read_only=True) as store:
        assert store.cursor().execute("SELECT count(*) FROM territory_response").fetchone()[0] == 0
    for cmd in (["response"], ["optimise", "--budget", "1000"]):
        assert main([*cmd, "--isrc", isrc, "--db", str(plain)]) == 1
        err = capsys.readouterr().err
        assert br.NO_CURVES in err and "Traceback" not in err and err.count("\n") == 1


def test_page_compares_your_plan_with_the_optimiser(curved_db: Path, monkeypatch) -> None:
    at = open_page(curved_db, monkeypatch, "nora", BUDGET)
    assert "Your plan vs the optimiser's" in [s.value for s in at.subheader]
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Your plan vs the optimiser" in t for t in titles)
    assert any("Response curves per territory" in t for t in titles)
    assert not at.info or all("No campaign outcomes" not in i.value for i in at.info)


def test_page_without_outcomes_says_so(plain_db: Path, monkeypatch) -> None:
    at = open_page(plain_db, monkeypatch, "nora", BUDGET)
    assert any("No campaign outcomes yet" in i.value for i in at.info)
