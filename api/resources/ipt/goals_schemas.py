from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Day, Integer
from api.models import PROBLEM_AREAS
from api.models.ipt import GOAL_STATUSES, NOTE_MAX, PROGRESS_MAX, REVIEW_KINDS, TEXT_MAX
from api.resources.flags.schemas import PersonNameSchema
from api.resources.ipt.fields import OptionalText, Text


class GoalInSchema(Schema):
    text = Text(TEXT_MAX, required=True)
    problem_area = fields.String(
        required=True,
        validate=validate.OneOf(PROBLEM_AREAS),
        metadata={"description": "One of the problem areas recorded on the course"},
    )


class GoalChangeSchema(GoalInSchema):
    status = fields.String(required=True, validate=validate.OneOf(GOAL_STATUSES))


class GoalReviewInSchema(Schema):
    session_date = Day(required=True, metadata={"description": "Not after the client's today"})
    kind = fields.String(
        load_default="session",
        validate=validate.OneOf(REVIEW_KINDS),
        metadata={"description": "session, or midpoint: the re-evaluation midway through"},
    )
    progress = Integer(
        required=True,
        validate=validate.Range(0, PROGRESS_MAX),
        metadata={"description": "0 none, 1 a little, 2 some, 3 much, 4 achieved"},
    )
    note = OptionalText(NOTE_MAX)


class GoalReviewSchema(Schema):
    id = fields.Integer()
    goal_id = fields.Integer()
    session_date = fields.Date()
    kind = fields.String()
    progress = fields.Integer()
    note = fields.String(allow_none=True)
    by = fields.Nested(PersonNameSchema, allow_none=True)
    created_at = fields.DateTime()


class GoalSchema(Schema):
    id = fields.Integer()
    text = fields.String()
    problem_area = fields.String()
    status = fields.String()
    created_at = fields.DateTime()
    updated_at = fields.DateTime()
    created_by = fields.Nested(PersonNameSchema, allow_none=True)
    latest_progress = fields.Integer(allow_none=True)
    reviews = fields.List(fields.Nested(GoalReviewSchema), metadata={"description": "Newest first"})


class MidpointSchema(Schema):
    due = fields.Date(allow_none=True)
    reviewed = fields.Boolean()


class GoalsSchema(Schema):
    problem_areas = fields.List(fields.String())
    midpoint = fields.Nested(MidpointSchema)
    progress_scale = fields.List(
        fields.String(), metadata={"description": "The words for progress 0..4"}
    )
    goals = fields.List(fields.Nested(GoalSchema))
