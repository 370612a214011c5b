"""The pages' authorization matrix: every /ui route, for every kind of membership, through
the pages as a browser uses them (signed in with email and password, each form sent with
its page's CSRF token).

The world: collaboratives A (teams A1, A2) and B (team B1), both in their sessions phase
with a measure on every team. The people, each an accepted account: staff, an auditor of A,
an auditor of every collaborative, a member of A1, a member of A1 and A2, a member of A1
and B1, the coach of A1 and B1, and a person with no membership at all; besides them,
nobody signed in, and a session signed out and replayed.

Every route of the pages' routers must be declared in MATRIX (a new page joins by itself
and fails this test until it is), either as public, or with concrete URLs and who may use
each. Who may comes from the small table of rules below, in words, over a person's
memberships; never from the engine's own authorization. A page a person may open answers
2xx or 3xx (not to the sign-in page); one they may not answers 403 (404 where there is no
such thing) and names nothing they may not see; signed out, everything sends to the sign-in
page. A form a person may send is accepted; one they may not is refused and stores no event.
Routes that need a later phase (comments, toolkits) move both collaboratives on first."""

from __future__ import annotations

import io
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response

from adapters.http.files import file_store
from adapters.web import (
    account_pages,
    audit_pages,
    chart_forms,
    chart_pages,
    collaborative_forms,
    credit_pages,
    data_forms,
    data_quality_pages,
    forms,
    instrument_pages,
    learner_ids_form,
    learning_pages,
    oidc,
    pages,
    progress_pages,
    report_pages,
    session_forms,
    side_by_side,
    sign_in,
    team_forms,
    toolkit_pages,
    training_pages,
)
from adapters.web.session import COOKIE
from aggregates.accounts import Access
from aggregates.activity import ActivityDetails
from aggregates.base import Actor, Role
from aggregates.instruments import GAP_ANALYSIS
from aggregates.measure_chart import ChartOwner
from aggregates.pdsa import PdsaPlan
from aggregates.phases import PHASES, Phase, next_phase
from aggregates.resource import ResourceDetails
from aggregates.tokens import Grant, Principal, token_id
from aggregates.values import ActivityKind, CEOffering, CreditType, FocusFields, ResourceKind, SharedProject
from engine import web_sessions
from engine.application import QIEngine
from engine.commands.accounts import RevokeAccess
from engine.commands.activity import ScheduleActivity
from engine.commands.charts import AnnotateChart, ProposeChartChange
from engine.commands.collaborative import AdvancePhase, CreateCollaborative, NewMember, RegisterTeam
from engine.commands.instruments import CompleteInstrument, DefineInstrument
from engine.commands.learning import AddChangeIdea, AddDriver, CompileToolkit, ShareFile
from engine.commands.reports import DraftReport, SubmitReport
from engine.commands.team import AddMember, DefineMeasure, PlanCycle, ShareProject, SubmitData
from engine.commands.training import PublishModule
from scripts.drills.instrument_routes import INSTRUMENT
from tests.conftest import Clock
from tests.store.lifecycle import WEIGHT
from tests.web.pages import PageClient

ROUTERS = (
    sign_in,
    account_pages,
    oidc,
    pages,
    forms,
    data_forms,
    data_quality_pages,
    learning_pages,
    toolkit_pages,
    team_forms,
    audit_pages,
    collaborative_forms,
    session_forms,
    side_by_side,
    chart_pages,
    chart_forms,
    progress_pages,
    training_pages,
    report_pages,
    instrument_pages,
    credit_pages,
    learner_ids_form,
)
SETUP = Actor(id="matrix-setup", role=Role.STAFF)
INVITER = Principal.of_token(uuid4(), Grant(name="Setup (staff)", role=Role.STAFF))
PASSWORD = "a long password here"
PDF = b"%PDF-1.4\n%%EOF\n"

# What each thing is called: the markers a page of it shows, and a refusal must not.
TITLES = {"A": "Alpha Readiness Collaborative", "B": "Beta Sepsis Collaborative"}
TEAM_OF = {"A1": "A", "A2": "A", "B1": "B"}
TEAM_NAMES = {"A1": "Aspen Ward", "A2": "Alder Unit", "B1": "Birchwood Clinic"}
LEADS = {"A1": "Ada Aspenlead", "A2": "Al Alderlead", "B1": "Bertha Birchlead"}
RESOURCES = {"A": "Alpha kg poster", "B": "Beta lactate poster"}
IDEAS = {"A": "Alpha scale lock", "B": "Beta lactate timer"}
TOOLKITS = {"A": "Alpha kg toolkit", "B": "Beta sepsis toolkit"}


def markers_of(collaborative: str) -> tuple[str, ...]:
    """The names only a reader of the collaborative may see."""
    teams = [t for t, c in TEAM_OF.items() if c == collaborative]
    return (
        TITLES[collaborative], RESOURCES[collaborative], IDEAS[collaborative], TOOLKITS[collaborative],
        *(TEAM_NAMES[t] for t in teams), *(LEADS[t] for t in teams),
    )  # fmt: skip


# -- the people ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Person:
    """Who someone is to the rules, in the test's own terms (keys of TITLES and TEAM_OF)."""

    key: str
    name: str
    staff: bool = False
    audits: frozenset[str] | None = frozenset()  # the collaboratives they audit; None: every one
    teams: frozenset[str] = frozenset()  # the teams they are a member of
    coaches: frozenset[str] = frozenset()  # the teams they coach

    @property
    def email(self) -> str:
        return f"{self.name.lower().replace(' ', '.')}@matrix.example"

    def audits_collaborative(self, collaborative: str) -> bool:
        return self.audits is None or collaborative in self.audits

    @property
    def auditor(self) -> bool:
        return self.audits is None or bool(self.audits)

    def works_in(self, collaborative: str) -> bool:
        """A member or the coach of one of the collaborative's teams."""
        return any(TEAM_OF[t] == collaborative for t in self.teams | self.coaches)


def _set(*keys: str) -> frozenset[str]:
    return frozenset(keys)


STAFF = Person("staff", "Sam Staffer", staff=True)
AUDITOR_A = Person("auditor of A only", "Avery Auditor", audits=_set("A"))
AUDITOR_ALL = Person("auditor of every collaborative", "Alex Overseer", audits=None)
MEMBER = Person("member of A1 only", "Mia Member", teams=_set("A1"))
TWO_TEAMS = Person("member of A1 and A2", "Tom Twoteams", teams=_set("A1", "A2"))
TWO_COLLABORATIVES = Person("member of A1 and B1", "Bo Bridges", teams=_set("A1", "B1"))
COACH = Person("coach of A1 and B1", "Cora Coach", coaches=_set("A1", "B1"))
NOBODY = Person("person with no membership", "Nell Nobody")
PEOPLE = (STAFF, AUDITOR_A, AUDITOR_ALL, MEMBER, TWO_TEAMS, TWO_COLLABORATIVES, COACH, NOBODY)
B1_LEAD = Person("the lead of B1 (registered with the team, no account)", LEADS["B1"], teams=_set("B1"))
ANONYMOUS, SIGNED_OUT = "nobody signed in", "a signed-out session replayed"


# -- the rules, in words ------------------------------------------------------------------
# Staff read and write everything. An auditor reads (collaboratives, teams, the audit trail,
# transcripts) only within what they audit, and writes nothing. A member reads their teams'
# collaboratives and their own teams, and writes data, PDSA cycles and library resources for
# them only; in two teams, for both and no other. A coach reads the collaboratives and teams
# they coach and adds library resources there, but enters no team data. Everyone with an
# account opens My credit, My teams and Account; a person with no membership nothing else.
# Only staff open People and send invitations. A member attests for themself, for their team.
ALLOWED, SIGN_IN = "allowed", "sent to sign in"


@dataclass(frozen=True)
class Rule:
    """Who may: the rule's words, its predicate, and the answer to anyone else (403 unless said)."""

    words: str
    may: Callable[[Person], bool]
    otherwise: Callable[[Person], int] = lambda person: 403


ANYONE = Rule("anyone signed in with an account", lambda p: True)
STAFF_ONLY = Rule("staff only", lambda p: p.staff)
AUDITORS = Rule("staff and every auditor", lambda p: p.staff or p.auditor)
READS_SOME = Rule(
    "anyone who reads a collaborative (staff, auditors, members, coaches)",
    lambda p: p.staff or p.auditor or bool(p.teams) or bool(p.coaches),
)
PAST_FOCUS = Rule(
    "staff, in the focus phase only: the world's collaboratives are past it (409); anyone else 403",
    lambda p: False,
    lambda p: 409 if p.staff else 403,
)
NO_SUCH_TEAM = Rule("nobody: the team does not exist", lambda p: False, lambda p: 404)


def audits(collaborative: str) -> Rule:
    return Rule(
        f"staff and auditors of {collaborative}", lambda p: p.staff or p.audits_collaborative(collaborative)
    )


