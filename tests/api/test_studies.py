"""Studies: researchers create them, clients join by code with consent and may withdraw."""

import re

import sqlalchemy as sa

from api.models import AuditEvent, StudyConsent, StudyParticipant
from tests.api.care import link

STUDY = {
    "name": "Rhythm and mood",
    "description": "Twelve weeks of diaries",
    "consent_version": "2026-01",
    "consent_text": "I agree that my de-identified diary may be used for research.",
}


def create(client, researcher, **changes) -> dict:
    response = client.post("/api/v1/studies", json={**STUDY, **changes}, headers=researcher.headers)
    assert response.status_code == 201, response.json
    return response.json


def join(client, account, study: dict, version: str | None = None):
    return client.post(
        "/api/v1/studies/join",
        json={"code": study["code"], "consent_version": version or study["consent_version"]},
        headers=account.headers,
    )


def _rows(app, model, **where):
    with app.extensions["cadence.engine"].connect() as connection:
        query = sa.select(model.__table__)
        for key, value in where.items():
            query = query.where(model.__table__.c[key] == value)
        return connection.execute(query).mappings().all()


def test_researcher_creates_and_reads_back_a_study(client, accounts):
    researcher = accounts.staff("researcher")
    study = create(client, researcher)
    assert re.fullmatch(r"[A-HJ-KM-NP-Z2-9]{5}-[A-HJ-KM-NP-Z2-9]{5}", study["code"])
    assert study["participants"] == {"consenting": 0, "withdrawn": 0}
    assert {k: study[k] for k in STUDY} == STUDY
    again = client.get(f"/api/v1/studies/{study['id']}", headers=researcher.headers)
    assert again.status_code == 200
    assert again.json == study
    listed = client.get("/api/v1/studies", headers=researcher.headers).json["studies"]
    assert listed == [study]
    # Random codes: a second study gets another.
    assert create(client, researcher)["code"] != study["code"]


def test_study_input_is_validated(client, accounts):
    researcher = accounts.staff("researcher")
    for body, field in (
        ({**STUDY, "name": ""}, "name"),
        ({**STUDY, "name": "x" * 121}, "name"),
        ({**STUDY, "consent_version": "v" * 41}, "consent_version"),
        ({**STUDY, "consent_text": ""}, "consent_text"),
        ({**STUDY, "consent_text": "x" * 20001}, "consent_text"),
        ({**STUDY, "owner_id": 1}, "owner_id"),
        ({k: v for k, v in STUDY.items() if k != "consent_text"}, "consent_text"),
    ):
        response = client.post("/api/v1/studies", json=body, headers=researcher.headers)
        assert response.status_code == 422, body
        assert field in response.json["errors"], response.json


def test_roles_are_checked(client, accounts):
    researcher, patient = accounts.staff("researcher"), accounts.client_account()
    clinician = accounts.staff("clinician")
    study = create(client, researcher)
    for account in (patient, clinician):
        assert (
            client.post("/api/v1/studies", json=STUDY, headers=account.headers).status_code == 403
        )
        assert client.get("/api/v1/studies", headers=account.headers).status_code == 403
        export = client.get(f"/api/v1/studies/{study['id']}/export", headers=account.headers)
        assert export.status_code == 403
    assert join(client, researcher, study).status_code == 403
    assert join(client, clinician, study).status_code == 403
    assert client.get("/api/v1/studies/joined", headers=researcher.headers).status_code == 403
    assert client.get("/api/v1/studies", headers={}).status_code == 401


def test_another_researchers_study_is_not_found(client, accounts):
    owner, other = accounts.staff("researcher"), accounts.staff("researcher")
    study = create(client, owner)
    for url in (f"/api/v1/studies/{study['id']}", f"/api/v1/studies/{study['id']}/export"):
        response = client.get(url, headers=other.headers)
        assert response.status_code == 404
        assert study["code"] not in response.get_data(as_text=True)
    assert client.get("/api/v1/studies", headers=other.headers).json == {"studies": []}


def test_client_joins_with_consent_and_counts_follow(app, client, accounts):
    researcher = accounts.staff("researcher")
    first, second = accounts.client_account(), accounts.client_account()
    study = create(client, researcher)
    response = join(client, first, {**study, "code": study["code"].lower().replace("-", " ")})
    assert response.status_code == 201, response.json
    assert response.json["study"] == {
        "id": study["id"],
        "name": STUDY["name"],
        "consent_version": STUDY["consent_version"],
        "consent_text": STUDY["consent_text"],
    }
    assert response.json["joined_at"]
    assert join(client, second, study).status_code == 201
    joined = client.get("/api/v1/studies/joined", headers=first.headers).json["studies"]
    assert [(s["id"], s["name"], s["consent_version"]) for s in joined] == [
        (study["id"], STUDY["name"], STUDY["consent_version"])
    ]
    assert (
        client.delete(f"/api/v1/studies/{study['id']}/consent", headers=second.headers).status_code
        == 204
    )
    read = client.get(f"/api/v1/studies/{study['id']}", headers=researcher.headers).json
    assert read["participants"] == {"consenting": 1, "withdrawn": 1}
    assert client.get("/api/v1/studies/joined", headers=second.headers).json == {"studies": []}
    actions = [
        (e["action"], e["outcome"], e["subject_id"])
        for e in _rows(app, AuditEvent)
        if e["action"].startswith("research:")
    ]
    assert ("research:join", "ok", first.id) in actions
    assert ("research:withdraw", "ok", second.id) in actions


