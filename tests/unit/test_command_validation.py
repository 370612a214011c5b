"""Command fields are strict at the edge: links are http(s), numbers are numbers, lists
are bounded and name nothing twice; and the value objects the engine receives are the
ones events carry."""

from __future__ import annotations

import types
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin
from uuid import UUID, uuid4

import pytest
from pydantic import BaseModel, ValidationError

import engine.commands.activity
import engine.commands.collaborative
import engine.commands.learning
import engine.commands.team  # noqa: F401  (every command module, so every command is found)
from aggregates.pdsa import PdsaStudy
from aggregates.values import AssessmentItem, SharedProject
from engine.commands import Command
from engine.commands.activity import RecordAttendance, RegisterParticipant
from engine.commands.collaborative import RecordOutput, RegisterTeam
from engine.commands.fields import Edge, HttpUrl, Items, Strictly
from engine.commands.learning import CompileToolkit, ShareLink
from engine.commands.team import RecordStudy, ShareProject, SubmitAssessment, SubmitData
from engine.idempotency import fingerprint

TEAM = uuid4()
LISTS = (tuple, list, set, frozenset, dict)


def every_command() -> list[type[Command]]:
    found: list[type[Command]] = []
    pending = list(Command.__subclasses__())
    while pending:
        command = pending.pop()
        found.append(command)
        pending.extend(command.__subclasses__())
    return sorted(set(found), key=lambda c: c.__name__)


def _fields(model: type[BaseModel], path: str) -> Iterator[tuple[str, Any, list[Any]]]:
    for name, field in model.model_fields.items():
        yield from _leaves(f"{path}.{name}", field.annotation, list(field.metadata))


def _leaves(path: str, annotation: Any, metadata: list[Any]) -> Iterator[tuple[str, Any, list[Any]]]:
    """Each field inside a command, with the rules that apply to it, through nested values."""
    origin = get_origin(annotation)
    if origin is Annotated:
        inner, *more = get_args(annotation)
        yield from _leaves(path, inner, [*metadata, *more])
    elif origin in (Union, types.UnionType):
        for option in get_args(annotation):
            if option is not type(None):
                yield from _leaves(path, option, metadata)
    elif edge := next((m for m in metadata if isinstance(m, Edge)), None):
        yield from _fields(edge.model, path)
    elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from _fields(annotation, path)
    elif origin in LISTS:
        yield path, origin, metadata
        item = get_args(annotation)[-1 if origin is dict else 0]
        yield from _leaves(f"{path}[]", item, [])
    else:
        yield path, annotation, metadata


def loose_fields(command: type[Command]) -> list[str]:
    """The fields of `command` that a URL, list or number rule should cover but does not."""
    loose = []
    for path, kind, metadata in _fields(command, command.__name__):
        name = path.rsplit(".", 1)[-1]
        if kind is str and ("url" in name or "link" in name) and not _has(metadata, HttpUrl):
            loose.append(f"{path}: a link that is not an HttpUrl")
        if kind in LISTS and not _has(metadata, Items):
            loose.append(f"{path}: a list without Items (a maximum, nothing twice)")
        if kind in (int, float, bool) and not (metadata and isinstance(metadata[-1], Strictly)):
            loose.append(f"{path}: a {kind.__name__} not ending in Strictly() (after its limits)")
    return loose


def _has(metadata: list[Any], rule: type) -> bool:
    return any(isinstance(m, rule) for m in metadata)


@pytest.mark.parametrize("command", every_command(), ids=lambda c: c.__name__)
def test_every_link_list_and_number_in_every_command_is_strict(command: type[Command]) -> None:
    assert loose_fields(command) == []


def test_the_walk_finds_the_commands_and_their_nested_fields() -> None:
    names = {c.__name__ for c in every_command()}
    assert {"ShareProject", "ShareLink", "RecordAttendance", "SubmitData", "RegisterTeam"} <= names
    paths = {path for path, _, _ in _fields(ShareProject, "ShareProject")}
    assert {"ShareProject.project.storyboard_url", "ShareProject.project.measure_keys"} <= paths


def _errors(build: Any) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        build()
    return [error["msg"] for error in refused.value.errors()]


def _share(**project: Any) -> ShareProject:
    return ShareProject(team_id=TEAM, project={"title": "Kg only", "summary": "What worked", **project})


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("javascript:alert(document.cookie)", "must start with http:// or https://"),
        ("JavaScript:alert(1)", "must start with http:// or https://"),
        ("data:text/html,<script>alert(1)</script>", "must start with http:// or https://"),
        ("vbscript:msgbox(1)", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("//evil.example/x", "must start with http:// or https://"),
        ("https:evil.example", "must start with http:// or https://"),
        ("https://", "must name a host, as in https://example.org/page"),
        ("https://user:secret@evil.example/", "must not carry a user name or password"),
        ("https://evil.example@good.example/", "must not carry a user name or password"),
        ("https://exa mple.org/", "must not contain spaces or control characters"),
        ("https://example.org/\x07", "must not contain spaces or control characters"),
        ("https://example.org/\u202e", "must not contain spaces or control characters"),
        ("https://evil.example\\@good.example/", "must not contain a backslash"),
        ("https://example.org:99999/", "is not a valid web address"),
        ("https://[::1/", "is not a valid web address"),
        ("https://example.org/" + "a" * 2000, "is longer than 2,000 characters"),
    ],
)
def test_a_storyboard_link_that_is_not_a_plain_web_address_is_refused(url: str, reason: str) -> None:
    assert _errors(lambda: _share(storyboard_url=url)) == [f"the storyboard link {reason}"]


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=c#d", "HTTP://Example.org", "http://10.0.0.1:8080/x", "https://[::1]/"]
)
def test_a_web_address_is_kept_as_sent_less_surrounding_spaces(url: str) -> None:
    assert _share(storyboard_url=f"  {url} ").project.storyboard_url == url


