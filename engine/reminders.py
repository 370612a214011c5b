"""Reminders: finding the occasions that are due, recording one reminder per occasion and
person, and judging whether one still holds when it is sent or shown.

The occasions (aggregates.reminders):

- data due: a team's month of data is not in by day `data_due_day` of the next month, in
  the collaborative's time zone. A measure expects a month unless all of its data is later
  (a team that began reporting in May owes no March); a measure with no data owes every
  month. Its members are reminded, from the first learning session on (when data is due).
- report due: the team's report for the month was never submitted by day
  `report_due_day` (a report reopened after a submission is the team's work in hand).
- session soon: a learning activity starts within `session_reminder_hours`: the
  collaborative's teams' members and coaches (a coaching call: its team's), once per
  start (an activity moved to another time is another occasion).
- invitation waiting: an invitation neither accepted nor expired `invitation_reminder_days`
  after it was sent (or renewed: a new link is another occasion), to the invitee.

Each round (`ReminderScheduler.tick`, one process at a time by the "reminders" leader lock,
every `reminder_interval` seconds) reads the occasions from the read models, leaves out the
people who turned the kind off or cannot sign in, and the reminders already recorded, and
records the rest (RecordReminder): a second process, or the same one after a restart,
finds it taken (the reminder's id is the occasion's and the person's: two processes
creating it at once collide in the store, and one of them wins) and records nothing. The outbox sends each recorded reminder
(engine/outbox.py), judging it again from the aggregates first (`still_due`): data entered,
a report submitted or a person who left the team since is not written to.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson

from aggregates.accounts import Account, account_id
from aggregates.activity import LearningActivity
from aggregates.base import Actor, Role
from aggregates.collaborative import Collaborative
from aggregates.monthly_report import MonthlyReport, monthly_report_id
from aggregates.phases import Activity, Phase, is_allowed
from aggregates.reminders import Occasion, Reminder, ReminderKind, reminder_id
from aggregates.team import Team
from engine.commands.reminders import RecordReminder
from engine.errors import AlreadyExists, ConcurrencyConflict, NotFound
from engine.leader_locks import LeaderLock, leader_lock
from engine.settings import Settings
from projections import dashboard_tables as dash
from projections.base import Tx
from projections.reminders import PEOPLE, REMINDERS, REPORTS, SESSIONS, utc_text

log = logging.getLogger(__name__)
SCHEDULER = Actor(id="reminder-scheduler", role=Role.SYSTEM)
RECENT = timedelta(days=62)  # how far back a round looks for reminders already recorded


@dataclass(frozen=True)
class Due:
    """One person to be reminded of one occasion."""

    occasion: Occasion
    participant_id: UUID

    @property
    def reminder_id(self) -> UUID:
        return reminder_id(self.occasion, self.participant_id)


def previous_month(moment: datetime) -> str:
    first = moment.replace(day=1)
    return f"{first - timedelta(days=1):%Y-%m}"


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # a zone this machine does not know: UTC
        return ZoneInfo("UTC")


# -- finding the occasions -------------------------------------------------------------
class Occasions:
    """The occasions due at `now`, from the read models (in one transaction) and the
    collaboratives' settings (their time zone and start)."""

    def __init__(
        self, tx: Tx, settings: Settings, now: datetime, collaborative: Callable[[UUID], Any]
    ) -> None:
        self.tx, self.settings, self.now = tx, settings, now
        self._collaborative = collaborative

    def due(self) -> list[Due]:
        """Everyone to remind now: every occasion's people who want that kind and can sign
        in, less the reminders recorded already."""
        people = self._reachable()
        recorded = {row[0] for row in self.tx.fetchall(
            f"SELECT reminder_id FROM {REMINDERS} WHERE recorded_at >= ?", ((self.now - RECENT).isoformat(),)
        )}  # fmt: skip
        found: list[Due] = []
        for due in (*self._monthly(), *self._sessions()):
            off = people.get(due.participant_id)
            if (
                off is not None
                and due.occasion.kind.value not in off
                and str(due.reminder_id) not in recorded
            ):
                found.append(due)
        found.extend(d for d in self._invitations() if str(d.reminder_id) not in recorded)
        return found

    def _reachable(self) -> dict[UUID, set[str]]:
        """People with an accepted, enabled account: the kinds each turned off."""
        rows = self.tx.fetchall(
            f"SELECT participant_id, reminders_off FROM {PEOPLE} WHERE accepted = 1 AND disabled = 0"
        )
        return {UUID(pid): set(orjson.loads(off)) for pid, off in rows}

    def _working(self) -> Iterator[Collaborative]:
        """The collaboratives whose teams owe monthly data and reports now."""
        rows = self.tx.fetchall(f"SELECT collaborative_id, phase FROM {dash.COLLABORATIVE}")
        for collaborative_id, phase in rows:
            if is_allowed(Activity.SUBMIT_DATA, Phase(phase)):
                yield self._collaborative(UUID(collaborative_id))

    def _monthly(self) -> Iterator[Due]:
        for collaborative in self._working():
            local = self.now.astimezone(zone(collaborative.state.time_zone))
            month = previous_month(local)
            starts: date | None = collaborative.state.starts_on
            if starts is not None and month < f"{starts:%Y-%m}":
                continue
            c = str(collaborative.id)
            members: dict[str, list[UUID]] = {}
            for team_id, person in self.tx.fetchall(
                f"SELECT m.team_id, m.participant_id FROM {dash.MEMBER} m JOIN {dash.TEAM} t "
                "ON t.team_id = m.team_id WHERE t.collaborative_id = ? AND t.active = 1 ORDER BY m.participant_id",
                (c,),
            ):
                members.setdefault(team_id, []).append(UUID(person))
            for day, kind, teams in (
                (self.settings.data_due_day, ReminderKind.DATA_DUE, self._without_data),
                (self.settings.report_due_day, ReminderKind.REPORT_DUE, self._without_report),
            ):
                due_at = local.replace(day=day, hour=0, minute=0, second=0, microsecond=0)
                if local < due_at:
                    continue
                for team_id in teams(c, month):
                    occasion = Occasion(
                        kind=kind, key=f"{team_id}/{month}", collaborative_id=collaborative.id,
                        team_id=UUID(team_id), month=month, due_at=due_at,
                    )  # fmt: skip
                    for member in members.get(team_id, ()):
                        yield Due(occasion, member)

    def _without_data(self, collaborative_id: str, month: str) -> list[str]:
        """The active teams with a measure that expects `month` and has no value for it."""
        point = f"SELECT 1 FROM {dash.POINT} p WHERE p.team_id = m.team_id AND p.measure_key = m.measure_key"
        rows = self.tx.fetchall(
            f"SELECT DISTINCT t.team_id FROM {dash.TEAM} t JOIN {dash.MEASURE} m ON m.team_id = t.team_id "
            f"WHERE t.collaborative_id = ? AND t.active = 1 AND NOT EXISTS ({point} AND p.period = ?) "
            f"AND (NOT EXISTS ({point}) OR EXISTS ({point} AND p.period < ?)) ORDER BY t.team_id",
            (collaborative_id, month, month),
        )
        return [row[0] for row in rows]

    def _without_report(self, collaborative_id: str, month: str) -> list[str]:
        rows = self.tx.fetchall(
            f"SELECT t.team_id FROM {dash.TEAM} t WHERE t.collaborative_id = ? AND t.active = 1 AND NOT EXISTS "
            f"(SELECT 1 FROM {REPORTS} r WHERE r.team_id = t.team_id AND r.month = ? AND r.submitted = 1) "
            "ORDER BY t.team_id",
            (collaborative_id, month),
        )
        return [row[0] for row in rows]

    def _sessions(self) -> Iterator[Due]:
        until = self.now + timedelta(hours=self.settings.session_reminder_hours)
        rows = self.tx.fetchall(
            f"SELECT activity_id, collaborative_id, starts_at, team_id FROM {SESSIONS} "
            "WHERE starts_utc > ? AND starts_utc <= ? ORDER BY starts_utc",
            (utc_text(self.now), utc_text(until)),
        )
        for activity_id, collaborative_id, starts_at, team_id in rows:
            starts = datetime.fromisoformat(starts_at)
            occasion = Occasion(
                kind=ReminderKind.SESSION_SOON, key=f"{activity_id}@{starts.astimezone(UTC).isoformat()}",
                collaborative_id=UUID(collaborative_id), activity_id=UUID(activity_id), due_at=starts,
            )  # fmt: skip
            for person in sorted(self._people_of(collaborative_id, team_id)):
                yield Due(occasion, person)

    def _people_of(self, collaborative_id: str, team_id: str | None) -> set[UUID]:
        """Who is expected at an activity: the members and coaches of its team, or of the
        collaborative's active teams."""
        where, params = (
            ("t.team_id = ?", (team_id,)) if team_id else ("t.collaborative_id = ?", (collaborative_id,))
        )
        members = self.tx.fetchall(
            f"SELECT m.participant_id FROM {dash.MEMBER} m JOIN {dash.TEAM} t ON t.team_id = m.team_id "
            f"WHERE {where} AND t.active = 1",
            params,
        )
        coaches = self.tx.fetchall(
            f"SELECT t.coach_id FROM {dash.TEAM} t WHERE {where} AND t.active = 1 AND t.coach_id IS NOT NULL",
            params,
        )
        return {UUID(row[0]) for row in (*members, *coaches)}

    def _invitations(self) -> Iterator[Due]:
        sent_before = self.now - timedelta(days=self.settings.invitation_reminder_days)
        rows = self.tx.fetchall(
            f"SELECT participant_id, invitation_id, invited_at, invitation_expires_at FROM {PEOPLE} "
            "WHERE accepted = 0 AND disabled = 0 AND invitation_id IS NOT NULL"
        )
        for participant_id, invitation_id, invited_at, expires_at in rows:
            expires = datetime.fromisoformat(expires_at)
            if datetime.fromisoformat(invited_at) <= sent_before and self.now < expires:
                occasion = Occasion(
                    kind=ReminderKind.INVITATION_WAITING, key=invitation_id,
                    invitation_id=UUID(invitation_id), due_at=expires,
                )  # fmt: skip
                yield Due(occasion, UUID(participant_id))


