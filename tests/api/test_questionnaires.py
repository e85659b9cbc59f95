"""Validated scales through the API (docs/api-scales.md): the instruments and the crisis text,
answering (item by item, idempotent replay, refusals that name the item), clinicians' reading
and schedules, what is due and its reminder, the scale flags with per-client thresholds, and
the scores in the caseload and the session report."""

import io
import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from pypdf import PdfReader

from api import create_app, db
from api.config import DEFAULT_CRISIS_TEXT, config_for_tests
from api.db import utcnow
from api.models import QuestionnaireAnswer, QuestionnaireResponse, Reminder
from api.services import push, reminders, report_pdf
from tests.api.care import link
from tests.api.test_session_report import _synthetic
from tests.conftest import row_counts
from tests.push_receiver import PushReceiver

PHQ9_17 = [2, 2, 2, 2, 2, 2, 2, 3, 0]  # 17, moderately severe, item 9 "Not at all"
ASRM_7 = [2, 2, 1, 1, 1]


@pytest.fixture
def vapid():
    return push.generate_pair()


@pytest.fixture
def receiver(vapid):
    receiver = PushReceiver(vapid[1]).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def app(database_url, vapid, receiver):
    config = config_for_tests(
        database_url, vapid_private_key=vapid[0], push_test_receiver=receiver.origin
    )
    app = create_app(config)
    yield app
    app.extensions["cadence.engine"].dispose()


@pytest.fixture
def pair(client, accounts):
    me = accounts.client_account(timezone="Europe/London")
    doctor = accounts.staff("clinician")
    link(client, doctor, me)
    return me, doctor


def today() -> date:
    return utcnow().date()


def answer(client, me, instrument, answers, **extra):
    return client.post(
        "/api/v1/responses",
        json={"instrument": instrument, "answers": answers, **extra},
        headers=me.headers,
    )


# --- the instruments and the crisis text ----------------------------------------------------


def test_instruments_are_listed_with_items_bands_and_codes(client, pair):
    me, _ = pair
    assert client.get("/api/v1/instruments").status_code == 401
    listed = client.get("/api/v1/instruments", headers=me.headers)
    assert listed.status_code == 200
    found = {i["code"]: i for i in listed.json["instruments"]}
    assert list(found) == ["phq9", "gad7", "asrm", "qids_sr16"]
    phq9 = found["phq9"]
    assert phq9["loinc"] == {"panel": "44249-1", "total": "44261-6"}
    assert phq9["items"][8]["number"] == 9 and phq9["items"][8]["loinc"] == "44260-8"
    assert phq9["items"][0]["options"][3] == {
        "value": 3,
        "label": "Nearly every day",
        "loinc": "LA6571-9",
    }
    assert phq9["bands"][3] == {"min": 15, "max": 19, "label": "moderately severe"}
    assert (phq9["min"], phq9["max"], phq9["safety_items"]) == (0, 27, [9])
    assert found["gad7"]["loinc"] == {"panel": "69737-5", "total": "70274-6"}
    assert found["asrm"]["loinc"] == {} and found["qids_sr16"]["loinc"] == {}
    assert found["qids_sr16"]["safety_items"] == [12]
    assert found["qids_sr16"]["items"][5]["note"] == "Complete either 6 or 7, not both."
    assert all(i["source"] and i["terms"] and i["version"] for i in found.values())
    assert listed.json["crisis_text"] == DEFAULT_CRISIS_TEXT


def test_the_crisis_text_needs_no_sign_in_and_is_shown_verbatim(database_url):
    text = "Crisis line: 0800 123 456 — text SHOUT to 85258.\nOr call 999."
    app = create_app(config_for_tests(database_url, crisis_text=text))
    try:
        answered = app.test_client().get("/api/v1/crisis")
        assert answered.status_code == 200 and answered.json == {"text": text}
    finally:
        app.extensions["cadence.engine"].dispose()
    with pytest.raises(ValueError, match="CADENCE_CRISIS_TEXT"):
        config_for_tests(database_url, crisis_text="   ")


def test_the_default_crisis_text_sends_people_to_emergency_services(client):
    text = client.get("/api/v1/crisis").json["text"]
    assert "emergency" in text and text == DEFAULT_CRISIS_TEXT


# --- answering ------------------------------------------------------------------------------


