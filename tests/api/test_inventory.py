"""The interpersonal inventory: built by the client and their linked clinician, hidden from
everyone else, in the client's own export, erased with the account, never in research."""

import io
import json
import zipfile

import sqlalchemy as sa

from api import db
from api.db import Base
from api.models import AuditEvent
from tests.api.ipt_records import API, ipt_rows, linked_pair
from tests.api.test_export import csv_rows, download, unzip
from tests.api.test_studies import create, join
from tests.conftest import PASSWORD

SISTER = {
    "name": "Maya",
    "role": "sibling",
    "contact": "weekly",
    "closeness": 4,
    "satisfying": "We laugh a lot",
    "unsatisfying": "She decides for me",
    "would_change": "Say no to her sometimes",
}
COLLEAGUE = {"name": "Work friend", "role": "colleague", "contact": "daily", "closeness": 2}


def test_client_and_linked_clinician_build_the_inventory_together(client, accounts):
    pair = linked_pair(client, accounts)
    added = client.post(pair.own("/inventory"), json=COLLEAGUE, headers=pair.client.headers)
    assert added.status_code == 201, added.json
    assert added.json["satisfying"] is None and added.json["updated_by"]["id"] == pair.client.id
    # The clinician adds a person in session, through the twin.
    sister = client.post(pair.twin("/inventory"), json=SISTER, headers=pair.clinician.headers)
    assert sister.status_code == 201, sister.json
    assert sister.json["updated_by"] == {"id": pair.clinician.id, "name": pair.clinician.email}

    listed = client.get(pair.own("/inventory"), headers=pair.client.headers).json["people"]
    assert [p["name"] for p in listed] == ["Maya", "Work friend"]  # closest first
    assert {k: listed[0][k] for k in SISTER} == SISTER
    seen = client.get(pair.twin("/inventory"), headers=pair.clinician.headers).json["people"]
    assert seen == listed

    # The client edits later: a full replace; blank reflections are stored as null.
    changed = {**SISTER, "closeness": 5, "unsatisfying": "   ", "would_change": None}
    put = client.put(
        pair.own(f"/inventory/{sister.json['id']}"), json=changed, headers=pair.client.headers
    )
    assert put.status_code == 200, put.json
    assert put.json["closeness"] == 5 and put.json["unsatisfying"] is None
    assert put.json["would_change"] is None and put.json["updated_by"]["id"] == pair.client.id
    assert put.json["created_at"] == sister.json["created_at"]

    gone = client.delete(
        pair.twin(f"/inventory/{added.json['id']}"), headers=pair.clinician.headers
    )
    assert gone.status_code == 204
    listed = client.get(pair.own("/inventory"), headers=pair.client.headers).json["people"]
    assert [p["id"] for p in listed] == [sister.json["id"]]
    # The clinician's reads and writes are on the audit trail.
    with client.application.app_context():
        actions = db.session().scalars(
            sa.select(AuditEvent.action).where(AuditEvent.actor_id == pair.clinician.id)
        )
        assert {"inventory:read", "inventory:write"} <= set(actions)


def test_nobody_else_reaches_the_inventory(client, accounts):
    pair = linked_pair(client, accounts)
    person = client.post(pair.own("/inventory"), json=SISTER, headers=pair.client.headers).json
    other = linked_pair(client, accounts)
    stranger = accounts.staff("clinician")
    path = f"/inventory/{person['id']}"
    before = ipt_rows(client.application)
    for method, body in (("GET", None), ("POST", SISTER)):
        response = client.open(
            pair.twin("/inventory"), method=method, json=body, headers=stranger.headers
        )
        assert response.status_code == 404, (method, response.json)
    for method, body in (("PUT", SISTER), ("DELETE", None)):
        # An unlinked clinician, another client's clinician, another client: all 404.
        for who, url in (
            (stranger, pair.twin(path)),
            (other.clinician, f"{API}/clients/{other.client.id}{path}"),
            (other.client, pair.own(path)),
        ):
            response = client.open(url, method=method, json=body, headers=who.headers)
            assert response.status_code == 404, (method, url, response.json)
    # A revoked link ends access at once.
    revoked = client.delete(f"{API}/care/links/{pair.link_id}", headers=pair.client.headers)
    assert revoked.status_code in (200, 204), revoked.json
    assert client.get(pair.twin("/inventory"), headers=pair.clinician.headers).status_code == 404
    assert ipt_rows(client.application) == before
    mine = client.get(pair.own("/inventory"), headers=pair.client.headers).json["people"]
    assert [{k: p[k] for k in SISTER} for p in mine] == [SISTER]


def test_bad_input_is_refused_naming_the_field_and_stores_nothing(client, accounts):
    pair = linked_pair(client, accounts)
    before = ipt_rows(client.application)
    cases = {
        "closeness": {**SISTER, "closeness": 6},
        "role": {**SISTER, "role": "boss"},
        "contact": {**SISTER, "contact": "hourly"},
        "name": {**SISTER, "name": "   "},
        "satisfying": {**SISTER, "satisfying": "x" * 2001},
        "nickname": {**SISTER, "nickname": "M"},
    }
    for field, body in cases.items():
        response = client.post(pair.own("/inventory"), json=body, headers=pair.client.headers)
        assert response.status_code == 422, (field, response.json)
        assert field in response.json["errors"], (field, response.json)
        assert field in response.json["message"]
    missing = client.post(pair.own("/inventory"), json={"name": "X"}, headers=pair.client.headers)
    assert missing.status_code == 422
    assert {"role", "contact", "closeness"} <= set(missing.json["errors"])
    assert ipt_rows(client.application) == before


