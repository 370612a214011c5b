"""Audit rows with the acting token's name beside its id: the id (`token:<uuid>`) says
who acted, unambiguously; the name, which need not be unique, is for people to read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from projections.audit import AuditRow


class AuditEntry(AuditRow):
    actor_name: str | None = None


def with_actor_names(rows: Iterable[AuditRow], names: Mapping[str, str]) -> list[AuditEntry]:
    """Each row with the display name of its actor id, where one is known."""
    return [AuditEntry(**row.model_dump(), actor_name=names.get(row.actor_id or "")) for row in rows]
