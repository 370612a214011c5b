"""The `qi` command line."""

from __future__ import annotations

import dataclasses
import sys
import threading
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn
from uuid import UUID

import typer
from rich.console import Console
from rich.table import Table

from aggregates.base import Actor, Role
from engine.application import QIEngine
from engine.cli_projections import projections_app

if TYPE_CHECKING:
    from engine.audit_digest import AuditDigest
    from engine.audit_key import SigningKey, VerifyingKey
    from engine.read_models import ReadModels
from engine.errors import NotConfigured
from engine.settings import Settings
from engine.tokens import Grant

app = typer.Typer(no_args_is_help=True, help="QI Collaborative Engine")
tokens = typer.Typer(no_args_is_help=True, help="API bearer tokens (stored hashed)")
app.add_typer(tokens, name="tokens")
audit_app = typer.Typer(no_args_is_help=True, help="The audit trail and its hash chain")
app.add_typer(audit_app, name="audit")
app.add_typer(projections_app, name="projections")
# Piped output (CI logs, scripts/run | tee) is read by people too: keep tables wide.
console = Console(width=None if sys.stdout.isatty() else 140)
CLI_ACTOR = Actor(id="cli", role=Role.SYSTEM)


def _engine() -> QIEngine:
    return QIEngine(_settings())


def _settings() -> Settings:
    """The QI_* settings; a bad one stops the command (exit 2) with its reason, not a traceback."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as error:
        _fail_config("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in error.errors()))


@app.command()
def demo() -> None:
    """Seed the demo collaborative (once) through the engine's commands and summarise it."""
    from engine.demo import render_summary, seed_demo, summarize

    engine = _engine()
    with console.status("seeding the demo collaborative…"):
        result = seed_demo(engine)
    if result.created:
        console.print(f"[green]Seeded the demo collaborative[/] into {engine.settings.store}")
    else:
        console.print(
            f"[yellow]The demo collaborative already exists[/] in {engine.settings.store}; nothing was added."
        )
    console.print(render_summary(summarize(engine, result.collaborative_id)))
    engine.close()


@app.command()
def info() -> None:
    """Show which store the engine uses and how many events it holds."""
    engine = _engine()
    console.print(f"store: {engine.settings.store}")
    console.print(f"events: {engine.recorder.max_notification_id() or 0}")
    engine.close()


DEMO_TOKEN_NAME = "demo-staff (scripts/run)"


@app.command()
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
    from adapters.http.app import create_app
    from adapters.http.server import serve as run_server

    engine = _engine()
    base = f"http://{host}:{port}"
    console.print(f"QI engine API:  {base}\nOpenAPI docs:   {base}/docs\nDashboard:      {base}/ui/")
    if demo_token:
        secret = _fresh_demo_token(engine)
        console.print(f"Staff token:    {secret}", soft_wrap=True)
        console.print(f'Try:  curl -H "Authorization: Bearer {secret}" {base}/collaboratives', soft_wrap=True)
    if workers == 1:
        run_server(create_app(engine), engine.settings, host, port)
        return
    engine.close()  # each worker process makes its own from the same settings
    run_server("adapters.http.app:app_from_settings", engine.settings, host, port, workers)


def _fresh_demo_token(engine: QIEngine) -> str:
    """Revoke earlier demo tokens, so each run leaves exactly one working."""
    ctx = engine.context(CLI_ACTOR)
    for token in engine.tokens():
        if token.state.name == DEMO_TOKEN_NAME and token.active:
            engine.revoke_token(token.id, ctx)
    return engine.issue_token(Grant(name=DEMO_TOKEN_NAME, role=Role.STAFF), ctx)


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


def _read_models() -> ReadModels:
    from engine.read_models import ReadModels

    return ReadModels(_engine())


