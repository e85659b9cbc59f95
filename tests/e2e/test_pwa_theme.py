"""Light and dark: the system's choice (prefers-color-scheme) unless the person picks one in
Settings; the choice is on <html> before the page is shown, lasts across reloads and sign-out,
and "Same as this device" follows the system again. The browser's bar (theme-color) follows."""

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import ARTIFACTS, ZONE, new_context, open_app, sign_in

LIGHT_BG, DARK_BG = "#f6f8f7", "#101719"
LIGHT_BAR, DARK_BAR = "#1f5f6b", "#12363d"

# What the page looks like now: the theme attribute, the background, the native controls' scheme
# and the browser bar's colour for the scheme in force.
LOOK = """() => {
  const root = document.documentElement;
  const style = getComputedStyle(root);
  const dark = matchMedia("(prefers-color-scheme: dark)").matches;
  const bar = [...document.querySelectorAll('meta[name="theme-color"]')]
    .find((m) => !m.media || matchMedia(m.media).matches);
  return {
    theme: root.dataset.theme ?? null,
    bg: style.getPropertyValue("--bg").trim(),
    scheme: style.colorScheme,
    body: getComputedStyle(document.body).backgroundColor,
    bar: bar?.content ?? null,
    systemDark: dark,
  };
}"""
# The theme as it was when the document had been parsed (module scripts have run, nothing has
# been shown by the app yet): a saved choice must not flash the other theme.
AT_PARSED = """document.addEventListener("DOMContentLoaded", () => {
  window.__themeAtParsed = document.documentElement.dataset.theme ?? null;
}, { once: true });"""

RGB = {LIGHT_BG: "rgb(246, 248, 247)", DARK_BG: "rgb(16, 23, 25)"}


def look(page) -> dict:
    return page.evaluate(LOOK)


def account(server, email: str) -> None:
    status, answer, _ = server.request(
        "POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "timezone": ZONE}
    )
    assert status == 202, answer


def open_settings(page):
    page.evaluate("location.hash = '#/settings'")
    choice = page.locator("#settings-theme")
    choice.wait_for()
    return choice


def test_the_system_scheme_is_followed_without_a_choice(server, browser):
    for scheme, bg, bar in (("light", LIGHT_BG, LIGHT_BAR), ("dark", DARK_BG, DARK_BAR)):
        context = new_context(browser, color_scheme=scheme)
        page = open_app(context, server)
        page.get_by_role("heading", name="Sign in").wait_for()
        now = look(page)
        assert now["systemDark"] == (scheme == "dark")
        assert (now["theme"], now["bg"], now["scheme"], now["body"], now["bar"]) == (
            None,
            bg,
            scheme,
            RGB[bg],
            bar,
        ), scheme
        assert page.evaluate("localStorage.getItem('cadence-theme')") is None
        assert page.errors == []
        context.close()


def test_a_chosen_theme_wins_over_the_system_and_lasts(server, browser):
    email = "night.owl@example.org"
    account(server, email)
    context = new_context(browser, color_scheme="light")
    context.add_init_script(AT_PARSED)
    page = open_app(context, server)
    sign_in(page, email)

    choice = open_settings(page)
    assert choice.input_value() == ""  # following the system
    choice.select_option("dark")
    now = look(page)
    assert (now["theme"], now["bg"], now["scheme"], now["bar"]) == (
        "dark",
        DARK_BG,
        "dark",
        DARK_BAR,
    )
    assert page.evaluate("localStorage.getItem('cadence-theme')") == "dark"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-settings-dark-360.png", full_page=True)

    # On the next visit the choice is there before anything is shown.
    page.reload()
    page.locator("#settings-theme").wait_for()
    assert page.evaluate("window.__themeAtParsed") == "dark"
    assert look(page)["bg"] == DARK_BG
    page.get_by_role("link", name="Today", exact=True).click()
    page.locator("form.diary[data-loaded]").wait_for()
    page.screenshot(path=ARTIFACTS / "pwa-today-dark-360.png", full_page=True)

    # A theme is not personal data: it stays on the device after signing out.
    page.locator("#sign-out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert look(page)["theme"] == "dark"

    # The system turns dark and the person picks light: light it is.
    page.emulate_media(color_scheme="dark")
    sign_in(page, email)
    choice = open_settings(page)
    assert choice.input_value() == "dark"
    choice.select_option("light")
    now = look(page)
    assert (now["theme"], now["bg"], now["scheme"], now["bar"]) == (
        "light",
        LIGHT_BG,
        "light",
        LIGHT_BAR,
    )

    # Back to the device's own setting: dark, as the system is now, with nothing saved.
    choice.select_option("")
    now = look(page)
    assert (now["theme"], now["bg"], now["bar"]) == (None, DARK_BG, DARK_BAR)
    assert page.evaluate("localStorage.getItem('cadence-theme')") is None
    page.emulate_media(color_scheme="light")
    assert look(page)["bg"] == LIGHT_BG
    assert page.errors == []
    context.close()
