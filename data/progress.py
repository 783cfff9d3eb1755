"""Progress reporting shared by the data layer (ingest, demo build) and the app (batch jobs).

A progress callback takes a stage description and the fraction done, 0.0 to 1.0. The
analytics layer stays independent of this module and annotates its callbacks as Callable.
"""

from __future__ import annotations

from collections.abc import Callable

ProgressFn = Callable[[str, float], None]


class Progress:
    """An optional ProgressFn with fractions clamped to [0, 1]: callers need no None checks."""

    def __init__(self, fn: ProgressFn | None):
        self.fn = fn

    def __call__(self, stage: str, fraction: float) -> None:
        if self.fn is not None:
            self.fn(stage, max(0.0, min(1.0, fraction)))
