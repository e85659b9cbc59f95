"""Targets are agreed in therapy: the linked clinician sets them; a client proposes a set,
which the clinician accepts (setting it) or declines, each decision by name and audited."""

import pytest
import sqlalchemy as sa

from api import db
from api.models import AuditEvent, Target
from api.services.target_proposals import MAX_PENDING
from tests.api.care import link

PROPOSALS = "/api/v1/targets/proposals"
PROPOSED = {"out_of_bed": {"time": "07:30"}, "to_bed": {"time": "00:15"}}


@pytest.fixture
def alice(accounts):
    return accounts.client_account()


@pytest.fixture
def doctor(client, accounts, alice):
    clinician = accounts.staff("clinician")
    client.patch("/api/v1/me", json={"display_name": "Dr Lee"}, headers=clinician.headers)
    link(client, clinician, alice)
    agreed = client.put(
        f"/api/v1/clients/{alice.id}/targets",
        json={"targets": {"dinner": {"time": "19:00"}}},
        headers=clinician.headers,
    )
    assert agreed.status_code == 200, agreed.json
    return clinician


def own_targets(client, account) -> dict:
    return client.get("/api/v1/targets", headers=account.headers).json["targets"]


def propose(client, account, targets=PROPOSED) -> dict:
    response = client.post(PROPOSALS, json={"targets": targets}, headers=account.headers)
    assert response.status_code == 201, response.json
    return response.json


def decision(patient, proposal, verb: str) -> str:
    return f"/api/v1/clients/{patient.id}/targets/proposals/{proposal['id']}/{verb}"


def test_a_client_may_not_set_targets_and_is_told_to_propose(client, alice, doctor):
    for url in ("/api/v1/targets", f"/api/v1/clients/{alice.id}/targets"):
        refused = client.put(url, json={"targets": PROPOSED}, headers=alice.headers)
        assert refused.status_code == 403, refused.json
        assert "propose" in refused.json["message"]
    assert list(own_targets(client, alice)) == ["dinner"]


def test_a_proposal_waits_for_the_clinician_and_both_see_it(client, alice, doctor):
    proposal = propose(client, alice)

    assert proposal["status"] == "pending"
    assert proposal["targets"] == {
        "out_of_bed": {"time": "07:30", "day_offset": 0, "minutes": 450},
        "to_bed": {"time": "00:15", "day_offset": 1, "minutes": 1455},
    }
    assert proposal["decided_by"] is None and proposal["decided_at"] is None
    assert list(own_targets(client, alice)) == ["dinner"]  # nothing set yet
    mine = client.get(PROPOSALS, headers=alice.headers)
    theirs = client.get(f"/api/v1/clients/{alice.id}/targets/proposals", headers=doctor.headers)
    assert mine.json == theirs.json == {"proposals": [proposal]}
    pending = client.get(PROPOSALS, query_string={"status": "pending"}, headers=alice.headers)
    assert [p["id"] for p in pending.json["proposals"]] == [proposal["id"]]
    assert (
        client.get(PROPOSALS, query_string={"status": "x"}, headers=alice.headers).status_code
        == 422
    )


def test_accepting_sets_the_proposed_targets(app, client, alice, doctor):
    proposal = propose(client, alice)

    accepted = client.post(
        decision(alice, proposal, "accept"),
        json={"note": "As agreed today."},
        headers=doctor.headers,
    )

    assert accepted.status_code == 200, accepted.json
    assert accepted.json["status"] == "accepted"
    assert accepted.json["decided_by"] == {"id": doctor.id, "name": "Dr Lee"}
    assert accepted.json["decided_at"] and accepted.json["note"] == "As agreed today."
    # The whole proposed set: dinner, left out of it, has no target any more.
    assert own_targets(client, alice) == proposal["targets"]
    with app.app_context():
        session = db.session()
        set_by = set(session.scalars(sa.select(Target.set_by).where(Target.client_id == alice.id)))
        (event,) = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "targets:decide")
        )
    assert set_by == {doctor.id}
    assert (event.actor_id, event.subject_id, event.outcome) == (doctor.id, alice.id, "ok")
    assert event.resource == f"POST {decision(alice, proposal, 'accept')}"
    # Decided once: neither verb works again.
    for verb in ("accept", "decline"):
        again = client.post(decision(alice, proposal, verb), headers=doctor.headers)
        assert again.status_code == 409 and "accepted" in again.json["message"]