@audit_app.command("verify")
def audit_verify(
    digest: Annotated[
        Path | None, typer.Option(help="also check the store against this saved digest (qi audit digest)")
    ] = None,
    public_key: Annotated[
        Path | None, typer.Option(help="the PEM public key that verifies it (default: QI_AUDIT_KEY's)")
    ] = None,
) -> None:
    """Recompute the hash chain from the event store; exit 1 naming the first bad position,
    or how the store no longer matches a saved digest."""
    saved = _saved_digest(digest, public_key) if digest else None
    models = _read_models()
    intact = _chain_intact(models)
    holds = _digest_holds(models, *saved) if saved else True
    models.close()
    if not (intact and holds):
        raise typer.Exit(1)


def _chain_intact(models: ReadModels) -> bool:
    result = models.verify_audit()
    if result.ok:
        console.print(f"[green]audit chain intact[/]: {result.checked} events verified")
    else:
        console.print(f"[red]audit chain broken at position {result.first_bad_position}[/]: {result.problem}")
    return result.ok


def _digest_holds(models: ReadModels, digest: AuditDigest, key: VerifyingKey) -> bool:
    from engine.audit_digest import verify

    check = verify(models.engine, digest, key)
    if check.ok:
        console.print(
            f"[green]digest of {digest.at} holds[/]: the store's chain covers position {check.position}"
        )
    else:
        console.print(f"[red]digest of {digest.at} broken[/]: {check.problem}", soft_wrap=True)
    return check.ok


def _saved_digest(path: Path, public_key: Path | None) -> tuple[AuditDigest, VerifyingKey]:
    """The digest in `path` and the key to check it with; exit 2 naming what is wrong."""
    from pydantic import ValidationError

    from engine.audit_digest import AuditDigest

    key = _verifying_key(public_key)
    try:
        return AuditDigest.model_validate_json(path.read_bytes()), key
    except (OSError, ValidationError) as error:
        _fail_config(f"{path} is not an audit digest: {str(error).splitlines()[0]}")


def _verifying_key(path: Path | None) -> VerifyingKey:
    from engine.audit_key import verifying_key

    if path is None:
        return _signing_key("or give --public-key FILE").verifying
    try:
        return verifying_key(path.read_bytes(), str(path))
    except OSError as error:
        _fail_config(f"{path} cannot be read: {error.strerror}")
    except NotConfigured as error:
        _fail_config(error.message)


def _signing_key(hint: str = "") -> SigningKey:
    """The key QI_AUDIT_KEY names; exit 2 explaining what to set when it is missing or unusable."""
    from engine.audit_key import signing_key

    try:
        return signing_key(Settings().audit_key)
    except NotConfigured as error:
        _fail_config(f"{error.message} {hint}".strip())


def _fail_config(message: str) -> NoReturn:
    console.print(message, style="red", markup=False, soft_wrap=True)
    raise typer.Exit(2)


@audit_app.command("keygen")
def audit_keygen(out: Annotated[Path, typer.Option(help="the new key's file (never overwritten)")]) -> None:
    """Write a new Ed25519 signing key (mode 0600) for QI_AUDIT_KEY."""
    from engine.audit_key import write_new_key

    try:
        key = write_new_key(out)
    except FileExistsError:
        _fail_config(f"{out} already exists: a key is never overwritten; choose another --out")
    console.print(f"wrote {out} (key {key.verifying.id}); set QI_AUDIT_KEY={out}", soft_wrap=True)


@audit_app.command("public-key")
def audit_public_key(
    out: Annotated[Path | None, typer.Option(help="write the PEM here instead of printing it")] = None,
) -> None:
    """Print (or write) the public key that verifies this deployment's digests."""
    pem = _signing_key().verifying.pem()
    if out is None:
        typer.echo(pem, nl=False)
        return
    out.write_text(pem)
    console.print(f"wrote {out}")


