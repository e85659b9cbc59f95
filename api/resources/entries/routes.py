from datetime import date

from flask import jsonify
from flask.views import MethodView

from api import db
from api.auth import login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.ratelimits import writes_per_client
from api.resources.entries.schemas import (
    EntryInSchema,
    EntryListSchema,
    EntrySchema,
    RangeQuerySchema,
)
from api.resources.preconditions import PRECONDITION_HEADERS, etag_list, parse_day
from api.resources.subject import client_for, client_route, date_range
from api.services import diary

blp = Blueprint("entries", __name__, description="The daily diary")


def _with_etag(body: dict) -> tuple[dict, dict]:
    return body, {"ETag": f'"{body["etag"]}"'}


@client_route(blp, "/entries")
class Entries(MethodView):
    @login_required()
    @blp.arguments(RangeQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, EntryListSchema)
    def get(self, from_: date | None = None, to: date | None = None, client_id: int | None = None):
        """List diary days in a date range; default: the last 4 weeks"""
        client = client_for("diary:read", client_id)
        start, end = date_range(client, from_, to)
        entries = diary.between(db.session(), client.id, start, end)
        return {"entries": [diary.view(e) for e in entries]}


@client_route(blp, "/entries/<day:day>")
class Entry(MethodView):
    @login_required()
    @blp.response(200, EntrySchema)
    def get(self, day: str, client_id: int | None = None):
        """Read one diary day"""
        client = client_for("diary:read", client_id)
        entry = diary.get_or_404(db.session(), client.id, parse_day(day))
        return _with_etag(diary.view(entry))

    @writes_per_client
    @login_required()
    @blp.doc(parameters=PRECONDITION_HEADERS)
    @blp.arguments(EntryInSchema)
    @blp.response(200, EntrySchema, description="Replaced (or unchanged)")
    @blp.alt_response(201, schema=EntrySchema, description="Created")
    @blp.alt_response(412, description="Precondition failed; the body holds the current entry")
    def put(self, data: dict, day: str, client_id: int | None = None):
        """Create or replace one diary day (the client only)"""
        client = client_for("diary:write", client_id)
        entry, created = diary.save(
            db.session(),
            client,
            parse_day(day),
            data,
            now=utcnow(),
            if_match=etag_list("If-Match"),
            if_none_match=etag_list("If-None-Match"),
        )
        # Already in its JSON form (the one a 412 carries too), so EntrySchema only documents
        # it: dumping it again would cost a write as much as one of its statements.
        body, headers = _with_etag(diary.json_view(entry))
        return jsonify(body), 201 if created else 200, headers

    @writes_per_client
    @login_required()
    @blp.doc(parameters=PRECONDITION_HEADERS[:1])
    @blp.response(204)
    def delete(self, day: str, client_id: int | None = None):
        """Delete one diary day (the client only)"""
        client = client_for("diary:write", client_id)
        diary.delete(db.session(), client, parse_day(day), etag_list("If-Match"), now=utcnow())
