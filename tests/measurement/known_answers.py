"""Loads the qicharts2 reference results (spc.json, spc-more.json) the measurement tests reproduce."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

# In the repository (see known-answers/SOURCE.md for where the files come from).
DEFAULT_PATH = Path(__file__).resolve().parent / "known-answers" / "spc.json"
MORE_PATH = DEFAULT_PATH.with_name("spc-more.json")  # P′, U′, G, T, Xbar, S, I′ and multiply


def known_answers_path() -> Path:
    """spc.json in tests/measurement/known-answers, or wherever QI_KNOWN_ANSWERS points."""
    return Path(os.environ.get("QI_KNOWN_ANSWERS", DEFAULT_PATH))


def load_known_answers(path: Path | None = None) -> dict[str, Any]:
    """The reference file (spc.json unless given); a missing file fails the test rather than skipping it."""
    hint = f"put {path.name} there" if path else "put spc.json there or set QI_KNOWN_ANSWERS to its path"
    path = path or known_answers_path()
    if not path.is_file():
        pytest.fail(f"known answers not found at {path}; {hint}", pytrace=False)
    answers: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return answers


def known_case(case_id: str) -> dict[str, Any]:
    """One reference case by its id."""
    cases: dict[str, dict[str, Any]] = {case["id"]: case for case in load_known_answers()["cases"]}
    if case_id not in cases:
        pytest.fail(f"case {case_id!r} is not in {known_answers_path()}", pytrace=False)
    return cases[case_id]
