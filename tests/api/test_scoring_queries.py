"""Weekly scoring reads many clients in a fixed, small number of SQL statements."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa

from api.db import session
from api.models import Target, User
from api.services.scoring import load_diaries, weekly_for_clients
from tests.bench.data import Dataset, populate

WEEKS = 3
STATEMENTS = 1  # diary rows and targets travel in one statement


@contextmanager
def statements(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement sent to the database inside the block."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def score(app, data: Dataset) -> tuple[dict, list[str]]:
    """Score the dataset's clients as a request would: one session, users loaded first."""
    with app.app_context():
        db_session = session()
        clients = db_session.scalars(sa.select(User).where(User.id.in_(data.client_ids))).all()
        with statements(app.extensions["cadence.engine"]) as seen:
            reports = weekly_for_clients(db_session, clients, data.first_monday, data.last_monday)
    return reports, seen


@pytest.fixture
def few_and_many(app) -> tuple[Dataset, Dataset]:
    engine = app.extensions["cadence.engine"]
    few = populate(engine, 3, WEEKS, regular=1, label="few")
    many = populate(engine, 30, WEEKS, regular=1, label="many")
    return few, many


def test_statement_count_does_not_grow_with_clients(app, few_and_many):
    few, many = few_and_many
    # Warm up first: the first use of a fresh engine may add connection set-up statements.
    score(app, few)
    few_reports, few_statements = score(app, few)
    many_reports, many_statements = score(app, many)

    assert len(few_reports) == 3 and len(many_reports) == 30
    assert len(many_statements) == len(few_statements), many_statements
    assert len(many_statements) == STATEMENTS, many_statements
    assert sum("diary_entries" in s for s in many_statements) == 1, many_statements


def test_batched_scores_are_real(app, few_and_many):
    _, many = few_and_many
    reports, _ = score(app, many)
    mondays = [many.first_monday + timedelta(weeks=i) for i in range(WEEKS)]

    assert set(reports) == set(many.client_ids)
    for client_reports in reports.values():
        assert [r.start for r in client_reports] == mondays
        assert all(r.srm is None or 0 <= r.srm <= 7 for r in client_reports)

    regular = reports[many.client_ids[0]]
    assert [r.srm for r in regular] == [7.0] * WEEKS
    assert [r.srm5 for r in regular] == [7.0] * WEEKS
    assert all(r.days_logged == 7 and r.completeness == 1.0 for r in regular)
    assert all(r.sleep["nights"] == 7 for r in regular)  # the Sunday before lends a bedtime

    # The generated diaries jitter, so most irregular weeks miss some anchors.
    irregular = [r.srm for cid in many.client_ids[1:] for r in reports[cid]]
    assert sum(srm is not None and srm < 7 for srm in irregular) > len(irregular) // 2


def test_batched_scores_match_scoring_each_client_alone(app, few_and_many):
    _, many = few_and_many
    together, _ = score(app, many)
    for client_id in many.client_ids[:4]:
        alone, _ = score(app, Dataset([client_id], many.first_monday, many.last_monday, 0, 0))
        assert alone[client_id] == together[client_id]


def test_targets_travel_with_the_diary_rows(app, few_and_many):
    """Targets come back for clients with and without diary days in the range, and only theirs."""
    few, _ = few_and_many
    logged, other = few.client_ids[:2]
    engine = app.extensions["cadence.engine"]
    with engine.begin() as connection:
        connection.execute(
            sa.insert(Target),
            [
                {"client_id": logged, "activity": "out_of_bed", "minutes": 420},
                {"client_id": logged, "activity": "to_bed", "minutes": 1410},
                {"client_id": other, "activity": "dinner", "minutes": 1110},
            ],
        )
    long_before = few.first_monday - timedelta(weeks=52)
    with app.app_context():
        in_range = load_diaries(session(), [logged], few.first_monday, few.last_monday)
        no_days = load_diaries(session(), [logged, other], long_before, long_before)

    assert in_range.targets == {logged: {"out_of_bed": 420, "to_bed": 1410}}
    assert len(in_range.days[logged]) == WEEKS * 7 - 6  # first Monday to last Monday
    assert no_days.days == {}
    assert no_days.targets == {logged: {"out_of_bed": 420, "to_bed": 1410}, other: {"dinner": 1110}}
