"""Labels named on the command line (`users`, `sso map`), checked against the catalog."""

from __future__ import annotations

import unicodedata

from app.cli.support import CliError
from data.store import Store

NEW_LABEL_HELP = "allow --labels not in the catalog yet (a label whose first delivery is to come)"


def _form(label: str) -> str:
    return unicodedata.normalize("NFC", label)


def catalog_labels(store: Store, wanted: list[str], *, new_label: bool) -> list[str]:
    """`wanted` spelt as the catalog spells them. A label is matched by its text, however its
    accents are encoded (a typed "Música" may be composed differently from the catalog's);
    one the catalog does not hold is refused, naming the nearest by case, unless `new_label`:
    a mistyped label would give the account access to nothing, silently."""
    from data.queries import catalog as catalog_queries
    from data.queries import operator_scope

    known = catalog_queries.labels(store, operator_scope(store))["label"].tolist()
    by_text = {_form(k): k for k in known}
    by_case = {_form(k).casefold(): k for k in known}
    out, unknown = [], []
    for label in wanted:
        match = by_text.get(_form(label))
        if match is None and not new_label:
            unknown.append(label)
        out.append(match or _form(label))
    if unknown:
        hints = [by_case[_form(u).casefold()] for u in unknown if _form(u).casefold() in by_case]
        names = ", ".join(repr(u) for u in unknown)
        hint = f"; did you mean {', '.join(repr(h) for h in hints)}?" if hints else ""
        listed = ", ".join(known[:10]) + (" ..." if len(known) > 10 else "") or "none yet"
        raise CliError(
            f"no label {names} in the catalog{hint} (labels: {listed}). Pass --new-label "
            "for a label whose first delivery is still to come"
        )
    return out
