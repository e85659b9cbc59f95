"""The FHIR R4 export (GET /fhir, GET /clients/{id}/fhir, `flask export fhir`): bundles of
real diaries written through the API, validated with the `fhir.resources` models, every
reference resolved inside the bundle, and held to the access rules."""

import json
import os
import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from fhir.resources.R4B.bundle import Bundle

from api import db
from api.models import AuditEvent
from api.services.fhir import codes
from api.services.fhir.bundle import validated
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.authenticator import Authenticator

LOINC = "http://loinc.org"
CADENCE = "https://cadence.example/fhir/CodeSystem/"
# A Tuesday after the last week of diary; 25 October 2026 is the end of British summer time.
NOW = datetime(2026, 11, 10, 10, tzinfo=UTC)
MONDAYS = [date(2026, 10, 12) + timedelta(weeks=n) for n in range(4)]
LONDON = "Europe/London"
NAME = "Fern Fhir"


def valid(response) -> dict:
    """The bundle, after checking it as FHIR and that each reference names one of its
    entries."""
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/fhir+json"
    body = json.loads(response.get_data(as_text=True))
    bundle = Bundle.model_validate(body)
    assert bundle.type == "collection"
    urls = [e["fullUrl"] for e in body["entry"]]
    assert len(urls) == len(set(urls))
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", url) for url in urls)
    references = list(_references(body))
    assert references, "a bundle without references proves nothing about them"
    assert [r for r in references if r not in set(urls)] == []
    return body


def _references(node):
    if isinstance(node, dict):
        if isinstance(node.get("reference"), str):  # Consent's actor.reference is a Reference
            yield node["reference"]
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)


def of_type(body: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in body["entry"] if e["resource"]["resourceType"] == kind]


def coded(resource: dict, system: str) -> str | None:
    codings = resource["code"]["coding"]
    return next((c["code"] for c in codings if c["system"] == system), None)


def observations(body: dict, system: str, code: str) -> list[dict]:
    return [o for o in of_type(body, "Observation") if coded(o, system) == code]


def component(observation: dict, code: str):
    for part in observation.get("component", []):
        if part["code"]["coding"][0]["code"] == code:
            return next(v for k, v in part.items() if k.startswith("value"))
    return None


