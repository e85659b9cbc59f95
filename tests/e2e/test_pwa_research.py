"""Research in the PWA: a researcher creates a study and sees its join code; a client who joined
sees the study and can withdraw; the researcher's counts follow and an export of the small study
is queued only with the override."""

from tests.e2e.pwa_helpers import (
    ARTIFACTS,
    api_token,
    axe_violations,
    create_staff,
    days_ago,
    go,
    log_day,
    new_context,
    no_overflow,
    open_app,
    register,
    sign_in_staff,
)

RESEARCHER = "researcher@example.org"
CLIENT = "participant@example.org"


def counts(page):
    card = page.locator("article.study").first
    card.locator('[data-count="consenting"]').wait_for()
    return (
        card.locator('[data-count="consenting"]').inner_text(),
        card.locator('[data-count="withdrawn"]').inner_text(),
    )


def test_study_create_join_export_and_withdraw(server, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    create_staff(server, RESEARCHER, "researcher")
    lab = new_context(browser)
    res = open_app(lab, server)
    sign_in_staff(res, RESEARCHER, "Studies")
    res.get_by_text("No studies yet.").wait_for()
    res.get_by_text("Create a study").click()
    res.get_by_label("Name", exact=True).fill("Sleep and routine")
    res.get_by_label("Consent version").fill("1.0")
    res.get_by_label("Consent text").fill("Your diary times and mood, without your name, are used.")
    res.get_by_role("button", name="Create study").click()
    res.get_by_role("heading", name="Sleep and routine").wait_for()
    code = res.locator("article.study .code[data-code]").get_attribute("data-code")
    assert counts(res) == ("0 consenting", "0 withdrawn")
    assert no_overflow(res)
    res.screenshot(path=ARTIFACTS / "pwa-studies-360.png", full_page=True)
    found = {"Studies (researcher)": axe_violations(res)}

    phone = new_context(browser)
    me = open_app(phone, server)
    register(me, CLIENT)
    log_day(me, days_ago(1), {"out_of_bed": "07:00", "to_bed": "23:00"}, mood=0)
    server.verify_emails(CLIENT)  # joining a study needs a verified address
    # Joining happens with the consent version the client agreed to.
    status, body, _ = server.request(
        "POST",
        "/api/v1/studies/join",
        {"code": code, "consent_version": "1.0"},
        token=api_token(server, CLIENT),
    )
    assert status == 201, body
    go(me, "More", "Research studies", via="Research studies")
    me.locator("li[data-study]").get_by_text("Sleep and routine").wait_for()
    found["Studies (client)"] = axe_violations(me)

    res.reload()
    assert counts(res) == ("1 consenting", "0 withdrawn")
    # An export is a background job (tests/e2e/test_pwa_research_exports.py runs one through):
    # one participant is under the minimum, so it starts only with the recorded override.
    exports = res.locator('[data-panel="exports"]')
    exports.get_by_role("button", name="Start export").click()
    exports.get_by_text("needs at least 5").wait_for()
    exports.get_by_label("Export it anyway").check()
    exports.get_by_role("button", name="Start export").click()
    exports.get_by_text("Waiting for the export worker").wait_for()

    me.get_by_role("button", name="Withdraw from Sleep and routine").click()
    me.get_by_role("dialog").get_by_role("button", name="Withdraw", exact=True).click()
    me.get_by_text("You are not taking part in any study.").wait_for()
    res.reload()
    assert counts(res) == ("0 consenting", "1 withdrawn")

    assert {screen: v for screen, v in found.items() if v} == {}
    assert res.errors == [] and me.errors == []
    lab.close()
    phone.close()
