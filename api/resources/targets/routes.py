from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.subject import client_route, clients_route, own_route, requires, today_for
from api.resources.targets.schemas import (
    DecisionSchema,
    ProposalListSchema,
    ProposalQuerySchema,
    ProposalSchema,
    TargetsInSchema,
    TargetsSchema,
)
from api.services import target_proposals, targets

blp = Blueprint("targets", __name__, description="Target times agreed in therapy")


@client_route(blp, "/targets")
class Targets(MethodView):
    @login_required()
    @requires("targets:read")
    @blp.response(200, TargetsSchema)
    def get(self, client: User):
        """Read the target time of each anchor"""
        return {"targets": targets.read(db.session(), client.id)}

    @writes_per_client
    @login_required()
    @requires("targets:write")
    @blp.arguments(TargetsInSchema)
    @blp.response(200, TargetsSchema)
    def put(self, data: dict, client: User):
        """Replace the target times (a linked clinician; a client proposes instead)"""
        saved = targets.replace(
            db.session(), client, data["targets"], current_user(), today_for(client)
        )
        return {"targets": saved}


@client_route(blp, "/targets/proposals", methods=["GET"])
@login_required()
@requires("targets:read")
@blp.arguments(ProposalQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ProposalListSchema)
def list_proposals(client: User, status: str | None = None):
    """List proposed targets, newest first"""
    return {"proposals": target_proposals.listed(db.session(), client, status)}


@own_route(blp, "/targets/proposals", methods=["POST"])
@writes_per_client
@login_required()
@requires("targets:propose")
@blp.arguments(TargetsInSchema)
@blp.response(201, ProposalSchema)
def propose(data: dict, client: User):
    """Propose target times for your clinician to accept or decline (clients)"""
    return target_proposals.propose(db.session(), client, data["targets"])


@clients_route(blp, "/targets/proposals/<id:proposal_id>/accept", methods=["POST"])
@login_required()
@requires("targets:decide")
@blp.arguments(DecisionSchema, required=False)
@blp.response(200, ProposalSchema)
def accept_proposal(data: dict, proposal_id: int, client: User):
    """Accept a proposal: its targets become the client's (a linked clinician)"""
    return _decide(data, proposal_id, client, accept=True)


@clients_route(blp, "/targets/proposals/<id:proposal_id>/decline", methods=["POST"])
@login_required()
@requires("targets:decide")
@blp.arguments(DecisionSchema, required=False)
@blp.response(200, ProposalSchema)
def decline_proposal(data: dict, proposal_id: int, client: User):
    """Decline a proposal; the targets stay as they are (a linked clinician)"""
    return _decide(data, proposal_id, client, accept=False)


def _decide(data: dict | None, proposal_id: int, client: User, accept: bool) -> dict:
    note = (data or {}).get("note")
    return target_proposals.decide(
        db.session(), client, proposal_id, accept, current_user(), note, today_for(client)
    )
