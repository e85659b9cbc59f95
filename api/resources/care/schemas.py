from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Day, Integer
from api.models import PHASES, PROBLEM_AREAS


class InvitationSchema(Schema):
    code = fields.String(metadata={"description": "Give this to the client; it works once"})
    expires_at = fields.DateTime()


class RedeemSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32))


class PersonSchema(Schema):
    id = fields.Integer()
    display_name = fields.String(allow_none=True)
    email = fields.String()


class LinkSchema(Schema):
    id = fields.Integer()
    clinician = fields.Nested(PersonSchema)
    client = fields.Nested(PersonSchema)
    created_at = fields.DateTime()


class DeletedAccountSchema(Schema):
    client_id = fields.Integer()
    status = fields.Constant("account deleted")
    linked_at = fields.DateTime()
    ended_at = fields.DateTime()


class LinkListSchema(Schema):
    links = fields.List(fields.Nested(LinkSchema))
    deleted_accounts = fields.List(
        fields.Nested(DeletedAccountSchema),
        metadata={"description": "Clinicians: linked clients who deleted their account"},
    )


class CourseSchema(Schema):
    course_start = Day(allow_none=True, data_key="start", metadata={"description": "First session"})
    planned_weeks = Integer(
        allow_none=True,
        validate=validate.Range(1, 52),
        metadata={"description": "Usually 12–16 weekly sessions"},
    )
    phase = fields.String(allow_none=True, validate=validate.OneOf(PHASES))
    problem_areas = fields.List(
        fields.String(validate=validate.OneOf(PROBLEM_AREAS)),
        load_default=list,
        validate=validate.Length(max=2),
        metadata={"description": "The one or two interpersonal problem areas in focus"},
    )
