"""Shared learning: the change package, the library (its files stored first, as uploads
are), shared projects, comments, borrowed changes, the community of practice, the
toolkit and the summative paper.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta

from adapters.filestore import FileStore
from aggregates.base import Actor, Role
from aggregates.collaborative import OutputDetails
from aggregates.resource import ResourceDetails
from aggregates.team import SharedProject
from aggregates.values import DriverLevel, MemberRole, OutputKind
from engine.application import QIEngine
from engine.commands.collaborative import JoinCommunity, RecordOutput
from engine.commands.learning import (
    AddChangeIdea,
    AddDriver,
    CommentOnProject,
    CompileToolkit,
    RetireNode,
    ReviseAim,
    ShareFile,
    ShareLink,
    TryChange,
)
from engine.commands.team import ShareProject
from scripts.demo import data, figures, learning, library, ramps
from scripts.demo.improvement import ramp_cycle
from scripts.demo.steps import (
    DEMO_COLLABORATIVE_ID,
    STAFF,
    TOOLKIT_ID,
    Files,
    Roster,
    Step,
    actor_of,
    at,
    demo_id,
    id_of_cycle,
    id_of_node,
    id_of_team,
    team_named,
)


def change_package() -> Iterator[Step]:
    day, package = learning.PACKAGE_DRAWN_ON, DEMO_COLLABORATIVE_ID
    yield Step(at(day, 14), "package:aim", ReviseAim(collaborative_id=package, aim=data.AIM))
    nodes = [*learning.PRIMARY_DRIVERS, *learning.SECONDARY_DRIVERS, *learning.CHANGE_IDEAS]
    for minute, node in enumerate(nodes, 1):
        yield Step(at(day, 14, minute), f"package:{node.key}", _add_node(node))
    retire = RetireNode(collaborative_id=package, node_id=id_of_node(learning.RETIRED_IDEA),
                        reason=learning.RETIRED_REASON)  # fmt: skip
    yield Step(at(learning.RETIRED_ON, 16), f"package:retire:{learning.RETIRED_IDEA}", retire)


def _add_node(node: learning.Node) -> AddDriver | AddChangeIdea:
    node_id, parent = id_of_node(node.key), id_of_node(node.parent) if node.parent else None
    fields = {"collaborative_id": DEMO_COLLABORATIVE_ID, "name": node.name, "description": node.description}
    if node in learning.CHANGE_IDEAS:
        assert parent is not None
        return AddChangeIdea(change_idea_id=node_id, secondary_driver_id=parent, **fields)
    level = DriverLevel.SECONDARY if parent else DriverLevel.PRIMARY
    return AddDriver(driver_id=node_id, level=level, primary_driver_id=parent, **fields)


def store_documents(engine: QIEngine) -> Files:
    """Put the library's files in the file store first, as the upload route does before ShareFile."""
    store = FileStore(engine.settings.files_folder)
    return {
        spec.key: store.put(io.BytesIO(library.pdf(spec.document)), spec.document.filename)
        for spec in library.RESOURCES
        if spec.document is not None
    }


def shared_resources(files: Files) -> Iterator[Step]:
    for minute, spec in enumerate(library.RESOURCES):
        details = ResourceDetails(kind=spec.kind, title=spec.title, description=spec.description,
                                  tags=spec.tags, care_settings=spec.care_settings)  # fmt: skip
        target = {"collaborative_id": DEMO_COLLABORATIVE_ID, "resource_id": demo_id("resource", spec.key),
                  "details": details}  # fmt: skip
        command = (
            ShareFile(file=files[spec.key], **target) if spec.document else ShareLink(url=spec.url, **target)
        )
        yield Step(at(spec.shared_on, 16, minute), f"resource:{spec.key}", command, _sharer(spec.by))


def _sharer(by: str) -> Actor:
    role, _, key = by.partition(":")
    if role == "coach":
        return Actor(id=f"demo-coach:{key}", role=Role.COACH)
    return actor_of(team_named(key)) if role == "team" else STAFF


# Sharing and the community of practice --------------------------------------------


def shared_projects() -> Iterator[Step]:
    for index, team in enumerate(data.TEAMS):
        late = team.key == data.LATE_SHARER
        day = date(2026, 1, 14) if late else date(2025, 11, 3) + timedelta(days=index)
        command = ShareProject(team_id=id_of_team(team), project=_project(team))
        yield Step(at(day, 18), f"share:{team.key}", command, actor_of(team))


