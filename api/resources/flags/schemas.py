from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Day, Integer
from api.models import FLAG_STATUSES
from api.models.review import NOTE_MAX


class PersonNameSchema(Schema):
    id = fields.Integer()
    name = fields.String(allow_none=True)


class AcknowledgedExtentSchema(Schema):
    acknowledged_by = fields.Nested(PersonNameSchema, allow_none=True)
    acknowledged_at = fields.DateTime()
    severity = fields.String(allow_none=True)
    days = fields.Integer(allow_none=True)


class ContextSchema(Schema):
    id = fields.Integer()
    note = fields.String(allow_none=True)
    event_id = fields.Integer(
        allow_none=True, metadata={"description": "A life event of the client's; null if deleted"}
    )
    at = fields.DateTime()


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
    acknowledged_by = fields.Nested(
        PersonNameSchema,
        allow_none=True,
        metadata={"description": "The clinician whose acknowledgement stands; null when open"},
    )
    acknowledged_at = fields.DateTime(allow_none=True)
    ack_note = fields.String(allow_none=True, metadata={"description": "The clinician's note"})
    escalated_at = fields.DateTime(
        allow_none=True,
        metadata={
            "description": "When the flag opened again because it grew beyond what was "
            "acknowledged; null unless that is why it is open"
        },
    )
    escalated_from = fields.Nested(
        AcknowledgedExtentSchema,
        allow_none=True,
        metadata={"description": "The acknowledgement it grew beyond, and the flag's size then"},
    )
    context = fields.List(
        fields.Nested(ContextSchema),
        metadata={"description": "What the client added: notes and explaining life events"},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class AcknowledgeSchema(Schema):
    note = fields.String(
        validate=validate.Length(max=NOTE_MAX),
        allow_none=True,
        metadata={"description": f"Optional, up to {NOTE_MAX} characters"},
    )


class ContextInSchema(Schema):
    note = fields.String(validate=validate.Length(max=NOTE_MAX), allow_none=True)
    event_id = Integer(
        allow_none=True,
        minimum=1,
        metadata={"description": "One of your life events that explains the flag"},
    )


class PlanActionSchema(Schema):
    """A sign of the client's relapse-prevention plan that a listed flag matches
    (api/services/ipt/relapse_plan.py), with the client's own action steps."""

    flag_id = fields.Integer()
    plan_version = fields.Integer()
    sign_index = fields.Integer()
    pole = fields.String(metadata={"description": "elevated or depressed"})
    stage = fields.String(metadata={"description": "early or late"})
    sign = fields.String(metadata={"description": "The warning sign, in the plan's words"})
    actions = fields.List(fields.String())


class FlagListSchema(Schema):
    flags = fields.List(fields.Nested(FlagSchema))
    plan_actions = fields.List(
        fields.Nested(PlanActionSchema),
        metadata={"description": "What the client's plan says to do about these flags"},
    )


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
