"""The demo summary as rich panels and tables, for the command line."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table

from scripts.demo.summary import DemoSummary


def render_summary(summary: DemoSummary) -> RenderableType:
    """The summary as rich panels and tables, for the command line."""
    return Group(_overview(summary), _phase_table(summary), _team_table(summary))


def _overview(summary: DemoSummary) -> Panel:
    settings = ", ".join(f"{setting.value} {count}" for setting, count in summary.teams_by_setting.items())
    decisions = ", ".join(f"{d} {n}" for d, n in sorted(summary.pdsa_by_decision.items()))
    lines = [
        f"[bold]{summary.title}[/bold]  ({summary.starts_on} to {summary.ends_on})",
        f"phase: [cyan]{summary.phase.value}[/cyan]    id: {summary.collaborative_id}",
        f"teams: {len(summary.teams)} ({settings}); members {summary.members}; coaches {summary.coaches}",
        f"held: {summary.learning_sessions_held} learning sessions, "
        f"{summary.fireside_chats_held} fireside chats; {summary.attendance_records} attendance records",
        f"PDSA cycles: {decisions}",
        f"change package: {summary.change_ideas} change ideas and {summary.retired_change_ideas} retired, "
        f"tested by {summary.cycles_testing_ideas} PDSA cycles",
        f"all teach, all learn: {summary.project_comments} comments on shared projects, "
        f"{summary.changes_tried} shared changes tried by other teams",
        f"community of practice: {summary.community_members} members",
        *(f"output: {output}" for output in summary.outputs),
    ]
    return Panel("\n".join(lines), title="Demo collaborative", expand=False)


def _phase_table(summary: DemoSummary) -> Table:
    table = Table(title="Phase history")
    for column in ("phase", "on", "override reason"):
        table.add_column(column)
    for step in summary.phase_history:
        table.add_row(step.phase.value, step.on.isoformat(), step.override_reason or "")
    return table


def _team_table(summary: DemoSummary) -> Table:
    table = Table(title=f"Teams ({summary.measure_key}: first and last month)")
    for column in ("team", "care setting", "members", "coach", "months", "first", "last", "PDSA", "shared"):
        table.add_column(column, justify="right" if column in ("members", "months", "PDSA") else "left")
    for team in sorted(summary.teams, key=lambda t: (t.care_setting.value, t.name)):
        table.add_row(
            team.name, team.care_setting.value, str(team.members), team.coach or "",
            str(team.data_points), _percent(team.first_period, team.first_value),
            _percent(team.last_period, team.last_value), str(team.pdsa_cycles),
            "yes" if team.shared else "no",
        )  # fmt: skip
    return table


def _percent(period: str | None, value: float | None) -> str:
    return f"{value:.0%} ({period})" if period is not None and value is not None else ""