def test_declining_leaves_the_targets_as_they_are(app, client, alice, doctor):
    proposal = propose(client, alice)

    declined = client.post(decision(alice, proposal, "decline"), headers=doctor.headers)

    assert declined.status_code == 200, declined.json
    assert declined.json["status"] == "declined" and declined.json["note"] is None
    assert declined.json["decided_by"]["id"] == doctor.id
    assert list(own_targets(client, alice)) == ["dinner"]
    listed = client.get(PROPOSALS, headers=alice.headers).json["proposals"]
    assert [p["status"] for p in listed] == ["declined"]
    with app.app_context():
        (event,) = db.session().scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "targets:decide")
        )
    assert event.resource.endswith("/decline") and event.outcome == "ok"


def test_only_the_linked_clinician_decides_and_only_on_this_clients_proposals(
    client, accounts, alice, doctor
):
    proposal = propose(client, alice)
    bob = accounts.client_account()
    link(client, doctor, bob)
    bobs = propose(client, bob)
    stranger = accounts.staff("clinician")

    # The client may not decide on their own proposal.
    mine = client.post(decision(alice, proposal, "accept"), headers=alice.headers)
    assert mine.status_code == 403
    # Bob's proposal is not one of Alice's; a clinician not linked to Alice sees nothing.
    crossed = f"/api/v1/clients/{alice.id}/targets/proposals/{bobs['id']}/accept"
    assert client.post(crossed, headers=doctor.headers).status_code == 404
    assert (
        client.post(decision(alice, proposal, "accept"), headers=stranger.headers).status_code
        == 404
    )
    listing = f"/api/v1/clients/{alice.id}/targets/proposals"
    assert client.get(listing, headers=stranger.headers).status_code == 404
    # A clinician sets targets directly: proposing is the client's.
    assert (
        client.post(PROPOSALS, json={"targets": PROPOSED}, headers=doctor.headers).status_code
        == 403
    )
    assert [
        p["status"] for p in client.get(PROPOSALS, headers=alice.headers).json["proposals"]
    ] == ["pending"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"targets": {"sleeping": {"time": "07:00"}}}, "targets"),
        ({"targets": {"dinner": {"time": "25:00"}}}, "targets"),
        ({}, "targets"),
        ({"targets": {}, "note": "hi"}, "note"),
    ],
)
def test_a_bad_proposal_is_422_and_stores_nothing(client, alice, doctor, body, field):
    response = client.post(PROPOSALS, json=body, headers=alice.headers)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert client.get(PROPOSALS, headers=alice.headers).json["proposals"] == []


def test_a_bad_decision_note_is_422_and_decides_nothing(client, alice, doctor):
    proposal = propose(client, alice)
    url = decision(alice, proposal, "decline")
    for body in ({"note": "x" * 501}, {"note": 1}, {"reason": "no"}):
        assert client.post(url, json=body, headers=doctor.headers).status_code == 422, body
    assert client.get(PROPOSALS, headers=alice.headers).json["proposals"][0]["status"] == "pending"


def test_waiting_proposals_are_bounded(client, alice, doctor):
    for _ in range(MAX_PENDING):
        propose(client, alice, {"dinner": {"time": "18:45"}})
    refused = client.post(PROPOSALS, json={"targets": PROPOSED}, headers=alice.headers)
    assert refused.status_code == 409, refused.json
    assert len(client.get(PROPOSALS, headers=alice.headers).json["proposals"]) == MAX_PENDING
