"""`qi project` and `qi rebuild`: run projections as a worker, rebuild a read model."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.audit_key import SigningKey
    from engine.read_models import ReadModels
from adapters.cli.common import _operator, _read_models, _runtime, _stop_on_signals, console
from engine.errors import NotConfigured
from engine.settings import Settings


def project(
    once: Annotated[bool, typer.Option(help="catch up and exit instead of following")] = False,
    interval: Annotated[float, typer.Option(help="seconds between polls when idle")] = 0.5,
) -> None:
    """Run the projections as a worker: follow the event log and keep read models current."""
    runtime = _runtime()
    projector = runtime.read_models.projector
    if once:
        console.print(projector.catch_up())
        runtime.stop()
        return
    stop = _stop_on_signals()
    projector.poll = interval
    projector.start()
    console.print(f"projecting {', '.join(projector.runner.projections)} (Ctrl-C stops)")
    stop.wait()
    runtime.stop()  # stops the projector after the batch in hand


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
    if override_reason is not None and not override_reason.strip():
        raise typer.BadParameter("give the reason in words", param_hint="--override-reason")
    models = _read_models()
    names = [name] if name else list(models.runner.projections)
    unknown = [n for n in names if n not in models.runner.projections]
    if unknown:
        raise typer.BadParameter(
            f"no read model {unknown[0]!r}; known: {', '.join(models.runner.projections)}"
        )
    rebuild_models(models, names, override_reason)


def rebuild_models(models: ReadModels, names: list[str], override_reason: str | None) -> None:
    """Replay `names` from the first event with progress, re-chaining the audit trail on
    `override_reason` where history no longer matches the last digest; closes `models`."""
    from rich.progress import Progress

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
    from engine.audit_rechain import rechain_check, record_override

    key = _optional_key()
    found = rechain_check(models.engine, models.digests, key.verifying if key else None)
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
    from engine.audit_anchor import record_digest

    key = _optional_key()
    if key is None:
        console.print("[yellow]QI_AUDIT_KEY is not set[/]: no new digest; the next rebuild will refuse again")
        return
    digest = record_digest(models.engine, models.digests, key, afresh=True)
    if digest is not None:
        console.print(f"re-anchored: a new digest covers position {digest.position}")


def _optional_key() -> SigningKey | None:
    from engine.audit_key import signing_key

    try:
        return signing_key(Settings().audit_key)
    except NotConfigured:
        return None
