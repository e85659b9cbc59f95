from marshmallow import fields, validate

from api.extensions import Schema

_CODE = {"description": "The 6 digits from the authenticator app (or, to drop it, a recovery code)"}


class TwoFactorStatusSchema(Schema):
    enabled = fields.Boolean(metadata={"description": "Sign-in asks for a code"})
    required = fields.Boolean(metadata={"description": "Staff: it cannot be turned off"})
    recovery_codes_left = fields.Integer()


class PasswordSchema(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))


class EnrolmentSchema(Schema):
    otpauth_uri = fields.String(
        metadata={"description": "otpauth:// URI for the authenticator app (RFC 6238 TOTP)"}
    )
    secret = fields.String(metadata={"description": "The same secret, to type in by hand"})
    qr_svg = fields.String(metadata={"description": "The URI as a QR code, an SVG data: URI"})


class CodeSchema(Schema):
    otp = fields.String(
        required=True, load_only=True, validate=validate.Length(max=32), metadata=_CODE
    )


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(
        fields.String(),
        metadata={"description": "Each works once, instead of a code; shown only now"},
    )


class DropSchema(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256))
    otp = fields.String(
        required=True, load_only=True, validate=validate.Length(max=32), metadata=_CODE
    )
