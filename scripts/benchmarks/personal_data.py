"""7. What sealing personal data costs: commands that store a person's details, and loads
of a person, each beside the same run with the mapper's sealer off (so nothing personal is
sealed or opened), as a ratio. The target: under 10 % on commands."""

from __future__ import annotations

import time
from uuid import UUID

from aggregates.participant import PersonDetails
from aggregates.values import Licence
from engine.application import QIEngine
from engine.commands.activity import RegisterParticipant, UpdateParticipant
from engine.settings import Settings
from scripts.benchmarks.harness import Results, fresh_store, rate
from scripts.benchmarks.world import SYSTEM

GROUP = "7 personal data"


def _details(i: int) -> PersonDetails:
    return PersonDetails(
        name=f"Dana Reyes {i}", credentials="RN, CPEN", email=f"dana{i}@example.org",
        licences=(Licence(kind="NPI", number=f"{1000000000 + i}"), Licence(kind="RN", number=f"RN-{i}", issuer="MT")),
    )  # fmt: skip


def _engine(store: str, sealed: bool, cache_size: int = 1000) -> QIEngine:
    engine = QIEngine(Settings(store=store, cache_size=cache_size))
    if not sealed:
        engine.mapper.sealer = None  # type: ignore[attr-defined]  # the same engine, storing values as they are
    return engine


def _run(kind: str, n: int, sealed: bool) -> tuple[float, float, float, float]:
    """(registrations/s, updates/s, cold loads/s, warm loads/s), sealed or not: n people
    registered (each a new data key), n updates of their details, n loads of a person by a
    process that has neither them nor their keys in memory, then the same loads again with
    their keys in memory (a serving process's usual case: it keeps up to 100,000 keys)."""
    store = fresh_store(kind, "personal")
    engine = _engine(store, sealed)
    start = time.perf_counter()
    people: list[UUID] = [
        engine.execute(RegisterParticipant(details=_details(i)), engine.context(SYSTEM)).id for i in range(n)
    ]
    registrations = rate(n, time.perf_counter() - start)
    start = time.perf_counter()
    for i, person in enumerate(people):
        engine.execute(
            UpdateParticipant(participant_id=person, details=_details(n + i)), engine.context(SYSTEM)
        )
    updates = rate(n, time.perf_counter() - start)
    engine.close()
    reader = _engine(store, sealed, cache_size=0)
    start = time.perf_counter()
    for person in people:
        reader.participant(person)  # from the store: two events, each value opened
    loads = rate(n, time.perf_counter() - start)
    start = time.perf_counter()
    for person in people:
        reader.participant(person)  # from the store again, the keys now in memory
    warm_loads = rate(n, time.perf_counter() - start)
    reader.close()
    return registrations, updates, loads, warm_loads


FIGURES = (
    (0, "register a person", "commands/s"),
    (1, "update a person's details", "commands/s"),
    (2, "load a person (neither they nor their keys in memory)", "loads/s"),
    (3, "load a person (not in memory, their keys are)", "loads/s"),
)


def run_personal_data(results: Results, kind: str, n: int, repeats: int) -> None:
    plain = [_run(kind, n, sealed=False) for _ in range(repeats)]
    sealed = [_run(kind, n, sealed=True) for _ in range(repeats)]
    for index, what, unit in FIGURES:
        base = results.add(GROUP, f"{what}, nothing sealed", kind, [r[index] for r in plain], unit)
        figure = results.add(
            GROUP, f"{what}, personal data sealed", kind, [r[index] for r in sealed], unit,
            target=">= 0.9x nothing sealed" if unit == "commands/s" else None,
        )  # fmt: skip
        results.relate(figure, base)
