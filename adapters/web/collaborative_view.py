"""What the collaborative's page adds to its overview: its time zone, which staff forms
the phase allows (and when the others are allowed, in a sentence), its outputs and its
community of practice, and what advancing to the next phase changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from adapters.http.schemas.collaboratives import CollaborativePublic
from aggregates.phases import PHASES, Activity, Phase, is_allowed
from aggregates.values import OutputKind

# Offered as suggestions beside the time zone field; any IANA name is accepted.
COMMON_ZONES = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
    "America/Anchorage", "Pacific/Honolulu", "America/Puerto_Rico", "Pacific/Guam", "Pacific/Pago_Pago",
    "UTC", "Europe/London",
)  # fmt: skip
# The staff forms on the page, by the activity that must be allowed to show each.
FORMS = {
    "register": Activity.REGISTER_TEAM,
    "schedule": Activity.SCHEDULE_ACTIVITY,
    "attendance": Activity.RECORD_ATTENDANCE,
    "outputs": Activity.RECORD_OUTPUT,
    "community": Activity.JOIN_COMMUNITY,
}


def phase_words(phase: Phase) -> str:
    return phase.value.replace("_", " ")


def when_allowed(activity: Activity, now: Phase) -> str:
    """When an activity is allowed, and where the collaborative is now, as a sentence's end:
    "from the sharing phase to the community of practice phase (it is in sessions now)"."""
    phases = [p for p in PHASES if is_allowed(activity, p)]
    span = (
        f"in the {phase_words(phases[0])} phase"
        if len(phases) == 1
        else f"from the {phase_words(phases[0])} phase to the {phase_words(phases[-1])} phase"
    )
    later = PHASES.index(now) < PHASES.index(phases[0])
    return f"{span}; the collaborative is in the {phase_words(now)} phase{'' if later else ', past it'}"


def page_extras(
    c: CollaborativePublic,
    staff: bool,
    attendees: list[tuple[UUID, str, str]],
    name_of: Callable[[UUID], str],
) -> dict[str, Any]:
    """The collaborative page's time zone, phase-gated forms, outputs and community."""
    phase = c.phase
    joined = {m.participant_id for m in c.community}
    return {
        "zone": c.time_zone, "zones": COMMON_ZONES, "output_kinds": list(OutputKind),
        "may": {form: is_allowed(activity, phase) for form, activity in FORMS.items()},
        "when": {form: when_allowed(activity, phase) for form, activity in FORMS.items()},
        "community": [(name_of(m.participant_id), m.joined_at) for m in c.community] if staff else [],
        "joinable": [(pid, name, team) for pid, name, team in attendees if pid not in joined],
    }  # fmt: skip


def advance_changes(now: Phase, upcoming: Phase) -> tuple[list[str], list[str]]:
    """What can no longer be done once the collaborative advances, and what becomes possible."""
    ends = [a.value for a in Activity if is_allowed(a, now) and not is_allowed(a, upcoming)]
    begins = [a.value for a in Activity if is_allowed(a, upcoming) and not is_allowed(a, now)]
    return ends, begins