def codes_are_defined(body: dict) -> None:
    """Every code of a Cadence system is defined by the CodeSystem the bundle carries."""
    defined = {
        (system["url"], concept["code"])
        for system in of_type(body, "CodeSystem")
        for concept in system["concept"]
    }
    used = set()

    def walk(node):
        if isinstance(node, dict):
            if str(node.get("system", "")).startswith(CADENCE):
                used.add((node["system"], node["code"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk([e["resource"] for e in body["entry"] if e["resource"]["resourceType"] != "CodeSystem"])
    assert used and used <= defined, used - defined


# --- the demo caseload ---------------------------------------------------------------------


@pytest.fixture
def demo(client, runner):
    """The seeded demo: the clinician's headers and the three clients' (id, name, headers)."""
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    sign_ins = re.findall(
        r"(clinician|client)\s+(\S+@demo\.cadence\.example)\s+(\S+)", result.output
    )
    _, email, password = sign_ins[0]
    otp = Authenticator.from_output(result.output).code()
    token = client.post(
        "/api/v1/auth/token", json={"email": email, "password": password, "otp": otp}
    ).json["token"]
    doctor = {"Authorization": f"Bearer {token}"}
    rows = client.get("/api/v1/clinician/caseload", headers=doctor).json["clients"]
    return doctor, {r["client"]["display_name"]: r["client"]["id"] for r in rows}, sign_ins


def test_each_demo_clients_bundle_validates_resolves_and_round_trips(client, demo):
    doctor, clients, sign_ins = demo
    assert set(clients) == {"Sam Steady", "Dana Drifting", "Theo Traveller"}
    for name, client_id in clients.items():
        response = client.get(f"/api/v1/clients/{client_id}/fhir", headers=doctor)
        body = valid(response)
        codes_are_defined(body)
        text = response.get_data(as_text=True)
        # Round trip: the library reads the JSON back and writes the same content.
        again = Bundle.model_validate_json(text).model_dump_json()
        assert json.loads(again) == body

        (patient,) = of_type(body, "Patient")
        assert patient["name"] == [{"text": name}]
        assert patient["identifier"][0]["value"] == str(client_id)
        assert "@" not in text, "no email address leaves in the bundle"
        # Eight weeks of diary: anchors and mood every day, a night for nearly every one.
        assert len(observations(body, codes.SOCIAL_RHYTHM, "out_of_bed")) >= 50
        assert len(observations(body, codes.SOCIAL_RHYTHM, "mood")) >= 50
        nights = observations(body, LOINC, "93832-4")
        assert len(nights) >= 50
        assert {n["valueQuantity"]["code"] for n in nights} == {"min"}
        assert observations(body, codes.SOCIAL_RHYTHM, "srm")
        assert observations(body, codes.SOCIAL_RHYTHM, "srm5")
        (consent,) = of_type(body, "Consent")
        (practitioner,) = of_type(body, "Practitioner")
        assert consent["status"] == "active"
        assert practitioner["name"] == [{"text": "Dr Demo"}]

        open_flags = client.get(
            f"/api/v1/clients/{client_id}/flags?status=open", headers=doctor
        ).json["flags"]
        flags = of_type(body, "Flag")
        assert sorted(coded(f, codes.FLAG_RULE) for f in flags) == sorted(
            f["rule"] for f in open_flags
        )
        if name == "Dana Drifting":
            assert any(f["severity"] == "high" for f in open_flags)
            priorities = {
                f["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] for f in flags
            }
            assert "PH" in priorities
        if name == "Sam Steady":
            goals = {
                g["target"][0]["measure"]["coding"][0]["code"]: g for g in of_type(body, "Goal")
            }
            assert set(goals) == {"out_of_bed", "to_bed"}
            assert goals["to_bed"]["target"][0]["detailString"] == "23:00"
        if name == "Theo Traveller":
            # The trip's nights keep their own clocks: New York's offset on the trip's days.
            offsets = {n["effectivePeriod"]["end"][19:] for n in nights}
            assert {"-05:00", "-04:00"} & offsets and {"Z", "+01:00"} & offsets


# --- one client's diary, to the minute -----------------------------------------------------


@pytest.fixture
def fern(client, accounts):
    """A client in London with four weeks of diary around the end of summer time (moods and
    people vary, one bedtime is after midnight), a linked clinician, and the clock at NOW."""
    with time_machine.travel(NOW, tick=False):
        patient = accounts.client_account(timezone=LONDON, display_name=NAME)
        doctor = accounts.staff("clinician")
        link(client, doctor, patient)
        for n, monday in enumerate(MONDAYS):
            columns = steady()
            if n == 1:
                columns["to_bed"] = ["23:00", "23:00", "00:45", "23:00", "23:00", "23:00", "23:00"]
            log_week(
                client,
                patient,
                monday,
                columns,
                timezone=LONDON,
                moods=[n - 2, 0, 1, -1, 2, 3, -3],
                # The last week alone at first contact: an isolation flag after the range.
                people={"first_contact": [0] * 7 if n == 3 else [0, 1, 2, 3, 0, 1, 2]},
            )
        yield patient, doctor


def fern_bundle(client, who, path, start="2026-10-14", end="2026-11-01"):
    with time_machine.travel(NOW, tick=False):
        return valid(client.get(f"{path}?from={start}&to={end}", headers=who.headers))


def test_anchors_mood_and_sleep_are_exported_to_the_minute_within_the_range(client, fern):
    patient, doctor = fern
    body = fern_bundle(client, doctor, f"/api/v1/clients/{patient.id}/fhir")
    codes_are_defined(body)
    days = {date(2026, 10, 14) + timedelta(days=i) for i in range(19)}

    anchors = [o for o in of_type(body, "Observation") if coded(o, codes.SOCIAL_RHYTHM) in steady()]
    assert len(anchors) == 19 * 5  # the diary holds 13 October and 2 November too
    assert {date.fromisoformat(component(o, "diary-day")) for o in anchors} == days
    by_key = {(component(o, "diary-day"), coded(o, codes.SOCIAL_RHYTHM)): o for o in anchors}
    summer = by_key[("2026-10-14", "out_of_bed")]
    assert summer["effectiveDateTime"] == "2026-10-14T07:00:00+01:00"
    assert summer["valueTime"] == "07:00:00"
    assert by_key[("2026-10-28", "out_of_bed")]["effectiveDateTime"] == "2026-10-28T07:00:00Z"
    late = by_key[("2026-10-21", "to_bed")]  # 00:45 after Wednesday: Thursday's calendar date
    assert late["effectiveDateTime"] == "2026-10-22T00:45:00+01:00"
    assert late["valueTime"] == "00:45:00"
    assert component(by_key[("2026-10-15", "first_contact")], "people") == 3
    assert component(summer, "people") is None  # not recorded for this anchor

    moods = {
        o["effectiveDateTime"]: o["valueInteger"]
        for o in observations(body, codes.SOCIAL_RHYTHM, "mood")
    }
    assert set(moods) == {d.isoformat() for d in days}
    assert moods["2026-10-19"] == -1 and moods["2026-11-01"] == -3

    nights = {o["effectivePeriod"]["end"][:10]: o for o in observations(body, LOINC, "93832-4")}
    assert set(nights) == {d.isoformat() for d in days}
    assert nights["2026-10-14"]["effectivePeriod"]["start"] == "2026-10-13T23:00:00+01:00"
    assert nights["2026-10-14"]["valueQuantity"] == {
        "value": 480,
        "unit": "min",
        "system": "http://unitsofmeasure.org",
        "code": "min",
    }
    assert nights["2026-10-22"]["valueQuantity"]["value"] == 375  # 00:45 to 07:00
    assert nights["2026-10-25"]["valueQuantity"]["value"] == 540  # the clocks went back
    assert nights["2026-10-25"]["effectivePeriod"]["end"] == "2026-10-25T07:00:00Z"


def test_weekly_srm_covers_the_whole_weeks_of_the_range_and_matches_the_scores(client, fern):
    patient, doctor = fern
    body = fern_bundle(client, doctor, f"/api/v1/clients/{patient.id}/fhir")
    with time_machine.travel(NOW, tick=False):
        scores = client.get(
            f"/api/v1/clients/{patient.id}/scores/weekly?from=2026-10-19&to=2026-11-01",
            headers=doctor.headers,
        ).json["scores"]
    for code in ("srm", "srm5"):
        found = observations(body, codes.SOCIAL_RHYTHM, code)
        # 14-18 October and the week of 2 November lie partly outside the range.
        assert [o["effectivePeriod"] for o in found] == [
            {"start": "2026-10-19", "end": "2026-10-25"},
            {"start": "2026-10-26", "end": "2026-11-01"},
        ]
        assert [o["valueQuantity"]["value"] for o in found] == [round(s[code], 2) for s in scores]
        assert all(o["valueQuantity"]["code"] == "{score}" for o in found)
        assert [component(o, "days-logged") for o in found] == [7, 7]
        assert all(o["status"] == "final" for o in found)
        assert "cadence-srm/1.0" in found[0]["method"]["text"]


def test_the_default_range_is_the_last_twelve_weeks(client, fern, accounts):
    patient, _ = fern
    late = datetime(2027, 1, 19, 10, tzinfo=UTC)  # the 84 days from 28 October
    with time_machine.travel(late, tick=False):
        headers = {"Authorization": f"Bearer {accounts.sign_in(patient.email)}"}
        body = valid(client.get("/api/v1/fhir", headers=headers))
    moods = sorted(o["effectiveDateTime"] for o in observations(body, codes.SOCIAL_RHYTHM, "mood"))
    assert moods[0] == "2026-10-28" and moods[-1] == "2026-11-08"
    assert [
        o["effectivePeriod"]["start"] for o in observations(body, codes.SOCIAL_RHYTHM, "srm")
    ] == ["2026-11-02"]


def test_goals_flags_and_consents_are_current_state(client, fern, accounts):
    patient, doctor = fern
    with time_machine.travel(NOW, tick=False):
        response = client.put(
            f"/api/v1/clients/{patient.id}/targets",
            json={"targets": {"out_of_bed": {"time": "07:15"}, "to_bed": {"time": "00:30"}}},
            headers=doctor.headers,
        )
        assert response.status_code == 200, response.json
        flags = client.get(
            f"/api/v1/clients/{patient.id}/flags?status=open", headers=patient.headers
        ).json["flags"]
    body = fern_bundle(client, doctor, f"/api/v1/clients/{patient.id}/fhir", end="2026-10-25")
    goals = {g["target"][0]["measure"]["coding"][0]["code"]: g for g in of_type(body, "Goal")}
    assert goals["to_bed"]["target"][0]["detailString"] == "00:30 (after midnight)"
    assert goals["out_of_bed"]["description"]["text"] == "Out of bed at 07:15"
    assert all(g["lifecycleStatus"] == "active" for g in goals.values())
    # Open flags whatever their dates: the isolation flag's window is after the range.
    isolation = next(f for f in flags if f["rule"] == "isolation")
    assert isolation["window_start"] > "2026-10-25"
    exported = {coded(f, codes.FLAG_RULE): f for f in of_type(body, "Flag")}
    assert sorted(exported) == sorted(f["rule"] for f in flags)
    assert exported["isolation"]["period"] == {"start": isolation["window_start"]}
    priority = exported["isolation"]["extension"][0]
    assert priority["url"] == "http://hl7.org/fhir/StructureDefinition/flag-priority"
    assert priority["valueCodeableConcept"]["coding"][0]["code"] == "PM"  # medium
    # Acknowledged, a flag is not open any more, so not exported.
    with time_machine.travel(NOW, tick=False):
        acked = client.post(
            f"/api/v1/clients/{patient.id}/flags/{isolation['id']}/ack", headers=doctor.headers
        )
        assert acked.status_code == 200, acked.json
    body = fern_bundle(client, doctor, f"/api/v1/clients/{patient.id}/fhir", end="2026-10-25")
    assert "isolation" not in {coded(f, codes.FLAG_RULE) for f in of_type(body, "Flag")}


def test_a_clinician_sees_only_their_own_consent_and_the_client_sees_every_one(
    client, fern, accounts
):
    patient, doctor = fern
    with time_machine.travel(NOW, tick=False):
        earlier = accounts.staff("clinician")
        link_id = link(client, earlier, patient)
        revoked = client.delete(f"/api/v1/care/links/{link_id}", headers=patient.headers)
        assert revoked.status_code in (200, 204), revoked.get_data(as_text=True)
    own = fern_bundle(client, patient, "/api/v1/fhir")
    consents = of_type(own, "Consent")
    assert sorted(c["status"] for c in consents) == ["active", "inactive"]
    ended = next(c for c in consents if c["status"] == "inactive")
    assert ended["provision"]["period"]["end"].startswith("2026-11-10")
    assert len(of_type(own, "Practitioner")) == 2
    seen = fern_bundle(client, doctor, f"/api/v1/clients/{patient.id}/fhir")
    (consent,) = of_type(seen, "Consent")
    assert consent["status"] == "active"
    (practitioner,) = of_type(seen, "Practitioner")
    assert practitioner["identifier"][0]["value"] == str(doctor.id)
    # The same record has the same ids in both.
    same = {e["fullUrl"] for e in own["entry"]} & {e["fullUrl"] for e in seen["entry"]}
    assert len(same) > 100


def test_the_patient_is_minimal(client, accounts):
    with time_machine.travel(NOW, tick=False):
        nameless = accounts.client_account()
        log_week(client, nameless, MONDAYS[0], steady())
        body = valid(
            client.get("/api/v1/fhir?from=2026-10-12&to=2026-10-18", headers=nameless.headers)
        )
    (patient,) = of_type(body, "Patient")
    assert "name" not in patient and "telecom" not in patient
    # The account in a namespace of this deployment's address (CADENCE_PUBLIC_URL).
    assert patient["identifier"] == [
        {
            "use": "secondary",
            "system": "http://127.0.0.1:8000/fhir/account",
            "value": str(nameless.id),
        }
    ]
    assert nameless.email not in json.dumps(body)


def test_every_scale_answer_is_a_questionnaire_response_with_its_total(client, fern):
    patient, doctor = fern
    sent = [
        ("phq9", "2026-10-20", [1, 0, 2, None, 1, 0, 0, 1, 0]),  # one unanswered: prorated
        ("gad7", "2026-10-21", [0, 1, 1, 0, 2, 0, 1]),
        ("asrm", "2026-10-22", [1, 0, 2, 1, 2]),
        ("qids_sr16", "2026-10-23", [1] * 16),
        ("phq9", "2026-11-05", [0] * 9),  # after the range
    ]
    stored = {}
    with time_machine.travel(NOW, tick=False):
        for instrument, day, answers in sent:
            response = client.post(
                "/api/v1/responses",
                json={"instrument": instrument, "answers": answers, "answered_on": day},
                headers=patient.headers,
            )
            assert response.status_code == 201, response.json
            stored[day] = response.json
    body = fern_bundle(client, doctor, f"/api/v1/clients/{patient.id}/fhir")
    codes_are_defined(body)
    answered = {e["fullUrl"]: e["resource"] for e in body["entry"]}
    responses = {r["authored"]: r for r in of_type(body, "QuestionnaireResponse")}
    assert sorted(responses) == ["2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23"]
    phq9 = responses["2026-10-20"]
    assert phq9["status"] == "completed"
    assert phq9["questionnaire"].startswith("https://cadence.example/fhir/Questionnaire/phq9|")
    assert [i["linkId"] for i in phq9["item"]] == ["1", "2", "3", "5", "6", "7", "8", "9"]
    first = phq9["item"][0]
    assert first["text"] == "Little interest or pleasure in doing things"
    coding = first["answer"][0]["valueCoding"]
    assert (coding["system"], coding["code"], coding["display"]) == (
        LOINC,
        "LA6569-3",
        "Several days",
    )
    assert coding["extension"][0]["valueDecimal"] == 1
    asrm = responses["2026-10-22"]
    assert [i["answer"][0]["valueInteger"] for i in asrm["item"]] == [1, 0, 2, 1, 2]

    totals = {
        o["effectiveDateTime"]: o for o in of_type(body, "Observation") if o.get("derivedFrom")
    }
    assert sorted(totals) == sorted(responses)
    expected = {
        "2026-10-20": (LOINC, "44261-6"),
        "2026-10-21": (LOINC, "70274-6"),
        "2026-10-22": (codes_url("scale-total"), "asrm-total"),
        "2026-10-23": (codes_url("scale-total"), "qids_sr16-total"),
    }
    for day, (system, code) in expected.items():
        total = totals[day]
        assert coded(total, system) == code
        assert total["valueQuantity"]["value"] == stored[day]["total"]
        assert total["interpretation"] == [{"text": stored[day]["band"]}]
        (source,) = total["derivedFrom"]
        assert answered[source["reference"]] is responses[day]
    assert (
        stored["2026-10-20"]["prorated"] and "Prorated" in totals["2026-10-20"]["note"][0]["text"]
    )
    assert "note" not in totals["2026-10-21"]


def codes_url(name: str) -> str:
    return CADENCE + name


# --- access and input ----------------------------------------------------------------------


def test_only_the_client_and_their_linked_clinician_get_the_bundle(client, fern, accounts):
    patient, doctor = fern
    with time_machine.travel(NOW, tick=False):
        stranger = accounts.staff("clinician")
        other = accounts.client_account()
        path = f"/api/v1/clients/{patient.id}/fhir"
        assert client.get(path, headers=stranger.headers).status_code == 404
        assert client.get(path, headers=other.headers).status_code == 404
        assert client.get("/api/v1/clients/987654/fhir", headers=doctor.headers).status_code == 404
        assert client.get("/api/v1/fhir", headers=doctor.headers).status_code == 403
        assert client.get("/api/v1/fhir").status_code == 401
    own = fern_bundle(client, patient, "/api/v1/fhir")
    (me,) = of_type(own, "Patient")
    assert me["identifier"][0]["value"] == str(patient.id)
    assert me["name"] == [{"text": NAME}]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-11-02&to=2026-11-01", "from"),
        ("from=2024-01-01&to=2026-11-01", "to"),
        ("from=2026-02-30", "from"),
        ("to=01-11-2026", "to"),
    ],
)
def test_a_bad_range_is_a_422_naming_the_field(client, fern, query, field):
    patient, doctor = fern
    with time_machine.travel(NOW, tick=False):
        response = client.get(f"/api/v1/clients/{patient.id}/fhir?{query}", headers=doctor.headers)
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert field in response.json["errors"]


def test_the_service_refuses_a_bundle_that_is_not_valid_fhir():
    patient, other = "urn:uuid:" + "1" * 32, "urn:uuid:" + "2" * 32
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "code": {"text": "Mood"},
        "subject": {"reference": patient},
    }

    def bundle_of(resource):
        return {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"fullUrl": patient, "resource": {"resourceType": "Patient"}},
                {"fullUrl": other, "resource": resource},
            ],
        }

    validated(bundle_of(observation))
    with pytest.raises(ValueError, match="status"):
        validated(bundle_of({k: v for k, v in observation.items() if k != "status"}))
    with pytest.raises(ValueError, match="valueInteger"):
        validated(bundle_of({**observation, "valueInteger": "high"}))
    with pytest.raises(ValueError, match="resolve"):
        validated(bundle_of({**observation, "subject": {"reference": "urn:uuid:" + "3" * 32}}))


