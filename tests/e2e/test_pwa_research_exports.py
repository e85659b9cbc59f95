"""The researcher's study page in the PWA: an export started there waits for the worker, shows
its rows written while a real scheduler process writes it, and downloads as a zip; the
coverage panel shows labels and day counts; a new consent version reaches a participant, who
agrees to it in the app."""

import io
import re
import signal
import subprocess
import time as time_module
import zipfile
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from api.db import make_engine
from api.models import StudyParticipant
from api.services import deid, push
from tests.bench.data import populate
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
from tests.servers import BIN, ROOT, Server

RESEARCHER = "researcher@example.org"
CLIENT = "participant@example.org"
# Enough rows that writing the package takes seconds, so the page shows it under way.
CLIENTS = 800


@pytest.fixture
def server(server_database, tmp_path):
    server = Server(server_database, extra_env={"CADENCE_EXPORT_DIR": str(tmp_path / "exports")})
    server.migrate()
    server.start()
    yield server
    server.stop()


def _worker(server, tmp_path) -> subprocess.Popen:
    private, _public = push.generate_pair()
    env = {
        **server.env,
        "CADENCE_VAPID_PRIVATE_KEY": private,
        "CADENCE_SCHEDULER_TICK_SECONDS": "1",
    }
    log = (tmp_path / "worker.log").open("wb")
    return subprocess.Popen(
        [BIN / "flask", "--app", "wsgi", "scheduler", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def _create_study(page, name: str, version: str = "1") -> int:
    page.get_by_text("Create a study").click()
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Consent version").fill(version)
    page.get_by_label("Consent text").fill("Your diary times and mood, without your name.")
    page.get_by_role("button", name="Create study").click()
    page.get_by_role("heading", name=name).wait_for()
    return int(page.locator("article.study").first.get_attribute("data-study"))


def _participants(server, study_id: int, clients: int) -> None:
    """Seeded clients with eleven weeks of diary who joined the study before they began."""
    engine = make_engine(server.database_url)
    try:
        today = datetime.now(UTC).date()
        monday = today - timedelta(days=today.weekday(), weeks=15)
        data = populate(engine, clients, 11, first_monday=monday, seed=5, label="pwa")
        joined = datetime.combine(monday - timedelta(days=7), time(8), tzinfo=UTC)
        pseudonyms: set[str] = set()
        while len(pseudonyms) < clients:
            pseudonyms.add(deid.new_pseudonym())
        with engine.begin() as connection:
            connection.execute(
                sa.insert(StudyParticipant),
                [
                    {
                        "study_id": study_id,
                        "client_id": client_id,
                        "pseudonym": pseudonym,
                        "shift_weeks": deid.new_shift_weeks(),
                        "consent_version": "1",
                        "joined_at": joined,
                    }
                    for client_id, pseudonym in zip(
                        data.client_ids, sorted(pseudonyms), strict=True
                    )
                ],
            )
    finally:
        engine.dispose()


def _job_texts_until_ready(job, timeout: float) -> list[str]:
    """Every distinct text the job's line showed, polled from here (page.wait_for_function
    cannot poll under the app's CSP), until it says Ready or `timeout` seconds pass."""
    seen: list[str] = []
    deadline = time_module.monotonic() + timeout
    while time_module.monotonic() < deadline:
        text = job.inner_text()
        if not seen or seen[-1] != text:
            seen.append(text)
        if "Ready" in text:
            break
        time_module.sleep(0.1)
    return seen


def test_researcher_starts_an_export_sees_it_written_and_downloads_it(server, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    create_staff(server, RESEARCHER, "researcher")
    lab = new_context(browser, accept_downloads=True)
    res = open_app(lab, server)
    sign_in_staff(res, RESEARCHER, "Studies")
    study_id = _create_study(res, "Sleep and routine")
    _participants(server, study_id, CLIENTS)
    res.reload()
    card = res.locator(f'article.study[data-study="{study_id}"]')
    exports = card.locator('[data-panel="exports"]')
    exports.get_by_text("How an export is de-identified").wait_for()

    exports.get_by_label("Format").select_option("both")
    exports.get_by_role("button", name="Start export").click()
    job = exports.locator("li.export-job").first
    job.get_by_text("Waiting for the export worker").wait_for()  # no worker yet: queued
    worker = _worker(server, tmp_path)
    try:
        # The page polls the job every 2 s: rows written show while the worker writes (if the
        # writing outlasts a poll: on an idle machine it may not), then the count and the button.
        seen = _job_texts_until_ready(job, timeout=90)
        assert "Ready" in seen[-1], seen
        # Whatever it showed on the way was the queue or the progress, never a failure.
        assert all(re.search(r"Waiting for|rows written so far|Ready", t) for t in seen), seen
        written = re.search(r"([\d,]+) rows, ", seen[-1])
        assert written and int(written.group(1).replace(",", "")) > 0, seen[-1]
        res.screenshot(path=ARTIFACTS / "pwa-research-export-done-rows-360.png", full_page=True)
        found = {"export done": axe_violations(res)}
        with res.expect_download() as info:
            job.get_by_role("button", name="Download").click()
        with open(info.value.path(), "rb") as handle:
            data = handle.read()
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert {"datapackage.json", "events.csv", "events.parquet"} <= set(names)
        job.get_by_text("Downloaded").wait_for()
        assert no_overflow(res)
        res.screenshot(path=ARTIFACTS / "pwa-research-export-done-360.png", full_page=True)

        # Coverage: totals and one row per participant, by label, without dates.
        card.get_by_text("Data coverage").click()
        totals = card.locator('[data-coverage="totals"]')
        totals.wait_for()
        assert f"{CLIENTS} consenting" in totals.inner_text()
        first = card.locator("table.coverage tbody tr").first
        assert first.get_attribute("data-label").startswith("C")
        table = card.locator("table.coverage").inner_text()
        assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2}", table)
        assert res.errors == []
        assert {screen: v for screen, v in found.items() if v} == {}
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        lab.close()
    assert worker.returncode == 0, (tmp_path / "worker.log").read_text()


def test_a_new_consent_version_is_offered_to_the_participant(server, browser):
    create_staff(server, RESEARCHER, "researcher")
    lab = new_context(browser)
    res = open_app(lab, server)
    sign_in_staff(res, RESEARCHER, "Studies")
    study_id = _create_study(res, "Mood and meals", version="1.0")
    code = res.locator("article.study .code[data-code]").get_attribute("data-code")

    phone = new_context(browser)
    me = open_app(phone, server)
    register(me, CLIENT)
    log_day(me, days_ago(1), {"out_of_bed": "07:00", "to_bed": "23:00"}, mood=0)
    server.verify_emails(CLIENT)
    status, body, _ = server.request(
        "POST",
        "/api/v1/studies/join",
        {"code": code, "consent_version": "1.0"},
        token=api_token(server, CLIENT),
    )
    assert status == 201, body

    card = res.locator(f'article.study[data-study="{study_id}"]')
    card.get_by_text("Consent versions").click()
    panel = card.locator('[data-panel="consent"]')
    panel.get_by_label("New consent version").fill("2.0")
    panel.get_by_label("New consent text").fill("Your diary, mood and now your sleep.")
    panel.get_by_role("button", name="Publish the new consent").click()
    current = panel.locator('li[data-version="2.0"]')
    current.get_by_text("current").wait_for()
    assert "0 consenting" in current.inner_text()
    found = {"consent versions": axe_violations(res)}

    go(me, "More", "Research studies", via="Research studies")
    item = me.locator(f'li[data-study="{study_id}"]')
    item.get_by_text("New consent to review").wait_for()
    item.get_by_text("Read the new consent text", exact=True).click()
    item.get_by_text("now your sleep").wait_for()
    found["reconsent"] = axe_violations(me)
    item.get_by_role("button", name="Agree to the new consent").click()
    item.get_by_text("Tick the box to agree").wait_for()  # not without the tick
    item.get_by_label("I have read the new consent text and I agree to it.").check()
    item.get_by_role("button", name="Agree to the new consent").click()
    item.get_by_text(re.compile(r"· consent version 2\.0$")).wait_for()
    assert item.get_by_text("New consent to review").count() == 0

    res.reload()
    card.get_by_text("Consent versions").click()
    card.locator('li[data-version="2.0"]').get_by_text("1 consenting").wait_for()
    assert {screen: v for screen, v in found.items() if v} == {}
    assert res.errors == [] and me.errors == []
    lab.close()
    phone.close()
