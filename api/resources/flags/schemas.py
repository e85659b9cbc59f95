from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Day
from api.models import FLAG_STATUSES


class FlagSchema(Schema):
    id = fields.Integer()
    rule = fields.String()
    window_start = fields.Date()
    window_end = fields.Date(metadata={"description": "Inclusive"})
    severity = fields.String(metadata={"description": "low, medium or high"})
    evidence = fields.Dict(metadata={"description": "The values that tripped the rule"})
    settings = fields.Dict(metadata={"description": "The thresholds the rule used"})
    explained = fields.Function(lambda flag: bool(flag.explained_by))
    explained_by = fields.List(fields.String(), metadata={"description": "Life event kinds"})
    status = fields.String()
    acknowledged_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class FlagListSchema(Schema):
    flags = fields.List(fields.Nested(FlagSchema))


class FlagQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(FLAG_STATUSES))
    from_ = Day(data_key="from")
    to = Day()


class FlagSettingsSchema(Schema):
    defaults = fields.Dict()
    overrides = fields.Dict()
    effective = fields.Dict()


class FlagSettingsInSchema(Schema):
    overrides = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={"description": "Setting name → value; replaces all earlier overrides"},
    )
