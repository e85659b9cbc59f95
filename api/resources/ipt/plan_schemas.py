from marshmallow import ValidationError, fields, validate

from api.extensions import Schema
from api.resources.flags.schemas import PersonNameSchema
from api.resources.ipt.fields import Text
from api.services.ipt import signals

POLES = ("elevated", "depressed")
STAGES = ("early", "late")
SIGNS_MAX = 40
ACTIONS_MAX = 10
CONTACTS_MAX = 20
SIGN_TEXT_MAX = 300


def _check_signal(signal) -> None:
    problems = signals.problems(signal)
    if problems:
        raise ValidationError(problems)


SIGNAL_DESCRIPTION = (
    "Ties the sign to a flag: {rule, ...parameters}. rule is one of "
    + ", ".join(signals.SIGNAL_RULES)
    + "; bed_shift and wake_shift take direction (later|earlier) and min_minutes, mood takes "
    "pole (elevated|depressed), asrm_high and phq9_high take min_total. Null: not tied."
)


class PlanSignInSchema(Schema):
    pole = fields.String(required=True, validate=validate.OneOf(POLES))
    stage = fields.String(required=True, validate=validate.OneOf(STAGES))
    text = Text(SIGN_TEXT_MAX, required=True, metadata={"example": "Going to bed later"})
    signal = fields.Dict(
        allow_none=True,
        load_default=None,
        validate=_check_signal,
        metadata={
            "description": SIGNAL_DESCRIPTION,
            "example": {"rule": "bed_shift", "direction": "later", "min_minutes": 120},
        },
    )
    actions = fields.List(
        Text(SIGN_TEXT_MAX),
        load_default=list,
        validate=validate.Length(max=ACTIONS_MAX),
        metadata={"description": "The client's own action steps for this sign"},
    )


class PlanContactSchema(Schema):
    name = Text(80, required=True)
    how_to_reach = Text(200, required=True, metadata={"example": "07700 900123"})


class RelapsePlanInSchema(Schema):
    signs = fields.List(
        fields.Nested(PlanSignInSchema), required=True, validate=validate.Length(max=SIGNS_MAX)
    )
    supporters = fields.List(
        fields.Nested(PlanContactSchema),
        load_default=list,
        validate=validate.Length(max=CONTACTS_MAX),
    )
    crisis_contacts = fields.List(
        fields.Nested(PlanContactSchema),
        load_default=list,
        validate=validate.Length(max=CONTACTS_MAX),
    )


class PlanSignSchema(Schema):
    index = fields.Integer(metadata={"description": "Position in this version"})
    pole = fields.String()
    stage = fields.String()
    text = fields.String()
    signal = fields.Dict(allow_none=True)
    actions = fields.List(fields.String())


class RelapsePlanSchema(Schema):
    version = fields.Integer(metadata={"description": "0 before the first save"})
    saved_at = fields.DateTime(allow_none=True)
    saved_by = fields.Nested(PersonNameSchema, allow_none=True)
    signs = fields.List(fields.Nested(PlanSignSchema))
    supporters = fields.List(fields.Nested(PlanContactSchema))
    crisis_contacts = fields.List(fields.Nested(PlanContactSchema))


class PlanVersionSchema(Schema):
    version = fields.Integer()
    saved_at = fields.DateTime()
    saved_by = fields.Nested(PersonNameSchema, allow_none=True)


class PlanVersionListSchema(Schema):
    versions = fields.List(
        fields.Nested(PlanVersionSchema), metadata={"description": "Newest first"}
    )
