from datetime import date

from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.resources.flags.schemas import (
    FlagListSchema,
    FlagQuerySchema,
    FlagSchema,
    FlagSettingsInSchema,
    FlagSettingsSchema,
)
from api.resources.subject import client_for, client_route, today_for
from api.services import flagging

blp = Blueprint("flags", __name__, description="Disruption flags and their thresholds")


@client_route(blp, "/flags")
@login_required()
@blp.arguments(FlagQuerySchema, location="query", as_kwargs=True)
@blp.response(200, FlagListSchema)
def list_flags(
    status: str | None = None,
    from_: date | None = None,
    to: date | None = None,
    client_id: int | None = None,
):
    """List flags, newest window first"""
    client = client_for("flags:read", client_id)
    return {"flags": flagging.listed(db.session(), client, status, from_, to)}


@client_route(blp, "/flags/<id:flag_id>/ack", methods=["POST"])
@login_required()
@blp.response(200, FlagSchema)
def acknowledge(flag_id: int, client_id: int | None = None):
    """Acknowledge a flag"""
    client = client_for("flags:ack", client_id)
    return flagging.acknowledge(db.session(), client, flag_id, current_user())


@client_route(blp, "/flag-settings")
class FlagSettings(MethodView):
    @login_required()
    @blp.response(200, FlagSettingsSchema)
    def get(self, client_id: int | None = None):
        """Read the flag thresholds: defaults, this client's overrides, and the result"""
        client = client_for("flag_settings:read", client_id)
        return flagging.read_settings(db.session(), client.id)

    @login_required()
    @blp.arguments(FlagSettingsInSchema)
    @blp.response(200, FlagSettingsSchema)
    def put(self, data: dict, client_id: int | None = None):
        """Replace this client's overrides of the flag thresholds (clinicians)"""
        client = client_for("flag_settings:write", client_id)
        return flagging.update_settings(
            db.session(), client, data["overrides"], current_user(), today_for(client)
        )
