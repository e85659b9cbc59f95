from marshmallow import fields, validate

from api.extensions import Schema
from api.fields import ActivityCode, ClockTime, TimeZone


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    email = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    email_verified = fields.Boolean(
        dump_only=True,
        metadata={"description": "False until the mailed link is followed: no care link or study"},
    )
    display_name = fields.String(allow_none=True)
    timezone = fields.String()
    tracked_activities = fields.List(fields.String())
    reminder_times = fields.List(fields.String())
    created_at = fields.DateTime(dump_only=True)


class ProfilePatchSchema(Schema):
    display_name = fields.String(allow_none=True, validate=validate.Length(min=1, max=80))
    timezone = TimeZone()
    tracked_activities = fields.List(
        ActivityCode(),
        validate=validate.Length(min=1),
        metadata={"description": "Anchors shown on the daily form and scored as `srm`"},
    )
    reminder_times = fields.List(
        ClockTime(),
        validate=validate.Length(max=4),
        metadata={"description": "Local clock times for daily reminders"},
    )


class AccountDeleteSchema(Schema):
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    otp = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "A current authenticator or recovery code, if two-factor is on"},
    )
