"""Rate limits on sign-in, registration and client writes (flask-limiter).

Limits are checked before the view runs, so keys come from the request itself: the remote
address, the email being signed in to, or the bearer token (one client's device).
"""

from __future__ import annotations

import hashlib

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address)


def _setting(name: str):
    return lambda: getattr(current_app.config["CADENCE"], name)


def _account_key() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    # Hashed: the limiter's storage need not learn who signs in.
    normalised = str(email or "").strip().lower()
    return f"account:{hashlib.sha256(normalised.encode()).hexdigest()[:32]}"


def _token_key() -> str:
    token = request.headers.get("Authorization", "")
    return f"token:{hashlib.sha256(token.encode()).hexdigest()}"


def _is_read() -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS")


sign_in_per_ip = limiter.limit(_setting("ratelimit_sign_in_per_ip"))
# Only failed attempts count against an account, so its owner on several devices is not
# locked out by their own successful sign-ins.
sign_in_per_account = limiter.limit(
    _setting("ratelimit_sign_in_per_account"),
    key_func=_account_key,
    deduct_when=lambda response: response.status_code == 401,
)
register_per_ip = limiter.limit(_setting("ratelimit_register_per_ip"))
writes_per_client = limiter.limit(
    _setting("ratelimit_writes_per_client"), key_func=_token_key, exempt_when=_is_read
)


def init_app(app: Flask) -> None:
    limiter.init_app(app)
