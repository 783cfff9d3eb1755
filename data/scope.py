"""The signed-in user's label scope: every catalog read takes one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scope:
    """Which labels a user may read. Built from the account, never from page input."""

    username: str
    role: str
    labels: frozenset[str]

    def allows(self, label: str) -> bool:
        return label in self.labels

    def restrict(self, wanted: list[str] | tuple[str, ...] | None) -> tuple[str, ...]:
        """The labels to query: the wanted ones the user may read, or all of the user's.

        Labels outside the scope are dropped, never added: a shared URL naming another
        label's data shows nothing of it.
        """
        if not wanted:
            return tuple(sorted(self.labels))
        return tuple(sorted(lab for lab in set(wanted) if lab in self.labels))
