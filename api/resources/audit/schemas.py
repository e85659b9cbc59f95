from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import Integer
from api.resources.clinician.schemas import PageQuerySchema


class AuditEventSchema(Schema):
    id = fields.Integer()
    at = fields.DateTime()
    actor_id = fields.Integer(allow_none=True)
    actor_role = fields.String(allow_none=True)
    action = fields.String()
    subject_id = fields.Integer(allow_none=True)
    resource = fields.String()
    request_id = fields.String(allow_none=True, metadata={"description": "Made by the server"})
    client_request_id = fields.String(
        allow_none=True, metadata={"description": "The caller's X-Request-ID, if it was sane"}
    )
    ip = fields.String(allow_none=True)
    outcome = fields.String()
    detail = fields.Dict()


class AuditPageSchema(Schema):
    events = fields.List(fields.Nested(AuditEventSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class AuditQuerySchema(PageQuerySchema):
    actor_id = Integer(text=True, minimum=1)
    subject_id = Integer(text=True, minimum=1)
    action = fields.String(validate=validate.Length(max=40))


class AccessEntrySchema(Schema):
    at = fields.DateTime()
    who = fields.Function(lambda e: {"id": e.actor_id, "role": e.actor_role})
    action = fields.String()
    resource = fields.String()
    outcome = fields.String()


class AccessLogSchema(Schema):
    events = fields.List(fields.Nested(AccessEntrySchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()
