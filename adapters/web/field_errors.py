"""A refusal's field errors in the words of the person who filled the form, for the page
to show beside each field (marked invalid for assistive technology), never as JSON paths."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.http.errors import FieldError, InvalidInput, Problem

# pydantic's error types, as people would say them.
WORDS = {
    "missing": "this is needed",
    "string_too_short": "this cannot be empty",
    "date_from_datetime_parsing": "a date like 31 Jan 2025 (as 2025-01-31)",
    "date_parsing": "a date like 31 Jan 2025 (as 2025-01-31)",
    "date_type": "a date like 31 Jan 2025 (as 2025-01-31)",
    "datetime_parsing": "a date and time, like 2 Jun 2025 at 15:00",
    "datetime_from_date_parsing": "a date and time, like 2 Jun 2025 at 15:00",
    "int_parsing": "a whole number",
    "float_parsing": "a number",
    "enum": "choose one from the list",
    "string_pattern_mismatch": "use letters and numbers",
    "greater_than_equal": "too small",
    "less_than_equal": "too large",
}


# The API's own sentences that name its fields, as the form's labels say them.
SENTENCES = {"ends_on must be after starts_on": "the end date must be after the start date"}


def in_words(error: FieldError) -> str:
    """One field error as a person would read it."""
    said = error.msg.removeprefix("Value error, ")
    if said in SENTENCES:
        return SENTENCES[said]
    if error.type in WORDS:
        return WORDS[error.type]
    if error.type == "string_too_long":
        return error.msg.replace("String should have", "use").replace("characters", "characters at most")
    return error.msg.removeprefix("Value error, ")


def beside_fields(problem: Problem, fields: Mapping[str, str]) -> tuple[dict[str, str], Problem | None]:
    """Each field error placed beside the form field its location ends in (`fields`: the
    command's name for it -> the form's), and the problem left for the top of the page
    (None when every error found its field)."""
    placed: dict[str, str] = {}
    rest = []
    for error in problem.errors or []:
        names = [str(part) for part in error.loc if isinstance(part, str)]
        field = next((fields[n] for n in reversed(names) if n in fields), None)
        if field is None:
            rest.append(error)
        elif field not in placed:
            placed[field] = in_words(error)
    if problem.errors and not rest:
        return placed, None
    if not problem.errors:
        return placed, problem
    return placed, problem.model_copy(update={"errors": rest})


def fields_refused(problems: Mapping[str, str]) -> InvalidInput:
    """One refusal naming every form field in `problems` (field -> what is wrong, in words),
    for `beside_fields` to place each beside its field."""
    (first, words), *rest = problems.items()
    error = InvalidInput(["body", first], words)
    error.errors += [InvalidInput(["body", field], said).errors[0] for field, said in rest]
    return error
