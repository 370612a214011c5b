"""Monthly reports as people read them: one team's report for a month, with the month's
data and PDSA activity computed from the team (never typed in); which teams of a
collaborative have reported for a month; and the submitted reports waiting for a coach."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from aggregates.monthly_report import SECTIONS, MonthlyReport, ReportStatus, monthly_report_id
from aggregates.pdsa import PdsaCycle
from aggregates.team import Team
from aggregates.tokens import Principal
from aggregates.values import DataType
from engine import authorization
from engine.errors import Forbidden, NotFound
from engine.queries.base import Reader


@dataclass(frozen=True)
class MonthValue:
    """A measure's data point for the month."""

    measure_key: str
    measure_name: str
    numerator: float
    denominator: float | None
    value: float
    percent: bool  # a proportion, read as a percentage


@dataclass(frozen=True)
class PdsaActivity:
    """The titles of the cycles planned, carried out, studied and acted on in the month."""

    planned: list[str] = field(default_factory=list)
    done: list[str] = field(default_factory=list)
    studied: list[str] = field(default_factory=list)
    acted: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.planned or self.done or self.studied or self.acted)


@dataclass(frozen=True)
class ReportView:
    report_id: UUID
    team_id: UUID
    team_name: str
    organization: str
    collaborative_id: UUID
    collaborative_title: str
    month: str
    status: ReportStatus
    version: int  # 0 before the first draft
    sections: dict[str, str]  # key -> text ("" when empty; ERASED_TEXT once erased)
    feedback: str
    submitted_by: str | None
    submitted_role: str
    submitted_at: datetime | None
    answered_by: str | None
    answered_role: str
    answered_at: datetime | None
    reopened_at: datetime | None
    submissions: int
    data: list[MonthValue]
    pdsa: PdsaActivity


@dataclass(frozen=True)
class ReportRow:
    """A team's line in the collaborative's list for a month."""

    team_id: UUID
    team_name: str
    month: str
    status: ReportStatus
    submitted_at: datetime | None
    answered_at: datetime | None
    successes: str
    help_wanted: str


def _in(moment: datetime | None, month: str) -> bool:
    return moment is not None and moment.strftime("%Y-%m") == month


def month_data(team: Team, month: str) -> list[MonthValue]:
    values: list[MonthValue] = []
    for key, series in team.state.measures.items():
        point = series.data.get(month)
        if point is None:
            continue
        definition = series.definition
        values.append(
            MonthValue(
                key, definition.name, point.current.numerator, point.current.denominator, point.value,
                percent=definition.data_type is DataType.PROPORTION,
            )
        )  # fmt: skip
    return values


def pdsa_activity(team: Team, month: str) -> PdsaActivity:
    activity = PdsaActivity()
    cycles: list[PdsaCycle] = sorted(team.state.cycles.values(), key=lambda c: c.planned_at)
    for cycle in cycles:
        title = cycle.plan.title
        for when, titles in (
            (cycle.planned_at, activity.planned),
            (cycle.done_at, activity.done),
            (cycle.studied_at, activity.studied),
            (cycle.acted_at, activity.acted),
        ):
            if _in(when, month):
                titles.append(title)
    return activity


