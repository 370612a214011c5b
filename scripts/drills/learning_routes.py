"""The shared-learning write routes: the library, the change package (driver diagram),
toolkits, comments and changes tried, each with its body and the callers allowed to send it."""

from __future__ import annotations

from uuid import UUID

from aggregates.ids import named_id
from scripts.drills.route import Route
from scripts.drills.world import Flow

# Shared learning: staff, coaches and teams add to the library; staff alone keep the
# change package and compile toolkits; a team comments and tries for itself.
# A coach adds only where they coach a team: coach_of_none coaches none here.
LIBRARY = frozenset({"staff", "coach_of_a", "team_a", "team_b"})
TEAM_B = frozenset({"staff", "team_b"})


def node(f: Flow, name: str) -> str:
    """A change-package node id chosen by the client, fixed per collaborative (ids are unique
    across the engine, and every route's world has a collaborative of its own)."""
    return str(named_id(UUID(f.collaborative), name))


def diagram(f: Flow) -> str:
    return f"/collaboratives/{f.collaborative}/driver-diagram"


def draw_package(f: Flow) -> None:
    primary = node(f, "primary")
    f.ok(f"{diagram(f)}/drivers", {"driver_id": primary, "level": "primary", "name": "Reliable weights"})
    for key, name in (("secondary", "Scales"), ("other", "Records")):
        body = {"driver_id": node(f, key), "level": "secondary", "name": name, "primary_driver_id": primary}
        f.ok(f"{diagram(f)}/drivers", body)
    f.ok(
        f"{diagram(f)}/change-ideas",
        {
            "change_idea_id": node(f, "idea"),
            "name": "Lock scales",
            "secondary_driver_id": node(f, "secondary"),
        },
    )


LEARNING_ROUTES = [
    Route(
        "share link",
        "orientation",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/resources",
        lambda f: {"details": {"kind": "article", "title": "Kg"}, "url": "https://example.org/kg"},
        LIBRARY,
    ),
    Route(
        "upload file",
        "orientation",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/resources/files",
        lambda f: {"kind": "tool_or_template", "title": "Policy"},
        LIBRARY,
        files=lambda f: {"file": ("policy.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    ),
    Route("revise aim", "focus", "POST", diagram, lambda f: {"aim": "Weigh every child in kg"}),
    Route(
        "add driver",
        "focus",
        "POST",
        lambda f: f"{diagram(f)}/drivers",
        lambda f: {"level": "primary", "name": "Reliable weights"},
    ),
    Route(
        "add change idea",
        "focus",
        "POST",
        lambda f: f"{diagram(f)}/change-ideas",
        lambda f: {"name": "Kg box on triage card", "secondary_driver_id": node(f, "secondary")},
        prepare=draw_package,
    ),
    Route(
        "rename node",
        "focus",
        "POST",
        lambda f: f"{diagram(f)}/nodes/{node(f, 'idea')}/rename",
        lambda f: {"name": "Kg-only scales"},
        prepare=draw_package,
    ),
    Route(
        "retire node",
        "focus",
        "POST",
        lambda f: f"{diagram(f)}/nodes/{node(f, 'idea')}/retire",
        lambda f: {"reason": "Abandoned"},
        prepare=draw_package,
    ),
    Route(
        "move change idea",
        "focus",
        "POST",
        lambda f: f"{diagram(f)}/change-ideas/{node(f, 'idea')}/move",
        lambda f: {"secondary_driver_id": node(f, "other")},
        prepare=draw_package,
    ),
    Route(
        "compile toolkit",
        "sharing",
        "POST",
        lambda f: f"/collaboratives/{f.collaborative}/toolkits",
        lambda f: {"title": "Kg toolkit", "change_idea_ids": [node(f, "idea")]},
        prepare=draw_package,
    ),
    Route(
        "comment on project",
        "sharing",
        "POST",
        lambda f: f"/teams/{f.teams[0]}/share/comments",
        lambda f: {"team_id": f.teams[1], "text": "Which scales did you lock?"},
        TEAM_B,
    ),
    Route(
        "try shared change",
        "sharing",
        "POST",
        lambda f: f"/teams/{f.teams[1]}/trying",
        lambda f: {"project_team_id": f.teams[0], "cycle_id": f.cycles[f.teams[1]]},
        TEAM_B,
    ),
]
