from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Day, Integer
from api.models import LIFE_EVENT_KINDS


class LifeEventInSchema(Schema):
    start = Day(required=True)
    end = Day(required=True, metadata={"description": "Inclusive"})
    kind = fields.String(required=True, validate=validate.OneOf(LIFE_EVENT_KINDS))
    disruption = Integer(
        load_default=1,
        validate=validate.Range(0, 3),
        metadata={"description": "Expected disruption: 0 none .. 3 severe"},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=2000))


class LifeEventSchema(Schema):
    id = fields.Integer()
    start = fields.Date(attribute="start_day")
    end = fields.Date(attribute="end_day")
    kind = fields.String()
    disruption = fields.Integer()
    note = fields.String(allow_none=True)
    created_at = fields.DateTime()


class LifeEventListSchema(Schema):
    events = fields.List(fields.Nested(LifeEventSchema))
