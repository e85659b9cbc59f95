from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.ipt.plan_schemas import (
    PlanVersionListSchema,
    RelapsePlanInSchema,
    RelapsePlanSchema,
)
from api.resources.preconditions import etag_list
from api.resources.subject import client_route, requires
from api.services.ipt import relapse_plan

blp = Blueprint(
    "plan", __name__, description="The relapse-prevention plan: warning signs and what to do"
)

IF_MATCH = [
    {
        "in": "header",
        "name": "If-Match",
        "required": True,
        "schema": {"type": "string"},
        "description": 'The version edited ("0" for a first plan); a stale one answers 412',
    }
]


def _with_etag(plan: dict) -> tuple[dict, dict]:
    return plan, {"ETag": f'"{plan["version"]}"'}


@client_route(blp, "/plan")
class Plan(MethodView):
    @login_required()
    @requires("plan:read")
    @blp.response(200, RelapsePlanSchema)
    def get(self, client: User):
        """The latest version of the plan (version 0 and empty lists before the first save)"""
        return _with_etag(relapse_plan.read(db.session(), client))

    @writes_per_client
    @login_required()
    @requires("plan:write")
    @blp.arguments(RelapsePlanInSchema)
    @blp.response(200, RelapsePlanSchema)
    @blp.alt_response(412, description="A newer version exists; the body holds it as `current`")
    @blp.alt_response(428, description="If-Match is missing; the body holds the plan as `current`")
    @blp.doc(parameters=IF_MATCH)
    def put(self, data: dict, client: User):
        """Save the plan as a new version (the client or a linked clinician)"""
        plan = relapse_plan.save(db.session(), client, current_user(), data, etag_list("If-Match"))
        return _with_etag(plan)


@client_route(blp, "/plan/versions", methods=["GET"])
@login_required()
@requires("plan:read")
@blp.response(200, PlanVersionListSchema)
def versions(client: User):
    """Every saved version of the plan, newest first"""
    return {"versions": relapse_plan.versions(db.session(), client)}


@client_route(blp, "/plan/versions/<id:version>", methods=["GET"])
@login_required()
@requires("plan:read")
@blp.response(200, RelapsePlanSchema)
def plan_version(version: int, client: User):
    """One saved version of the plan"""
    return relapse_plan.read_version(db.session(), client, version)
