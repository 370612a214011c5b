"""The driver diagram's rules: the tree's shape, one secondary driver per change
idea, and renames, retirements and moves that keep their history."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from aggregates.change_package import (
    ChangeIdeaAdded,
    ChangeIdeaMoved,
    ChangePackage,
    ChangePackageNodeRenamed,
    ChangePackageNodeRetired,
    NodeFields,
    NodeKind,
    change_package_id,
)
from aggregates.errors import ActivityNotAllowed, RuleViolation
from aggregates.phases import Phase
from tests.unit.builders import ctx, then_events

P = Phase.SESSIONS


def _fields(name: str) -> NodeFields:
    return NodeFields(name=name)


def package_with_tree() -> tuple[ChangePackage, dict[str, UUID]]:
    """Aim -> Reliable weights -> {Scales, Records} ; Scales -> Lock scales to kg."""
    package = ChangePackage.start(ctx(), uuid4(), Phase.FOCUS, "Weigh 90% of children in kg")
    ids = {name: uuid4() for name in ("primary", "scales", "records", "idea")}
    package.add_node(ctx(), P, ids["primary"], NodeKind.PRIMARY_DRIVER, _fields("Reliable weights"), None)
    package.add_node(ctx(), P, ids["scales"], NodeKind.SECONDARY_DRIVER, _fields("Scales"), ids["primary"])
    package.add_node(ctx(), P, ids["records"], NodeKind.SECONDARY_DRIVER, _fields("Records"), ids["primary"])
    package.add_node(ctx(), P, ids["idea"], NodeKind.CHANGE_IDEA, _fields("Lock scales to kg"), ids["scales"])
    package.collect_events()
    return package, ids


def test_a_collaborative_has_one_change_package_whose_id_derives_from_it() -> None:
    collaborative_id = uuid4()
    package = ChangePackage.start(ctx(), collaborative_id, Phase.FOCUS, "Aim")
    assert package.id == change_package_id(collaborative_id) == change_package_id(collaborative_id)
    assert package.id != change_package_id(uuid4())


def test_the_tree_holds_primary_then_secondary_drivers_then_change_ideas() -> None:
    package, ids = package_with_tree()
    nodes = package.state.nodes
    assert nodes[ids["primary"]].parent_id is None
    assert nodes[ids["scales"]].parent_id == ids["primary"]
    assert nodes[ids["idea"]].parent_id == ids["scales"]
    assert nodes[ids["idea"]].kind is NodeKind.CHANGE_IDEA


@pytest.mark.parametrize(
    ("kind", "parent", "message"),
    [
        (NodeKind.CHANGE_IDEA, "primary", "belongs under a secondary driver"),
        (NodeKind.CHANGE_IDEA, None, "belongs under exactly one secondary driver"),
        (NodeKind.SECONDARY_DRIVER, "scales", "belongs under a primary driver"),
        (NodeKind.PRIMARY_DRIVER, "primary", "hangs under the aim"),
    ],
)
def test_a_node_is_refused_under_the_wrong_kind_of_parent(
    kind: NodeKind, parent: str | None, message: str
) -> None:
    package, ids = package_with_tree()
    with pytest.raises(RuleViolation, match=message):
        package.add_node(ctx(), P, uuid4(), kind, _fields("New"), ids[parent] if parent else None)
    assert then_events(package) == []


def test_a_change_idea_belongs_to_one_secondary_driver_so_a_second_copy_is_refused() -> None:
    package, ids = package_with_tree()
    with pytest.raises(
        RuleViolation, match="'Lock scales to kg' already exists under 'Scales'; move it instead"
    ):
        package.add_node(
            ctx(), P, uuid4(), NodeKind.CHANGE_IDEA, _fields("lock scales to KG"), ids["records"]
        )


def test_moving_a_change_idea_is_its_own_event_and_keeps_the_earlier_parent() -> None:
    package, ids = package_with_tree()
    package.move_idea(ctx(), P, ids["idea"], ids["records"])
    [moved] = then_events(package)
    assert isinstance(moved, ChangeIdeaMoved) and (moved.from_id, moved.to_id) == (
        ids["scales"],
        ids["records"],
    )
    idea = package.state.nodes[ids["idea"]]
    assert idea.parent_id == ids["records"] and idea.earlier_parents == [ids["scales"]]
    package.move_idea(ctx(), P, ids["idea"], ids["records"])
    assert then_events(package) == []


def test_a_rename_keeps_the_earlier_name_and_repeating_it_records_nothing() -> None:
    package, ids = package_with_tree()
    package.rename(ctx(), P, ids["idea"], NodeFields(name="Kg-only scales", description="Lock or replace"))
    package.rename(ctx(), P, ids["idea"], NodeFields(name="Kg-only scales", description="Lock or replace"))
    [renamed] = then_events(package)
    assert isinstance(renamed, ChangePackageNodeRenamed)
    idea = package.state.nodes[ids["idea"]]
    assert (idea.name, idea.earlier_names) == ("Kg-only scales", ["Lock scales to kg"])


def test_a_rename_to_another_live_nodes_name_is_refused() -> None:
    package, ids = package_with_tree()
    with pytest.raises(RuleViolation, match="named 'Records' already exists"):
        package.rename(ctx(), P, ids["scales"], _fields("records"))


def test_retiring_keeps_the_node_and_its_history_but_it_gets_no_children() -> None:
    package, ids = package_with_tree()
    package.retire(ctx(), P, ids["idea"], "Scales cannot be locked")
    package.retire(ctx(), P, ids["scales"], "Covered by records")
    assert [type(e) for e in then_events(package)] == [ChangePackageNodeRetired, ChangePackageNodeRetired]
    idea = package.state.nodes[ids["idea"]]
    assert (
        idea.retired and idea.retired_reason == "Scales cannot be locked" and idea.name == "Lock scales to kg"
    )
    with pytest.raises(RuleViolation, match="'Scales' is retired: it gets no new children"):
        package.add_node(ctx(), P, uuid4(), NodeKind.CHANGE_IDEA, _fields("Another"), ids["scales"])
    with pytest.raises(RuleViolation, match="is retired and cannot be renamed"):
        package.rename(ctx(), P, ids["idea"], _fields("Back again"))
    package.retire(ctx(), P, ids["idea"], "again")
    assert then_events(package) == []


def test_a_driver_with_live_children_cannot_be_retired() -> None:
    package, ids = package_with_tree()
    with pytest.raises(RuleViolation, match=r"still has live children \(Lock scales to kg\)"):
        package.retire(ctx(), P, ids["scales"], "No longer needed")


def test_a_retired_change_idea_is_not_live_and_cannot_be_moved_or_moved_to() -> None:
    package, ids = package_with_tree()
    package.retire(ctx(), P, ids["idea"], "Abandoned by every team")
    with pytest.raises(RuleViolation, match="change idea 'Lock scales to kg' is retired"):
        package.live_idea(ids["idea"])
    with pytest.raises(RuleViolation, match="is retired"):
        package.move_idea(ctx(), P, ids["idea"], ids["records"])
    package.retire(ctx(), P, ids["records"], "Merged")
    fresh = uuid4()
    package.add_node(ctx(), P, fresh, NodeKind.CHANGE_IDEA, _fields("Kg on triage card"), ids["scales"])
    with pytest.raises(RuleViolation, match="'Records' is retired"):
        package.move_idea(ctx(), P, fresh, ids["records"])


def test_a_retired_change_idea_frees_its_name_for_a_new_one() -> None:
    package, ids = package_with_tree()
    package.retire(ctx(), P, ids["idea"], "Replaced")
    package.add_node(ctx(), P, uuid4(), NodeKind.CHANGE_IDEA, _fields("Lock scales to kg"), ids["records"])
    assert isinstance(then_events(package)[-1], ChangeIdeaAdded)


def test_adding_the_same_node_again_records_nothing_and_a_different_one_with_its_id_is_refused() -> None:
    package, ids = package_with_tree()
    package.add_node(ctx(), P, ids["idea"], NodeKind.CHANGE_IDEA, _fields("Lock scales to kg"), ids["scales"])
    assert then_events(package) == []
    with pytest.raises(RuleViolation, match="already exists as 'Lock scales to kg'"):
        package.add_node(ctx(), P, ids["idea"], NodeKind.CHANGE_IDEA, _fields("Other"), ids["scales"])


def test_revising_the_aim_keeps_the_earlier_aim() -> None:
    package, _ = package_with_tree()
    package.revise_aim(ctx(), P, "Weigh 95% of children in kg")
    package.revise_aim(ctx(), P, "Weigh 95% of children in kg")
    assert len(then_events(package)) == 1
    assert package.state.earlier_aims == ["Weigh 90% of children in kg"]


def test_the_change_package_is_closed_with_the_collaborative() -> None:
    package, ids = package_with_tree()
    with pytest.raises(ActivityNotAllowed, match="maintain the change package"):
        package.rename(ctx(), Phase.CLOSED, ids["idea"], _fields("Late"))