@audit_app.command("digest")
def audit_digest(
    out: Annotated[Path | None, typer.Option(help="write the digest here instead of printing it")] = None,
) -> None:
    """Sign the head of the audit chain (position, hash, events), record it, and print it."""
    from engine.audit_anchor import digest_log, take_digest

    key = _signing_key()
    models = _read_models()
    digest = take_digest(models.engine, digest_log(models.store), key)
    models.close()
    document = digest.model_dump_json(indent=2)
    if out is None:
        typer.echo(document)
        return
    out.write_text(document + "\n")
    console.print(f"wrote {out}: position {digest.position}, {digest.events} events, key {digest.key_id}")


@app.command()
def project(
    once: Annotated[bool, typer.Option(help="catch up and exit instead of following")] = False,
    interval: Annotated[float, typer.Option(help="seconds between polls when idle")] = 0.5,
) -> None:
    """Run the projections as a worker: follow the event log and keep read models current."""
    import signal
    import threading

    models = _read_models()
    if once:
        console.print(models.runner.catch_up())
        models.close()
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    console.print(f"projecting {', '.join(models.runner.projections)} (Ctrl-C stops)")
    models.runner.follow(stop, interval)
    models.close()


@app.command()
def rebuild(
    name: Annotated[str | None, typer.Argument(help="one read model; all when omitted")] = None,
    override_reason: Annotated[
        str | None,
        typer.Option(
            help="re-chain the audit trail although the store no longer matches the last digest; "
            "recorded, with this reason, as an AuditRechained event"
        ),
    ] = None,
) -> None:
    """Drop read models and replay them from the first event, with progress. The audit trail
    is re-chained only over history that still matches the last recorded digest."""
    from rich.progress import Progress

    if override_reason is not None and not override_reason.strip():
        raise typer.BadParameter("give the reason in words", param_hint="--override-reason")
    models = _read_models()
    names = [name] if name else list(models.runner.projections)
    unknown = [n for n in names if n not in models.runner.projections]
    if unknown:
        raise typer.BadParameter(
            f"no read model {unknown[0]!r}; known: {', '.join(models.runner.projections)}"
        )
    overridden = "audit" in names and _may_rechain(models, override_reason)
    head = models.runner.head()
    with Progress(console=console) as progress:
        # Together: each page of events is read and decoded once for every read model.
        tasks = {each: progress.add_task(f"rebuilding {each}", total=head or 1) for each in names}
        models.runner.rebuild_all(
            names, lambda each, position, _: progress.update(tasks[each], completed=position)
        )
        for task in tasks.values():
            progress.update(task, completed=head or 1)
    if overridden:
        _reanchor(models)
    stopped = [f for n, f in models.failures().items() if n in names]
    models.close()
    for failure in stopped:
        console.print(f"[red]{failure.describe()}[/]; the other read models were rebuilt", soft_wrap=True)
    if stopped:
        raise typer.Exit(1)


def _may_rechain(models: ReadModels, override_reason: str | None) -> bool:
    """Exit 1 if the store no longer matches the last digest and no reason was given;
    True when the rebuild goes ahead on an override, which is recorded first."""
    from engine.audit_anchor import digest_log
    from engine.audit_rechain import rechain_check, record_override

    key = _optional_key()
    found = rechain_check(models.engine, digest_log(models.store), key.verifying if key else None)
    if found is None or found[1].ok:
        return False
    digest, check = found
    problem = check.problem or "the store no longer matches the last digest"
    if override_reason is None:
        console.print(
            f"[red]refusing to re-chain the audit trail[/]: {problem} (digest of {digest.at}). "
            "Rebuilding would make that history look intact; if it must be re-chained, say why "
            'with --override-reason "..." (recorded in the audit trail).',
            soft_wrap=True,
        )
        models.close()
        raise typer.Exit(1)
    record_override(models.engine, _operator(), override_reason.strip(), digest, problem)
    console.print(f"[yellow]override recorded[/]: {problem}", soft_wrap=True)
    return True


