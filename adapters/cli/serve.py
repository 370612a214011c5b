"""`qi serve` and `qi info`: the HTTP API and the web pages, and what the store holds."""

from __future__ import annotations

from typing import Annotated

import typer

from adapters.cli.common import CLI_ACTOR, _configured, _engine, _settings, console
from aggregates.base import Role
from aggregates.tokens import Grant
from engine.application import QIEngine


def info() -> None:
    """Show which store the engine uses and how many events it holds."""
    engine = _engine()
    console.print(f"store: {engine.settings.store}")
    console.print(f"events: {engine.recorder.max_notification_id() or 0}")
    engine.close()


DEMO_TOKEN_NAME = "demo-staff (scripts/run)"


def serve(
    host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    demo_token: Annotated[
        bool, typer.Option(help="issue a fresh staff token for trying the API (the previous one is revoked)")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="API processes (each with its own engine; one relay leads)")
    ] = 1,
) -> None:
    """Serve the HTTP API (uvicorn), with the timeouts, limit and trusted proxies of the settings."""
    from adapters.app import app_for
    from adapters.bootstrap import bootstrap
    from adapters.http.server import serve as run_server

    runtime = _configured(lambda: bootstrap(_settings()))
    engine = runtime.engine
    base = f"http://{host}:{port}"
    runtime.site_url = base
    console.print(f"QI engine API:  {base}\nOpenAPI docs:   {base}/docs\nDashboard:      {base}/ui/")
    if not engine.settings.data_key:
        from engine.personal_data import default_key_file

        console.print(
            f"Personal data:  sealed under the master key in {default_key_file(engine.settings)} "
            "(keep it apart from the database's backups; QI_DATA_KEY names another)",
            soft_wrap=True,
        )
    if not engine.settings.smtp_host:
        console.print(
            f"Mail:           written to {engine.settings.mail_outbox.resolve()} (no QI_SMTP_HOST set)",
            soft_wrap=True,
        )
    if demo_token:
        secret = _fresh_demo_token(engine)
        console.print(f"Staff token:    {secret}", soft_wrap=True)
        console.print(f'Try:  curl -H "Authorization: Bearer {secret}" {base}/collaboratives', soft_wrap=True)
    if workers == 1:
        run_server(app_for(runtime), engine.settings, host, port)  # its lifespan stops the runtime
        return
    runtime.stop()  # each worker process bootstraps its own from the same settings
    run_server("adapters.app:app_from_settings", engine.settings, host, port, workers)


def _fresh_demo_token(engine: QIEngine) -> str:
    """Revoke earlier demo tokens, so each run leaves exactly one working."""
    ctx = engine.context(CLI_ACTOR)
    for token in engine.tokens():
        if token.state.name == DEMO_TOKEN_NAME and token.active:
            engine.revoke_token(token.id, ctx)
    return engine.issue_token(Grant(name=DEMO_TOKEN_NAME, role=Role.STAFF), ctx)
