"""Who may see whom: the one place that decides, denying by default.

Every route that touches a client's data names the client (itself when `client_id` is None)
and an action; `subject` returns the client or raises NotFound, so that data someone may
not see looks exactly like data that does not exist.
"""

from __future__ import annotations

from sqlalchemy import orm as so

from api.models import User
from api.services.errors import NotFound, ServiceError


class Forbidden(ServiceError):
    status = 403


# What a client may do with their own data.
SELF_ACTIONS = frozenset(
    {
        "diary:read",
        "diary:write",
        "scores:read",
        "flags:read",
        "flags:ack",
        "flag_settings:read",
        "targets:read",
        "targets:write",
        "events:read",
        "events:write",
    }
)


def subject(session: so.Session, user: User, client_id: int | None, action: str) -> User:
    """The client whose data `user` acts on, if `action` is allowed; otherwise NotFound."""
    if client_id is None:
        if user.role != "client":
            raise Forbidden("Only client accounts keep a diary; use /clients/{id}/... instead.")
        if action in SELF_ACTIONS:
            return user
        raise Forbidden(f"Clients may not {action.replace(':', ' ')} here.")
    if client_id == user.id and user.role == "client" and action in SELF_ACTIONS:
        return user
    raise NotFound("Not found.")
