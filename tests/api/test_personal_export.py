"""`GET /api/v1/me/export`: every part of a person's data, theirs only, in JSON and CSV."""

import csv
import io
import json
import zipfile

import sqlalchemy as sa

from api import db
from api.models import AuditEvent, StudyParticipant
from api.services.personal_export import PARTS
from tests.api.personal_data import full_person

EXPORT = "/api/v1/me/export"


def _zip(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response.get_data(as_text=True)[:200]
    return zipfile.ZipFile(io.BytesIO(response.data))


def test_the_zip_holds_every_part_with_the_persons_rows_and_nobody_elses(app, client, accounts):
    clinician = accounts.staff("clinician")
    researcher = accounts.staff("researcher")
    mine = full_person(app, client, accounts, clinician, researcher, "MINE")
    other = full_person(app, client, accounts, clinician, researcher, "OTHER")
    person = mine.account
    client.get(f"/api/v1/clients/{person.id}/entries", headers=clinician.headers)

    response = client.get(EXPORT, headers=person.headers)

    archive = _zip(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "application/zip"
    names = set(archive.namelist())
    expected = {
        "profile", "diary", "diary_activities", "targets", "life_events", "flags",
        "flag_settings", "care_links", "study_participation", "study_consents", "reminders",
        "push_subscriptions", "sessions", "access_log",
    }  # fmt: skip
    assert expected <= {p.name for p in PARTS}
    assert names == {"README.txt"} | {f"{p.name}.{x}" for p in PARTS for x in ("json", "csv")}
    parts = {p.name: json.loads(archive.read(f"{p.name}.json")) for p in PARTS}
    for name in expected - {"access_log"}:
        assert parts[name], f"{name} is empty"
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode())))
        assert len(rows) == len(parts[name]), name
    assert parts["profile"] == [parts["profile"][0]] and parts["profile"][0]["id"] == person.id
    assert len(parts["diary"]) == 14 and mine.note in [d["note"] for d in parts["diary"]]
    # The day rewritten with a note only has no anchors left.
    assert {a["entry_id"] for a in parts["diary_activities"]} < {d["id"] for d in parts["diary"]}
    assert parts["life_events"][0]["note"] == mine.event_note
    assert any(f["acknowledged_by"] == clinician.id for f in parts["flags"])
    assert [link["id"] for link in parts["care_links"]] == [mine.link_id]
    assert [s["study_id"] for s in parts["study_participation"]] == [mine.study_id]
    assert [s["endpoint"] for s in parts["push_subscriptions"]] == [mine.endpoint]
    assert {e["actor_id"] for e in parts["access_log"]} >= {clinician.id}
    assert all(e["actor_id"] != person.id for e in parts["access_log"])
    # Nothing of the other client, no secrets, not the research pseudonym.
    everything = b"".join(archive.read(n) for n in names).decode()
    with app.app_context():
        pseudonym = db.session().scalar(
            sa.select(StudyParticipant.pseudonym).where(StudyParticipant.client_id == person.id)
        )
    for absent in (other.note, other.event_note, other.endpoint, other.account.email, pseudonym):
        assert absent not in everything
    for secret in ("password_hash", "token_hash", "pseudonym", "shift_weeks", "p256dh"):
        assert secret not in everything.replace("pseudonym and date shift", "")
    readme = archive.read("README.txt").decode()
    assert all(f"{p.name}.json" in readme for p in PARTS) and "pseudonym" in readme
    with app.app_context():
        (event,) = db.session().scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "account:export")
        )
    assert (event.actor_id, event.subject_id) == (person.id, person.id)
    assert event.detail["rows"]["diary"] == 14


def test_staff_may_download_their_own_data_too(app, client, accounts):
    clinician = accounts.staff("clinician")

    archive = _zip(client.get(EXPORT, headers=clinician.headers))

    profile = json.loads(archive.read("profile.json"))
    assert [p["email"] for p in profile] == [clinician.email]
    assert json.loads(archive.read("diary.json")) == []
    assert client.get(EXPORT).status_code == 401
