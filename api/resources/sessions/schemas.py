from marshmallow import fields

from api.extensions import Schema


class SessionSchema(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(
        allow_none=True, metadata={"description": "Updated at most once a minute"}
    )
    expires_at = fields.DateTime()
    user_agent = fields.String(allow_none=True)
    current = fields.Boolean(metadata={"description": "The session this request was made with"})


class SessionListSchema(Schema):
    sessions = fields.List(fields.Nested(SessionSchema))


class SignedOutSchema(Schema):
    ended = fields.Integer(metadata={"description": "How many sessions ended, this one included"})