def _reanchor(models: ReadModels) -> None:
    """After an override, digest the re-chained history afresh, so later rebuilds check against it."""
    from engine.audit_anchor import digest_log, record_digest

    key = _optional_key()
    if key is None:
        console.print("[yellow]QI_AUDIT_KEY is not set[/]: no new digest; the next rebuild will refuse again")
        return
    digest = record_digest(models.engine, digest_log(models.store), key, afresh=True)
    if digest is not None:
        console.print(f"re-anchored: a new digest covers position {digest.position}")


def _optional_key() -> SigningKey | None:
    from engine.audit_key import signing_key

    try:
        return signing_key(Settings().audit_key)
    except NotConfigured:
        return None


def _operator() -> Actor:
    """The person at the terminal, as the actor of what the CLI records on their word."""
    import getpass

    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "unknown"
    return Actor(id=f"cli:{user}", role=Role.SYSTEM)


def _kafka_settings() -> Settings:
    settings = Settings()
    if not settings.kafka_bootstrap:
        console.print("[red]Kafka is off[/]: set QI_KAFKA_BOOTSTRAP=host:port")
        raise typer.Exit(2)
    return settings


def _stop_on_signals() -> threading.Event:
    import signal

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    return stop


@app.command()
def relay(
    once: Annotated[bool, typer.Option(help="deliver what is stored, then exit")] = False,
    interval: Annotated[float, typer.Option(help="seconds between polls when idle")] = 0.2,
) -> None:
    """Relay every stored event to Kafka, in order per collaborative, at least once."""
    import logging

    from engine.relay import Relay, kafka_producer_factory

    settings = _kafka_settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    relay = Relay(QIEngine(settings), kafka_producer_factory(settings))
    target = f"{settings.kafka_topic} at {settings.kafka_bootstrap}"
    if not once:
        status = relay.status()
        console.print(
            f"relaying to {target} from position {status.position}, {status.lag} waiting (Ctrl-C stops)"
        )
        relay.run(_stop_on_signals(), interval)
        return
    try:
        relay.acquire(_stop_on_signals())
        sent = relay.catch_up()
    finally:
        relay.close()
    console.print(f"relayed {sent} events to {target}; {relay.status().lag} waiting")


@app.command()
def contracts(
    out: Annotated[Path, typer.Option(help="folder to write the contracts into")] = Path("contracts"),
) -> None:
    """Write the events' JSON Schema and the AsyncAPI document, generated from the code."""
    from engine.contracts import write_contracts

    for path in write_contracts(Settings(), out):
        console.print(f"wrote {path}")


@app.command()
def consume(
    group: Annotated[str, typer.Option(help="the consumer group to join")] = "qi-example",
    stop_when_idle: Annotated[
        float | None, typer.Option(help="exit after this many quiet seconds once events arrived")
    ] = None,
) -> None:
    """Example consumer: join a group, print each event once (deduplicated by ce_id)."""
    from engine.feed import Received, consume

    def show(event: Received) -> None:
        h = event.headers
        typer.echo(f"{h['ce_time']}  {h['ce_type']:<34} key={event.key}  id={event.id}")

    done = consume(_kafka_settings(), group, show, _stop_on_signals(), stop_when_idle)
    typer.echo(f"{done.handled} events, {done.duplicates} duplicates hidden", err=True)


# What `qi bench` and `qi drill` drive the engine with: installed by the [test] extra only.
TEST_EXTRA = {"bench": ("httpx",), "drill": ("httpx", "schemathesis")}


def _needs_test_extra(command: str) -> None:
    """Stop a tooling command (exit 2) naming the extra to install, rather than a traceback."""
    import importlib.util

    missing = [name for name in TEST_EXTRA[command] if importlib.util.find_spec(name) is None]
    if missing:
        _fail_config(
            f"qi {command} needs {', '.join(missing)} from the test extra: pip install 'qi-engine[test]'"
        )


