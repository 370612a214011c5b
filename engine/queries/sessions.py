"""Reads for recording a session's attendance (staff): the session, and who may attend
it (every member of an active team) with the addresses their attendance reports use."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from aggregates.accounts import account_id
from aggregates.activity import LearningActivity
from aggregates.collaborative import Collaborative
from aggregates.phases import Activity, is_allowed
from aggregates.tokens import Principal
from engine.errors import Forbidden, NotFound
from engine.queries.base import Reader


@dataclass(frozen=True)
class Attendee:
    """A person who may attend: their name, team, email addresses and minutes recorded so far."""

    participant_id: UUID
    name: str
    team: str
    emails: tuple[str, ...]
    minutes: int | None


@dataclass(frozen=True)
class SessionRoster:
    collaborative: Collaborative
    activity: LearningActivity
    attendees: list[Attendee]
    longest: int  # the most minutes anyone can have attended
    longest_why: str
    started: bool  # attendance is recorded once the session has started
    allowed: bool  # the collaborative's phase allows recording attendance

    def by_email(self) -> dict[str, Attendee]:
        """Each attendee under every address of theirs, folded to lower case."""
        return {email.casefold(): a for a in self.attendees for email in a.emails}


class SessionQueries(Reader):
    def session_roster(
        self, principal: Principal, collaborative_id: UUID, activity_id: UUID
    ) -> SessionRoster:
        """A session of the collaborative and its roster, for staff to record attendance."""
        if not principal.staff:
            raise Forbidden("only staff record attendance")
        collaborative = self.engine.collaborative(collaborative_id)
        if activity_id not in collaborative.state.activities:
            raise NotFound("learning activity in this collaborative", activity_id)
        activity = self.engine.activity(activity_id)
        longest, why = activity.longest_attendance()
        return SessionRoster(
            collaborative=collaborative,
            activity=activity,
            attendees=self._session_attendees(collaborative, activity),
            longest=longest,
            longest_why=why,
            started=self.engine.clock() >= activity.state.details.starts_at,
            allowed=is_allowed(Activity.RECORD_ATTENDANCE, collaborative.phase),
        )

    def _session_attendees(self, collaborative: Collaborative, activity: LearningActivity) -> list[Attendee]:
        found = []
        for team_id, entry in collaborative.state.teams.items():
            if not entry.active:
                continue
            for member in self.engine.team(team_id).state.members.values():
                pid = member.participant_id
                recorded = activity.state.attendance.get(pid)
                details = self.engine.participant(pid).state.details
                found.append(Attendee(pid, str(details.name), entry.name, self._attendee_emails(pid, details.email),
                                      recorded.minutes if recorded else None))  # fmt: skip
        return sorted(found, key=lambda a: (a.team, a.name))

    def _attendee_emails(self, participant_id: UUID, listed: object) -> tuple[str, ...]:
        """The address on the person's record and their account's sign-in address (opened;
        none once erased)."""
        account = self.engine.accounts.account(account_id(participant_id))
        signed_in_with = account.state.email if account is not None else None
        return tuple(dict.fromkeys(e for e in (listed, signed_in_with) if isinstance(e, str) and "@" in e))
