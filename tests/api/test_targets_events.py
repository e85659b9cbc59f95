import pytest

from tests.api.care import link


@pytest.fixture
def alice(accounts):
    return accounts.client_account()


@pytest.fixture
def doctor(client, accounts, alice):
    """Alice's clinician, who sets her targets (a client proposes: test_target_proposals.py)."""
    clinician = accounts.staff("clinician")
    link(client, clinician, alice)
    return clinician


def test_targets_replace_the_whole_set(client, alice, doctor):
    assert client.get("/api/v1/targets", headers=alice.headers).json == {"targets": {}}
    theirs = f"/api/v1/clients/{alice.id}/targets"
    saved = client.put(
        theirs,
        json={"targets": {"to_bed": {"time": "00:15"}, "out_of_bed": {"time": "07:30"}}},
        headers=doctor.headers,
    )
    assert saved.status_code == 200
    assert saved.json["targets"] == {
        "out_of_bed": {"time": "07:30", "day_offset": 0, "minutes": 450},
        "to_bed": {"time": "00:15", "day_offset": 1, "minutes": 1455},
    }
    replaced = client.put(
        theirs,
        json={"targets": {"dinner": {"time": "19:00"}, "to_bed": None}},
        headers=doctor.headers,
    )
    assert list(replaced.json["targets"]) == ["dinner"]
    assert client.get("/api/v1/targets", headers=alice.headers).json == replaced.json


@pytest.mark.parametrize(
    ("targets", "field"),
    [
        ({"sleeping": {"time": "07:00"}}, "targets"),
        ({"dinner": {"time": "25:00"}}, "targets"),
        ({"dinner": {"time": "19:00", "day_offset": 3}}, "targets"),
    ],
)
def test_bad_targets_are_422_and_change_nothing(client, alice, doctor, targets, field):
    theirs = f"/api/v1/clients/{alice.id}/targets"
    client.put(theirs, json={"targets": {"lunch": {"time": "12:30"}}}, headers=doctor.headers)
    response = client.put(theirs, json={"targets": targets}, headers=doctor.headers)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert list(client.get("/api/v1/targets", headers=alice.headers).json["targets"]) == ["lunch"]


def test_life_events_are_listed_by_overlap(client, alice):
    for start, end, kind in [
        ("2026-10-01", "2026-10-03", "travel"),
        ("2026-10-20", "2026-10-20", "role_dispute"),
    ]:
        response = client.post(
            "/api/v1/events",
            json={"start": start, "end": end, "kind": kind, "note": "work trip"},
            headers=alice.headers,
        )
        assert response.status_code == 201
        assert response.json["disruption"] == 1
    listed = client.get("/api/v1/events?from=2026-10-03&to=2026-10-10", headers=alice.headers)
    assert [e["kind"] for e in listed.json["events"]] == ["travel"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"start": "2026-10-03", "end": "2026-10-01", "kind": "travel"}, "end"),
        ({"start": "2026-10-01", "end": "2026-10-01", "kind": "holiday"}, "kind"),
        (
            {"start": "2026-10-01", "end": "2026-10-01", "kind": "loss", "disruption": 4},
            "disruption",
        ),
        ({"start": "someday", "end": "2026-10-01", "kind": "loss"}, "start"),
    ],
)
def test_bad_life_events_are_422(app, client, alice, body, field):
    response = client.post("/api/v1/events", json=body, headers=alice.headers)
    assert response.status_code == 422
    assert field in response.json["errors"]


def test_someone_elses_event_is_404(client, alice, accounts):
    event = client.post(
        "/api/v1/events",
        json={"start": "2026-10-01", "end": "2026-10-02", "kind": "illness"},
        headers=alice.headers,
    ).json
    bob = accounts.client_account()
    assert client.delete(f"/api/v1/events/{event['id']}", headers=bob.headers).status_code == 404
    assert client.delete(f"/api/v1/events/{event['id']}", headers=alice.headers).status_code == 204
    assert client.delete(f"/api/v1/events/{event['id']}", headers=alice.headers).status_code == 404
