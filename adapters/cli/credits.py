"""`qi credits`: sign a participant's transcript with the provider's key, check one, write a
certificate, and write an accreditor's file of a collaborative's credit."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from adapters.cli.common import _fail_config, _read_models, console
from adapters.exports.accreditors import FileName, left_out
from engine.errors import LeftOut, NotConfigured, NotFound
from engine.settings import Settings
from projections.credits.queries import transcript_at
from projections.credits.schemas import Transcript

credits_app = typer.Typer(
    no_args_is_help=True, help="CE credit: signed transcripts, certificates, accreditors' files"
)


AsOfOption = Annotated[
    datetime | None,
    typer.Option("--as-of", help="re-make it as the ledger stood then (ISO 8601; UTC without an offset)"),
]


def _moment(as_of: datetime | None, now: datetime) -> datetime:
    """`--as-of` in UTC (now when absent); exit 2 for a moment still to come."""
    if as_of is None:
        return now
    moment = (as_of if as_of.tzinfo else as_of.replace(tzinfo=UTC)).astimezone(UTC)
    if moment > now:
        _fail_config(f"--as-of {moment.isoformat()} is still to come: give a moment up to now")
    return moment


def _transcript_then(participant: UUID, as_of: datetime | None) -> tuple[Transcript, datetime]:
    """The participant's transcript as of `as_of` (now when None) and that moment; exit 1
    naming an unknown participant, 2 for a moment still to come."""
    models = _read_models()
    try:
        transcript, now = models.transcript(participant), models.engine.clock().astimezone(UTC)
    except NotFound as missing:
        console.print(f"[red]{missing.message}[/]")
        raise typer.Exit(1) from None
    finally:
        models.close()
    moment = _moment(as_of, now)
    return (transcript if as_of is None else transcript_at(transcript, moment)), moment


@credits_app.command("sign")
def credits_sign(
    participant: Annotated[UUID, typer.Argument(help="the participant whose transcript is signed")],
    out: Annotated[Path, typer.Option(help="the signed transcript's file")],
    as_of: AsOfOption = None,
) -> None:
    """Write the participant's transcript, every line with its source event position, signed
    with QI_CREDIT_KEY (exit 2 naming what to set when it is missing)."""
    from engine import signed_transcripts as st

    settings = Settings()
    try:
        key = st.credit_key(settings.credit_key)
    except NotConfigured as error:
        _fail_config(error.message)
    transcript, moment = _transcript_then(participant, as_of)
    out.write_bytes(st.sign(st.document(transcript, settings.provider_name, moment), key))
    console.print(f"signed transcript of {transcript.name} written to {out} (key {key.verifying.id})")


@credits_app.command("verify")
def credits_verify(
    file: Annotated[Path, typer.Argument(help="a signed transcript (qi credits sign)")],
    public_key: Annotated[Path, typer.Option(help="the provider's published PEM public key")],
    online: Annotated[
        bool, typer.Option(help="also ask this engine's ledger whether a line was reversed since")
    ] = False,
) -> None:
    """Check a signed transcript offline with the provider's public key: exit 1 when it was
    changed or signed by another key; with --online, name the lines reversed since."""
    from engine import signed_transcripts as st
    from engine.audit_key import verifying_key

    try:
        key = verifying_key(public_key.read_bytes(), str(public_key))
        data = file.read_bytes()
    except OSError as error:
        _fail_config(f"{error.filename} cannot be read: {error.strerror}")
    except NotConfigured as error:
        _fail_config(error.message)
    checked = st.verify(data, key)
    if not checked.valid or checked.transcript is None:
        console.print(f"[red]does not verify[/]: {checked.reason}", soft_wrap=True)
        raise typer.Exit(1)
    console.print(f"[green]verifies[/]: {checked.reason}", soft_wrap=True)
    if online:
        models = _read_models()
        try:
            now = models.transcript(UUID(checked.transcript["participant_id"]))
        finally:
            models.close()
        superseded = st.superseded_by(checked.transcript, now)
        if superseded:
            for entry, by in superseded.items():
                console.print(f"[yellow]superseded[/]: line {entry} was reversed since, by {by}")
            raise typer.Exit(3)
        console.print(f"no line reversed since, as of {datetime.now(UTC):%-d %b %Y %H:%M} UTC")


@credits_app.command("certificate")
def credits_certificate(
    participant: Annotated[UUID, typer.Argument(help="the participant the certificate is for")],
    out: Annotated[Path, typer.Option(help="the certificate's PDF file")],
    since: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="the period's first day")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option(formats=["%Y-%m-%d"], help="the period's last day")
    ] = None,
    activity: Annotated[UUID | None, typer.Option(help="one activity's credit only")] = None,
    as_of: AsOfOption = None,
) -> None:
    """Write the participant's CE certificate (PDF) for a period or one activity, with the
    provider's accreditation statement (QI_ACCREDITATION_STATEMENT)."""
    from adapters.exports.certificates import certificate_pdf, lines_within, period_words

    settings = Settings()
    transcript, made_at = _transcript_then(participant, as_of)
    first, last = (since.date() if since else None), (until.date() if until else None)
    lines = lines_within(transcript, first, last, str(activity) if activity else None)
    period = period_words(first, last, activity)
    out.write_bytes(certificate_pdf(transcript, lines, settings.provider_name, settings.accreditation_statement,
                                    made_at, period))  # fmt: skip
    if not settings.accreditation_statement:
        console.print("[yellow]no accreditation statement on it[/]: set QI_ACCREDITATION_STATEMENT")
    console.print(f"certificate of {transcript.name} written to {out} ({len(lines)} lines)")


