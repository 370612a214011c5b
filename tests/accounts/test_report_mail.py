"""A submitted monthly report reaches the team's coach by mail (aiosmtpd on loopback), with
a link to the report; a report reopened before the outbox's round, or a coach without an
account, gets no message. On both stores."""

from __future__ import annotations

from engine.application import QIEngine
from engine.commands.reports import DraftReport, ReopenReport, SubmitReport
from engine.outbox import Outbox
from tests.accounts.conftest import STAFF
from tests.accounts.test_outbox import body
from tests.mailbox import Mailbox, link
from tests.store.lifecycle import Lifecycle

MONTH = "2025-03"  # the tests' clock stands at 1 Mar 2025
COACH_EMAIL = "cora.coach@mercy.example"


def _submitted(life: Lifecycle, team: int = 0) -> None:
    team_id = life.teams[team]
    life.run(DraftReport(team_id=team_id, month=MONTH, successes="Kg-only scales in both bays"))
    life.run(SubmitReport(team_id=team_id, month=MONTH))


def test_the_coach_is_mailed_a_link_to_the_submitted_report(
    engine: QIEngine, life: Lifecycle, mailbox: Mailbox, outbox: Outbox
) -> None:
    engine.accounts.invite(STAFF, email=COACH_EMAIL, name="Cora Coach", team_id=life.teams[0], as_coach=True)
    outbox.tick()  # the invitation
    _submitted(life)

    assert outbox.tick() == 1
    report = mailbox.messages[-1]
    team_name = engine.team(life.teams[0]).state.name
    assert report["To"] == COACH_EMAIL and report["Subject"] == f"{team_name}: monthly report for March 2025"
    assert "Hello Cora Coach" in body(report)
    assert link(report, "/ui/teams/") == f"{life.teams[0]}/reports/{MONTH}"
    assert outbox.tick() == 0 and len(mailbox.messages) == 2


def test_a_report_reopened_before_the_round_and_a_coach_without_an_account_get_no_mail(
    engine: QIEngine, life: Lifecycle, mailbox: Mailbox, outbox: Outbox
) -> None:
    engine.accounts.invite(STAFF, email=COACH_EMAIL, name="Cora Coach", team_id=life.teams[0], as_coach=True)
    outbox.tick()
    _submitted(life)
    life.run(ReopenReport(team_id=life.teams[0], month=MONTH))
    _submitted(life, team=1)  # team 1 has no coach

    assert outbox.tick() == 0 and len(mailbox.messages) == 1  # the invitation alone
