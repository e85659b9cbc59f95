from datetime import date

from api import db
from api.auth import login_required
from api.extensions import Blueprint
from api.resources.entries.schemas import RangeQuerySchema
from api.resources.scores.schemas import ReportListSchema
from api.resources.subject import client_for, client_route, date_range
from api.services import scoring

blp = Blueprint("scores", __name__, description="Regularity scores (SRM and sleep measures)")


@client_route(blp, "/scores/weekly")
@login_required()
@blp.arguments(RangeQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ReportListSchema)
def weekly(from_: date | None = None, to: date | None = None, client_id: int | None = None):
    """Scores per ISO week (Monday start) overlapping the range; default: the last 12 weeks"""
    client = client_for("scores:read", client_id)
    start, end = date_range(client, from_, to, default_days=84)
    return {"scores": scoring.weekly(db.session(), client, start, end)}


@client_route(blp, "/scores/rolling")
@login_required()
@blp.arguments(RangeQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ReportListSchema)
def rolling(from_: date | None = None, to: date | None = None, client_id: int | None = None):
    """Scores for the 7-day window ending on each day of the range; default: the last 4 weeks"""
    client = client_for("scores:read", client_id)
    start, end = date_range(client, from_, to)
    return {"scores": scoring.rolling(db.session(), client, start, end)}
