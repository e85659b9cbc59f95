"""Goals agreed for the course's one or two problem areas, reviewed session by session and
re-evaluated at the course's midpoint (a review of kind "midpoint")."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import Goal, GoalReview, User
from api.models.ipt import GOAL_STATUSES, PROGRESS_SCALE
from api.services import people
from api.services.errors import Invalid
from api.services.ipt import course
from api.services.ipt.common import owned, text_or_none

# Active goals first, the others after them in the order the vocabulary lists them.
_STATUS_ORDER = {status: index for index, status in enumerate(GOAL_STATUSES)}


def overview(session: so.Session, client: User, viewer: User) -> dict:
    """The course's problem areas, the midpoint review, and every goal with its reviews."""
    links = course.links(session, client, viewer)
    goals = session.scalars(
        sa.select(Goal).where(Goal.client_id == client.id).order_by(Goal.id)
    ).all()
    reviews = _reviews(session, client.id)
    views = _views(session, goals, reviews)
    views.sort(key=lambda goal: _STATUS_ORDER[goal["status"]])
    midpoint_reviewed = any(r.kind == "midpoint" for rows in reviews.values() for r in rows)
    return {
        "problem_areas": course.problem_areas(links),
        "midpoint": {"due": course.midpoint_due(links), "reviewed": midpoint_reviewed},
        "progress_scale": list(PROGRESS_SCALE),
        "goals": views,
    }


def create(session: so.Session, client: User, actor: User, data: dict) -> dict:
    area = _area_on_course(session, client, actor, data["problem_area"])
    now = utcnow()
    goal = Goal(
        client_id=client.id,
        text=data["text"].strip(),
        problem_area=area,
        status="active",
        created_by=actor.id,
        created_at=now,
        updated_at=now,
    )
    session.add(goal)
    session.commit()
    return _views(session, [goal], {})[0]


def replace(session: so.Session, client: User, goal_id: int, actor: User, data: dict) -> dict:
    goal = owned(session, Goal, client.id, goal_id, "goal")
    if data["problem_area"] != goal.problem_area:
        _area_on_course(session, client, actor, data["problem_area"])
    goal.text = data["text"].strip()
    goal.problem_area = data["problem_area"]
    goal.status = data["status"]
    goal.updated_at = utcnow()
    session.commit()
    return _views(session, [goal], _reviews(session, client.id, goal.id))[0]


def delete(session: so.Session, client: User, goal_id: int) -> None:
    goal = owned(session, Goal, client.id, goal_id, "goal")
    session.execute(sa.delete(GoalReview).where(GoalReview.goal_id == goal.id))
    session.delete(goal)
    session.commit()


def review(
    session: so.Session, client: User, goal_id: int, actor: User, data: dict, today: date
) -> dict:
    goal = owned(session, Goal, client.id, goal_id, "goal")
    if data["session_date"] > today:
        problem = f"The session date may not be after today ({today.isoformat()})."
        raise Invalid(problem, {"session_date": [problem]})
    row = GoalReview(
        goal_id=goal.id,
        client_id=client.id,
        session_date=data["session_date"],
        kind=data["kind"],
        progress=data["progress"],
        note=text_or_none(data.get("note")),
        reviewed_by=actor.id,
        created_at=utcnow(),
    )
    session.add(row)
    session.commit()
    return _review_view(row, people.named(session, [actor.id]))


def _area_on_course(session: so.Session, client: User, actor: User, area: str) -> str:
    recorded = course.problem_areas(course.links(session, client, actor))
    if area in recorded:
        return area
    if recorded:
        problem = f"Not a problem area of this course; the course records {', '.join(recorded)}."
    else:
        problem = (
            "The course records no problem areas yet: set them first "
            "(PUT /clients/{id}/course, problem_areas)."
        )
    raise Invalid(problem, {"problem_area": [problem]})


def _reviews(
    session: so.Session, client_id: int, goal_id: int | None = None
) -> dict[int, list[GoalReview]]:
    query = sa.select(GoalReview).where(GoalReview.client_id == client_id)
    if goal_id is not None:
        query = query.where(GoalReview.goal_id == goal_id)
    by_goal: dict[int, list[GoalReview]] = defaultdict(list)
    for row in session.scalars(
        query.order_by(GoalReview.session_date.desc(), GoalReview.id.desc())
    ):
        by_goal[row.goal_id].append(row)
    return by_goal


def _views(session: so.Session, goals, reviews: dict[int, list[GoalReview]]) -> list[dict]:
    ids = [g.created_by for g in goals]
    ids += [r.reviewed_by for rows in reviews.values() for r in rows]
    names = people.named(session, ids)
    views = []
    for goal in goals:
        rows = reviews.get(goal.id, [])
        views.append(
            {
                "id": goal.id,
                "text": goal.text,
                "problem_area": goal.problem_area,
                "status": goal.status,
                "created_at": goal.created_at,
                "updated_at": goal.updated_at,
                "created_by": names.get(goal.created_by),
                "latest_progress": rows[0].progress if rows else None,
                "reviews": [_review_view(r, names) for r in rows],
            }
        )
    return views


def _review_view(row: GoalReview, names: dict[int, dict]) -> dict:
    return {
        "id": row.id,
        "goal_id": row.goal_id,
        "session_date": row.session_date,
        "kind": row.kind,
        "progress": row.progress,
        "note": row.note,
        "by": names.get(row.reviewed_by),
        "created_at": row.created_at,
    }
