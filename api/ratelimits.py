"""Rate limits on sign-in, registration and client writes (flask-limiter).

Counters live where every worker process sees them (api/ratelimit_storage.py): the app's
database by default, Redis when configured. Limits are checked before the view runs, so keys
come from the request itself: the remote address (the proxy's client address when
CADENCE_TRUSTED_PROXIES is set), the email being signed in to, or the bearer token.

Sign-in follows OWASP's advice to limit per account *and* source without a hard lock:
- every address: `sign_in_per_ip` attempts of any kind;
- each (account, address) pair: `sign_in_per_account` failed passwords. A stranger failing an
  account's password from their own address blocks only themselves;
- each account, across addresses where it has not signed in successfully in the last
  `KNOWN_ADDRESS_DAYS` days: `sign_in_account_ceiling`, a ladder of ever longer windows (a
  stepped backoff) against a spread-out guessing attack. The owner's usual address is exempt,
  so the right password from there still works while the ceiling holds.
Only failed sign-ins (401) count against an account, so its owner's successes never do.
"""

from __future__ import annotations

import functools
import hashlib
import logging

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits import parse_many

from api import auth
from api.ratelimit_storage import SharedStorage

log = logging.getLogger("cadence.ratelimits")

KNOWN_ADDRESS_DAYS = 30

limiter = Limiter(key_func=get_remote_address)


def _setting(name: str):
    return lambda: getattr(current_app.config["CADENCE"], name)


def _hash(text: str) -> str:
    # Hashed: the limiter's storage need not learn who signs in, nor from where.
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _account() -> str:
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return _hash(str(email or "").strip().lower())


def _account_key() -> str:
    return f"account:{_account()}"


def _account_address_key() -> str:
    return f"account:{_account()}:from:{_hash(get_remote_address() or '')}"


def _known_address_key() -> str:
    # Written by us, not by a limit: the configured prefix keeps apps sharing a Redis apart.
    prefix = current_app.config["CADENCE"].ratelimit_key_prefix
    return f"{prefix}/known:{_account()}:{_hash(get_remote_address() or '')}"


def _is_known_address() -> bool:
    return limiter.storage.get(_known_address_key()) > 0


def _remember_address() -> None:
    key = _known_address_key()
    try:
        limiter.storage.clear(key)
        limiter.storage.incr(key, KNOWN_ADDRESS_DAYS * 86400)
    except Exception as error:  # the sign-in itself succeeded; only the exemption is lost
        log.warning("could not remember a sign-in address: %s", type(error).__name__)


def _token_key() -> str:
    """The token as it is stored (its SHA-256), however the header spells `Bearer`; a request
    without a token is counted by address."""
    plain = auth._bearer()
    if plain is None:
        return f"anonymous:{get_remote_address()}"
    return f"token:{auth._digest(plain)}"


def _is_read() -> bool:
    return request.method in ("GET", "HEAD", "OPTIONS")


def _failed(response) -> bool:
    """A wrong password or a wrong two-factor code. The right password sent without a code
    (the app asks for the code next) is not a failure."""
    if response.status_code != 401:
        return False
    sent = request.get_json(silent=True)
    answer = response.get_json(silent=True)
    asked_for_code = (
        isinstance(answer, dict)
        and answer.get("otp_required") is True
        and isinstance(sent, dict)
        and not sent.get("otp")
    )
    return not asked_for_code


sign_in_per_ip = limiter.limit(_setting("ratelimit_sign_in_per_ip"))
_sign_in_per_pair = limiter.limit(
    _setting("ratelimit_sign_in_per_account"),
    key_func=_account_address_key,
    deduct_when=_failed,
)
_sign_in_ceiling = limiter.limit(
    _setting("ratelimit_sign_in_account_ceiling"),
    key_func=_account_key,
    deduct_when=_failed,
    exempt_when=_is_known_address,
)


def sign_in_per_account(view):
    """The per (account, address) limit and the per-account ceiling; a successful sign-in
    makes its address a known one for the account."""

    @functools.wraps(view)
    def remembering(*args, **kwargs):
        response = view(*args, **kwargs)
        if getattr(response, "status_code", None) == 201 and limiter.enabled:
            _remember_address()
        return response

    return _sign_in_per_pair(_sign_in_ceiling(remembering))


register_per_ip = limiter.limit(_setting("ratelimit_register_per_ip"))
# Every reset request counts (each answers 202 alike and may send a mail), per address and
# per account, so that nobody can flood someone's inbox from one address or many.
reset_per_ip = limiter.limit(_setting("ratelimit_reset_per_ip"))
reset_per_account = limiter.limit(_setting("ratelimit_reset_per_account"), key_func=_account_key)
writes_per_client = limiter.limit(
    _setting("ratelimit_writes_per_client"), key_func=_token_key, exempt_when=_is_read
)
# Checks of the password or a two-factor code inside a session (enrolling or dropping an
# authenticator): refused ones count per token, as failed sign-ins count per account and
# address, so that a stolen token is no way to guess the password.
reauth_per_token = limiter.shared_limit(
    _setting("ratelimit_sign_in_per_account"),
    scope="reauth",
    key_func=_token_key,
    deduct_when=lambda response: response.status_code == 422,
)


LIMIT_SETTINGS = (
    "ratelimit_sign_in_per_ip",
    "ratelimit_sign_in_per_account",
    "ratelimit_sign_in_account_ceiling",
    "ratelimit_register_per_ip",
    "ratelimit_reset_per_ip",
    "ratelimit_reset_per_account",
    "ratelimit_writes_per_client",
)


def _check_settings(config) -> None:
    """A limit that does not parse fails at start-up, not as a 500 at the first sign-in."""
    for name in LIMIT_SETTINGS:
        value = getattr(config, name)
        try:
            parse_many(value)
        except ValueError:
            raise ValueError(
                f"CADENCE_{name.upper()} must be limits like '5 per minute', got {value!r}"
            ) from None


def init_app(app: Flask) -> None:
    _check_settings(app.config["CADENCE"])
    url = app.config["CADENCE"].ratelimit_storage_url
    # The shared storage always; Redis behind it when configured, so that a Redis outage
    # falls back to the database (ratelimit_storage). Every option is set each time: the
    # limiter is one object and keeps options from an earlier app.
    if url.startswith(("redis://", "rediss://", "unix://")):
        app.config["RATELIMIT_STORAGE_URI"] = "database://"
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"redis_url": url}
    elif url.startswith("database://"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"redis_url": ""}
    limiter.init_app(app)


__all__ = ["SharedStorage", "init_app", "limiter"]
