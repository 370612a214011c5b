"""`qi tokens`: API bearer tokens (stored hashed)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

import typer
from rich.table import Table

from aggregates.base import Role

if TYPE_CHECKING:
    pass
from adapters.cli.common import CLI_ACTOR, _engine, console
from aggregates.tokens import Grant

tokens = typer.Typer(no_args_is_help=True, help="API bearer tokens (stored hashed)")


@tokens.command("create")
def create_token(
    role: Annotated[Role, typer.Option(help="staff, coach, team, auditor or subscriber")],
    name: Annotated[str, typer.Option(help="who holds the token; shown in the audit trail")],
    team: Annotated[UUID | None, typer.Option(help="the team a team token acts for")] = None,
    participant: Annotated[UUID | None, typer.Option(help="the person a coach token belongs to")] = None,
    expires_in: Annotated[
        float | None, typer.Option(min=0.01, help="days until the token stops working (default: never)")
    ] = None,
) -> None:
    """Create a token and print it once; only its hash is stored."""
    if role is Role.SYSTEM:
        raise typer.BadParameter("the system role is for the engine itself", param_hint="--role")
    if role is Role.TEAM and team is None:
        raise typer.BadParameter("a team token needs --team", param_hint="--team")
    if role is Role.COACH and participant is None:
        raise typer.BadParameter(
            "a coach token needs --participant (the coach's id)", param_hint="--participant"
        )
    engine = _engine()
    if team is not None:
        engine.team(team)
    ctx = engine.context(CLI_ACTOR)
    expires_at = ctx.at + timedelta(days=expires_in) if expires_in is not None else None
    grant = Grant(name=name, role=role, team_id=team, participant_id=participant, expires_at=expires_at)
    secret = engine.issue_token(grant, ctx)
    engine.close()
    typer.echo(secret)


@tokens.command("list")
def list_tokens() -> None:
    """List tokens (never their secrets)."""
    engine = _engine()
    table = Table("name", "role", "team", "issued", "expires", "revoked")
    table.add_column("id", no_wrap=True, min_width=36)
    for token in engine.tokens():
        s = token.state
        table.add_row(
            s.name,
            s.role.value,
            str(s.team_id or ""),
            f"{s.issued_at:%Y-%m-%d %H:%M}",
            f"{s.expires_at:%Y-%m-%d %H:%M}" if s.expires_at else "",
            f"{s.revoked_at:%Y-%m-%d %H:%M}" if s.revoked_at else "",
            str(token.id),
        )
    console.print(table)
    engine.close()


@tokens.command("revoke")
def revoke_token(token_id: UUID) -> None:
    """Revoke a token by its id (from `qi tokens list`)."""
    engine = _engine()
    engine.revoke_token(token_id, engine.context(CLI_ACTOR))
    engine.close()
    console.print(f"revoked {token_id}")
