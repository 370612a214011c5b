"""Every kind of aggregate the engine stores, in one table.

The engine reads what it needs from here: the name a message gives a kind ("no team
with id ..."), which kinds are snapshotted (those with long histories), and the
event that creates one (to list the ids of a kind from the notification log).
A test holds the table complete: every aggregate class in this package is in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from aggregates.accounts import Account, AccountInvited, EmailClaim, EmailClaimed
from aggregates.activity import ActivityScheduled, LearningActivity
from aggregates.assessment_instrument import AssessmentInstrument, InstrumentPublished
from aggregates.audit_rechain import AuditRechained, AuditRechaining
from aggregates.base import QIAggregate, QICreated
from aggregates.change_package import ChangePackage, ChangePackageStarted
from aggregates.collaborative import Collaborative, CollaborativeCreated
from aggregates.idempotency import CommandAccepted, CommandRecord
from aggregates.ids import IdClaim, IdClaimed
from aggregates.measure_chart import MeasureChart, MeasureChartStarted
from aggregates.monthly_report import MonthlyReport, MonthlyReportStarted
from aggregates.participant import Participant, ParticipantRegistered
from aggregates.reminders import Reminder, ReminderDue
from aggregates.resource import Resource, ResourceShared
from aggregates.stored_sealing import StoredSealing, StoredValuesSealed
from aggregates.team import Team, TeamRegistered
from aggregates.tokens import ApiToken, TokenIssued
from aggregates.toolkit import Toolkit, ToolkitCompiled
from aggregates.training import ModulePublished, TrainingModule, TrainingRecord, TrainingStarted
from aggregates.web_sessions import SessionStarted, WebSession


@dataclass(frozen=True)
class Kind:
    name: str
    aggregate: type[QIAggregate]
    created: type[QICreated]
    # Snapshotted every `Settings.snapshot_interval` versions: the kinds whose histories
    # grow with the collaborative's life. The others stay short.
    snapshotted: bool = False


KINDS: tuple[Kind, ...] = (
    Kind("collaborative", Collaborative, CollaborativeCreated, snapshotted=True),
    Kind("team", Team, TeamRegistered, snapshotted=True),
    Kind("learning activity", LearningActivity, ActivityScheduled, snapshotted=True),
    Kind("participant", Participant, ParticipantRegistered, snapshotted=True),
    Kind("account", Account, AccountInvited, snapshotted=True),  # a sign-in is an event
    Kind("email claim", EmailClaim, EmailClaimed),
    Kind("token", ApiToken, TokenIssued),
    Kind("resource", Resource, ResourceShared),
    Kind("change package", ChangePackage, ChangePackageStarted),
    Kind("toolkit", Toolkit, ToolkitCompiled),
    Kind("measure chart", MeasureChart, MeasureChartStarted),
    Kind("monthly report", MonthlyReport, MonthlyReportStarted),
    Kind("assessment instrument", AssessmentInstrument, InstrumentPublished),
    Kind("web session", WebSession, SessionStarted),
    Kind("reminder", Reminder, ReminderDue),
    Kind("id claim", IdClaim, IdClaimed),
    Kind("command record", CommandRecord, CommandAccepted),
    Kind("audit rechaining", AuditRechaining, AuditRechained),
    Kind("stored sealing", StoredSealing, StoredValuesSealed),
    Kind("training module", TrainingModule, ModulePublished),
    Kind("training record", TrainingRecord, TrainingStarted),
)

_BY_CLASS: dict[type[QIAggregate], Kind] = {kind.aggregate: kind for kind in KINDS}


def kind_name(aggregate_class: type[QIAggregate]) -> str:
    """How messages name a kind of aggregate: "no team with id ..."."""
    kind = _BY_CLASS.get(aggregate_class)
    return kind.name if kind is not None else aggregate_class.__name__


def snapshotted() -> tuple[type[QIAggregate], ...]:
    return tuple(kind.aggregate for kind in KINDS if kind.snapshotted)