# -- judging one again, from the aggregates --------------------------------------------
def missing_measures(team: Team, month: str) -> list[str]:
    """The names of the team's measures that expect `month` and have no value for it."""
    missing: list[str] = []
    for series in team.state.measures.values():
        months = sorted(series.data)
        if month not in series.data and (not months or months[0] < month):
            missing.append(series.definition.name)
    return sorted(missing, key=str.casefold)


def still_due(engine: Any, occasion: Occasion, participant_id: UUID, now: datetime) -> bool:
    """Whether the occasion still holds for the person, as the aggregates say now."""
    try:
        if occasion.kind is ReminderKind.INVITATION_WAITING:
            account: Account = engine.get(Account, account_id(participant_id))
            assert occasion.invitation_id is not None
            return (
                account.state.status == "invited"
                and account.invitation_problem(occasion.invitation_id, now) is None
            )
        if occasion.kind is ReminderKind.SESSION_SOON:
            assert occasion.activity_id is not None
            activity: LearningActivity = engine.get(LearningActivity, occasion.activity_id)
            return activity.state.details.starts_at == occasion.due_at and now < occasion.due_at
        assert occasion.team_id is not None and occasion.month is not None
        team: Team = engine.team(occasion.team_id)
        if not team.state.active or participant_id not in team.state.members:
            return False
        if occasion.kind is ReminderKind.DATA_DUE:
            return bool(missing_measures(team, occasion.month))
        report = engine.get(MonthlyReport, monthly_report_id(team.id, occasion.month))
        return report.state.submissions == 0
    except NotFound:
        return occasion.kind is ReminderKind.REPORT_DUE  # no report at all: still due


