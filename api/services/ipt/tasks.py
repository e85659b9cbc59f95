"""Between-session tasks (IPT's homework): a clinician assigns, the client answers done or not
done with a note. The answer is an idempotent PUT, so a phone's offline outbox may replay it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import Task, User
from api.services import people
from api.services.ipt.common import owned, text_or_none

TASK_STATUSES = ("open", "done", "not_done")


def status_of(task: Task) -> str:
    if task.done is None:
        return "open"
    return "done" if task.done else "not_done"


def listed(session: so.Session, client: User, status: str | None = None) -> list[dict]:
    """Open tasks first, soonest due first; then answered ones, latest due first."""
    query = sa.select(Task).where(Task.client_id == client.id)
    if status == "open":
        query = query.where(Task.done.is_(None))
    elif status in ("done", "not_done"):
        query = query.where(Task.done == (status == "done"))
    rows = session.scalars(query.order_by(Task.due, Task.id)).all()
    open_ = [t for t in rows if t.done is None]
    answered = sorted(
        (t for t in rows if t.done is not None), key=lambda t: (t.due, t.id), reverse=True
    )
    return _views(session, open_ + answered)


def assign(session: so.Session, client: User, actor: User, data: dict) -> dict:
    now = utcnow()
    task = Task(client_id=client.id, assigned_by=actor.id, created_at=now)
    _fill(task, data, now)
    session.add(task)
    session.commit()
    return _views(session, [task])[0]


def replace(session: so.Session, client: User, task_id: int, data: dict) -> dict:
    """Change what was assigned; the client's answer, if any, stays."""
    task = owned(session, Task, client.id, task_id, "task")
    _fill(task, data, utcnow())
    session.commit()
    return _views(session, [task])[0]


def delete(session: so.Session, client: User, task_id: int) -> None:
    task = owned(session, Task, client.id, task_id, "task")
    session.delete(task)
    session.commit()


def record_outcome(
    session: so.Session, client: User, task_id: int, done: bool, note: str | None, now: datetime
) -> dict:
    """Set the client's answer. One conditional UPDATE: the same answer again (a replay)
    changes nothing, not even when it was given."""
    task = owned(session, Task, client.id, task_id, "task")
    note = text_or_none(note)
    same = sa.and_(Task.done.is_not_distinct_from(done), Task.note.is_not_distinct_from(note))
    session.execute(
        sa.update(Task)
        .where(Task.id == task.id, sa.not_(same))
        .values(done=done, note=note, outcome_at=now, updated_at=now)
    )
    session.commit()
    session.refresh(task)
    return _views(session, [task])[0]


def _fill(task: Task, data: dict, now) -> None:
    task.text = data["text"].strip()
    task.due = data["due"]
    task.problem_area = data.get("problem_area")
    task.anchor = data.get("anchor")
    task.updated_at = now


def _views(session: so.Session, rows) -> list[dict]:
    names = people.named(session, (t.assigned_by for t in rows))
    return [
        {
            "id": t.id,
            "text": t.text,
            "due": t.due,
            "problem_area": t.problem_area,
            "anchor": t.anchor,
            "status": status_of(t),
            "done": t.done,
            "note": t.note,
            "outcome_at": t.outcome_at,
            "assigned_by": names.get(t.assigned_by),
            "created_at": t.created_at,
            "updated_at": t.updated_at,
        }
        for t in rows
    ]
