"""Every client screen, in every state of the header's sync badge, on 320 and 360 px phones: the
page is never wider than the screen, and the header's controls (the brand, the sync badge, Sign out
and every item of the main navigation) are whole and on screen.

Each state is made the way a person meets it: a day logged offline (pending), a day changed on
another device and then edited here (conflict), the session ended elsewhere (sign-in needed), and
an answer the server refuses (invalid)."""

import pytest

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    ZONE,
    api_token,
    days_ago,
    log_day,
    new_context,
    open_app,
    open_day,
    page_eventually,
    sign_in,
)
from tests.e2e.test_pwa_sync_queues import answer_asrm

SCREENS = [
    "today", "week", "trends", "questionnaires", "flags", "sync", "more", "settings", "events",
    "share", "reminders", "targets", "plan", "tasks", "goals", "people", "access", "studies",
    "work-days",
]  # fmt: skip
WIDTHS = (320, 360)
BADGE = {
    "synced": "All synced",
    "pending": "1 on this device",
    "conflict": "1 to resolve",
    "signin": "Sign in to sync",
    "invalid": "1 invalid",
}
NAV = ["Today", "Week", "Trends", "Questionnaires", "Flags", "Sync", "More"]

# What is wrong with the layout as it is now: the page's width past the screen's, and each header
# control cut, hidden or (part) off screen. An empty list is a layout that holds.
LAYOUT_PROBLEMS = """() => {
  const width = document.documentElement.clientWidth;
  const problems = [];
  const scroll = document.documentElement.scrollWidth;
  if (scroll > window.innerWidth) {
    // Named by the innermost element that reaches past the screen, to say where to look.
    const wide = [...document.querySelectorAll("body *")].filter(
      (e) => e.getBoundingClientRect().right > width + 0.5 && e.children.length === 0);
    const where = wide.slice(0, 2).map((e) => `${e.tagName.toLowerCase()}.${e.className}`);
    problems.push(`page ${scroll}px wide: ${where.join(", ")}`);
  }
  const controls = [
    ["brand", document.querySelector(".brand")],
    ["sync badge", document.getElementById("sync-state")],
    ["Sign out", document.getElementById("sign-out")],
    ...[...document.querySelectorAll("#nav a")].map((a) => [`nav ${a.textContent}`, a]),
  ];
  for (const [name, el] of controls) {
    if (!el || el.hidden) { problems.push(`${name} missing`); continue; }
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) problems.push(`${name} not shown`);
    const [left, right] = [Math.round(box.left), Math.round(box.right)];
    if (left < 0 || right > width) problems.push(`${name} off screen (${left}-${right})`);
    if (el.scrollWidth > el.clientWidth + 1) problems.push(`${name} text cut`);
    // Not covered by anything else (a sticky banner, the other control).
    const x = Math.min(Math.max(box.left + box.width / 2, 0), width - 1);
    const y = box.top + box.height / 2;
    if (y >= 0 && y < window.innerHeight) {
      const top = document.elementFromPoint(x, y);
      if (top && top !== el && !el.contains(top)) problems.push(`${name} covered`);
    }
  }
  return problems;
}"""

ONE_ROW = """() => {
  const boxes = [".brand", "#sync-state", "#sign-out"].map(
    (s) => document.querySelector(s).getBoundingClientRect());
  return boxes.every((b) => b.top < boxes[0].bottom && b.bottom > boxes[0].top);
}"""


def make_state(state, page, context, server, email) -> None:
    day = days_ago(1)
    if state == "pending":
        context.set_offline(True)
        log_day(page, days_ago(2), {"out_of_bed": "07:30"}, mood=0, expect="Saved on this device")
    elif state == "conflict":
        open_day(page, day)  # the page holds the day's version as it was
        status, answer, _ = server.request(
            "PUT",
            f"/api/v1/entries/{day}",
            {"timezone": ZONE, "mood": 1, "activities": {"out_of_bed": {"time": "06:10"}}},
            token=api_token(server, email),
        )
        assert status in (200, 201), answer
        log_day(page, day, {"out_of_bed": "09:40"}, expect="Conflict", navigate=False)
    elif state == "signin":
        status, answer, _ = server.request(
            "POST", "/api/v1/me/sessions/revoke-all", token=api_token(server, email)
        )
        assert status == 200, answer
        page.reload()  # the app asks the server who it is, and hears the session has ended
    elif state == "invalid":
        answer_asrm(page, [1, 0, 1, 0])  # question 5 left out: the server refuses the answers
        page.get_by_role("dialog", name="Send with unanswered questions?").get_by_role(
            "button", name="Send anyway"
        ).click()


