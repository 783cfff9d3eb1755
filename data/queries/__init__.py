"""The one scoped query layer: every read of catalog data goes through here.

One module per feature (`data/queries/<feature>.py`). Every public function takes the
signed-in user's `Scope` and restricts rows to its labels in SQL (`label IN (...)` on the
catalog join). Functions are registered with `@scoped`; `all_queries()` imports every module
of this package, so the scoping test calls each of them and checks that no other label's row
comes back. Pages never see a connection.

Public helpers for the feature modules: `scoped`, `joins_state`, `where`, `model_where`,
`fact_where`, `read_df`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from data.scope import Scope
from data.store import Store

F = TypeVar("F", bound=Callable[..., Any])
SCOPED_QUERIES: dict[str, Callable[..., Any]] = {}


STATE_JOINING: set[str] = set()


def scoped(fn: F) -> F:
    """Register a query function: signature (store, scope, ...) and label-restricted.
    Names are unique across the package (the registry and the caches key on them)."""
    key = f"{fn.__module__}.{fn.__qualname__}"
    if fn.__name__ in SCOPED_QUERIES and SCOPED_QUERIES[fn.__name__] is not fn:
        other = SCOPED_QUERIES[fn.__name__]
        if f"{other.__module__}.{other.__qualname__}" != key:
            raise ValueError(f"two scoped queries are named {fn.__name__}")
    SCOPED_QUERIES[fn.__name__] = fn
    return fn


def joins_state(fn: F) -> F:
    """Mark a scoped query that joins workflow state (read_df(..., state=...)). Its cached
    answers are keyed on the state database's newest audit entry too (app/services.py):
    another app instance's write must show at this one's next rerun, not after the TTL."""
    STATE_JOINING.add(fn.__name__)
    return fn


def reads_state(fn: Callable[..., Any]) -> bool:
    """True for a query marked with @joins_state."""
    return getattr(fn, "__name__", "") in STATE_JOINING


def is_scoped(fn: Callable[..., Any]) -> bool:
    """True for a function registered with @scoped (the only kind a page may run)."""
    return SCOPED_QUERIES.get(getattr(fn, "__name__", "")) is fn


def all_queries() -> dict[str, Callable[..., Any]]:
    """Import every query module of this package and return the complete registry."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return SCOPED_QUERIES


@dataclass(frozen=True)
class Filters:
    """The sidebar filters shared by every page. Empty tuple / None means 'all'."""

    labels: tuple[str, ...] = ()
    artist_ids: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    countries: tuple[str, ...] = field(default_factory=tuple)


def where(
    scope: Scope,
    filters: Filters | None,
    *,
    catalog_alias: str = "c",
    fact_alias: str | None = None,
    date_col: str = "date",
) -> tuple[str, list[Any]]:
    """SQL condition and parameters for the scope and filters.

    The label condition is always present: an empty scope yields `false`, never 'all'.
    """
    filters = filters or Filters()
    labels = scope.restrict(filters.labels)
    if not labels:
        return "false", []
    c = catalog_alias
    parts = [f"{c}.label IN ({', '.join('?' * len(labels))})"]
    params: list[Any] = list(labels)
    if filters.artist_ids:
        parts.append(f"{c}.artist_id IN ({', '.join('?' * len(filters.artist_ids))})")
        params += list(filters.artist_ids)
    if fact_alias is not None:
        f_cond, f_params = fact_where(filters, fact_alias, date_col=date_col)
        if f_params:
            parts.append(f_cond)
            params += f_params
    return " AND ".join(parts), params


def fact_where(
    filters: Filters | None, fact_alias: str, *, date_col: str = "date"
) -> tuple[str, list[Any]]:
    """The date and country filters alone, on table alias `fact_alias` ("TRUE" when none).
    Not a scope: only for a read whose label restriction comes from `where` another way."""
    filters = filters or Filters()
    f = fact_alias
    parts: list[str] = []
    params: list[Any] = []
    if filters.date_from is not None:
        parts.append(f"{f}.{date_col} >= ?")
        params.append(filters.date_from)
    if filters.date_to is not None:
        parts.append(f"{f}.{date_col} <= ?")
        params.append(filters.date_to)
    if filters.countries:
        parts.append(f"{f}.country IN ({', '.join('?' * len(filters.countries))})")
        params += list(filters.countries)
    return " AND ".join(parts) or "TRUE", params


def model_where(
    scope: Scope, filters: Filters | None, *, catalog_alias: str = "c"
) -> tuple[str, list[Any]]:
    """The scope plus only the label and artist filters: for persisted model results, which
    are computed over a fixed window (dates and countries do not apply to them)."""
    f = filters or Filters()
    return where(
        scope, Filters(labels=f.labels, artist_ids=f.artist_ids), catalog_alias=catalog_alias
    )


def read_df(store: Store, sql: str, params: list[Any], state: tuple[str, ...] = ()) -> pd.DataFrame:
    """Run `sql`; `state` names workflow-state tables it joins (data/state/joined.py)."""
    if state:
        from data.state import joined

        return joined.read_df(store, sql, params, state)
    return store.cursor().execute(sql, params).df()


def operator_scope(store: Store) -> Scope:
    """Every label in the catalog: the explicit scope of the command line, whose operators
    run the store and see all of it. The CLI reads through the same scoped functions as the
    pages with this scope, so no read path exists twice."""
    rows = store.cursor().execute("SELECT DISTINCT label FROM catalog").fetchall()
    return Scope(username="(operator)", role="admin", labels=frozenset(r[0] for r in rows))
