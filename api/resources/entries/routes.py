from datetime import date

from flask import current_app
from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.resources.entries.schemas import (
    EntryInSchema,
    EntryListSchema,
    EntrySchema,
    RangeQuerySchema,
)
from api.resources.preconditions import PRECONDITION_HEADERS, etag_list, parse_day
from api.services import diary

blp = Blueprint("entries", __name__, url_prefix="/entries", description="The daily diary")


@blp.route("")
class Entries(MethodView):
    @login_required("client")
    @blp.arguments(RangeQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, EntryListSchema)
    def get(self, from_: date | None = None, to: date | None = None):
        """List diary days in a date range"""
        user = current_user()
        today = diary.local_today(user.timezone, utcnow())
        start, end = diary.default_range(
            from_, to, today, current_app.config["CADENCE"].max_range_days
        )
        entries = diary.between(db.session(), user.id, start, end)
        return {"entries": [diary.view(e) for e in entries]}


@blp.route("/<day>")
class Entry(MethodView):
    @login_required("client")
    @blp.response(200, EntrySchema)
    def get(self, day: str):
        """Read one diary day"""
        entry = diary.get_or_404(db.session(), current_user().id, parse_day(day))
        return diary.view(entry), {"ETag": f'"{diary.etag(entry)}"'}

    @login_required("client")
    @blp.doc(parameters=PRECONDITION_HEADERS)
    @blp.arguments(EntryInSchema)
    @blp.response(200, EntrySchema, description="Replaced (or unchanged)")
    @blp.alt_response(201, schema=EntrySchema, description="Created")
    @blp.alt_response(412, description="Precondition failed; the body holds the current entry")
    def put(self, data: dict, day: str):
        """Create or replace one diary day"""
        entry, created = diary.save(
            db.session(),
            current_user(),
            parse_day(day),
            data,
            now=utcnow(),
            if_match=etag_list("If-Match"),
            if_none_match=etag_list("If-None-Match"),
        )
        return diary.view(entry), 201 if created else 200, {"ETag": f'"{diary.etag(entry)}"'}

    @login_required("client")
    @blp.doc(parameters=PRECONDITION_HEADERS[:1])
    @blp.response(204)
    def delete(self, day: str):
        """Delete one diary day"""
        diary.delete(
            db.session(), current_user(), parse_day(day), etag_list("If-Match"), now=utcnow()
        )
