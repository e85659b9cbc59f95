"""Settings in the PWA, each action as a client does it: name and time zone, anchors, a reminder
at an anchor's usual time, language and theme, password, the data download, signing out
everywhere and deleting the account; signing out offline revokes the token once back online;
"Turn on notifications" gives up when the push service never answers."""

from __future__ import annotations

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    api_token,
    axe_violations,
    days_ago,
    eventually,
    new_context,
    no_overflow,
    open_app,
    register,
    wait_for_shell,
)

NEW_PASSWORD = "harbour lantern meadow"
# The token the app holds (IndexedDB kv "token", pwa/js/store_names.js).
DEVICE_TOKEN = """async () => {
    // Never create the database: after a wipe there is none, and null is the answer.
    if (!(await indexedDB.databases()).some((d) => d.name === "cadence")) return null;
    return await new Promise((resolve, reject) => {
        const open = indexedDB.open("cadence");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
            const db = open.result;
            if (!db.objectStoreNames.contains("kv")) { db.close(); return resolve(null); }
            const get = db.transaction("kv").objectStore("kv").get("token");
            get.onsuccess = () => { db.close(); resolve(get.result ?? null); };
            get.onerror = () => { db.close(); reject(get.error); };
        };
    });
}"""


def settings(page):
    page.goto(page.url.split("#")[0] + "#/settings")
    page.get_by_role("heading", name="Settings", exact=True).wait_for()
    page.locator("#settings-sessions-h").wait_for()


def me(server, token):
    status, body, _ = server.request("GET", "/api/v1/me", token=token)
    assert status == 200, body
    return body


def log_usual_dinners(server, token):
    """Six days with dinner at 19:00: enough history for a usual dinner time."""
    for n in range(6, 0, -1):
        status, body, _ = server.request(
            "PUT",
            f"/api/v1/entries/{days_ago(n)}",
            {
                "mood": 0,
                "activities": {"out_of_bed": {"time": "07:00"}, "dinner": {"time": "19:00"}},
            },
            token=token,
        )
        assert status == 201, body


def test_profile_anchors_a_reminder_at_the_usual_dinner_time_language_and_theme(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "settle@example.org")
    token = api_token(server, "settle@example.org")
    log_usual_dinners(server, token)
    settings(page)
    page.get_by_text("Signed in as settle@example.org.").wait_for()

    page.get_by_label("Name", exact=True).fill("Robin")
    page.get_by_label("Time zone", exact=True).select_option("America/New_York")
    page.get_by_role("button", name="Save name and time zone").click()
    profile = page.locator("#settings-profile-h ~ form")
    profile.get_by_role("status").get_by_text("Saved.").wait_for()
    assert me(server, token)["display_name"] == "Robin"
    assert me(server, token)["timezone"] == "America/New_York"

    page.get_by_label("Breakfast").uncheck()
    page.get_by_label("Exercise").check()
    page.get_by_role("button", name="Save anchors").click()
    page.get_by_text("Saved: you track 7 anchors.").wait_for()
    tracked = me(server, token)["tracked_activities"]
    assert "exercise" in tracked and "breakfast" not in tracked

    # Dinner's usual time (from the diary) becomes a reminder time.
    dinner = page.locator('.anchor-reminder[data-anchor="dinner"]')
    dinner.get_by_text("usually 19:00").wait_for()
    dinner.get_by_role("button", name="Remind me at 19:00, my Dinner time").click()
    dinner.get_by_text("Reminder on").wait_for()
    assert me(server, token)["reminder_times"] == ["19:00"]
    assert no_overflow(page)
    assert axe_violations(page) == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "pwa-settings-360.png", full_page=True)
    dinner.get_by_role("button", name="Stop the Dinner reminder").click()
    dinner.get_by_role("button", name="Remind me at 19:00, my Dinner time").wait_for()
    assert me(server, token)["reminder_times"] == []

    page.get_by_label("Theme", exact=True).select_option("dark")
    assert page.locator("html").get_attribute("data-theme") == "dark"
    page.get_by_label("Language", exact=True).select_option("es")
    page.get_by_role("heading", name="Ajustes", exact=True).wait_for()
    page.get_by_role("button", name="Guardar anclas").wait_for()
    page.reload()  # both kept on the device
    page.get_by_role("heading", name="Ajustes", exact=True).wait_for()
    assert page.locator("html").get_attribute("data-theme") == "dark"
    assert page.locator("html").get_attribute("lang") == "es"
    # The device's language again: English here.
    page.get_by_label("Idioma", exact=True).select_option("")
    page.get_by_role("heading", name="Settings", exact=True).wait_for()
    page.get_by_label("Theme", exact=True).select_option("")
    assert page.locator("html").get_attribute("data-theme") is None

    page.locator("#nav").get_by_role("link", name="More", exact=True).click()
    page.get_by_text("Hello, Robin.").wait_for()  # the name, shown
    assert page.errors == []
    context.close()


