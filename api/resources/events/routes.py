from datetime import date

from flask.views import MethodView

from api import db
from api.auth import login_required
from api.extensions import Blueprint
from api.ratelimits import writes_per_client
from api.resources.entries.schemas import RangeQuerySchema
from api.resources.events.schemas import LifeEventInSchema, LifeEventListSchema, LifeEventSchema
from api.resources.subject import client_for, client_route, date_range, today_for
from api.services import events

blp = Blueprint("events", __name__, description="Life events that disrupt routines")


@client_route(blp, "/events")
class LifeEvents(MethodView):
    @login_required()
    @blp.arguments(RangeQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, LifeEventListSchema)
    def get(self, from_: date | None = None, to: date | None = None, client_id: int | None = None):
        """List life events overlapping the range; default: the last 12 weeks"""
        client = client_for("events:read", client_id)
        start, end = date_range(client, from_, to, default_days=84)
        return {"events": events.listed(db.session(), client.id, start, end)}

    @writes_per_client
    @login_required()
    @blp.arguments(LifeEventInSchema)
    @blp.response(201, LifeEventSchema)
    def post(self, data: dict, client_id: int | None = None):
        """Log a life event"""
        client = client_for("events:write", client_id)
        return events.create(db.session(), client, data, today_for(client))


@client_route(blp, "/events/<id:event_id>")
class LifeEvent(MethodView):
    @writes_per_client
    @login_required()
    @blp.response(204)
    def delete(self, event_id: int, client_id: int | None = None):
        """Delete a life event"""
        client = client_for("events:write", client_id)
        events.delete(db.session(), client, event_id, today_for(client))