@dataclass(frozen=True)
class Words:
    """A reminder as a person reads it: the message's subject, a sentence, where to act."""

    subject: str
    text: str
    link: str  # a path of the site
    action: str


def words(engine: Any, occasion: Occasion, now: datetime) -> Words:
    """The reminder in words, from the aggregates as they are now (still_due first)."""
    kind = occasion.kind
    if kind is ReminderKind.INVITATION_WAITING:
        expires = f"{occasion.due_at:%-d %B %Y}"
        return Words(
            "Your invitation to the QI Collaborative is waiting",
            f"Your invitation to the QI Collaborative is waiting for you: its link works until {expires}.",
            "", "Accept the invitation",
        )  # fmt: skip
    if kind is ReminderKind.SESSION_SOON:
        assert occasion.activity_id is not None and occasion.collaborative_id is not None
        details = engine.get(LearningActivity, occasion.activity_id).state.details
        collaborative = engine.collaborative(occasion.collaborative_id)
        local = details.starts_at.astimezone(zone(collaborative.state.time_zone))
        when = f"{local:%A %-d %B %Y at %H:%M} {local.tzname()}"
        return Words(
            f"{details.title} starts {when}",
            f"{details.title} ({details.kind.value.replace('_', ' ')}, {collaborative.state.title}) starts {when}, "
            f"for {details.duration_minutes} minutes.",
            f"/ui/collaboratives/{collaborative.id}#activities", "See the activities",
        )  # fmt: skip
    assert occasion.team_id is not None and occasion.month is not None
    team = engine.team(occasion.team_id)
    month = f"{datetime.strptime(occasion.month, '%Y-%m'):%B %Y}"
    due = f"{occasion.due_at:%-d %B %Y}"
    if kind is ReminderKind.DATA_DUE:
        missing = missing_measures(team, occasion.month)
        return Words(
            f"{team.state.name}: the {month} data is due",
            f"{team.state.name}'s {month} data was due on {due}; no value yet for: {', '.join(missing)}.",
            f"/ui/teams/{team.id}#measures", "Enter the data",
        )  # fmt: skip
    return Words(
        f"{team.state.name}: the monthly report for {month} is due",
        f"{team.state.name}'s monthly report for {month} was due on {due} and is not submitted yet.",
        f"/ui/teams/{team.id}/reports/{occasion.month}", "Write the report",
    )  # fmt: skip


