"""`qi audit`: verify the hash chain, sign and check digests, manage the signing key."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from engine.audit_digest import AuditDigest
    from engine.audit_key import SigningKey, VerifyingKey
    from engine.read_models import ReadModels
from adapters.cli.common import _fail_config, _read_models, console
from engine.errors import NotConfigured
from engine.settings import Settings

audit_app = typer.Typer(no_args_is_help=True, help="The audit trail and its hash chain")


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
    from engine.audit_anchor import take_digest

    key = _signing_key()
    models = _read_models()
    digest = take_digest(models.engine, models.digests, key)
    models.close()
    document = digest.model_dump_json(indent=2)
    if out is None:
        typer.echo(document)
        return
    out.write_text(document + "\n")
    console.print(f"wrote {out}: position {digest.position}, {digest.events} events, key {digest.key_id}")
