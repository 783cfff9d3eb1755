"""Scoped reads of the fans feature's persisted results (placeholder until it lands).

Every public function is registered with `@scoped` from data.queries."""