def reads(c: str) -> Rule:
    return Rule(
        f"staff, auditors of {c}, members and coaches of its teams",
        lambda p: p.staff or p.audits_collaborative(c) or p.works_in(c),
    )


def reads_team(t: str) -> Rule:
    return Rule(
        f"staff, auditors of {TEAM_OF[t]}, members and the coach of {t} (no other team's)",
        lambda p: p.staff or p.audits_collaborative(TEAM_OF[t]) or t in p.teams | p.coaches,
    )


def writes_team(t: str) -> Rule:
    return Rule(f"staff and members of {t} (not its coach, not auditors)", lambda p: p.staff or t in p.teams)


def adds_to_library(c: str) -> Rule:
    return Rule(
        f"staff, members of {c}'s teams and coaches of them (not auditors)",
        lambda p: p.staff or p.works_in(c),
    )


def speaks_for_a_team_in(c: str) -> Rule:
    """A comment or a 'we are trying this' is a team's: staff and coaches hold no team."""
    return Rule(f"members of a team of {c}, for their team", lambda p: any(TEAM_OF[t] == c for t in p.teams))


def coaches_team(t: str) -> Rule:
    return Rule(
        f"staff and the coach of {t} (not its members, not auditors)", lambda p: p.staff or t in p.coaches
    )


def attests_for(t: str) -> Rule:
    """The attest form attests for the person signed in: only a member of the team may.
    Staff pass every authorization, so the membership rule refuses them (409)."""
    return Rule(
        f"members of {t}, each for themself", lambda p: t in p.teams, lambda p: 409 if p.staff else 403
    )


def reads_transcript_of(of: Person) -> Rule:
    return Rule(
        f"staff, {of.name} themself, auditors of every collaborative or of one they work in",
        lambda p: p.staff or p == of or p.audits is None or any(p.audits_collaborative(c) and of.works_in(c) for c in TITLES),
    )  # fmt: skip


# -- the world ----------------------------------------------------------------------------
@dataclass
class World:
    engine: QIEngine
    clock: Clock
    collaboratives: dict[str, UUID] = field(default_factory=dict)
    teams: dict[str, UUID] = field(default_factory=dict)
    leads: dict[str, UUID] = field(default_factory=dict)  # team key -> its lead's participant
    cycles: dict[str, UUID] = field(default_factory=dict)  # team key -> a planned cycle
    activities: dict[str, UUID] = field(default_factory=dict)
    ideas: dict[str, UUID] = field(default_factory=dict)
    resources: dict[str, UUID] = field(default_factory=dict)
    toolkits: dict[str, UUID] = field(default_factory=dict)
    participants: dict[str, UUID] = field(default_factory=dict)  # person key -> participant
    registering: UUID | None = None  # a collaborative in its registration phase
    instruments: dict[str, UUID] = field(default_factory=dict)  # collaborative key -> its instrument
    assessments: dict[str, UUID] = field(default_factory=dict)  # team key -> its assessment on it
    ce_activities: dict[str, UUID] = field(default_factory=dict)  # collaborative key -> a CE webinar
    done: set[str] = field(default_factory=set)  # the phases prepared for

    def advance_to(self, phase: Phase) -> None:
        for cid in self.collaboratives.values():
            while PHASES.index(now := self.engine.collaborative(cid).phase) < PHASES.index(phase):
                upcoming = next_phase(now)
                self.run(
                    AdvancePhase(collaborative_id=cid, to=upcoming, override_reason="the matrix moves on")
                )

    def run(self, command: Any) -> Any:
        self.clock.advance(seconds=1)
        return self.engine.execute(command, self.engine.context(SETUP))

    def participant(self, person: Person) -> UUID:
        return self.leads["B1"] if person == B1_LEAD else self.participants[person.key]


def build_world(engine: QIEngine, clock: Clock) -> World:
    """Both collaboratives walked to their sessions phase (overriding what they still need),
    each with a learning session (held), a cycle on every team, a change idea and an
    uploaded resource; then every person invited and accepted. (Routes that need a later
    phase move the world on first: see `Declared.prepare`.)"""
    w = World(engine, clock)
    for c in TITLES:
        focus = FocusFields(aim=f"{TITLES[c]} aim", starts_on=date(2025, 1, 1), ends_on=date(2025, 12, 31))
        created = w.run(CreateCollaborative(title=TITLES[c], focus=focus, measures=(WEIGHT,)))
        cid = w.collaboratives[c] = created.id
        w.run(AdvancePhase(collaborative_id=cid, to=Phase.REGISTRATION, override_reason="the matrix's world"))
        for t in (t for t, of in TEAM_OF.items() if of == c):
            lead = NewMember(person={"name": LEADS[t]}, discipline="nurse")
            registered = w.run(RegisterTeam(collaborative_id=cid, name=TEAM_NAMES[t], organization=TEAM_NAMES[t],
                                            care_setting="community_ed", members=(lead,)))  # fmt: skip
            w.teams[t], w.leads[t] = registered.id, registered.created["Participant"][0]
        for to in (Phase.ORIENTATION, Phase.SESSIONS):
            w.run(AdvancePhase(collaborative_id=cid, to=to, override_reason="the matrix's world"))
        for t in (t for t, of in TEAM_OF.items() if of == c):
            w.run(DefineMeasure(team_id=w.teams[t], measure=WEIGHT))
            plan = PdsaPlan(title=f"{t} scale test", change_idea="Scales in kg", objective="Fewer lb",
                            prediction="90% in kg", plan="One week")  # fmt: skip
            w.cycles[t] = w.run(PlanCycle(team_id=w.teams[t], plan=plan)).created["PdsaCycle"][0]
        session = ActivityDetails(kind=ActivityKind.LEARNING_SESSION, title=f"{c} session one",
                                  starts_at=clock.now + timedelta(hours=1), duration_minutes=60)  # fmt: skip
        w.activities[c] = w.run(ScheduleActivity(collaborative_id=cid, details=session)).id
        primary = w.run(AddDriver(collaborative_id=cid, level="primary", name=f"{c} primary"))
        primary = primary.created["Driver"][0]
        secondary = w.run(AddDriver(collaborative_id=cid, level="secondary", name=f"{c} secondary",
                                    primary_driver_id=primary)).created["Driver"][0]  # fmt: skip
        idea = w.run(AddChangeIdea(collaborative_id=cid, name=IDEAS[c], secondary_driver_id=secondary))
        w.ideas[c] = idea.created["ChangeIdea"][0]
        stored = file_store(engine).put(io.BytesIO(PDF), f"{c}-poster.pdf")
        details = ResourceDetails(kind=ResourceKind.ARTICLE, title=RESOURCES[c])
        w.resources[c] = w.run(ShareFile(collaborative_id=cid, details=details, file=stored)).id
    clock.advance(hours=3)  # the learning sessions are over: attendance may be recorded
    for person in PEOPLE:
        w.participants[person.key] = invite(w, person)
    return w


def invite(w: World, person: Person) -> UUID:
    """Invite the person to each of their memberships (one email: one person), accept, and
    check the account holds what the person is meant to be."""
    accounts = w.engine.accounts
    memberships: list[dict[str, Any]] = []
    if person.staff:
        memberships.append({"access": Access(role=Role.STAFF)})
    memberships += [{"team_id": w.teams[t], "discipline": "nurse"} for t in sorted(person.teams)]
    memberships += [{"team_id": w.teams[t], "as_coach": True} for t in sorted(person.coaches)]
    scopes = [None] if person.audits is None else [w.collaboratives[c] for c in sorted(person.audits)]
    memberships += [{"access": Access(role=Role.AUDITOR, collaborative_id=c)} for c in scopes]
    passing = Access(role=Role.AUDITOR, collaborative_id=w.collaboratives["B"])
    for fields in memberships or [{"access": passing}]:  # nobody: invited with access, then it is revoked
        account_id = accounts.invite(INVITER, email=person.email, name=person.name, **fields)
    if not memberships:
        w.engine.submit(INVITER, RevokeAccess(account_id=account_id, access=passing))
    account = accounts.account(account_id)
    assert account is not None
    principal = accounts.accept(accounts.invitation_link(account) or "", PASSWORD).principal
    assert set(principal.team_ids) == {w.teams[t] for t in person.teams}, person
    assert principal.coaches == bool(person.coaches) and principal.staff == person.staff, person
    audited = None if person.audits is None else tuple(sorted(w.collaboratives[c] for c in person.audits))
    assert (principal.audits if principal.audits is None else tuple(sorted(principal.audits))) == audited
    assert principal.participant_id is not None
    return principal.participant_id