def test_an_answer_is_scored_and_stored_item_by_item_with_the_version(app, client, pair):
    me, _ = pair
    response = answer(client, me, "phq9", PHQ9_17, client_request_id="device-7f3a")
    assert response.status_code == 201, response.json
    body = response.json
    assert (body["instrument"], body["version"], body["total"], body["band"]) == (
        "phq9",
        "1.0",
        17,
        "moderately severe",
    )
    assert body["answers"] == PHQ9_17 and body["prorated"] is False
    assert body["missing_items"] == [] and body["client_request_id"] == "device-7f3a"
    with app.app_context():
        stored = db.session().get(QuestionnaireResponse, body["id"])
        assert (stored.version, stored.client_request_id) == ("1.0", "device-7f3a")
        items = (
            db.session()
            .execute(
                sa.select(
                    QuestionnaireAnswer.item,
                    QuestionnaireAnswer.value,
                    QuestionnaireAnswer.client_id,
                )
                .where(QuestionnaireAnswer.response_id == body["id"])
                .order_by(QuestionnaireAnswer.item)
            )
            .all()
        )
    assert items == [(i + 1, v, me.id) for i, v in enumerate(PHQ9_17)]


def test_an_offline_replay_is_answered_with_the_stored_response(app, client, pair, accounts):
    me, _ = pair
    first = answer(client, me, "asrm", ASRM_7, client_request_id="abc")
    before = row_counts(app)
    # Sent again by the outbox (even with different answers: the id names the first send).
    again = answer(client, me, "asrm", [0, 0, 0, 0, 0], client_request_id="abc")
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    assert again.json["total"] == 7
    assert row_counts(app) == before
    # The id is unique per client, not across clients.
    other = accounts.client_account()
    assert answer(client, other, "asrm", ASRM_7, client_request_id="abc").status_code == 201


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"instrument": "phq9", "answers": [0] * 8}, "answers", "has 9 items"),
        ({"instrument": "phq9", "answers": [0] * 8 + [4]}, "answers.8", "Item 9"),
        ({"instrument": "asrm", "answers": [0, 0, None, 0, 0]}, "answers.2", "Item 3"),
        ({"instrument": "gad7", "answers": [0] * 5 + [None, None]}, "answers.5", "Item 6"),
        ({"instrument": "bdi", "answers": [0]}, "instrument", None),
        ({"instrument": "phq9", "answers": [0] * 9, "client_request_id": "x" * 65}, None, None),
        ({"instrument": "phq9", "answers": [0] * 8 + ["1"]}, None, None),
    ],
)
def test_bad_answers_are_refused_naming_the_item_and_nothing_is_stored(
    app, client, pair, body, field, words
):
    me, _ = pair
    before = row_counts(app)
    refused = client.post("/api/v1/responses", json=body, headers=me.headers)
    assert refused.status_code == 422, refused.json
    if field is not None:
        assert field in refused.json["errors"] or field in refused.json["errors"].get("json", {})
    if words is not None:
        assert words in refused.json["message"]
    assert row_counts(app) == before


def test_answer_dates_default_to_today_and_never_lie_in_the_future(client, pair):
    me, _ = pair
    local_today = datetime.now(UTC).astimezone(ZoneInfo("Europe/London"))
    assert answer(client, me, "asrm", ASRM_7).json["answered_on"] == local_today.date().isoformat()
    tomorrow = (local_today.date() + timedelta(days=1)).isoformat()
    future = answer(client, me, "asrm", ASRM_7, answered_on=tomorrow)
    assert future.status_code == 422 and "answered_on" in future.json["errors"]
    long_ago = (local_today.date() - timedelta(days=400)).isoformat()
    assert answer(client, me, "asrm", ASRM_7, answered_on=long_ago).status_code == 422


def test_who_may_answer_and_read(client, pair, accounts):
    me, doctor = pair
    answer(client, me, "phq9", PHQ9_17)
    # Only the client answers, on their own route; staff there are refused.
    assert answer(client, doctor, "phq9", PHQ9_17).status_code == 403
    own = client.get("/api/v1/responses", headers=me.headers).json["responses"]
    theirs = client.get(f"/api/v1/clients/{me.id}/responses", headers=doctor.headers)
    assert theirs.status_code == 200 and theirs.json["responses"] == own
    stranger = accounts.staff("clinician")
    assert (
        client.get(f"/api/v1/clients/{me.id}/responses", headers=stranger.headers).status_code
        == 404
    )
    other = accounts.client_account()
    assert (
        client.get(f"/api/v1/clients/{me.id}/responses", headers=other.headers).status_code == 404
    )


