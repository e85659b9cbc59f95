from flask.views import MethodView

from api import db
from api.auth import login_required
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.subject import client_route, requires, today_for
from api.resources.work_days.schemas import WorkDaysSchema
from api.services import work_days

blp = Blueprint(
    "work_days",
    __name__,
    description="Which weekdays are work days (social jetlag, the flags' day types)",
)


@client_route(blp, "/work-days")
class WorkDays(MethodView):
    @login_required()
    @requires("work_days:read")
    @blp.response(200, WorkDaysSchema)
    def get(self, client: User):
        """Read the weekday pattern of work days"""
        return {"work_weekdays": work_days.read(client)}

    @writes_per_client
    @login_required()
    @requires("work_days:write")
    @blp.arguments(WorkDaysSchema)
    @blp.response(200, WorkDaysSchema)
    def put(self, data: dict, client: User):
        """Set the weekday pattern of work days (the client or a linked clinician)"""
        saved = work_days.replace(db.session(), client, data["work_weekdays"], today_for(client))
        return {"work_weekdays": saved}
