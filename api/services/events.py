"""Life events that disrupt routines (travel, loss, role changes...)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import LifeEvent, User
from api.services import flagging
from api.services.errors import Invalid, NotFound


def listed(session: so.Session, client_id: int, start: date, end: date) -> list[LifeEvent]:
    return list(
        session.scalars(
            sa.select(LifeEvent)
            .where(LifeEvent.client_id == client_id)
            .where(LifeEvent.start_day <= end, LifeEvent.end_day >= start)
            .order_by(LifeEvent.start_day, LifeEvent.id)
        )
    )


def create(session: so.Session, client: User, data: dict, today: date) -> LifeEvent:
    if data["end"] < data["start"]:
        raise Invalid("The event ends before it starts.", {"end": ["Before 'start'."]})
    event = LifeEvent(
        client_id=client.id,
        start_day=data["start"],
        end_day=data["end"],
        kind=data["kind"],
        disruption=data["disruption"],
        note=data.get("note"),
    )
    session.add(event)
    session.commit()
    # Flags overlapping the event become explained.
    flagging.evaluate_after_change(session, client, event.start_day, event.end_day, today)
    return event


def delete(session: so.Session, client: User, event_id: int, today: date) -> None:
    event = session.get(LifeEvent, event_id)
    if event is None or event.client_id != client.id:
        raise NotFound("No such life event.")
    first, last = event.start_day, event.end_day
    session.delete(event)
    session.commit()
    flagging.evaluate_after_change(session, client, first, last, today)
