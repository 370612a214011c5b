"""The accounts API, for staff: invite by email, list and read accounts (the email opened
for staff), renew an invitation, grant and revoke access, disable and enable. Others are
refused; a bad body is refused naming the field, changing nothing."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient

from aggregates.base import Role
from engine.application import QIEngine
from tests.api.conftest import Api, issue

PASSWORD = "correct horse battery staple"


def accept(engine: QIEngine, account_id: str) -> None:
    account = engine.accounts.account(UUID(account_id))
    assert account is not None
    engine.accounts.accept(engine.accounts.invitation_link(account) or "", PASSWORD)


def invite(staff: Api, **body: Any) -> dict[str, Any]:
    return staff.ok(
        "/invitations",
        {"email": "robin@audit.example", "name": "Robin", "access": {"role": "auditor"}} | body,
    )


def test_staff_invite_a_person_and_read_them_back_with_their_email(staff: Api, app_engine: QIEngine) -> None:
    created = invite(staff)
    assert {"ParticipantRegistered", "AccountInvited", "EmailClaimed"} <= set(created["events"])
    listed = staff.get("/accounts").json()
    assert [(a["name"], a["email"], a["status"]) for a in listed] == [
        ("Robin", "robin@audit.example", "invited")
    ]
    assert listed[0]["invitation_expires_at"] is not None
    again = staff.ok(
        "/invitations", {"email": "ROBIN@audit.example", "name": "R.", "access": {"role": "staff"}}
    )
    assert again["id"] == created["id"]  # the same person, now staff too
    one = staff.get(f"/accounts/{created['id']}").json()
    assert {a["role"] for a in one["access"]} == {"auditor", "staff"}


def test_an_invitation_retried_with_its_idempotency_key_is_stored_once(
    staff: Api, app_engine: QIEngine
) -> None:
    first = staff.post(
        "/invitations", {"email": "a@b.example", "name": "A", "access": {"role": "auditor"}}, key="inv-1"
    )
    before = app_engine.recorder.max_notification_id()
    second = staff.post(
        "/invitations", {"email": "a@b.example", "name": "A", "access": {"role": "auditor"}}, key="inv-1"
    )
    assert first.json() == second.json() and app_engine.recorder.max_notification_id() == before


def test_a_bad_invitation_is_refused_naming_the_field_and_stores_nothing(
    staff: Api, app_engine: QIEngine
) -> None:
    before = app_engine.recorder.max_notification_id()
    for body, named in (
        ({"email": "not an email", "name": "A", "access": {"role": "auditor"}}, "email"),
        ({"email": "a@b.example", "access": {"role": "auditor"}}, "name"),
        ({"email": "a@b.example", "name": "A"}, "team_id"),
        ({"email": "a@b.example", "name": "A", "access": {"role": "subscriber"}}, "role"),
    ):
        refused = staff.post("/invitations", body)
        assert refused.status_code == 422 and refused.headers["content-type"].startswith(
            "application/problem+json"
        )
        assert named in refused.text, refused.text
    assert app_engine.recorder.max_notification_id() == before


def test_only_staff_invite_and_list_people(client: TestClient, app_engine: QIEngine, staff: Api) -> None:
    invite(staff)
    for role in (Role.COACH, Role.TEAM, Role.SUBSCRIBER):
        other = Api(client, issue(app_engine, role, f"{role.value}-x"))
        assert (
            other.post(
                "/invitations", {"email": "x@y.example", "name": "X", "access": {"role": "staff"}}
            ).status_code
            == 403
        )
        assert other.get("/accounts").status_code == 403
    auditor = Api(client, issue(app_engine, Role.AUDITOR, "aud"))
    assert auditor.get("/accounts").status_code == 200  # auditors read, and write nothing
    assert (
        auditor.post(
            "/invitations", {"email": "x@y.example", "name": "X", "access": {"role": "staff"}}
        ).status_code
        == 403
    )


def test_disabling_an_account_stops_its_sign_in_and_enabling_brings_it_back(
    staff: Api, app_engine: QIEngine
) -> None:
    account = invite(staff)["id"]
    accept(app_engine, account)
    assert app_engine.accounts.sign_in("robin@audit.example", PASSWORD) is not None
    staff.ok(f"/accounts/{account}/disabling", {"reason": "left the organisation"})
    assert app_engine.accounts.sign_in("robin@audit.example", PASSWORD) is None
    assert staff.get(f"/accounts/{account}").json()["disabled_reason"] == "left the organisation"
    staff.ok(f"/accounts/{account}/enabling", {})
    assert app_engine.accounts.sign_in("robin@audit.example", PASSWORD) is not None


def test_access_is_granted_and_revoked_and_a_renewed_invitation_replaces_the_link(
    staff: Api, app_engine: QIEngine
) -> None:
    account = invite(staff)["id"]
    old = app_engine.accounts.invitation_link(app_engine.accounts.account(UUID(account)))  # type: ignore[arg-type]
    staff.ok(f"/accounts/{account}/invitation", {})
    new = app_engine.accounts.invitation_link(app_engine.accounts.account(UUID(account)))  # type: ignore[arg-type]
    assert old != new
    staff.ok(f"/accounts/{account}/access", {"role": "staff"})
    assert {a["role"] for a in staff.get(f"/accounts/{account}").json()["access"]} == {"auditor", "staff"}
    staff.ok(f"/accounts/{account}/access/revocations", {"role": "auditor"})
    assert [a["role"] for a in staff.get(f"/accounts/{account}").json()["access"]] == ["staff"]
