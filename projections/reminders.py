"""The reminders read model: the reminders recorded for each person (their home page reads
them), and the few facts finding an occasion needs that no other read model keeps: each
account's state and choice of reminders, its open invitation, which team months have a
submitted report, and each activity's start in UTC (indexed: a round reads only the
activities starting within the reminder's hours, not every one). Teams, members, measures
and data points are the dashboard's (projections/dashboard_tables.py); engine/reminders.py
reads both."""

from __future__ import annotations

from datetime import UTC, datetime

from aggregates import accounts, activity, monthly_report, reminders
from projections.base import Projection, Recorded, Tx, ddl, insert_once, json_text, update, upsert

REMINDERS = "rm_reminders"
PEOPLE = "rm_reminder_people"
REPORTS = "rm_reminder_reports"
SESSIONS = "rm_reminder_sessions"
TABLES = {
    REMINDERS: ddl(
        REMINDERS,
        "reminder_id TEXT PRIMARY KEY, participant_id TEXT NOT NULL, kind TEXT NOT NULL, "
        "occasion TEXT NOT NULL, due_at TEXT NOT NULL, recorded_at TEXT NOT NULL, position BIGINT NOT NULL",
    ),
    PEOPLE: ddl(
        PEOPLE,
        "account_id TEXT PRIMARY KEY, participant_id TEXT NOT NULL, accepted INTEGER NOT NULL, "
        "disabled INTEGER NOT NULL, reminders_off TEXT NOT NULL, invitation_id TEXT, invited_at TEXT, "
        "invitation_expires_at TEXT",
    ),
    REPORTS: ddl(
        REPORTS,
        "report_id TEXT PRIMARY KEY, team_id TEXT NOT NULL, month TEXT NOT NULL, submitted INTEGER NOT NULL",
    ),
    SESSIONS: ddl(
        SESSIONS,
        "activity_id TEXT PRIMARY KEY, collaborative_id TEXT NOT NULL, team_id TEXT, starts_utc TEXT NOT NULL, "
        "starts_at TEXT NOT NULL",
    ),
}
INDEXES = (
    f"CREATE INDEX IF NOT EXISTS {SESSIONS}_starts ON {SESSIONS} (starts_utc)",
    f"CREATE INDEX IF NOT EXISTS {REMINDERS}_person ON {REMINDERS} (participant_id, due_at)",
    f"CREATE INDEX IF NOT EXISTS {PEOPLE}_person ON {PEOPLE} (participant_id)",
    f"CREATE INDEX IF NOT EXISTS {REPORTS}_month ON {REPORTS} (month, submitted)",
)


def _due(tx: Tx, r: Recorded) -> None:
    e: reminders.ReminderDue = r.event
    insert_once(tx, REMINDERS, {
        "reminder_id": str(e.originator_id), "participant_id": str(e.participant_id),
        "kind": e.occasion.kind.value, "occasion": e.occasion.model_dump_json(),
        "due_at": e.occasion.due_at.isoformat(), "recorded_at": e.timestamp.isoformat(), "position": r.position,
    })  # fmt: skip


def _invited(tx: Tx, r: Recorded) -> None:
    e: accounts.AccountInvited = r.event
    upsert(tx, PEOPLE, ("account_id",), {
        "account_id": str(e.originator_id), "participant_id": str(e.participant_id), "accepted": 0,
        "disabled": 0, "reminders_off": "[]", "invitation_id": str(e.invitation_id),
        "invited_at": e.timestamp.isoformat(), "invitation_expires_at": e.expires_at.isoformat(),
    })  # fmt: skip


def _renewed(tx: Tx, r: Recorded) -> None:
    e: accounts.InvitationRenewed = r.event
    update(tx, PEOPLE, {"account_id": str(e.originator_id)}, invitation_id=str(e.invitation_id),
           invited_at=e.timestamp.isoformat(), invitation_expires_at=e.expires_at.isoformat())  # fmt: skip


def _accepted(tx: Tx, r: Recorded) -> None:
    update(tx, PEOPLE, {"account_id": str(r.event.originator_id)}, accepted=1, invitation_id=None)


def _disabled(tx: Tx, r: Recorded) -> None:
    update(tx, PEOPLE, {"account_id": str(r.event.originator_id)}, disabled=1)


def _enabled(tx: Tx, r: Recorded) -> None:
    update(tx, PEOPLE, {"account_id": str(r.event.originator_id)}, disabled=0)


def _chosen(tx: Tx, r: Recorded) -> None:
    e: accounts.RemindersChosen = r.event
    update(
        tx, PEOPLE, {"account_id": str(e.originator_id)}, reminders_off=json_text([k.value for k in e.off])
    )


def utc_text(moment: datetime) -> str:
    """A moment as fixed-width UTC text, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _scheduled(tx: Tx, r: Recorded) -> None:
    e: activity.ActivityScheduled = r.event
    team = e.details.team_id
    insert_once(tx, SESSIONS, {
        "activity_id": str(e.originator_id), "collaborative_id": str(e.collaborative_id),
        "team_id": str(team) if team else None, "starts_utc": utc_text(e.details.starts_at),
        "starts_at": e.details.starts_at.isoformat(),
    })  # fmt: skip


def _report_started(tx: Tx, r: Recorded) -> None:
    e: monthly_report.MonthlyReportStarted = r.event
    insert_once(tx, REPORTS, {"report_id": str(e.originator_id), "team_id": str(e.team_id), "month": e.month,
                              "submitted": 0})  # fmt: skip


def _report_submitted(tx: Tx, r: Recorded) -> None:
    update(tx, REPORTS, {"report_id": str(r.event.originator_id)}, submitted=1)


class Reminders(Projection):
    name = "reminders"
    version = 2  # 2: each activity's start in UTC
    tables = TABLES
    indexes = INDEXES
    handlers = {
        reminders.ReminderDue: _due,
        accounts.AccountInvited: _invited,
        accounts.InvitationRenewed: _renewed,
        accounts.InvitationAccepted: _accepted,
        accounts.AccountDisabled: _disabled,
        accounts.AccountErased: _disabled,
        accounts.AccountEnabled: _enabled,
        accounts.RemindersChosen: _chosen,
        monthly_report.MonthlyReportStarted: _report_started,
        monthly_report.ReportSubmitted: _report_submitted,
        activity.ActivityScheduled: _scheduled,
    }
