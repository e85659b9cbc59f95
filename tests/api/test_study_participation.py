"""The researcher's view of a study: data coverage per participant (labels and day counts, no
dates, nothing below the export minimum) and consent versions (publishing a new text,
participants consenting again)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from api.models import AuditEvent, StudyConsent, StudyParticipant
from tests.api.test_export import csv_rows, download, unzip
from tests.api.test_studies import create, join
from tests.conftest import Account

JOINED = datetime(2026, 9, 7, 9, 0, tzinfo=UTC)  # a Monday
NOW = JOINED + timedelta(days=27, hours=3)  # 28 days in the study, today included
TODAY = NOW.date()
DAY = {"mood": 0, "activities": {"out_of_bed": {"time": "07:00"}}}


@pytest.fixture
def clock():
    with time_machine.travel(JOINED, tick=False) as traveller:
        yield traveller


def _log(client, account, days):
    for day in days:
        response = client.put(f"/api/v1/entries/{day}", json=DAY, headers=account.headers)
        assert response.status_code in (200, 201), response.json


def _again(accounts, account) -> Account:
    return Account(account.id, account.email, accounts.sign_in(account.email))


def _audit(app, action: str) -> list[tuple[str, dict]]:
    with app.extensions["cadence.engine"].connect() as connection:
        rows = connection.execute(
            sa.select(AuditEvent.outcome, AuditEvent.detail)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [(outcome, detail) for outcome, detail in rows]


@pytest.fixture
def study(client, accounts, clock):
    """Researcher, study, and participants A..E who joined at JOINED (E later withdraws);
    the clock is at NOW."""
    researcher = accounts.staff("researcher")
    created = create(client, researcher)
    people = {name: accounts.client_account() for name in "ABCDEF"}
    for person in people.values():
        assert join(client, person, created).status_code == 201
    clock.move_to(NOW)
    people = {name: _again(accounts, person) for name, person in people.items()}
    return _again(accounts, researcher), created, people


def _days(first, last):
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def test_coverage_counts_days_back_from_today_within_the_consent(app, client, study):
    researcher, created, people = study
    start = JOINED.date()
    _log(client, people["A"], _days(start, TODAY))  # every day
    _log(client, people["B"], _days(start, TODAY - timedelta(days=3)))  # quiet for 3 days
    # C logs nothing. D logged before joining (outside the consent) and once since.
    _log(client, people["D"], [*_days(start - timedelta(days=10), start - timedelta(days=1))])
    _log(client, people["D"], [TODAY - timedelta(days=10)])
    # E skips five days in the middle of the last four weeks.
    gap = set(_days(TODAY - timedelta(days=15), TODAY - timedelta(days=11)))
    _log(client, people["E"], [d for d in _days(start, TODAY) if d not in gap])
    # F logs every day, then withdraws: no longer counted.
    _log(client, people["F"], _days(start, TODAY))
    assert (
        client.delete(
            f"/api/v1/studies/{created['id']}/consent", headers=people["F"].headers
        ).status_code
        == 204
    )

    response = client.get(f"/api/v1/studies/{created['id']}/coverage", headers=researcher.headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert (body["consenting"], body["shown"], body["minimum"]) == (5, True, 5)
    rows = body["participants"]
    assert [r["label"] for r in rows] == sorted(r["label"] for r in rows)
    got = sorted(
        (
            r["logged_7"],
            r["possible_7"],
            r["logged_28"],
            r["possible_28"],
            r["last_entry_days_ago"],
            r["missing_streak"],
            r["longest_missing_streak_28"],
            r["days_in_study"],
        )
        for r in rows
    )
    assert got == sorted(
        [
            (7, 7, 28, 28, 0, 0, 0, 28),  # A
            (4, 7, 25, 28, 3, 2, 2, 28),  # B (today not counted as missing yet)
            (0, 7, 0, 28, None, 27, 27, 28),  # C
            (0, 7, 1, 28, 10, 9, 17, 28),  # D: nothing before joining counts
            (7, 7, 23, 28, 0, 0, 5, 28),  # E
        ]
    )
    assert body["totals"] == {
        "logged_7_share": round(18 / 35, 3),
        "logged_28_share": round(77 / 140, 3),
        "active_7": 3,
        "quiet_7": 2,
        "never_logged": 1,
    }
    # No dates anywhere, and no export pseudonym: labels of their own.
    assert not re.search(r"\d{4}-\d{2}-\d{2}", response.get_data(as_text=True))
    with app.extensions["cadence.engine"].connect() as connection:
        pseudonyms = set(connection.scalars(sa.select(StudyParticipant.pseudonym)))
    labels = {r["label"] for r in rows}
    assert all(re.fullmatch(r"C[A-HJ-KM-NP-Z2-9]{6}", label) for label in labels)
    assert labels.isdisjoint(pseudonyms) and len(labels) == 5
    # Stable from one look to the next.
    again = client.get(f"/api/v1/studies/{created['id']}/coverage", headers=researcher.headers)
    assert {r["label"] for r in again.json["participants"]} == labels
    assert _audit(app, "research:coverage")[0] == (
        "ok",
        {"study": created["id"], "participants": 5},
    )


def test_a_study_below_the_export_minimum_shows_counts_only(client, study):
    researcher, created, people = study
    for name in "ABC":
        response = client.delete(
            f"/api/v1/studies/{created['id']}/consent", headers=people[name].headers
        )
        assert response.status_code == 204
    body = client.get(f"/api/v1/studies/{created['id']}/coverage", headers=researcher.headers).json
    assert body["consenting"] == 3 and body["shown"] is False
    assert body["participants"] == [] and body["totals"] is None


def test_coverage_pages_and_is_the_researchers_own(client, accounts, study):
    researcher, created, people = study
    url = f"/api/v1/studies/{created['id']}/coverage"
    first = client.get(f"{url}?page_size=4", headers=researcher.headers).json
    second = client.get(f"{url}?page_size=4&page=2", headers=researcher.headers).json
    assert (len(first["participants"]), len(second["participants"])) == (4, 2)
    labels = [r["label"] for r in first["participants"] + second["participants"]]
    assert labels == sorted(set(labels))
    assert first["totals"] == second["totals"]
    for bad in ("page=0", "page_size=501", "page_size=x"):
        assert client.get(f"{url}?{bad}", headers=researcher.headers).status_code == 422, bad
    stranger = accounts.staff("researcher")
    assert client.get(url, headers=stranger.headers).status_code == 404
    assert client.get(url, headers=people["A"].headers).status_code == 403


def test_a_new_consent_version_asks_participants_to_consent_again(app, client, accounts, study):
    researcher, created, people = study
    url = f"/api/v1/studies/{created['id']}/consent"
    published = client.post(
        url, json={"version": "2027-01", "text": "Now also sleep."}, headers=researcher.headers
    )
    assert published.status_code == 201, published.json
    versions = published.json["versions"]
    assert [(v["version"], v["current"], v["consenting"]) for v in versions] == [
        ("2027-01", True, 0),
        (created["consent_version"], False, 6),
    ]
    assert versions[1]["text"] == created["consent_text"]
    read = client.get(f"/api/v1/studies/{created['id']}", headers=researcher.headers).json
    assert (read["consent_version"], read["consent_text"]) == ("2027-01", "Now also sleep.")
    listed = client.get(f"{url}/versions", headers=researcher.headers)
    assert listed.json == published.json

    # A participant sees that a new text waits, and consents to it.
    mine = client.get(url, headers=people["A"].headers)
    assert mine.status_code == 200
    assert mine.json["review_needed"] is True
    assert mine.json["my_consent_version"] == created["consent_version"]
    assert mine.json["consent_text"] == "Now also sleep."
    stale = client.put(
        url, json={"consent_version": created["consent_version"]}, headers=people["A"].headers
    )
    assert stale.status_code == 422 and "consent_version" in stale.json["errors"]
    for _ in range(2):  # a second, identical consent changes nothing
        agreed = client.put(url, json={"consent_version": "2027-01"}, headers=people["A"].headers)
        assert agreed.status_code == 200, agreed.json
        assert agreed.json["review_needed"] is False
        assert agreed.json["my_consent_version"] == "2027-01"
    with app.extensions["cadence.engine"].connect() as connection:
        history = (
            connection.execute(
                sa.select(StudyConsent.consent_version)
                .where(StudyConsent.client_id == people["A"].id)
                .order_by(StudyConsent.id)
            )
            .scalars()
            .all()
        )
    assert history == [created["consent_version"], "2027-01"]
    assert [o for o, _ in _audit(app, "research:reconsent")] == ["failed", "ok"]
    assert _audit(app, "research:consent_version") == [
        ("ok", {"study": created["id"], "consent_version": "2027-01"})
    ]
    coverage = client.get(
        f"/api/v1/studies/{created['id']}/coverage", headers=researcher.headers
    ).json
    assert coverage["on_current_consent"] == 1
    assert sorted(r["consent_current"] for r in coverage["participants"]) == [False] * 5 + [True]
    # The export says which version each participant's rows fall under.
    members = unzip(download(client, researcher, created["id"]).data)
    versions = sorted(row["consent_version"] for row in csv_rows(members, "participants"))
    assert versions == [created["consent_version"]] * 5 + ["2027-01"]

    # Someone joining now consents to the new text; the old one is refused.
    newcomer = accounts.client_account()
    assert join(client, newcomer, created).status_code == 422
    assert join(client, newcomer, created, "2027-01").status_code == 201


def test_consent_versions_are_checked_and_kept_to_their_owners(client, accounts, study):
    researcher, created, people = study
    url = f"/api/v1/studies/{created['id']}/consent"
    for body, field, status in (
        ({"version": created["consent_version"], "text": "Again."}, "version", 409),
        ({"version": "", "text": "Text."}, "version", 422),
        ({"version": "3", "text": ""}, "text", 422),
        ({"version": "3", "text": "   "}, "text", 422),
        ({"version": "v" * 41, "text": "Text."}, "version", 422),
        ({"version": "3"}, "text", 422),
    ):
        response = client.post(url, json=body, headers=researcher.headers)
        assert response.status_code == status, (body, response.json)
        assert field in response.json["errors"], response.json
    stranger = accounts.staff("researcher")
    assert (
        client.post(
            url, json={"version": "3", "text": "Mine now."}, headers=stranger.headers
        ).status_code
        == 404
    )
    assert client.get(f"{url}/versions", headers=stranger.headers).status_code == 404
    assert (
        client.post(
            url, json={"version": "3", "text": "Text."}, headers=people["A"].headers
        ).status_code
        == 403
    )
    # Only participants read or give consent; a withdrawn one is not one any more.
    outsider = accounts.client_account()
    assert client.get(url, headers=outsider.headers).status_code == 404
    assert (
        client.put(
            url, json={"consent_version": created["consent_version"]}, headers=outsider.headers
        ).status_code
        == 404
    )
    assert client.delete(url, headers=people["B"].headers).status_code == 204
    assert client.get(url, headers=people["B"].headers).status_code == 404
    assert client.get(url, headers=researcher.headers).status_code == 403
    versions = client.get(f"{url}/versions", headers=researcher.headers).json["versions"]
    assert [v["version"] for v in versions] == [created["consent_version"]]
