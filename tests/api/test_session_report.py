"""The one-page session report (GET /clients/{id}/report): rendered from real diaries written
through the API, read back with pypdf, and held to its access rules."""

import io
import logging
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from pypdf import PdfReader

from api.rhythm.activities import ACTIVITIES
from api.services import report_pdf
from tests.api.care import link
from tests.api.diaries import log_week, steady
from tests.api.test_flags import ELEVATED, WILD

# A Wednesday: the 4 complete weeks are 26 October..22 November; the wild week is the last.
NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
WILD_MONDAY = date(2026, 11, 16)
NAME = "Robin Report"
EVENT_NOTE = "REPORT-EVENT-NOTE"
TASK_DONE = "Call your sister before Sunday"
TASK_OPEN = "Lights out by 23:30 on three nights"
TASK_NOTE = "Called on Saturday"
A4 = (595.28, 841.89)
LETTER = (612, 792)


def pdf_of(response):
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, text


@pytest.fixture
def seeded(client, accounts):
    """A client with five weeks of diary (the last one wild, with elevated mood), a life event,
    a therapy course, and their linked clinician."""
    with time_machine.travel(NOW, tick=False):
        patient = accounts.client_account(display_name=NAME)
        doctor = accounts.staff("clinician")
        link(client, doctor, patient)
        for n in range(5, 0, -1):
            monday = WILD_MONDAY - timedelta(weeks=n - 1)
            wild = monday == WILD_MONDAY
            log_week(
                client,
                patient,
                monday,
                WILD if wild else steady(),
                moods=ELEVATED if wild else None,
            )
        event = client.post(
            "/api/v1/events",
            json={
                "start": "2026-11-19",
                "end": "2026-11-20",
                "kind": "shift_change",
                "disruption": 2,
                "note": EVENT_NOTE,
            },
            headers=patient.headers,
        )
        assert event.status_code == 201, event.json
        course = client.put(
            f"/api/v1/clients/{patient.id}/course",
            json={
                "start": "2026-10-12",
                "planned_weeks": 16,
                "phase": "middle",
                "problem_areas": ["role_transition"],
            },
            headers=doctor.headers,
        )
        assert course.status_code == 200, course.json
        for text, due in ((TASK_DONE, "2026-11-20"), (TASK_OPEN, "2026-11-27")):
            task = client.post(
                f"/api/v1/clients/{patient.id}/tasks",
                json={"text": text, "due": due},
                headers=doctor.headers,
            )
            assert task.status_code == 201, task.json
            if text == TASK_DONE:
                answered = client.put(
                    f"/api/v1/tasks/{task.json['id']}/outcome",
                    json={"done": True, "note": TASK_NOTE},
                    headers=patient.headers,
                )
                assert answered.status_code == 200, answered.json
    return patient, doctor


