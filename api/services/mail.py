"""Outgoing mail: `enqueue` in the caller's transaction, `send_due` from the scheduler.

A request never talks to a mail server: it adds a row to `mail_outbox`, committed with the
rest of its work; the scheduler's tick (api/jobs.py) sends what is due. Several schedulers may
run: each claims rows with one conditional UPDATE (only rows still `queued` are taken), so a
message is sent by one of them only. A scheduler that dies mid-send leaves its rows `sending`;
after STALE_CLAIM they are taken again (so such a message may, rarely, arrive twice).

Failures are retried with exponential backoff (1, 2, 4 ... minutes, capped at MAX_BACKOFF);
after `mail_max_attempts`, or at once when the server refuses the address outright (5xx), the
row stays as `failed`. Logs name the message id and kind, never
the recipient, subject or body.
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from api.config import Config
from api.models.mail import MailMessage
from api.services.mail_transport import (
    FileTransport,
    SmtpTransport,
    parse_smtp_url,
    sender_domain,
)

log = logging.getLogger("cadence.mail")

FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
STALE_CLAIM = timedelta(minutes=15)
# Sent and failed rows are deleted after this long: the address alone is health information.
KEEP_FINISHED = timedelta(days=30)
_KIND = re.compile(r"[a-z][a-z0-9_]{0,39}")


def enqueue(session: so.Session, to: str, subject: str, body: str, kind: str) -> MailMessage:
    """Queue one plain-text message (no health values, ever) in the caller's transaction."""
    if not to or "@" not in to or len(to) > 320 or any(c in to for c in "\r\n,<>"):
        raise ValueError("mail recipient must be one bare address")
    if any(c in subject for c in "\r\n") or len(subject) > 200:
        raise ValueError("mail subject must be one line of at most 200 characters")
    if not _KIND.fullmatch(kind):
        raise ValueError("mail kind must be a short lower-case name such as 'verify_email'")
    message = MailMessage(
        message_id=make_msgid(domain=sender_domain(_config().mail_from)),
        recipient=to,
        subject=subject,
        body=body,
        kind=kind,
    )
    session.add(message)
    return message


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 2, 4 ... minutes, capped."""
    return min(FIRST_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)


def send_due(session: so.Session, now: datetime, batch: int = 20) -> dict:
    """Claim up to `batch` due messages, send them, record the outcome; returns counts."""
    config = _config()
    claimed = _claim(session, now, batch)
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if claimed:
        transport = _transport(config)
        try:
            for row in claimed:
                counts[_send_one(session, transport, config, row, now)] += 1
        finally:
            transport.close()
    counts["deleted"] = _forget_finished(session, now)
    return {name: count for name, count in counts.items() if count}


def _claim(session: so.Session, now: datetime, batch: int) -> list[MailMessage]:
    claim = secrets.token_hex(16)
    due = sa.or_(
        sa.and_(MailMessage.status == "queued", MailMessage.next_attempt_at <= now),
        sa.and_(MailMessage.status == "sending", MailMessage.claimed_at < now - STALE_CLAIM),
    )
    candidates = (
        sa.select(MailMessage.id).where(due).order_by(MailMessage.next_attempt_at).limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        # Rows another scheduler is claiming are skipped rather than waited for. The CTE is
        # materialised: as a plain IN (subquery) PostgreSQL may run it again per row, and with
        # SKIP LOCKED each run finds other rows, so one claim could take far more than `batch`.
        candidates = candidates.with_for_update(skip_locked=True)
        picked = candidates.cte("picked").prefix_with("MATERIALIZED")
    else:
        picked = candidates.cte("picked")
    session.commit()  # the UPDATE starts its own transaction (on SQLite: takes the write lock)
    # `due` is repeated outside the CTE: a row claimed meanwhile no longer matches it
    # (PostgreSQL re-checks the WHERE on the new row version), so no row is claimed twice.
    session.execute(
        sa.update(MailMessage)
        .where(MailMessage.id.in_(sa.select(picked.c.id)), due)
        .values(status="sending", claimed_by=claim, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return list(
        session.scalars(
            sa.select(MailMessage)
            .where(MailMessage.claimed_by == claim, MailMessage.status == "sending")
            .order_by(MailMessage.id)
        )
    )


def _send_one(session, transport, config: Config, row: MailMessage, now: datetime) -> str:
    try:
        transport.send(_build(row, config.mail_from, now))
    except Exception as error:  # whatever it is, the row is retried, and the tick goes on
        row.attempts += 1
        row.last_error = _short(error)
        row.claimed_by = None
        if row.attempts >= config.mail_max_attempts or _refused_for_good(error):
            row.status, row.body = "failed", ""
            outcome = "failed"
            log.warning(
                "mail %s (%s) given up after %d attempts: %s",
                row.message_id,
                row.kind,
                row.attempts,
                row.last_error,
            )
        else:
            row.status, row.next_attempt_at = "queued", now + backoff(row.attempts)
            outcome = "retry"
            log.warning(
                "mail %s (%s) attempt %d failed: %s; next try at %s",
                row.message_id,
                row.kind,
                row.attempts,
                row.last_error,
                row.next_attempt_at.isoformat(),
            )
    else:
        row.status, row.sent_at, row.body, row.last_error = "sent", now, "", None
        outcome = "sent"
        log.info("mail %s (%s) sent", row.message_id, row.kind)
    session.commit()  # each outcome is kept even if a later message fails badly
    return outcome


def _build(row: MailMessage, mail_from: str, now: datetime) -> EmailMessage:
    message = EmailMessage()
    message["From"] = mail_from
    message["To"] = row.recipient
    message["Subject"] = row.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = row.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    message.set_content(row.body)
    return message


def _refused_for_good(error: Exception) -> bool:
    """The server said the address does not exist (5xx): asking again will not change that."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _text in error.recipients.values()
    )


def _short(error: Exception) -> str:
    """The class name and SMTP code only: the server's text may quote the recipient."""
    code = getattr(error, "smtp_code", None)
    if code is None and isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = {c for c, _text in error.recipients.values()}
        code = codes.pop() if len(codes) == 1 else None
    return f"{type(error).__name__} {code}" if code else type(error).__name__


def _forget_finished(session: so.Session, now: datetime) -> int:
    deleted = session.execute(
        sa.delete(MailMessage).where(
            MailMessage.status.in_(("sent", "failed")),
            MailMessage.created_at < now - KEEP_FINISHED,
        )
    ).rowcount
    session.commit()
    return deleted


def _transport(config: Config):
    if config.smtp_url:
        return SmtpTransport(
            parse_smtp_url(config.smtp_url), config.smtp_timeout_seconds, config.smtp_ca_file
        )
    return FileTransport(config.mail_dir)


def _config() -> Config:
    return current_app.config["CADENCE"]
