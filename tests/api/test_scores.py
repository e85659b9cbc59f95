from datetime import date

import pytest

from api.rhythm.activities import SRM5
from tests.api.care import link
from tests.api.diaries import TV1, log_week, steady

MONDAY = date(2026, 10, 5)


@pytest.fixture
def client_srm5(client, accounts):
    account = accounts.client_account()
    client.patch("/api/v1/me", json={"tracked_activities": list(SRM5)}, headers=account.headers)
    return account


def weekly(client, account, start, end):
    response = client.get(f"/api/v1/scores/weekly?from={start}&to={end}", headers=account.headers)
    assert response.status_code == 200, response.json
    return response.json["scores"]


def test_tv1_week_through_the_api(client, client_srm5):
    log_week(client, client_srm5, MONDAY, TV1)
    (week,) = weekly(client, client_srm5, MONDAY, date(2026, 10, 11))
    assert week["start"] == "2026-10-05" and week["end"] == "2026-10-11"
    assert week["srm"] == pytest.approx(5.2)
    assert week["srm5"] == pytest.approx(5.2)
    assert week["ali"] == 34
    assert week["completeness"] == 1.0
    bed = week["activities"]["to_bed"]
    assert bed["habitual"] == {"minutes": pytest.approx(1402.5), "time": "23:23"}  # 23:22.5
    assert bed["hits"] == 5
    assert week["algorithm_version"]
    assert week["settings"]["window"] == 45
    assert week["zone_changed"] is False


def test_missing_days_show_in_completeness_and_nothing_scored_is_null(client, client_srm5):
    log_week(
        client,
        client_srm5,
        MONDAY,
        {"out_of_bed": ["07:00", "07:05", None, None, None, None, None]},
    )
    (week,) = weekly(client, client_srm5, MONDAY, MONDAY)
    assert week["days_logged"] == 7  # the days exist, only anchors are missing
    assert week["srm"] is None and week["srm5"] is None
    (empty,) = weekly(client, client_srm5, date(2026, 10, 12), date(2026, 10, 18))
    assert empty["days_logged"] == 0 and empty["completeness"] == 0
    assert empty["srm"] is None


def test_weeks_cover_the_range_as_iso_weeks(client, client_srm5):
    log_week(client, client_srm5, MONDAY, steady())
    log_week(client, client_srm5, date(2026, 10, 12), steady(wake="08:00"))
    weeks = weekly(client, client_srm5, date(2026, 10, 7), date(2026, 10, 13))
    assert [w["start"] for w in weeks] == ["2026-10-05", "2026-10-12"]
    assert [w["srm"] for w in weeks] == [7.0, 7.0]


def test_targets_are_reported_beside_habitual_hits(client, accounts, client_srm5):
    log_week(client, client_srm5, MONDAY, TV1)
    clinician = accounts.staff("clinician")  # targets are set by the client's clinician
    link(client, clinician, client_srm5)
    saved = client.put(
        f"/api/v1/clients/{client_srm5.id}/targets",
        json={"targets": {"out_of_bed": {"time": "08:30"}}},
        headers=clinician.headers,
    )
    assert saved.status_code == 200, saved.json
    (week,) = weekly(client, client_srm5, MONDAY, MONDAY)
    wake = week["activities"]["out_of_bed"]
    assert wake["target"] == {"minutes": 510.0, "time": "08:30"}
    assert wake["hits"] == 5
    # Among the kept times (09:00 is trimmed as an outlier) only 08:30 is near the target.
    assert wake["target_hits"] == 1
    assert week["activities"]["dinner"]["target"] is None


def test_dst_week_in_london_has_a_short_night_and_is_marked(client, accounts):
    account = accounts.client_account(timezone="Europe/London")
    spring = date(2026, 3, 23)  # clocks go forward on Sunday 29 March at 01:00
    log_week(client, account, spring, steady(), timezone="Europe/London")
    log_week(client, account, date(2026, 3, 16), steady(), timezone="Europe/London")
    before, dst = weekly(client, account, date(2026, 3, 16), date(2026, 3, 29))
    assert before["zone_changed"] is False
    assert dst["zone_changed"] is True
    assert dst["srm"] == 7.0  # wall-clock times are what the SRM scores
    assert before["sleep"]["min_duration"] == 480
    assert dst["sleep"]["min_duration"] == 420  # Saturday night lost an hour


def test_travel_week_is_marked_with_its_zones(client, accounts):
    account = accounts.client_account(timezone="Europe/London")
    zones = ["Europe/London"] * 3 + ["America/New_York"] * 4
    log_week(client, account, MONDAY, steady(), zones=zones)
    (week,) = weekly(client, account, MONDAY, MONDAY)
    assert week["zone_changed"] is True
    assert week["zones"] == ["Europe/London", "America/New_York"]
    # The flight night: bed 23:00 London, up 07:00 New York is 13 hours in bed.
    assert week["sleep"]["mean_duration"] > 480


def test_rolling_scores_end_on_each_day(client, client_srm5):
    log_week(client, client_srm5, MONDAY, TV1)
    response = client.get(
        "/api/v1/scores/rolling?from=2026-10-09&to=2026-10-11", headers=client_srm5.headers
    )
    assert response.status_code == 200
    scores = response.json["scores"]
    assert [(s["start"], s["end"]) for s in scores] == [
        ("2026-10-03", "2026-10-09"),
        ("2026-10-04", "2026-10-10"),
        ("2026-10-05", "2026-10-11"),
    ]
    assert scores[-1]["srm"] == pytest.approx(5.2)
    assert scores[0]["days_logged"] == 5


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-10-11&to=2026-10-05", "from"),
        ("from=2025-01-01&to=2026-10-05", "to"),
        ("from=tomorrow", "from"),
    ],
)
def test_bad_ranges_are_422(client, client_srm5, query, field):
    for path in ("/api/v1/scores/weekly", "/api/v1/scores/rolling"):
        response = client.get(f"{path}?{query}", headers=client_srm5.headers)
        assert response.status_code == 422
        assert field in response.json["errors"]


def test_scores_need_a_client(client, accounts):
    clinician = accounts.staff("clinician")
    assert client.get("/api/v1/scores/weekly", headers=clinician.headers).status_code == 403
    assert client.get("/api/v1/scores/weekly").status_code == 401
