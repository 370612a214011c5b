"""A whole page's refusal (the error page) in a person's words: a title that says what
happened, no ids, and no field paths or parser messages for an address typed wrong."""

from __future__ import annotations

import re

from adapters.http.errors import Problem

TITLES = {
    400: "That request could not be read", 403: "Not open to you", 404: "Not found",
    409: "Changed in the meantime", 413: "Too large", 422: "That address could not be read",
    429: "Too many tries", 503: "Unavailable for a moment",
}  # fmt: skip
AN_ID = re.compile(
    r"\s*(?:with id\s*)?'?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'?", re.I
)
UNREADABLE = (
    "Part of this page's address is not one this site makes: it may have been cut short or typed by "
    "hand. Open the page from a link instead."
)


def in_words(problem: Problem) -> Problem:
    """The problem as the error page shows it."""
    if problem.status == 422 and problem.errors:  # a path or query part the page cannot take
        detail = UNREADABLE
    else:
        detail = AN_ID.sub("", problem.detail).strip()
        if problem.status == 404:  # "no team with id …": "No team here: …"
            detail = f"{detail[:1].upper()}{detail[1:]} here: the link may be old or mistyped."
    title = TITLES.get(problem.status, problem.title)
    return problem.model_copy(update={"title": title, "detail": detail, "errors": None})