def open_screen(page, screen: str) -> None:
    """Go to the screen by its address and wait for its own heading (not the last screen's)."""
    page.evaluate(
        """(screen) => {
            if (location.hash === `#/${screen}`) return;  // there already
            document.querySelector("#main .view")?.setAttribute("data-left", "");
            location.hash = `#/${screen}`;
        }""",
        screen,
    )
    page.locator("#main .view:not([data-left]) #view-heading").wait_for()


def client(server, context, email):
    """A signed-in client with a logged day, on a page of its own."""
    page = open_app(context, server)
    # An account made elsewhere: this screen test is not the first-run introduction's.
    status, answer, _ = server.request(
        "POST",
        "/api/v1/auth/register",
        {"email": email, "password": PASSWORD, "display_name": "Alexandra", "timezone": ZONE},
    )
    assert status == 202, answer
    sign_in(page, email)
    log_day(page, days_ago(1), {"out_of_bed": "07:00", "to_bed": "23:10"}, mood=0)
    return page


def layout_problems_on_every_screen(page, badge_text: str, shots: str, one_row: bool) -> dict:
    """Each screen at each width: what is wrong (nothing, when the layout holds)."""
    badge = page.locator("#sync-state")
    ARTIFACTS.mkdir(exist_ok=True)
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 740})
        for screen in SCREENS:
            open_screen(page, screen)
            # A screen fills in as its data comes: the layout must hold all along, not once.
            for _ in range(3):
                problems = page.evaluate(LAYOUT_PROBLEMS)
                if problems:
                    found[f"{width}px #/{screen}"] = problems
                    break
                page.wait_for_timeout(150)
            assert badge.inner_text() == badge_text, (screen, badge.inner_text())
        open_screen(page, "today")
        if one_row:
            assert page.evaluate(ONE_ROW), width
        page.screenshot(path=ARTIFACTS / f"pwa-header-{shots}-{width}.png")
    # Wide again, the navigation is one row.
    page.set_viewport_size({"width": 760, "height": 740})
    tops = page.evaluate("[...document.querySelectorAll('#nav li')].map((li) => li.offsetTop)")
    if len(set(tops)) != 1:
        found["760px navigation"] = [f"rows at {sorted(set(tops))}"]
    assert page_eventually(page, "document.documentElement.scrollWidth <= window.innerWidth")
    return found


@pytest.mark.parametrize("state", list(BADGE))
def test_every_client_screen_fits_in_every_sync_state(server, browser, state):
    email = f"layout.{state}@example.org"
    context = new_context(browser)
    page = client(server, context, email)
    make_state(state, page, context, server, email)
    page.locator("#sync-state").get_by_text(BADGE[state], exact=True).wait_for(timeout=20_000)
    assert page.locator("#nav a").all_inner_texts() == NAV
    # In English the brand, the badge and Sign out share one row whatever the state, so the
    # header does not change height when the state does.
    assert layout_problems_on_every_screen(page, BADGE[state], state, one_row=True) == {}
    if state == "pending":
        context.set_offline(False)
    context.close()


@pytest.mark.parametrize("state", ["synced", "signin"])
def test_every_client_screen_fits_in_spanish(server, browser, state):
    """Longer words: "Inicia sesión para sincronizar" and "Cerrar sesión" on a 320 px phone."""
    email = f"diseno.{state}@example.org"
    context = new_context(browser)
    page = client(server, context, email)
    page.evaluate("localStorage.setItem('cadence-lang', 'es')")
    make_state(state, page, context, server, email)  # both reload the page, or nothing to do
    if state == "synced":
        page.reload()
    expected = {"synced": "Todo sincronizado", "signin": "Inicia sesión para sincronizar"}[state]
    page.locator("#sync-state").get_by_text(expected, exact=True).wait_for(timeout=20_000)
    assert page.locator("#sign-out").inner_text() == "Cerrar sesión"
    found = layout_problems_on_every_screen(page, expected, f"es-{state}", one_row=False)
    assert found == {}
    context.close()