def test_responses_are_listed_newest_first_by_instrument_and_dates(client, pair):
    me, _ = pair
    base = today() - timedelta(days=20)
    for days, instrument, values in (
        (0, "phq9", PHQ9_17),
        (7, "asrm", ASRM_7),
        (14, "phq9", [0] * 9),
    ):
        day = (base + timedelta(days=days)).isoformat()
        assert answer(client, me, instrument, values, answered_on=day).status_code == 201
    listed = client.get("/api/v1/responses", headers=me.headers).json["responses"]
    assert [(r["instrument"], r["total"]) for r in listed] == [
        ("phq9", 0),
        ("asrm", 7),
        ("phq9", 17),
    ]
    phq9 = client.get("/api/v1/responses?instrument=phq9", headers=me.headers).json["responses"]
    assert [r["total"] for r in phq9] == [0, 17]
    start = (base + timedelta(days=5)).isoformat()
    end = (base + timedelta(days=10)).isoformat()
    window = client.get(f"/api/v1/responses?from={start}&to={end}", headers=me.headers)
    assert [r["instrument"] for r in window.json["responses"]] == ["asrm"]


# --- flags --------------------------------------------------------------------------------


def test_asrm_and_phq9_flags_come_back_with_the_answer(client, pair):
    me, doctor = pair
    asrm = answer(client, me, "asrm", ASRM_7)
    (flag,) = asrm.json["flags"]
    assert (flag["rule"], flag["severity"]) == ("asrm_high", "medium")
    evidence = flag["evidence"]
    assert (evidence["response_id"], evidence["total"], evidence["threshold"]) == (
        asrm.json["id"],
        7,
        6,
    )
    assert (
        evidence["band"] == "at or above cut-off" and evidence["date"] == asrm.json["answered_on"]
    )
    assert answer(client, me, "asrm", [1, 1, 1, 1, 1]).json["flags"] == []  # 5: below
    phq9 = answer(client, me, "phq9", PHQ9_17)
    assert [f["rule"] for f in phq9.json["flags"]] == ["phq9_high"]
    listed = client.get(f"/api/v1/clients/{me.id}/flags", headers=doctor.headers).json["flags"]
    assert {f["rule"] for f in listed} >= {"asrm_high", "phq9_high"}


def test_scale_thresholds_are_per_client(client, pair):
    me, doctor = pair
    settings = f"/api/v1/clients/{me.id}/flag-settings"
    bad = client.put(settings, json={"overrides": {"asrm_threshold": 21}}, headers=doctor.headers)
    assert bad.status_code == 422 and "asrm_threshold" in bad.json["errors"]
    raised = client.put(
        settings,
        json={"overrides": {"asrm_threshold": 8, "phq9_threshold": 20}},
        headers=doctor.headers,
    )
    assert raised.status_code == 200, raised.json
    assert raised.json["defaults"]["asrm_threshold"] == 6
    assert answer(client, me, "asrm", ASRM_7).json["flags"] == []  # 7 < 8
    assert answer(client, me, "phq9", PHQ9_17).json["flags"] == []  # 17 < 20
    (flag,) = answer(client, me, "asrm", [2, 2, 2, 1, 1]).json["flags"]  # 8
    assert flag["evidence"]["threshold"] == 8 and flag["settings"] == {"asrm_threshold": 8}


# --- assignments and what is due ------------------------------------------------------------