@time_machine.travel(NOW, tick=False)
def test_the_report_is_one_page_with_the_clients_scores_flags_and_events(client, seeded, caplog):
    patient, doctor = seeded
    url = f"/api/v1/clients/{patient.id}/report"
    caplog.set_level(logging.DEBUG)
    content = client.get(f"{url}?weeks=4&format=json", headers=doctor.headers)
    assert content.status_code == 200, content.json
    report = content.json
    assert report["period"] == {"start": "2026-10-26", "end": "2026-11-22"}
    assert [w["start"] for w in report["weekly"]] == [
        "2026-10-26",
        "2026-11-02",
        "2026-11-09",
        "2026-11-16",
    ]
    srms = [w["srm"] for w in report["weekly"]]
    assert srms[:3] == [7.0, 7.0, 7.0] and srms[3] < 6.0
    assert report["last_week"]["start"] == "2026-11-16"
    out_of_bed = next(a for a in report["last_week"]["anchors"] if a["activity"] == "out_of_bed")
    assert out_of_bed["times"] == WILD["out_of_bed"]
    assert report["last_week"]["moods"] == ELEVATED
    assert report["course"] == {
        "start": "2026-10-12",
        "planned_weeks": 16,
        "phase": "middle",
        "problem_areas": ["role_transition"],
        "session_number": 7,
    }
    assert [e["note"] for e in report["life_events"]] == [EVENT_NOTE]
    assert [(t["text"], t["status"], t["note"]) for t in report["tasks"]] == [
        (TASK_DONE, "done", TASK_NOTE),
        (TASK_OPEN, "open", None),
    ]
    shift = next(f for f in report["flags"]["open"] if f["rule"] == "wake_shift")
    evidence_day = date.fromisoformat(shift["evidence"]["days"][0]["date"])
    assert report["flags"]["open"][0]["severity"] == "high"

    reader, text = pdf_of(client.get(url, headers=doctor.headers))
    assert len(reader.pages) == 1
    assert tuple(round(v, 2) for v in reader.pages[0].mediabox[2:]) == A4
    assert NAME in text
    for srm in srms:
        assert f"{srm:.1f}" in text
    assert f"{srms[3]:.1f}" != "7.0"
    assert evidence_day.strftime("%d %b") in text
    assert "wake shift" in text
    assert "shift change" in text and EVENT_NOTE in text
    assert "session 7 of 16" in text and "role transition" in text
    assert TASK_DONE in text and TASK_NOTE in text and TASK_OPEN in text

    letter, letter_text = pdf_of(client.get(f"{url}?paper=letter", headers=doctor.headers))
    assert len(letter.pages) == 1
    assert tuple(round(v) for v in letter.pages[0].mediabox[2:]) == LETTER
    assert NAME in letter_text

    twelve, twelve_text = pdf_of(client.get(f"{url}?weeks=12", headers=doctor.headers))
    assert len(twelve.pages) == 1 and "12 weeks" in twelve_text

    # Health data and names never reach the log.
    for secret in (NAME, EVENT_NOTE, "role_transition"):
        assert secret not in caplog.text


@time_machine.travel(NOW, tick=False)
def test_only_the_linked_clinician_gets_the_report(client, accounts, seeded):
    patient, doctor = seeded
    url = f"/api/v1/clients/{patient.id}/report"
    stranger = accounts.staff("clinician")
    for query in ("", "?format=json"):
        assert client.get(url + query, headers=stranger.headers).status_code == 404
    own = client.get(url, headers=patient.headers)
    assert own.status_code == 403 and "report:read" in own.json["message"]
    other_client = accounts.client_account()
    assert client.get(url, headers=other_client.headers).status_code == 404
    assert client.get(url).status_code == 401
    missing = client.get("/api/v1/clients/987654/report", headers=doctor.headers)
    assert missing.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_bad_queries_are_named(client, seeded):
    patient, doctor = seeded
    url = f"/api/v1/clients/{patient.id}/report"
    for query, field in (
        ("weeks=5", "weeks"),
        ("weeks=four", "weeks"),
        ("weeks=0", "weeks"),
        ("format=docx", "format"),
        ("paper=legal", "paper"),
    ):
        response = client.get(f"{url}?{query}", headers=doctor.headers)
        assert response.status_code == 422, (query, response.status_code)
        assert set(response.json["errors"]) == {field}, query
        assert field in response.json["message"]


