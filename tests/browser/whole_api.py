"""The API twin of the whole collaborative: the same collaborative, with the same values,
built over the HTTP API; and the dashboard and credits of either, put in a form where ids,
timestamps and positions do not matter but every figure does."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aggregates.criteria import DEFAULT_EXIT_CRITERIA
from aggregates.instruments import GAP_ANALYSIS
from tests.browser.whole_values import (
    COMMUNITY,
    DO,
    FOCUS,
    INVITED,
    MEASURE,
    MEASURE_KEY,
    MIN_TEAMS,
    NEXT_STEPS,
    OUTPUT,
    PLAN,
    ROSTER,
    SESSION,
    SHARE,
    STORYBOARD,
    STUDY,
    TEAMS,
    TITLE,
    ZONE,
    ZOOM_MINUTES,
    Team,
)  # fmt: skip

Client = Any  # anything with .post(path, json=, headers=) and .get(path, headers=): TestClient, httpx.Client

PHASES = ("registration", "orientation", "sessions", "projects", "sharing", "community_of_practice")


class ApiTwin:
    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.collaborative = ""
        self.teams: dict[str, str] = {}  # name -> id
        self.people: dict[str, str] = {}  # name -> participant id

    def ok(self, path: str, body: Any) -> dict[str, Any]:
        response = self.client.post(path, json=body, headers=self.headers)
        assert response.status_code in (200, 201), f"{path}: {response.status_code} {response.text}"
        result: dict[str, Any] = response.json()
        return result

    def on(self, path: str, body: Any) -> dict[str, Any]:
        return self.ok(f"/collaboratives/{self.collaborative}{path}", body)

    def advance(self, to: str) -> None:
        self.on("/phase", {"to": to})  # no override: every criterion must be met

    def build(self) -> str:
        self.collaborative = self.ok("/collaboratives", {"title": TITLE, "focus": FOCUS})["id"]
        self.on("/time-zone", {"time_zone": ZONE})
        self.on("/measures", {"measure": measure()})
        # The page's form sends every phase's boxes, the defaults ticked: the same settings.
        criteria = {phase.value: [c.value for c in chosen] for phase, chosen in DEFAULT_EXIT_CRITERIA.items()}
        self.on("/exit-criteria", {"settings": {"min_teams": MIN_TEAMS, "criteria": criteria}})
        self.advance("registration")
        for team in TEAMS:
            self.register(team)
        self.invite(TEAMS[0])
        self.advance("orientation")
        for team in TEAMS:
            self.ok(f"/teams/{self.teams[team.name]}/assessments", assessment(team))
        session = self.on("/activities", {"details": session_details()})["id"]
        self.advance("sessions")
        for person, minutes in (*ROSTER.items(), (INVITED.name, ZOOM_MINUTES)):
            self.ok(
                f"/activities/{session}/attendance",
                {"participant_id": self.people[person], "minutes": minutes},
            )
        for team in TEAMS:
            self.report(team)
        self.advance("projects")
        for team in TEAMS:
            self.pdsa(team)
        self.advance("sharing")
        for team in TEAMS:
            self.share(team)
        self.on("/outputs", {"details": OUTPUT})
        self.advance("community_of_practice")
        self.on("/community", {"participant_id": self.people[COMMUNITY]})
        return self.collaborative

    def register(self, team: Team) -> None:
        person = {"name": team.lead.name, "credentials": team.lead.credentials}
        body = {"name": team.name, "organization": team.organization, "care_setting": team.care_setting,
                "members": [{"person": person, "discipline": team.lead.discipline}]}  # fmt: skip
        result = self.on("/teams", body)
        self.teams[team.name] = result["id"]
        self.people[team.lead.name] = result["created"]["Participant"][0]

    def invite(self, team: Team) -> None:
        body = {"email": INVITED.email, "name": INVITED.name, "team_id": self.teams[team.name],
                "discipline": INVITED.discipline, "member_role": INVITED.role}  # fmt: skip
        self.people[INVITED.name] = self.ok("/invitations", body)["created"]["Participant"][0]

    def report(self, team: Team) -> None:
        team_id = self.teams[team.name]
        self.ok(f"/teams/{team_id}/measures", {"measure": measure()})
        for month, numerator, denominator in team.months:
            period = datetime.strptime(month, "%b %Y").strftime("%Y-%m")
            body = {"period": period, "numerator": numerator, "denominator": denominator}
            self.ok(f"/teams/{team_id}/measures/{MEASURE_KEY}/data", body)

    def pdsa(self, team: Team) -> None:
        team_id = self.teams[team.name]
        cycle = self.ok(f"/teams/{team_id}/pdsa", {"plan": PLAN})["created"]["PdsaCycle"][0]
        self.ok(f"/teams/{team_id}/pdsa/{cycle}/do", {"do": {"observations": DO}})
        study = STUDY | {"prediction_confirmed": STUDY["prediction_confirmed"] == "true"}
        self.ok(f"/teams/{team_id}/pdsa/{cycle}/study", {"study": study})
        self.ok(
            f"/teams/{team_id}/pdsa/{cycle}/act",
            {"act": {"decision": team.decision, "next_steps": NEXT_STEPS}},
        )

    def share(self, team: Team) -> None:
        """The storyboard into the library as the page puts it there, then the project linking it."""
        fields = {"kind": "storyboard", "title": f"Storyboard: {SHARE['title']}", "care_settings": team.care_setting,
                  "description": f"The storyboard of {team.name}'s shared project."}  # fmt: skip
        upload = self.client.post(f"/collaboratives/{self.collaborative}/resources/files", data=fields,
                                  files={"file": ("storyboard.pdf", STORYBOARD, "application/pdf")}, headers=self.headers)  # fmt: skip
        assert upload.status_code == 201, upload.text
        url = f"http://testserver/ui/resources/{upload.json()['id']}/file"
        self.ok(f"/teams/{self.teams[team.name]}/share", {"project": SHARE | {"storyboard_url": url}})


def measure() -> dict[str, Any]:
    return MEASURE | {"key": MEASURE_KEY, "target": float(MEASURE["target"]) / 100}


def assessment(team: Team) -> dict[str, Any]:
    answers = {item.key: answer for item, answer in zip(GAP_ANALYSIS.items, team.answers, strict=True)}
    items = GAP_ANALYSIS.assessment(answers).items
    return {"kind": GAP_ANALYSIS.kind.value, "items": [item.model_dump(mode="json") for item in items]}


def session_details() -> dict[str, Any]:
    starts = datetime.fromisoformat(SESSION["starts_at"]).replace(tzinfo=ZoneInfo(ZONE))
    ce = {"credit_types": list(SESSION["credit_types"]), "max_hours": float(SESSION["max_hours"]),
          "accrediting_body": SESSION["accrediting_body"]}  # fmt: skip
    return {"kind": SESSION["kind"], "title": SESSION["title"], "starts_at": starts.isoformat(),
            "duration_minutes": int(SESSION["duration_minutes"]), "ce": ce}  # fmt: skip


# -- the figures, without ids, times or positions ---------------------------------------------
def read(client: Client, token: str, collaborative: str) -> dict[str, Any]:
    """The collaborative's dashboard and credits, normalised (every id named, no recorded
    moment), and its records as the API gives them: the collaborative, each team, the
    session and the library."""
    get = _reader(client, token)
    board = get(f"/collaboratives/{collaborative}/dashboard")
    credits = get(f"/collaboratives/{collaborative}/credits")
    names = {collaborative: "the collaborative"} | {t["team_id"]: t["name"] for t in board["teams"]}
    names |= {a["activity_id"]: a["title"] for a in board["activities"]}
    names |= {row["participant_id"]: row["learner_name"] for row in credits}
    records = {
        "collaborative": get(f"/collaboratives/{collaborative}"),
        "teams": {t["name"]: get(f"/teams/{t['team_id']}") for t in board["teams"]},
        "activities": {a["title"]: get(f"/activities/{a['activity_id']}") for a in board["activities"]},
        "library": get(f"/collaboratives/{collaborative}/resources"),
    }
    return {
        "dashboard": _dashboard(board),
        "credits": _credits(credits, names),
        "records": _plain(records, names),
    }


def _reader(client: Client, token: str) -> Any:
    def get(path: str) -> Any:
        response = client.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, f"{path}: {response.status_code} {response.text}"
        return response.json()

    return get


def _dashboard(board: dict[str, Any]) -> dict[str, Any]:
    kept = {
        k: v
        for k, v in board.items()
        if k not in ("collaborative_id", "phase_history", "teams", "activities")
    }
    history = [{k: v for k, v in h.items() if k not in ("at", "actor_id")} for h in board["phase_history"]]
    teams = {t["name"]: {k: v for k, v in t.items() if k != "team_id"} for t in board["teams"]}
    for team in teams.values():
        team["measures"] = {m["key"]: m for m in team["measures"]}
    activities = {a["title"]: {k: v for k, v in a.items() if k != "activity_id"} for a in board["activities"]}
    return kept | {"phase_history": history, "teams": teams, "activities": activities}


DROPPED = ("entry_id", "participant_id", "collaborative_id", "activity_id", "recorded_at", "source_position")


def _credits(rows: list[dict[str, Any]], names: dict[str, str]) -> dict[str, Any]:
    """Each learner's entries by credit type and activity (one entry each here)."""
    by_learner: dict[str, dict[str, Any]] = {}
    for row in rows:
        entry = {k: v for k, v in row.items() if k not in DROPPED and k != "learner_name"}
        entry |= {"team_id": names.get(row["team_id"], row["team_id"]),
                  "reverses": row["reverses"] is not None, "reversed_by": row["reversed_by"] is not None}  # fmt: skip
        key = f"{row['credit_type']} {row['activity_title']}"
        learner = by_learner.setdefault(row["learner_name"], {})
        assert key not in learner, f"two {key} entries for {row['learner_name']}"
        learner[key] = entry
    return by_learner


