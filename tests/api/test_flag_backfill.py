"""Backfilled history leaves the flags that on-time logging would have left (see
docs/science.md §3.1 and docs/architecture.md §5): one client logs two weeks, stops for 269
days and logs a week, each day on its day with the nightly run every night; another logs the
same days all at once, today."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine

RECENT = date(2027, 3, 8)  # a Monday; the last day of the recent week is "today"
# 269 days without an entry before it; the two weeks before those run Friday to Thursday.
GAP = 269
LAST_OLD = RECENT - timedelta(days=GAP + 1)
OLD = [LAST_OLD - timedelta(days=13 - i) for i in range(14)]
NEW = [RECENT + timedelta(days=i) for i in range(7)]
TODAY = NEW[-1]

# Two work days (a Monday and a Tuesday) off their usual times, with elevated mood around them.
LATE = {"out_of_bed": "10:30", "first_contact": "11:00"}
LATE_DAYS = (OLD[10], OLD[11])
ELEVATED = {OLD[10]: 4, OLD[11]: 4, OLD[12]: 3}


def activities(day: date) -> dict:
    work = day.weekday() < 5
    times = {
        "out_of_bed": "07:00" if work else "09:00",
        "first_contact": "07:30" if work else "09:30",
        "dinner": "19:00",
        "to_bed": "23:00",
    }
    if work:
        times["start_work"] = "09:00"
    if day in LATE_DAYS:
        times.update(LATE)
    return {code: {"time": t} for code, t in times.items()}


def put(client, account, day: date) -> None:
    response = client.put(
        f"/api/v1/entries/{day}",
        json={"timezone": "UTC", "mood": ELEVATED.get(day, 0), "activities": activities(day)},
        headers=account.headers,
    )
    assert response.status_code == 201, response.json


def flags(client, account) -> list[dict]:
    response = client.get("/api/v1/flags", headers=account.headers)
    assert response.status_code == 200
    return response.json["flags"]


def comparable(found: list[dict]) -> list[tuple]:
    keys = ("rule", "window_start", "window_end", "severity", "status", "explained_by")
    return sorted((*(f[k] for k in keys), repr(sorted(f["evidence"].items()))) for f in found)


def at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def nightly(app, today: date) -> None:
    from api import db
    from api.services import flagging

    with app.app_context():
        flagging.nightly(db.session(), today)


@pytest.fixture
def clock():
    with time_machine.travel(at(OLD[0], 8), tick=True) as traveller:
        yield traveller


def test_a_backfill_leaves_the_flags_of_on_time_logging(app, client, accounts, clock):
    on_time, backfill = accounts.client_account(), accounts.client_account()

    # On time: each day written on its evening, the queue drained as the next read would,
    # and the nightly run every morning in between.
    day = OLD[0]
    while day <= TODAY:
        clock.move_to(at(day, 3))
        nightly(app, day)
        if day in OLD or day in NEW:
            clock.move_to(at(day, 21))
            if day in (OLD[0], NEW[0]):
                on_time.token = accounts.sign_in(on_time.email)  # tokens last 14 days
            put(client, on_time, day)
            flags(client, on_time)
        day += timedelta(days=1)

    # Backfilled: the same days written today, the old ones first.
    backfill.token = accounts.sign_in(backfill.email)
    for day in OLD:
        put(client, backfill, day)
    flags(client, backfill)
    for day in NEW:
        put(client, backfill, day)
    found = flags(client, backfill)

    assert comparable(found) == comparable(flags(client, on_time))
    by_rule = {f["rule"]: f for f in found}
    assert {"wake_shift", "mood", "missing_entries"} <= set(by_rule)
    gap = by_rule["missing_entries"]
    # The whole gap, counted from the last entry before it however long ago.
    assert (gap["window_start"], gap["window_end"]) == (
        (LAST_OLD + timedelta(days=1)).isoformat(),
        (RECENT - timedelta(days=1)).isoformat(),
    )
    assert gap["evidence"] == {"days_missing": GAP, "last_entry_before": LAST_OLD.isoformat()}
    assert by_rule["mood"]["severity"] == "high"  # it coincided with the wake shift


def test_a_write_far_back_reaches_today(app, client, accounts, clock):
    clock.move_to(at(TODAY, 12))
    alice = accounts.client_account()
    put(client, alice, LAST_OLD)
    (gap,) = [f for f in flags(client, alice) if f["rule"] == "missing_entries"]
    # Not five weeks after the day written: the open run of missing days runs to today.
    assert (gap["window_start"], gap["window_end"]) == (
        (LAST_OLD + timedelta(days=1)).isoformat(),
        TODAY.isoformat(),
    )
    assert gap["evidence"]["days_missing"] == GAP + 7
