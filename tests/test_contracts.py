"""Contracts generated from the code: every event the engine emits validates
against its JSON Schema; the AsyncAPI document describes the topic; compose.yaml
and the Dockerfile give the services and variables the engine needs."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import jsonschema  # type: ignore[import-untyped]
import orjson
import pytest
import yaml  # type: ignore[import-untyped]
from fastapi.testclient import TestClient

from adapters.app import create_app
from adapters.contracts import asyncapi, event_classes, event_schema, events_schema, payload_classes
from aggregates.accounts import Access
from aggregates.activity_ids import ActivityIds
from aggregates.base import Actor, Role
from aggregates.criteria import ExitCriteriaSettings
from aggregates.measure_chart import ChartOwner, SetGoal, SplitPhase
from aggregates.participant import PersonDetails
from aggregates.phases import Phase
from aggregates.resource import ResourceDetails
from aggregates.tokens import Grant, Principal
from aggregates.values import FocusFields, SharedProject
from engine import web_sessions
from engine.application import QIEngine
from engine.commands.accounts import DisableAccount, EnableAccount, GrantAccess, RevokeAccess
from engine.commands.activity import (
    AttestMocPart4,
    ErasePerson,
    RecordActivityIds,
    RecordSessionHeld,
    UpdateParticipant,
)
from engine.commands.charts import (
    AnnotateChart,
    AnswerChartProposal,
    DecideChart,
    ProposeChartChange,
    WithdrawChartAnnotation,
)
from engine.commands.collaborative import (
    ChangeExitCriteria,
    ChangeTimeZone,
    DefineCollaborativeMeasure,
    NewMember,
    ReviseFocus,
    WithdrawTeam,
)
from engine.commands.learning import (
    CommentOnProject,
    CompileToolkit,
    MoveChangeIdea,
    RenameNode,
    RetireNode,
    ReviseAim,
    ShareLink,
    TryChange,
)
from engine.commands.team import (
    AddCoachingNote,
    AddMember,
    AssignCoach,
    DefineMeasure,
    RemoveMember,
    ShareProject,
    SubmitData,
)
from engine.feed import FeedEvent, read_feed
from engine.settings import Settings
from scripts.demo.seed import seed_demo
from tests.conftest import Clock
from tests.store.lifecycle import WEIGHT, Lifecycle
from tests.store.test_learning import Learned

ROOT = Path(__file__).resolve().parent.parent
# The event types this scenario exemplifies. A new event type gets a schema by itself
# (see the test of every discovered class); add it here once the scenario emits it.
EXEMPLIFIED = {
    "ActivityAddedToCalendar", "ActivityScheduled", "AssessmentSubmitted", "AttendanceRecorded",
    "CoachAssigned", "CoachingNoteAdded", "CollaborativeCreated", "CollaborativeMeasureDefined",
    "CommandAccepted", "CommunityMemberJoined", "DataPointCorrected", "DataPointSubmitted",
    "ExitCriteriaChanged", "FocusRevised", "MeasureDefined", "MemberAdded", "MemberRemoved",
    "MocPart4Attested", "OutputRecorded", "ParticipantDetailsUpdated", "ParticipantRegistered",
    "PdsaActed", "PdsaDone", "PdsaPlanned", "PdsaStudied", "PhaseAdvanced", "ProjectShared",
    "TeamEnrolled", "TeamRegistered", "TeamWithdrawn", "TimeZoneChanged", "TokenIssued", "TokenRevoked",
    "Withdrawn",
}  # fmt: skip


def _housekeeping(engine: QIEngine, clock: Clock) -> None:
    """The commands a straight run through the phases does not send."""
    flow = Lifecycle(engine, clock)
    _revise_the_focus(flow, flow.create())
    flow.advance(Phase.REGISTRATION)
    flow.register_teams()
    _change_the_roster(flow)
    flow.advance(Phase.ORIENTATION)
    flow.orient()
    flow.advance(Phase.SESSIONS)
    _correct_a_data_point(flow)
    _score_progress(flow)
    _take_training(flow)
    _report_a_month(flow)
    _complete_an_instrument(flow)
    _record_a_session_held(flow)
    _issue_and_revoke_a_token(engine)
    _override_a_digest(engine)
    _seal_stored_values(engine)


def _seal_stored_values(engine: QIEngine) -> None:
    from engine.stored_sealing import record_sealing, seal_stored

    record_sealing(engine, Actor(id="cli:ops", role=Role.SYSTEM), "upgrade", seal_stored(engine))


def _override_a_digest(engine: QIEngine) -> None:
    from engine.audit_digest import sign
    from engine.audit_key import generate_pem, signing_key
    from engine.audit_rechain import record_override
    from projections.audit import START

    digest = sign(START, engine.clock(), signing_key(generate_pem()))
    record_override(engine, Actor(id="cli:ops", role=Role.SYSTEM), "restored from backup", digest, "altered")


def _revise_the_focus(flow: Lifecycle, collaborative: UUID) -> None:
    focus = FocusFields(
        focus_area="Readiness", aim="Weigh all", starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30)
    )
    flow.run(ReviseFocus(collaborative_id=collaborative, focus=focus))
    second = WEIGHT.model_copy(update={"key": "second"})
    flow.run(DefineCollaborativeMeasure(collaborative_id=collaborative, measure=second))
    flow.run(ChangeExitCriteria(collaborative_id=collaborative, settings=ExitCriteriaSettings(min_teams=1)))
    flow.run(ChangeTimeZone(collaborative_id=collaborative, time_zone="America/Chicago"))


def _change_the_roster(flow: Lifecycle) -> None:
    team, lead = flow.teams[0], flow.members[flow.teams[0]][0]
    kim = NewMember(person=PersonDetails(name="Kim"), discipline="emt")
    added = flow.run(AddMember(team_id=team, member=kim)).created["Participant"][0]
    flow.run(RemoveMember(team_id=team, participant_id=added))
    for coach in (added, lead):  # the second takes over: the first's coaching ends
        flow.run(AssignCoach(team_id=team, coach_id=coach))
    flow.run(UpdateParticipant(participant_id=lead, details=PersonDetails(name="Lee", credentials="RN")))
    flow.run(AttestMocPart4(participant_id=lead, team_id=team, statement="I led the kg-only cycle"))
    flow.run(WithdrawTeam(team_id=flow.teams[1], reason="merged with another team"))
    flow.teams = [team]


def _record_a_session_held(flow: Lifecycle) -> None:
    flow.hold_session()
    assert flow.session_id
    starts = flow.engine.activity(flow.session_id).state.details.starts_at
    ends = starts + timedelta(minutes=100)
    flow.run(RecordSessionHeld(activity_id=flow.session_id, started_at=starts, ended_at=ends))
    flow.run(RecordActivityIds(activity_id=flow.session_id, ids=ActivityIds(pars_activity_id="202512345")))


def _take_training(flow: Lifecycle) -> None:
    from aggregates.training import CheckQuestion, EnduringCredit, KnowledgeCheck, ModuleDefinition
    from aggregates.values import CreditType
    from engine.commands.training import PublishModule, TakeModule

    module = ModuleDefinition(title="PDSA basics", summary="The model for improvement")
    module_id = flow.run(PublishModule(collaborative_id=flow.collaborative_id, module=module)).id
    person = next(iter(flow.engine.team(flow.teams[0]).state.members))
    flow.run(TakeModule(module_id=module_id, participant_id=person))
    check = KnowledgeCheck(questions=(CheckQuestion(prompt="S of PDSA?", options=("Study", "Stop"), correct=0),),
                           pass_mark=100)  # fmt: skip
    credit = EnduringCredit(credit_types=(CreditType.CNE,), hours=1, accrediting_body="AAP")
    accredited = module.model_copy(
        update={"title": "PDSA basics, accredited", "check": check, "credit": credit}
    )
    enduring = flow.run(PublishModule(collaborative_id=flow.collaborative_id, module=accredited)).id
    flow.run(RecordActivityIds(activity_id=enduring, ids=ActivityIds(pars_activity_id="202500100")))


def _score_progress(flow: Lifecycle) -> None:
    from aggregates.progress import Rater
    from engine.commands.team import ScoreProgress

    month = flow.engine.clock().strftime("%Y-%m")
    flow.run(
        ScoreProgress(team_id=flow.teams[0], month=month, rater=Rater.TEAM, score=2.5, rationale="Cycles run")
    )


def _report_a_month(flow: Lifecycle) -> None:
    from engine.commands.reports import AnswerReport, DraftReport, ReopenReport, SubmitReport

    team, month = flow.teams[0], flow.engine.clock().strftime("%Y-%m")
    flow.run(
        DraftReport(team_id=team, month=month, successes="Kg-only scales", help_wanted="Vendor settings")
    )
    flow.run(SubmitReport(team_id=team, month=month))
    flow.run(AnswerReport(team_id=team, month=month, feedback="Ask Big Sky EMS"))
    flow.run(ReopenReport(team_id=team, month=month))


def _complete_an_instrument(flow: Lifecycle) -> None:
    from engine.commands.instruments import CompleteInstrument, DefineInstrument, PublishInstrumentVersion
    from scripts.drills.instrument_routes import INSTRUMENT

    collaborative = flow.engine.team(flow.teams[0]).state.collaborative_id
    instrument = flow.run(DefineInstrument(collaborative_id=collaborative, definition=INSTRUMENT)).id
    revised = INSTRUMENT | {"title": "Readiness check, revised"}
    flow.run(PublishInstrumentVersion(instrument_id=instrument, definition=revised))
    flow.run(
        CompleteInstrument(team_id=flow.teams[0], instrument_id=instrument, answers={"pecc": True, "kg": 91})
    )


def _correct_a_data_point(flow: Lifecycle) -> None:
    team = flow.teams[0]
    flow.run(DefineMeasure(team_id=team, measure=WEIGHT))
    for numerator in (12, 14):  # the second submission for the month corrects the first
        data = SubmitData(
            team_id=team, measure_key="weight-kg", period="2025-01", numerator=numerator, denominator=20
        )
        flow.run(data)
    _confirm_a_data_finding(flow)


def _confirm_a_data_finding(flow: Lifecycle) -> None:
    from aggregates.datapoints import FindingRule
    from engine.commands.team import ConfirmDataFinding

    confirm = ConfirmDataFinding(
        team_id=flow.teams[0], measure_key="weight-kg", period="2024-12", rule=FindingRule.MISSING_MONTH,
        reason="The ED was closed for refurbishment",
    )  # fmt: skip
    flow.run(confirm)


def _shared_learning(engine: QIEngine, clock: Clock) -> None:
    """The library, the change package, teams learning from each other, and a toolkit."""
    life = Learned(engine, clock)
    life.build()
    cid = life.collaborative_id
    assert cid
    life.run(ReviseAim(collaborative_id=cid, aim="Every child weighed in kg, every shift"))
    life.run(RenameNode(collaborative_id=cid, node_id=life.nodes["Scales"], name="Kilogram-only scales"))
    life.run(
        MoveChangeIdea(
            collaborative_id=cid, change_idea_id=life.nodes["card"], secondary_driver_id=life.nodes["Scales"]
        )
    )
    life.run(
        RetireNode(collaborative_id=cid, node_id=life.nodes["card"], reason="Merged into the scale idea")
    )
    details = ResourceDetails(kind="tool_or_template", title="Kg-only scale checklist", tags=("weight",))
    resource = life.run(
        ShareLink(collaborative_id=cid, details=details, url="https://example.org/checklist")
    ).id
    life.advance(Phase.PROJECTS, reason="contracts scenario")
    mercy, big_sky = life.teams
    life.run(ShareProject(team_id=mercy, project=SharedProject(title="Kg only", summary="Locked scales")))
    life.run(CommentOnProject(team_id=big_sky, project_team_id=mercy, text="We saw the same at night"))
    life.run(TryChange(team_id=big_sky, project_team_id=mercy, cycle_id=life.cycles["sky-2"]))
    _decide_a_chart(life, mercy)
    life.advance(Phase.SHARING, reason="contracts scenario")
    toolkit = CompileToolkit(
        collaborative_id=cid,
        title="Kg toolkit",
        change_idea_ids=(life.nodes["lock"],),
        resource_ids=(resource,),
    )
    life.run(toolkit)
    _erase_a_person(life, mercy, clock)


def _decide_a_chart(life: Learned, team: UUID) -> None:
    """A chart's life: decided, proposed and declined, annotated and the note withdrawn."""
    chart = {"owner": ChartOwner.TEAM, "owner_id": team, "measure_key": "weight-kg"}
    life.run(DecideChart(**chart, decision=SplitPhase(starts="2025-01"), reason="Change bundle adopted"))
    proposal = life.run(ProposeChartChange(**chart, decision=SetGoal(goal=0.9), reason="Our aim"))
    proposal_id = proposal.created["ChartProposal"][0]
    life.run(AnswerChartProposal(**chart, proposal_id=proposal_id, accept=False, reason="Keep the target"))
    note = life.run(AnnotateChart(**chart, period="2025-01", text="Scales locked to kg")).created
    reason = "Wrong month"
    life.run(WithdrawChartAnnotation(**chart, annotation_id=note["ChartAnnotation"][0], reason=reason))


