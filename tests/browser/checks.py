"""What the accessibility and phone tests measure in a page: axe-core's violations, and at
phone width the page's own width, the size of chart text, controls and tables."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.tour import AXE
from tests.conftest import IN_CI

Page = Any
SERIOUS = ("serious", "critical")
PHONE = 390
SMALLEST_TEXT, THUMB = 11.0, 44.0


def axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, each with its help and nodes."""
    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (scripts/test runs npm ci in tests/browser)"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[dict[str, Any]] = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    # axe-core 4.10 no longer reports duplicate ids; a label or aria reference to one is ambiguous.
    duplicates: list[str] = page.evaluate(DUPLICATE_IDS)
    return [f"duplicate-id: ids used more than once: {duplicates[:6]}"] * bool(duplicates) + [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(" ".join(n["target"]) for n in v["nodes"][:6])
        for v in found
        if v["impact"] in SERIOUS
    ]


DUPLICATE_IDS = """() => {
  const seen = new Map();
  for (const e of document.querySelectorAll("[id]")) seen.set(e.id, (seen.get(e.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}"""


# At phone width: what spills sideways, chart text drawn smaller than SMALLEST_TEXT px,
# controls shorter than THUMB px or narrower than their form, table rows not laid out as cards.
PHONE_CHECKS = """([smallest, thumb]) => {
  const seen = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== "hidden";
  const name = e => (e.getAttribute("name") || e.getAttribute("aria-label") || e.textContent || e.tagName).trim().slice(0, 40);
  const small = [];
  for (const t of document.querySelectorAll("main svg text")) {
    if (!seen(t) || !t.textContent.trim()) continue;
    const m = t.getScreenCTM(), scale = Math.hypot(m.a, m.b);
    const px = parseFloat(getComputedStyle(t).fontSize) * scale;
    if (px < smallest - 0.05) small.push(`${t.textContent.trim().slice(0, 30)} at ${px.toFixed(1)}px`);
  }
  const short = [], narrow = [];
  for (const e of document.querySelectorAll("input, select, textarea, button, summary")) {
    if (!seen(e) || ["hidden", "checkbox", "radio"].includes(e.type)) continue;
    const box = e.getBoundingClientRect();
    if (box.height < thumb - 0.5) short.push(`${name(e)} ${box.height.toFixed(0)}px tall`);
    // A field in a table row fills its card's cell; any other fills its form.
    const form = e.closest("main td") || e.closest("main form");
    if (form && e.tagName !== "BUTTON" && e.tagName !== "SUMMARY") {
      const room = form.getBoundingClientRect().width;
      if (box.width < room - 2) narrow.push(`${name(e)} ${box.width.toFixed(0)} of ${room.toFixed(0)}px`);
    }
  }
  const rows = [];
  for (const table of document.querySelectorAll("main table")) {
    if (!seen(table) || table.closest(".audit-trail, table.audit")) continue;
    for (const tr of table.querySelectorAll("tbody tr")) {
      if (getComputedStyle(tr).display !== "block") { rows.push(name(tr)); break; }
      const unlabelled = [...tr.children].find(td => td.tagName === "TD" && !td.dataset.label && !td.hasAttribute("colspan"));
      if (unlabelled) { rows.push(`${name(tr)}: a cell with no data-label`); break; }
    }
  }
  return {width: document.documentElement.scrollWidth, small, short, narrow, rows};
}"""


def phone_problems(page: Page) -> list[str]:
    """What is wrong with the page at phone width, in words (none: nothing)."""
    found = page.evaluate(PHONE_CHECKS, [SMALLEST_TEXT, THUMB])
    problems = []
    if found["width"] > PHONE:
        problems.append(f"the page is {found['width']}px wide: it scrolls sideways")
    for key, what in (
        ("small", "chart text smaller than 11px"),
        ("short", "controls shorter than 44px"),
        ("narrow", "fields narrower than their form"),
        ("rows", "tables not shown as cards"),
    ):
        if found[key]:
            problems.append(f"{what}: {found[key][:5]}")
    return problems
