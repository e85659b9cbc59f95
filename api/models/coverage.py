"""Labels for the researcher's coverage view (api/services/study_coverage.py)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from api.db import Base


class CoverageLabel(Base):
    """A second random pseudonym per participant, shown only on the live coverage page.

    It is not the export's pseudonym on purpose: the page counts days back from today, and
    today is a real date, so "last entry 2 days ago" next to the export's pseudonym would
    give away that participant's date shift (docs/research-view.md §3).
    """

    __tablename__ = "coverage_labels"
    __table_args__ = (sa.UniqueConstraint("study_id", "label"),)

    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("study_participants.id", ondelete="CASCADE"), primary_key=True
    )
    study_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("studies.id", ondelete="CASCADE"))
    label: so.Mapped[str] = so.mapped_column(sa.String(16))