@app.command()
def bench(
    smoke: Annotated[
        bool, typer.Option(help="tiny sizes: check every benchmark runs (not its speed)")
    ] = False,
    store: Annotated[list[str] | None, typer.Option(help="sqlite and/or postgres (default: both)")] = None,
    out: Annotated[Path, typer.Option(help="where to write the figures")] = Path("bench/results.json"),
    history: Annotated[
        int | None, typer.Option(min=100, help="events in the large rebuild (default 1,000,000)")
    ] = None,
    teams: Annotated[
        int | None, typer.Option(min=1, help="teams in the at-scale collaborative (default 500)")
    ] = None,
) -> None:
    """Measure the engine beside the raw library and the database; print the table, write results.json."""
    _needs_test_extra("bench")
    from engine.benchmarks.run import FULL, SMOKE, run_all, table, write

    stores = tuple(store or ("sqlite", "postgres"))
    unknown = [s for s in stores if s not in ("sqlite", "postgres")]
    if unknown:
        raise typer.BadParameter(
            f"unknown store {unknown[0]!r}; use sqlite or postgres", param_hint="--store"
        )
    sizes = SMOKE if smoke else FULL
    if history is not None:
        sizes = dataclasses.replace(
            sizes, projection_events={"sqlite": history, "postgres": min(history, 100_000)}
        )
    if teams is not None:
        sizes = dataclasses.replace(sizes, scale_teams=teams)
    results = run_all(sizes, stores, console, out=out)
    console.print(table(results))
    write(results, out)
    console.print(f"figures written to {out}")


@app.command()
def drill(
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--drill",
            help="concurrency, crashes, outages, tampering, hostile, authorization, poison, uploads (default: all)",
        ),
    ] = None,
    store: Annotated[list[str] | None, typer.Option(help="sqlite and/or postgres (default: both)")] = None,
    clients: Annotated[int, typer.Option(min=1, help="concurrency: clients hammering at once")] = 32,
    seconds: Annotated[float, typer.Option(min=1, help="concurrency: seconds of hammering")] = 30.0,
    kills: Annotated[int, typer.Option(min=3, help="crashes: kill -9s per store")] = 60,
    outage: Annotated[
        float, typer.Option(min=1, help="outages: seconds PostgreSQL and Kafka stay down")
    ] = 30.0,
    examples: Annotated[
        int, typer.Option(min=0, help="hostile input: Schemathesis examples per route")
    ] = 100,
    postgres: Annotated[
        str, typer.Option(help="PostgreSQL server the drills create their databases on")
    ] = "postgresql://postgres@127.0.0.1:5432",
    kafka: Annotated[
        str | None, typer.Option(help="a Kafka broker for the crash drill (default: a private Tansu)")
    ] = None,
) -> None:
    """Run the reliability drills and print what was tried and what held; exit 1 if any failed."""
    _needs_test_extra("drill")
    from engine.drills.run import DRILLS, DrillOptions, run_drills, table

    names = only or list(DRILLS)
    for name in names:
        if name not in DRILLS:
            raise typer.BadParameter(f"no drill {name!r}; known: {', '.join(DRILLS)}", param_hint="--drill")
    stores = tuple(store or ("sqlite", "postgres"))
    for each in stores:
        if each not in ("sqlite", "postgres"):
            raise typer.BadParameter(f"unknown store {each!r}; use sqlite or postgres", param_hint="--store")
    options = DrillOptions(stores, clients, seconds, kills, outage, examples, postgres, kafka)
    reports = run_drills(
        names,
        options,
        lambda r: console.print(
            f"{r.name} on {r.store}: " + ("[green]held[/]" if r.held else "[red]FAILED[/]")
        ),
    )
    console.print(table(reports))
    broken = [(r, failure) for r in reports for failure in r.failures]
    for r, failure in broken:
        console.print(f"[red]{r.name} on {r.store}[/]: {failure}", soft_wrap=True)
    if broken:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
