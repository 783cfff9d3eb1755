"""The one list of features. Navigation, the CLI, the batch jobs and the scoped queries all
follow from it.

A feature named N has one place in each layer, found by its name:

    analytics/N/          pure models (no streamlit, duckdb or I/O)
    data/queries/N.py     scoped reads (registered with @scoped)
    data/results/N.py     what its batch job persists, and the operator reads of it
    app/N/job.py          run(store, progress, **options) -> summary   (when `job`)
    app/N/cli.py          register(sub, parents); JSON_KEYS            (when `cli`)
    app/N/view.py         the page's view model
    pages/N.py            the screen

Adding a feature is one `Feature(...)` line here; the contract tests in
tests/app/test_feature_contracts.py then check it like every other.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

ALL_ROLES = ("admin", "manager", "viewer")


@dataclass(frozen=True)
class Feature:
    name: str  # the one name: module paths, page URL, `refresh --only NAME`, model_runs.job
    title: str
    icon: str
    section: str = "Analytics"
    roles: tuple[str, ...] = ALL_ROLES
    default: bool = False
    job: bool = False  # has a batch job (app/N/job.py), run by `labelradar refresh`
    cli: bool = False  # has subcommands (app/N/cli.py)

    @property
    def page_file(self) -> str:
        return f"{self.name}.py"

    @property
    def url_path(self) -> str:
        return self.name

    def job_module(self) -> ModuleType:
        return importlib.import_module(f"app.{self.name}.job")

    def cli_module(self) -> ModuleType:
        return importlib.import_module(f"app.{self.name}.cli")


# In navigation order; jobs run in this order too: health before alerts, which leaves the
# days health flagged out of detection.
FEATURES: tuple[Feature, ...] = (
    Feature("catalog", "Catalog", ":material/library_music:"),
    Feature("fans", "Fan types", ":material/groups:", job=True, cli=True),
    Feature("similar", "Similar artists", ":material/hub:", job=True, cli=True),
    Feature(
        "health",
        "Data health",
        ":material/monitor_heart:",
        section="Operations",
        roles=("admin", "manager"),
        job=True,
        cli=True,
    ),
    Feature("alerts", "Alerts", ":material/notifications:", job=True, cli=True),
    Feature("forecast", "Forecasts", ":material/trending_up:", job=True, cli=True),
    Feature(
        "campaigns",
        "Campaigns",
        ":material/campaign:",
        section="Marketing",
        job=True,
        cli=True,
    ),
    Feature(
        "budget",
        "Territory budgets",
        ":material/payments:",
        section="Marketing",
        job=True,
        cli=True,
    ),
    Feature(
        "recommend",
        "Audiences",
        ":material/person_search:",
        section="Marketing",
        job=True,
        cli=True,
    ),
    # Ranks what every job above persisted, so it runs last; navigation puts it first.
    Feature("today", "Today", ":material/today:", default=True, job=True, cli=True),
    Feature("users", "Users", ":material/manage_accounts:", section="Admin", roles=("admin",)),
)


def feature(name: str) -> Feature:
    """The feature registered under `name` (KeyError if none)."""
    for f in FEATURES:
        if f.name == name:
            return f
    raise KeyError(name)


def with_jobs() -> tuple[Feature, ...]:
    return tuple(f for f in FEATURES if f.job)


def with_cli() -> tuple[Feature, ...]:
    return tuple(f for f in FEATURES if f.cli)
