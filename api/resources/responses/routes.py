from datetime import date

from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.responses.schemas import (
    AnsweredSchema,
    AssignmentInSchema,
    AssignmentListSchema,
    AssignmentSchema,
    DueListSchema,
    ResponseInSchema,
    ResponseListSchema,
    ResponseQuerySchema,
)
from api.resources.subject import (
    client_route,
    clients_route,
    date_range,
    own_route,
    requires,
    today_for,
)
from api.services import questionnaires

blp = Blueprint(
    "responses",
    __name__,
    description="Questionnaire answers, schedules and what is due (docs/api-scales.md)",
)


@own_route(blp, "/responses", methods=["POST"])
@writes_per_client
@login_required()
@requires("responses:write")
@blp.arguments(ResponseInSchema)
@blp.response(201, AnsweredSchema)
@blp.alt_response(200, schema=AnsweredSchema, description="A replay: the stored response")
def answer(data: dict, client: User):
    """Answer a questionnaire: scored, stored item by item, with the flags it raised (clients)"""
    view, created = questionnaires.submit(db.session(), client, data, utcnow())
    return view, 201 if created else 200


@client_route(blp, "/responses")
@login_required()
@requires("responses:read")
@blp.arguments(ResponseQuerySchema, location="query", as_kwargs=True)
@blp.response(200, ResponseListSchema)
def list_responses(
    client: User, instrument: str | None = None, from_: date | None = None, to: date | None = None
):
    """List questionnaire responses, newest first (default: the last 366 days)"""
    start, end = date_range(client, from_, to, default_days=366)
    return {"responses": questionnaires.listed(db.session(), client, instrument, start, end)}


@clients_route(blp, "/assignments")
class Assignments(MethodView):
    @login_required()
    @requires("assignments:read")
    @blp.response(200, AssignmentListSchema)
    def get(self, client: User):
        """List the questionnaires assigned to a client, with what is due (linked clinicians)"""
        return {"assignments": questionnaires.assignments(db.session(), client, today_for(client))}

    @login_required()
    @requires("assignments:write")
    @blp.arguments(AssignmentInSchema)
    @blp.response(201, AssignmentSchema)
    def post(self, data: dict, client: User):
        """Assign a questionnaire every N days from a start date (linked clinicians)"""
        return questionnaires.assign(db.session(), client, current_user(), data, today_for(client))


@clients_route(blp, "/assignments/<id:assignment_id>", methods=["DELETE"])
@login_required()
@requires("assignments:write")
@blp.response(204)
def unassign(assignment_id: int, client: User):
    """Remove an assignment (linked clinicians)"""
    questionnaires.unassign(db.session(), client, assignment_id)


@own_route(blp, "/questionnaires/due")
@login_required()
@requires("responses:read")
@blp.response(200, DueListSchema)
def due(client: User):
    """The questionnaires due now (clients)"""
    return {"due": questionnaires.due(db.session(), client, today_for(client))}
