"""Helpers for the PWA scenarios: a phone-sized context, the UI's own forms, API checks."""

from __future__ import annotations

import subprocess
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.authenticator import Authenticator
from tests.conftest import PASSWORD
from tests.servers import BIN, ROOT

ZONE = "Europe/London"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
PHONE = {"width": 360, "height": 740}
# Each staff member's authenticator app, by email: the URI `users create` printed.
AUTHENTICATORS: dict[str, Authenticator] = {}


def local_today() -> date:
    return datetime.now(ZoneInfo(ZONE)).date()


def days_ago(n: int) -> date:
    return local_today() - timedelta(days=n)


# Back online, the `online` event replays the outbox at once and the app's 30 s replay timer is
# its backstop: a test waits that long before calling a replay lost (a loaded run once missed
# the event's replay and the default 10 s ran out).
REPLAY_TIMEOUT = 35_000


def new_context(browser, **options):
    """A fresh profile (own IndexedDB, caches, service worker) with a phone viewport, in English
    (locale="en-GB") unless `locale` says otherwise (tests/e2e/test_pwa_i18n.py)."""
    options = {"locale": "en-GB", **options}
    context = browser.new_context(
        viewport=PHONE, timezone_id=ZONE, service_workers="allow", **options
    )
    context.set_default_timeout(10_000)
    return context


def open_app(context, server, hash_: str = ""):
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            page.errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(f"{server.url}/{hash_}")
    return page


def register(page, email: str, name: str | None = None, skip_onboarding: bool = True) -> None:
    """Create an account through the sign-in screen; ends on Today, the first-run introduction
    skipped (skip_onboarding=False: ends on the introduction, tests/e2e/test_pwa_onboarding.py)."""
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill(email)
    if name:
        page.get_by_label("Name (optional)").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    skip = page.locator(".onboarding-skip button")  # "Skip introduction", in any language
    skip.wait_for()
    if not skip_onboarding:
        return
    skip.click()
    page.locator("form.diary[data-loaded]").wait_for()
    # Registration answers alike for any address; the app says a link is on its way.
    page.get_by_text("We sent a link to verify your address").wait_for()


def sign_in(page, email: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("form.diary[data-loaded]").wait_for()


def open_day(page, day: date) -> None:
    """Pick the diary date with the date field and wait for that day's form."""
    page.get_by_role("link", name="Today", exact=True).click()
    # The form Today opens by itself (data-home): the day open before the click may still be on
    # the page for a moment, and taking it for the day wanted would skip picking the date. At
    # night that form may be yesterday's diary day (pwa/js/views/today.js, homeDay).
    home = page.locator("form.diary[data-home][data-loaded]")
    home.wait_for()
    if home.get_attribute("data-date") != day.isoformat():
        page.get_by_label("Diary day").fill(day.isoformat())
    page.locator(f'form.diary[data-date="{day}"][data-loaded]').wait_for()


def log_day(
    page,
    day: date,
    times: dict,
    mood: int | None = None,
    note: str | None = None,
    people: dict | None = None,
    expect: str = "Synced",
    navigate: bool = True,
) -> None:
    """Fill a whole diary day through the form and save it; wait for the day's sync state.

    navigate=False edits the form already open (as someone who left it open for a while)."""
    if navigate:
        open_day(page, day)
    else:
        page.locator(f'form.diary[data-date="{day}"][data-loaded]').wait_for()
    for code, value in times.items():
        page.locator(f"#time-{code}").fill(value)
    for code, value in (people or {}).items():
        select = page.locator(f"#people-{code}")
        if not select.is_visible():  # folded away under "Who was involved"
            page.locator(f'fieldset[data-code="{code}"] summary').click()
        select.select_option(str(value))
    if mood is not None:
        # The mood chips: mood-m5 … mood-0 … mood-p5.
        sign = "m" if mood < 0 else "p" if mood > 0 else ""
        page.locator(f"#mood-{sign}{abs(mood)}").check()
    if note is not None:
        page.get_by_label("Note (optional)").fill(note)
    page.get_by_role("button", name="Save day").click()
    page.locator(".day-status").get_by_text(expect, exact=True).wait_for()


def api_token(server, email: str) -> str:
    body = {"email": email, "password": PASSWORD}
    if email in AUTHENTICATORS:
        body["otp"] = AUTHENTICATORS[email].code()
    status, body, _ = server.request("POST", "/api/v1/auth/token", body)
    assert status == 201, body
    return body["token"]


# The service worker controls the page and holds the app shell. Polled from Python, not with
# page.wait_for_function: that fails on this page's Content-Security-Policy (no
# 'unsafe-eval') once it has to poll (microsoft/playwright#36986).
SHELL_READY = """async () => {
    if (!navigator.serviceWorker.controller) return false;
    const keys = await caches.keys();
    if (!keys.length) return false;
    const cache = await caches.open(keys[0]);
    return Boolean(await cache.match('/js/app.js')) && Boolean(await cache.match('/'));
}"""


def wait_for_shell(page) -> None:
    """The service worker controls the page and holds the whole app shell."""
    assert page_eventually(page, SHELL_READY, timeout=20)


def page_eventually(page, expression: str, timeout: float = 10.0):
    """Poll a page expression from Python until it is truthy (see SHELL_READY)."""
    return eventually(lambda: page.evaluate(expression), timeout=timeout)


def server_entries(server, token: str, first: date, last: date) -> dict:
    status, body, _ = server.request("GET", f"/api/v1/entries?from={first}&to={last}", token=token)
    assert status == 200, body
    dates = [e["date"] for e in body["entries"]]
    assert len(dates) == len(set(dates))
    return {e["date"]: e for e in body["entries"]}


def eventually(check, timeout: float = 10.0):
    """Poll `check` until it returns a truthy value (state on the server, not a sleep)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def create_staff(server, email: str, role: str, name: str | None = None) -> Authenticator:
    """A clinician or researcher account, made the only way staff accounts are made: the CLI,
    which prints the URI the staff member's authenticator app is enrolled from."""
    args = [str(BIN / "flask"), "--app", "wsgi", "users", "create", email, "--role", role]
    if name:
        args += ["--name", name]
    created = subprocess.run(
        args,
        input=f"{PASSWORD}\n{PASSWORD}\n",
        env=server.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    authenticator = AUTHENTICATORS[email] = Authenticator.from_output(created.stdout)
    return authenticator


def sign_in_staff(page, email: str, heading: str) -> None:
    """Sign in through the form, with the code the form then asks for, and wait for the
    role's home screen."""
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Code from your authenticator app")
    code.wait_for()
    page.get_by_text("Enter the code from your authenticator app.").wait_for()
    code.fill(AUTHENTICATORS[email].code())
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name=heading, exact=True).wait_for()


def go(page, nav: str, heading: str, via: str | None = None) -> None:
    """Open a screen from the main navigation (and, with `via`, a link on that screen)."""
    page.locator("#nav").get_by_role("link", name=nav, exact=True).click()
    if via:
        page.get_by_role("heading", name=nav, exact=True).wait_for()
        page.locator("#main").get_by_role("link", name=via).click()
    page.get_by_role("heading", name=heading, exact=True).wait_for()


def no_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page) -> list:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    from axe_playwright_python import sync_playwright as axe_playwright

    results = axe_playwright.Axe().run(page, options=WCAG)
    return [
        (v["id"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]
    ]