def test_a_clinician_assigns_and_the_client_sees_what_is_due(client, pair, accounts):
    me, doctor = pair
    url = f"/api/v1/clients/{me.id}/assignments"
    start = today() - timedelta(days=10)
    made = client.post(
        url,
        json={"instrument": "phq9", "every_days": 7, "starts_on": start.isoformat()},
        headers=doctor.headers,
    )
    assert made.status_code == 201, made.json
    period = start + timedelta(days=7)  # day 10 lies in the second 7-day period
    assert made.json["due_on"] == period.isoformat()
    assert made.json["created_by"]["id"] == doctor.id
    due = client.get("/api/v1/questionnaires/due", headers=me.headers).json["due"]
    assert due == [
        {"assignment_id": made.json["id"], "instrument": "phq9", "due_on": period.isoformat()}
    ]
    # Answered before the period began: still due. Answered in it: not due.
    before = (period - timedelta(days=1)).isoformat()
    answer(client, me, "phq9", [0] * 9, answered_on=before)
    assert len(client.get("/api/v1/questionnaires/due", headers=me.headers).json["due"]) == 1
    answer(client, me, "phq9", [0] * 9, answered_on=period.isoformat())
    assert client.get("/api/v1/questionnaires/due", headers=me.headers).json["due"] == []
    listed = client.get(url, headers=doctor.headers).json["assignments"]
    assert [(a["instrument"], a["every_days"], a["due_on"]) for a in listed] == [("phq9", 7, None)]

    # One assignment per instrument; a second names the first.
    twice = client.post(
        url,
        json={"instrument": "phq9", "every_days": 14, "starts_on": today().isoformat()},
        headers=doctor.headers,
    )
    assert twice.status_code == 409 and str(made.json["id"]) in twice.json["message"]
    for every in (0, 91):
        body = {"instrument": "gad7", "every_days": every, "starts_on": today().isoformat()}
        assert client.post(url, json=body, headers=doctor.headers).status_code == 422
    far = {
        "instrument": "gad7",
        "every_days": 7,
        "starts_on": (today() + timedelta(days=400)).isoformat(),
    }
    assert client.post(url, json=far, headers=doctor.headers).status_code == 422

    # The client does not set their own schedule; strangers do not learn it exists.
    own = {"instrument": "gad7", "every_days": 7, "starts_on": today().isoformat()}
    mine = client.post(url, json=own, headers=me.headers)
    assert mine.status_code == 403 and "questionnaires/due" in mine.json["message"]
    stranger = accounts.staff("clinician")
    assert client.get(url, headers=stranger.headers).status_code == 404
    other = accounts.client_account()
    other_doctor = accounts.staff("clinician")
    link(client, other_doctor, other)
    foreign = client.post(
        f"/api/v1/clients/{other.id}/assignments", json=own, headers=other_doctor.headers
    ).json["id"]
    assert client.delete(f"{url}/{foreign}", headers=doctor.headers).status_code == 404
    assert client.delete(f"{url}/{made.json['id']}", headers=doctor.headers).status_code == 204
    assert client.get(url, headers=doctor.headers).json["assignments"] == []


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_due_questionnaire_is_reminded_once_per_due_period(app, client, accounts, receiver):
    start = utc(2026, 11, 2, 12)  # Monday
    with time_machine.travel(start, tick=False) as traveller:
        me = accounts.client_account(timezone="Europe/London")
        doctor = accounts.staff("clinician")
        link(client, doctor, me)
        client.patch("/api/v1/me", json={"reminder_times": ["21:00"]}, headers=me.headers)
        subscribed = client.post(
            "/api/v1/push/subscriptions", json=receiver.subscription("me"), headers=me.headers
        )
        assert subscribed.status_code == 201
        schedule = {"instrument": "asrm", "every_days": 3, "starts_on": "2026-11-02"}
        made = client.post(
            f"/api/v1/clients/{me.id}/assignments", json=schedule, headers=doctor.headers
        )
        assert made.status_code == 201
        for now in (
            utc(2026, 11, 2, 21),  # due since today: reminded
            utc(2026, 11, 2, 22),  # the same evening: not again
            utc(2026, 11, 3, 21),  # the next evening, still due in the same period: not again
        ):
            traveller.move_to(now)
            with app.app_context():
                reminders.run_due(db.session(), now)
        traveller.move_to(utc(2026, 11, 4, 12))
        assert answer(client, me, "asrm", [0] * 5).status_code == 201
        traveller.move_to(utc(2026, 11, 4, 21))  # answered in this period: nothing to remind
        with app.app_context():
            reminders.run_due(db.session(), utc(2026, 11, 4, 21))
        traveller.move_to(utc(2026, 11, 5, 21))  # a new period began on the 5th
        with app.app_context():
            reminders.run_due(db.session(), utc(2026, 11, 5, 21))
    with app.app_context():
        sent = (
            db.session()
            .execute(
                sa.select(Reminder.local_date, Reminder.status)
                .where(Reminder.client_id == me.id, Reminder.kind == "questionnaire")
                .order_by(Reminder.local_date)
            )
            .all()
        )
    assert sent == [(date(2026, 11, 2), "sent"), (date(2026, 11, 5), "sent")]
    pushed = [
        m.payload for m in receiver.for_name("me") if m.payload["tag"].startswith("questionnaire")
    ]
    assert [p["tag"] for p in pushed] == ["questionnaire-2026-11-02", "questionnaire-2026-11-05"]
    # A lock screen learns nothing about which questionnaire or why.
    assert all("ASRM" not in p["body"] and "mania" not in p["body"].lower() for p in pushed)
    assert receiver.problems == []


