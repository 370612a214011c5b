"""Commands on assessment instruments: staff define one for a collaborative and publish
new versions of it; a team completes one (aggregates.assessment_instrument)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import Field, StringConstraints

from aggregates.assessment_instrument import InstrumentDefinition, Item, Option
from aggregates.values import Key
from engine.commands import Command, NewId
from engine.commands.fields import Edge, Items, Strictly
from engine.commands.team import TeamCommand


class OptionInput(Option):
    points: Annotated[float, Field(ge=0, le=1e6), Strictly()]


class ItemInput(Item):
    weight: Annotated[float, Field(ge=0, le=1000), Strictly()] = 1
    options: Annotated[
        tuple[Annotated[Option, Edge(OptionInput)], ...], Items(50, "option", same=lambda o: o.label)
    ] = ()
    target: Annotated[float, Field(ge=-1e12, le=1e12), Strictly()] | None = None
    at_most: Annotated[bool, Strictly()] = False


class DefinitionInput(InstrumentDefinition):
    items: Annotated[
        tuple[Annotated[Item, Edge(ItemInput)], ...], Items(300, "item key", same=lambda i: i.key, least=1)
    ]


DefinitionIn = Annotated[InstrumentDefinition, Edge(DefinitionInput)]

# One answer: true/false for a yes/no item, an option's label for a choice, a number, or text.
AnswerIn = (
    Annotated[bool, Strictly()]
    | Annotated[float, Field(ge=-1e12, le=1e12), Strictly()]
    | Annotated[str, StringConstraints(max_length=2000)]
)


class DefineInstrument(Command):
    """Define an instrument for the collaborative: its version 1."""

    target_field = "collaborative_id"
    collaborative_id: UUID
    instrument_id: NewId | None = None
    definition: DefinitionIn


class PublishInstrumentVersion(Command):
    """Publish a changed definition as the instrument's next version."""

    target_field = "instrument_id"
    instrument_id: UUID
    definition: DefinitionIn


class CompleteInstrument(TeamCommand):
    """The team's answers, by item key, to the current version of one of its collaborative's
    instruments."""

    assessment_id: NewId | None = None
    instrument_id: UUID
    answers: Annotated[dict[Key, AnswerIn], Items(300, "item key")]
