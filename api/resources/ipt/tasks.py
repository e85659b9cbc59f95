from flask.views import MethodView

from api import db
from api.auth import current_user, login_required
from api.db import utcnow
from api.extensions import Blueprint
from api.models import User
from api.ratelimits import writes_per_client
from api.resources.ipt.tasks_schemas import (
    OutcomeInSchema,
    TaskInSchema,
    TaskListSchema,
    TaskQuerySchema,
    TaskSchema,
)
from api.resources.subject import client_route, requires
from api.services.ipt import tasks

blp = Blueprint("tasks", __name__, description="Between-session tasks and their outcomes")


@client_route(blp, "/tasks")
class Tasks(MethodView):
    @login_required()
    @requires("tasks:read")
    @blp.arguments(TaskQuerySchema, location="query", as_kwargs=True)
    @blp.response(200, TaskListSchema)
    def get(self, client: User, status: str = "all"):
        """List tasks: open ones first by due date, then answered ones"""
        return {"tasks": tasks.listed(db.session(), client, status)}

    @writes_per_client
    @login_required()
    @requires("tasks:assign")
    @blp.arguments(TaskInSchema)
    @blp.response(201, TaskSchema)
    def post(self, data: dict, client: User):
        """Assign a task for before the next session (a linked clinician)"""
        return tasks.assign(db.session(), client, current_user(), data)


@client_route(blp, "/tasks/<id:task_id>")
class Task(MethodView):
    @writes_per_client
    @login_required()
    @requires("tasks:assign")
    @blp.arguments(TaskInSchema)
    @blp.response(200, TaskSchema)
    def put(self, data: dict, task_id: int, client: User):
        """Change a task; the client's answer stays (a linked clinician)"""
        return tasks.replace(db.session(), client, task_id, data)

    @writes_per_client
    @login_required()
    @requires("tasks:assign")
    @blp.response(204)
    def delete(self, task_id: int, client: User):
        """Withdraw a task (a linked clinician)"""
        tasks.delete(db.session(), client, task_id)


@client_route(blp, "/tasks/<id:task_id>/outcome", methods=["PUT"])
@writes_per_client
@login_required()
@requires("tasks:outcome")
@blp.arguments(OutcomeInSchema)
@blp.response(200, TaskSchema)
def outcome(data: dict, task_id: int, client: User):
    """Mark your task done or not done, with a note; the same answer again changes nothing"""
    return tasks.record_outcome(
        db.session(), client, task_id, data["done"], data.get("note"), utcnow()
    )
