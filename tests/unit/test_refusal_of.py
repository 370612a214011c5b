"""A page shows a refused command's problem; anything unexpected is raised, never shown as a refusal."""

import pytest

from adapters.http.errors import InvalidInput, refusal_of


def test_a_refusal_becomes_the_problem_a_page_shows() -> None:
    problem = refusal_of(InvalidInput(["body", "title"], "a title is needed"))
    assert problem.status == 422 and "a title is needed" in problem.detail


def test_an_unexpected_error_is_raised_again_not_shown_as_a_refusal() -> None:
    with pytest.raises(KeyError):
        refusal_of(KeyError("boom"))