# -- the scheduler ---------------------------------------------------------------------
class ReminderScheduler:
    """Records the reminders due, one round at a time, in one process at a time."""

    def __init__(self, engine: Any, read_models: Any, lock: LeaderLock | None = None) -> None:
        self.engine = engine
        self.read_models = read_models
        self.lock = lock or leader_lock(engine.settings, "reminders")
        self._lock = threading.Lock()

    def tick(self) -> int:
        """Record every reminder due now; how many this round recorded."""
        if not self.lock.try_acquire():
            return 0
        with self._lock:
            self.read_models.wait_for()
            now = self.engine.clock()
            with self.read_models.store.transaction() as tx:
                found = Occasions(tx, self.engine.settings, now, self.engine.collaborative).due()
            return sum(self._record(due) for due in found)

    def _record(self, due: Due) -> bool:
        """Record one reminder; False when it was recorded already (by a round of another
        process whose reminders the read model has not caught up with, say)."""
        try:
            self.engine.get(Reminder, due.reminder_id)
            return False
        except NotFound:
            pass
        ctx = self.engine.context(SCHEDULER)
        try:
            outcome = self.engine.execute(
                RecordReminder(participant_id=due.participant_id, occasion=due.occasion), ctx
            )
        except (AlreadyExists, ConcurrencyConflict):
            return False  # recorded by another process in the meantime
        except NotFound:
            log.warning("a reminder for %s names what is gone; passed over", due.participant_id)
            return False
        return outcome.id == due.reminder_id

    def close(self) -> None:
        self.lock.release()


def start_inprocess(scheduler: ReminderScheduler, interval: float) -> Callable[[], None]:
    """Look for reminders due every `interval` seconds, on a thread; returns what stops it."""
    stop = threading.Event()

    def run() -> None:
        try:
            while True:
                try:
                    scheduler.tick()
                except Exception:  # the store or the read models: the next round tries again
                    log.warning("finding reminders failed; trying again in %s s", interval, exc_info=True)
                if stop.wait(interval):
                    break
        finally:
            scheduler.close()

    thread = threading.Thread(target=run, name="qi-reminders", daemon=True)
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(15)

    return halt
