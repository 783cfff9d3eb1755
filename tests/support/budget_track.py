"""The track the Territory budgets page tests open: a modelled track of nora's label."""

from __future__ import annotations

from pathlib import Path

from data.store import open_store


def nora_modelled_track(db: Path) -> dict[str, str]:
    """{"isrc", "label"}: the first track (by ISRC) of nora's first label that the budget
    model scored."""
    with open_store(db, read_only=True) as s:
        cur = s.cursor()
        label = s.state.read(
            "SELECT label FROM user_labels WHERE username = 'nora' ORDER BY label LIMIT 1"
        )[0][0]
        isrc = cur.execute(
            "SELECT b.isrc FROM budget_assets b JOIN catalog c USING (isrc) WHERE c.label = ? "
            "AND b.in_model ORDER BY b.isrc LIMIT 1",
            [label],
        ).fetchone()[0]
    return {"isrc": isrc, "label": label}
