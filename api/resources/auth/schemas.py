from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import TimeZone
from api.resources.me.schemas import UserSchema


class RegisterSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(
        required=True, load_only=True, validate=validate.Length(min=10, max=256)
    )
    display_name = fields.String(validate=validate.Length(min=1, max=80))
    timezone = TimeZone(load_default="UTC")


class CredentialsSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class TokenSchema(Schema):
    token = fields.String(metadata={"description": "Send as 'Authorization: Bearer <token>'"})
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)