def test_every_link_a_command_carries_is_checked_the_same_way() -> None:
    details = {"kind": "article", "title": "Kg"}
    assert _errors(lambda: ShareLink(collaborative_id=TEAM, details=details, url="data:,x")) == [
        "the link must start with http:// or https://"
    ]
    output = {"kind": "toolkit", "title": "Kit", "url": "javascript:alert(1)"}
    assert _errors(lambda: RecordOutput(collaborative_id=TEAM, details=output)) == [
        "the output's link must start with http:// or https://"
    ]


def test_forty_thousand_measure_keys_are_refused_before_any_is_read() -> None:
    assert _errors(lambda: _share(measure_keys=["weight-kg"] * 40_000)) == [
        "lists 40000 measure keys; at most 50"
    ]


def test_a_list_naming_an_item_twice_is_refused_naming_the_item() -> None:
    assert _errors(lambda: _share(measure_keys=["weight-kg", "scale", "weight-kg"])) == [
        "lists the measure key 'weight-kg' twice"
    ]
    idea = uuid4()
    toolkit = {"collaborative_id": TEAM, "title": "Kit", "change_idea_ids": [idea, idea]}
    assert _errors(lambda: CompileToolkit(**toolkit)) == [f"lists the change idea '{idea}' twice"]
    details = {"kind": "article", "title": "Kg", "tags": ["Scales", "scales"]}
    url = "https://example.org"
    assert _errors(lambda: ShareLink(collaborative_id=TEAM, details=details, url=url)) == [
        "lists the tag 'scales' twice"
    ]


def test_a_team_cannot_list_the_same_person_twice() -> None:
    person = uuid4()
    members = [{"participant_id": person, "discipline": "nurse"}] * 2
    team = {
        "collaborative_id": TEAM,
        "name": "Mercy",
        "organization": "Mercy",
        "care_setting": "community_ed",
    }
    assert _errors(lambda: RegisterTeam(**team, members=members)) == [f"lists the member '{person}' twice"]


def test_a_person_lists_a_licence_once() -> None:
    licence = {"kind": "NPI", "number": "1234567890"}
    details = {"name": "Ann", "licences": [licence, licence]}
    assert _errors(lambda: RegisterParticipant(details=details)) == [
        "lists the licence 'NPI 1234567890' twice"
    ]


@pytest.mark.parametrize(
    ("minutes", "message"),
    [
        (True, "must be a whole number, not true"),
        ("60", 'must be a whole number, not the text "60"'),
        (60.5, "must be a whole number, not 60.5"),
    ],
)
def test_minutes_are_a_whole_number_not_a_boolean_or_text(minutes: Any, message: str) -> None:
    attend = {"activity_id": uuid4(), "participant_id": uuid4()}
    assert _errors(lambda: RecordAttendance(**attend, minutes=minutes)) == [message]


def test_a_numerator_is_a_number_and_a_json_integer_is_one() -> None:
    data = {"team_id": TEAM, "measure_key": "weight-kg", "period": "2025-01"}
    assert _errors(lambda: SubmitData(**data, numerator="12")) == ['must be a number, not the text "12"']
    assert _errors(lambda: SubmitData(**data, numerator=12, denominator=False)) == [
        "must be a number, not false"
    ]
    assert SubmitData(**data, numerator=12, denominator=20).numerator == 12.0
    assert SubmitData(**data, numerator=0.25).numerator == 0.25


def test_scores_and_flags_inside_value_objects_are_strict_too() -> None:
    items = [{"item": "Scales", "score": "40"}]
    assert _errors(lambda: SubmitAssessment(team_id=TEAM, kind="gap_analysis", items=items)) == [
        'must be a number, not the text "40"'
    ]
    study = {"results": "88%", "prediction_confirmed": "yes"}
    cycle = uuid4()
    assert _errors(lambda: RecordStudy(team_id=TEAM, cycle_id=cycle, study=study)) == [
        'must be true or false, not "yes"'
    ]


def test_the_engine_receives_the_value_objects_events_carry() -> None:
    command = _share(storyboard_url="https://example.org/s.pdf", measure_keys=["weight-kg"])
    stored = SharedProject(
        title="Kg only",
        summary="What worked",
        storyboard_url="https://example.org/s.pdf",
        measure_keys=("weight-kg",),
    )
    assert type(command.project) is SharedProject and command.project == stored
    study = RecordStudy(
        team_id=TEAM, cycle_id=uuid4(), study={"results": "88%", "prediction_confirmed": True}
    )
    assert type(study.study) is PdsaStudy
    assessment = SubmitAssessment(team_id=TEAM, kind="gap_analysis", items=[{"item": "Scales", "score": 40}])
    assert assessment.items == (AssessmentItem(item="Scales", score=40),)


def test_a_command_rebuilt_from_its_own_fields_is_the_same_command() -> None:
    command = _share(storyboard_url="https://example.org/s.pdf", measure_keys=["weight-kg"])
    again = ShareProject(**dict(command))
    assert again == command and fingerprint(again) == fingerprint(command)
    assert isinstance(command.team_id, UUID)