def test_join_errors(client, accounts):
    researcher, patient = accounts.staff("researcher"), accounts.client_account()
    study = create(client, researcher)
    wrong_version = join(client, patient, study, version="2025-12")
    assert wrong_version.status_code == 422
    assert list(wrong_version.json["errors"]) == ["consent_version"]
    unknown = join(client, patient, {**study, "code": "ZZZZZ-ZZZZZ"})
    assert unknown.status_code == 422
    assert list(unknown.json["errors"]) == ["code"]
    missing = client.post(
        "/api/v1/studies/join", json={"code": study["code"]}, headers=patient.headers
    )
    assert missing.status_code == 422 and "consent_version" in missing.json["errors"]
    assert join(client, patient, study).status_code == 201
    assert join(client, patient, study).status_code == 409


def test_rejoining_keeps_pseudonym_and_shift_with_a_new_consent_row(app, client, accounts):
    researcher, patient = accounts.staff("researcher"), accounts.client_account()
    study = create(client, researcher)
    assert join(client, patient, study).status_code == 201
    (before,) = _rows(app, StudyParticipant, client_id=patient.id)
    assert before["pseudonym"] and before["shift_weeks"] != 0
    assert -52 <= before["shift_weeks"] <= 52
    url = f"/api/v1/studies/{study['id']}/consent"
    assert client.delete(url, headers=patient.headers).status_code == 204
    assert client.delete(url, headers=patient.headers).status_code == 404
    assert join(client, patient, study).status_code == 201
    (after,) = _rows(app, StudyParticipant, client_id=patient.id)
    assert (after["pseudonym"], after["shift_weeks"]) == (
        before["pseudonym"],
        before["shift_weeks"],
    )
    consents = _rows(app, StudyConsent, client_id=patient.id)
    assert len(consents) == 2
    assert sorted(c["withdrawn_at"] is None for c in consents) == [False, True]


def test_withdrawing_from_a_study_not_joined_is_not_found(client, accounts):
    researcher, patient = accounts.staff("researcher"), accounts.client_account()
    study = create(client, researcher)
    assert (
        client.delete(f"/api/v1/studies/{study['id']}/consent", headers=patient.headers).status_code
        == 404
    )
    assert (
        client.delete("/api/v1/studies/987654/consent", headers=patient.headers).status_code == 404
    )


def test_research_consent_is_separate_from_care(client, accounts):
    """Sharing with a clinician joins no study, and leaving a study leaves the care link."""
    researcher, clinician = accounts.staff("researcher"), accounts.staff("clinician")
    patient = accounts.client_account()
    study = create(client, researcher)
    link(client, clinician, patient)
    assert client.get("/api/v1/studies/joined", headers=patient.headers).json == {"studies": []}
    read = client.get(f"/api/v1/studies/{study['id']}", headers=researcher.headers).json
    assert read["participants"]["consenting"] == 0
    assert join(client, patient, study).status_code == 201
    client.delete(f"/api/v1/studies/{study['id']}/consent", headers=patient.headers)
    links = client.get("/api/v1/care/links", headers=patient.headers).json["links"]
    assert len(links) == 1
    # A researcher gets nothing from the client routes, study or no study.
    assert (
        client.get(f"/api/v1/clients/{patient.id}/entries", headers=researcher.headers).status_code
        == 404
    )


def test_study_list_counts_come_from_one_query(app, client, accounts):
    researcher = accounts.staff("researcher")
    studies = [create(client, researcher, name=f"S{i}") for i in range(4)]
    for study in studies[:3]:
        assert join(client, accounts.client_account(), study).status_code == 201
    statements = []

    def count(conn, cursor, statement, *args):
        if "study_participants" in statement:
            statements.append(statement)

    engine = app.extensions["cadence.engine"]
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        listed = client.get("/api/v1/studies", headers=researcher.headers).json["studies"]
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert [s["participants"]["consenting"] for s in listed] == [1, 1, 1, 0]
    assert len(statements) == 1


def test_a_client_reads_the_consent_text_before_joining(client, accounts):
    researcher = accounts.staff("researcher")
    study = create(client, researcher)
    patient = accounts.client_account()
    preview = client.get(
        f"/api/v1/studies/join?code={study['code'].lower()}", headers=patient.headers
    )
    assert preview.status_code == 200
    assert preview.json["study"] == {
        "id": study["id"],
        "name": study["name"],
        "consent_version": study["consent_version"],
        "consent_text": study["consent_text"],
    }
    assert client.get("/api/v1/studies/joined", headers=patient.headers).json["studies"] == []
    unknown = client.get("/api/v1/studies/join?code=AAAAA-AAAAA", headers=patient.headers)
    assert unknown.status_code == 422 and "code" in unknown.json["errors"]
    assert client.get("/api/v1/studies/join", headers=patient.headers).status_code == 422
    staff = client.get(f"/api/v1/studies/join?code={study['code']}", headers=researcher.headers)
    assert staff.status_code == 403
