"""What the projector tests look at: the dashboard's latest month and value of every team's
measures, and which threads of this process write read models."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from typing import Any

import pytest

from engine.read_models import ReadModels
from tests.api.conftest import Api


def latest(api: Api, collaborative: str, field: str = "latest_period") -> set[Any]:
    """One field of every team's measures on the dashboard (latest_period, latest_value)."""
    response = api.get(f"/collaboratives/{collaborative}/dashboard")
    assert response.status_code == 200, response.text
    return {m[field] for t in response.json()["teams"] for m in t["measures"]}


def write_transactions(models: ReadModels, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of the thread of every read-model write transaction from now on."""
    writers: list[str] = []
    original = models.store.transaction

    def transaction(write: bool = False) -> AbstractContextManager[Any]:
        if write:
            writers.append(threading.current_thread().name)
        return original(write)

    monkeypatch.setattr(models.store, "transaction", transaction)
    return writers
