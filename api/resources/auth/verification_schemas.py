from marshmallow import fields, validate

from api.extensions import Schema


# Mailed tokens are secrets.token_urlsafe(32): 43 characters; anything much longer is not one.
def _token():
    return fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=128))


class AcceptedSchema(Schema):
    message = fields.String()


class TokenOnlySchema(Schema):
    token = _token()


class VerifiedSchema(Schema):
    message = fields.String()
    email_verified = fields.Boolean()


class ResetRequestSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))


class ResetConfirmSchema(Schema):
    token = _token()
    password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=256),
        metadata={"description": "The new password (api/services/passwords.py rules)"},
    )


class PasswordChangeSchema(Schema):
    current_password = fields.String(
        required=True, load_only=True, validate=validate.Length(max=256)
    )
    new_password = fields.String(
        required=True,
        load_only=True,
        validate=validate.Length(max=256),
        metadata={"description": "The new password (api/services/passwords.py rules)"},
    )
