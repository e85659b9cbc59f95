"""Writes the audit trail on its own connection, so a rolled-back request is still recorded."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from sqlalchemy import orm as so

from api import db
from api.db import utcnow
from api.models import AuditEvent, User

# A client's id for correlating its own logs: printable ASCII, bounded; anything else is dropped.
_CLIENT_REQUEST_ID = re.compile(r"[\x20-\x7e]{1,64}")


def client_request_id(supplied: str | None) -> str | None:
    if supplied is None or not _CLIENT_REQUEST_ID.fullmatch(supplied):
        return None
    return supplied


def init_app(app: Flask) -> None:
    @app.before_request
    def _request_id():
        # Always the server's own id: a client must not choose what the trail is searched by.
        g.request_id = uuid.uuid4().hex
        g.client_request_id = client_request_id(request.headers.get("X-Request-ID"))

    @app.after_request
    def _finish(response):
        pending = g.pop("audit_pending", None)
        if pending is not None:
            session = g.get("db_session")
            if session is not None:
                # Views commit what they keep; release locks before writing the trail.
                session.rollback()
            outcome = "ok" if response.status_code < 400 else "failed"
            record(outcome=outcome, detail={"status": response.status_code}, **pending)
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response


def record(
    action: str,
    outcome: str,
    actor: User | None = None,
    subject_id: int | None = None,
    resource: str | None = None,
    detail: dict | None = None,
) -> None:
    """Append one event. `detail` holds counts and codes, never health values."""
    row = _row(action, outcome, actor, subject_id, resource, detail)
    with db.engine().begin() as connection:
        connection.execute(sa.insert(AuditEvent), [row])


def _row(action, outcome, actor, subject_id, resource, detail) -> dict:
    in_request = has_request_context()
    return {
        "at": utcnow(),
        "actor_id": actor.id if actor else None,
        "actor_role": actor.role if actor else None,
        "action": action,
        "subject_id": subject_id,
        "resource": resource or (f"{request.method} {request.path}" if in_request else "-"),
        "request_id": g.get("request_id") if in_request else None,
        "client_request_id": g.get("client_request_id") if in_request else None,
        "ip": request.remote_addr if in_request else None,
        "user_agent": _user_agent() if in_request else None,
        "outcome": outcome,
        "detail": detail or {},
    }


def _user_agent() -> str | None:
    # Bounded to the column; both it and the address are blanked after the retention period.
    agent = request.headers.get("User-Agent")
    return agent[:200] if agent else None


def record_many(action: str, actor: User, subject_ids: list[int]) -> None:
    """One event per subject in a single statement (a caseload page reads many clients)."""
    if not subject_ids:
        return
    base = _row(action, "ok", actor, None, None, {})
    with db.engine().begin() as connection:
        connection.execute(sa.insert(AuditEvent), [{**base, "subject_id": i} for i in subject_ids])


def record_after_response(action: str, actor: User, subject_id: int) -> None:
    """Record this request's access once its outcome is known."""
    g.audit_pending = {"action": action, "actor": actor, "subject_id": subject_id}


def events(
    session: so.Session,
    *,
    subject_id: int | None = None,
    actor_id: int | None = None,
    action: str | None = None,
    exclude_actor: int | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[AuditEvent], int]:
    query = sa.select(AuditEvent)
    if subject_id is not None:
        query = query.where(AuditEvent.subject_id == subject_id)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    if exclude_actor is not None:
        query = query.where(
            sa.or_(AuditEvent.actor_id.is_(None), AuditEvent.actor_id != exclude_actor)
        )
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    )
    return list(rows), total
