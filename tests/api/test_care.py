from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from api import db
from api.db import utcnow
from api.models import CareInvitation
from api.services.scoring import monday_of
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.api.test_flags import ELEVATED, WILD

DAY = "2026-10-05"


@pytest.fixture
def doctor(accounts):
    return accounts.staff("clinician")


@pytest.fixture
def alice(accounts):
    return accounts.client_account()


def test_an_invitation_links_once_and_the_clinician_reads_the_diary(client, doctor, alice):
    invitation = client.post("/api/v1/care/invitations", headers=doctor.headers)
    assert invitation.status_code == 201
    code = invitation.json["code"]
    assert len(code) == 11 and code[5] == "-"
    log_week(client, alice, date(2026, 10, 5), steady())

    redeemed = client.post("/api/v1/care/links", json={"code": code.lower()}, headers=alice.headers)
    assert redeemed.status_code == 201
    assert redeemed.json["clinician"]["id"] == doctor.id

    base = f"/api/v1/clients/{alice.id}"
    entry = client.get(f"{base}/entries/{DAY}", headers=doctor.headers)
    assert entry.status_code == 200 and entry.json["activities"]["out_of_bed"]["time"] == "07:00"
    weekly = client.get(f"{base}/scores/weekly?from={DAY}&to={DAY}", headers=doctor.headers)
    assert weekly.json["scores"][0]["srm"] == 7.0
    for path in (
        "entries",
        "scores/rolling",
        "flags",
        "targets",
        "events",
        "flag-settings",
        "course",
    ):
        assert client.get(f"{base}/{path}", headers=doctor.headers).status_code == 200, path

    again = client.post("/api/v1/care/links", json={"code": code}, headers=alice.headers)
    assert again.status_code == 422
    assert again.json["errors"]["code"] == ["This invitation code has already been used."]


def test_expired_and_unknown_codes_are_rejected(app, client, doctor, alice):
    code = client.post("/api/v1/care/invitations", headers=doctor.headers).json["code"]
    with app.app_context():
        session = db.session()
        session.execute(sa.update(CareInvitation).values(expires_at=utcnow() - timedelta(1)))
        session.commit()
    expired = client.post("/api/v1/care/links", json={"code": code}, headers=alice.headers)
    assert expired.status_code == 422
    assert "expired" in expired.json["message"]
    unknown = client.post("/api/v1/care/links", json={"code": "AAAAA-AAAAA"}, headers=alice.headers)
    assert unknown.status_code == 422 and "not valid" in unknown.json["message"]
    assert (
        client.get(f"/api/v1/clients/{alice.id}/entries", headers=doctor.headers).status_code == 404
    )


def test_only_clinicians_invite_and_only_clients_redeem(client, doctor, alice, accounts):
    assert client.post("/api/v1/care/invitations", headers=alice.headers).status_code == 403
    code = client.post("/api/v1/care/invitations", headers=doctor.headers).json["code"]
    other = accounts.staff("clinician")
    assert (
        client.post("/api/v1/care/links", json={"code": code}, headers=other.headers).status_code
        == 403
    )


def test_revocation_ends_access_on_the_next_request(client, doctor, alice):
    link_id = link(client, doctor, alice)
    url = f"/api/v1/clients/{alice.id}/entries"
    assert client.get(url, headers=doctor.headers).status_code == 200
    assert client.delete(f"/api/v1/care/links/{link_id}", headers=alice.headers).status_code == 204
    assert client.get(url, headers=doctor.headers).status_code == 404
    links = client.get("/api/v1/care/links", headers=doctor.headers).json
    assert links == {"links": [], "deleted_accounts": []}
    assert client.delete(f"/api/v1/care/links/{link_id}", headers=alice.headers).status_code == 404


def test_a_client_may_share_with_two_clinicians_and_links_are_private(client, accounts, alice):
    first, second = accounts.staff("clinician"), accounts.staff("clinician")
    link(client, first, alice)
    second_link = link(client, second, alice)
    listed = client.get("/api/v1/care/links", headers=alice.headers).json["links"]
    assert {row["clinician"]["id"] for row in listed} == {first.id, second.id}
    assert (
        client.delete(f"/api/v1/care/links/{second_link}", headers=first.headers).status_code == 404
    )
    duplicate = client.post(
        "/api/v1/care/links",
        json={"code": client.post("/api/v1/care/invitations", headers=first.headers).json["code"]},
        headers=alice.headers,
    )
    assert duplicate.status_code == 409


