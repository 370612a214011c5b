"""What a page says instead of a form the collaborative's phase does not allow yet (or
any more): from which phase it opens, or until which it was open."""

from __future__ import annotations

from aggregates.phases import ALLOWED_PHASES, PHASES, Activity, Phase, is_allowed


def _words(phase: Phase) -> str:
    return phase.value.replace("_", " ")


def opens_in(activity: Activity, phase: Phase) -> str:
    """A sentence for the place of a form `phase` does not allow ("" when it allows it)."""
    if is_allowed(activity, phase):
        return ""
    allowed = [p for p in PHASES if p in ALLOWED_PHASES[activity]]
    first, last = allowed[0], allowed[-1]
    now = (
        "the collaborative is closed"
        if phase is Phase.CLOSED
        else f"the collaborative is in its {_words(phase)} phase"
    )
    if PHASES.index(phase) < PHASES.index(first):
        when = f"in the {_words(first)} phase" if first is last else f"from the {_words(first)} phase on"
        return f"You can {activity.value} {when}; {now}."
    when = f"in the {_words(last)} phase" if first is last else f"through the {_words(last)} phase"
    return f"You could {activity.value} {when}; {now}."
