from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import TimeZone
from api.resources.me.schemas import UserSchema


class RegisterSchema(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    # The length here, so that it is named beside other fields' problems; the rest of the
    # rules (common, repetitive, the email in it) in api/services/passwords.py.
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(
            min=10,
            max=256,
            error="Use 10 to 256 characters: three or four unrelated words work well.",
        ),
    )
    display_name = fields.String(validate=validate.Length(min=1, max=80))
    timezone = TimeZone(load_default="UTC")


class CredentialsSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    otp = fields.String(
        load_only=True,
        validate=validate.Length(max=32),
        metadata={
            "description": "Two-factor code: the 6 digits from the authenticator app, or an "
            "unused recovery code; needed for staff and for clients who turned it on"
        },
    )


class TokenSchema(Schema):
    token = fields.String(metadata={"description": "Send as 'Authorization: Bearer <token>'"})
    expires_at = fields.DateTime()
    user = fields.Nested(UserSchema)
