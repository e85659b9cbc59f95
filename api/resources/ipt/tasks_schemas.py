from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import ActivityCode, Day
from api.models import PROBLEM_AREAS
from api.models.ipt import NOTE_MAX, TEXT_MAX
from api.resources.flags.schemas import PersonNameSchema
from api.resources.ipt.fields import JsonBoolean, OptionalText, Text
from api.services.ipt.tasks import TASK_STATUSES


class TaskQuerySchema(Schema):
    status = fields.String(load_default="all", validate=validate.OneOf((*TASK_STATUSES, "all")))


class TaskInSchema(Schema):
    text = Text(TEXT_MAX, required=True, metadata={"example": "Call your sister before Sunday"})
    due = Day(required=True)
    problem_area = fields.String(
        allow_none=True, load_default=None, validate=validate.OneOf(PROBLEM_AREAS)
    )
    anchor = ActivityCode(
        allow_none=True,
        load_default=None,
        metadata={"description": "A diary anchor the task is about, e.g. to_bed"},
    )


class OutcomeInSchema(Schema):
    done = JsonBoolean(required=True, metadata={"description": "true done, false not done"})
    note = OptionalText(NOTE_MAX)


class TaskSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    due = fields.Date()
    problem_area = fields.String(allow_none=True)
    anchor = fields.String(allow_none=True)
    status = fields.String(metadata={"description": "open, done or not_done"})
    done = fields.Boolean(allow_none=True)
    note = fields.String(allow_none=True)
    outcome_at = fields.DateTime(allow_none=True)
    assigned_by = fields.Nested(PersonNameSchema, allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class TaskListSchema(Schema):
    tasks = fields.List(fields.Nested(TaskSchema))
