"""The package as anyone installing it gets it (tests/installed.py): a wheel of the sources
the Dockerfile copies, installed without extras into a virtualenv of its own, seeded with
the demo and served by `qi serve`. Every GET operation of its OpenAPI document and every
page answer 200; the test-only packages are not there to lean on."""

from __future__ import annotations

import html
import importlib
import json
import pkgutil
import re
import subprocess
import tomllib
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.routing import APIRoute

import adapters.web as web
from scripts.demo.accounts import DEMO_PASSWORD
from tests.installed import (
    ROOT,
    Install,
    Server,
    deployment_env,
    dockerfile_sources,
    locked_install,
    run,
    serving,
    tooling_in,
)

PACKAGES = ("aggregates", "analytics", "engine", "projections", "adapters")
# Tooling that drives the engine from outside, importing test-only packages: not the runtime.
TOOLING = ("scripts",)
EXTRA_HINT = "pip install 'qi-engine[test]'"


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Install]:
    with locked_install(tmp_path_factory.mktemp("wheel")) as installed:
        yield installed


@pytest.fixture(scope="module")
def server(install: Install, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with serving(install, tmp_path_factory.mktemp("deployment")) as served:
        yield served


def test_the_wheel_carries_every_template_and_static_file_the_code_reads_beside_it(install: Install) -> None:
    data = {
        path.relative_to(ROOT).as_posix()
        for package in PACKAGES
        for path in (ROOT / package).rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert any(name.startswith("adapters/web/templates/") for name in data)
    with zipfile.ZipFile(install.wheel) as wheel:
        assert sorted(data - set(wheel.namelist())) == []


def _distribution(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match[0]).lower()


def test_the_installed_package_runs_from_the_virtualenv_without_the_test_extra(install: Install) -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["test"]
    only_test = {_distribution(r) for r in extra} - {"pyyaml"}  # uvicorn[standard] needs pyyaml too
    probe = (
        "import engine, importlib.metadata as m, json; print(engine.__file__); "
        "print(json.dumps([d.metadata['Name'] for d in m.distributions()]))"
    )
    where, names = run([install.bin("python"), "-c", probe], install.venv).stdout.splitlines()
    assert Path(where).is_relative_to(install.venv), where
    present = {_distribution(name) for name in json.loads(names)}
    assert "qi-engine" in present and "fastapi" in present
    assert sorted(present & only_test) == [], "the production install holds test-only packages"


def test_every_runtime_module_imports_without_the_test_extra(install: Install) -> None:
    probe = (
        "import importlib, pkgutil, sys\n"
        "def walk(name):\n"
        "    for m in pkgutil.iter_modules(importlib.import_module(name).__path__, name + '.'):\n"
        f"        if not m.name.startswith({TOOLING!r}) and not m.name.endswith('.__main__'):\n"
        "            walk(m.name) if m.ispkg else importlib.import_module(m.name)\n"
        f"for root in {PACKAGES!r}:\n"
        "    walk(root)\n"
        "importlib.import_module('adapters.contracts').event_classes()\n"
        f"print(sorted(n for n in sys.modules if n.startswith({TOOLING!r})))"
    )
    tooling = run([install.bin("python"), "-c", probe], install.venv).stdout.strip()
    assert tooling == "[]", f"runtime modules import the tooling: {tooling}"


@pytest.mark.parametrize(
    "command", [["drill", "--drill", "poison", "--store", "sqlite"], ["bench", "--smoke"]]
)
def test_drill_and_bench_without_the_test_extra_name_the_extra_to_install(
    install: Install, command: list[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        [install.bin("python"), "-m", "scripts", *command],
        cwd=tooling_in(tmp_path),
        env=deployment_env(tmp_path),
        capture_output=True,
        text=True,
    )
    said = done.stdout + done.stderr
    assert done.returncode == 2, said
    assert EXTRA_HINT in said.replace("\n", "") and "Traceback" not in said, said


def test_the_dockerfile_installs_the_copied_sources_without_extras_or_editable_mode() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    installs = [line.split() for line in re.findall(r"pip install ([^&\n]*)", dockerfile)]
    assert installs == [["."]], f"the image must install the copied sources as a wheel would: {installs}"
    assert set(PACKAGES) | {"pyproject.toml", "README.md"} <= set(dockerfile_sources())


def _demo_ids(client: httpx.Client) -> dict[str, str]:
    """A real value for every path parameter, taken from the demo collaborative."""
    collaborative = client.get("/collaboratives").json()[0]["id"]
    detail = client.get(f"/collaboratives/{collaborative}").json()
    team = client.get(f"/teams/{detail['teams'][0]['team_id']}").json()
    resources = client.get(f"/collaboratives/{collaborative}/resources").json()
    toolkits = client.get(f"/collaboratives/{collaborative}/toolkits").json()
    return {
        "collaborative_id": collaborative,
        "team_id": team["id"],
        "activity_id": detail["activities"][0],
        "participant_id": team["members"][0]["participant_id"],
        "measure_key": detail["measures"][0]["key"],
        "resource_id": next(r["resource_id"] for r in resources if r["file"]),
        "toolkit_id": toolkits[0]["toolkit_id"],
        "account_id": client.get("/accounts").json()[0]["id"],
        "month": "2025-06",  # a month of the demo's projects phase, for its monthly report
        "module_id": client.get(f"/collaboratives/{collaborative}/training-modules").json()[0]["module_id"],
        "instrument_id": client.get(f"/collaboratives/{collaborative}/instruments").json()[0][
            "instrument_id"
        ],
        "assessment_id": client.get(f"/teams/{team['id']}/instrument-assessments").json()[0]["assessment_id"],
        "file": "pars",
    }


# Query parameters a GET needs to answer 200 for the demo: its credit check lists learners on
# purpose, so its PARS file is made of the rest (the 409 itself: tests/credits).
_QUERIES = {"/collaboratives/{collaborative_id}/accreditor-files/{file}": "?leave_out_unreportable=true"}


def _get(client: httpx.Client, url: str) -> tuple[int, str, str]:
    """Status, content type and (unless it is an endless event stream) the body."""
    with client.stream("GET", url) as response:
        kind = response.headers.get("content-type", "")
        body = "" if kind.startswith("text/event-stream") else response.read().decode(errors="replace")
        return response.status_code, kind, body


def _filled(path: str, ids: dict[str, str]) -> str:
    missing = [name for name in re.findall(r"{(\w+)}", path) if name not in ids]
    assert not missing, f"{path}: no demo value for the path parameter(s) {missing}; add one to _demo_ids"
    return re.sub(r"{(\w+)}", lambda m: ids[m[1]], path) + _QUERIES.get(path, "")


def test_every_get_operation_of_the_openapi_document_answers_200_for_the_demo_to_staff(
    server: Server,
) -> None:
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {server.token}"}) as client:
        ids = _demo_ids(client)
        paths = client.get("/openapi.json").json()["paths"]
        answers = {path: _get(client, _filled(path, ids)) for path, ops in paths.items() if "get" in ops}
    assert len(answers) > 25
    failed = {path: (status, body[:300]) for path, (status, _, body) in answers.items() if status != 200}
    assert failed == {}, "GET operations that did not answer 200 with real ids and a staff token"


def test_the_event_contracts_are_served_by_the_production_install(server: Server) -> None:
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {server.token}"}) as client:
        schema, asyncapi = client.get("/schemas/events"), client.get("/asyncapi.json")
    assert schema.status_code == 200, schema.text
    assert "PhaseAdvanced" in schema.json()["$defs"]
    assert asyncapi.status_code == 200, asyncapi.text
    assert asyncapi.json()["asyncapi"].startswith("3.")


LINK = re.compile(r'(?:href|src)="(/ui/[^"#]*)"')
PER_PAGE = 3  # pages visited per route: each kind of page, for a few of its ids


def _page_routes() -> dict[str, re.Pattern[str]]:
    """Every page's route (not the sign-in form), as a pattern its URLs match."""
    modules = [importlib.import_module(m.name) for m in pkgutil.iter_modules(web.__path__, "adapters.web.")]
    routes = [r for m in modules if hasattr(m, "router") for r in m.router.routes]
    paths = {r.path for r in routes if isinstance(r, APIRoute) and "GET" in r.methods}
    return {
        p: re.compile(re.sub(r"{\w+}", "[^/.]+", p))
        for p in paths
        if p.startswith("/ui/") and p != "/ui/sign-in"
    }


def _signed_in(client: httpx.Client, email: str) -> None:
    """Sign in as one of the demo's people through the form, with the double-submit CSRF
    token of the sign-in page."""
    form = client.get("/ui/sign-in").text
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', form)
    assert csrf, form
    body = {"csrf_token": csrf[1], "email": email, "password": DEMO_PASSWORD, "next": "/ui/"}
    assert client.post("/ui/sign-in", data=body, follow_redirects=False).status_code == 303


def _crawl(client: httpx.Client, start: list[str], routes: dict[str, re.Pattern[str]]) -> dict[str, int]:
    """Follow the pages' links from `start`: every static file, and a few URLs of each route."""
    queue, seen, answers, per_route = list(start), set(start), {}, Counter[str]()
    while queue:
        url = queue.pop(0)
        answers[url], kind, body = _get(client, url)
        for found in LINK.findall(body) if "html" in kind else []:
            link = html.unescape(found)
            route = next((p for p, rx in routes.items() if rx.fullmatch(link.split("?")[0])), link)
            if link not in seen and per_route[route] < PER_PAGE:
                seen.add(link)
                per_route[route] += 1
                queue.append(link)
    return answers


# Pages reached from an email's link or the sign-in form, not from a signed-in page: the
# browser walks open them (tests/browser/test_accounts.py, test_single_sign_on.py).
SIGNED_OUT_PAGES = {
    "/ui/invitations/{secret}", "/ui/password-reset", "/ui/password-reset/{secret}", "/ui/sign-in/oidc",
    "/ui/sign-in/oidc/callback",
}  # fmt: skip


def test_every_page_reachable_from_the_collaborative_overview_renders(server: Server) -> None:
    routes = {p: rx for p, rx in _page_routes().items() if p not in SIGNED_OUT_PAGES}
    answers: dict[str, int] = {}
    with httpx.Client(base_url=server.base) as client:
        api = client.get("/collaboratives", headers={"Authorization": f"Bearer {server.token}"})
        _signed_in(client, "staff@demo.example")
        answers |= _crawl(client, ["/ui/", f"/ui/collaboratives/{api.json()[0]['id']}"], routes)
    with httpx.Client(base_url=server.base, follow_redirects=True) as client:  # a coach lands on My teams
        _signed_in(client, "coach@demo.example")
        answers |= _crawl(client, ["/ui/"], routes)
    assert {url: status for url, status in answers.items() if status != 200} == {}
    assert any(url.startswith("/ui/static/") for url in answers), "no static file was linked"
    unvisited = [p for p, rx in routes.items() if not any(rx.fullmatch(u.split("?")[0]) for u in answers)]
    assert unvisited == [], "pages no link from the overview reaches"
