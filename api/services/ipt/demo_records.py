"""The demo's IPT records (api/services/demo.py): for the drifting client, an inventory of
three people, two goals for the course's problem area with reviews, tasks, and a relapse plan
whose signs are tied to the flags her diary raises, so a newcomer sees them at once."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import orm as so

from api.db import utcnow
from api.models import User
from api.services import care
from api.services.ipt import goals, inventory, relapse_plan, tasks

PEOPLE = [
    {"name": "Alex", "role": "partner", "contact": "daily", "closeness": 4,
     "satisfying": "Steady and kind; we cook together",
     "unsatisfying": "Arguments about my late nights",
     "would_change": "Talk before it becomes a row"},
    {"name": "Mum", "role": "parent", "contact": "weekly", "closeness": 3,
     "satisfying": "Sunday lunches", "unsatisfying": "Worries aloud about my job",
     "would_change": "Tell her more about the new role"},
    {"name": "Priya", "role": "colleague", "contact": "daily", "closeness": 2,
     "satisfying": "Shows me the ropes", "unsatisfying": "Late messages",
     "would_change": "Agree on no messages after 20:00"},
]  # fmt: skip
GOALS = [
    "Settle into the new team lead role without working late evenings",
    "Keep Sunday lunch with Mum through the change",
]
PLAN = {
    "signs": [
        {"pole": "elevated", "stage": "early", "text": "Going to bed later and later",
         "signal": {"rule": "bed_shift", "direction": "later", "min_minutes": 120},
         "actions": ["Lights out by 23:30, phone in the kitchen", "Tell Alex"]},
        {"pole": "elevated", "stage": "early", "text": "Feeling unusually full of energy",
         "signal": {"rule": "mood", "pole": "elevated"},
         "actions": ["Keep my anchors steady", "Book a session with Dr Demo"]},
        {"pole": "elevated", "stage": "late", "text": "ASRM at 6 or more",
         "signal": {"rule": "asrm_high", "min_total": 6},
         "actions": ["Call Dr Demo the same day"]},
        {"pole": "depressed", "stage": "early", "text": "Getting up later, seeing nobody",
         "signal": {"rule": "isolation"}, "actions": ["Walk outside before 9", "Call Mum"]},
        {"pole": "depressed", "stage": "late", "text": "PHQ-9 at 15 or more",
         "signal": {"rule": "phq9_high", "min_total": 15},
         "actions": ["Ask Alex to stay close", "Call the clinic"]},
    ],
    "supporters": [
        {"name": "Alex", "how_to_reach": "07700 900456"},
        {"name": "Mum", "how_to_reach": "07700 900789"},
    ],
    "crisis_contacts": [
        {"name": "Crisis team", "how_to_reach": "0800 000 000, day and night"},
        {"name": "Emergency services", "how_to_reach": "999 or 112"},
    ],
}  # fmt: skip


def seed(session: so.Session, clinician: User, client: User, first: date, today: date) -> None:
    link = care.course_link(session, clinician, client)
    if not link.problem_areas:
        course = {
            "course_start": link.course_start or first,
            "planned_weeks": link.planned_weeks or 16,
            "phase": link.phase or "middle",
            "problem_areas": ["role_transition"],
        }
        care.set_course(session, clinician, client, course)
    for person in PEOPLE:
        inventory.create(session, client, clinician, person)
    area = link.problem_areas[0]
    last_session = today - timedelta(days=7)
    for text, progress in zip(GOALS, (2, 1), strict=True):
        goal = goals.create(session, client, clinician, {"text": text, "problem_area": area})
        review = {"session_date": last_session, "kind": "session", "progress": progress}
        goals.review(session, client, goal["id"], clinician, review, today)
    called = tasks.assign(
        session,
        client,
        clinician,
        {"text": "Call Mum before Sunday", "due": last_session + timedelta(days=5),
         "problem_area": area},
    )  # fmt: skip
    tasks.record_outcome(session, client, called["id"], True, "We talked for an hour", utcnow())
    tasks.assign(
        session,
        client,
        clinician,
        {"text": "Lights out by 23:30 on three nights", "due": today + timedelta(days=6),
         "anchor": "to_bed"},
    )  # fmt: skip
    relapse_plan.save(session, client, client, PLAN, ["0"])
