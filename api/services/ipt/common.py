"""Small helpers the IPT services share."""

from __future__ import annotations

from sqlalchemy import orm as so

from api.services.errors import NotFound


def text_or_none(value: str | None) -> str | None:
    """Trimmed text; an empty optional text is stored as null."""
    if value is None:
        return None
    return value.strip() or None


def owned(session: so.Session, model, client_id: int, row_id: int, what: str):
    """The client's row of `model` with this id; another client's, or none, is NotFound."""
    row = session.get(model, row_id)
    if row is None or row.client_id != client_id:
        raise NotFound(f"No such {what}.")
    return row