def in_projects(w: World) -> None:
    """Comments and "we are trying this" need shared projects, which need the projects phase."""
    if "projects" in w.done:
        return
    w.advance_to(Phase.PROJECTS)
    for t in ("A2", "B1"):
        project = SharedProject(
            title=f"{TEAM_NAMES[t]} project", summary="Kg only", measure_keys=("weight-kg",)
        )
        w.run(ShareProject(team_id=w.teams[t], project=project))
    w.done.add("projects")


def in_sharing(w: World) -> None:
    """Toolkits are compiled from the sharing phase on."""
    if "sharing" in w.done:
        return
    in_projects(w)
    w.advance_to(Phase.SHARING)
    for c, cid in w.collaboratives.items():
        toolkit = CompileToolkit(collaborative_id=cid, title=TOOLKITS[c], change_idea_ids=(w.ideas[c],))
        w.toolkits[c] = w.run(toolkit).id
    w.done.add("sharing")


def with_ce_activities(w: World) -> None:
    """A webinar offering CE in each collaborative, for its ids at the accreditors."""
    if w.ce_activities:
        return
    for c, cid in w.collaboratives.items():
        details = ActivityDetails(kind=ActivityKind.LEARNING_SESSION, title=f"{c} CE webinar",
                                  starts_at=w.clock.now + timedelta(days=7), duration_minutes=60,
                                  ce=CEOffering(credit_types=(CreditType.CME,), max_hours=1, accrediting_body="AAP"))  # fmt: skip
        w.ce_activities[c] = w.run(ScheduleActivity(collaborative_id=cid, details=details)).id


def ce_activity_ids() -> Declared:
    def urls(w: World) -> list[Url]:
        return [Url(f"/ui/activities/{w.ce_activities[c]}/accreditor-ids", STAFF_ONLY,
                    body=form(pars_activity_id="202512345")) for c in TITLES]  # fmt: skip

    return Declared(urls, with_ce_activities)


def with_instruments(w: World) -> None:
    """An assessment instrument in each collaborative, and every team's assessment on it."""
    if "instruments" in w.done:
        return
    for c, cid in w.collaboratives.items():
        w.instruments[c] = w.run(DefineInstrument(collaborative_id=cid, definition=INSTRUMENT)).id
    for t, c in TEAM_OF.items():
        done = w.run(CompleteInstrument(team_id=w.teams[t], instrument_id=w.instruments[c],
                                        answers={"pecc": False, "kg": 50}))  # fmt: skip
        w.assessments[t] = done.created["InstrumentAssessment"][0]
    w.done.add("instruments")


def on_instruments(suffix: Callable[[World, str], str], rule: Callable[[str], Rule], shows: bool = True,
                   body: Body | None = None) -> Declared:  # fmt: skip
    """One URL per team: /ui/teams/{id} and `suffix`, naming the team's instrument or assessment."""

    def urls(w: World) -> list[Url]:
        return [Url(f"/ui/teams/{w.teams[t]}{suffix(w, t)}", rule(t), (TEAM_NAMES[t],) * shows, body)
                for t in TEAM_OF]  # fmt: skip

    return Declared(urls, with_instruments)


def registering(w: World) -> None:
    """Teams register only in the registration phase: a third collaborative, nobody's yet."""
    if w.registering is None:
        w.registering = w.run(CreateCollaborative(title="Gamma Registration Collaborative")).id
        w.run(
            AdvancePhase(collaborative_id=w.registering, to=Phase.REGISTRATION, override_reason="to register")
        )


# -- the matrix: every route, declared ------------------------------------------------------
Body = Callable[[World, str], dict[str, Any]]  # a valid form, given the world and who sends it


@dataclass(frozen=True)
class Url:
    path: str
    rule: Rule
    shows: tuple[str, ...] = ()  # what the page shows those who may (and a refusal must not)
    body: Body | None = None  # for a POST
    upload: bool = False  # sent as multipart, with a PDF
    files: dict[str, tuple[str, bytes, str]] | None = None  # sent as multipart, with these files


@dataclass(frozen=True)
class Declared:
    urls: Callable[[World], list[Url]] | None  # None: public (test_the_public_pages_...)
    prepare: Callable[[World], None] | None = None


PUBLIC = Declared(None)


def one(path: str, rule: Rule, body: Body | None = None) -> Declared:
    return Declared(lambda w: [Url(path, rule, body=body)])


def per_collaborative(
    path: str, rule: Callable[[str], Rule], shows: Callable[[str], tuple[str, ...]] = lambda c: (),
    body: Callable[[str], Body] | None = None, upload: bool = False,
    prepare: Callable[[World], None] | None = None, only: Iterable[str] = TITLES,
) -> Declared:  # fmt: skip
    """One URL per collaborative: `path` with {id} its id."""

    def urls(w: World) -> list[Url]:
        return [
            Url(path.format(id=w.collaboratives[c]), rule(c), shows(c), body(c) if body else None, upload)
            for c in only
        ]

    return Declared(urls, prepare)


def per_team(
    path: str, rule: Callable[[str], Rule], shows: Callable[[str], tuple[str, ...]] = lambda t: (),
    body: Callable[[str], Body] | None = None, only: Iterable[str] = TEAM_OF,
) -> Declared:  # fmt: skip
    """One URL per team: `path` with {id} its id and {cycle} its planned cycle."""

    def urls(w: World) -> list[Url]:
        return [
            Url(path.format(id=w.teams[t], cycle=w.cycles[t]), rule(t), shows(t), body(t) if body else None)
            for t in only
        ]

    return Declared(urls)


def form(**fields: Any) -> Body:
    return lambda w, who: fields


def transcripts(suffix: str, shows: bool) -> Declared:
    def urls(w: World) -> list[Url]:
        return [
            Url(f"/ui/participants/{w.participant(of)}/transcript{suffix}", reads_transcript_of(of),
                (of.name,) * shows)
            for of in (MEMBER, B1_LEAD, NOBODY)
        ]  # fmt: skip

    return Declared(urls)


def toolkit_pages_of(suffix: str, shows: bool) -> Declared:
    def urls(w: World) -> list[Url]:
        return [
            Url(f"/ui/toolkits/{w.toolkits[c]}{suffix}", reads(c), (TOOLKITS[c],) * shows) for c in TITLES
        ]

    return Declared(urls, in_sharing)


def register_team(w: World) -> list[Url]:
    assert w.registering is not None
    return [Url(f"/ui/collaboratives/{w.registering}/teams", STAFF_ONLY, body=new_team)]


def team_pages(w: World) -> list[Url]:
    teams = [Url(f"/ui/teams/{w.teams[t]}", reads_team(t), (TEAM_NAMES[t],)) for t in TEAM_OF]
    return [*teams, Url(f"/ui/teams/{uuid4()}", NO_SUCH_TEAM)]


def audit_pages(w: World) -> list[Url]:
    scoped = [
        Url(f"/ui/audit?collaborative={cid}", audits(c), (TITLES[c],)) for c, cid in w.collaboratives.items()
    ]
    teams = [Url(f"/ui/audit?team={w.teams[t]}&on=2025-03-05", AUDITORS) for t in TEAM_OF]
    return [
        Url("/ui/audit", AUDITORS),
        Url("/ui/audit?type=TeamRegistered&engine=1", AUDITORS),
        *scoped,
        *teams,
    ]


def unique(prefix: str) -> str:
    return f"{prefix}{uuid4().hex[:8]}"


def next_phase_of(c: str) -> Body:
    def body(w: World, who: str) -> dict[str, Any]:
        upcoming = next_phase(w.engine.collaborative(w.collaboratives[c]).phase)
        assert upcoming is not None
        return {"to": upcoming.value, "override_reason": f"advanced by {who}"}

    return body


ATTENDEES = {"A": MEMBER, "B": B1_LEAD}


def attendance_in(c: str) -> Body:
    return lambda w, who: {f"minutes:{w.participant(ATTENDEES[c])}": "60"}


def sessions(suffix: str, body: Callable[[str], Body] | None = None, report: bool = False) -> Declared:
    """The attendance pages of each collaborative's learning session (staff's)."""
    csv = f"Name (Original Name),User Email,Duration (Minutes)\n{MEMBER.name},{MEMBER.email},55\n".encode()

    def urls(w: World) -> list[Url]:
        return [
            Url(f"/ui/collaboratives/{w.collaboratives[c]}/sessions/{w.activities[c]}/attendance{suffix}",
                STAFF_ONLY, (f"{c} session one",), body(c) if body else None,
                files={"report": ("zoom.csv", csv, "text/csv")} if report else None)
            for c in TITLES
        ]  # fmt: skip

    return Declared(urls)


def in_community(w: World) -> None:
    """People join the community of practice in its own phase."""
    in_sharing(w)
    w.advance_to(Phase.COMMUNITY_OF_PRACTICE)


def community_member_of(c: str) -> Body:
    return lambda w, who: {"community_participant": str(w.participant(ATTENDEES[c]))}


