"""The interpersonal inventory: the client's important relationships, built with the
clinician in the initial phase and edited by either later. Never exported for research
(api/services/export/ reads only the diary and life events)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import utcnow
from api.models import InventoryPerson, User
from api.services import people
from api.services.errors import Conflict
from api.services.ipt.common import owned, text_or_none

# Enough for anyone's close circle and acquaintances; a bound on what one account may store.
MAX_PEOPLE = 50
FIELDS = ("name", "role", "contact", "closeness", "satisfying", "unsatisfying", "would_change")


def listed(session: so.Session, client: User) -> list[dict]:
    rows = session.scalars(
        sa.select(InventoryPerson)
        .where(InventoryPerson.client_id == client.id)
        .order_by(InventoryPerson.closeness.desc(), InventoryPerson.name, InventoryPerson.id)
    ).all()
    return _views(session, rows)


def create(session: so.Session, client: User, actor: User, data: dict) -> dict:
    count = session.scalar(
        sa.select(sa.func.count())
        .select_from(InventoryPerson)
        .where(InventoryPerson.client_id == client.id)
    )
    if count >= MAX_PEOPLE:
        raise Conflict(f"The inventory holds at most {MAX_PEOPLE} people; remove one first.")
    now = utcnow()
    person = InventoryPerson(client_id=client.id, created_at=now)
    _fill(person, data, actor, now)
    session.add(person)
    session.commit()
    return _views(session, [person])[0]


def replace(session: so.Session, client: User, person_id: int, actor: User, data: dict) -> dict:
    person = owned(session, InventoryPerson, client.id, person_id, "person in the inventory")
    _fill(person, data, actor, utcnow())
    session.commit()
    return _views(session, [person])[0]


def delete(session: so.Session, client: User, person_id: int) -> None:
    person = owned(session, InventoryPerson, client.id, person_id, "person in the inventory")
    session.delete(person)
    session.commit()


def _fill(person: InventoryPerson, data: dict, actor: User, now) -> None:
    person.name = data["name"].strip()
    person.role = data["role"]
    person.contact = data["contact"]
    person.closeness = data["closeness"]
    for key in ("satisfying", "unsatisfying", "would_change"):
        setattr(person, key, text_or_none(data.get(key)))
    person.updated_at = now
    person.updated_by = actor.id


def _views(session: so.Session, rows) -> list[dict]:
    names = people.named(session, (row.updated_by for row in rows))
    return [
        {
            "id": row.id,
            **{key: getattr(row, key) for key in FIELDS},
            "created_at": row.created_at,
            "updated_at": row.updated_at,
            "updated_by": names.get(row.updated_by),
        }
        for row in rows
    ]
