"""How accounts are named beside what they did (acknowledged a flag, decided on targets)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import User


def named(session: so.Session, ids: Iterable[int | None]) -> dict[int, dict]:
    """Account id -> {"id", "name"} in one statement. Staff made from the command line may
    have no display name; their address names them then."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = session.execute(
        sa.select(User.id, User.display_name, User.email).where(User.id.in_(ids))
    )
    return {i: {"id": i, "name": name or email} for i, name, email in rows}
