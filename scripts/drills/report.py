"""What a drill tried and what held: counts plus any broken promise, named."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class DrillReport:
    """One drill's outcome. `counts` are figures such as writes acknowledged, writes
    found, duplicates, crashes survived, inputs tried and 5xx seen; `failures` names
    every promise that did not hold (empty: the drill held)."""

    name: str
    proves: str
    store: str = "sqlite"
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return not self.failures

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def check(self, holds: bool, failure: str) -> None:
        """Record `failure` unless `holds`."""
        if not holds:
            self.failures.append(failure)
