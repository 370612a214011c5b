"""An API over a fresh SQLite store, with a token for every role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.app import create_app
from aggregates.base import Actor, Role
from aggregates.tokens import Grant
from engine.application import QIEngine

SYSTEM = Actor(id="test-setup", role=Role.SYSTEM)


@dataclass
class Api:
    """A client acting with one token."""

    client: TestClient
    token: str | None

    def headers(self, key: str | None = None, if_match: int | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if key:
            headers["Idempotency-Key"] = key
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        return headers

    def post(self, path: str, body: Any, expect: int | None = None, **kw: Any) -> Any:
        response = self.client.post(path, json=body, headers=self.headers(**kw))
        assert expect is None or response.status_code == expect, response.text
        return response

    def ok(self, path: str, body: Any, **kw: Any) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=self.headers(**kw))
        assert response.status_code in (200, 201), response.text
        result: dict[str, Any] = response.json()
        return result

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params=params, headers=self.headers())


@pytest.fixture
def app_engine(sqlite_engine: QIEngine) -> QIEngine:
    return sqlite_engine


@pytest.fixture
def client(app_engine: QIEngine) -> Iterator[TestClient]:
    with TestClient(create_app(app_engine)) as test_client:
        yield test_client


def issue(engine: QIEngine, role: Role, name: str, **scope: Any) -> str:
    return engine.issue_token(Grant(name=name, role=role, **scope), engine.context(SYSTEM))


@pytest.fixture
def staff(client: TestClient, app_engine: QIEngine) -> Api:
    return Api(client, issue(app_engine, Role.STAFF, "ann-staff"))


@pytest.fixture
def anonymous(client: TestClient) -> Api:
    return Api(client, None)
