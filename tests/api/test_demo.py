import re
from datetime import date, timedelta

from api.services import demo
from tests.authenticator import Authenticator
from tests.conftest import PASSWORD


def test_demo_seed_builds_a_real_caseload(client, runner):
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    sign_ins = re.findall(
        r"(clinician|client)\s+(\S+@demo\.cadence\.example)\s+(\S+)", result.output
    )
    assert [role for role, _, _ in sign_ins] == ["clinician", "client", "client", "client"]
    _, email, password = sign_ins[0]
    # The clinician signs in with a code from the authenticator enrolled from the printed URI.
    code = Authenticator.from_output(result.output).code()
    token = client.post(
        "/api/v1/auth/token", json={"email": email, "password": password, "otp": code}
    )
    headers = {"Authorization": f"Bearer {token.json['token']}"}

    rows = client.get("/api/v1/clinician/caseload", headers=headers).json["clients"]
    assert [r["client"]["display_name"] for r in rows][0] == "Dana Drifting"
    assert rows[0]["open_flags"]["high"] >= 1
    assert {r["client"]["display_name"] for r in rows} == {
        "Sam Steady",
        "Dana Drifting",
        "Theo Traveller",
    }
    assert all(r["days_since_last_entry"] <= 2 for r in rows)

    theo = next(r for r in rows if r["client"]["display_name"] == "Theo Traveller")
    weeks = client.get(
        f"/api/v1/clients/{theo['client']['id']}/scores/weekly", headers=headers
    ).json["scores"]
    assert any(w["zone_changed"] and "America/New_York" in w["zones"] for w in weeks)
    events = client.get(f"/api/v1/clients/{theo['client']['id']}/events", headers=headers).json[
        "events"
    ]
    assert [e["kind"] for e in events] == ["travel"]

    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code != 0 and "already seeded" in again.output


def test_demo_seed_refuses_a_database_with_real_accounts(client, runner):
    registered = client.post(
        "/api/v1/auth/register", json={"email": "real@example.org", "password": PASSWORD}
    )
    assert registered.status_code == 202
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code != 0
    assert "real accounts" in result.output


def test_the_demo_trip_lies_in_the_default_score_window_on_every_weekday():
    # Rolling scores default to the last 28 days and weekly ones to ISO weeks; the trip must
    # show in both whichever day the demo is seeded on, and cross a week boundary so that the
    # weeks on either side mark the zone change.
    for offset in range(7):
        today = date(2026, 11, 30) + timedelta(days=offset)
        start, end = demo._trip(today)
        assert today - timedelta(days=27) <= start and end < today, today
        assert start.isocalendar().week != end.isocalendar().week, today
