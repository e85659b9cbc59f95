"""The suicide-risk safeguard (docs/api-scales.md, docs/science.md §7.4).

A response that answers a safety item (PHQ-9 item 9, QIDS-SR16 item 12) with 1 or more:
- the client sees the deployment's crisis text at once (`outcome`, in the same answer; the app
  also shows it offline before the answer is sent);
- the `suicide_risk` flag is raised in the same request (api/services/questionnaires.py runs
  the flag evaluation before answering);
- every linked clinician is told at once, not in the next morning's digest: `raise_alert` adds
  a SafeguardAlert and queues one mail per clinician in the response's own transaction, due
  now, so the scheduler's next mail tick sends it; the push goes right after the commit
  (`push_alert`), and any push a request could not send goes on the scheduler's next tick
  (`push_pending`). Whoever sends claims the alert first, so it is pushed once.

Mail leaves the clinic's control, so it says only that an answer needs attention: no name, no
instrument, no score. Nothing here logs a client id next to an alert.
"""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from api.models import CareLink, QuestionnaireResponse, SafeguardAlert, User
from api.rhythm.instruments import Safety
from api.services import access, mail, push

log = logging.getLogger("cadence.safeguard")

MAIL_KIND = "safeguard_alert"
MAIL_SUBJECT = "Cadence: a questionnaire answer needs your attention"
NOTICE = "A questionnaire answer needs your attention — open Cadence."
# A push that waits longer than this at the push service is dropped; the mail still arrives.
PUSH_TTL_SECONDS = 24 * 3600


def crisis_text() -> str:
    return current_app.config["CADENCE"].crisis_text


def outcome(safety: Safety) -> dict:
    """What the client is shown: the crisis text when a safety item was answered 1 or more,
    and also when it was left unanswered (risk unknown is not risk absent); no clinician is
    alerted for an unanswered item."""
    show = safety.endorsed or safety.unanswered
    return {"triggered": safety.endorsed, "crisis_text": crisis_text() if show else None}


def _clinicians(session: so.Session, client_id: int) -> list[User]:
    return list(
        session.scalars(
            sa.select(User)
            .join(CareLink, CareLink.clinician_id == User.id)
            .where(
                access.link_is_active(client_id=client_id),
                User.deactivated_at.is_(None),
                User.deleted_at.is_(None),
            )
            .order_by(User.id)
        )
    )


def _mail_body() -> str:
    url = current_app.config["CADENCE"].public_url.rstrip("/")
    return (
        f"{NOTICE}\n\n{url}/\n\n"
        "You receive this because a client linked to you in Cadence answered a questionnaire "
        "in a way that needs a clinician's attention. Sign in to see it.\n"
    )


def raise_alert(session: so.Session, response: QuestionnaireResponse) -> SafeguardAlert:
    """Record the alert and queue the clinicians' mail, in the caller's transaction (the
    response is flushed already)."""
    body = _mail_body()
    mailed = 0
    for clinician in _clinicians(session, response.client_id):
        try:
            mail.enqueue(session, clinician.email, MAIL_SUBJECT, body, MAIL_KIND)
        except ValueError:  # an address no mail can go to: the push still reaches them
            log.warning("safeguard mail not queued: unusable clinician address")
            continue
        mailed += 1
    alert = SafeguardAlert(client_id=response.client_id, response_id=response.id, clinicians=mailed)
    session.add(alert)
    return alert


def _payload(alert_id: int) -> dict:
    # Shown on a lock screen: the same words as the mail, nothing more.
    return {"title": "Cadence", "body": NOTICE, "url": "/#/caseload", "tag": f"alert-{alert_id}"}


def push_alert(session: so.Session, alert_id: int, now: datetime) -> int | None:
    """Claim the alert and push it to the client's clinicians; the devices reached, or None
    when someone else claimed it first. Claimed before sending: a push is sent at most once."""
    claimed = session.execute(
        sa.update(SafeguardAlert)
        .where(SafeguardAlert.id == alert_id, SafeguardAlert.pushed_at.is_(None))
        .values(pushed_at=now)
    ).rowcount
    session.commit()
    if not claimed:
        return None
    client_id = session.scalar(
        sa.select(SafeguardAlert.client_id).where(SafeguardAlert.id == alert_id)
    )
    reached = 0
    for clinician_id in [c.id for c in _clinicians(session, client_id)]:
        try:
            reached += push.send(session, clinician_id, _payload(alert_id), PUSH_TTL_SECONDS).sent
        except Exception as error:  # keys or network: the mail is on its way regardless
            session.rollback()
            log.warning("safeguard push failed: %s", type(error).__name__)
    session.execute(
        sa.update(SafeguardAlert).where(SafeguardAlert.id == alert_id).values(push_sent=reached)
    )
    session.commit()
    return reached


def push_pending(session: so.Session, now: datetime) -> dict:
    """The scheduler's tick: push every alert no request pushed (one that died after its
    commit, say)."""
    pending = session.scalars(
        sa.select(SafeguardAlert.id)
        .where(SafeguardAlert.pushed_at.is_(None), SafeguardAlert.created_at <= now)
        .order_by(SafeguardAlert.id)
    ).all()
    session.commit()
    pushed = sum(1 for alert_id in pending if push_alert(session, alert_id, now) is not None)
    return {"pushed": pushed} if pushed else {}