@credits_app.command("file")
def credits_file(
    name: Annotated[
        FileName, typer.Argument(help="which accreditor's file: pars, cpe-monitor, capce or nursing")
    ],
    collaborative: Annotated[UUID, typer.Argument(help="the collaborative whose credit it reports")],
    out: Annotated[Path, typer.Option(help="the file to write")],
    as_of: AsOfOption = None,
    leave_out: Annotated[
        bool, typer.Option("--leave-out", help="make it of those who can be reported, leaving out the rest")
    ] = False,
) -> None:
    """Write an accreditor's file of a collaborative's credit as the ledger stood at --as-of
    (now when absent). Exit 4 listing each learner and activity that cannot be reported, and
    what each lacks, unless --leave-out; 2 naming a setting the file needs."""
    from adapters.exports.accreditors import FILES

    kind, settings = FILES[name], Settings()
    models = _read_models()
    try:
        moment = _moment(as_of, models.engine.clock().astimezone(UTC))
        made = models.report_file(collaborative, kind.reports, moment)
    except NotFound as missing:
        console.print(f"[red]{missing.message}[/]")
        raise typer.Exit(1) from None
    finally:
        models.close()
    try:
        body = kind.made(made, settings, leave_out)
    except NotConfigured as error:
        _fail_config(error.message)
    except LeftOut as refused:
        console.print(f"[red]not written[/]: {len(refused.left_out)} cannot be reported in the {kind.label}:")
        for line in refused.left_out:
            console.print(f"  {line}")
        console.print("add what they lack, or give --leave-out to make it of the others")
        raise typer.Exit(4) from None
    out.write_bytes(body)
    for late in kind.past_window(made.check):
        console.print(f"[yellow]past CPE Monitor's 60 days[/]: {late.learner_name}, {late.title}, "
                      f"{late.credit_date:%Y-%m-%d} ({late.days} days)")  # fmt: skip
    left = f"; left out: {len(left_out(made))}" if leave_out and not made.complete else ""
    count = len(made.completions)
    made_of = f"{count} completion{'s' if count != 1 else ''}{left}"
    console.print(f"{kind.label} as of {moment:%Y-%m-%d %H:%M} UTC written to {out} ({made_of})")
