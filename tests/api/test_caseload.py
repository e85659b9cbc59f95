from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from api.db import utcnow
from api.services.scoring import monday_of
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.api.test_flags import ELEVATED, WILD


@contextmanager
def counting(app):
    statements = []
    engine = app.extensions["cadence.engine"]

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def doctor(accounts):
    return accounts.staff("clinician")


def weeks_back(n):
    # Read the clock at call time, not import time: the suite may run with a travelled clock.
    return monday_of(utcnow().date()) - timedelta(weeks=n)


# A Tuesday: last week's diaries end two days before today, so a steady client has no gap that
# the missing-entries rule (3 days) would flag; later in the week it would.
@time_machine.travel(datetime(2026, 11, 24, 9, tzinfo=UTC), tick=True)
def test_caseload_ranks_by_risk(client, accounts, doctor):
    steady_client = accounts.client_account(display_name="Steady")
    drifting = accounts.client_account(display_name="Drifting")
    silent = accounts.client_account(display_name="Silent")
    unlinked = accounts.client_account(display_name="Not mine")
    for patient in (steady_client, drifting, silent):
        link(client, doctor, patient)
    for n in range(5, 0, -1):
        log_week(client, steady_client, weeks_back(n), steady())
        log_week(
            client,
            drifting,
            weeks_back(n),
            WILD if n == 1 else steady(),
            moods=ELEVATED if n == 1 else None,
        )
    log_week(client, silent, weeks_back(5), steady())
    log_week(client, unlinked, weeks_back(1), steady())

    response = client.get("/api/v1/clinician/caseload", headers=doctor.headers)
    assert response.status_code == 200
    rows = response.json["clients"]
    assert [r["client"]["display_name"] for r in rows] == ["Drifting", "Silent", "Steady"]
    drift = rows[0]
    assert drift["open_flags"]["high"] >= 1  # elevated mood with disrupted rhythm
    assert [w["start"] for w in drift["srm_trend"]] == [
        weeks_back(n).isoformat() for n in (4, 3, 2, 1)
    ]
    assert drift["latest_week"]["srm"] < 7.0 and drift["srm_change"] < 0
    assert rows[1]["days_since_last_entry"] > 20
    assert rows[2]["srm_change"] == 0 and rows[2]["open_flags"] == {
        "high": 0,
        "medium": 0,
        "low": 0,
    }
    assert response.json["total"] == 3


def test_caseload_pages_and_validates(client, accounts, doctor):
    for _ in range(3):
        link(client, doctor, accounts.client_account())
    page = client.get("/api/v1/clinician/caseload?page=2&page_size=2", headers=doctor.headers)
    assert page.json["total"] == 3 and page.json["pages"] == 2 and len(page.json["clients"]) == 1
    bad = client.get("/api/v1/clinician/caseload?page=0&page_size=500", headers=doctor.headers)
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"page", "page_size"}
    patient = accounts.client_account()
    assert client.get("/api/v1/clinician/caseload", headers=patient.headers).status_code == 403


def test_caseload_uses_a_fixed_number_of_queries(app, client, accounts, doctor):
    def grow_to(n):
        while len(client.get("/api/v1/care/links", headers=doctor.headers).json["links"]) < n:
            patient = accounts.client_account()
            link(client, doctor, patient)
            log_week(client, patient, weeks_back(1), steady())

    counts = {}
    for size in (2, 12):
        grow_to(size)
        # The first read evaluates the queued diary writes (work that grows with the writes,
        # not with the caseload); the steady state is what must not grow.
        client.get("/api/v1/clinician/caseload", headers=doctor.headers)
        with counting(app) as statements:
            response = client.get("/api/v1/clinician/caseload", headers=doctor.headers)
        assert response.json["total"] == size
        counts[size] = len(statements)
    assert counts[2] == counts[12]
    assert counts[12] <= 11  # with the latest scale bands, one statement for all rows
