"""Resolve the client a request acts on, through the one access policy."""

from flask import current_app

from api import db
from api.auth import current_user
from api.db import utcnow
from api.models import User
from api.rhythm.clock import local_today
from api.services import access
from api.services.diary import default_range

CLIENT_PREFIX = "/clients/<id:client_id>"


def client_route(blp, rule: str, **options):
    """Register a view at `rule` (the caller's own data) and under /clients/{id} (a client's,
    as the access policy allows). Both URLs run the same view; only the subject differs."""

    def decorator(view):
        endpoint = options.pop("endpoint", None) or view.__name__
        blp.route(rule, endpoint=endpoint, **options)(view)
        blp.route(CLIENT_PREFIX + rule, endpoint=f"client_{endpoint}", **options)(view)
        return view

    return decorator


def client_for(action: str, client_id: int | None = None) -> User:
    return access.subject(db.session(), current_user(), client_id, action)


def today_for(client: User):
    return local_today(client.timezone, utcnow())


def date_range(client: User, start, end, default_days: int = 28):
    """?from=&to= resolved against the client's today and bounded by the configured maximum."""
    return default_range(
        start, end, today_for(client), current_app.config["CADENCE"].max_range_days, default_days
    )
