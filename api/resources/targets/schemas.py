from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import ActivityCode, ClockTime, Integer


class TargetInSchema(Schema):
    time = ClockTime(required=True)
    day_offset = Integer(
        validate=validate.OneOf([0, 1]),
        metadata={"description": "Absent on to_bed: before 12:00 means after midnight"},
    )


class TargetsInSchema(Schema):
    targets = fields.Dict(
        keys=ActivityCode(),
        values=fields.Nested(TargetInSchema, allow_none=True),
        required=True,
        metadata={"description": "The whole set: anchors left out or null have no target"},
    )


class TargetSchema(Schema):
    time = fields.String()
    day_offset = fields.Integer()
    minutes = fields.Integer(metadata={"description": "Minutes after the diary day's midnight"})


class TargetsSchema(Schema):
    targets = fields.Dict(keys=fields.String(), values=fields.Nested(TargetSchema))
