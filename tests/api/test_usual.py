"""GET /usual: each anchor's usual time per day, the flags' own (docs/science.md §3.1), for the
client and their linked clinician; nobody else's."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from tests.api.care import link
from tests.api.diaries import log_week

FIRST = date(2026, 8, 31)  # a Monday
LAST = FIRST + timedelta(weeks=4)
WEEK = f"from={LAST}&to={LAST + timedelta(days=6)}"
WORK_FREE = {
    "out_of_bed": ["07:00"] * 5 + ["09:30"] * 2,
    "start_work": ["09:00"] * 5 + [None] * 2,
    "to_bed": ["23:00"] * 4 + ["00:30"] * 2 + ["23:00"],  # late before free days
}
# The last week: up at a free day's time on Tuesday and Wednesday, and late at the weekend.
SHIFTED = {
    **WORK_FREE,
    "out_of_bed": ["07:00", "09:30", "09:30", "07:00", "07:00", "12:00", "12:00"],
}


@pytest.fixture
def alice(client, accounts):
    alice = accounts.client_account()
    for w in range(4):
        log_week(client, alice, FIRST + timedelta(weeks=w), WORK_FREE)
    log_week(client, alice, LAST, SHIFTED)
    return alice


def usual(client, account, path="/api/v1/usual", query=WEEK) -> dict:
    response = client.get(f"{path}?{query}", headers=account.headers)
    assert response.status_code == 200, response.json
    return response.json


def test_each_day_has_the_usual_time_of_its_own_kind_of_day(client, alice):
    body = usual(client, alice)
    assert body["settings"] == {"shift_minutes": 120, "baseline_days": 28, "baseline_min_values": 3}
    days = {d["date"]: d["usual"] for d in body["days"]}
    assert len(days) == 7
    monday, tuesday, saturday = (days[str(LAST + timedelta(days=i))] for i in (0, 1, 5))
    assert monday["out_of_bed"] == {
        "minutes": 420,
        "time": "07:00",
        "basis": "habitual_work",
        "deviation_minutes": 0,
    }
    assert (tuesday["out_of_bed"]["basis"], tuesday["out_of_bed"]["deviation_minutes"]) == (
        "habitual_work",
        150,
    )
    assert (saturday["out_of_bed"]["time"], saturday["out_of_bed"]["basis"]) == (
        "09:30",
        "habitual_free",
    )
    assert saturday["out_of_bed"]["deviation_minutes"] == 150
    # Friday's bedtime after midnight belongs with the free nights.
    friday = days[str(LAST + timedelta(days=4))]["to_bed"]
    assert (friday["time"], friday["basis"], friday["deviation_minutes"]) == (
        "00:30",
        "habitual_free",
        0,
    )


def test_the_days_beyond_the_threshold_are_the_days_the_wake_shift_flag_lists(client, alice):
    body = usual(client, alice)
    beyond = {
        d["date"]
        for d in body["days"]
        if abs(d["usual"]["out_of_bed"]["deviation_minutes"]) > body["settings"]["shift_minutes"]
    }
    flags = client.get("/api/v1/flags", headers=alice.headers).json["flags"]
    wake = [f for f in flags if f["rule"] == "wake_shift"]
    assert len(wake) == 2  # Tuesday and Wednesday; the weekend
    listed = {item["date"]: item for flag in wake for item in flag["evidence"]["days"]}
    assert set(listed) == beyond == {str(LAST + timedelta(days=i)) for i in (1, 2, 5, 6)}
    by_date = {d["date"]: d["usual"]["out_of_bed"] for d in body["days"]}
    for day, item in listed.items():
        assert by_date[day]["time"] == item["habitual"]
        assert by_date[day]["deviation_minutes"] == item["deviation_minutes"]


def test_the_clinician_reads_the_same_with_the_clients_settings_and_targets(
    client, accounts, alice
):
    doctor = accounts.staff("clinician")
    link(client, doctor, alice)
    twin = f"/api/v1/clients/{alice.id}"
    assert usual(client, doctor, f"{twin}/usual") == usual(client, alice)
    saved = client.put(
        f"{twin}/flag-settings", json={"overrides": {"shift_minutes": 200}}, headers=doctor.headers
    )
    assert saved.status_code == 200, saved.json
    target = client.put(
        f"{twin}/targets",
        json={"targets": {"out_of_bed": {"time": "07:30"}}},
        headers=doctor.headers,
    )
    assert target.status_code == 200, target.json
    body = usual(client, doctor, f"{twin}/usual")
    assert body["settings"]["shift_minutes"] == 200
    saturday = body["days"][5]["usual"]["out_of_bed"]
    assert saturday == {
        "minutes": 450,
        "time": "07:30",
        "basis": "target",
        "deviation_minutes": 270,
    }
    assert body == usual(client, alice)


def test_no_history_no_usual_time_and_unlogged_days_are_left_out(client, alice):
    first_week = f"from={FIRST}&to={FIRST + timedelta(days=9)}"
    days = {d["date"]: d["usual"] for d in usual(client, alice, query=first_week)["days"]}
    assert len(days) == 10
    # The first three work days have fewer than three work days before them.
    assert [("out_of_bed" in days[str(FIRST + timedelta(days=i))]) for i in range(5)] == [
        False,
        False,
        False,
        True,
        True,
    ]
    later = f"from={LAST + timedelta(days=6)}&to={LAST + timedelta(days=20)}"
    assert [d["date"] for d in usual(client, alice, query=later)["days"]] == [
        str(LAST + timedelta(days=6))
    ]


def test_nobody_else_reads_it_and_bad_ranges_are_named(client, accounts, alice):
    stranger = accounts.staff("clinician")
    other = accounts.client_account()
    for who in (stranger, other):
        response = client.get(f"/api/v1/clients/{alice.id}/usual?{WEEK}", headers=who.headers)
        assert response.status_code == 404, response.json
        assert "07:00" not in response.get_data(as_text=True)
    assert client.get(f"/api/v1/usual?{WEEK}").status_code == 401
    backwards = client.get(f"/api/v1/usual?from={LAST}&to={FIRST}", headers=alice.headers)
    assert backwards.status_code == 422 and "from" in backwards.json["errors"]
    garbage = client.get("/api/v1/usual?from=yesterday", headers=alice.headers)
    assert garbage.status_code == 422 and "from" in garbage.json["errors"]


def test_the_session_reports_grid_carries_the_same_usual_times(client, accounts, alice):
    doctor = accounts.staff("clinician")
    link(client, doctor, alice)
    expected = {d["date"]: d["usual"] for d in usual(client, alice)["days"]}
    # The Wednesday after the shifted week: that week is the last complete one.
    with time_machine.travel(datetime.combine(LAST + timedelta(days=9), datetime.min.time(), UTC)):
        response = client.get(
            f"/api/v1/clients/{alice.id}/report?weeks=4&format=json", headers=doctor.headers
        )
    assert response.status_code == 200, response.json
    grid = response.json["last_week"]
    assert grid["start"] == str(LAST)
    anchors = {a["activity"]: a for a in grid["anchors"]}
    for code in ("out_of_bed", "start_work", "to_bed"):
        assert anchors[code]["usual"] == [expected[day].get(code) for day in grid["days"]], code
    tuesday = anchors["out_of_bed"]["usual"][1]
    assert (tuesday["time"], tuesday["basis"], tuesday["deviation_minutes"]) == (
        "07:00",
        "habitual_work",
        150,
    )
    assert anchors["start_work"]["usual"][5] is None  # no free day ever started work