def test_the_inventory_is_bounded(client, accounts, monkeypatch):
    from api.services.ipt import inventory

    monkeypatch.setattr(inventory, "MAX_PEOPLE", 2)
    pair = linked_pair(client, accounts)
    for _ in range(2):
        ok = client.post(pair.own("/inventory"), json=COLLEAGUE, headers=pair.client.headers)
        assert ok.status_code == 201
    full = client.post(pair.own("/inventory"), json=COLLEAGUE, headers=pair.client.headers)
    assert full.status_code == 409 and "at most 2" in full.json["message"]


MARKERS = {
    "inventory": "Quillbrook-Sister-Marker",
    "goal": "Tamarind-Goal-Marker",
    "task": "Juniper-Task-Marker",
    "plan": "Obsidian-Plan-Marker",
}


def _ipt_records(client, pair) -> None:
    """One of each IPT record, each carrying its marker."""
    people = client.post(
        pair.own("/inventory"),
        json={**SISTER, "satisfying": MARKERS["inventory"]},
        headers=pair.client.headers,
    )
    assert people.status_code == 201, people.json
    goal = client.post(
        pair.twin("/goals"),
        json={"text": MARKERS["goal"], "problem_area": "role_transition"},
        headers=pair.clinician.headers,
    )
    assert goal.status_code == 201, goal.json
    task = client.post(
        pair.twin("/tasks"),
        json={"text": MARKERS["task"], "due": "2026-10-10"},
        headers=pair.clinician.headers,
    )
    assert task.status_code == 201, task.json
    sign = {"pole": "elevated", "stage": "early", "text": MARKERS["plan"], "actions": ["Rest"]}
    plan = client.put(
        pair.own("/plan"),
        json={"signs": [sign]},
        headers={**pair.client.headers, "If-Match": '"0"'},
    )
    assert plan.status_code == 200, plan.json


def test_a_study_export_holds_none_of_it(client, accounts):
    """Research exports read only the diary and life events (api/services/export/)."""
    researcher = accounts.staff("researcher")
    study = create(client, researcher, data_from="2026-09-01", consent_covers_earlier_data=True)
    pairs = [linked_pair(client, accounts) for _ in range(2)]
    for pair in pairs:
        entry = client.put(
            f"{API}/entries/2026-10-05",
            json={"mood": 1, "activities": {"out_of_bed": {"time": "07:00"}}},
            headers=pair.client.headers,
        )
        assert entry.status_code == 201, entry.json
        _ipt_records(client, pair)
        assert join(client, pair.client, study).status_code == 201
    for fmt in ("csv", "parquet"):
        members = unzip(download(client, researcher, study["id"], fmt).data)
        assert any(name.startswith("daily.") for name in members), sorted(members)
        if fmt == "csv":  # both participants' diaries are there: the export did run
            assert len({row["pseudonym"] for row in csv_rows(members, "daily")}) == 2
        everything = b"".join(members.values())
        for marker in MARKERS.values():
            assert marker.encode() not in everything, (fmt, marker)
        for word in (b"inventory", b"relapse", b"goal", b"Maya"):
            assert word not in everything.lower(), (fmt, word)


def test_the_personal_export_holds_it_and_erasure_removes_it(client, accounts):
    pair = linked_pair(client, accounts)
    _ipt_records(client, pair)
    other = linked_pair(client, accounts)
    _ipt_records(client, other)
    exported = client.get(f"{API}/me/export", headers=pair.client.headers)
    assert exported.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(exported.data))
    parts = {
        name: json.loads(archive.read(f"{name}.json"))
        for name in ("ipt_inventory", "ipt_goals", "ipt_tasks", "relapse_plan_versions")
    }
    assert parts["ipt_inventory"][0]["satisfying"] == MARKERS["inventory"]
    assert [g["text"] for g in parts["ipt_goals"]] == [MARKERS["goal"]]
    assert [t["text"] for t in parts["ipt_tasks"]] == [MARKERS["task"]]
    (plan,) = parts["relapse_plan_versions"]
    assert plan["version"] == 1 and plan["content"]["signs"][0]["text"] == MARKERS["plan"]
    assert "ipt_goal_reviews.json" in archive.namelist()

    tables = ("ipt_inventory", "ipt_goals", "ipt_tasks", "relapse_plan_versions")

    def rows_of(user_id: int) -> dict[str, int]:
        with client.application.app_context():
            session = db.session()
            return {
                name: session.scalar(
                    sa.select(sa.func.count())
                    .select_from(Base.metadata.tables[name])
                    .where(Base.metadata.tables[name].c.client_id == user_id)
                )
                for name in tables
            }

    assert set(rows_of(pair.client.id).values()) == {1}
    erased = client.delete(f"{API}/me", json={"password": PASSWORD}, headers=pair.client.headers)
    assert erased.status_code == 204, erased.json
    assert set(rows_of(pair.client.id).values()) == {0}
    assert set(rows_of(other.client.id).values()) == {1}
