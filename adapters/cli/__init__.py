"""The `qi` command line: one Typer app, its commands listed here."""

from __future__ import annotations

import typer

from adapters.cli import audit, credits, kafka, keys, rebuild, serve, tokens
from adapters.cli.projections import projections_app

app = typer.Typer(no_args_is_help=True, help="QI Collaborative Engine")
app.command()(serve.info)
app.command()(serve.serve)
app.add_typer(tokens.tokens, name="tokens")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(credits.credits_app, name="credits")
app.add_typer(projections_app, name="projections")
app.command()(rebuild.project)
app.command()(rebuild.rebuild)
app.command()(kafka.relay)
app.command()(kafka.contracts)
app.command()(kafka.consume)
