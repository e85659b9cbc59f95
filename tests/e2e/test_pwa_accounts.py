"""The account mail in the PWA: a new person registers, follows the verification link from a
mail received by a real SMTP server, then resets a forgotten password through the same way."""

from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import new_context, open_app, register
from tests.servers import Server

EMAIL = "robin.new@example.org"
NEW_PASSWORD = "lantern orchard velvet"


@pytest.fixture
def mailing_server(server_database, smtp):
    server = Server(server_database, extra_env={"CADENCE_SMTP_URL": smtp.url})
    server.env["CADENCE_PUBLIC_URL"] = server.url  # links in mail open this server's PWA
    server.migrate()
    server.start()
    yield server
    server.stop()


def link_in_last_mail(smtp, route: str) -> str:
    body = smtp.received[-1].message.get_content()
    [link] = re.findall(rf"(http://127\.0\.0\.1:\d+/#/{route}\?token=\S+)", body)
    return link


def test_register_verify_then_reset_a_forgotten_password_in_the_app(mailing_server, smtp, browser):
    phone = new_context(browser)
    page = open_app(phone, mailing_server)
    register(page, EMAIL)  # the app tells the person a link is on its way

    mailing_server.run_scheduler_once()
    assert smtp.received[-1].rcpt_tos == [EMAIL]
    page.goto(link_in_last_mail(smtp, "verify"))
    page.get_by_text("Your address is verified.").wait_for()
    assert page.errors == []

    other = new_context(browser)
    lost = open_app(other, mailing_server)
    lost.get_by_role("link", name="Forgot your password?").click()
    lost.get_by_label("Email").fill(EMAIL)
    lost.get_by_role("button", name="Send me a link").click()
    lost.get_by_role("status").get_by_text("If this address has an account").wait_for()

    mailing_server.run_scheduler_once()
    lost.goto(link_in_last_mail(smtp, "reset"))
    lost.get_by_label("New password").fill("password123")
    lost.get_by_role("button", name="Set new password").click()
    lost.get_by_text("common password").wait_for()  # the rules, in words that say what to do
    lost.get_by_label("New password").fill(NEW_PASSWORD)
    lost.get_by_role("button", name="Set new password").click()
    lost.get_by_text("Your password is changed").wait_for()

    status, _, _ = mailing_server.request(
        "POST", "/api/v1/auth/token", {"email": EMAIL, "password": PASSWORD}
    )
    assert status == 401
    status, body, _ = mailing_server.request(
        "POST", "/api/v1/auth/token", {"email": EMAIL, "password": NEW_PASSWORD}
    )
    assert status == 201
    assert body["user"]["email_verified"] is True
    assert lost.errors == []
    phone.close()
    other.close()
