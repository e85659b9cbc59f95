from datetime import date

from api import db
from api.auth import login_required
from api.extensions import Blueprint
from api.models import User
from api.resources.entries.schemas import RangeQuerySchema
from api.resources.subject import client_route, date_range, requires
from api.resources.usual.schemas import UsualListSchema
from api.services import usual

blp = Blueprint("usual", __name__, description="Each anchor's usual time, as the flags see it")


@client_route(blp, "/usual")
@login_required()
@requires("scores:read")
@blp.arguments(RangeQuerySchema, location="query", as_kwargs=True)
@blp.response(200, UsualListSchema)
def usual_times(client: User, from_: date | None = None, to: date | None = None):
    """Each logged day's usual time per anchor, and the deviation from it

    The baseline the flags use (docs/science.md §3.1): the target agreed in therapy where one
    is set, else the habitual time of that kind of day (work day or free day) over the
    `baseline_days` before it. `settings.shift_minutes` is the flags' threshold for a shifted
    getting-up or bedtime. Default range: the last 4 weeks.
    """
    start, end = date_range(client, from_, to)
    found = usual.for_days(db.session(), client, start, end)
    days = [{"date": day, "usual": times} for day, times in sorted(found["days"].items())]
    return {"settings": found["settings"], "days": days}
