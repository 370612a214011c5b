"""The phases of a collaborative and which activity is allowed in which phase.

A phase is the collaborative's current emphasis; learning sessions and PDSA work
interleave in practice, so each activity is allowed over a range of phases.
"""

from __future__ import annotations

from enum import StrEnum

from aggregates.errors import ActivityNotAllowed, RuleViolation


class Phase(StrEnum):
    FOCUS = "focus"
    REGISTRATION = "registration"
    ORIENTATION = "orientation"
    SESSIONS = "sessions"
    PROJECTS = "projects"
    SHARING = "sharing"
    COMMUNITY_OF_PRACTICE = "community_of_practice"
    CLOSED = "closed"


PHASES: tuple[Phase, ...] = tuple(Phase)


class Activity(StrEnum):
    REGISTER_TEAM = "register a team"
    WITHDRAW_TEAM = "withdraw a team"
    MANAGE_MEMBERS = "change a team's members"
    ASSIGN_COACH = "assign a coach"
    SUBMIT_ASSESSMENT = "submit a gap analysis or environmental scan"
    SCHEDULE_ACTIVITY = "schedule a learning activity"
    RECORD_ATTENDANCE = "record attendance"
    DEFINE_MEASURE = "define a measure"
    SUBMIT_DATA = "submit measure data"
    RUN_PDSA = "run a PDSA cycle"
    COACH_TEAM = "add a coaching note"
    SHARE_PROJECT = "share a project"
    RECORD_OUTPUT = "record an output"
    JOIN_COMMUNITY = "join the community of practice"
    EDIT_FOCUS = "edit the focus area, aim, dates or collaborative measures"
    SHARE_RESOURCE = "add a resource to the library"
    MAINTAIN_CHANGE_PACKAGE = "maintain the change package"
    COMMENT_ON_PROJECT = "comment on a shared project"
    TRY_SHARED_CHANGE = "mark a shared project's change as being tried"
    DECIDE_CHART = "decide or annotate how a measure's chart is drawn"
    SCORE_PROGRESS = "score a team's progress"
    TRAIN = "publish or take QI training"
    REPORT_MONTHLY = "write, submit or answer a team's monthly report"


def phases_between(first: Phase, last: Phase) -> frozenset[Phase]:
    """The phases from `first` to `last`, both included."""
    return frozenset(PHASES[PHASES.index(first) : PHASES.index(last) + 1])


_OPEN = phases_between(Phase.FOCUS, Phase.COMMUNITY_OF_PRACTICE)
_ORIENTATION_ON = phases_between(Phase.ORIENTATION, Phase.COMMUNITY_OF_PRACTICE)
_SESSIONS_ON = phases_between(Phase.SESSIONS, Phase.COMMUNITY_OF_PRACTICE)

# The legality table of DESIGN.md, extended with the housekeeping it leaves
# implicit: members and coaches change while teams work, and the focus is
# settled before teams register.
ALLOWED_PHASES: dict[Activity, frozenset[Phase]] = {
    Activity.EDIT_FOCUS: frozenset({Phase.FOCUS}),
    Activity.REGISTER_TEAM: frozenset({Phase.REGISTRATION}),
    Activity.WITHDRAW_TEAM: _OPEN,
    Activity.MANAGE_MEMBERS: phases_between(Phase.REGISTRATION, Phase.COMMUNITY_OF_PRACTICE),
    Activity.ASSIGN_COACH: phases_between(Phase.REGISTRATION, Phase.COMMUNITY_OF_PRACTICE),
    Activity.SUBMIT_ASSESSMENT: _ORIENTATION_ON,
    Activity.SCHEDULE_ACTIVITY: _ORIENTATION_ON,
    Activity.RECORD_ATTENDANCE: _ORIENTATION_ON,
    Activity.DEFINE_MEASURE: _SESSIONS_ON,
    Activity.SUBMIT_DATA: _SESSIONS_ON,
    Activity.RUN_PDSA: _SESSIONS_ON,
    Activity.COACH_TEAM: _SESSIONS_ON,
    Activity.SHARE_PROJECT: phases_between(Phase.PROJECTS, Phase.COMMUNITY_OF_PRACTICE),
    Activity.RECORD_OUTPUT: phases_between(Phase.SHARING, Phase.COMMUNITY_OF_PRACTICE),
    Activity.JOIN_COMMUNITY: frozenset({Phase.COMMUNITY_OF_PRACTICE}),
    # The library stays open and keeps growing in the community-of-practice phase.
    Activity.SHARE_RESOURCE: _ORIENTATION_ON,
    Activity.MAINTAIN_CHANGE_PACKAGE: _OPEN,
    # All teach, all learn: teams learn from the projects others have shared.
    Activity.COMMENT_ON_PROJECT: phases_between(Phase.PROJECTS, Phase.COMMUNITY_OF_PRACTICE),
    Activity.TRY_SHARED_CHANGE: phases_between(Phase.PROJECTS, Phase.COMMUNITY_OF_PRACTICE),
    # Charts are read and argued over for as long as data comes in, and after.
    Activity.DECIDE_CHART: _SESSIONS_ON,
    # Monthly, from the first learning session on (IHI Assessment Scale for Collaboratives).
    Activity.SCORE_PROGRESS: _SESSIONS_ON,
    # Teams need no QI background: training is offered from orientation on, and stays open.
    Activity.TRAIN: _ORIENTATION_ON,
    # Teams report monthly through the action periods between learning sessions, and after.
    Activity.REPORT_MONTHLY: _SESSIONS_ON,
}


def is_allowed(activity: Activity, phase: Phase) -> bool:
    return phase in ALLOWED_PHASES[activity]


def require_allowed(activity: Activity, phase: Phase) -> None:
    """Refuse the activity unless the phase allows it, naming the phases that do."""
    if is_allowed(activity, phase):
        return
    allowed = ", ".join(p.value for p in PHASES if p in ALLOWED_PHASES[activity])
    raise ActivityNotAllowed(
        f"cannot {activity.value} while the collaborative is in the {phase.value} "
        f"phase; allowed in: {allowed}"
    )


def next_phase(phase: Phase) -> Phase | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def require_next(current: Phase, to: Phase) -> None:
    """Phases move forward one at a time, so no phase's exit criteria are skipped."""
    expected = next_phase(current)
    if to != expected:
        where = f"the next phase is {expected.value}" if expected else "it is closed"
        raise RuleViolation(
            f"cannot move from {current.value} to {to.value}: phases advance forward "
            f"one at a time and {where}"
        )
