import os

import pytest

from tests.conftest import backends, reset_postgres
from tests.servers import CONCURRENT, Server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(params=backends())
def server_database(request, tmp_path):
    """An empty database for a real server: a fresh SQLite file, or a reset PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'cadence.sqlite3'}"
    url = os.environ["TEST_DATABASE_URL"]
    reset_postgres(url)
    return url


@pytest.fixture
def server(server_database):
    server = Server(server_database)
    server.migrate()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def busy_server(server_database):
    """gunicorn with two workers of four threads and no rate limits, for concurrency tests."""
    server = Server(server_database, workers=2, extra_env=CONCURRENT)
    server.migrate()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
