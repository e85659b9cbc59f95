"""Two-factor sign-in: TOTP (RFC 6238) enrolment and checks, and one-time recovery codes.

Staff must use it (access.must_use_two_factor); clients may opt in. A code is checked only
after the password was right (api/services/accounts.sign_in), so the answer "a code is
needed" tells nothing about accounts to someone who does not know the password.

Replay: each accepted TOTP code moves the authenticator's `last_step` forward in one
conditional UPDATE, and a code is accepted only for a later step than that. Two requests
racing with the same code both run the UPDATE; the database lets one of them change the row.
Recovery codes are redeemed the same way (`used_at IS NULL` in the UPDATE's WHERE).
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
import sqlalchemy as sa
from sqlalchemy import orm as so

from api.auth import check_password
from api.db import utcnow
from api.models import Authenticator, RecoveryCode, User
from api.services import access, audit
from api.services.errors import Conflict, Invalid, ServiceError

ISSUER = "Cadence"
STEP_SECONDS = 30  # RFC 6238's default; authenticator apps assume it
# One step either side: a phone whose clock is up to 30 seconds off still works (RFC 6238 5.2).
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_GROUPS = 4  # 4 groups of 4 base32 characters: 80 random bits
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
# A started enrolment must be confirmed within this time, or started again.
PENDING_TTL = timedelta(minutes=30)

CODE_HINT = "Enter the 6-digit code from your authenticator app, or one of your recovery codes."


class Unauthorized(ServiceError):
    status = 401


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str

    @property
    def qr_svg_data_uri(self) -> str:
        return segno.make(self.uri, error="m").svg_data_uri(scale=4)

    def qr_terminal(self) -> str:
        """The QR code as text blocks, for a terminal."""
        out = io.StringIO()
        segno.make(self.uri, error="m").terminal(out=out, compact=True)
        return out.getvalue()


def _enrolment(user: User, secret: str) -> Enrolment:
    uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=ISSUER
    )
    return Enrolment(secret, uri)


def authenticator(session: so.Session, user: User) -> Authenticator | None:
    return session.get(Authenticator, user.id)


def is_enabled(session: so.Session, user: User) -> bool:
    found = authenticator(session, user)
    return found is not None and found.secret is not None


def required(session: so.Session, user: User) -> bool:
    return access.must_use_two_factor(user) or is_enabled(session, user)


# --- checking a code ---------------------------------------------------------------------


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _normalise(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The latest time step within the window whose code is `code`, if any."""
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = step_at(now)
    found = None
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found


