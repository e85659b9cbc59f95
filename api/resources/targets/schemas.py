from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import ActivityCode, ClockTime, Integer
from api.models.review import NOTE_MAX, PROPOSAL_STATUSES
from api.resources.flags.schemas import PersonNameSchema


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


class ProposalSchema(Schema):
    id = fields.Integer()
    targets = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(TargetSchema),
        metadata={"description": "The whole proposed set; an anchor left out has no target"},
    )
    status = fields.String(metadata={"description": "pending, accepted or declined"})
    created_at = fields.DateTime()
    decided_by = fields.Nested(PersonNameSchema, allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    note = fields.String(allow_none=True, metadata={"description": "The clinician's note"})


class ProposalListSchema(Schema):
    proposals = fields.List(fields.Nested(ProposalSchema))


class ProposalQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(PROPOSAL_STATUSES))


class DecisionSchema(Schema):
    note = fields.String(
        validate=validate.Length(max=NOTE_MAX),
        allow_none=True,
        metadata={"description": f"Optional, up to {NOTE_MAX} characters"},
    )