def comment_in(c: str) -> Body:
    project = "A2" if c == "A" else "B1"  # B1 answers on its own project
    return lambda w, who: {"project_team_id": str(w.teams[project]), "text": f"Comment by {who}"}


def trying_in(c: str) -> Body:
    return lambda w, who: {"project_team_id": str(w.teams["A2"]), "cycle_id": str(w.cycles["A1"])}


PLAN = form(title="Scale swap", change_idea="Lock to kg", objective="Fewer lb", prediction="90% in kg",
            plan="One week, day shift")  # fmt: skip
DATA = form(measure_key="weight-kg", period="2025-02", numerator="5", denominator="10")
MONTHS_CSV = ("months.csv", b"measure,month,numerator,denominator\nweight-kg,Feb 2025,6,10\n", "text/csv")
MONTHS_ROWS = form(rows='[{"line": 2, "measure_key": "weight-kg", "period": "2025-02", "numerator": 7, "denominator": 10}]',
                   filename="months.csv")  # fmt: skip
CONFIRMATION = form(
    measure_key="weight-kg", period="2024-06", rule="missing-month", reason="The ED was closed"
)
TEAM_MEASURE = form(measure_name="Doses on time", measure_kind="process", data_type="count",
                    numerator_definition="doses given on time", direction="increase")  # fmt: skip


def months_uploads(w: World) -> list[Url]:
    return [
        Url(f"/ui/teams/{w.teams[t]}/data/upload", writes_team(t), body=form(), files={"file": MONTHS_CSV})
        for t in TEAM_OF
    ]


SAME_PASSWORD = form(current=PASSWORD, password=PASSWORD, confirm=PASSWORD)


def link(w: World, who: str) -> dict[str, Any]:
    return {"kind": "article", "title": f"A link shared by {who}", "url": "https://example.org/kg"}


def upload(w: World, who: str) -> dict[str, Any]:
    return {"kind": "article", "title": f"A file shared by {who}"}


def new_team(w: World, who: str) -> dict[str, Any]:
    return {"name": unique("New team "), "care_setting": "community_ed", "member_name": "Nia Newlead",
            "discipline": "nurse"}  # fmt: skip


def team_invitation(w: World, who: str) -> dict[str, Any]:
    return {"people": f"Ivy Invitee, {unique('ivy.')}@matrix.example", "discipline": "nurse"}


def spare_members(w: World) -> list[Url]:
    """A member added to A1 and B1 for the removal route to take off (the leads stay)."""
    urls = []
    for t in ("A1", "B1"):
        member = NewMember(person={"name": f"Spare of {t}"}, discipline="emt")
        spare = w.run(AddMember(team_id=w.teams[t], member=member)).created["Participant"][0]
        urls.append(Url(f"/ui/teams/{w.teams[t]}/members/{spare}/removal", writes_team(t), body=form()))
    return urls


GAP_ANSWERS = form(kind="gap_analysis", **{item.key: "partly" for item in GAP_ANALYSIS.items})


def same_coach(w: World, who: str) -> dict[str, Any]:
    """The coach the team has (a no-op when accepted), so the coach's reach stays as the rules say."""
    return {"coach_id": str(w.participant(COACH))}


def addable_member(w: World) -> list[Url]:
    """Someone of A2 for the add-member form to put on A1 too (staff, or A1's own members)."""
    member = NewMember(person={"name": "Ann Addable"}, discipline="emt")
    person = w.run(AddMember(team_id=w.teams["A2"], member=member)).created["Participant"][0]
    body = form(add_participant_id=str(person), add_discipline="emt", add_role="member")
    return [Url(f"/ui/teams/{w.teams['A1']}/members", writes_team("A1"), body=body)]


def project_shares(w: World) -> list[Url]:
    body = form(project_title="Our kg project", project_summary="Kg only, every child")
    return [Url(f"/ui/teams/{w.teams[t]}/share", writes_team(t), body=body, upload=True) for t in TEAM_OF]


def service_token(w: World, who: str) -> dict[str, Any]:
    return {"name": f"a feed reader issued by {who}", "role": "subscriber", "expires_in_days": "30"}


def spare_token(w: World) -> list[Url]:
    """A token for the revocation route to revoke (staff revoke it; the others are refused)."""
    secret = w.engine.issue_token(Grant(name="matrix spare", role=Role.SUBSCRIBER), w.engine.context(SETUP))
    return [Url(f"/ui/people/tokens/{token_id(secret)}/revocation", STAFF_ONLY, body=form())]


def access_invitation(w: World, who: str) -> dict[str, Any]:
    return {"name": "Olive Observer", "email": f"{unique('olive.')}@matrix.example", "role": "auditor",
            "collaborative_id": str(w.collaboratives["A"])}  # fmt: skip


SESSION = form(
    kind="learning_session", title="Session two", starts_at="2025-06-02T15:00", duration_minutes="60"
)


def with_months(w: World) -> None:
    """The comparisons draw a funnel from a month of data: every team reports January."""
    if "months" in w.done:
        return
    for number, team in enumerate(w.teams.values()):
        w.run(
            SubmitData(
                team_id=team, measure_key="weight-kg", period="2025-01", numerator=5 + number, denominator=10
            )
        )
    w.done.add("months")


def comparisons(suffix: str, shows: bool = True) -> Declared:
    """A page (or a download) comparing every team of a collaborative on its measure."""
    return per_collaborative(
        C + "/measures/weight-kg/" + suffix, reads,
        lambda c: (TITLES[c], *(TEAM_NAMES[t] for t, of in TEAM_OF.items() if of == c)) * shows, prepare=with_months,
    )  # fmt: skip


def toolkit_of(c: str) -> Body:
    return lambda w, who: {"title": "Another toolkit", "change_idea_ids": [str(w.ideas[c])]}


# -- a measure's chart: its page and its forms ------------------------------------------------
# Staff decide every chart; a team's coach decides its team's chart; the team's members send
# the same form as a proposal; on the collaborative's chart, the coaches of its teams propose.
# Deciders and proposers add notes; a team member (and a coach, on the collaborative's chart)
# withdraws only their own note. Auditors read
# the chart and write nothing. The world is in its sessions phase, where charts are decided.
CALLER_KEYS = (*(p.key for p in PEOPLE), ANONYMOUS, SIGNED_OUT)


def chart_of(owner: str, key: str = "weight-kg") -> Callable[[World], str]:
    """The chart page of team or collaborative `owner` (a key of TEAM_OF or TITLES)."""
    if owner in TEAM_OF:
        return lambda w: f"/ui/teams/{w.teams[owner]}/measures/{key}/chart"
    return lambda w: f"/ui/collaboratives/{w.collaboratives[owner]}/measures/{key}/chart"


def decides_team_chart(t: str) -> Rule:
    return Rule(
        f"staff and the coach of {t} (not its members, not auditors)", lambda p: p.staff or t in p.coaches
    )


def proposes_on_team_chart(t: str) -> Rule:
    return Rule(f"staff, the coach and the members of {t} (not auditors, no other team's)",
                lambda p: p.staff or t in p.teams | p.coaches)  # fmt: skip


def proposes_on_collaborative_chart(c: str) -> Rule:
    return Rule(f"staff and the coaches of {c}'s teams (not its members, not auditors)",
                lambda p: p.staff or any(TEAM_OF[t] == c for t in p.coaches))  # fmt: skip


def no_such_measure(t: str) -> Rule:
    """A measure the team does not have: 404 to those who read the team, 403 to anyone else."""
    return Rule(f"nobody: {t} has no such measure (404 to its readers)", lambda p: False,
                lambda p: 404 if reads_team(t).may(p) else 403)  # fmt: skip


def goal_from(who: str, decides: bool) -> dict[str, Any]:
    """A goal each caller is alone in asking for (a repeated one is refused as nothing to propose)."""
    percent = (50 if decides else 70) + CALLER_KEYS.index(who)
    return {"kind": "goal", "goal": str(percent), "percent": "yes", "decides": "yes" if decides else "no",
            "reason": f"the goal {who} sets"}  # fmt: skip


def takes_training_in(c: str) -> Rule:
    return Rule(
        f"staff, and members and coaches of {c}'s teams, each for themselves (not auditors)",
        lambda p: p.staff or p.works_in(c),
    )


CHECKED = {"title": "Run charts", "summary": "Reading a run chart",
           "check": {"pass_mark": 100, "questions": [{"prompt": "A shift is", "options": ["4", "6"], "correct": 1}]}}  # fmt: skip


def training_modules(attempt: bool) -> Callable[[World], list[Url]]:
    """A module with a check in each collaborative: its page, or an attempt at it (a wrong
    answer: failed attempts may be made again and again, by anyone who may take it)."""

    def urls(w: World) -> list[Url]:
        found = []
        for c in TITLES:
            module = w.run(PublishModule(collaborative_id=w.collaboratives[c], module=CHECKED)).id
            if attempt:
                found.append(
                    Url(f"/ui/training-modules/{module}/attempts", takes_training_in(c), body=form(q1="0"))
                )
            else:
                found.append(Url(f"/ui/training-modules/{module}", reads(c), (TITLES[c], "Run charts")))
        return found

    return urls


