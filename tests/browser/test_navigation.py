"""Every link a person is shown leads somewhere they may go: signed in as each kind of
person, a crawl from every page they may open follows each link on each page (a few of
each kind of page: every team's page is one kind) and every one answers 2xx or 3xx, never
403 or 404. And no page's text shows an internal id (a UUID, `token:…`, `demo-…:`) where a
name belongs; attributes may hold them, and the audit trail, the record itself, names ids."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest

from tests.browser.conftest import Site
from tests.browser.tour import PEOPLE, Person, Tour, sign_in

Page = Any
ID_SHAPED = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\btoken:\S+|\bdemo-[a-z-]+:\S+", re.I
)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
OF_A_KIND = 3  # pages crawled of each kind (the same path but for its ids)
RECORDS = ("/ui/audit",)  # pages whose job is to show the record, ids and all


class Reading(HTMLParser):
    """A page's links and the text a person reads (not scripts, styles or attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "title"):
            self._skipping += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "title"):
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping and data.strip():
            self.text.append(data.strip())


@dataclass
class Crawl:
    broken: dict[str, set[str]] = field(default_factory=dict)  # link -> the pages showing it
    ids_shown: dict[str, list[str]] = field(default_factory=dict)  # page -> what it shows
    pages: int = 0


def _kind(path: str) -> str:
    return UUID.sub("{id}", urlsplit(path).path)


def crawl(tab: Page, starts: Iterator[str]) -> Crawl:
    """From the start pages, up to OF_A_KIND pages of each kind, every link checked."""
    found, queue, crawled = Crawl(), list(starts), set()
    checked: dict[str, int] = {}
    kinds: dict[str, int] = {}
    while queue:
        path = queue.pop(0)
        if path in crawled or kinds.get(_kind(path), 0) >= OF_A_KIND:
            continue
        crawled.add(path)
        response = tab.request.get(path, max_redirects=0)
        checked[path] = response.status
        if response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            continue
        kinds[_kind(path)] = kinds.get(_kind(path), 0) + 1
        found.pages += 1
        reading = Reading()
        reading.feed(response.text())
        shown = [m.group(0) for t in reading.text for m in ID_SHAPED.finditer(t)]
        if shown and not path.startswith(RECORDS):
            found.ids_shown[path] = shown[:5]
        for link in filter(None, (_local(path, href) for href in reading.links)):
            if link not in checked:
                checked[link] = tab.request.get(link, max_redirects=0).status
            if checked[link] >= 400:
                found.broken.setdefault(f"{link} ({checked[link]})", set()).add(path)
            else:
                queue.append(link)
    return found


def _local(page: str, href: str) -> str | None:
    """The link as a path on this site (None for another site's, or a mail link)."""
    url = urldefrag(urljoin(f"http://site{page}", href)).url
    parts = urlsplit(url)
    if parts.netloc != "site" or not parts.path.startswith("/ui/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def tab(browser: Any, site: Site) -> Iterator[Page]:
    context = browser.new_context(base_url=site.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def crawls(tab: Page, tour: Tour) -> dict[str, Crawl]:
    done: dict[str, Crawl] = {}
    for person in PEOPLE:
        sign_in(tab, person)
        done[person.key] = crawl(tab, iter(tour.for_person(person).values()))
    return done


@pytest.mark.parametrize("person", PEOPLE, ids=[p.key for p in PEOPLE])
def test_every_link_a_person_is_shown_opens_for_them(person: Person, crawls: dict[str, Crawl]) -> None:
    found = crawls[person.key]
    assert found.pages >= 1
    report = "\n".join(f"{link} on {sorted(pages)[:3]}" for link, pages in found.broken.items())
    assert not found.broken, f"links {person.key} is shown but may not follow:\n{report}"


@pytest.mark.parametrize("person", PEOPLE, ids=[p.key for p in PEOPLE])
def test_no_page_shows_an_internal_id_where_a_name_belongs(person: Person, crawls: dict[str, Crawl]) -> None:
    shown = crawls[person.key].ids_shown
    report = "\n".join(f"{page}: {ids}" for page, ids in shown.items())
    assert not shown, f"pages showing {person.key} internal ids:\n{report}"
