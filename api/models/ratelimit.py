"""Rate-limit counters kept in the app's database, so every worker process counts together."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base


class RateLimitCounter(Base):
    """One fixed window of one limit: `hits` so far, until `expires_at` (Unix seconds)."""

    __tablename__ = "rate_limit_counters"

    bucket: so.Mapped[str] = so.mapped_column(sa.String(255), primary_key=True)
    hits: so.Mapped[int] = so.mapped_column(sa.Integer)
    expires_at: so.Mapped[float] = so.mapped_column(sa.Float, index=True)
