"""A clinician's caseload for the PWA scenarios, made through the API as clients and staff make
it: weeks of diary before "today" (the London date the browser sees), so every test sees the same
shape whatever the date: a steady client, and one whose routine came apart over the last two
complete weeks (meals scattered, so the SRM drops beyond the threshold whichever of the two weeks
the caseload takes as the last complete one) with late bedtimes and high mood in the last
(bed shift, short sleep, and a mood flag made high by the rhythm change)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tests.conftest import PASSWORD
from tests.e2e.pwa_helpers import ZONE, api_token, create_staff, local_today

CLINICIAN = "dr.okafor@example.org"
CLINICIAN_NAME = "Dr Okafor"
BASELINE_WEEKS = 5
LATE_BEDTIME = "02:30"
LATE_NOTE = "Could not stop working on the new project at night."
EVENT_NOTE = "Started the new job"


@dataclass
class Seeded:
    clinician_token: str
    steady_id: int
    risky_id: int
    risky_token: str
    last_monday: date  # Monday of the last complete week


# Month abbreviations as Chromium writes them for en-GB ("Sept", not strftime's "Sep").
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec")


def day_month(day: date) -> str:
    """A date as the PWA's D.dayMonth shows it: "7 Sept"."""
    return f"{day.day} {MONTHS[day.month - 1]}"


def last_complete_monday(today: date) -> date:
    return today - timedelta(days=today.weekday() + 7)


# Minutes added to lunch and dinner on each day of a scattered week: all beyond the SRM's 45.
SCATTER = (-90, 80, -60, 100, -75, 90, -100)


def _day(index: int, late: bool = False, scattered: bool = False) -> dict:
    """A regular day (a few minutes of deterministic jitter); meals scattered; a late night
    with high mood."""
    jitter = (index * 7) % 21 - 10

    def at(hour: int, minute: int, shift: int = 0) -> str:
        total = hour * 60 + minute + jitter + shift
        return f"{total // 60:02d}:{total % 60:02d}"

    meal = SCATTER[index % 7] if scattered else 0

    activities = {
        "out_of_bed": {"time": at(7, 0)},
        "first_contact": {"time": at(7, 30), "people": 1},
        "breakfast": {"time": at(7, 45)},
        "start_work": {"time": at(9, 0)},
        "lunch": {"time": at(12, 30, meal)},
        "dinner": {"time": at(19, 0, -meal)},
        "to_bed": {"time": at(23, 0), "day_offset": 0},
    }
    body = {"timezone": ZONE, "mood": [0, 0, 1, -1][index % 4], "activities": activities}
    if late:
        activities["to_bed"] = {"time": LATE_BEDTIME, "day_offset": 1}
        body["mood"] = 4
    return body


def _client(server, email: str, name: str, clinician_token: str) -> tuple[int, str]:
    status, body, _ = server.request(
        "POST",
        "/api/v1/auth/register",
        {"email": email, "password": PASSWORD, "timezone": ZONE, "display_name": name},
    )
    assert status == 202, body
    server.verify_emails(email)
    token = api_token(server, email)
    status, invitation, _ = server.request(
        "POST", "/api/v1/care/invitations", {}, token=clinician_token
    )
    assert status == 201, invitation
    status, link, _ = server.request(
        "POST", "/api/v1/care/links", {"code": invitation["code"]}, token=token
    )
    assert status == 201, link
    return link["client"]["id"], token


def _log(server, token: str, days: dict[date, dict]) -> None:
    for day, body in sorted(days.items()):
        status, answer, _ = server.request("PUT", f"/api/v1/entries/{day}", body, token=token)
        assert status in (200, 201), answer


def seed(server) -> Seeded:
    """Both clients linked to the clinician, diaries from five weeks before the last complete
    week up to today. The steady client registers first, so an id order would put them first."""
    create_staff(server, CLINICIAN, "clinician", name=CLINICIAN_NAME)
    clinician_token = api_token(server, CLINICIAN)
    today = local_today()
    monday = last_complete_monday(today)
    first = monday - timedelta(weeks=BASELINE_WEEKS)
    span = [first + timedelta(days=i) for i in range((today - first).days + 1)]

    steady_id, steady_token = _client(server, "sam@example.org", "Sam Steady", clinician_token)
    _log(server, steady_token, {d: _day(i) for i, d in enumerate(span)})

    risky_id, risky_token = _client(server, "priya@example.org", "Priya Late", clinician_token)
    # Wednesday to Sunday of the last complete week: to bed at 02:30 with mood +4.
    late = {monday + timedelta(days=n) for n in range(2, 7)}
    scattered = {monday + timedelta(days=n) for n in range(-7, 7)}
    days = {d: _day(i, late=d in late, scattered=d in scattered) for i, d in enumerate(span)}
    days[monday + timedelta(days=3)]["note"] = LATE_NOTE
    days[monday + timedelta(days=4)]["activities"]["first_contact"]["people"] = 0
    _log(server, risky_token, days)
    status, event, _ = server.request(
        "POST",
        "/api/v1/events",
        {"start": str(monday), "end": str(monday), "kind": "role_transition", "note": EVENT_NOTE},
        token=risky_token,
    )
    assert status == 201, event
    return Seeded(clinician_token, steady_id, risky_id, risky_token, monday)