# --- the command line ------------------------------------------------------------------------


def test_the_command_writes_an_owner_only_bundle_and_audits_it(app, client, runner, fern, tmp_path):
    patient, _ = fern
    out = tmp_path / "fern.json"
    args = ["export", "fhir", str(patient.id), "--out", str(out)]
    with time_machine.travel(NOW, tick=False):
        result = runner.invoke(args=[*args, "--from", "2026-10-14", "--to", "2026-11-01"])
    assert result.exit_code == 0, result.output
    assert os.stat(out).st_mode & 0o777 == 0o600
    written = json.loads(out.read_text())
    Bundle.model_validate(written)
    own = fern_bundle(client, patient, "/api/v1/fhir")
    assert written["entry"] == own["entry"]  # the operator's bundle is the client's own

    with time_machine.travel(NOW, tick=False):
        again = runner.invoke(args=args)
        assert again.exit_code != 0 and "exists" in again.output
        assert json.loads(out.read_text()) == written
        forced = runner.invoke(
            args=[*args, "--force", "--from", "2026-10-28", "--to", "2026-11-01"]
        )
        assert forced.exit_code == 0, forced.output
        assert os.stat(out).st_mode & 0o777 == 0o600
        moods = observations(json.loads(out.read_text()), codes.SOCIAL_RHYTHM, "mood")
        assert len(moods) == 5
    with app.app_context():
        events = (
            db.session()
            .scalars(sa.select(AuditEvent).where(AuditEvent.action == "fhir:export"))
            .all()
        )
    assert [(e.subject_id, e.outcome, e.detail["via"]) for e in events] == [
        (patient.id, "ok", "cli"),
        (patient.id, "ok", "cli"),
    ]


def test_the_command_refuses_what_it_cannot_export(runner, fern, tmp_path):
    patient, doctor = fern
    out = tmp_path / "x.json"
    for who in (str(doctor.id), "987654"):
        result = runner.invoke(args=["export", "fhir", who, "--out", str(out)])
        assert result.exit_code != 0 and f"No client {who}" in result.output
    bad = runner.invoke(
        args=[
            "export",
            "fhir",
            str(patient.id),
            "--out",
            str(out),
            "--from",
            "2026-11-02",
            "--to",
            "2026-11-01",
        ]
    )
    assert bad.exit_code != 0 and "'from' is after 'to'" in bad.output
    worse = runner.invoke(
        args=["export", "fhir", str(patient.id), "--out", str(out), "--to", "2026-13-01"]
    )
    assert worse.exit_code != 0 and "--to" in worse.output
    assert not out.exists()