def _erase_a_person(life: Learned, team: UUID, clock: Clock) -> None:
    """A person noted on, erased, and, once the CE retention period ends, erased for good."""
    noor = NewMember(person=PersonDetails(name="Noor", email="noor@example.org"), discipline="nurse")
    person = life.run(AddMember(team_id=team, member=noor)).created["Participant"][0]
    life.run(AddCoachingNote(team_id=team, text="Noor is new to triage", about=person))
    life.run(ErasePerson(participant_id=person, reason="asked by email"))
    clock.advance(days=7 * 366)
    assert life.engine.erasures.sweep()[1] == [person]


def _an_account_s_life(engine: QIEngine, clock: Clock) -> None:
    """Invited, re-invited, accepted, locked, reset, changed, granted and revoked access,
    disabled and enabled; erased, and the address invited again."""
    staff = Principal.of_token(UUID(int=1, version=4), Grant(name="ops", role=Role.STAFF))
    accounts, password = engine.accounts, "correct horse battery staple"
    fields = {"email": "lee@example.org", "name": "Lee", "access": Access(role=Role.STAFF)}
    account_id = accounts.invite(staff, **fields)
    participant = accounts.account(account_id).state.participant_id  # type: ignore[union-attr]
    accounts.invite(staff, **(fields | {"name": None, "participant_id": participant}))
    accounts.accept(accounts.invitation_link(accounts.account(account_id)), password)  # type: ignore[arg-type]
    for _ in range(engine.settings.lockout_failures):
        accounts.sign_in("lee@example.org", "not the password at all")
    accounts._ask_reset("lee@example.org")
    accounts.reset(accounts.reset_link(accounts.account(account_id)), "another long passphrase")  # type: ignore[arg-type]
    accounts.change_password(account_id, "another long passphrase", "a third long passphrase")
    _remind(engine, account_id, participant)
    auditor = Access(role=Role.AUDITOR)
    for command in (
        GrantAccess(account_id=account_id, access=auditor), RevokeAccess(account_id=account_id, access=auditor),
        DisableAccount(account_id=account_id, reason="left the organisation"), EnableAccount(account_id=account_id),
    ):  # fmt: skip
        engine.submit(staff, command)
    engine.submit(staff, ErasePerson(participant_id=participant, reason="asked by email"))
    accounts.invite(staff, **fields)