def progress_scores(w: World) -> list[Url]:
    """The team's own score (its members, staff) and the coach's (its coach, staff), on every team."""
    found = []
    for t in TEAM_OF:
        path = f"/ui/teams/{w.teams[t]}/progress"
        for rater, rule in (("team", writes_team(t)), ("coach", coaches_team(t))):
            body = form(rater=rater, month="2025-02", score="3", rationale=f"The {rater}'s view")
            found.append(Url(path, rule, body=body))
    return found


def chart_pages_of(w: World) -> list[Url]:
    team_charts = [
        Url(chart_of(t)(w), reads_team(t), (TEAM_NAMES[t], "How this chart is drawn")) for t in TEAM_OF
    ]
    unknown = [Url(chart_of(t, "no-such-measure")(w), no_such_measure(t)) for t in ("A1", "B1")]
    return [*team_charts, *unknown]


def chart_decisions(owners: Iterable[str]) -> Callable[[World], list[Url]]:
    """The decision form as a decider sends it, and as a proposal (what a member's page sends)."""

    def urls(w: World) -> list[Url]:
        found = []
        for owner in owners:
            decides = decides_team_chart(owner) if owner in TEAM_OF else STAFF_ONLY
            proposes = (
                proposes_on_team_chart(owner) if owner in TEAM_OF else proposes_on_collaborative_chart(owner)
            )
            found += [
                Url(chart_of(owner)(w) + "/decisions", decides, body=lambda w, who: goal_from(who, True)),
                Url(chart_of(owner)(w) + "/decisions", proposes, body=lambda w, who: goal_from(who, False)),
            ]
        return found

    return urls


def chart_command(owner: str, w: World) -> dict[str, Any]:
    if owner in TEAM_OF:
        return {"owner": ChartOwner.TEAM, "owner_id": w.teams[owner], "measure_key": "weight-kg"}
    return {
        "owner": ChartOwner.COLLABORATIVE,
        "owner_id": w.collaboratives[owner],
        "measure_key": "weight-kg",
    }


def chart_answers(owners: Iterable[str]) -> Callable[[World], list[Url]]:
    """A proposal on each chart, for the answer form. The first to answer closes it (a second
    answer is refused: already accepted), so only charts one person decides are used: A2's
    (no coach: staff alone) and the collaboratives' (staff alone); a coach answers on the
    chart page in tests/web/test_chart_pages.py."""

    def urls(w: World) -> list[Url]:
        found = []
        for owner in owners:
            command = ProposeChartChange(**chart_command(owner, w), decision={"kind": "goal", "goal": 0.66},
                                         reason="Asked by the matrix")  # fmt: skip
            proposal = w.run(command).created["ChartProposal"][0]
            rule = decides_team_chart(owner) if owner in TEAM_OF else STAFF_ONLY
            body = form(accept="yes", reason="Agreed by the matrix")
            found.append(Url(f"{chart_of(owner)(w)}/proposals/{proposal}/answer", rule, body=body))
        return found

    return urls


def note_from(w: World, who: str) -> dict[str, Any]:
    return {"period": "2025-03", "text": f"A note by {who}"}


def chart_notes(owners: Iterable[str]) -> Callable[[World], list[Url]]:
    def urls(w: World) -> list[Url]:
        return [
            Url(chart_of(o)(w) + "/annotations",
                proposes_on_team_chart(o) if o in TEAM_OF else proposes_on_collaborative_chart(o), body=note_from)
            for o in owners
        ]  # fmt: skip

    return urls


def chart_withdrawals(owners: Iterable[str]) -> Callable[[World], list[Url]]:
    """A note by staff on each chart: staff and, on a team's chart, its coach withdraw it
    (withdrawn twice is withdrawn once); a member of the team, or a coach on the collaborative's
    chart, may not: the note is not theirs."""

    def urls(w: World) -> list[Url]:
        found = []
        for owner in owners:
            noted = w.run(AnnotateChart(**chart_command(owner, w), period="2025-04", text="A note by staff"))
            note = noted.created["ChartAnnotation"][0]
            rule = decides_team_chart(owner) if owner in TEAM_OF else STAFF_ONLY
            body = form(reason="Withdrawn in the matrix")
            found.append(Url(f"{chart_of(owner)(w)}/annotations/{note}/withdraw", rule, body=body))
        return found

    return urls


# -- monthly reports: a team writes, submits and reopens its own; its coach (or staff) answers ---
def faculty_of(c: str) -> Rule:
    return Rule(
        f"staff, auditors of {c} and coaches of its teams (not members)",
        lambda p: p.staff or p.audits_collaborative(c) or any(TEAM_OF[t] == c for t in p.coaches),
    )


REPORT_TEXT = form(successes="Kg scales in both bays", help_wanted="Vendor settings")


def reports_in(month: str, suffix: str, rule: Callable[[str], Rule], *steps: type[Any], shows: bool = False,
               body: Body | None = None) -> Declared:  # fmt: skip
    """Each team's report for `month` (a month of its own per route, so one route's steps do not
    meet another's), first taken through `steps` by staff (DraftReport, SubmitReport)."""

    def urls(w: World) -> list[Url]:
        for t in TEAM_OF:
            for step in steps:
                fields = {"successes": "Kg scales"} if step is DraftReport else {}
                w.run(step(team_id=w.teams[t], month=month, **fields))
        return [
            Url(f"/ui/teams/{w.teams[t]}/reports/{month}{suffix}", rule(t), (TEAM_NAMES[t],) * shows, body)
            for t in TEAM_OF
        ]

    return Declared(urls)


