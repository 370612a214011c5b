"""A write's request body is validated once, on arrival: the command is built from it
as validated, and only the fields the URL path carries are checked then."""

from __future__ import annotations

from uuid import uuid4

import pytest
from pydantic import ValidationError

from adapters.http.schemas.common import body_of
from engine.commands.team import ShareProject, SubmitData

SubmitDataBody = body_of(SubmitData, "team_id", "measure_key")
ShareProjectBody = body_of(ShareProject, "team_id")
PROJECT = {
    "title": "Weigh in kg",
    "summary": "Scales locked to kg",
    "storyboard_url": "https://example.org/s",
}


def test_a_command_built_from_a_body_equals_the_command_its_fields_validate_to() -> None:
    team_id = uuid4()
    body = ShareProjectBody.model_validate({"project": PROJECT})
    assert body.command(team_id=team_id) == ShareProject.model_validate(
        {"team_id": team_id, "project": PROJECT}
    )


def test_a_body_s_value_objects_are_not_validated_again_when_the_command_is_built() -> None:
    body = ShareProjectBody.model_validate({"project": PROJECT})
    command = body.command(team_id=uuid4())
    assert isinstance(command, ShareProject) and command.project is body.project  # type: ignore[attr-defined]


def test_a_path_field_is_checked_by_the_command_s_rule_for_it() -> None:
    body = SubmitDataBody.model_validate({"period": "2025-01", "numerator": 3})
    with pytest.raises(ValidationError) as refused:
        body.command(team_id=uuid4(), measure_key="Not A Key!")
    assert [e["loc"] for e in refused.value.errors()] == [("measure_key",)]
