from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.ratelimits import writes_per_client
from api.resources.subject import client_for, client_route, today_for
from api.resources.targets.schemas import TargetsInSchema, TargetsSchema
from api.services import targets

blp = Blueprint("targets", __name__, description="Target times agreed in therapy")


@client_route(blp, "/targets")
class Targets(MethodView):
    @login_required()
    @blp.response(200, TargetsSchema)
    def get(self, client_id: int | None = None):
        """Read the target time of each anchor"""
        client = client_for("targets:read", client_id)
        return {"targets": targets.read(db.session(), client.id)}

    @writes_per_client
    @login_required()
    @blp.arguments(TargetsInSchema)
    @blp.response(200, TargetsSchema)
    def put(self, data: dict, client_id: int | None = None):
        """Replace the target times"""
        client = client_for("targets:write", client_id)
        saved = targets.replace(
            db.session(), client, data["targets"], current_user(), today_for(client)
        )
        return {"targets": saved}