C = "/ui/collaboratives/{id}"
MATRIX: dict[tuple[str, str], Declared] = {
    # Public: they work without a session (test_the_public_pages_work_without_a_session).
    ("GET", "/"): PUBLIC,
    ("GET", "/ui/sign-in"): PUBLIC,
    ("POST", "/ui/sign-in"): PUBLIC,
    ("POST", "/ui/sign-out"): PUBLIC,
    ("GET", "/ui/invitations/{secret}"): PUBLIC,
    ("POST", "/ui/invitations/{secret}"): PUBLIC,
    ("GET", "/ui/password-reset"): PUBLIC,
    ("POST", "/ui/password-reset"): PUBLIC,
    ("GET", "/ui/password-reset/{secret}"): PUBLIC,
    ("POST", "/ui/password-reset/{secret}"): PUBLIC,
    ("GET", "/ui/sign-in/oidc"): PUBLIC,
    ("GET", "/ui/sign-in/oidc/callback"): PUBLIC,
    # A person's own pages.
    ("GET", "/ui/"): one("/ui/", ANYONE),
    ("GET", "/ui/my-teams"): one("/ui/my-teams", ANYONE),
    ("GET", "/ui/my-credit"): one("/ui/my-credit", ANYONE),
    ("GET", "/ui/account"): one("/ui/account", ANYONE),
    ("GET", "/ui/account/export"): one("/ui/account/export", ANYONE),
    ("POST", "/ui/account/password"): one("/ui/account/password", ANYONE, SAME_PASSWORD),
    ("POST", "/ui/account/reminders"): one("/ui/account/reminders", ANYONE, form(receive="data due")),
    ("POST", "/ui/my-credit/attestations/{team_id}"): per_team(
        "/ui/my-credit/attestations/{id}", attests_for, body=lambda t: form(statement="I ran the scale test"),
        only=("A1", "B1")),
    # Reading collaboratives, teams, the audit trail and transcripts.
    ("GET", "/ui/collaboratives"): one("/ui/collaboratives", READS_SOME),
    ("GET", "/ui/collaboratives/{collaborative_id}"): per_collaborative(C, reads, lambda c: (TITLES[c],)),
    ("GET", "/ui/collaboratives/{collaborative_id}/as-of"): per_collaborative(
        C + "/as-of?at=2025-03-05T00:00", reads, lambda c: (TITLES[c],)),
    ("GET", "/ui/teams/{team_id}"): Declared(team_pages),
    ("GET", "/ui/audit"): Declared(audit_pages),
    ("GET", "/ui/participants/{participant_id}/transcript"): transcripts("", shows=True),
    ("GET", "/ui/participants/{participant_id}/transcript.csv"): transcripts(".csv", shows=False),  # no credit yet: no row names them
    ("GET", "/ui/people"): one("/ui/people", STAFF_ONLY),
    # CE credit: a person's own certificate, the credit check, and every learner's certificates.
    ("GET", "/ui/my-credit/certificate.pdf"): one("/ui/my-credit/certificate.pdf", ANYONE),
    ("POST", "/ui/my-credit/ids"): one("/ui/my-credit/ids", ANYONE, form(first_name="Ada", last_name="Lee")),
    ("GET", "/ui/collaboratives/{collaborative_id}/credit-check"): per_collaborative(
        C + "/credit-check", audits, lambda c: (TITLES[c],)),
    ("GET", "/ui/collaboratives/{collaborative_id}/certificates.zip"): per_collaborative(
        C + "/certificates.zip", lambda c: STAFF_ONLY),
    ("GET", "/ui/collaboratives/{collaborative_id}/accreditor-files/{name}"): per_collaborative(
        C + "/accreditor-files/nursing?leave_out=yes", audits),
    ("POST", "/ui/activities/{activity_id}/accreditor-ids"): ce_activity_ids(),
    # Shared learning.
    ("GET", "/ui/collaboratives/{collaborative_id}/library"): per_collaborative(
        C + "/library", reads, lambda c: (TITLES[c], RESOURCES[c])),
    ("GET", "/ui/resources/{resource_id}/file"): Declared(
        lambda w: [Url(f"/ui/resources/{w.resources[c]}/file", reads(c)) for c in TITLES]),
    ("GET", "/ui/collaboratives/{collaborative_id}/driver-diagram"): per_collaborative(
        C + "/driver-diagram", reads, lambda c: (IDEAS[c],)),
    # Every team side by side, and the funnel across them.
    ("GET", "/ui/collaboratives/{collaborative_id}/measures/{measure_key}/teams"): comparisons("teams"),
    ("GET", "/ui/collaboratives/{collaborative_id}/measures/{measure_key}/teams.{fmt}"): comparisons(
        "teams.svg", shows=False),
    ("GET", "/ui/collaboratives/{collaborative_id}/measures/{measure_key}/funnel"): comparisons("funnel"),
    ("GET", "/ui/collaboratives/{collaborative_id}/measures/{measure_key}/funnel.{fmt}"): comparisons(
        "funnel.png?months=3", shows=False),
    # A team's work, and the library.
    ("POST", "/ui/teams/{team_id}/data"): per_team("/ui/teams/{id}/data", writes_team, body=lambda t: DATA),
    ("POST", "/ui/teams/{team_id}/measures"): per_team(
        "/ui/teams/{id}/measures", writes_team, body=lambda t: TEAM_MEASURE),
    ("POST", "/ui/teams/{team_id}/data/upload"): Declared(months_uploads),
    ("POST", "/ui/teams/{team_id}/data/upload/confirm"): per_team(
        "/ui/teams/{id}/data/upload/confirm", writes_team, body=lambda t: MONTHS_ROWS),
    ("POST", "/ui/teams/{team_id}/data-quality/confirmations"): per_team(
        "/ui/teams/{id}/data-quality/confirmations", writes_team, body=lambda t: CONFIRMATION),
    ("GET", "/ui/teams/{team_id}/measures/{measure_key}/data.csv"): per_team(
        "/ui/teams/{id}/measures/weight-kg/data.csv", reads_team),
    ("GET", "/ui/collaboratives/{collaborative_id}/data.csv"): per_collaborative(C + "/data.csv", reads),
    ("GET", "/ui/collaboratives/{collaborative_id}/assessments.csv"): per_collaborative(C + "/assessments.csv", reads),
    ("GET", "/ui/collaboratives/{collaborative_id}/data-dictionary.csv"): per_collaborative(
        C + "/data-dictionary.csv", reads),
    ("POST", "/ui/teams/{team_id}/pdsa"): per_team("/ui/teams/{id}/pdsa", writes_team, body=lambda t: PLAN),
    ("POST", "/ui/teams/{team_id}/pdsa/{cycle_id}/{stage}"): per_team(
        "/ui/teams/{id}/pdsa/{cycle}/do", writes_team, body=lambda t: form(observations="Scales locked")),
    ("POST", "/ui/teams/{team_id}/assessments"): per_team(
        "/ui/teams/{id}/assessments", writes_team, body=lambda t: GAP_ANSWERS),
    ("POST", "/ui/teams/{team_id}/coaching-notes"): per_team(
        "/ui/teams/{id}/coaching-notes", coaches_team, body=lambda t: form(note_text="Weigh in kg at triage")),
    ("POST", "/ui/teams/{team_id}/coach"): per_team(
        "/ui/teams/{id}/coach", lambda t: STAFF_ONLY, body=lambda t: same_coach, only=("A1", "B1")),
    ("POST", "/ui/teams/{team_id}/members"): Declared(addable_member),
    # A measure's chart (in the sessions phase, where charts are decided and annotated).
    ("GET", "/ui/teams/{team_id}/measures/{measure_key}/chart"): Declared(chart_pages_of),
    # Progress scores (IHI Assessment Scale), a team's and across the collaborative.
    ("GET", "/ui/teams/{team_id}/progress"): per_team("/ui/teams/{id}/progress", reads_team, lambda t: (TEAM_NAMES[t],)),
    ("POST", "/ui/teams/{team_id}/progress"): Declared(progress_scores),
    ("GET", "/ui/collaboratives/{collaborative_id}/progress"): per_collaborative(
        C + "/progress", reads, lambda c: (TITLES[c],)),
    # QI training: the collaborative's modules, one to take, and who on a team has done which.
    ("GET", "/ui/collaboratives/{collaborative_id}/training"): per_collaborative(
        C + "/training", reads, lambda c: (TITLES[c],)),
    ("POST", "/ui/collaboratives/{collaborative_id}/training"): per_collaborative(
        C + "/training", lambda c: STAFF_ONLY, body=lambda c: form(title="PDSA basics", summary="The model")),
    ("GET", "/ui/training-modules/{module_id}"): Declared(training_modules(attempt=False)),
    ("POST", "/ui/training-modules/{module_id}/attempts"): Declared(training_modules(attempt=True)),
    ("GET", "/ui/teams/{team_id}/training"): per_team("/ui/teams/{id}/training", reads_team, lambda t: (TEAM_NAMES[t],)),
    # Assessment instruments: staff publish them, a team completes its collaborative's.
    ("GET", "/ui/collaboratives/{collaborative_id}/instruments"): per_collaborative(
        C + "/instruments", reads, lambda c: (TITLES[c],), prepare=with_instruments),
    ("POST", "/ui/collaboratives/{collaborative_id}/instruments"): per_collaborative(
        C + "/instruments", lambda c: STAFF_ONLY, body=lambda c: form(definition=json.dumps(INSTRUMENT))),
    ("GET", "/ui/teams/{team_id}/instruments"): on_instruments(lambda w, t: "/instruments", reads_team),
    ("POST", "/ui/teams/{team_id}/instruments/{instrument_id}"): on_instruments(
        lambda w, t: f"/instruments/{w.instruments[TEAM_OF[t]]}", writes_team, False, form(pecc="yes", kg="95")),
    ("GET", "/ui/teams/{team_id}/instrument-assessments/{assessment_id}"): on_instruments(
        lambda w, t: f"/instrument-assessments/{w.assessments[t]}", reads_team),
    ("GET", "/ui/teams/{team_id}/instrument-assessments/{assessment_id}.pdf"): on_instruments(
        lambda w, t: f"/instrument-assessments/{w.assessments[t]}.pdf", reads_team, False),
    ("GET", "/ui/collaboratives/{collaborative_id}/measures/{measure_key}/chart"): per_collaborative(
        C + "/measures/weight-kg/chart", reads, lambda c: (TITLES[c], "All teams")),
    ("POST", "/ui/teams/{owner_id}/measures/{measure_key}/chart/decisions"): Declared(chart_decisions(TEAM_OF)),
    ("POST", "/ui/collaboratives/{owner_id}/measures/{measure_key}/chart/decisions"): Declared(chart_decisions(TITLES)),
    ("POST", "/ui/teams/{owner_id}/measures/{measure_key}/chart/proposals/{proposal_id}/answer"): Declared(chart_answers(("A2",))),
    ("POST", "/ui/collaboratives/{owner_id}/measures/{measure_key}/chart/proposals/{proposal_id}/answer"): Declared(chart_answers(TITLES)),
    ("POST", "/ui/teams/{owner_id}/measures/{measure_key}/chart/annotations"): Declared(chart_notes(TEAM_OF)),
    ("POST", "/ui/collaboratives/{owner_id}/measures/{measure_key}/chart/annotations"): Declared(chart_notes(TITLES)),
    ("POST", "/ui/teams/{owner_id}/measures/{measure_key}/chart/annotations/{annotation_id}/withdraw"): Declared(chart_withdrawals(TEAM_OF)),
    ("POST", "/ui/collaboratives/{owner_id}/measures/{measure_key}/chart/annotations/{annotation_id}/withdraw"): Declared(chart_withdrawals(TITLES)),
    ("POST", "/ui/collaboratives/{collaborative_id}/library/links"): per_collaborative(
        C + "/library/links", adds_to_library, body=lambda c: link),
    ("POST", "/ui/collaboratives/{collaborative_id}/library/files"): per_collaborative(
        C + "/library/files", adds_to_library, body=lambda c: upload, upload=True),
    ("POST", "/ui/collaboratives/{collaborative_id}/library/comments"): per_collaborative(
        C + "/library/comments", speaks_for_a_team_in, body=comment_in, prepare=in_projects),
    ("POST", "/ui/collaboratives/{collaborative_id}/library/trying"): per_collaborative(
        C + "/library/trying", speaks_for_a_team_in, body=trying_in, prepare=in_projects, only=("A",)),
    ("POST", "/ui/teams/{team_id}/share"): Declared(project_shares, in_projects),
    # Toolkits, from the sharing phase on.
    ("GET", "/ui/collaboratives/{collaborative_id}/toolkits"): per_collaborative(
        C + "/toolkits", reads, lambda c: (TOOLKITS[c],), prepare=in_sharing),
    ("GET", "/ui/toolkits/{toolkit_id}"): toolkit_pages_of("", shows=True),
    ("GET", "/ui/toolkits/{toolkit_id}.pdf"): toolkit_pages_of(".pdf", shows=False),
    ("GET", "/ui/toolkits/{toolkit_id}.html"): toolkit_pages_of(".html", shows=True),
    ("POST", "/ui/collaboratives/{collaborative_id}/toolkits"): per_collaborative(
        C + "/toolkits", lambda c: STAFF_ONLY, body=toolkit_of, prepare=in_sharing),
    # Staff's: running collaboratives, the change package, invitations.
    ("POST", "/ui/collaboratives/{collaborative_id}/teams"): Declared(register_team, registering),
    ("POST", "/ui/collaboratives/{collaborative_id}/activities"): per_collaborative(
        C + "/activities", lambda c: STAFF_ONLY, body=lambda c: SESSION),
    ("GET", "/ui/collaboratives/{collaborative_id}/sessions/{activity_id}/attendance"): sessions(""),
    ("POST", "/ui/collaboratives/{collaborative_id}/sessions/{activity_id}/attendance"): sessions(
        "", body=attendance_in),
    ("POST", "/ui/collaboratives/{collaborative_id}/sessions/{activity_id}/attendance/report"): sessions(
        "/report", body=lambda c: form(), report=True),
    ("POST", "/ui/collaboratives/{collaborative_id}/time-zone"): per_collaborative(
        C + "/time-zone", lambda c: STAFF_ONLY, body=lambda c: form(time_zone="America/Chicago")),
    ("GET", "/ui/collaboratives/{collaborative_id}/phase"): per_collaborative(
        C + "/phase", lambda c: STAFF_ONLY, lambda c: (TITLES[c],)),
    ("POST", "/ui/collaboratives/{collaborative_id}/driver-diagram/{action}"): per_collaborative(
        C + "/driver-diagram/aim", lambda c: STAFF_ONLY, body=lambda c: form(aim="Every child weighed in kg")),
    ("POST", "/ui/teams/{team_id}/invitations"): per_team(
        "/ui/teams/{id}/invitations", lambda t: STAFF_ONLY, body=lambda t: team_invitation, only=("A1", "B1")),
    ("POST", "/ui/people/invitations"): one("/ui/people/invitations", STAFF_ONLY, access_invitation),
    ("POST", "/ui/collaboratives"): one("/ui/collaboratives", STAFF_ONLY, form(title="Gamma Collaborative")),
    ("POST", "/ui/collaboratives/{collaborative_id}/focus"): per_collaborative(
        C + "/focus", lambda c: PAST_FOCUS, body=lambda c: form(focus_area="Readiness", aim="Weigh in kg")),
    ("POST", "/ui/collaboratives/{collaborative_id}/exit-criteria"): per_collaborative(
        C + "/exit-criteria", lambda c: STAFF_ONLY, body=lambda c: form(**{
            "min_teams": "1", "criterion:sessions:session_held": "on"})),
    ("POST", "/ui/collaboratives/{collaborative_id}/measures"): per_collaborative(
        C + "/measures", lambda c: PAST_FOCUS, body=lambda c: form(
            measure_name="Doses", measure_kind="process", data_type="count", numerator_definition="doses",
            direction="increase")),
    ("POST", "/ui/people/tokens"): one("/ui/people/tokens", STAFF_ONLY, service_token),
    ("POST", "/ui/teams/{team_id}/members/{participant_id}/removal"): Declared(spare_members),
    ("POST", "/ui/people/tokens/{token_id}/revocation"): Declared(spare_token),
    # Outputs from the sharing phase on, then the community of practice in its phase.
    ("POST", "/ui/collaboratives/{collaborative_id}/outputs"): per_collaborative(
        C + "/outputs", lambda c: STAFF_ONLY, prepare=in_sharing,
        body=lambda c: form(output_kind="summative_paper", output_title="What we learned")),
    ("POST", "/ui/collaboratives/{collaborative_id}/community"): per_collaborative(
        C + "/community", lambda c: STAFF_ONLY, body=community_member_of, prepare=in_community),
    # Monthly reports.
    ("GET", "/ui/teams/{team_id}/reports/{month}"): reports_in("2025-02", "", reads_team, shows=True),
    ("GET", "/ui/teams/{team_id}/reports/{month}/summary.pdf"): reports_in("2025-02", "/summary.pdf", reads_team),
    ("POST", "/ui/teams/{team_id}/reports/{month}"): reports_in("2025-01", "", writes_team, body=REPORT_TEXT),
    ("POST", "/ui/teams/{team_id}/reports/{month}/submit"): reports_in(
        "2024-12", "/submit", writes_team, DraftReport, body=form()),
    ("POST", "/ui/teams/{team_id}/reports/{month}/answer"): reports_in(
        "2024-11", "/answer", coaches_team, DraftReport, SubmitReport, body=form(feedback="Ask Big Sky EMS")),
    ("POST", "/ui/teams/{team_id}/reports/{month}/reopen"): reports_in(
        "2024-10", "/reopen", writes_team, DraftReport, SubmitReport, body=form()),
    ("GET", "/ui/collaboratives/{collaborative_id}/reports"): per_collaborative(
        C + "/reports?month=2025-02", faculty_of, lambda c: (TITLES[c],)),
    ("GET", "/ui/collaboratives/{collaborative_id}/reports/summary.pdf"): per_collaborative(
        C + "/reports/summary.pdf?month=2025-02", faculty_of),
    # Last: it moves each collaborative on a phase.
    ("POST", "/ui/collaboratives/{collaborative_id}/phase"): per_collaborative(
        C + "/phase", lambda c: STAFF_ONLY, body=next_phase_of),
}  # fmt: skip