# --- scores in the caseload and the session report ------------------------------------------


def test_the_caseload_shows_the_latest_band_per_instrument(client, pair):
    me, doctor = pair
    yesterday = (today() - timedelta(days=1)).isoformat()
    answer(client, me, "phq9", [0] * 9, answered_on=yesterday)
    answer(client, me, "phq9", PHQ9_17)
    answer(client, me, "asrm", ASRM_7)
    (row,) = client.get("/api/v1/clinician/caseload", headers=doctor.headers).json["clients"]
    assert [(s["instrument"], s["total"], s["band"]) for s in row["scales"]] == [
        ("phq9", 17, "moderately severe"),
        ("asrm", 7, "at or above cut-off"),
    ]


def test_the_session_report_has_a_scales_section_and_stays_one_page(client, pair):
    me, doctor = pair
    for weeks_ago, values in ((3, [1] * 9), (2, [2] * 9), (0, PHQ9_17)):
        day = (today() - timedelta(weeks=weeks_ago)).isoformat()
        assert answer(client, me, "phq9", values, answered_on=day).status_code == 201
    url = f"/api/v1/clients/{me.id}/report"
    report = client.get(f"{url}?weeks=4&format=json", headers=doctor.headers).json
    (phq9,) = report["scales"]
    assert (phq9["name"], phq9["max"]) == ("PHQ-9", 27)
    assert [r["total"] for r in phq9["responses"]] == [9, 18, 17]
    pdf = client.get(f"{url}?weeks=4", headers=doctor.headers)
    reader = PdfReader(io.BytesIO(pdf.data))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "Scales" in text and "17/27 moderately severe" in text and "earlier 9, 18" in text


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_crowded_report_with_every_scale_still_fits_one_page(paper):
    day = date(2026, 11, 20)
    content = _synthetic(flags=80, events=9, name="Crowded")
    content["scales"] = [
        {
            "instrument": code,
            "name": name,
            "max": 27,
            "responses": [
                {"id": i, "answered_on": day - timedelta(days=i), "total": i, "band": "moderate"}
                for i in range(12, 0, -1)
            ],
        }
        for code, name in (
            ("phq9", "PHQ-9"),
            ("gad7", "GAD-7"),
            ("asrm", "ASRM"),
            ("qids_sr16", "QIDS-SR16"),
        )
    ]
    reader = PdfReader(io.BytesIO(report_pdf.render(content, paper)))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "QIDS-SR16" in text and "(+5 more)" in text and "more flags" in text


def test_answers_are_in_the_clients_own_download(client, pair, accounts):
    me, doctor = pair
    made = answer(client, me, "asrm", ASRM_7, client_request_id="mine")
    schedule = {"instrument": "phq9", "every_days": 7, "starts_on": today().isoformat()}
    client.post(f"/api/v1/clients/{me.id}/assignments", json=schedule, headers=doctor.headers)
    other = accounts.client_account()
    answer(client, other, "phq9", PHQ9_17)
    download = client.get("/api/v1/me/export", headers=me.headers)
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.data))

    def part(name):
        return json.loads(archive.read(f"{name}.json"))

    (stored,) = part("questionnaire_responses")
    assert (stored["id"], stored["total"], stored["client_request_id"]) == (
        made.json["id"],
        7,
        "mine",
    )
    assert [a["value"] for a in part("questionnaire_answers")] == ASRM_7
    assert [a["instrument"] for a in part("questionnaire_assignments")] == ["phq9"]
