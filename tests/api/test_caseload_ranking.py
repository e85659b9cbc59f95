"""The caseload ranks risk as a clinician reads it (api/services/caseload.py RANKING): open high
flags, open medium flags, a silence of more than 3 days, then the SRM (a drop above a rise; a
new client, who has no baseline, by their latest SRM against their own threshold)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from api import db
from api.models import User
from api.services import accounts, care, caseload, demo, diary
from tests.api.care import link
from tests.api.diaries import steady
from tests.conftest import PASSWORD

# A Monday with nothing logged yet: the last complete week is 23..29 November, the trend
# 2..29 November. (An unfinished week of a few days would trip srm_drop on some rule versions.)
NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)
TODAY = NOW.date()
TREND_START = date(2026, 11, 2)
LAST_MONDAY = date(2026, 11, 23)

STEADY = {code: times[0] for code, times in steady().items()}
# Dinner 90 minutes late: a week with three such days scores 6.4 instead of 7.0, a change of
# 0.6, below the default srm_drop threshold of 1.0, and no other rule trips.
LATE_DINNER = {**STEADY, "dinner": "20:30"}
# Every anchor 55 minutes either side of its mean on alternate days: no time within 45 minutes
# of the habitual one, so the SRM is near 0, yet no shift (120 min); each bedtime follows the
# next day's rising, so every night lasts 510 minutes.
EARLY = {"out_of_bed": "07:00", "first_contact": "07:30", "dinner": "18:00", "to_bed": "00:20"}
LATE = {"out_of_bed": "08:50", "first_contact": "09:20", "dinner": "19:50", "to_bed": "22:30"}
# Three nights of four hours with mood +4: elevated mood with disrupted sleep, a high flag.
MANIC = {**STEADY, "to_bed": "03:00"}


def log_days(client, account, first: date, last: date, day, mood=lambda d: 0):
    """`day(d)` gives the anchors of date d (clock times), `mood(d)` its mood."""
    d = first
    while d <= last:
        response = client.put(
            f"/api/v1/entries/{d}",
            json={
                "timezone": "UTC",
                "mood": mood(d),
                "activities": {code: {"time": t} for code, t in day(d).items()},
            },
            headers=account.headers,
        )
        assert response.status_code in (200, 201), response.json
        d += timedelta(days=1)


def _in_last_week(d: date, weekdays: set[int]) -> bool:
    return LAST_MONDAY <= d < LAST_MONDAY + timedelta(days=7) and d.weekday() in weekdays


@pytest.fixture
def doctor(client, accounts):
    doctor = accounts.staff("clinician")
    named = client.patch("/api/v1/me", json={"display_name": "Dr Rank"}, headers=doctor.headers)
    assert named.status_code == 200, named.json
    return doctor


def _crafted(client, accounts, doctor) -> dict[str, object]:
    people = {}

    def person(name):
        account = accounts.client_account(display_name=name)
        link(client, doctor, account)
        people[name] = account
        return account

    # New (one complete week) with an open high flag: elevated mood over short nights.
    manic_days = {date(2026, 11, 27), date(2026, 11, 28), date(2026, 11, 29)}
    log_days(
        client,
        person("Hana New High"),
        LAST_MONDAY,
        TODAY - timedelta(days=1),
        lambda d: MANIC if d in manic_days else STEADY,
        mood=lambda d: 4 if d in manic_days else 0,
    )
    # Established; the last complete week as irregular as Lou's: an SRM drop, a medium flag.
    log_days(
        client,
        person("Dara Drop"),
        TREND_START,
        TODAY - timedelta(days=1),
        lambda d: STEADY if not _in_last_week(d, set(range(7))) else (EARLY if d.day % 2 else LATE),
    )
    # Established and steady, but silent since Tuesday: six days without an entry (the last
    # week's two days score no SRM).
    log_days(client, person("Stan Stale"), TREND_START, date(2026, 11, 24), lambda d: STEADY)
    # New, with a very irregular rhythm (SRM near 0) and no medium or high flag.
    log_days(
        client,
        person("Lou New Low"),
        LAST_MONDAY,
        TODAY - timedelta(days=1),
        lambda d: EARLY if d.day % 2 else LATE,
    )
    # Established, a drop of 0.6: below the threshold, so no flag; ranks by the change.
    log_days(
        client,
        person("Esme Small Drop"),
        TREND_START,
        TODAY - timedelta(days=1),
        lambda d: LATE_DINNER if _in_last_week(d, {0, 2, 4}) else STEADY,
    )
    # Established and steady.
    log_days(client, person("Sol Steady"), TREND_START, TODAY - timedelta(days=1), lambda d: STEADY)
    # Established, a rise of 0.6: irregular dinners before, steady now.
    log_days(
        client,
        person("Rue Rise"),
        TREND_START,
        TODAY - timedelta(days=1),
        lambda d: LATE_DINNER if d < LAST_MONDAY and d.weekday() in {0, 2, 4} else STEADY,
    )
    # Established; last week Tuesday, Thursday and Saturday are missing: four logged days are
    # too few for the week's SRM to count (week_min_days 5), so no change is read from it.
    gaps = {date(2026, 11, 24), date(2026, 11, 26), date(2026, 11, 28)}
    gil = person("Gil Gaps")
    log_days(client, gil, TREND_START, LAST_MONDAY - timedelta(days=1), lambda d: STEADY)
    for day in sorted({LAST_MONDAY + timedelta(days=i) for i in range(7)} - gaps):
        log_days(client, gil, day, day, lambda d: STEADY)
    return people


@time_machine.travel(NOW, tick=False)
def test_caseload_ranks_flags_then_silence_then_srm(client, accounts, doctor):
    people = _crafted(client, accounts, doctor)
    rue = people["Rue Rise"]
    # Rue's own threshold is 0.5: her rise of 0.6 is beyond it, Esme's drop of 0.6 is not.
    put = client.put(
        f"/api/v1/clients/{rue.id}/flag-settings",
        json={"overrides": {"srm_drop": 0.5}},
        headers=doctor.headers,
    )
    assert put.status_code == 200, put.json
    # The clinician acknowledges one of Lou's low flags.
    lou = people["Lou New Low"]
    lou_flags = client.get(f"/api/v1/clients/{lou.id}/flags", headers=doctor.headers).json["flags"]
    low = next(f for f in lou_flags if f["severity"] == "low")
    acked = client.post(
        f"/api/v1/clients/{lou.id}/flags/{low['id']}/ack",
        json={"note": "Talked it through."},
        headers=doctor.headers,
    )
    assert acked.status_code == 200, acked.json

    response = client.get("/api/v1/clinician/caseload", headers=doctor.headers)
    assert response.status_code == 200, response.json
    body = response.json
    rows = {r["client"]["display_name"]: r for r in body["clients"]}
    assert [r["client"]["display_name"] for r in body["clients"]] == [
        "Hana New High",
        "Dara Drop",
        "Stan Stale",
        "Lou New Low",
        "Esme Small Drop",
        "Sol Steady",
        "Rue Rise",
        "Gil Gaps",
    ], {name: (r["risk"], r["open_flags"], r["srm_change"]) for name, r in rows.items()}
    assert [rows[n]["risk"] for n in rows] == [
        "high_flags",
        "medium_flags",
        "stale",
        "low_srm",
        "steady",
        "steady",
        "steady",
        "steady",
    ]
    assert body["stale_after_days"] == 3 and len(body["ranking"]) == 5

    hana = rows["Hana New High"]
    assert hana["new_client"] and hana["srm_change"] is None and hana["srm_baseline"] is None
    assert hana["open_flags"]["high"] >= 1
    assert hana["latest_week"]["srm"] is not None

    dara = rows["Dara Drop"]
    assert not dara["new_client"] and dara["srm_change"] <= -1.0
    assert dara["change_beyond_threshold"] and dara["open_flags"]["high"] == 0

    stan = rows["Stan Stale"]
    assert stan["stale"] and stan["days_since_last_entry"] == 6
    assert stan["completeness"] == {
        "logged_days": 2,
        "days": 7,
        "from": "2026-11-23",
        "to": "2026-11-29",
    }
    assert stan["latest_mood"] == {"day": "2026-11-24", "mood": 0}

    esme = rows["Esme Small Drop"]
    assert esme["srm_change"] == -0.6 and esme["srm_threshold"] == 1.0
    assert not esme["change_beyond_threshold"]
    assert esme["latest_week"]["srm"] == 6.4  # rounded for display

    rue_row = rows["Rue Rise"]
    assert rue_row["srm_change"] == 0.6 and rue_row["srm_threshold"] == 0.5
    assert rue_row["change_beyond_threshold"]

    sol = rows["Sol Steady"]
    assert sol["srm_change"] == 0 and not sol["stale"] and not sol["new_client"]
    assert sol["latest_mood"] == {"day": "2026-11-29", "mood": 0}
    assert sol["latest_sleep"] == {"day": "2026-11-29", "duration_minutes": 480}
    assert sol["completeness"]["logged_days"] == 7
    assert sol["acknowledged"] == {"count": 0, "latest": None}

    gil_row = rows["Gil Gaps"]
    assert gil_row["latest_week"]["days_logged"] == 4 and gil_row["latest_week"]["srm"] == 4.0
    assert gil_row["srm_change"] is None and not gil_row["new_client"]
    assert not gil_row["change_beyond_threshold"] and not gil_row["stale"]

    lou_row = rows["Lou New Low"]
    assert lou_row["new_client"] and lou_row["latest_week"]["srm"] < 2.0
    assert lou_row["open_flags"]["medium"] == 0 and lou_row["open_flags"]["high"] == 0
    latest = lou_row["acknowledged"]["latest"]
    assert lou_row["acknowledged"]["count"] == 1
    assert latest["flag_id"] == low["id"] and latest["rule"] == low["rule"]
    assert latest["by"] == {"id": doctor.id, "name": "Dr Rank"}
    assert latest["note"] == "Talked it through."


@pytest.mark.parametrize("weekday", range(7))
def test_the_demos_riskiest_client_ranks_first_with_a_new_high_risk_client(app, weekday):
    """The demo seeded on any weekday, with a new client beside it (one week of diary, no SRM
    baseline) whose elevated mood over four-hour nights is a high flag: the two clients with
    high flags lead, and the established clients without one follow."""
    now = datetime(2026, 11, 23, 9, tzinfo=UTC) + timedelta(days=weekday)
    today = now.date()
    with time_machine.travel(now, tick=False), app.app_context():
        session = db.session()
        demo.seed(session, now)
        clinician = session.query(User).filter_by(email=f"clinician@{demo.DOMAIN}").one()
        newcomer = accounts.create_user(
            session, "newcomer@example.org", PASSWORD, "client", "Nia Newcomer", "UTC", True
        )
        code, _ = care.invite(session, clinician)
        care.redeem(session, newcomer, code)
        first = today - timedelta(days=8)
        for i in range(8):
            day = first + timedelta(days=i)
            manic = i >= 5
            times = {**STEADY, "to_bed": "03:00"} if manic else STEADY
            entry = {
                "timezone": "UTC",
                "mood": 4 if manic else 0,
                "activities": {code: {"time": t} for code, t in times.items()},
            }
            diary.save(session, newcomer, day, entry, now=now)

        rows = caseload.caseload(session, clinician, today, 1, 50)["clients"]
        names = [row["client"].display_name for row in rows]
        flagged = {row["client"].display_name: row["open_flags"]["high"] for row in rows}
        assert flagged["Nia Newcomer"] >= 1 and flagged["Dana Drifting"] >= 1, flagged
        nia = next(row for row in rows if row["client"].display_name == "Nia Newcomer")
        assert nia["new_client"] and nia["srm_change"] is None
        assert set(names[:2]) == {"Dana Drifting", "Nia Newcomer"}, names
        assert rows[0]["open_flags"]["high"] == max(flagged.values())
        # Ties on high flags go to the client with more open medium flags.
        if rows[0]["open_flags"]["high"] == rows[1]["open_flags"]["high"]:
            assert rows[0]["open_flags"]["medium"] >= rows[1]["open_flags"]["medium"]