def _synthetic(flags: int, events: int, name: str, tasks: int = 0) -> dict:
    """A 12-week report shaped as session_report.build makes it, with many flags and events."""
    start = date(2026, 9, 7)
    week = {
        "srm": 3.2,
        "srm5": 3.0,
        "days_logged": 7,
        "completeness": 1.0,
        "sleep": {
            "nights": 7,
            "mean_duration": 420.0,
            "min_duration": 300.0,
            "mean_midpoint": 200.0,
            "mean_midpoint_time": "03:20",
            "midpoint_sd": 30.0,
            "sri": 60.0,
            "social_jetlag": 45.0,
        },
        "mood": {
            "days": 7,
            "mean": 1.0,
            "min": -1,
            "max": 4,
            "elevated_days": 2,
            "depressed_days": 0,
        },
        "zone_changed": False,
    }
    monday = start + timedelta(weeks=11)
    days = [monday + timedelta(days=i) for i in range(7)]
    flag = {
        "rule": "anchors_missed",
        "severity": "low",
        "status": "open",
        "evidence": {},
        "summary": "a long summary of many days " * 8,
        "explained_by": ["travel"],
        "acknowledged_at": None,
        "acknowledged_by": None,
        "ack_note": None,
        "context": ["A hard week."],
    }
    return {
        "client": {"id": 1, "display_name": name, "timezone": "Europe/London"},
        "weeks": 12,
        "period": {"start": start, "end": monday + timedelta(days=6)},
        "today": monday + timedelta(days=9),
        "generated_at": datetime(2026, 12, 2, 9, tzinfo=UTC),
        "weekly": [
            {**week, "start": start + timedelta(weeks=i), "end": start + timedelta(weeks=i, days=6)}
            for i in range(12)
        ],
        "last_week": {
            "start": monday,
            "end": days[-1],
            "srm": 3.2,
            "srm5": 3.0,
            "days": days,
            "moods": [0, 1, 2, None, 4, -1, 0],
            "sleep_minutes": [420, 400, None, 380, 300, 500, 450],
            "anchors": [
                {
                    "activity": code,
                    "times": ["07:00", "07:30", None, "08:00", "09:00", "10:00", "07:00"],
                    "after_midnight": [False] * 7,
                    "target": "07:00",
                    "habitual": "07:30",
                    "hits": 3,
                    "scored": True,
                }
                for code in ACTIVITIES  # all 17: the longest grid there can be
            ],
        },
        "flags": {
            "open": [
                {
                    **flag,
                    "id": i,
                    "window_start": start + timedelta(days=i),
                    "window_end": start + timedelta(days=i),
                }
                for i in range(flags)
            ],
            "recent": [],
        },
        "life_events": [
            {
                "id": i,
                "start": start + timedelta(days=i),
                "end": start + timedelta(days=i + 1),
                "kind": "travel",
                "disruption": 1,
                "note": "A trip",
            }
            for i in range(events)
        ],
        "course": None,
        "tasks": [
            {
                "id": i,
                "text": f"Task {i}: lights out by 23:30 on three nights",
                "due": start + timedelta(days=i),
                "status": "done",
                "note": "Managed two of three",
                "problem_area": None,
                "anchor": "to_bed",
            }
            for i in range(tasks)
        ],
    }


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_crowded_report_still_fits_one_page_and_says_what_it_left_out(paper):
    pdf = report_pdf.render(_synthetic(flags=80, events=9, name="Crowded", tasks=9), paper)
    reader = PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    assert "more flags" in text and "+4 more life events" in text
    assert "+5 more in the app" in text
    assert "Client: A hard week." in text or "…" in text


def test_names_beyond_latin_1_render_with_or_without_a_unicode_font(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    name = "Zoë Łukasz Dvořák 林"
    with_font = PdfReader(io.BytesIO(report_pdf.render(_synthetic(1, 1, name))))
    if report_pdf._font_files() is not None:
        # The system fonts have no CJK glyphs; the letters they have print as they are.
        assert "Zoë Łukasz Dvořák" in with_font.pages[0].extract_text()
    # Without a system font the core font transliterates what Latin-1 cannot print.
    monkeypatch.setattr(report_pdf, "FONT_FILES", ())
    core = PdfReader(io.BytesIO(report_pdf.render(_synthetic(1, 1, name))))
    assert len(core.pages) == 1
    assert "Zoë Lukasz Dvorák ?" in core.pages[0].extract_text()  # á is Latin-1, ř is not
    # A glyph a font lacks is not named in the log: it is a letter of someone's name.
    assert "林" not in caplog.text and "Dvo" not in caplog.text