def _project(team: data.TeamSpec) -> SharedProject:
    values = figures.monthly_values(team)
    (_, first, first_of), (_, october, october_of) = values[0], values[9]
    titles = [s.title for s in ramps.RAMPS[team.care_setting][: team.cycles]]
    summary = (f"Children weighed and recorded in kilograms only rose from {first / first_of:.0%} "
               f"in January 2025 to {october / october_of:.0%} in October 2025 over "
               f"{team.cycles} linked PDSA cycles: " + "; ".join(titles) + ".")  # fmt: skip
    return SharedProject(
        title=f"{team.name}: every child weighed in kilograms", summary=summary,
        storyboard_url=f"https://demo.qi.example/prqc/cohort-3/storyboards/{team.key}.pdf",
        measure_keys=(data.WEIGHT_KG.key,),
        cycle_ids=tuple(id_of_cycle(team, n) for n in range(team.cycles)),
    )  # fmt: skip


def comments() -> Iterator[Step]:
    for comment in learning.COMMENTS:
        team, project = team_named(comment.team), team_named(comment.project)
        key = f"{comment.team}:{comment.project}:{comment.on}"
        command = CommentOnProject(team_id=id_of_team(team), project_team_id=id_of_team(project),
                                   comment_id=demo_id("comment", key), text=comment.text)  # fmt: skip
        yield Step(at(comment.on, 19), f"comment:{key}", command, actor_of(team))


def borrowed_changes() -> Iterator[Step]:
    """After sharing, teams test the next change of a ramp another team has finished, and say so."""
    for borrowed in learning.BORROWED:
        team, project = team_named(borrowed.team), team_named(borrowed.project)
        number = team.cycles  # the next cycle after the team's own ramp
        yield from ramp_cycle(team, number, ramps.RAMPS[team.care_setting][number], borrowed.planned_on)
        command = TryChange(team_id=id_of_team(team), project_team_id=id_of_team(project),
                            cycle_id=id_of_cycle(team, number))  # fmt: skip
        yield Step(at(borrowed.planned_on, 17, 30), f"trying:{team.key}:{number}", command, actor_of(team))


def community(roster: Roster) -> Iterator[Step]:
    # Champions and team leads carry the work on after the collaborative ends.
    leads = (MemberRole.PHYSICIAN_CHAMPION, MemberRole.NURSE_CHAMPION, MemberRole.TEAM_LEAD)
    people = [demo_id("coach", c.key) for c in data.COACHES] + [
        roster[team.key][position]
        for team in data.TEAMS
        for position, person in enumerate(team.members)
        if person.role in leads
    ]
    for n, participant_id in enumerate(people):
        joined = date(2025, 12, 16) + timedelta(days=n)
        command = JoinCommunity(collaborative_id=DEMO_COLLABORATIVE_ID, participant_id=participant_id)
        yield Step(at(joined, 21), f"community:{participant_id}", command)


def _output(key: str, kind: OutputKind, text: tuple[str, str], day: date) -> Step:
    title, description = text
    details = OutputDetails(kind=kind, title=title, description=description,
                            url=f"https://demo.qi.example/prqc/cohort-3/{key}.pdf")  # fmt: skip
    command = RecordOutput(collaborative_id=DEMO_COLLABORATIVE_ID,
                           output_id=demo_id("output", key), details=details)  # fmt: skip
    return Step(at(day, 15), f"output:{key}", command)


def toolkit() -> Step:
    title, introduction = data.TOOLKIT
    command = CompileToolkit(
        collaborative_id=DEMO_COLLABORATIVE_ID, toolkit_id=TOOLKIT_ID, title=title, introduction=introduction,
        change_idea_ids=tuple(id_of_node(key) for key in learning.TOOLKIT_IDEAS),
        resource_ids=tuple(demo_id("resource", key) for key in learning.TOOLKIT_RESOURCES),
    )  # fmt: skip
    return Step(at(learning.TOOLKIT_COMPILED_ON, 15), "toolkit", command)


def summative_paper() -> Step:
    return _output("summative-paper", OutputKind.SUMMATIVE_PAPER, data.SUMMATIVE_PAPER,
                   date(2026, 3, 20))  # fmt: skip
