from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.ipt.goals_schemas import (
    GoalChangeSchema,
    GoalInSchema,
    GoalReviewInSchema,
    GoalReviewSchema,
    GoalSchema,
    GoalsSchema,
)
from api.resources.subject import client_route, requires, today_for
from api.services.ipt import goals

blp = Blueprint(
    "goals", __name__, description="Goals for the course's problem areas, and their reviews"
)


@client_route(blp, "/goals")
class Goals(MethodView):
    @login_required()
    @requires("goals:read")
    @blp.response(200, GoalsSchema)
    def get(self, client: User):
        """The course's problem areas, the midpoint review and every goal with its reviews"""
        return goals.overview(db.session(), client, current_user())

    @writes_per_client
    @login_required()
    @requires("goals:write")
    @blp.arguments(GoalInSchema)
    @blp.response(201, GoalSchema)
    def post(self, data: dict, client: User):
        """Record an agreed goal for one of the course's problem areas (a linked clinician)"""
        return goals.create(db.session(), client, current_user(), data)


@client_route(blp, "/goals/<id:goal_id>")
class Goal(MethodView):
    @writes_per_client
    @login_required()
    @requires("goals:write")
    @blp.arguments(GoalChangeSchema)
    @blp.response(200, GoalSchema)
    def put(self, data: dict, goal_id: int, client: User):
        """Change a goal's text, problem area or status (a linked clinician)"""
        return goals.replace(db.session(), client, goal_id, current_user(), data)

    @writes_per_client
    @login_required()
    @requires("goals:write")
    @blp.response(204)
    def delete(self, goal_id: int, client: User):
        """Delete a goal and its reviews (a linked clinician)"""
        goals.delete(db.session(), client, goal_id)


@client_route(blp, "/goals/<id:goal_id>/reviews", methods=["POST"])
@writes_per_client
@login_required()
@requires("goals:review")
@blp.arguments(GoalReviewInSchema)
@blp.response(201, GoalReviewSchema)
def review(data: dict, goal_id: int, client: User):
    """Record a session's (or the midpoint's) review of a goal (a linked clinician)"""
    return goals.review(db.session(), client, goal_id, current_user(), data, today_for(client))
