"""One place says which fields are personal (aggregates.personal marks them): these, and
no event or state field beyond them holds a person's name, email, licences or notes."""

from __future__ import annotations

from adapters.contracts import event_classes
from aggregates.base import QIAggregate
from aggregates.personal import Keep, personal_fields

PERSONAL = {
    "ParticipantRegistered": {
        "details.name",
        "details.credentials",
        "details.email",
        "details.licences",
        "details.learner",
    },
    "ParticipantDetailsUpdated": {
        "details.name",
        "details.credentials",
        "details.email",
        "details.licences",
        "details.learner",
    },
    "MocPart4Attested": {"statement"},
    "CoachingNoteAdded": {"text"},
    "ProgressScored": {"rationale"},
    "AccountInvited": {"email"},
    "ReportDrafted": {"successes", "barriers", "tested", "learned", "help_wanted"},
    "ReportAnswered": {"feedback"},
    "DataFindingConfirmed": {"reason"},
    "InstrumentAssessed": {"answers.texts.{}"},  # the text answers to an assessment instrument
}


def test_the_personal_fields_of_the_events_are_exactly_the_marked_ones() -> None:
    found = {
        name: {".".join(f.path) for f in personal_fields(cls)}
        for name, cls in event_classes().items()
        if personal_fields(cls)
    }
    assert found == PERSONAL


def test_what_a_ce_record_keeps_after_erasure_is_the_name_the_licences_and_the_accreditors_ids_only() -> None:
    kept = {
        ".".join(f.path)
        for cls in event_classes().values()
        for f in personal_fields(cls)
        if f.mark.keep is Keep.CE_RECORD
    }
    assert kept == {"details.name", "details.licences", "details.learner"}


def test_every_aggregate_state_marks_the_personal_values_it_keeps() -> None:
    event_classes()  # imports every aggregate module
    states = {cls.__name__: cls.State for cls in _aggregates() if hasattr(cls, "State")}
    marked = {name: {".".join(f.path) for f in personal_fields(s)} for name, s in states.items()}
    assert marked["Participant"] == {
        "details.name",
        "details.credentials",
        "details.email",
        "details.licences",
        "details.learner",
        "moc_part4_attestations.{}",
    }
    assert marked["Team"] == {
        "coaching_notes.{}.text",
        "progress.{}.rationale",
        "confirmed_findings.{}.reason",
        "instrument_assessments.{}.answers.texts.{}",
    }
    assert marked["Account"] == {"email"}
    assert marked["MonthlyReport"] == {
        "successes",
        "barriers",
        "tested",
        "learned",
        "help_wanted",
        "feedback",
    }
    assert all(
        not fields
        for name, fields in marked.items()
        if name not in ("Participant", "Team", "Account", "MonthlyReport")
    )


def _aggregates() -> list[type[QIAggregate]]:
    found, pending = [], list(QIAggregate.__subclasses__())
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found
