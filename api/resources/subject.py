"""Resolve the client a request acts on, through the one access policy."""

import functools

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


def own_route(blp, rule: str, **options):
    """Register a view only for the caller's own data (what a client alone may do)."""
    return blp.route(rule, **options)


def clients_route(blp, rule: str, **options):
    """Register a view only under /clients/{id} (what a linked clinician alone may do)."""
    return blp.route(CLIENT_PREFIX + rule, **options)


def client_for(action: str, client_id: int | None = None) -> User:
    return access.subject(db.session(), current_user(), client_id, action)


def requires(action: str):
    """Declare the action a view performs on a client's data. The client (the caller, or the
    one the URL names) is resolved through the access policy before anything else and passed
    to the view as `client`; `view.action` keeps the declaration, so the policy can be read
    from the routes (tests/api/test_route_access.py). Goes below `login_required`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, client_id: int | None = None, **kwargs):
            return view(*args, client=client_for(action, client_id), **kwargs)

        wrapper.action = action
        return wrapper

    return decorator


def today_for(client: User):
    return local_today(client.timezone, utcnow())


def date_range(client: User, start, end, default_days: int = 28):
    """?from=&to= resolved against the client's today and bounded by the configured maximum."""
    return default_range(
        start, end, today_for(client), current_app.config["CADENCE"].max_range_days, default_days
    )
