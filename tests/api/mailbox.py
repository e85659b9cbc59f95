"""Account mail in the tests: an app that sends to a real SMTP server on loopback, delivery by
the scheduler's own `mail.send_due`, and the token read back out of the received message."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from api import create_app, db
from api.config import config_for_tests
from api.db import utcnow
from api.services import mail

PUBLIC_URL = "https://cadence.example"


@pytest.fixture
def app(database_url, smtp):
    """The app of conftest's `client`, `runner` and `accounts`, mailing to `smtp`."""
    app = create_app(config_for_tests(database_url, smtp_url=smtp.url, public_url=PUBLIC_URL))
    yield app
    app.extensions["cadence.engine"].dispose()


def deliver(app, now=None) -> dict:
    """What the scheduler's mail job does on its tick."""
    with app.app_context():
        return mail.send_due(db.session(), now or utcnow())


def inbox(smtp, to: str) -> list:
    return [r.message for r in smtp.received if to in r.rcpt_tos]


def body(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def token_from(message, route: str) -> str:
    """The token of the one link to the PWA's `route` in a received message."""
    links = re.findall(rf"{re.escape(PUBLIC_URL)}/#/{route}\?token=(\S+)", body(message))
    assert len(links) == 1, body(message)
    return unquote(links[0])
