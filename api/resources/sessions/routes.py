from flask import g

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.ratelimits import writes_per_client
from api.resources.sessions.schemas import SessionListSchema, SignedOutSchema
from api.services import sessions

blp = Blueprint("sessions", __name__, url_prefix="/me/sessions", description="My signed-in devices")


@blp.route("", methods=["GET"])
@login_required()
@blp.response(200, SessionListSchema)
def list_sessions():
    """List my sessions (one per sign-in that has not ended), most recently used first"""
    this = g.current_token.id
    return {
        "sessions": [
            {
                "id": token.id,
                "created_at": token.created_at,
                "last_used_at": token.last_used_at,
                "expires_at": token.expires_at,
                "user_agent": token.user_agent,
                "current": token.id == this,
            }
            for token in sessions.live(db.session(), current_user())
        ]
    }


@blp.route("/<id:session_id>", methods=["DELETE"])
@writes_per_client
@login_required()
@blp.response(204)
@blp.alt_response(404, description="No such session of mine")
def revoke(session_id: int):
    """End one of my sessions (its token answers 401 from now on)"""
    sessions.revoke(db.session(), current_user(), session_id)


@blp.route("/revoke-all", methods=["POST"])
@writes_per_client
@login_required()
@blp.response(200, SignedOutSchema)
def revoke_all():
    """Sign out everywhere: end every session of mine, this one included"""
    return {"ended": sessions.revoke_all(db.session(), current_user())}
