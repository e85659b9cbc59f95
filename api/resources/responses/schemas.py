from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Day, Integer
from api.models.questionnaires import EVERY_DAYS_MAX, REQUEST_ID_MAX
from api.resources.flags.schemas import FlagSchema, PersonNameSchema
from api.rhythm.instruments import CODES

INSTRUMENT = validate.OneOf(CODES)


class ResponseInSchema(Schema):
    instrument = fields.String(required=True, validate=INSTRUMENT)
    answers = fields.List(
        Integer(allow_none=True),
        required=True,
        validate=validate.Length(min=1, max=32),
        metadata={"description": "One per item, in order; null for an unanswered item"},
    )
    client_request_id = fields.String(
        validate=validate.Length(min=1, max=REQUEST_ID_MAX),
        metadata={"description": "The same id again answers with the stored response"},
    )
    answered_on = Day(metadata={"description": "Default: today in the client's zone"})


class SafetySchema(Schema):
    items = fields.List(fields.Integer())
    endorsed = fields.Boolean(metadata={"description": "A safety item answered 1 or more"})
    unanswered = fields.Boolean(metadata={"description": "A safety item left unanswered"})


class ResponseSchema(Schema):
    id = fields.Integer()
    instrument = fields.String()
    version = fields.String()
    answers = fields.List(fields.Integer(allow_none=True))
    total = fields.Integer()
    band = fields.String()
    prorated = fields.Boolean(metadata={"description": "Unanswered items were prorated"})
    missing_items = fields.List(fields.Integer())
    safety = fields.Nested(SafetySchema)
    answered_on = fields.Date()
    created_at = fields.DateTime()
    client_request_id = fields.String(allow_none=True)


class SafeguardSchema(Schema):
    triggered = fields.Boolean()
    crisis_text = fields.String(allow_none=True)


class AnsweredSchema(ResponseSchema):
    flags = fields.List(
        fields.Nested(FlagSchema), metadata={"description": "Flags this response is evidence of"}
    )
    safeguard = fields.Nested(SafeguardSchema)


class ResponseListSchema(Schema):
    responses = fields.List(fields.Nested(ResponseSchema))


class ResponseQuerySchema(Schema):
    instrument = fields.String(validate=INSTRUMENT)
    from_ = Day(data_key="from")
    to = Day()


class AssignmentInSchema(Schema):
    instrument = fields.String(required=True, validate=INSTRUMENT)
    every_days = Integer(required=True, validate=validate.Range(1, EVERY_DAYS_MAX))
    starts_on = Day(required=True)


class AssignmentSchema(Schema):
    id = fields.Integer()
    instrument = fields.String()
    every_days = fields.Integer()
    starts_on = fields.Date()
    created_at = fields.DateTime()
    created_by = fields.Nested(PersonNameSchema, allow_none=True)
    due_on = fields.Date(
        allow_none=True, metadata={"description": "The current period's start when due now"}
    )


class AssignmentListSchema(Schema):
    assignments = fields.List(fields.Nested(AssignmentSchema))


class DueSchema(Schema):
    assignment_id = fields.Integer()
    instrument = fields.String()
    due_on = fields.Date()


class DueListSchema(Schema):
    due = fields.List(fields.Nested(DueSchema))
