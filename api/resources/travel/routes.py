from datetime import date

from flask.views import MethodView

from api import db
from api.auth import login_required
from api.extensions import Blueprint
from api.models import User
from api.resources.entries.schemas import RangeQuerySchema
from api.resources.subject import client_route, date_range, requires
from api.resources.travel.schemas import TravelSuggestionListSchema
from api.services import travel

blp = Blueprint("travel", __name__, description="Trips found in the diary's time zones")


@client_route(blp, "/events/suggestions")
class TravelSuggestions(MethodView):
    @login_required()
    @requires("events:read")
    @blp.arguments(RangeQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, TravelSuggestionListSchema)
    def get(self, client: User, from_: date | None = None, to: date | None = None):
        """Trips no travel life event covers yet: offer each as "Log this trip?"

        A trip starts the day before the diary's first change of zone and ends on the day
        back in the zone left (or the last logged day, `ongoing`). A trip drops out once a
        travel event covers each of its changes of zone. To log one, POST its `start`, `end`,
        `kind` and `disruption` to /events. Default range: the last 4 weeks.
        """
        start, end = date_range(client, from_, to)
        return {"suggestions": travel.suggestions(db.session(), client.id, start, end)}