def web_routes() -> set[tuple[str, str]]:
    """(method, path) of every route of the pages' routers."""
    return {
        (method, route.path)
        for module in ROUTERS
        for route in module.router.routes
        if isinstance(route, APIRoute)
        for method in route.methods
    }


def test_every_route_of_the_pages_is_declared_in_the_matrix() -> None:
    routes = web_routes()
    undeclared = sorted(routes - MATRIX.keys())
    assert not undeclared, (
        f"routes the authorization matrix does not declare (add them to MATRIX): {undeclared}"
    )
    gone = sorted(MATRIX.keys() - routes)
    assert not gone, f"declared in MATRIX but no longer routes of the pages: {gone}"


# -- callers ------------------------------------------------------------------------------
@dataclass
class Caller:
    """A browser: a person signed in through the form, nobody, or a replayed session."""

    key: str
    page: PageClient
    person: Person | None = None
    replay: str | None = None  # the signed-out session's cookie, sent again every time
    csrf_session: str | None = None

    def ready(self) -> None:
        """Send the replayed cookie again; read a page for the CSRF token if the session changed."""
        if self.replay is not None:
            self.page.client.cookies.clear()
            self.page.client.cookies.set(COOKIE, self.replay)
        elif self.person is not None and self.page.session != self.csrf_session:
            self.page.get("/ui/account")
            self.csrf_session = self.page.session

    def send(self, method: str, url: Url, w: World) -> Response:
        if method == "GET":
            return self.page.get(url.path, follow_redirects=False)
        assert url.body is not None, url.path
        data = url.body(w, self.key)
        files = url.files or ({"file": ("poster.pdf", PDF, "application/pdf")} if url.upload else None)
        return self.page.post(url.path, data=data, files=files, follow_redirects=False)


