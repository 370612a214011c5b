"""`qi keys`: the master key that wraps the personal data keys (QI_DATA_KEY)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from adapters.cli.common import _fail_config, _settings, console

keys_app = typer.Typer(no_args_is_help=True, help="The master key of personal data (QI_DATA_KEY)")


@keys_app.command("new")
def keys_new(out: Annotated[Path, typer.Option(help="the new key's file (never overwritten)")]) -> None:
    """Write a new master key (mode 0600): keep it apart from the database and its backups."""
    from engine.personal_data import new_master_key

    try:
        descriptor = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        _fail_config(f"{out} already exists: a key is never overwritten; choose another --out")
    with os.fdopen(descriptor, "w") as file:
        file.write(new_master_key() + "\n")
    console.print(
        f"wrote {out}; set QI_DATA_KEY={out} (while rotating: QI_DATA_KEY={out},OLD)", soft_wrap=True
    )


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-wrap every data key with the first key of QI_DATA_KEY (list the old ones after it);
    no event is rewritten. Then drop the old keys from QI_DATA_KEY."""
    from engine.errors import NotConfigured
    from engine.personal_data import DataKeys

    try:
        keys = DataKeys(_settings())
    except NotConfigured as error:
        _fail_config(str(error))
    try:
        done = keys.rotate()
    except NotConfigured as error:
        _fail_config(str(error))
    finally:
        keys.close()
    console.print(f"re-wrapped {done} data key(s) with master key {keys.masters[0].id}")


@keys_app.command("seal-stored")
def keys_seal_stored(
    reason: Annotated[
        str | None, typer.Option(help="why, in words (recorded, and in the audit trail's re-chaining)")
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="only say what holds plain text (exit 1 if anything does)")
    ] = False,
) -> None:
    """Seal the personal values that a store written before sealing holds in plain text, in
    place; then rebuild every read model and re-chain the audit trail over the rewritten
    history. Run it with no engine serving the store. What subscribers copied before is
    beyond its reach."""
    from adapters.cli.common import _operator, _read_models
    from adapters.cli.rebuild import rebuild_models
    from engine.stored_sealing import compact, find_plain, record_sealing, seal_stored, tables

    if not check and (reason is None or not reason.strip()):
        raise typer.BadParameter("say why the stored events are rewritten", param_hint="--reason")
    models = _read_models()
    engine = models.engine
    found = find_plain(engine)
    console.print(found.describe(), soft_wrap=True)
    if check or not found.count:
        models.close()
        if check and found.count:
            raise typer.Exit(1)
        return
    assert reason is not None
    sealed = seal_stored(engine)
    record_sealing(engine, _operator(), reason.strip(), sealed)
    console.print(f"sealed: {sealed.describe(verb='held')}", soft_wrap=True)
    settings, event_tables = engine.settings, tables(engine)
    rebuild_models(models, list(models.runner.projections), reason.strip())
    compact(settings, event_tables)  # the files keep no bytes of the plain rows or the old read models