def test_password_download_and_sign_out_everywhere(server, browser):
    context = new_context(browser, accept_downloads=True)
    page = open_app(context, server)
    register(page, "keys@example.org")
    other_token = api_token(server, "keys@example.org")  # another device
    settings(page)
    page.get_by_text("You are signed in on 2 devices.").wait_for()

    page.get_by_label("Current password", exact=True).fill("not my password at all")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    current = page.get_by_label("Current password", exact=True)
    page.locator("#settings-current-password-error").get_by_text(
        "This is not your current password."
    ).wait_for()
    assert current.get_attribute("aria-invalid") == "true"
    current.fill(PASSWORD)
    page.get_by_role("button", name="Change password").click()
    page.get_by_text("Password changed.").wait_for()
    assert current.get_attribute("aria-invalid") is None
    status, _, _ = server.request("GET", "/api/v1/me", token=other_token)
    assert status == 401  # the other device was signed out; this one stays
    status, _, _ = server.request(
        "POST", "/api/v1/auth/token", {"email": "keys@example.org", "password": NEW_PASSWORD}
    )
    assert status == 201

    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data").click()
    assert download.value.suggested_filename.startswith("cadence-my-data-")
    assert download.value.suggested_filename.endswith(".zip")
    page.get_by_text("Downloaded cadence-my-data-").wait_for()

    device_token = page.evaluate(DEVICE_TOKEN)
    page.get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("dialog").get_by_role("button", name="Sign out everywhere").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    status, _, _ = server.request("GET", "/api/v1/me", token=device_token)
    assert status == 401
    assert page.evaluate(DEVICE_TOKEN) is None
    assert page.errors == []
    context.close()


def test_deleting_the_account_asks_for_the_password_and_a_confirmation(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "leaving@example.org")
    settings(page)
    page.get_by_role("button", name="Delete my account").click()
    page.locator("#settings-delete-password-error").get_by_text("Enter your password").wait_for()
    page.get_by_label("Your password", exact=True).fill("wrong password here")
    page.get_by_role("button", name="Delete my account").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Keep my account").click()  # changed their mind
    assert page.get_by_role("dialog").count() == 0
    page.get_by_role("button", name="Delete my account").click()
    dialog.get_by_role("button", name="Delete for good").click()
    page.locator("#settings-delete-password-error").wait_for()  # the server's word, by the field
    assert page.get_by_label("Your password", exact=True).get_attribute("aria-invalid") == "true"
    status, _, _ = server.request(
        "POST", "/api/v1/auth/token", {"email": "leaving@example.org", "password": PASSWORD}
    )
    assert status == 201  # still there

    page.get_by_label("Your password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Delete my account").click()
    dialog.get_by_role("button", name="Delete for good").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    page.get_by_text("Your account and your data are deleted.").wait_for()
    status, _, _ = server.request(
        "POST", "/api/v1/auth/token", {"email": "leaving@example.org", "password": PASSWORD}
    )
    assert status == 401
    assert page.evaluate("localStorage.length + sessionStorage.length") == 0
    assert page.errors == []
    context.close()


def test_signing_out_offline_revokes_the_token_when_back_online(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "offline.out@example.org")
    page.locator("#nav").get_by_role("link", name="More", exact=True).click()
    page.get_by_role("heading", name="More", exact=True).wait_for()
    wait_for_shell(page)
    token = page.evaluate(DEVICE_TOKEN)
    assert token

    context.set_offline(True)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert page.evaluate(DEVICE_TOKEN) is None  # the device is wiped at once
    assert page.evaluate("Object.keys(localStorage)") == ["cadence-revoke"]
    status, _, _ = server.request("GET", "/api/v1/me", token=token)
    assert status == 200  # the server has not heard yet

    context.set_offline(False)  # the `online` event sends the revocation
    assert eventually(
        lambda: server.request("GET", "/api/v1/me", token=token)[0] == 401, timeout=20
    )
    assert eventually(lambda: page.evaluate("localStorage.length") == 0)
    assert page.errors == []
    context.close()


def test_a_revocation_kept_offline_is_sent_when_the_app_next_starts(server, browser):
    context = new_context(browser)
    page = open_app(context, server)
    register(page, "restart.out@example.org")
    wait_for_shell(page)
    token = page.evaluate(DEVICE_TOKEN)
    context.set_offline(True)
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    page.close()

    context.set_offline(False)
    again = open_app(context, server)  # the app opens again, online
    again.get_by_role("heading", name="Sign in").wait_for()
    assert eventually(
        lambda: server.request("GET", "/api/v1/me", token=token)[0] == 401, timeout=20
    )
    context.close()


# The browser's push service never answers: subscribe() stays pending for ever.
PUSH_HANGS = """
Object.defineProperty(ServiceWorkerRegistration.prototype, "pushManager", {
  configurable: true,
  get() {
    return { getSubscription: async () => null, subscribe: () => new Promise(() => {}) };
  },
});
if (!("PushManager" in self)) self.PushManager = function PushManager() {};
"""


def test_turning_on_notifications_gives_up_when_the_push_service_never_answers(server, browser):
    context = new_context(browser)
    context.grant_permissions(["notifications"], origin=server.url)
    context.add_init_script(PUSH_HANGS)
    page = open_app(context, server)
    register(page, "pushy@example.org")
    wait_for_shell(page)
    page.goto(f"{server.url}/#/reminders")
    enable = page.get_by_role("button", name="Turn on notifications")
    enable.click()
    page.get_by_text("Turning on notifications").wait_for()
    assert enable.is_disabled()
    page.get_by_text("The browser's notification service did not answer").wait_for(timeout=30_000)
    assert enable.is_enabled()  # free to try again
    page.get_by_text("Notifications are off.").wait_for()
    assert page.errors == []
    context.close()