def _remind(engine: QIEngine, account_id: UUID, participant: UUID) -> None:
    from aggregates.reminders import Occasion, ReminderKind
    from engine.commands.reminders import ChooseReminders, RecordReminder
    from engine.reminders import SCHEDULER

    ctx = lambda: engine.context(SCHEDULER)  # noqa: E731
    engine.execute(ChooseReminders(account_id=account_id, off=(ReminderKind.SESSION_SOON,)), ctx())
    occasion = Occasion(kind=ReminderKind.INVITATION_WAITING, key="an invitation", invitation_id=UUID(int=7, version=4),
                        due_at=engine.clock())  # fmt: skip
    engine.execute(RecordReminder(participant_id=participant, occasion=occasion), ctx())


def _issue_and_revoke_a_token(engine: QIEngine) -> None:
    ctx = engine.context(Actor(id="ops", role=Role.SYSTEM))
    secret = engine.issue_token(Grant(name="downstream", role=Role.SUBSCRIBER), ctx)
    principal = engine.authenticate(secret)
    assert principal is not None
    session = web_sessions.sign_in(engine, secret)  # a page session: SessionStarted, SessionEnded
    assert session is not None and web_sessions.sign_out(engine, session)
    engine.revoke_token(principal.token_id, ctx)


@pytest.fixture(scope="module")
def emitted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[FeedEvent]]:
    """Every event of a whole collaborative, the demo and the housekeeping, as subscribers see them."""
    clock = Clock(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    engine = QIEngine(Settings(store=str(tmp_path_factory.mktemp("contracts") / "qi.sqlite3")), clock)
    Lifecycle(engine, clock).through_every_phase()
    seed_demo(engine)
    _housekeeping(engine, clock)
    _shared_learning(engine, clock)
    _an_account_s_life(engine, clock)
    events: list[FeedEvent] = []
    while page := read_feed(engine, events[-1].position if events else 0, 1000):
        events += page
    yield events
    engine.close()


def test_every_emitted_event_validates_against_the_json_schema_of_its_type(emitted: list[FeedEvent]) -> None:
    validators: dict[str, jsonschema.protocols.Validator] = {}
    for event in emitted:
        name = event.type.removeprefix("org.qi.")
        assert name in event_classes(), f"{event.type} has no schema"
        if name not in validators:
            schema = event_schema(name)
            validators[name] = jsonschema.Draft202012Validator(
                schema, format_checker=jsonschema.FormatChecker()
            )
        errors = list(validators[name].iter_errors(event.data))
        assert not errors, f"{event.id} ({name}): {errors[0].message} at {list(errors[0].absolute_path)}"
    assert set(validators) >= EXEMPLIFIED, f"not emitted: {sorted(EXEMPLIFIED - set(validators))}"
    assert set(validators) == set(event_classes()), (
        f"never emitted: {sorted(set(event_classes()) - set(validators))}"
    )


def test_a_schema_refuses_an_event_that_breaks_it(emitted: list[FeedEvent]) -> None:
    advanced = next(e for e in emitted if e.type == "org.qi.PhaseAdvanced")
    schema = event_schema("PhaseAdvanced")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(advanced.data | {"to_phase": "somewhere"}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(advanced.data | {"unexpected": 1}, schema)


def test_every_event_class_has_a_valid_schema_that_names_its_cloudevents_type() -> None:
    document = events_schema()
    jsonschema.Draft202012Validator.check_schema(document)
    for name in event_classes():
        assert document["$defs"][name]["x-cloudevents-type"] == f"org.qi.{name}"
        assert {"$ref": f"#/$defs/{name}"} in document["anyOf"]
    assert {"QIEvent", "QICreated", "CollaborativeEvent", "TeamEvent"}.isdisjoint(event_classes())
    stand_in = document["$defs"]["UndecodableRecord"]
    assert stand_in["x-cloudevents-type"] == "org.qi.UndecodableRecord" and "sha256" in stand_in["required"]


def test_the_asyncapi_document_describes_the_topic_key_headers_and_every_payload() -> None:
    document = asyncapi(Settings(kafka_bootstrap="kafka:9092", kafka_topic="qi.events"))
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["kafka"] == document["servers"]["kafka"] | {
        "host": "kafka:9092",
        "protocol": "kafka",
    }
    channel = document["channels"]["events"]
    assert channel["address"] == "qi.events" and channel["bindings"]["kafka"]["topic"] == "qi.events"
    assert set(channel["messages"]) == set(payload_classes()) == {*event_classes(), "UndecodableRecord"}
    operation = document["operations"]["publishEvents"]
    assert operation["action"] == "send" and operation["channel"] == {"$ref": "#/channels/events"}
    components = document["components"]
    headers = components["schemas"]["CloudEventsHeaders"]
    assert set(headers["required"]) == {
        "ce_specversion",
        "ce_id",
        "ce_source",
        "ce_type",
        "ce_time",
        "ce_subject",
        "ce_dataschema",
        "ce_position",
        "content-type",
    }
    assert headers["properties"]["ce_source"]["format"] == "uri"
    assert headers["properties"]["ce_dataschema"]["format"] == "uri"
    assert headers["properties"]["ce_position"]["pattern"] == "^[1-9][0-9]*$"
    for name, message in components["messages"].items():
        assert message["payload"] == {"$ref": f"#/components/schemas/{name}"}
        assert message["bindings"]["kafka"]["key"]["format"] == "uuid"
        own = {"ce_type": {"const": f"org.qi.{name}"}, "ce_dataschema": {"pattern": f"#/\\$defs/{name}$"}}
        assert {"properties": own, "type": "object"} in message["headers"]["allOf"]
    _every_reference_resolves(document)


def _every_reference_resolves(node: Any, root: Any = None) -> None:
    root = node if root is None else root
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            target = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
        for value in node.values():
            _every_reference_resolves(value, root)
    elif isinstance(node, list):
        for value in node:
            _every_reference_resolves(value, root)


def test_the_contracts_are_served_without_a_token(sqlite_engine: QIEngine) -> None:
    with TestClient(create_app(sqlite_engine)) as client:
        schemas = client.get("/schemas/events")
        document = client.get("/asyncapi.json")
    assert schemas.status_code == 200 and schemas.json() == orjson.loads(orjson.dumps(events_schema()))
    assert document.status_code == 200 and document.json()["asyncapi"] == "3.0.0"


def test_qi_contracts_writes_the_schemas_and_the_asyncapi_document(tmp_path: Path) -> None:
    env = os.environ | {"QI_STORE": str(tmp_path / "qi.sqlite3"), "QI_KAFKA_TOPIC": "qi.custom"}
    done = subprocess.run(
        [sys.executable, "-m", "adapters.cli", "contracts", "--out", str(tmp_path / "out")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    written = orjson.loads((tmp_path / "out" / "events.schema.json").read_bytes())
    assert written == orjson.loads(orjson.dumps(events_schema()))
    spec = orjson.loads((tmp_path / "out" / "asyncapi.json").read_bytes())
    assert spec["channels"]["events"]["address"] == "qi.custom"


# compose.yaml and the Dockerfile ----------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return loaded


def _env(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {k: str(v) for k, v in environment.items()}


def test_compose_runs_postgres_kafka_and_the_engine_services(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"postgres", "kafka", "api", "projector", "relay"} <= set(services)
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert _env(kafka)["KAFKA_PROCESS_ROLES"] == "broker,controller"  # KRaft: no ZooKeeper
    assert "zookeeper" not in services
    for name in ("postgres", "kafka", "api"):
        assert services[name]["healthcheck"]["test"], f"{name} has no health check"
    for name in ("api", "projector", "relay"):
        assert services[name]["build"] in (".", {"context": "."}) or "image" in services[name]
        assert _env(services[name])["QI_STORE"].startswith("postgresql://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["relay"]["depends_on"]["kafka"]["condition"] == "service_healthy"


def test_compose_wires_the_engine_by_the_variables_it_reads(compose: dict[str, Any]) -> None:
    services = compose["services"]
    fields = set(Settings.model_fields)
    for name in ("api", "projector", "relay"):
        for variable in _env(services[name]):
            if variable.startswith("QI_"):
                assert variable.removeprefix("QI_").lower() in fields, f"{name}: {variable} is not a setting"
    api, relay = _env(services["api"]), _env(services["relay"])
    assert api["QI_PROJECTIONS"] == "worker" and api["QI_RELAY"] == "off"
    assert relay["QI_KAFKA_BOOTSTRAP"] == "kafka:9092" and relay["QI_KAFKA_TOPIC"] == "qi.events"
    assert _env(services["kafka"])["KAFKA_ADVERTISED_LISTENERS"].endswith("kafka:9092")
    assert services["api"]["command"][0] == "serve" and "0.0.0.0" in services["api"]["command"]
    assert services["projector"]["command"] == ["project"] and services["relay"]["command"] == ["relay"]
    assert api["QI_SMTP_HOST"] in services and api["QI_PUBLIC_URL"].startswith(
        "http"
    )  # mail, with links home
    for name in ("api", "projector", "relay"):
        values: dict[str, Any] = {
            k.removeprefix("QI_").lower(): v for k, v in _env(services[name]).items() if k.startswith("QI_")
        }
        settings = Settings(**values)  # every value parses as the engine reads it
        assert settings.uses_postgres and settings.kafka_bootstrap == "kafka:9092"


def test_the_engine_image_is_slim_and_runs_as_a_non_root_user() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert any(line.startswith("FROM python:") and line.endswith("-slim") for line in lines)
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", "var"} <= {entry.strip("/") for entry in ignored}


def test_compose_hands_every_engine_service_the_master_key_of_personal_data_as_a_secret(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    for name in ("api", "projector", "relay", "demo"):
        assert "qi_data_key" in services[name]["secrets"], name
        assert _env(services[name])["QI_DATA_KEY"] == "/run/secrets/qi_data_key", name
    assert compose["secrets"]["qi_data_key"]["file"].startswith("./var/secrets/")