def test_clinicians_set_targets_thresholds_and_ack_but_never_write_the_diary(client, doctor, alice):
    link(client, doctor, alice)
    base = f"/api/v1/clients/{alice.id}"
    # Recent weeks, so that a change of thresholds re-evaluates them.
    wild_monday = monday_of(utcnow().date()) - timedelta(weeks=1)
    for weeks_back in range(4, 0, -1):
        log_week(client, alice, wild_monday - timedelta(weeks=weeks_back), steady())
    log_week(client, alice, wild_monday, WILD, moods=ELEVATED)
    day = wild_monday.isoformat()

    put_entry = client.put(f"{base}/entries/{day}", json={"mood": 0}, headers=doctor.headers)
    assert put_entry.status_code == 403
    assert client.delete(f"{base}/entries/{day}", headers=doctor.headers).status_code == 403
    event = {"start": day, "end": day, "kind": "travel"}
    assert client.post(f"{base}/events", json=event, headers=doctor.headers).status_code == 403
    assert client.get(f"/api/v1/entries/{day}", headers=alice.headers).json["mood"] == 4

    targets = client.put(
        f"{base}/targets",
        json={"targets": {"out_of_bed": {"time": "07:00"}}},
        headers=doctor.headers,
    )
    assert targets.status_code == 200
    assert client.get("/api/v1/targets", headers=alice.headers).json == targets.json

    flags = {
        f["rule"]: f for f in client.get(f"{base}/flags", headers=doctor.headers).json["flags"]
    }
    assert {"wake_shift", "bed_shift"} <= set(flags)
    ack = client.post(f"{base}/flags/{flags['wake_shift']['id']}/ack", headers=doctor.headers)
    assert ack.status_code == 200 and ack.json["status"] == "acknowledged"

    looser = client.put(
        f"{base}/flag-settings", json={"overrides": {"shift_minutes": 300}}, headers=doctor.headers
    )
    assert looser.status_code == 200
    assert looser.json["effective"]["shift_minutes"] == 300
    assert looser.json["overrides"] == {"shift_minutes": 300}
    rules = {f["rule"] for f in client.get("/api/v1/flags", headers=alice.headers).json["flags"]}
    # Bedtimes 4 hours late no longer trip at 300 minutes; the acknowledged flag stays as history.
    assert "bed_shift" not in rules and "wake_shift" in rules

    bad = client.put(
        f"{base}/flag-settings",
        json={"overrides": {"shift_minutes": "lots"}},
        headers=doctor.headers,
    )
    assert bad.status_code == 422 and "shift_minutes" in bad.json["errors"]
    unknown = client.put(
        f"{base}/flag-settings", json={"overrides": {"colour": 1}}, headers=doctor.headers
    )
    assert unknown.status_code == 422 and "colour" in unknown.json["errors"]
    assert client.get(f"{base}/flag-settings", headers=doctor.headers).json["overrides"] == {
        "shift_minutes": 300
    }


def test_the_therapy_course(client, doctor, alice):
    link(client, doctor, alice)
    url = f"/api/v1/clients/{alice.id}/course"
    course = {
        "start": "2026-09-01",
        "planned_weeks": 16,
        "phase": "middle",
        "problem_areas": ["role_transition", "grief"],
    }
    saved = client.put(url, json=course, headers=doctor.headers)
    assert saved.status_code == 200 and saved.json == course
    assert client.get("/api/v1/course", headers=alice.headers).json == course
    bad = client.put(
        url,
        json={**course, "phase": "late", "problem_areas": ["a", "b", "c"]},
        headers=doctor.headers,
    )
    assert bad.status_code == 422
    assert set(bad.json["errors"]) == {"phase", "problem_areas"}
    assert client.put("/api/v1/course", json=course, headers=alice.headers).status_code == 403


def test_a_code_refused_for_an_existing_link_stays_unused(client, doctor, alice, accounts):
    link(client, doctor, alice)
    code = client.post("/api/v1/care/invitations", headers=doctor.headers).json["code"]
    refused = client.post("/api/v1/care/links", json={"code": code}, headers=alice.headers)
    assert refused.status_code == 409
    # The claim of the code is undone with the refused link: someone else may still use it.
    bob = accounts.client_account()
    redeemed = client.post("/api/v1/care/links", json={"code": code}, headers=bob.headers)
    assert redeemed.status_code == 201
    again = client.post("/api/v1/care/links", json={"code": code}, headers=alice.headers)
    assert again.status_code == 422
    assert again.json["errors"]["code"] == ["This invitation code has already been used."]
