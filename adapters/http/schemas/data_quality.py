"""Response schemas for data-quality findings on a team's monthly data."""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, Field

from aggregates.datapoints import FindingRule
from aggregates.idempotency import CommandResult
from engine.queries import TeamDataQuality
from engine.queries.data_quality import ShownFinding


class ConfirmationPublic(BaseModel):
    reason: str | None = Field(description="None once the text was erased")
    confirmed_by: str
    confirmed_at: str
    numerator: float | None = Field(description="the value confirmed (none for a month without data)")
    denominator: float | None


class FindingPublic(BaseModel):
    measure_key: str
    measure: str = Field(description="the measure's name")
    month: str
    rule: FindingRule
    title: str
    detail: str = Field(description="what was found, with the threshold it was judged by")
    threshold: float | None = Field(description="the rule's parameter, where it has one")
    status: str = Field(description='"open", or "confirmed" (the value is right, with a reason)')
    confirmation: ConfirmationPublic | None

    @classmethod
    def of(cls, shown: ShownFinding) -> FindingPublic:
        finding, confirmation = shown.finding, shown.finding.confirmation
        return cls(
            measure_key=finding.measure_key, measure=shown.measure_name, month=finding.period, rule=finding.rule,
            title=finding.title, detail=finding.detail, threshold=finding.threshold,
            status="confirmed" if confirmation else "open",
            confirmation=ConfirmationPublic(
                reason=shown.reason, confirmed_by=shown.confirmed_by or "", confirmed_at=confirmation.at.isoformat(),
                numerator=confirmation.numerator, denominator=confirmation.denominator,
            ) if confirmation else None,
        )  # fmt: skip


class RulePublic(BaseModel):
    rule: FindingRule
    title: str
    looks_for: str


class TeamDataQualityPublic(BaseModel):
    team_id: UUID
    team_name: str
    rules_version: int
    rules: list[RulePublic]
    outlier_limit: float = Field(description="median moving ranges from the team's median")
    jump_factor: float = Field(description="the factor a denominator may change by from the month before")
    last_month: str = Field(description="the latest month a missing month is looked for in")
    open: int
    confirmed: int
    findings: list[FindingPublic]

    @classmethod
    def of(cls, found: TeamDataQuality) -> TeamDataQualityPublic:
        return cls(
            team_id=found.team_id, team_name=found.team_name, rules_version=found.rules_version,
            rules=[RulePublic(rule=r.rule, title=r.title, looks_for=r.looks_for) for r in found.rules],
            outlier_limit=found.thresholds.outlier_limit, jump_factor=found.thresholds.jump_factor,
            last_month=found.last_month, open=len(found.open), confirmed=len(found.confirmed),
            findings=[FindingPublic.of(f) for f in found.findings],
        )  # fmt: skip


class DataSaved(CommandResult):
    """What a save of months did, and the data-quality findings on the months it saved."""

    findings: list[FindingPublic] = Field(default_factory=list)