def _hash_recovery(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


def _accept_totp(session: so.Session, user_id: int, secret: str, code: str, now) -> bool:
    step = _matching_step(secret, code, now)
    if step is None:
        return False
    moved = session.execute(
        sa.update(Authenticator)
        .where(
            Authenticator.user_id == user_id,
            sa.or_(Authenticator.last_step.is_(None), Authenticator.last_step < step),
        )
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    )
    return moved.rowcount == 1


def _redeem_recovery(session: so.Session, user_id: int, code: str, now) -> bool:
    redeemed = session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user_id,
            RecoveryCode.code_hash == _hash_recovery(code),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return redeemed.rowcount == 1


def verify(session: so.Session, user: User, code: str, now: datetime | None = None) -> str | None:
    """Accept `code` once for `user`'s active authenticator: 'totp' or 'recovery' when it is
    accepted (the caller commits), None when it is wrong or used already."""
    found = authenticator(session, user)
    if found is None or found.secret is None:
        return None
    now = now or utcnow()
    normal = _normalise(code)
    if re.fullmatch(r"\d{6}", normal):
        return "totp" if _accept_totp(session, user.id, found.secret, normal, now) else None
    if len(normal) == RECOVERY_CODE_GROUPS * 4 and _redeem_recovery(session, user.id, normal, now):
        return "recovery"
    return None


def check_sign_in(session: so.Session, user: User, code: str | None) -> str | None:
    """After the right password: raise Unauthorized (401, `otp_required`) unless this sign-in
    needs no code or `code` is accepted. Returns how the second factor was given."""
    if not required(session, user):
        return None
    if not is_enabled(session, user):
        audit.record("auth:sign_in", "denied", actor=user, detail={"otp": "not_enrolled"})
        raise Unauthorized(
            "This account needs two-factor sign-in but has no authenticator yet: ask an "
            "administrator to enrol one (flask users enrol-otp).",
            {"otp": ["No authenticator is enrolled for this account."]},
            otp_required=True,
            otp_enrolled=False,
        )
    if not code:
        audit.record("auth:sign_in", "denied", actor=user, detail={"otp": "missing"})
        raise Unauthorized("A code is needed to sign in.", {"otp": [CODE_HINT]}, otp_required=True)
    factor = verify(session, user, code)
    if factor is None:
        session.rollback()
        audit.record("auth:sign_in", "failed", actor=user, detail={"otp": "wrong"})
        raise Unauthorized(
            "Wrong code.",
            {"otp": ["This code is wrong or was used already. " + CODE_HINT]},
            otp_required=True,
        )
    return factor


def recovery_codes_left(session: so.Session, user: User) -> int:
    return session.scalar(
        sa.select(sa.func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )


# --- enrolment ---------------------------------------------------------------------------


def _new_recovery_codes(session: so.Session, user: User) -> list[str]:
    """Replace every recovery code of `user` with new ones, returned in plain text once."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [
        "-".join(
            "".join(secrets.choice(_BASE32) for _ in range(4)) for _ in range(RECOVERY_CODE_GROUPS)
        )
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash_recovery(c)) for c in codes)
    return codes


def _row(session: so.Session, user: User) -> Authenticator:
    found = authenticator(session, user)
    if found is None:
        found = Authenticator(user_id=user.id)
        session.add(found)
    return found


def enrol(session: so.Session, user: User, via: str = "cli") -> tuple[Enrolment, list[str]]:
    """An administrator enrols (or re-enrols) `user` at once: a new active secret and new
    recovery codes, handed over in person. Earlier codes stop working."""
    found = _row(session, user)
    found.secret = pyotp.random_base32()
    found.enabled_at = utcnow()
    found.pending_secret = found.pending_since = None
    found.last_step = None
    codes = _new_recovery_codes(session, user)
    session.commit()
    audit.record("auth:otp_enrol", "ok", actor=None, subject_id=user.id, detail={"via": via})
    return _enrolment(user, found.secret), codes


def _check_password(session: so.Session, user: User, password: str, action: str) -> None:
    if not check_password(user, password):
        session.rollback()
        audit.record(action, "failed", actor=user, subject_id=user.id, detail={"why": "password"})
        problem = "This is not your current password."
        raise Invalid(problem, {"password": [problem]})


def start(session: so.Session, user: User, password: str) -> Enrolment:
    """Begin enrolling an authenticator in the app. The current one (if any) keeps working
    until a code from the new one is confirmed."""
    _check_password(session, user, password, "auth:otp_enrol")
    found = _row(session, user)
    found.pending_secret = pyotp.random_base32()
    found.pending_since = utcnow()
    session.commit()
    return _enrolment(user, found.pending_secret)


def confirm(session: so.Session, user: User, code: str, now: datetime | None = None) -> list[str]:
    """Activate the started enrolment with a code from it; returns new recovery codes."""
    now = now or utcnow()
    found = authenticator(session, user)
    if found is None or found.pending_secret is None or found.pending_since + PENDING_TTL < now:
        raise Conflict(
            "No enrolment is waiting for a code: start one with POST /api/v1/me/otp.",
            {"otp": ["Start enrolling first, then enter a code from the new authenticator."]},
        )
    normal = _normalise(code)
    step = _matching_step(found.pending_secret, normal, now) if normal.isdigit() else None
    if step is None:
        audit.record("auth:otp_enrol", "failed", actor=user, subject_id=user.id)
        problem = "This code does not match the new authenticator; check its clock and retry."
        raise Invalid(problem, {"otp": [problem]})
    first = found.secret is None
    found.secret, found.pending_secret, found.pending_since = found.pending_secret, None, None
    found.enabled_at = now
    found.last_step = step
    codes = _new_recovery_codes(session, user)
    session.commit()
    audit.record(
        "auth:otp_enrol",
        "ok",
        actor=user,
        subject_id=user.id,
        detail={"via": "api", "first": first},
    )
    return codes


def disable(session: so.Session, user: User, password: str, code: str) -> None:
    """A client turns two-factor sign-in off with their password and a current code."""
    access.may_drop_two_factor(user)
    if not is_enabled(session, user):
        raise Conflict("Two-factor sign-in is not on for this account.")
    _check_password(session, user, password, "auth:otp_disable")
    if verify(session, user, code) is None:
        session.rollback()
        audit.record("auth:otp_disable", "failed", actor=user, subject_id=user.id)
        problem = "This code is wrong or was used already."
        raise Invalid(problem, {"otp": [problem]})
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.execute(sa.delete(Authenticator).where(Authenticator.user_id == user.id))
    session.commit()
    audit.record("auth:otp_disable", "ok", actor=user, subject_id=user.id)
