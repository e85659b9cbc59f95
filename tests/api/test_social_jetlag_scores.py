"""The weekly scores name three social jetlags (docs/science.md §2.3)."""

from datetime import date

import pytest

from tests.api.diaries import log_week

MONDAY = date(2026, 10, 5)
# Work Monday to Friday (start_work logged), free at the weekend. The nights waking on work
# days run 23:00-06:00 (420 min); the two waking on Saturday and Sunday 23:00-08:00 (540).
WEEK = {
    "out_of_bed": ["06:00"] * 5 + ["08:00"] * 2,
    "start_work": ["08:00"] * 5 + [None] * 2,
    "to_bed": ["23:00"] * 7,
}


def test_weekly_scores_name_absolute_relative_and_sleep_corrected_jetlag(client, accounts):
    account = accounts.client_account()
    log_week(client, account, MONDAY, WEEK)
    response = client.get(
        f"/api/v1/scores/weekly?from={MONDAY}&to={MONDAY}", headers=account.headers
    )
    assert response.status_code == 200
    (week,) = response.json["scores"]
    sleep = week["sleep"]
    # Mid-sleep 02:30 on work days, 03:30 on free days: an hour later when free.
    assert sleep["social_jetlag"] == pytest.approx(60)
    assert sleep["social_jetlag_relative"] == pytest.approx(60)
    # The same sleep onset every night: the later mid-sleep is only sleep debt repaid.
    assert sleep["social_jetlag_sc"] == pytest.approx(0)
    assert sleep["nights"] == 6

    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    documented = schema["Sleep"]["properties"]
    assert {"social_jetlag", "social_jetlag_relative", "social_jetlag_sc"} <= set(documented)
