"""IPT records for the PWA scenarios, made through the API as the clinician and the client make
them (docs/api-ipt.md), on top of tests/e2e/clinician_data.py's caseload."""

from __future__ import annotations

from datetime import timedelta

from tests.e2e.pwa_helpers import local_today

SIGN = "Going to bed later and later"
STEPS = ("Lights out by 23:30", "Tell Sam I am sleeping less")


def set_course(server, data, areas=("role_transition",)) -> None:
    """Week 7 of a 12-week course: the midpoint (week 6) has passed."""
    body = {
        "start": str(local_today() - timedelta(weeks=7)),
        "planned_weeks": 12,
        "phase": "middle",
        "problem_areas": list(areas),
    }
    status, answer, _ = server.request(
        "PUT", f"/api/v1/clients/{data.risky_id}/course", body, token=data.clinician_token
    )
    assert status == 200, answer


def fill_records(server, data) -> None:
    """A person, a reviewed goal, an open and an answered task, and a plan whose first sign
    matches the seeded client's bedtime flag."""
    base = f"/api/v1/clients/{data.risky_id}"
    doc = data.clinician_token

    def call(method, path, body, token, headers=None, expect=(200, 201)):
        status, answer, _ = server.request(method, path, body, token=token, headers=headers)
        assert status in expect, answer
        return answer

    set_course(server, data)
    person = {"name": "Sam", "role": "sibling", "contact": "weekly", "closeness": 4}
    call("POST", "/api/v1/inventory", {**person, "satisfying": "We laugh a lot."}, data.risky_token)
    goal = call(
        "POST",
        f"{base}/goals",
        {"text": "Settle into the new job", "problem_area": "role_transition"},
        doc,
    )
    review = {
        "session_date": str(local_today()),
        "kind": "session",
        "progress": 1,
        "note": "A start.",
    }
    call("POST", f"{base}/goals/{goal['id']}/reviews", review, doc)
    due = str(local_today() + timedelta(days=4))
    call("POST", f"{base}/tasks", {"text": "Call your sister before Sunday", "due": due}, doc)
    done = call(
        "POST",
        f"{base}/tasks",
        {"text": "Lights out by 23:30 on three nights", "due": due, "anchor": "to_bed"},
        doc,
    )
    call(
        "PUT",
        f"/api/v1/tasks/{done['id']}/outcome",
        {"done": False, "note": "Two nights."},
        data.risky_token,
    )
    plan = {
        "signs": [
            {
                "pole": "elevated",
                "stage": "early",
                "text": SIGN,
                "signal": {"rule": "bed_shift", "direction": "later", "min_minutes": 120},
                "actions": list(STEPS),
            },
            {
                "pole": "depressed",
                "stage": "late",
                "text": "Staying in bed past noon",
                "signal": None,
                "actions": [],
            },
        ],
        "supporters": [{"name": "Sam", "how_to_reach": "07700 900123"}],
        "crisis_contacts": [{"name": "Crisis team", "how_to_reach": "0800 000 000"}],
    }
    call("PUT", "/api/v1/plan", plan, data.risky_token, headers={"If-Match": '"0"'})