class ReportQueries(Reader):
    def _report(self, team_id: UUID, month: str) -> MonthlyReport | None:
        try:
            return self.engine.get(MonthlyReport, monthly_report_id(team_id, month))
        except NotFound:
            return None

    def _opened(self, value: object) -> str:
        opened = self.engine.open_personal(value)
        return opened if isinstance(opened, str) else ""

    def monthly_report(self, principal: Principal, team_id: UUID, month: str) -> ReportView:
        """The team's report for `month` (a blank one before its first draft), with the
        month's data and PDSA activity as the team's record holds them now."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        assert team.collaborative_id is not None
        collaborative = self.engine.collaborative(team.collaborative_id)
        report = self._report(team_id, month)
        s = report.state if report is not None else None
        return ReportView(
            report_id=monthly_report_id(team_id, month),
            team_id=team.id,
            team_name=team.state.name,
            organization=team.state.organization,
            collaborative_id=collaborative.id,
            collaborative_title=collaborative.state.title,
            month=month,
            status=s.status if s else ReportStatus.NOT_STARTED,
            version=report.version if report is not None else 0,
            sections={key: self._opened(getattr(s, key)) if s else "" for key in SECTIONS},
            feedback=self._opened(s.feedback) if s else "",
            submitted_by=s.submitted_by if s else None,
            submitted_role=s.submitted_role if s else "",
            submitted_at=s.submitted_at if s else None,
            answered_by=s.answered_by if s else None,
            answered_role=s.answered_role if s else "",
            answered_at=s.answered_at if s else None,
            reopened_at=s.reopened_at if s else None,
            submissions=s.submissions if s else 0,
            data=month_data(team, month),
            pdsa=pdsa_activity(team, month),
        )

    def team_report_months(self, principal: Principal, team_id: UUID, months: list[str]) -> list[ReportRow]:
        """The team's report status for each of `months`."""
        team = self.engine.team(team_id)
        authorization.authorize_team_read(principal, team)
        return [self._row(team, month) for month in months]

    def collaborative_reports(
        self, principal: Principal, collaborative_id: UUID, month: str
    ) -> list[ReportRow]:
        """Every active team's report status for `month`: staff and auditors see every team,
        a coach the teams they coach; teams do not see each other's."""
        self._may_read_collaborative(principal, collaborative_id)
        collaborative = self.engine.collaborative(collaborative_id)
        teams = [self.engine.team(team_id) for team_id in collaborative.active_team_ids()]
        if not (principal.staff or principal.auditor):
            if not principal.coaches:
                raise Forbidden("only staff, auditors and coaches see which teams have reported")
            teams = [t for t in teams if authorization.is_coach_of(principal, t)]
        rows = [self._row(team, month) for team in teams]
        return sorted(rows, key=lambda r: r.team_name.casefold())

    def reports_awaiting(self, principal: Principal) -> list[ReportView]:
        """The submitted reports of the teams the caller coaches, waiting for their feedback."""
        if not principal.coaches or principal.participant_id is None:
            return []
        coach = self.engine.participant(principal.participant_id)
        waiting: list[ReportView] = []
        for team_id in coach.state.coaching:
            team = self.engine.team(team_id)
            if not authorization.is_coach_of(principal, team):
                continue
            assert team.collaborative_id is not None
            for month in self.report_months(team.collaborative_id):
                report = self._report(team_id, month)
                if report is not None and report.state.status is ReportStatus.SUBMITTED:
                    waiting.append(self.monthly_report(principal, team_id, month))
        return sorted(
            waiting, key=lambda r: (r.submitted_at or datetime.min.replace(tzinfo=UTC), r.team_name)
        )

    def this_month(self) -> str:
        return self.engine.clock().strftime("%Y-%m")

    def report_months(self, collaborative_id: UUID) -> list[str]:
        """The months a team of the collaborative may report, latest first: from its start
        (or twelve months back, without one) to this month."""
        now = self.engine.clock().strftime("%Y-%m")
        starts = self.engine.collaborative(collaborative_id).state.starts_on
        first = starts.strftime("%Y-%m") if starts is not None else months_back(now, 11)
        return list(reversed(months_between(min(first, now), now)))

    def _row(self, team: Team, month: str) -> ReportRow:
        report = self._report(team.id, month)
        if report is None:
            return ReportRow(team.id, team.state.name, month, ReportStatus.NOT_STARTED, None, None, "", "")
        s = report.state
        return ReportRow(
            team.id, team.state.name, month, s.status, s.submitted_at, s.answered_at,
            self._opened(s.successes), self._opened(s.help_wanted),
        )  # fmt: skip


def months_between(first: str, last: str) -> list[str]:
    """Every month from `first` to `last`, both included ("2025-01" … "2025-03")."""
    year, month = int(first[:4]), int(first[5:])
    found: list[str] = []
    while f"{year:04d}-{month:02d}" <= last and len(found) < 240:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def months_back(month: str, count: int) -> str:
    year, number = int(month[:4]), int(month[5:]) - count
    while number < 1:
        year, number = year - 1, number + 12
    return f"{year:04d}-{number:02d}"
