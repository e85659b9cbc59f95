from datetime import date

from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.flags.schemas import (
    AcknowledgeSchema,
    ContextInSchema,
    FlagListSchema,
    FlagQuerySchema,
    FlagSchema,
    FlagSettingsInSchema,
    FlagSettingsSchema,
)
from api.resources.subject import client_route, own_route, requires, today_for
from api.services import flag_acks, flagging
from api.services.ipt import relapse_plan

blp = Blueprint("flags", __name__, description="Disruption flags and their thresholds")


def _reviewed(flag):
    return flag_acks.reviewed(db.session(), [flag])[0]


@client_route(blp, "/flags")
@login_required()
@requires("flags:read")
@blp.arguments(FlagQuerySchema, location="query", as_kwargs=True)
@blp.response(200, FlagListSchema)
def list_flags(
    client: User, status: str | None = None, from_: date | None = None, to: date | None = None
):
    """List flags, newest window first, with who acknowledged each and the client's context"""
    flags = flagging.listed(db.session(), client, status, from_, to)
    return {
        "flags": flag_acks.reviewed(db.session(), flags),
        "plan_actions": relapse_plan.plan_actions_for(db.session(), client.id, flags),
    }


@client_route(blp, "/flags/<id:flag_id>/ack")
class Acknowledgement(MethodView):
    @login_required()
    @requires("flags:ack")
    @blp.arguments(AcknowledgeSchema, required=False)
    @blp.response(200, FlagSchema)
    def post(self, data: dict, flag_id: int, client: User):
        """Acknowledge a flag, with an optional note (a linked clinician)"""
        flag = flagging.acknowledge(
            db.session(), client, flag_id, current_user(), (data or {}).get("note")
        )
        return _reviewed(flag)

    @login_required()
    @requires("flags:reopen")
    @blp.response(200, FlagSchema)
    def delete(self, flag_id: int, client: User):
        """Undo the acknowledgement: the flag is open again (a linked clinician)"""
        flag = flagging.undo_acknowledgement(db.session(), client, flag_id, current_user())
        return _reviewed(flag)


@own_route(blp, "/flags/<id:flag_id>/context", methods=["POST"])
@writes_per_client
@login_required()
@requires("flags:context")
@blp.arguments(ContextInSchema)
@blp.response(201, FlagSchema)
def add_context(data: dict, flag_id: int, client: User):
    """Add context to your flag: a note, or a life event of yours that explains it (clients)"""
    flag = flagging.add_context(
        db.session(), client, flag_id, data.get("note"), data.get("event_id")
    )
    return _reviewed(flag)


@client_route(blp, "/flag-settings")
class FlagSettings(MethodView):
    @login_required()
    @requires("flag_settings:read")
    @blp.response(200, FlagSettingsSchema)
    def get(self, client: User):
        """Read the flag thresholds: defaults, this client's overrides, and the result"""
        return flagging.read_settings(db.session(), client.id)

    @login_required()
    @requires("flag_settings:write")
    @blp.arguments(FlagSettingsInSchema)
    @blp.response(200, FlagSettingsSchema)
    def put(self, data: dict, client: User):
        """Replace this client's overrides of the flag thresholds (clinicians)"""
        return flagging.update_settings(
            db.session(), client, data["overrides"], current_user(), today_for(client)
        )
