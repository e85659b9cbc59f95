"""A client erases their account (GDPR Art. 17): `DELETE /api/v1/me`.

Erased in one transaction: every row of every table that points at the person (diary and its
activities, targets, life events, flags and their settings, care links, reminders, push
subscriptions, tokens, verification and reset links, authenticators), and the mail still
queued to their address. Found by walking the schema's foreign keys to `users`, so a table
added later is erased too unless it is named in KEPT below.

Kept, and why (README.md says the same to the person):
- the `users` row itself, as a tombstone with the same id: email, password, name and settings
  blanked, `deleted_at` set. The audit trail is append-only (a trigger refuses UPDATE and
  DELETE on PostgreSQL and SQLite), so its actor and subject ids cannot be re-pointed; they
  resolve to the tombstone instead;
- the audit trail: who read or changed whose data and when; it holds no health values;
- study participation rows (pseudonym, date shift, consent history), withdrawn now: research
  exports already handed out cannot be recalled, and the mapping keeps them consistent;
  later exports leave the person out (services/export/ exports consenting participants);
- a note for each linked clinician that the account was deleted (CareLinkEnding).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.auth import check_password
from api.db import Base, utcnow
from api.models import CareLink, CareLinkEnding, MailMessage, StudyConsent, StudyParticipant, User
from api.services import access, audit, two_factor
from api.services.errors import Invalid, NotFound

KEPT = frozenset(
    {"users", "audit_events", "study_participants", "study_consents", "care_link_endings"}
)
# Left as they are on the tombstone; every other column is blanked.
TOMBSTONE_KEEPS = frozenset({"id", "role", "created_at"})


def tombstone_email(user_id: int) -> str:
    # Not an address (no @), so nobody can register it; unique, as the column requires.
    return f"deleted-account-{user_id}"


def erase(session: so.Session, user: User, password: str, otp: str | None = None) -> dict:
    """Erase `user`'s account after checking the password (and code, if two-factor is on);
    returns the rows erased per table."""
    access.own_account(user, "account:delete")
    _check_secrets(session, user, password, otp)
    # The account row first, before any other: a write in flight holds a key-share lock on it
    # (its foreign key) and finishes before this goes on; a later one waits for this commit.
    # Taking it last instead deadlocks with such writes.
    locked = sa.select(User.deleted_at).where(User.id == user.id).with_for_update()
    if session.scalar(locked) is not None:  # a second request, erased while it waited
        session.rollback()
        raise NotFound("This account has been deleted.")
    now = utcnow()
    _leave_clinicians_a_note(session, user, now)
    studies = _withdraw_from_studies(session, user, now)
    erased = _erase_rows(session, user)
    erased["mail_outbox"] = session.execute(
        sa.delete(MailMessage).where(MailMessage.recipient == user.email)
    ).rowcount
    _make_tombstone(user, now)
    session.commit()
    for study_id in studies:
        detail = {"study": study_id, "reason": "account deleted"}
        audit.record("research:withdraw", "ok", actor=user, subject_id=user.id, detail=detail)
    audit.record("account:delete", "ok", actor=user, subject_id=user.id, detail={"rows": erased})
    return erased


def _check_secrets(session: so.Session, user: User, password: str, otp: str | None) -> None:
    if not check_password(user, password):
        session.rollback()
        audit.record("account:delete", "failed", actor=user, subject_id=user.id)
        problem = "This is not your current password."
        raise Invalid(problem, {"password": [problem]})
    # Two-factor sign-in on (services/two_factor.py): a code is needed as well.
    enrolled = two_factor.is_enabled(session, user)
    if enrolled and (not otp or two_factor.verify(session, user, otp) is None):
        session.rollback()
        audit.record("account:delete", "failed", actor=user, subject_id=user.id)
        problem = "A current code from your authenticator is needed to delete the account."
        raise Invalid(problem, {"otp": [problem]})


def _leave_clinicians_a_note(session: so.Session, user: User, now) -> None:
    live = session.scalars(
        sa.select(CareLink).where(CareLink.client_id == user.id, CareLink.revoked_at.is_(None))
    )
    for link in live:
        session.add(
            CareLinkEnding(
                clinician_id=link.clinician_id,
                client_id=user.id,
                linked_at=link.created_at,
                ended_at=now,
            )
        )
    session.flush()


def _withdraw_from_studies(session: so.Session, user: User, now) -> list[int]:
    participants = session.scalars(
        sa.select(StudyParticipant).where(
            StudyParticipant.client_id == user.id, StudyParticipant.withdrawn_at.is_(None)
        )
    ).all()
    for participant in participants:
        participant.withdrawn_at = now
    session.execute(
        sa.update(StudyConsent)
        .where(StudyConsent.client_id == user.id, StudyConsent.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    return [p.study_id for p in participants]


def _erase_rows(session: so.Session, user: User) -> dict[str, int]:
    """Delete the rows that belong to the person; clear references to them in others' rows."""
    return _erase_where(session, lambda column: column == user.id)


def _erase_where(session: so.Session, names) -> dict[str, int]:
    erased: dict[str, int] = {}
    users = Base.metadata.tables["users"]
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT:
            continue
        for fk in table.foreign_keys:
            if fk.column.table is not users:
                continue
            column = fk.parent
            if fk.ondelete == "SET NULL" and column.nullable:
                session.execute(sa.update(table).where(names(column)).values({column: None}))
                continue
            count = session.execute(sa.delete(table).where(names(column))).rowcount
            if count:
                erased[table.name] = erased.get(table.name, 0) + count
    return erased


def sweep(session: so.Session) -> dict[str, int]:
    """Erase rows that still name an erased account: a request that was already past its
    token check when the account was erased may commit a write just after (run daily by the
    cleanup job)."""
    tombstones = sa.select(User.id).where(User.deleted_at.is_not(None)).scalar_subquery()
    erased = _erase_where(session, lambda column: column.in_(tombstones))
    session.commit()
    return erased


def _make_tombstone(user: User, now) -> None:
    for column in User.__table__.columns:
        if column.name in TOMBSTONE_KEEPS or not column.nullable:
            continue
        setattr(user, column.key, None)
    user.email = tombstone_email(user.id)
    user.password_hash = ""  # matches no password: check_password treats it as invalid
    user.display_name = None
    user.timezone = "UTC"
    user.tracked_activities = []
    user.reminder_times = []
    user.deactivated_at = user.deleted_at = now