UUID_IN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SITE = re.compile(r"^https?://[^/]+(?=/ui/)")  # the page-built server's address, or the test client's
POSITIONS = ("version", "position", "source_position", "actor_id", "by", "recorded_by", "submitted_by")


def _plain(value: Any, names: dict[str, str]) -> Any:
    """A record with each id by its name ("<id>" for one without: a cycle, an assessment),
    each moment the run recorded as "<recorded>" (a moment the people typed stays), people
    in name order, and no versions, positions or actors."""
    if isinstance(value, dict):
        return {k: _plain(v, names) for k, v in value.items() if k not in POSITIONS}
    if isinstance(value, list):
        items = [_plain(v, names) for v in value]
        if items and all(isinstance(i, dict) and "participant_id" in i for i in items):
            return sorted(items, key=lambda i: str(i["participant_id"]))  # by person: not the order recorded
        return items
    if isinstance(value, str):
        if _recorded_now(value):
            return "<recorded>"
        return UUID_IN.sub(lambda m: names.get(m.group(0), "<id>"), SITE.sub("<site>", value))
    return value


def _recorded_now(text: str) -> bool:
    """A moment of the run itself (within the last day), not one typed into a form."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return False
    return moment.tzinfo is not None and abs(datetime.now(UTC) - moment) < timedelta(days=1)


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """The paths at which two normalised readings differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        found = []
        for key in sorted(set(a) | set(b), key=str):
            if key not in a or key not in b:
                found.append(f"{path}/{key}: only in {'pages' if key in a else 'API'}")
            else:
                found += differences(a[key], b[key], f"{path}/{key}")
        return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in differences(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [f"{path}: pages {a!r} != API {b!r}"]
