from marshmallow import ValidationError, fields, validate, validates_schema

from api.extensions import Schema
from api.models import ROLES
from api.resources.clinician.schemas import PageQuerySchema


class AccountSchema(Schema):
    """An account as an admin sees it: who and in what state, never any health data."""

    id = fields.Integer()
    email = fields.String()
    role = fields.String()
    created_at = fields.DateTime()
    active = fields.Function(lambda user: user.deactivated_at is None)
    deactivated_at = fields.DateTime(allow_none=True)


class AccountPageSchema(Schema):
    users = fields.List(fields.Nested(AccountSchema))
    page = fields.Integer()
    page_size = fields.Integer()
    total = fields.Integer()


class AccountQuerySchema(PageQuerySchema):
    role = fields.String(validate=validate.OneOf(ROLES))
    active = fields.Boolean(metadata={"description": "true: active only; false: deactivated"})


class AccountChangeSchema(Schema):
    active = fields.Boolean(
        metadata={
            "description": "false deactivates (every token revoked at once); true reactivates"
        }
    )
    role = fields.String(validate=validate.OneOf(ROLES))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give active, role or both.", "_schema")
