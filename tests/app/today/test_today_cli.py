"""`labelradar opportunities` on the tiny demo store (SYNTHETIC): the promised keys, the
ranking's order and a user's scope."""

from __future__ import annotations

import json
from pathlib import Path

from app.cli import main
from app.today.cli import ROW_KEYS
from data.queries import today as today_queries
from data.scope import Scope
from data.store import open_store


def _answer(demo_db: Path, capsys, *extra: str) -> dict:
    capsys.readouterr()
    assert main(["opportunities", "--db", str(demo_db), "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def _label_of(demo_db: Path) -> dict[str, str]:
    """The label of every track and artist id."""
    with open_store(demo_db, read_only=True) as store:
        rows = store.cursor().execute("SELECT isrc, artist_id, label FROM catalog").fetchall()
    return {i: lab for i, _, lab in rows} | {a: lab for _, a, lab in rows}


def test_opportunities_print_the_promised_row_keys_best_first(demo_db: Path, capsys) -> None:
    out = _answer(demo_db, capsys, "--top", "7")
    rows = out["opportunities"]
    assert len(rows) == 7
    assert all(tuple(r) == ROW_KEYS for r in rows)
    assert all(r["low"] <= r["expected_streams"] <= r["high"] for r in rows)
    per_dollar = [r["expected_streams"] / r["cost_usd"] for r in rows]
    # rounded to 0.1: the order is the ranking's, best return per dollar first
    assert all(a >= b * 0.99 for a, b in zip(per_dollar, per_dollar[1:], strict=False))
    assert all(r["reason"].endswith(".") and "$" in r["reason"] for r in rows)


def test_as_a_manager_only_their_labels(demo_db: Path, capsys) -> None:
    every = _answer(demo_db, capsys, "--top", "1000")["opportunities"]
    nora = _answer(demo_db, capsys, "--top", "1000", "--as", "nora")["opportunities"]
    admin = _answer(demo_db, capsys, "--top", "1000", "--as", "admin")["opportunities"]
    label = _label_of(demo_db)
    first = sorted(set(label.values()))[0]  # nora manages the first label of the demo
    assert admin == every  # an administrator sees every label
    assert nora == [r for r in every if label[r["id"]] == first]
    assert 0 < len(nora) < len(every)


def test_unknown_user_and_bad_top_are_one_line_errors(demo_db: Path, capsys) -> None:
    assert main(["opportunities", "--db", str(demo_db), "--as", "nobody"]) == 1
    assert "no active user 'nobody'" in capsys.readouterr().err
    assert main(["opportunities", "--db", str(demo_db), "--top", "0"]) == 1
    assert "--top must be at least 1" in capsys.readouterr().err


def test_a_managers_ranks_count_only_their_labels(demo_db: Path) -> None:
    """The ranks a manager sees are 1, 2, 3 ... in the ranking's order: the ranking's own
    numbers would show, by their gaps, how many of other labels' opportunities rank
    between."""
    label = _label_of(demo_db)
    first = sorted(set(label.values()))[0]
    with open_store(demo_db, read_only=True) as store:
        every = today_queries.opportunities(
            store, Scope("admin", "admin", frozenset(label.values()))
        )
        mine = today_queries.opportunities(store, Scope("nora", "manager", frozenset({first})))
        top = today_queries.opportunities(
            store, Scope("nora", "manager", frozenset({first})), top=3
        )
    assert every["rank"].tolist() == list(range(1, len(every) + 1))
    theirs = every[every.label == first]
    assert theirs["rank"].tolist() != list(range(1, len(theirs) + 1))  # gaps in the whole ranking
    assert mine["rank"].tolist() == list(range(1, len(mine) + 1))
    assert mine["id"].tolist() == theirs["id"].tolist()  # same order
    assert mine["action"].tolist() == theirs["action"].tolist()
    assert top["rank"].tolist() == [1, 2, 3]
