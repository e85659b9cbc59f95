"""How long the audit trail keeps who-connected-from-where: IP addresses and user agents are
blanked in events older than CADENCE_AUDIT_IP_RETENTION_DAYS (run by the nightly job).

The events themselves stay (who did what to whose data, when). The table refuses every other
UPDATE: migration 0013's trigger lets through exactly this one, setting both columns to NULL.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.models import AuditEvent


def blank_old_addresses(session: so.Session, now: datetime, days: int) -> int:
    """Blank ip and user_agent in events before now - days; the number of events changed."""
    cutoff = now - timedelta(days=days)
    identifying = sa.or_(AuditEvent.ip.is_not(None), AuditEvent.user_agent.is_not(None))
    blanked = session.execute(
        sa.update(AuditEvent)
        .where(AuditEvent.at < cutoff, identifying)
        .values(ip=None, user_agent=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.commit()
    return blanked