def signs_in(app: Any, person: Person) -> PageClient:
    page = PageClient(TestClient(app))
    page.get("/ui/sign-in")
    response = page.post(
        "/ui/sign-in", data={"email": person.email, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303, (person.key, response.status_code)
    return page


def callers(app: Any) -> list[Caller]:
    people = [Caller(p.key, signs_in(app, p), p) for p in PEOPLE]
    replayed = signs_in(app, STAFF)
    replayed.get("/ui/account")
    secret = replayed.session
    assert secret and replayed.post("/ui/sign-out", follow_redirects=False).status_code == 303
    signed_out = Caller(SIGNED_OUT, replayed, replay=secret)
    return [*people, Caller(ANONYMOUS, PageClient(TestClient(app))), signed_out]


# -- judging ------------------------------------------------------------------------------
def expected(url: Url, caller: Caller) -> str | int:
    if caller.person is None:
        return SIGN_IN
    return ALLOWED if url.rule.may(caller.person) else url.rule.otherwise(caller.person)


def unseen(person: Person | None) -> tuple[str, ...]:
    """Names the person may see on no page: those of the collaboratives they do not read."""
    if person is None:
        return ()
    return tuple(m for c in TITLES if not reads(c).may(person) for m in markers_of(c))


def textual(response: Response) -> str | None:
    kind = response.headers.get("content-type", "")
    return response.text if kind.startswith(("text/", "application/json")) else None


def gist(response: Response) -> str:
    """What an answer says, briefly: where it redirects, or its main text without the markup."""
    if response.headers.get("location"):
        return response.headers["location"]
    text = textual(response) or ""
    main = text.split('<main id="main" tabindex="-1">', 1)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())[:240]


def judge(method: str, url: Url, caller: Caller, response: Response, wrote: bool) -> list[str]:
    """What is wrong with the answer (nothing, if it is as the rules say)."""
    want = expected(url, caller)
    label = f"{method} {url.path} as {caller.key} ({url.rule.words})"
    status, location = response.status_code, response.headers.get("location", "")
    to_sign_in = status == 303 and location.startswith("/ui/sign-in")
    problems = []
    if want == ALLOWED:
        if not (200 <= status < 400) or to_sign_in:
            problems.append(f"{label}: allowed, but {status}: {gist(response)}")
    elif want == SIGN_IN:
        if not to_sign_in:
            problems.append(f"{label}: should be sent to sign in, got {status}: {gist(response)}")
    elif status != want:
        problems.append(f"{label}: should be refused with {want}, got {status}: {gist(response)}")
    text = textual(response)
    if text is not None:
        leaked = [m for m in unseen(caller.person) if m in text]
        if want != ALLOWED and method == "GET":
            leaked += [m for m in url.shows if m in text]
        if leaked:
            problems.append(f"{label}: the answer ({status}) names what they may not see: {leaked}")
        if want == ALLOWED and status == 200:
            missing = [m for m in url.shows if m not in text]
            if missing:
                problems.append(f"{label}: the page does not show {missing}")
    if want != ALLOWED and wrote:
        problems.append(f"{label}: refused ({status}), yet events were stored")
    if caller.replay is not None and f"{COOKIE}=" not in response.headers.get("set-cookie", ""):
        problems.append(f"{label}: the replayed session cookie was not sent (no answer forgets it)")
    return problems


def run_matrix(w: World, everyone: list[Caller]) -> tuple[list[str], Counter[str]]:
    problems: list[str] = []
    counts: Counter[str] = Counter()
    recorder = w.engine.recorder
    for (method, _template), declared in MATRIX.items():
        if declared.urls is None:
            continue
        if declared.prepare is not None:
            declared.prepare(w)
        urls = declared.urls(w)
        counts["routes"] += 1
        for url in urls:
            counts["urls"] += 1
            # Refusals first: an accepted form may change what the next one meets (a phase).
            for caller in sorted(everyone, key=lambda c: expected(url, c) == ALLOWED):
                caller.ready()
                before = recorder.max_notification_id()
                response = caller.send(method, url, w)
                wrote = recorder.max_notification_id() != before
                found = judge(method, url, caller, response, wrote)
                problems += found
                want = expected(url, caller)
                counts[f"{method} {want if want in (ALLOWED, SIGN_IN) else f'refused {want}'}"] += 1
                counts["requests"] += 1
    return problems, counts


def test_every_person_gets_what_the_rules_say_on_every_page_and_form(
    client: TestClient, app_engine: QIEngine, clock: Clock
) -> None:
    w = build_world(app_engine, clock)
    everyone = callers(client.app)
    began = time.monotonic()
    problems, counts = run_matrix(w, everyone)
    print(f"\nauthorization matrix: {len(everyone)} callers, {dict(counts)}, {time.monotonic() - began:.1f}s")
    if problems:
        pytest.fail(f"{len(problems)} answers break the rules:\n" + "\n".join(problems), pytrace=False)
    assert counts["routes"] == sum(d.urls is not None for d in MATRIX.values())


# -- the public pages ---------------------------------------------------------------------
def test_the_public_pages_work_without_a_session(client: TestClient, app_engine: QIEngine) -> None:
    """Each public route, from a browser with no session: sign-in, sign-out, an invitation,
    a password reset; single sign-on answers 404 here, where it is not set up
    (tests/web/test_single_sign_on.py walks it with a provider)."""
    checked: set[tuple[str, str]] = set()

    def fresh() -> PageClient:
        return PageClient(TestClient(client.app))

    def check(
        method: str, template: str, response: Response, status: int, location: str | None = None
    ) -> None:
        assert response.status_code == status, (method, template, response.status_code, response.text[:300])
        if location is not None:
            assert response.headers["location"].startswith(location), (method, template, response.headers)
        checked.add((method, template))

    browser = fresh()
    check("GET", "/", browser.get("/", follow_redirects=False), 307, "/ui/")
    account_id = app_engine.accounts.invite(INVITER, email="pat@matrix.example", name="Pat Public",
                                            access=Access(role=Role.AUDITOR))  # fmt: skip
    account = app_engine.accounts.account(account_id)
    assert account is not None
    link = app_engine.accounts.invitation_link(account)
    welcome = browser.get(f"/ui/invitations/{link}")
    check("GET", "/ui/invitations/{secret}", welcome, 200)
    assert "Pat Public" in welcome.text and fresh().get("/ui/invitations/not-ours").status_code == 410
    accepted = browser.post(f"/ui/invitations/{link}", {"password": PASSWORD, "confirm": PASSWORD},
                            follow_redirects=False)  # fmt: skip
    check("POST", "/ui/invitations/{secret}", accepted, 303, "/ui/")
    assert browser.get("/ui/account").status_code == 200
    session = browser.session
    assert session and web_sessions.principal_of(app_engine, session) is not None
    check("POST", "/ui/sign-out", browser.post("/ui/sign-out", follow_redirects=False), 303, "/ui/sign-in")
    assert web_sessions.principal_of(app_engine, session) is None  # ended on the server, not just forgotten
    check("POST", "/ui/sign-out", fresh().post("/ui/sign-out", follow_redirects=False), 303, "/ui/sign-in")

    browser = fresh()
    check("GET", "/ui/sign-in", browser.get("/ui/sign-in?next=/ui/account"), 200)
    wrong = browser.post("/ui/sign-in", {"email": "pat@matrix.example", "password": "not the password"})
    assert wrong.status_code == 401
    browser.get("/ui/sign-in")
    signed = browser.post("/ui/sign-in", {"email": "pat@matrix.example", "password": PASSWORD, "next": "/ui/account"},
                          follow_redirects=False)  # fmt: skip
    check("POST", "/ui/sign-in", signed, 303, "/ui/account")

    browser = fresh()
    check("GET", "/ui/password-reset", browser.get("/ui/password-reset"), 200)
    asked = browser.post("/ui/password-reset", {"email": "pat@matrix.example"})
    check("POST", "/ui/password-reset", asked, 200)
    secret = None
    for _ in range(100):  # the reset is recorded after the answer, on a thread
        account = app_engine.accounts.account(account_id)
        secret = app_engine.accounts.reset_link(account) if account else None
        if secret:
            break
        time.sleep(0.05)
    assert secret, "no reset link was recorded"
    browser = fresh()
    check("GET", "/ui/password-reset/{secret}", browser.get(f"/ui/password-reset/{secret}"), 200)
    assert fresh().get("/ui/password-reset/not-ours").status_code == 410
    reset = browser.post(f"/ui/password-reset/{secret}", {"password": "another long password", "confirm":
                         "another long password"}, follow_redirects=False)  # fmt: skip
    check("POST", "/ui/password-reset/{secret}", reset, 303, "/ui/")
    assert browser.get("/ui/account").status_code == 200

    check("GET", "/ui/sign-in/oidc", fresh().get("/ui/sign-in/oidc", follow_redirects=False), 404)
    callback = fresh().get("/ui/sign-in/oidc/callback?code=x&state=y", follow_redirects=False)
    check("GET", "/ui/sign-in/oidc/callback", callback, 404)

    public_routes = {key for key, declared in MATRIX.items() if declared.urls is None}
    assert checked == public_routes, f"public routes not checked: {sorted(public_routes - checked)}"
